//! `tocsin backtest`: replays a UCDP GED event file through the alerting engine as an indicator
//! stream and scores the alerts against episodes of violence against civilians.
//!
//! Each event becomes one indicator record: kind `killing` for one-sided violence against civilians
//! (`type_of_violence` 3) and `armed_clash` for state-based (1) and non-state (2) conflict; event time
//! `date_start` at 00:00 UTC; `fatalities` = `best`; `count` = `deaths_civilians` when the column is
//! there, else `best`. Region: the gazetteer's admin1 region of (`country`, `adm_1`) through
//! `resolve`, else an id built from the names (`Country/adm_1`, or the country alone when `adm_1` is
//! empty). Records are fed in event-time order; episodes and scores are defined in
//! [`alerting::backtest`].

use std::collections::BTreeMap;
use std::path::Path;

use alerting::backtest::{self, Event};
use anyhow::{bail, Context};
use enrich::{Evidence, IndicatorRecord, Region};

struct Row {
    id: String,
    time: i64,
    date: String,
    kind: &'static str,
    best: u64,
    civilians: Option<u64>,
    region: Region,
}

/// Runs the backtest; returns the table (or JSON) to print.
pub fn run(
    ucdp_csv: &Path,
    rules: &[config::Rule],
    alerting: &config::AlertingConfig,
    episode_deaths: u64,
    json: bool,
    resolve: &dyn Fn(&str, &str) -> Option<Region>,
) -> anyhow::Result<String> {
    let rows = read(ucdp_csv, resolve)?;
    let mut engine = alerting::Engine::new(alerting, rules)
        .context("backtest: cannot build the alerting engine")?;
    let mut alerts = Vec::new();
    let mut events = Vec::with_capacity(rows.len());
    for r in &rows {
        let rec = IndicatorRecord {
            report_id: format!("ucdp-{}", r.id),
            source: Some("UCDP GED".into()),
            published_at: format!("{}T00:00:00Z", r.date),
            region: r.region.clone(),
            kind: r.kind.into(),
            risk_factor: if r.kind == "killing" { "RF11" } else { "RF1" }.into(),
            count: Some(r.civilians.unwrap_or(r.best)),
            fatalities: Some(r.best),
            evidence: vec![Evidence {
                report_id: format!("ucdp-{}", r.id),
                start: 0,
                end: 0,
                text: String::new(),
            }],
            text_fingerprint: format!("ucdp-{}", r.id),
        };
        alerts.extend(
            engine
                .process(&rec)
                .with_context(|| format!("backtest: event {} of {}", r.id, r.date))?,
        );
        events.push(Event {
            region: r.region.id.clone(),
            time: r.time,
            one_sided_deaths: if r.kind == "killing" { r.best } else { 0 },
        });
    }
    alerts.extend(engine.flush());
    let episodes = backtest::episodes(&events, episode_deaths);
    let region_years = backtest::region_years(&events);
    let names: Vec<String> = rules.iter().map(|r| r.name.clone()).collect();
    let scores = backtest::score(&names, &alerts, &episodes, region_years);
    if json {
        Ok(serde_json::to_string_pretty(&serde_json::json!({ "rules": scores }))? + "\n")
    } else {
        Ok(backtest::table(&scores, region_years))
    }
}

fn read(path: &Path, resolve: &dyn Fn(&str, &str) -> Option<Region>) -> anyhow::Result<Vec<Row>> {
    let mut rd = csv::Reader::from_path(path)
        .with_context(|| format!("backtest: cannot open {}", path.display()))?;
    let headers = rd
        .headers()
        .with_context(|| format!("backtest: {}: no header row", path.display()))?
        .clone();
    let col = |name: &str| headers.iter().position(|h| h.trim() == name);
    let need = |name: &str| {
        col(name).with_context(|| format!("backtest: {}: no column `{name}`", path.display()))
    };
    let (c_country, c_adm1, c_type, c_best, c_date) = (
        need("country")?,
        need("adm_1")?,
        need("type_of_violence")?,
        need("best")?,
        need("date_start")?,
    );
    let (c_civ, c_lat, c_lon, c_id) = (
        col("deaths_civilians"),
        col("latitude"),
        col("longitude"),
        col("id"),
    );
    let mut regions: BTreeMap<(String, String), Region> = BTreeMap::new();
    let mut rows = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let line = i + 2;
        let rec = rec.with_context(|| format!("backtest: {}:{line}", path.display()))?;
        let field = |c: usize| rec.get(c).unwrap_or("").trim();
        let at = || format!("backtest: {}:{line}", path.display());
        let number = |c: usize, name: &str| -> anyhow::Result<u64> {
            let v = field(c);
            v.parse::<f64>()
                .ok()
                .filter(|x| x.is_finite() && *x >= 0.0)
                .map(|x| x.round() as u64)
                .with_context(|| format!("{}: `{name}` {v:?} is not a count", at()))
        };
        let kind = match field(c_type) {
            "1" | "1.0" | "2" | "2.0" => "armed_clash",
            "3" | "3.0" => "killing",
            other => bail!("{}: `type_of_violence` {other:?} is not 1, 2 or 3", at()),
        };
        let raw_date = field(c_date);
        let date = raw_date.get(..10).unwrap_or(raw_date).to_owned();
        let time = chrono::NaiveDate::parse_from_str(&date, "%Y-%m-%d")
            .ok()
            .and_then(|d| d.and_hms_opt(0, 0, 0))
            .map(|d| d.and_utc().timestamp())
            .with_context(|| format!("{}: `date_start` {raw_date:?} is not a date", at()))?;
        let best = number(c_best, "best")?;
        let civilians = match c_civ {
            Some(c) if !field(c).is_empty() => Some(number(c, "deaths_civilians")?),
            _ => None,
        };
        let coord = |c: Option<usize>| c.and_then(|c| field(c).parse::<f64>().ok());
        let (country, adm1) = (field(c_country).to_owned(), field(c_adm1).to_owned());
        let region = regions
            .entry((country.clone(), adm1.clone()))
            .or_insert_with(|| {
                resolve(&country, &adm1).unwrap_or_else(|| Region {
                    id: if adm1.is_empty() {
                        country.clone()
                    } else {
                        format!("{country}/{adm1}")
                    },
                    country: country.clone(),
                    admin1: (!adm1.is_empty()).then(|| adm1.clone()),
                    name: if adm1.is_empty() {
                        country.clone()
                    } else {
                        adm1.clone()
                    },
                    lat: coord(c_lat).unwrap_or(0.0),
                    lon: coord(c_lon).unwrap_or(0.0),
                })
            })
            .clone();
        let id = c_id
            .map(|c| field(c).to_owned())
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| format!("row{line}"));
        rows.push(Row {
            id,
            time,
            date,
            kind,
            best,
            civilians,
            region,
        });
    }
    rows.sort_by(|a, b| (a.time, &a.id).cmp(&(b.time, &b.id)));
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_gazetteer(_: &str, _: &str) -> Option<Region> {
        None
    }

    #[test]
    fn scores_a_small_event_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("ged.csv");
        // Three weeks of rising one-sided violence in one province, then an episode week.
        let mut csv =
            String::from("id,country,adm_1,type_of_violence,best,date_start,deaths_civilians\n");
        for (i, (day, t, best)) in [
            ("2020-01-01", 1, 2),
            ("2020-01-20", 3, 6),
            ("2020-01-22", 3, 7),
            ("2020-02-03", 3, 20),
            ("2020-02-05", 3, 9),
            ("2020-06-01", 2, 1),
        ]
        .iter()
        .enumerate()
        {
            csv.push_str(&format!(
                "{i},Narnia,North province,{t},{best},{day},{best}\n"
            ));
        }
        std::fs::write(&p, csv).unwrap();
        let rules: Vec<config::Rule> = config::parse(
            "t",
            "[[rules]]\nname = \"k\"\ntype = \"sum\"\nkinds = [\"killing\"]\nwindow = \"7d\"\nthreshold = 10\n",
            Vec::new(),
        )
        .unwrap()
        .rules;
        let out = run(
            &p,
            &rules,
            &config::AlertingConfig::default(),
            25,
            true,
            &no_gazetteer,
        )
        .unwrap();
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        let r = &v["rules"][0];
        assert_eq!(r["rule"], "k");
        assert_eq!(r["episodes"], 1, "{out}");
        assert_eq!(r["detected"], 1, "{out}");
        // Opened on 2020-01-22 (13 dead in 7 days), 12 days before the week of 2020-02-03.
        assert_eq!(r["median_lead_days"], 12.0, "{out}");
    }

    #[test]
    #[ignore = "reads the evaluation data in ../shared/data"]
    fn ucdp_backtest_with_the_default_rules() {
        let c = config::parse("default", config::DEFAULT_TOML, Vec::new()).unwrap();
        for f in ["ucdp-ged-syria-2016-2019.csv", "ucdp-ged-car-1991-2022.csv"] {
            let p = Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("../shared/data/eval")
                .join(f);
            let out = run(&p, &c.rules, &c.alerting, 25, false, &no_gazetteer).unwrap();
            println!("{f}\n{out}");
        }
    }
}
