//! The alerting stage of tocsin's flow: `indicators` topic → **alerting** → `alerts` topic.
//! PLACEHOLDER API — implemented by the alerting work.

mod model;

pub use model::*;

use config::{AlertingConfig, Rule};
use enrich::IndicatorRecord;

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
    #[error("cannot restore state: {0}")]
    Snapshot(String),
}

/// The alerting engine: all windows and open alerts of the regions this instance owns.
pub struct Engine {}

impl Engine {
    pub fn new(_cfg: &AlertingConfig, _rules: &[Rule]) -> Result<Self, AlertingError> {
        Ok(Engine {})
    }

    /// Counts one indicator record; returns the alert emissions it causes, in a deterministic order.
    pub fn process(&mut self, _rec: &IndicatorRecord) -> Result<Vec<Alert>, AlertingError> {
        Ok(Vec::new())
    }

    /// The input is complete up to the latest event time seen (end of a replay, or the live stream
    /// idle): advance the watermark there and emit what that causes.
    pub fn flush(&mut self) -> Vec<Alert> {
        Vec::new()
    }
}
