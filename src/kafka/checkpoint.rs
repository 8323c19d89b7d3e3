//! Checkpoints of the alerting stage.
//!
//! The alerting stage keeps one engine per assigned partition of `indicators` (regions are the
//! partition key, so a region's windows live in exactly one partition). Periodically, on shutdown,
//! and never before the alerts they reflect are acknowledged, each partition's engine state is written
//! with the next input offset to a compacted changelog topic (key `group/topic/partition`). Only then
//! is that offset stored for commit. An instance that is assigned a partition restores its latest
//! checkpoint and skips input below the checkpointed offset, so nothing is lost and no indicator is
//! counted twice; alerts re-emitted after a crash are the same emissions (same `alert_id`, `version`
//! and content), because a partition's engine is deterministic.

use std::collections::BTreeMap;
use std::io::{Read as _, Write as _};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{Offset, TopicPartitionList};
use serde::{Deserialize, Serialize};

/// Format version of [`Checkpoint`].
pub const CHECKPOINT_VERSION: u32 = 1;

/// One partition's alerting state and the input position it reflects.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Checkpoint {
    pub version: u32,
    /// Input topic and partition.
    pub topic: String,
    pub partition: i32,
    /// The first input offset not reflected in `snapshot`.
    pub next_offset: i64,
    pub snapshot: alerting::Snapshot,
}

/// The changelog key of a partition's checkpoint.
pub fn key(group: &str, topic: &str, partition: i32) -> String {
    format!("{group}/{topic}/{partition}")
}

/// gzip-compressed JSON.
pub fn encode(cp: &Checkpoint) -> anyhow::Result<Vec<u8>> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    serde_json::to_writer(&mut gz, cp).context("serialising a checkpoint")?;
    gz.flush()?;
    Ok(gz.finish()?)
}

pub fn decode(bytes: &[u8]) -> anyhow::Result<Checkpoint> {
    let mut json = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut json)
        .context("decompressing a checkpoint")?;
    let cp: Checkpoint = serde_json::from_slice(&json).context("parsing a checkpoint")?;
    anyhow::ensure!(
        cp.version == CHECKPOINT_VERSION,
        "checkpoint format version {} is not the supported {CHECKPOINT_VERSION}",
        cp.version
    );
    Ok(cp)
}

/// Reads the latest checkpoint of each of `wanted` keys from the changelog topic (blocking; run it
/// off the async runtime). The topic is read from its start to its current end.
pub fn read_latest(
    mut config: ClientConfig,
    topic: &str,
    wanted: &[String],
    timeout: Duration,
) -> anyhow::Result<BTreeMap<String, Checkpoint>> {
    config
        .set("group.id", "tocsin-checkpoint-reader")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "false");
    let consumer: BaseConsumer = config.create().context("creating the checkpoint reader")?;
    let metadata = consumer
        .fetch_metadata(Some(topic), timeout)
        .with_context(|| format!("reading the metadata of {topic}"))?;
    let partitions: Vec<i32> = metadata
        .topics()
        .iter()
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    let mut latest: BTreeMap<String, Vec<u8>> = BTreeMap::new();
    for p in partitions {
        let (low, high) = consumer
            .fetch_watermarks(topic, p, timeout)
            .with_context(|| format!("reading the offsets of {topic}/{p}"))?;
        if high <= low {
            continue;
        }
        let mut tpl = TopicPartitionList::new();
        tpl.add_partition_offset(topic, p, Offset::Offset(low))?;
        consumer.assign(&tpl)?;
        let deadline = Instant::now() + timeout;
        loop {
            anyhow::ensure!(
                Instant::now() < deadline,
                "timed out reading checkpoints from {topic}/{p} (offsets {low}..{high})"
            );
            let Some(m) = consumer.poll(Duration::from_millis(100)) else {
                continue;
            };
            let m = m.with_context(|| format!("reading checkpoints from {topic}"))?;
            if let (Some(k), Some(v)) = (m.key(), m.payload()) {
                let k = String::from_utf8_lossy(k).into_owned();
                if wanted.contains(&k) {
                    latest.insert(k, v.to_vec());
                }
            }
            if m.offset() >= high - 1 {
                break;
            }
        }
    }
    latest
        .into_iter()
        .map(|(k, v)| {
            decode(&v)
                .map(|cp| (k.clone(), cp))
                .with_context(|| format!("checkpoint {k}"))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checkpoints_round_trip_and_reject_other_versions() {
        let engine = alerting::Engine::new(
            &config::AlertingConfig::default(),
            &config::Config::default().rules,
        )
        .unwrap();
        let cp = Checkpoint {
            version: CHECKPOINT_VERSION,
            topic: "indicators".into(),
            partition: 2,
            next_offset: 42,
            snapshot: engine.snapshot(),
        };
        let back = decode(&encode(&cp).unwrap()).unwrap();
        assert_eq!(back.next_offset, 42);
        assert_eq!(back.snapshot, cp.snapshot);
        let mut old = cp;
        old.version = 99;
        assert!(decode(&encode(&old).unwrap()).is_err());
        assert!(decode(b"not gzip").is_err());
        assert_eq!(key("g", "indicators", 3), "g/indicators/3");
    }
}
