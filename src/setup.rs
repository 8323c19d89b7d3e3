//! Building the stages from configuration: decoder, lexicons, gazetteer, enricher, alert engine.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::Context as _;
use config::Loaded;
use enrich::gazetteer::Gazetteer;
use enrich::lexicon::Lexicons;
use enrich::Enricher;
use ingest::{Decoder, FieldMap, Limits};

/// An error the user must fix (usage or configuration): exit code 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Loads the configuration named on the command line (or the built-in one) with environment
/// overrides.
pub fn load_config(path: Option<&Path>) -> anyhow::Result<Loaded> {
    config::load(path, std::env::vars()).map_err(|e| UsageError(e.to_string()).into())
}

/// The report decoder configured by `[ingest]`.
pub fn decoder(cfg: &config::Config) -> Decoder {
    let i = &cfg.ingest;
    let f = &i.fields;
    Decoder::new(
        Limits {
            max_message_bytes: i.max_message_bytes,
            max_text_bytes: i.max_text_bytes,
            max_id_bytes: i.max_id_bytes,
            max_field_bytes: i.max_field_bytes,
            max_depth: i.max_depth,
            min_published_at: i.min_published_at,
            max_future_skew: i.max_future_skew.as_chrono(),
        },
        FieldMap {
            id: f.id.clone(),
            text: f.text.clone(),
            published_at: f.published_at.clone(),
            title: f.title.clone(),
            source: f.source.clone(),
            url: f.url.clone(),
            lang: f.lang.clone(),
        },
    )
}

/// Where built artifacts (the built-in gazetteer index) are cached.
pub fn cache_dir() -> PathBuf {
    if let Some(d) = std::env::var_os("TOCSIN_CACHE_DIR") {
        return PathBuf::from(d);
    }
    if let Some(d) = std::env::var_os("XDG_CACHE_HOME") {
        return PathBuf::from(d).join("tocsin");
    }
    if let Some(h) = std::env::var_os("HOME") {
        return PathBuf::from(h).join(".cache").join("tocsin");
    }
    std::env::temp_dir().join("tocsin-cache")
}

/// Loads the lexicons named by `enrich.lexicons` (or the built-in ones).
pub fn lexicons(loaded: &Loaded) -> anyhow::Result<Lexicons> {
    match &loaded.config.enrich.lexicons {
        Some(dir) => {
            let dir = loaded.resolve(dir);
            Lexicons::load_dir(&dir).map_err(|e| UsageError(e.to_string()).into())
        }
        None => Lexicons::builtin().context("loading the built-in lexicons"),
    }
}

/// Loads the gazetteer named by `enrich.gazetteer` (or the built-in one, built once and cached).
pub fn gazetteer(loaded: &Loaded) -> anyhow::Result<Gazetteer> {
    let started = Instant::now();
    let g = match &loaded.config.enrich.gazetteer {
        Some(p) => {
            let p = loaded.resolve(p);
            Gazetteer::load(&p).map_err(|e| UsageError(e.to_string()))?
        }
        None => {
            let dir = cache_dir();
            Gazetteer::load_or_build_builtin(&dir).with_context(|| {
                format!("loading the built-in gazetteer (cache {})", dir.display())
            })?
        }
    };
    tracing::debug!(
        elapsed_ms = started.elapsed().as_millis() as u64,
        "gazetteer loaded"
    );
    Ok(g)
}

/// Number of phrases in the loaded lexicons, for metrics.
pub fn lexicon_entries(lex: &Lexicons) -> usize {
    lex.langs()
        .iter()
        .filter_map(|l| lex.get(l))
        .map(|l| l.matcher.phrase_info.len())
        .sum()
}

/// The enrich stage.
pub fn enricher(loaded: &Loaded) -> anyhow::Result<Enricher> {
    enricher_with(loaded, |_| {})
}

/// The enrich stage; `inspect` sees the lexicons before they are compiled in.
pub fn enricher_with(loaded: &Loaded, inspect: impl FnOnce(&Lexicons)) -> anyhow::Result<Enricher> {
    let lex = lexicons(loaded)?;
    inspect(&lex);
    let gaz = gazetteer(loaded)?;
    let mut enricher = Enricher::new(&lex, Arc::new(gaz));
    if let Some(m) = loaded.config.enrich.min_location_score {
        enricher = enricher.with_min_location_score(m);
    }
    check_rule_kinds(&loaded.config, &enricher.kinds())?;
    Ok(enricher)
}

/// Rules must name kinds that the lexicons produce, or they could never fire.
pub fn check_rule_kinds(cfg: &config::Config, kinds: &[String]) -> anyhow::Result<()> {
    if kinds.is_empty() {
        return Ok(());
    }
    let mut problems = Vec::new();
    for r in &cfg.rules {
        for k in &r.kinds {
            if !kinds.iter().any(|x| x == k) {
                problems.push(format!(
                    "rule {:?}: kind {k:?} is not produced by the lexicons (known: {})",
                    r.name,
                    kinds.join(", ")
                ));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(UsageError(problems.join("\n")).into())
    }
}

/// The alerting stage.
pub fn engine(cfg: &config::Config) -> anyhow::Result<alerting::Engine> {
    alerting::Engine::new(&cfg.alerting, &cfg.rules).map_err(|e| UsageError(e.to_string()).into())
}
