//! Dead-letter records: what was rejected, why, and where it came from, with the original bytes.

use base64::Engine as _;
use serde::{Deserialize, Serialize};

use crate::{Reject, RejectReason};

/// Where a rejected input came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Origin {
    /// A line of an NDJSON file (1-based line number).
    File { file: String, line: u64 },
    /// A Kafka message.
    Kafka {
        topic: String,
        partition: i32,
        offset: i64,
    },
}

/// One record of the dead-letter output (`reports.dlq` topic, or file in replay).
///
/// The original bytes are kept whole up to `max_payload` (base64); a larger payload is truncated and
/// `payload_truncated` says so, with its full size in `payload_bytes`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeadLetter {
    pub reason: RejectReason,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    pub detail: String,
    pub origin: Origin,
    /// Size of the original message in bytes.
    pub payload_bytes: u64,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub payload_truncated: bool,
    pub payload_base64: String,
}

impl DeadLetter {
    /// Builds a dead letter from a decoder rejection.
    pub fn from_reject(
        reject: &Reject,
        origin: Origin,
        payload: &[u8],
        max_payload: usize,
    ) -> Self {
        Self::new(
            reject.reason,
            reject.field.map(str::to_owned),
            reject.detail.clone(),
            origin,
            payload,
            payload.len() as u64,
            max_payload,
        )
    }

    /// Builds a dead letter. `payload_bytes` is the size of the original message, which may exceed
    /// `payload.len()` when the reader already had to cut an over-long line.
    pub fn new(
        reason: RejectReason,
        field: Option<String>,
        detail: String,
        origin: Origin,
        payload: &[u8],
        payload_bytes: u64,
        max_payload: usize,
    ) -> Self {
        let kept = &payload[..payload.len().min(max_payload)];
        DeadLetter {
            reason,
            field,
            detail,
            origin,
            payload_bytes,
            payload_truncated: (kept.len() as u64) < payload_bytes,
            payload_base64: base64::engine::general_purpose::STANDARD.encode(kept),
        }
    }

    /// The kept original bytes.
    pub fn payload(&self) -> Result<Vec<u8>, base64::DecodeError> {
        base64::engine::general_purpose::STANDARD.decode(&self.payload_base64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_original_bytes_and_marks_truncation() {
        let reject = Reject {
            reason: RejectReason::InvalidUtf8,
            field: None,
            detail: "bad".into(),
        };
        let origin = Origin::File {
            file: "a.ndjson".into(),
            line: 3,
        };
        let dl = DeadLetter::from_reject(&reject, origin.clone(), b"\xff\x00abc", 1024);
        assert_eq!(dl.payload().unwrap(), b"\xff\x00abc");
        assert!(!dl.payload_truncated);
        let json = serde_json::to_value(&dl).unwrap();
        assert_eq!(json["reason"], "invalid_utf8");
        assert_eq!(json["origin"]["line"], 3);

        let cut = DeadLetter::from_reject(&reject, origin, b"0123456789", 4);
        assert!(cut.payload_truncated);
        assert_eq!(cut.payload().unwrap(), b"0123");
        assert_eq!(cut.payload_bytes, 10);
    }
}
