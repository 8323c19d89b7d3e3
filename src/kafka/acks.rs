//! Offsets after durability: each consumed message's outputs are awaited, in consumption order, before
//! its offset is stored for commit.

use std::sync::Arc;

use anyhow::Context as _;
use rdkafka::consumer::Consumer;
use rdkafka::producer::DeliveryFuture;
use tokio::sync::mpsc;

/// What one consumed message (or one timer-driven flush) produced, and its input position.
pub struct Pending {
    /// Input (partition, offset) to store once all `deliveries` are acknowledged; `None` for outputs
    /// not caused by a message (idle flushes).
    pub input: Option<(i32, i64)>,
    /// Each produced message, named by its output (`indicators`, `alerts`, `dlq`).
    pub deliveries: Vec<(&'static str, DeliveryFuture)>,
    /// Lines to print on stdout once durable (`run --print-alerts`).
    pub print: Vec<String>,
    /// A checkpoint to write once everything before it is durable; its offset is stored after it.
    pub checkpoint: Option<CheckpointWrite>,
}

/// A partition's checkpoint, ready to produce.
pub struct CheckpointWrite {
    pub topic: String,
    pub key: String,
    pub payload: Vec<u8>,
    /// Input partition and the first offset the checkpoint does not reflect.
    pub partition: i32,
    pub next_offset: i64,
}

/// Awaits the deliveries of each [`Pending`] in order, then stores its input offset (or writes its
/// checkpoint, then stores the checkpoint's offset). A delivery that fails after the producer's own
/// retries is fatal for the stage: its offset is never stored, so the message is consumed again after
/// a restart (at-least-once).
pub async fn acker(
    producer: rdkafka::producer::FutureProducer,
    consumer: Arc<super::StageConsumer>,
    topic: String,
    mut rx: mpsc::Receiver<Pending>,
    on_durable: impl Fn(&'static str),
) -> anyhow::Result<()> {
    while let Some(p) = rx.recv().await {
        for (output, f) in p.deliveries {
            match f
                .await
                .context("the producer was dropped before delivery")?
            {
                Ok(_) => on_durable(output),
                Err((e, _)) => anyhow::bail!("delivery to {output} failed after retries: {e}"),
            }
        }
        let mut store = p.input;
        if let Some(cp) = p.checkpoint {
            let f = super::send(&producer, &cp.topic, Some(&cp.key), &cp.payload)
                .await
                .with_context(|| format!("writing checkpoint {}", cp.key))?;
            match f
                .await
                .context("the producer was dropped before delivery")?
            {
                Ok(_) => on_durable("checkpoints"),
                Err((e, _)) => anyhow::bail!("checkpoint {} not written: {e}", cp.key),
            }
            tracing::debug!(key = %cp.key, bytes = cp.payload.len(), next_offset = cp.next_offset, "checkpoint written");
            if cp.next_offset > 0 {
                // The legacy store API stores offset + 1: the next offset to consume.
                store = Some((cp.partition, cp.next_offset - 1));
            }
        }
        if let Some((partition, offset)) = store {
            if let Err(e) = consumer.store_offset(&topic, partition, offset) {
                // After a rebalance the partition may belong to another instance, which will
                // process the message again: at-least-once, never lost.
                tracing::debug!(%topic, partition, offset, error = %e, "offset not stored");
            }
        }
        for line in p.print {
            println!("{line}");
        }
    }
    Ok(())
}
