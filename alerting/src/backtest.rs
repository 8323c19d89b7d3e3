//! Scoring alerts against episodes of violence (the pure part of `tocsin backtest`).
//!
//! An **episode** is a region-week (Monday 00:00 UTC to Sunday) whose one-sided violence deaths
//! reach a threshold. An alert **detects** an episode of its region when it opened within the 30
//! days before the episode week or during it; its **lead time** is from the opening to the start of
//! the week (negative when it opened during the week). An alert that detects no episode is a **false
//! alarm**. False alarms are normalised by region-years: the regions with at least one event times
//! the years between the first and the last event.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::time::Ts;
use crate::{Alert, Status};

const DAY: Ts = 86_400;
const WEEK: Ts = 7 * DAY;
/// How long before an episode week an alert still counts as detecting it.
pub const LEAD_WINDOW: Ts = 30 * DAY;

/// One violent event as the backtest sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    pub region: String,
    pub time: Ts,
    /// Deaths in one-sided violence against civilians (0 for other events).
    pub one_sided_deaths: u64,
}

/// A region-week with at least the episode threshold of one-sided deaths.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Episode {
    pub region: String,
    /// Monday 00:00 UTC.
    pub week_start: Ts,
    pub deaths: u64,
}

/// The figures of one rule (or of `any` rule).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RuleScore {
    pub rule: String,
    pub alerts: u64,
    pub episodes: u64,
    pub detected: u64,
    pub recall: f64,
    pub false_alarms: u64,
    pub false_alarms_per_region_year: f64,
    pub median_lead_days: Option<f64>,
}

/// Monday 00:00 UTC of the week holding `t` (1970-01-05 was a Monday).
pub fn week_start(t: Ts) -> Ts {
    let monday = 4 * DAY;
    t - (t - monday).rem_euclid(WEEK)
}

/// The episodes of `events`, by region then week.
pub fn episodes(events: &[Event], episode_deaths: u64) -> Vec<Episode> {
    let mut weeks: BTreeMap<(&str, Ts), u64> = BTreeMap::new();
    for e in events.iter().filter(|e| e.one_sided_deaths > 0) {
        *weeks.entry((&e.region, week_start(e.time))).or_insert(0) += e.one_sided_deaths;
    }
    weeks
        .into_iter()
        .filter(|(_, d)| *d >= episode_deaths)
        .map(|((region, week_start), deaths)| Episode {
            region: region.to_owned(),
            week_start,
            deaths,
        })
        .collect()
}

/// Regions with at least one event times the years from the first to the last event.
pub fn region_years(events: &[Event]) -> f64 {
    let regions: BTreeSet<&str> = events.iter().map(|e| e.region.as_str()).collect();
    let (Some(lo), Some(hi)) = (
        events.iter().map(|e| e.time).min(),
        events.iter().map(|e| e.time).max(),
    ) else {
        return 0.0;
    };
    let years = ((hi - lo).max(DAY)) as f64 / (365.25 * DAY as f64);
    regions.len() as f64 * years
}

fn detects(opened: Ts, ep: &Episode) -> bool {
    opened >= ep.week_start - LEAD_WINDOW && opened < ep.week_start + WEEK
}

/// Scores the openings (`new` emissions) of each rule in `rules`, then of any rule, against the
/// episodes.
pub fn score(
    rules: &[String],
    alerts: &[Alert],
    episodes: &[Episode],
    region_years: f64,
) -> Vec<RuleScore> {
    // region -> opening times, per rule
    let mut opened: BTreeMap<&str, Vec<(&str, Ts)>> = BTreeMap::new();
    for a in alerts.iter().filter(|a| a.status == Status::New) {
        if let Some(t) = crate::time::parse(&a.first_seen) {
            opened
                .entry(a.rule.as_str())
                .or_default()
                .push((a.region.id.as_str(), t));
        }
    }
    let mut out: Vec<RuleScore> = rules
        .iter()
        .map(|r| {
            let o = opened.get(r.as_str()).cloned().unwrap_or_default();
            one(r, &o, episodes, region_years)
        })
        .collect();
    let mut any: Vec<(&str, Ts)> = opened.values().flatten().copied().collect();
    any.sort();
    if rules.len() > 1 {
        out.push(one("any", &any, episodes, region_years));
    }
    out
}

fn one(rule: &str, opened: &[(&str, Ts)], episodes: &[Episode], region_years: f64) -> RuleScore {
    let mut leads = Vec::new();
    for ep in episodes {
        let first = opened
            .iter()
            .filter(|(r, t)| *r == ep.region && detects(*t, ep))
            .map(|(_, t)| *t)
            .min();
        if let Some(t) = first {
            leads.push((ep.week_start - t) as f64 / DAY as f64);
        }
    }
    let false_alarms = opened
        .iter()
        .filter(|(r, t)| !episodes.iter().any(|ep| ep.region == *r && detects(*t, ep)))
        .count() as u64;
    leads.sort_by(f64::total_cmp);
    let median = match leads.len() {
        0 => None,
        n if n % 2 == 1 => Some(leads[n / 2]),
        n => Some((leads[n / 2 - 1] + leads[n / 2]) / 2.0),
    };
    let detected = leads.len() as u64;
    RuleScore {
        rule: rule.to_owned(),
        alerts: opened.len() as u64,
        episodes: episodes.len() as u64,
        detected,
        recall: if episodes.is_empty() {
            0.0
        } else {
            detected as f64 / episodes.len() as f64
        },
        false_alarms,
        false_alarms_per_region_year: if region_years > 0.0 {
            false_alarms as f64 / region_years
        } else {
            0.0
        },
        median_lead_days: median,
    }
}

/// A plain-text table of the scores.
pub fn table(scores: &[RuleScore], region_years: f64) -> String {
    let w = scores
        .iter()
        .map(|s| s.rule.len())
        .max()
        .unwrap_or(4)
        .max(4);
    let mut s = format!(
        "{:<w$}  {:>6}  {:>8}  {:>8}  {:>6}  {:>12}  {:>14}  {:>16}\n",
        "rule",
        "alerts",
        "episodes",
        "detected",
        "recall",
        "false_alarms",
        "fa/region-year",
        "median_lead_days"
    );
    for r in scores {
        let lead = r
            .median_lead_days
            .map_or_else(|| "-".to_owned(), |d| format!("{d:.1}"));
        s.push_str(&format!(
            "{:<w$}  {:>6}  {:>8}  {:>8}  {:>5.1}%  {:>12}  {:>14.3}  {:>16}\n",
            r.rule,
            r.alerts,
            r.episodes,
            r.detected,
            100.0 * r.recall,
            r.false_alarms,
            r.false_alarms_per_region_year,
            lead
        ));
    }
    s.push_str(&format!("({region_years:.1} region-years)\n"));
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{format, parse};

    fn t(s: &str) -> Ts {
        parse(&format!("{s}T00:00:00Z")).unwrap()
    }

    fn ev(region: &str, day: &str, deaths: u64) -> Event {
        Event {
            region: region.into(),
            time: t(day),
            one_sided_deaths: deaths,
        }
    }

    fn opened(rule: &str, region: &str, day: &str) -> Alert {
        let mut a: Alert = serde_json::from_str(r#"{"alert_id":"","rule":"","status":"new","severity":"low","region":{"id":"","country":"","admin1":null,"name":"","lat":0,"lon":0},"kind":"","window":{"start":"","end":""},"value":0,"threshold":0,"baseline":null,"reports":0,"sources":0,"fatalities":0,"evidence":[],"first_seen":"","emitted_at":"","version":1}"#).unwrap();
        a.rule = rule.into();
        a.region.id = region.into();
        a.first_seen = format(t(day));
        a
    }

    #[test]
    fn weeks_start_on_monday() {
        // 2016-01-06 was a Wednesday; 2016-01-04 a Monday; 2016-01-10 a Sunday.
        assert_eq!(week_start(t("2016-01-06")), t("2016-01-04"));
        assert_eq!(week_start(t("2016-01-04")), t("2016-01-04"));
        assert_eq!(week_start(t("2016-01-10")), t("2016-01-04"));
        assert_eq!(week_start(t("2016-01-11")), t("2016-01-11"));
    }

    #[test]
    fn episodes_add_up_a_region_week() {
        let events = [
            ev("A", "2016-01-04", 20),
            ev("A", "2016-01-10", 5),
            ev("A", "2016-01-11", 30),
            ev("B", "2016-01-05", 24),
            ev("B", "2016-01-05", 0),
        ];
        let eps = episodes(&events, 25);
        assert_eq!(eps.len(), 2);
        assert_eq!((eps[0].week_start, eps[0].deaths), (t("2016-01-04"), 25));
        assert_eq!(eps[1].week_start, t("2016-01-11"));
        // 2 regions over 7 days.
        assert!((region_years(&events) - 2.0 * 7.0 / 365.25).abs() < 1e-9);
    }

    #[test]
    fn detections_leads_and_false_alarms() {
        let eps = vec![
            Episode {
                region: "A".into(),
                week_start: t("2016-03-07"),
                deaths: 30,
            },
            Episode {
                region: "B".into(),
                week_start: t("2016-03-07"),
                deaths: 30,
            },
        ];
        let alerts = vec![
            // 10 days before A's episode: detects it.
            opened("r", "A", "2016-02-26"),
            // during the week: also detects it, but the earlier one sets the lead.
            opened("r", "A", "2016-03-09"),
            // 31 days before B's episode week: too early, a false alarm.
            opened("r", "B", "2016-02-05"),
            // another rule detects B during its week.
            opened("s", "B", "2016-03-13"),
        ];
        let s = score(&["r".into(), "s".into()], &alerts, &eps, 4.0);
        assert_eq!(s.len(), 3);
        assert_eq!((s[0].alerts, s[0].detected, s[0].false_alarms), (3, 1, 1));
        assert_eq!(s[0].median_lead_days, Some(10.0));
        assert_eq!(s[0].false_alarms_per_region_year, 0.25);
        assert_eq!((s[1].detected, s[1].median_lead_days), (1, Some(-6.0)));
        assert_eq!((s[2].rule.as_str(), s[2].detected), ("any", 2));
        assert_eq!(s[2].median_lead_days, Some(2.0));
        assert!(table(&s, 4.0).contains("any"));
    }
}
