//! The pure, synchronous core shared by replay and the Kafka service: validate a message, enrich a
//! report, count an indicator. No I/O and no clock here; the shells feed it and write what it returns.

use std::collections::{BTreeMap, HashSet, VecDeque};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use enrich::{EnrichedReport, Enricher, IndicatorRecord};
use ingest::{DeadLetter, Decoder, Origin, RejectReason, Report};

/// Validates raw input: decoding, limits, and duplicate ids among the recent ones.
pub struct IngestStage {
    decoder: Decoder,
    recent: RecentIds,
    dlq_max_payload: usize,
}

impl IngestStage {
    pub fn new(decoder: Decoder, dlq_max_payload: usize) -> Self {
        IngestStage {
            decoder,
            recent: RecentIds::new(200_000),
            dlq_max_payload,
        }
    }

    /// Largest line a reader should keep whole: one byte over the limit, so that an over-long line is
    /// recognised as such.
    pub fn max_line(&self) -> usize {
        self.decoder.limits().max_message_bytes + 1
    }

    /// Validates one message. `full_len` is the size of the original message when the reader had to
    /// cut it. `origin` says where the message came from, for a dead letter (called only then). `now`
    /// is the wall clock in the live service, `None` in replay.
    pub fn accept(
        &mut self,
        bytes: &[u8],
        full_len: u64,
        origin: impl FnOnce() -> Origin,
        now: Option<DateTime<Utc>>,
    ) -> Result<Report, Box<DeadLetter>> {
        let limit = self.decoder.limits().max_message_bytes;
        if full_len > limit as u64 {
            return Err(Box::new(DeadLetter::new(
                RejectReason::TooLarge,
                None,
                format!("message is {full_len} bytes, the limit is {limit}"),
                origin(),
                bytes,
                full_len,
                self.dlq_max_payload,
            )));
        }
        let report = match self.decoder.decode(bytes, now) {
            Ok(report) => report,
            Err(r) => {
                return Err(Box::new(DeadLetter::from_reject(
                    &r,
                    origin(),
                    bytes,
                    self.dlq_max_payload,
                )))
            }
        };
        if !self.recent.insert(&report.id) {
            return Err(Box::new(DeadLetter::new(
                RejectReason::DuplicateId,
                Some("id".into()),
                format!("report id {:?} was already accepted", report.id),
                origin(),
                bytes,
                full_len,
                self.dlq_max_payload,
            )));
        }
        Ok(report)
    }
}

/// A dead letter for an indicator record that arrived too late for its window.
pub fn late_indicator(
    rec: &IndicatorRecord,
    detail: String,
    origin: Origin,
    max_payload: usize,
) -> DeadLetter {
    let payload = serde_json::to_vec(rec).unwrap_or_default();
    DeadLetter::new(
        RejectReason::LateIndicator,
        Some("published_at".into()),
        detail,
        origin,
        &payload,
        payload.len() as u64,
        max_payload,
    )
}

/// The enrich stage's output for one report.
pub struct Enriched {
    pub report: EnrichedReport,
    pub records: Vec<IndicatorRecord>,
}

/// Enriches a report and derives its indicator records.
pub fn enrich(enricher: &Enricher, report: &Report) -> Enriched {
    let enriched = enricher.enrich(report);
    let records = enricher.records(report, &enriched);
    Enriched {
        report: enriched,
        records,
    }
}

/// A bounded set of recently seen ids (oldest forgotten first), for duplicate detection. Each id is
/// stored once, shared by the set and the order.
pub struct RecentIds {
    set: HashSet<Arc<str>>,
    order: VecDeque<Arc<str>>,
    capacity: usize,
}

impl RecentIds {
    pub fn new(capacity: usize) -> Self {
        RecentIds {
            set: HashSet::new(),
            order: VecDeque::new(),
            capacity,
        }
    }

    /// Returns false when the id is already present.
    pub fn insert(&mut self, id: &str) -> bool {
        if self.set.contains(id) {
            return false;
        }
        if self.order.len() == self.capacity {
            if let Some(old) = self.order.pop_front() {
                self.set.remove(&*old);
            }
        }
        let id: Arc<str> = Arc::from(id);
        self.set.insert(Arc::clone(&id));
        self.order.push_back(id);
        true
    }
}

/// Running totals of a run, for the summary and the metrics.
#[derive(Debug, Default, Clone)]
pub struct Totals {
    pub messages: u64,
    pub bytes: u64,
    pub reports: u64,
    pub filtered: u64,
    pub indicators: u64,
    pub records: u64,
    pub unlocated: u64,
    pub alerts: u64,
    pub rejected: BTreeMap<RejectReason, u64>,
}

impl Totals {
    pub fn reject(&mut self, reason: RejectReason) {
        *self.rejected.entry(reason).or_default() += 1;
    }

    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    /// A one-paragraph summary for stderr.
    pub fn summary(&self, elapsed: std::time::Duration) -> String {
        let secs = elapsed.as_secs_f64().max(1e-9);
        let mut s = format!(
            "{} messages ({:.1} MB) in {:.2}s: {} reports, {} indicators, {} indicator records, {} alerts; \
             {} reports without a location; {:.0} reports/s, {:.1} MB/s",
            self.messages,
            self.bytes as f64 / 1e6,
            secs,
            self.reports,
            self.indicators,
            self.records,
            self.alerts,
            self.unlocated,
            self.messages as f64 / secs,
            self.bytes as f64 / 1e6 / secs,
        );
        if self.filtered > 0 {
            s.push_str(&format!("; {} outside --from/--to", self.filtered));
        }
        if self.rejected.is_empty() {
            s.push_str("; nothing rejected");
        } else {
            let parts: Vec<String> = self
                .rejected
                .iter()
                .map(|(r, n)| format!("{r} {n}"))
                .collect();
            s.push_str(&format!(
                "; rejected {} ({})",
                self.rejected_total(),
                parts.join(", ")
            ));
        }
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(line: u64) -> Origin {
        Origin::File {
            file: "t".into(),
            line,
        }
    }

    #[test]
    fn duplicates_and_oversize_messages_become_dead_letters() {
        let mut stage = IngestStage::new(Decoder::default(), 1024);
        let msg = br#"{"id":"a","text":"x","published_at":"2024-01-01T00:00:00Z"}"#;
        assert!(stage
            .accept(msg, msg.len() as u64, || origin(1), None)
            .is_ok());
        let dup = stage
            .accept(msg, msg.len() as u64, || origin(2), None)
            .unwrap_err();
        assert_eq!(dup.reason, RejectReason::DuplicateId);
        assert_eq!(dup.payload().unwrap(), msg);
        let big = stage.accept(b"{", 5 << 20, || origin(3), None).unwrap_err();
        assert_eq!(big.reason, RejectReason::TooLarge);
        assert!(big.payload_truncated);
    }

    #[test]
    fn indicator_records_read_back_from_json_are_exact() {
        // A coordinate widened from f32, as the gazetteer gives them: the alerting stage on Kafka
        // reads records back from JSON and must see the value replay sees.
        let lon = f64::from(-115.327_71_f32);
        let json = serde_json::to_string(&lon).unwrap();
        let back: f64 = serde_json::from_str(&json).unwrap();
        assert_eq!(back.to_bits(), lon.to_bits(), "{json}");
        let values: [f64; 4] = [
            -115.32771301269531,
            26.942880630493164,
            0.1 + 0.2,
            1e-7 / 3.0,
        ];
        for v in values {
            let back: f64 = serde_json::from_str(&serde_json::to_string(&v).unwrap()).unwrap();
            assert_eq!(back.to_bits(), v.to_bits(), "{v}");
        }
    }

    #[test]
    fn recent_ids_forget_the_oldest() {
        let mut r = RecentIds::new(2);
        assert!(r.insert("a"));
        assert!(r.insert("b"));
        assert!(!r.insert("a"));
        assert!(r.insert("c"));
        assert!(r.insert("a"), "a was evicted by c");
    }
}
