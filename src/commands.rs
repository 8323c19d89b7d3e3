//! One function per command; `dispatch` picks it.

use std::io::Read as _;
use std::sync::Arc;

use anyhow::Context as _;

use crate::cli::{Cli, Command, EvalCommand, GazetteerCommand, GeocodeArgs};
use crate::setup::{self, UsageError};

pub fn dispatch(cli: &Cli) -> anyhow::Result<()> {
    let g = &cli.global;
    match &cli.command {
        Command::Run(a) => crate::kafka::run(g, a),
        Command::Produce(a) => {
            let loaded = setup::load_config(g.config.as_deref())?;
            let rt = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .context("starting the async runtime")?;
            rt.block_on(crate::kafka::produce_files(
                &loaded.config,
                a.files.clone(),
                a.brokers.clone(),
                a.topic.clone(),
            ))
        }
        Command::Replay(a) => crate::replay::replay(g, a),
        Command::Enrich(a) => crate::replay::enrich(g, a),
        Command::Geocode(a) => geocode(g, a),
        Command::CheckConfig(a) => check_config(&a.file),
        Command::Gazetteer(GazetteerCommand::Build { geonames, out }) => {
            let started = std::time::Instant::now();
            let files = enrich::gazetteer::GeonamesFiles::read_dir(geonames)
                .map_err(|e| UsageError(e.to_string()))?;
            let gaz = files.build().map_err(|e| UsageError(e.to_string()))?;
            // A `.gz` name asks for the compressed form that can be committed.
            if out.extension().is_some_and(|e| e == "gz") {
                gaz.save_compressed(out, &files.key())?;
            } else {
                gaz.save(out)?;
            }
            eprintln!(
                "tocsin: gazetteer written to {} in {:.1}s",
                out.display(),
                started.elapsed().as_secs_f64()
            );
            Ok(())
        }
        Command::Backtest(a) => backtest(g, a),
        Command::Eval(EvalCommand::Indicators { reports, gold }) => {
            let loaded = setup::load_config(g.config.as_deref())?;
            let enricher = setup::enricher(&loaded)?;
            print!(
                "{}",
                crate::eval_indicators::report(&enricher, reports, gold)?
            );
            Ok(())
        }
        Command::Eval(EvalCommand::Geocoding {
            reports,
            gold,
            geoparsing,
            misses,
        }) => {
            let loaded = setup::load_config(g.config.as_deref())?;
            let enricher = setup::enricher(&loaded)?;
            print!(
                "{}",
                crate::eval_geocoding::report(
                    &enricher,
                    reports,
                    gold,
                    geoparsing,
                    misses.as_deref()
                )?
            );
            Ok(())
        }
    }
}

fn backtest(g: &crate::cli::Global, a: &crate::cli::BacktestArgs) -> anyhow::Result<()> {
    let loaded = setup::load_config(g.config.as_deref())?;
    let rules_cfg = match &a.rules {
        Some(p) => setup::load_config(Some(p))?.config,
        None => loaded.config.clone(),
    };
    let gaz = setup::gazetteer(&loaded)?;
    let resolve = |country: &str, adm1: &str| gaz.admin1_by_name(country, adm1);
    let out = crate::backtest::run(
        &a.ucdp,
        &rules_cfg.rules,
        &rules_cfg.alerting,
        a.episode_deaths,
        a.json,
        &resolve,
    )?;
    print!("{out}");
    Ok(())
}

fn geocode(g: &crate::cli::Global, a: &GeocodeArgs) -> anyhow::Result<()> {
    let loaded = setup::load_config(g.config.as_deref())?;
    let gaz = Arc::new(setup::gazetteer(&loaded)?);
    let text = if a.text == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .context("reading stdin")?;
        s
    } else {
        a.text.clone()
    };
    let mut geocoder = enrich::geocode::Geocoder::new(gaz);
    if let Some(m) = a.min_score.or(loaded.config.enrich.min_location_score) {
        geocoder = geocoder.with_min_score(m);
    }
    let geo = geocoder.geocode_report(
        &text,
        a.title.as_deref(),
        a.source.as_deref(),
        a.url.as_deref(),
    );
    if a.json {
        let v = serde_json::json!({"locations": geo.locations, "focus": geo.focus});
        println!("{}", serde_json::to_string_pretty(&v)?);
        return Ok(());
    }
    if geo.locations.is_empty() {
        // The focus may still come from the actors or outlets named ("M23 rebels attacked").
        println!("no places found");
    } else {
        println!(
            "{:<24} {:>5}-{:<5} {:<8} {:<2} {:<10} {:<22} {:>9} {:>10} {:>5}",
            "name", "start", "end", "level", "cc", "admin1", "admin1 name", "lat", "lon", "score"
        );
    }
    for l in &geo.locations {
        println!(
            "{:<24} {:>5}-{:<5} {:<8} {:<2} {:<10} {:<22} {:>9.4} {:>10.4} {:>5.2}",
            truncate(&l.name, 24),
            l.start,
            l.end,
            format!("{:?}", l.level).to_lowercase(),
            l.country,
            l.admin1.as_deref().unwrap_or("-"),
            truncate(l.admin1_name.as_deref().unwrap_or("-"), 22),
            l.lat,
            l.lon,
            l.score
        );
    }
    match &geo.focus {
        Some(f) => println!(
            "focus: {} ({}, {})",
            f.name,
            f.admin1_name.as_deref().unwrap_or("-"),
            f.country
        ),
        None => println!("focus: none"),
    }
    Ok(())
}

fn truncate(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_owned()
    } else {
        let mut t: String = s.chars().take(n - 1).collect();
        t.push('…');
        t
    }
}

/// Validates a configuration file and what it refers to (lexicons, gazetteer, rule kinds).
fn check_config(file: &std::path::Path) -> anyhow::Result<()> {
    let loaded = setup::load_config(Some(file))?;
    let lex = setup::lexicons(&loaded)?;
    let kinds = enrich::extract::Extractor::new(&lex).kinds();
    setup::check_rule_kinds(&loaded.config, &kinds)?;
    if let Some(p) = &loaded.config.enrich.gazetteer {
        let p = loaded.resolve(p);
        if !p.is_file() {
            return Err(UsageError(format!(
                "{}: enrich.gazetteer: {} does not exist",
                file.display(),
                p.display()
            ))
            .into());
        }
    }
    let cfg = &loaded.config;
    let brokers = if cfg.kafka.brokers.is_empty() {
        "embedded".to_owned()
    } else {
        cfg.kafka.brokers.clone()
    };
    println!("{}: ok", file.display());
    println!("  brokers: {brokers}");
    println!(
        "  topics: reports={} indicators={} alerts={} dlq={}",
        cfg.kafka.topics.reports,
        cfg.kafka.topics.indicators,
        cfg.kafka.topics.alerts,
        cfg.kafka.topics.dlq
    );
    for (k, v) in &cfg.kafka.properties {
        println!("  kafka.properties.{k} = {}", redact(k, v));
    }
    for (k, source) in &cfg.kafka.secrets {
        // Only where the secret comes from, and whether it can be read there.
        let readable = match config::SecretSource::parse(source).map(|s| s.read()) {
            Some(Ok(_)) => "readable".to_owned(),
            Some(Err(e)) => format!("NOT readable: {e}"),
            None => "invalid source".to_owned(),
        };
        println!("  kafka.secrets.{k} = <secret from {source}: {readable}>");
    }
    println!(
        "  lexicons: {} ({} phrases)",
        lex.langs().join(", "),
        setup::lexicon_entries(&lex)
    );
    println!("  indicator kinds: {}", kinds.len());
    for r in &cfg.rules {
        println!(
            "  rule {}: {:?} >= {} over {}",
            r.name, r.rule_type, r.threshold, r.window
        );
    }
    Ok(())
}

/// Hides the values of secret-looking properties.
pub fn redact<'a>(key: &str, value: &'a str) -> &'a str {
    let k = key.to_ascii_lowercase();
    if ["password", "secret", "key", "token", "jaas"]
        .iter()
        .any(|s| k.contains(s))
        && !k.ends_with(".location")
    {
        "<redacted>"
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted() {
        assert_eq!(redact("sasl.password", "hunter2"), "<redacted>");
        assert_eq!(redact("ssl.key.password", "x"), "<redacted>");
        assert_eq!(redact("ssl.key.location", "/etc/k.pem"), "/etc/k.pem");
        assert_eq!(redact("security.protocol", "SASL_SSL"), "SASL_SSL");
    }
}
