//! The configuration schema. Every field has a doc comment: they are the configuration reference.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{Dur, Rule};

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Kafka connection, topics and client properties.
    #[serde(default)]
    pub kafka: KafkaConfig,
    /// Input decoding: limits and field mapping.
    #[serde(default)]
    pub ingest: IngestConfig,
    /// Indicator extraction and geocoding.
    #[serde(default)]
    pub enrich: EnrichConfig,
    /// Event-time windows and the alert lifecycle.
    #[serde(default)]
    pub alerting: AlertingConfig,
    /// The alert rules, evaluated per region.
    #[serde(default = "crate::rules::default_rules")]
    pub rules: Vec<Rule>,
    /// The continuous service (`tocsin run`).
    #[serde(default)]
    pub run: RunConfig,
    /// The HTTP listener for `/metrics`, `/healthz` and `/readyz`.
    #[serde(default)]
    pub metrics: MetricsConfig,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            kafka: KafkaConfig::default(),
            ingest: IngestConfig::default(),
            enrich: EnrichConfig::default(),
            alerting: AlertingConfig::default(),
            rules: crate::rules::default_rules(),
            run: RunConfig::default(),
            metrics: MetricsConfig::default(),
        }
    }
}

/// `[kafka]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KafkaConfig {
    /// Bootstrap servers, comma separated. Empty: `tocsin run` starts an embedded broker (librdkafka's
    /// in-memory mock cluster; for demos and tests, not production).
    #[serde(default)]
    pub brokers: String,
    /// Consumer group of the stages; enrich uses `<group_id>-enrich`, alerting `<group_id>-alert`.
    #[serde(default = "default_group_id")]
    pub group_id: String,
    /// Client id sent to the brokers.
    #[serde(default = "default_client_id")]
    pub client_id: String,
    /// Create missing topics at start.
    #[serde(default = "yes")]
    pub create_topics: bool,
    /// Partitions of topics that tocsin creates.
    #[serde(default = "default_partitions")]
    pub partitions: i32,
    /// Replication factor of topics that tocsin creates.
    #[serde(default = "default_replication")]
    pub replication_factor: i32,
    /// Topic names.
    #[serde(default)]
    pub topics: Topics,
    /// librdkafka properties passed through to every client (TLS, SASL, tuning), e.g.
    /// `"security.protocol" = "SASL_SSL"`. They override tocsin's own settings, such as the
    /// consumers' prefetch cap `queued.max.messages.kbytes = 16384` (16 MB; librdkafka's default
    /// is 64 MB).
    #[serde(default)]
    pub properties: BTreeMap<String, String>,
    /// librdkafka properties whose values are secrets, read when the clients are created: from an
    /// environment variable (`"sasl.password" = "env:KAFKA_PASSWORD"`) or from a file, without its
    /// trailing newline (`"sasl.password" = "file:/run/secrets/kafka-password"`). Their values never
    /// appear in logs or in `tocsin check-config` output.
    #[serde(default)]
    pub secrets: BTreeMap<String, String>,
}

impl Default for KafkaConfig {
    fn default() -> Self {
        KafkaConfig {
            brokers: String::new(),
            group_id: default_group_id(),
            client_id: default_client_id(),
            create_topics: true,
            partitions: default_partitions(),
            replication_factor: default_replication(),
            topics: Topics::default(),
            properties: BTreeMap::new(),
            secrets: BTreeMap::new(),
        }
    }
}

fn default_group_id() -> String {
    "tocsin".into()
}
fn default_client_id() -> String {
    "tocsin".into()
}
fn yes() -> bool {
    true
}
fn default_partitions() -> i32 {
    3
}
fn default_replication() -> i32 {
    1
}

/// `[kafka.topics]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Topics {
    /// Input reports.
    #[serde(default = "t_reports")]
    pub reports: String,
    /// Indicators, keyed by region id (the alerting stage's input).
    #[serde(default = "t_indicators")]
    pub indicators: String,
    /// Alerts, keyed by region id.
    #[serde(default = "t_alerts")]
    pub alerts: String,
    /// Dead letters: rejected input with its reason and original bytes.
    #[serde(default = "t_dlq")]
    pub dlq: String,
    /// Checkpoints of the alerting stage (compacted; one key per input partition).
    #[serde(default = "t_checkpoints")]
    pub checkpoints: String,
}

impl Default for Topics {
    fn default() -> Self {
        Topics {
            reports: t_reports(),
            indicators: t_indicators(),
            alerts: t_alerts(),
            dlq: t_dlq(),
            checkpoints: t_checkpoints(),
        }
    }
}

fn t_reports() -> String {
    "reports".into()
}
fn t_indicators() -> String {
    "indicators".into()
}
fn t_alerts() -> String {
    "alerts".into()
}
fn t_dlq() -> String {
    "reports.dlq".into()
}
fn t_checkpoints() -> String {
    "tocsin.checkpoints".into()
}

/// `[ingest]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IngestConfig {
    /// Largest accepted message, in bytes.
    #[serde(default = "d_max_message")]
    pub max_message_bytes: usize,
    /// Largest accepted report `text`, in bytes.
    #[serde(default = "d_max_text")]
    pub max_text_bytes: usize,
    /// Largest accepted `id`, in bytes.
    #[serde(default = "d_max_id")]
    pub max_id_bytes: usize,
    /// Largest accepted value of the other string fields, in bytes.
    #[serde(default = "d_max_field")]
    pub max_field_bytes: usize,
    /// Deepest accepted JSON nesting.
    #[serde(default = "d_max_depth")]
    pub max_depth: usize,
    /// Earliest accepted `published_at`.
    #[serde(default = "d_min_published")]
    pub min_published_at: DateTime<Utc>,
    /// How far in the future (by the wall clock) a live report's `published_at` may be. Not applied in
    /// replay, whose outcome depends on the input alone.
    #[serde(default = "d_future_skew")]
    pub max_future_skew: Dur,
    /// Most bytes of an original message kept in a dead-letter record.
    #[serde(default = "d_max_message")]
    pub dlq_max_payload_bytes: usize,
    /// Where each report field is found in input JSON (JSON pointers), for feeds with other names.
    #[serde(default)]
    pub fields: FieldsConfig,
}

impl Default for IngestConfig {
    fn default() -> Self {
        IngestConfig {
            max_message_bytes: d_max_message(),
            max_text_bytes: d_max_text(),
            max_id_bytes: d_max_id(),
            max_field_bytes: d_max_field(),
            max_depth: d_max_depth(),
            min_published_at: d_min_published(),
            max_future_skew: d_future_skew(),
            dlq_max_payload_bytes: d_max_message(),
            fields: FieldsConfig::default(),
        }
    }
}

fn d_max_message() -> usize {
    1 << 20
}
fn d_max_text() -> usize {
    512 << 10
}
fn d_max_id() -> usize {
    256
}
fn d_max_field() -> usize {
    4096
}
fn d_max_depth() -> usize {
    32
}
fn d_min_published() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("1900-01-01T00:00:00Z")
        .expect("constant")
        .with_timezone(&Utc)
}
fn d_future_skew() -> Dur {
    Dur::hours(24)
}

/// `[ingest.fields]`: JSON pointers (RFC 6901). An empty pointer disables an optional field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FieldsConfig {
    /// The report's unique id (required; a JSON string).
    #[serde(default = "p_id")]
    pub id: String,
    /// The report's text (required).
    #[serde(default = "p_text")]
    pub text: String,
    /// The event time, RFC 3339 (required).
    #[serde(default = "p_published_at")]
    pub published_at: String,
    /// The headline (optional).
    #[serde(default = "p_title")]
    pub title: String,
    /// The outlet or feed (optional; rules count distinct sources).
    #[serde(default = "p_source")]
    pub source: String,
    /// The report's address (optional).
    #[serde(default = "p_url")]
    pub url: String,
    /// The language, ISO 639-1 (optional; detected when missing).
    #[serde(default = "p_lang")]
    pub lang: String,
}

impl Default for FieldsConfig {
    fn default() -> Self {
        FieldsConfig {
            id: p_id(),
            text: p_text(),
            published_at: p_published_at(),
            title: p_title(),
            source: p_source(),
            url: p_url(),
            lang: p_lang(),
        }
    }
}

fn p_id() -> String {
    "/id".into()
}
fn p_text() -> String {
    "/text".into()
}
fn p_published_at() -> String {
    "/published_at".into()
}
fn p_title() -> String {
    "/title".into()
}
fn p_source() -> String {
    "/source".into()
}
fn p_url() -> String {
    "/url".into()
}
fn p_lang() -> String {
    "/lang".into()
}

/// `[enrich]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct EnrichConfig {
    /// Folder of lexicon files (`<lang>.toml`), relative to this file. Empty: the built-in lexicons.
    #[serde(default)]
    pub lexicons: Option<PathBuf>,
    /// Gazetteer index file (built by `tocsin gazetteer build`), relative to this file. Empty: the
    /// built-in gazetteer (the committed index of the GeoNames cities500 extract, cached on first
    /// use). A `.gz` file is read compressed.
    #[serde(default)]
    pub gazetteer: Option<PathBuf>,
    /// Language assumed for reports without `lang` when detection is unsure.
    #[serde(default)]
    pub default_lang: Option<String>,
    /// Least score (0 to 1) of a location listed in an enriched report. Unsure readings still
    /// weigh in the choice of the others and of the focus, which is listed whatever its score.
    /// Empty: 0.5 (see `docs/quality.md`); 0 lists every place found.
    #[serde(default)]
    pub min_location_score: Option<f64>,
}

/// `[alerting]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertingConfig {
    /// How far behind the latest event time an indicator may arrive and still be counted. Later
    /// indicators go to the dead-letter output with reason `late_indicator`.
    #[serde(default = "d_lateness")]
    pub allowed_lateness: Dur,
    /// Window slide: windows are evaluated on this grid of event time.
    #[serde(default = "d_hop")]
    pub hop: Dur,
    /// An open alert with no new evidence for this long (event time) is resolved.
    #[serde(default = "d_quiet")]
    pub quiet_period: Dur,
    /// Least event time between two `updated` emissions of one alert (escalations are not held back).
    #[serde(default = "d_update_interval")]
    pub update_interval: Dur,
    /// Most evidence items carried by one alert.
    #[serde(default = "d_max_evidence")]
    pub max_evidence: usize,
    /// With no input for this long (wall clock), the live service treats all data seen as complete
    /// and advances the watermark to the latest event time, so sparse streams still alert and resolve.
    #[serde(default = "d_idle")]
    pub idle_timeout: Dur,
}

impl Default for AlertingConfig {
    fn default() -> Self {
        AlertingConfig {
            allowed_lateness: d_lateness(),
            hop: d_hop(),
            quiet_period: d_quiet(),
            update_interval: d_update_interval(),
            max_evidence: d_max_evidence(),
            idle_timeout: d_idle(),
        }
    }
}

fn d_lateness() -> Dur {
    Dur::hours(48)
}
fn d_hop() -> Dur {
    Dur::hours(1)
}
fn d_quiet() -> Dur {
    Dur::hours(72)
}
fn d_update_interval() -> Dur {
    Dur::hours(1)
}
fn d_max_evidence() -> usize {
    20
}
fn d_idle() -> Dur {
    Dur::secs(5)
}

/// `[run]`
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunConfig {
    /// Which stages this process runs: `both`, `enrich` or `alert`.
    #[serde(default = "d_stage")]
    pub stage: String,
    /// Capacity of the bounded queues between the Kafka edges and the stages.
    #[serde(default = "d_queue")]
    pub queue_capacity: usize,
    /// Most produced-but-unacknowledged messages before input is paused.
    #[serde(default = "d_in_flight")]
    pub max_in_flight: usize,
    /// Deadline for a graceful shutdown (drain, flush, checkpoint, commit) after SIGTERM/SIGINT.
    #[serde(default = "d_shutdown")]
    pub shutdown_timeout: Dur,
    /// How often (wall clock) the alerting stage checkpoints its state and commits its input
    /// offsets. Input since the last checkpoint is re-read after a crash.
    #[serde(default = "d_checkpoint")]
    pub checkpoint_interval: Dur,
}

impl Default for RunConfig {
    fn default() -> Self {
        RunConfig {
            stage: d_stage(),
            queue_capacity: d_queue(),
            max_in_flight: d_in_flight(),
            shutdown_timeout: d_shutdown(),
            checkpoint_interval: d_checkpoint(),
        }
    }
}

fn d_stage() -> String {
    "both".into()
}
fn d_queue() -> usize {
    1024
}
fn d_in_flight() -> usize {
    10_000
}
fn d_shutdown() -> Dur {
    Dur::secs(30)
}
fn d_checkpoint() -> Dur {
    Dur::secs(10)
}

/// `[metrics]`
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsConfig {
    /// Listen address of the HTTP endpoints; loopback by default. Empty: disabled.
    #[serde(default = "d_metrics_addr")]
    pub addr: String,
}

impl Default for MetricsConfig {
    fn default() -> Self {
        MetricsConfig {
            addr: d_metrics_addr(),
        }
    }
}

fn d_metrics_addr() -> String {
    "127.0.0.1:9464".into()
}

impl Config {
    /// Checks values that types alone cannot. Returns `(key path, message)` for every problem.
    pub fn validate(&self) -> Vec<(String, String)> {
        let mut p = Vec::new();
        let mut bad = |path: &str, msg: String| p.push((path.to_owned(), msg));

        let k = &self.kafka;
        if k.group_id.trim().is_empty() {
            bad("kafka.group_id", "must not be empty".into());
        }
        if k.partitions < 1 {
            bad(
                "kafka.partitions",
                format!("must be at least 1, not {}", k.partitions),
            );
        }
        if k.replication_factor < 1 {
            bad(
                "kafka.replication_factor",
                format!("must be at least 1, not {}", k.replication_factor),
            );
        }
        let t = &k.topics;
        let names = [
            ("reports", &t.reports),
            ("indicators", &t.indicators),
            ("alerts", &t.alerts),
            ("dlq", &t.dlq),
            ("checkpoints", &t.checkpoints),
        ];
        let mut seen = BTreeSet::new();
        for (key, name) in names {
            if !valid_topic(name) {
                bad(
                    &format!("kafka.topics.{key}"),
                    format!("{name:?} is not a valid topic name (1-249 of a-z A-Z 0-9 . _ -)"),
                );
            } else if !seen.insert(name.as_str()) {
                bad(
                    &format!("kafka.topics.{key}"),
                    format!("topic {name:?} is used twice"),
                );
            }
        }
        for key in k.properties.keys() {
            if matches!(
                key.as_str(),
                "bootstrap.servers" | "group.id" | "enable.auto.offset.store"
            ) {
                bad(
                    &format!("kafka.properties.{}", crate::error::key_segment(key)),
                    "is set by tocsin itself; use the [kafka] settings instead".into(),
                );
            }
        }

        for (key, source) in &k.secrets {
            if k.properties.contains_key(key) {
                bad(
                    &format!("kafka.secrets.{}", crate::error::key_segment(key)),
                    "is also set in [kafka.properties]; set it in one place".into(),
                );
            }
            match SecretSource::parse(source) {
                Some(SecretSource::Env(name)) if name.is_empty() => bad(
                    &format!("kafka.secrets.{}", crate::error::key_segment(key)),
                    "`env:` needs a variable name".into(),
                ),
                Some(SecretSource::File(path)) if path.as_os_str().is_empty() => bad(
                    &format!("kafka.secrets.{}", crate::error::key_segment(key)),
                    "`file:` needs a path".into(),
                ),
                Some(_) => {}
                None => bad(
                    &format!("kafka.secrets.{}", crate::error::key_segment(key)),
                    "must be `env:VARIABLE` or `file:/path/to/secret`".into(),
                ),
            }
        }

        let i = &self.ingest;
        for (key, v) in [
            ("max_message_bytes", i.max_message_bytes),
            ("max_text_bytes", i.max_text_bytes),
            ("max_id_bytes", i.max_id_bytes),
            ("max_field_bytes", i.max_field_bytes),
            ("max_depth", i.max_depth),
            ("dlq_max_payload_bytes", i.dlq_max_payload_bytes),
        ] {
            if v == 0 {
                bad(&format!("ingest.{key}"), "must be greater than 0".into());
            }
        }
        let f = &i.fields;
        for (key, ptr, required) in [
            ("id", &f.id, true),
            ("text", &f.text, true),
            ("published_at", &f.published_at, true),
            ("title", &f.title, false),
            ("source", &f.source, false),
            ("url", &f.url, false),
            ("lang", &f.lang, false),
        ] {
            if (required || !ptr.is_empty()) && !ptr.starts_with('/') {
                bad(
                    &format!("ingest.fields.{key}"),
                    format!("{ptr:?} is not a JSON pointer (it must start with `/`)"),
                );
            }
        }

        if let Some(l) = &self.enrich.default_lang {
            if l.len() != 2 || !l.chars().all(|c| c.is_ascii_lowercase()) {
                bad(
                    "enrich.default_lang",
                    format!("{l:?} is not an ISO 639-1 code such as \"en\""),
                );
            }
        }

        if let Some(m) = self.enrich.min_location_score {
            if !(0.0..=1.0).contains(&m) {
                bad(
                    "enrich.min_location_score",
                    format!("must be between 0 and 1, not {m}"),
                );
            }
        }

        let a = &self.alerting;
        if a.hop.is_zero() {
            bad("alerting.hop", "must be greater than 0".into());
        }
        if a.quiet_period.is_zero() {
            bad("alerting.quiet_period", "must be greater than 0".into());
        }
        if a.max_evidence == 0 {
            bad("alerting.max_evidence", "must be greater than 0".into());
        }
        if a.idle_timeout.is_zero() {
            bad("alerting.idle_timeout", "must be greater than 0".into());
        }
        if let Some(shortest) = self
            .rules
            .iter()
            .map(|r| r.window)
            .filter(|w| !w.is_zero())
            .min()
        {
            if a.hop > shortest {
                bad(
                    "alerting.hop",
                    format!("must not be longer than the shortest rule window ({shortest})"),
                );
            }
        }

        if !matches!(self.run.stage.as_str(), "both" | "enrich" | "alert") {
            bad(
                "run.stage",
                format!(
                    "{:?} is not one of \"both\", \"enrich\", \"alert\"",
                    self.run.stage
                ),
            );
        }
        if self.run.queue_capacity == 0 {
            bad("run.queue_capacity", "must be greater than 0".into());
        }
        if self.run.checkpoint_interval.is_zero() {
            bad("run.checkpoint_interval", "must be greater than 0".into());
        }
        if self.run.max_in_flight == 0 {
            bad("run.max_in_flight", "must be greater than 0".into());
        }

        crate::rules::validate(&self.rules, &mut bad);
        p
    }
}

fn valid_topic(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 249
        && name != "."
        && name != ".."
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
}

/// Where the value of a `[kafka.secrets]` property comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecretSource {
    /// An environment variable.
    Env(String),
    /// A file (its content without the trailing newline).
    File(PathBuf),
}

impl SecretSource {
    /// `env:NAME` or `file:PATH`.
    pub fn parse(s: &str) -> Option<SecretSource> {
        if let Some(name) = s.strip_prefix("env:") {
            Some(SecretSource::Env(name.to_owned()))
        } else {
            s.strip_prefix("file:")
                .map(|p| SecretSource::File(PathBuf::from(p)))
        }
    }

    /// Reads the secret; the error names the source, never the value.
    pub fn read(&self) -> Result<String, String> {
        match self {
            SecretSource::Env(name) => std::env::var(name)
                .map_err(|_| format!("environment variable {name} is not set (or not UTF-8)")),
            SecretSource::File(path) => std::fs::read_to_string(path)
                .map(|s| s.trim_end_matches(['\n', '\r']).to_owned())
                .map_err(|e| format!("cannot read {}: {e}", path.display())),
        }
    }
}
