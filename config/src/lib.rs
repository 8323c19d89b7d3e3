//! tocsin's configuration, read by every stage: `tocsin.toml` → **config** → ingest, enrich, alerting,
//! and the binary's Kafka bus.
//!
//! The schema is plain serde structs with `deny_unknown_fields`, defaults as named functions and a doc
//! comment on every field (the configuration reference in `docs/configuration.md` mirrors them).
//! [`load`] reads a file, overlays `TOCSIN_<SECTION>__<KEY>` environment variables, deserialises, then
//! validates the whole document and reports **every** problem with its file, line and column.
//!
//! The operator-editable defaults live beside this crate: `config/tocsin.toml` (the documented default
//! configuration, also compiled in as [`DEFAULT_TOML`]) and `config/lexicons/*.toml`.

mod duration;
mod error;
pub mod reference;
mod rules;
mod schema;

pub use duration::Dur;
pub use error::{ConfigError, ConfigErrors};
pub use rules::{CountOf, Measure, Rule, RuleType, SurgeOf};
pub use schema::*;

use std::path::{Path, PathBuf};

/// The documented default configuration, compiled into the binary.
pub const DEFAULT_TOML: &str = include_str!("../tocsin.toml");

/// A loaded configuration and where it came from.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: Config,
    /// The file it was read from (`None` for the built-in default).
    pub path: Option<PathBuf>,
}

impl Loaded {
    /// Resolves a path written in the config relative to the config file's folder.
    pub fn resolve(&self, p: &Path) -> PathBuf {
        match &self.path {
            Some(file) if p.is_relative() => file
                .parent()
                .map(|d| d.join(p))
                .unwrap_or_else(|| p.to_path_buf()),
            _ => p.to_path_buf(),
        }
    }
}

/// Loads `path` (or the built-in default when `None`), applies environment overrides from `env`
/// (pass `std::env::vars()`), and validates.
pub fn load(
    path: Option<&Path>,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Loaded, ConfigErrors> {
    let (name, src) = match path {
        Some(p) => {
            let src = std::fs::read_to_string(p).map_err(|e| {
                ConfigErrors::single(ConfigError::io(p.display().to_string(), e.to_string()))
            })?;
            (p.display().to_string(), src)
        }
        None => ("<built-in tocsin.toml>".to_owned(), DEFAULT_TOML.to_owned()),
    };
    let config = parse(&name, &src, env)?;
    Ok(Loaded {
        config,
        path: path.map(Path::to_path_buf),
    })
}

/// Parses and validates configuration text. `name` is used in error messages.
pub fn parse(
    name: &str,
    src: &str,
    env: impl IntoIterator<Item = (String, String)>,
) -> Result<Config, ConfigErrors> {
    let mut table: toml::Table = toml::from_str(src)
        .map_err(|e| ConfigErrors::single(ConfigError::from_toml(name, src, &e)))?;
    let overridden = error::apply_env(&mut table, env).map_err(ConfigErrors::from_vec)?;
    let config: Config = if overridden {
        // Re-serialise so that deserialisation errors from environment values are still reported.
        let text = toml::to_string(&table).map_err(|e| {
            ConfigErrors::single(ConfigError::plain(
                name,
                format!("environment overrides: {e}"),
            ))
        })?;
        toml::from_str(&text).map_err(|e| {
            ConfigErrors::single(ConfigError::plain(
                name,
                format!("after environment overrides: {}", e.message()),
            ))
        })?
    } else {
        toml::from_str(src)
            .map_err(|e| ConfigErrors::single(ConfigError::from_toml(name, src, &e)))?
    };
    let problems = config.validate();
    if problems.is_empty() {
        Ok(config)
    } else {
        Err(ConfigErrors::from_vec(
            problems
                .into_iter()
                .map(|(path, msg)| ConfigError::at_path(name, src, &path, msg))
                .collect(),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_env() -> Vec<(String, String)> {
        Vec::new()
    }

    #[test]
    fn secrets_name_their_source_and_are_validated() {
        let src = "[kafka.properties]\n\"sasl.username\" = \"u\"\n\"sasl.password\" = \"x\"\n\
                   [kafka.secrets]\n\"sasl.password\" = \"env:PW\"\n\"ssl.key.password\" = \"vault:x\"\n\
                   \"sasl.oauthbearer.client.secret\" = \"env:\"\n";
        let errs = parse("t.toml", src, no_env()).unwrap_err().to_string();
        assert!(errs.contains("t.toml:5:"), "{errs}");
        assert!(errs.contains("also set in [kafka.properties]"), "{errs}");
        assert!(
            errs.contains("t.toml:6:") && errs.contains("env:VARIABLE"),
            "{errs}"
        );
        assert!(
            errs.contains("t.toml:7:") && errs.contains("needs a variable"),
            "{errs}"
        );

        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("pw");
        std::fs::write(&file, "s3cret\n").unwrap();
        let f = SecretSource::parse(&format!("file:{}", file.display())).unwrap();
        assert_eq!(f.read().unwrap(), "s3cret");
        let missing = SecretSource::parse("env:TOCSIN_NO_SUCH_VARIABLE_SET").unwrap();
        let e = missing.read().unwrap_err();
        assert!(e.contains("TOCSIN_NO_SUCH_VARIABLE_SET"), "{e}");
    }

    #[test]
    fn the_default_config_is_valid() {
        let c = parse("default", DEFAULT_TOML, no_env()).unwrap();
        assert!(
            c.kafka.brokers.is_empty(),
            "default runs on the embedded broker"
        );
        assert!(!c.rules.is_empty());
    }

    #[test]
    fn unknown_keys_are_reported_with_line_and_column() {
        let src = "[kafka]\nbrokers = \"a:1\"\ngroup = \"x\"\n";
        let e = parse("t.toml", src, no_env()).unwrap_err();
        let text = e.to_string();
        assert!(text.contains("t.toml:3:1"), "{text}");
        assert!(text.contains("group"), "{text}");
    }

    #[test]
    fn all_validation_errors_are_collected_with_locations() {
        let src = r#"
[ingest]
max_message_bytes = 0

[[rules]]
name = "a"
type = "count"
window = "24h"
threshold = 0

[[rules]]
name = "a"
type = "sum"
window = "0s"
threshold = 10
"#;
        let e = parse("r.toml", src, no_env()).unwrap_err();
        let text = e.to_string();
        assert!(e.len() >= 4, "{text}");
        assert!(text.contains("r.toml:3:"), "{text}");
        assert!(text.contains("r.toml:9:"), "threshold of rule 0: {text}");
        assert!(text.contains("duplicate rule name"), "{text}");
        assert!(text.contains("r.toml:14:"), "window of rule 1: {text}");
    }

    #[test]
    fn min_location_score_is_a_share() {
        let e = parse("e.toml", "[enrich]\nmin_location_score = 1.5\n", no_env())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("e.toml:2:") && e.contains("between 0 and 1"),
            "{e}"
        );
        let c = parse("e.toml", "[enrich]\nmin_location_score = 0\n", no_env()).unwrap();
        assert_eq!(c.enrich.min_location_score, Some(0.0));
    }

    #[test]
    fn bad_durations_name_the_field() {
        let src = "[alerting]\nallowed_lateness = \"soon\"\n";
        let e = parse("d.toml", src, no_env()).unwrap_err().to_string();
        assert!(e.contains("d.toml:2:"), "{e}");
        assert!(e.contains("soon"), "{e}");
    }

    #[test]
    fn environment_overrides_win_and_are_typed() {
        let env = vec![
            (
                "TOCSIN_KAFKA__BROKERS".to_owned(),
                "k1:9092,k2:9092".to_owned(),
            ),
            ("TOCSIN_KAFKA__CREATE_TOPICS".to_owned(), "false".to_owned()),
            ("TOCSIN_INGEST__MAX_DEPTH".to_owned(), "7".to_owned()),
            ("UNRELATED".to_owned(), "1".to_owned()),
        ];
        let c = parse("default", DEFAULT_TOML, env).unwrap();
        assert_eq!(c.kafka.brokers, "k1:9092,k2:9092");
        assert!(!c.kafka.create_topics);
        assert_eq!(c.ingest.max_depth, 7);
    }

    #[test]
    fn unknown_environment_sections_are_errors() {
        let env = vec![("TOCSIN_KAFKAA__BROKERS".to_owned(), "x".to_owned())];
        let e = parse("default", DEFAULT_TOML, env).unwrap_err().to_string();
        assert!(e.contains("TOCSIN_KAFKAA__BROKERS"), "{e}");
    }

    #[test]
    fn relative_paths_resolve_against_the_config_file() {
        let l = Loaded {
            config: parse("d", DEFAULT_TOML, no_env()).unwrap(),
            path: Some(PathBuf::from("/etc/tocsin/tocsin.toml")),
        };
        assert_eq!(
            l.resolve(Path::new("lexicons")),
            PathBuf::from("/etc/tocsin/lexicons")
        );
        assert_eq!(l.resolve(Path::new("/x")), PathBuf::from("/x"));
    }
}
