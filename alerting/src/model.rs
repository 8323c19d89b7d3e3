//! The Alert contract (topic `alerts`, key = region id). JSON Schema: `docs/schemas/alert.schema.json`.

use enrich::{Evidence, Region};
use serde::{Deserialize, Serialize};

/// Lifecycle status of an alert emission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    Updated,
    Escalated,
    Resolved,
}

/// Severity, rising with the value over the threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
    Critical,
}

/// The event-time window an alert value was computed over.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Window {
    pub start: String,
    pub end: String,
}

/// One emission of an alert. Emissions of one alert share `alert_id` and have increasing `version`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    /// Derived from the rule, the region and the event time the alert opened: the same input always
    /// names the same alerts.
    pub alert_id: String,
    pub rule: String,
    pub status: Status,
    pub severity: Severity,
    pub region: Region,
    /// The indicator kind, or `mixed` when the rule covers several kinds that contributed.
    pub kind: String,
    pub window: Window,
    pub value: f64,
    pub threshold: f64,
    /// The region's usual value for this window length (null when the rule has no baseline).
    pub baseline: Option<f64>,
    /// Distinct reports in the window.
    pub reports: u64,
    /// Distinct sources in the window.
    pub sources: u64,
    /// People reported killed in the window (distinct reports).
    pub fatalities: u64,
    /// Report ids and text spans behind the value, capped at `alerting.max_evidence`.
    pub evidence: Vec<Evidence>,
    /// Event time the alert opened.
    pub first_seen: String,
    /// When this emission was made: event time in replay, wall-clock time in the live service.
    pub emitted_at: String,
    pub version: u32,
}
