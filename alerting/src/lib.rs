//! The alerting stage of tocsin's flow: `indicators` topic → **alerting** → `alerts` topic.
//!
//! The [`Engine`] counts [`enrich::IndicatorRecord`]s per region in sliding event-time windows (one
//! per rule and region, of the rule's length, evaluated on the `alerting.hop` grid: the value at
//! event time `t` covers `(end - window, end]` with `end` = `t` rounded up to the grid), applies the
//! rules of [`config::Rule`] (`count`, `sum`, `surge` over the region's own baseline, `composite`;
//! see [`rule`]) and drives one alert per (rule, region) through `new` → `updated` / `escalated` →
//! `resolved` (see [`engine`]). A report is counted once however many records, syndicated copies or
//! redeliveries it comes in ([`window`]).
//!
//! Everything is pure and synchronous and driven by event time only, so replaying a file and
//! consuming the same records from several Kafka partitions in any interleaving emit the same set of
//! (alert id, version, content). The state is checkpointed with [`Engine::snapshot`] and
//! [`Engine::restore`]. [`render`] turns alerts into CAP 1.2 XML and GeoJSON; [`backtest`] scores
//! alerts against episodes of violence.

pub mod backtest;
pub mod engine;
mod model;
pub mod render;
pub mod rule;
pub mod time;
pub mod window;

pub use engine::{sort_emissions, Engine, EngineStats, Snapshot, SNAPSHOT_VERSION};
pub use model::*;

/// Why the alerting stage refused an input, a configuration or a snapshot.
#[derive(Debug, thiserror::Error)]
pub enum AlertingError {
    #[error("indicator {report_id}/{kind} at {event_time} is later than the allowed lateness (watermark {watermark})")]
    Late {
        report_id: String,
        kind: String,
        event_time: String,
        watermark: String,
    },
    #[error("indicator {report_id}: invalid published_at {value:?}")]
    BadTime { report_id: String, value: String },
    #[error("invalid rule {rule}: {message}")]
    Rule { rule: String, message: String },
    #[error("invalid alerting setting `{key}`: {message}")]
    Config { key: String, message: String },
    #[error("cannot restore state: {0}")]
    Snapshot(String),
}
