//! The front door of tocsin's flow: `reports` topic (or NDJSON files) → **ingest** → enrich → alerting.
//!
//! This crate owns the [`Report`] contract and turns untrusted bytes into validated reports. Each input
//! message either decodes into a [`Report`] or is rejected with a [`RejectReason`] code, which the caller
//! turns into a [`DeadLetter`] (original bytes in base64, the reason, and where the input came from) for
//! the `reports.dlq` topic or file. Nothing read is silently dropped.
//!
//! It also provides the bounded-line NDJSON readers (plain, gzip, stdin) used by `tocsin replay`,
//! `tocsin enrich` and `tocsin produce`. The crate does no Kafka I/O and reads no clock: "now" is passed
//! in by the caller, so decoding is deterministic.

mod deadletter;
mod decode;
mod reader;
mod report;

pub use deadletter::{DeadLetter, Origin};
pub use decode::{Decoder, FieldMap, Limits, Reject, RejectReason};
pub use reader::{expand_inputs, Line, NdjsonReader};
pub use report::{format_time, Report};
