//! `tocsin produce` and the `run --replay` feeder: validated archived reports into a topic.

use std::path::PathBuf;
use std::time::Instant;

use anyhow::Context as _;
use ingest::{NdjsonReader, Origin};
use rdkafka::producer::{FutureProducer, Producer as _};

use super::send;
use crate::pipeline::{IngestStage, Totals};

/// Produces every valid line of `files` to `topic` (key = report id, value = the original bytes) and
/// every invalid one to the dead-letter topic, waiting for all acknowledgements. Reading is blocking
/// file I/O, so it runs on a blocking thread and hands lines over through a bounded queue.
pub async fn feed(
    producer: &FutureProducer,
    cfg: &config::Config,
    files: Vec<PathBuf>,
    topic: &str,
) -> anyhow::Result<Totals> {
    let mut ingest = IngestStage::new(crate::setup::decoder(cfg), cfg.ingest.dlq_max_payload_bytes);
    let max_line = ingest.max_line();
    let (tx, mut rx) = tokio::sync::mpsc::channel::<anyhow::Result<(Origin, ingest::Line)>>(1024);
    let reader = tokio::task::spawn_blocking(move || {
        let run = || -> anyhow::Result<()> {
            for path in ingest::expand_inputs(&files).context("listing inputs")? {
                let mut r = NdjsonReader::open(&path, max_line)?;
                while let Some(line) = r.next_line()? {
                    let origin = Origin::File {
                        file: r.name().to_owned(),
                        line: line.number,
                    };
                    if tx.blocking_send(Ok((origin, line))).is_err() {
                        return Ok(());
                    }
                }
            }
            Ok(())
        };
        if let Err(e) = run() {
            let _ = tx.blocking_send(Err(e));
        }
    });

    let mut totals = Totals::default();
    let mut deliveries = std::collections::VecDeque::new();
    while let Some(item) = rx.recv().await {
        let (origin, line) = item?;
        totals.messages += 1;
        totals.bytes += line.len + 1;
        let f = match ingest.accept(&line.bytes, line.len, || origin, None) {
            Ok(report) => {
                totals.reports += 1;
                send(producer, topic, Some(&report.id), &line.bytes).await?
            }
            Err(dl) => {
                totals.reject(dl.reason);
                let json = serde_json::to_vec(&*dl)?;
                send(producer, &cfg.kafka.topics.dlq, None, &json).await?
            }
        };
        deliveries.push_back(f);
        // Bound the acknowledgements awaited at once.
        while deliveries.len() >= cfg.run.max_in_flight {
            await_delivery(deliveries.pop_front().expect("non-empty")).await?;
        }
    }
    reader.await.context("the file reader panicked")?;
    for f in deliveries {
        await_delivery(f).await?;
    }
    Ok(totals)
}

async fn await_delivery(f: rdkafka::producer::DeliveryFuture) -> anyhow::Result<()> {
    match f
        .await
        .context("the producer was dropped before delivery")?
    {
        Ok(_) => Ok(()),
        Err((e, _)) => anyhow::bail!("delivery failed: {e}"),
    }
}

/// `tocsin produce`.
pub async fn produce_files(
    cfg: &config::Config,
    files: Vec<PathBuf>,
    brokers: Option<String>,
    topic: Option<String>,
) -> anyhow::Result<()> {
    let brokers = brokers.unwrap_or_else(|| cfg.kafka.brokers.clone());
    if brokers.trim().is_empty() {
        return Err(crate::setup::UsageError(
            "tocsin produce needs brokers: --brokers HOST:PORT, kafka.brokers or TOCSIN_KAFKA__BROKERS \
             (the embedded broker of `tocsin run` prints its address at start)"
                .into(),
        )
        .into());
    }
    let bus = super::Bus::connect(&cfg.kafka, Some(&brokers))?;
    bus.ensure_topics().await?;
    let producer = bus.producer()?;
    let topic = topic.unwrap_or_else(|| cfg.kafka.topics.reports.clone());
    let started = Instant::now();
    let totals = feed(&producer, cfg, files, &topic).await?;
    producer
        .flush(std::time::Duration::from_secs(30))
        .context("flushing the producer")?;
    eprintln!(
        "tocsin produce: to {topic}: {}",
        totals.summary(started.elapsed())
    );
    Ok(())
}
