//! The async shells around the pure stages: consume, call the stage, produce, hand the deliveries
//! to the acker. One task per stage, bounded queues, no per-message tasks.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::Utc;
use enrich::{Enricher, IndicatorRecord};
use ingest::{DeadLetter, Origin, RejectReason};
use rdkafka::consumer::{CommitMode, Consumer, StreamConsumer};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::FutureProducer;
use tokio::sync::{mpsc, watch};

use super::acks::{acker, Pending};
use super::send;
use crate::pipeline::{self, IngestStage, Totals};

/// What the stages report about their progress (for `--exit-when-idle`, readiness and the summary).
#[derive(Default)]
pub struct Activity {
    /// Messages consumed by the enrich stage.
    pub enrich_in: AtomicU64,
    /// Messages consumed by the alert stage.
    pub alert_in: AtomicU64,
    /// Produced messages not yet acknowledged.
    pub unacked: AtomicU64,
    /// The alert stage has flushed its windows since its last input.
    pub alert_flushed: AtomicBool,
    /// Each stage has received its partition assignment at least once.
    pub enrich_assigned: AtomicBool,
    pub alert_assigned: AtomicBool,
    /// Totals over the run.
    pub totals: Mutex<Totals>,
}

impl Activity {
    fn totals(&self) -> std::sync::MutexGuard<'_, Totals> {
        self.totals.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Everything a stage shell needs.
pub struct StageCtx {
    pub cfg: config::Config,
    pub producer: FutureProducer,
    pub activity: Arc<Activity>,
    pub print_alerts: bool,
}

fn recv_origin(m: &OwnedMessage) -> Origin {
    Origin::Kafka {
        topic: m.topic().to_owned(),
        partition: m.partition(),
        offset: m.offset(),
    }
}

async fn receive(
    consumer: &StreamConsumer,
    shutdown: &mut watch::Receiver<bool>,
    tick: Option<&mut tokio::time::Interval>,
) -> Option<Received> {
    let tick_fut = async {
        match tick {
            Some(t) => {
                t.tick().await;
            }
            None => std::future::pending::<()>().await,
        }
    };
    tokio::select! {
        biased;
        _ = shutdown.changed() => None,
        m = consumer.recv() => Some(match m {
            Ok(m) => Received::Message(m.detach()),
            Err(e) => Received::Error(e),
        }),
        _ = tick_fut => Some(Received::Tick),
    }
}

enum Received {
    Message(OwnedMessage),
    Error(rdkafka::error::KafkaError),
    Tick,
}

/// Closes a stage: lets the acker drain (within the deadline), then commits what was stored.
async fn close(
    consumer: &StreamConsumer,
    producer: &FutureProducer,
    ack_tx: mpsc::Sender<Pending>,
    acker: tokio::task::JoinHandle<anyhow::Result<()>>,
    deadline: Duration,
    stage: &str,
) -> anyhow::Result<()> {
    drop(ack_tx);
    let drained = tokio::time::timeout(deadline, acker).await;
    let result = match drained {
        Ok(joined) => joined.context("the acknowledgement task panicked")?,
        Err(_) => Err(anyhow::anyhow!(
            "{stage}: outputs not acknowledged within the shutdown deadline; their inputs will be consumed again"
        )),
    };
    use rdkafka::producer::Producer as _;
    if let Err(e) = producer.flush(Duration::from_secs(5)) {
        tracing::warn!(stage, error = %e, "producer flush incomplete");
    }
    if let Err(e) = consumer.commit_consumer_state(CommitMode::Sync) {
        // Nothing stored yet, or no assignment: nothing to commit.
        tracing::debug!(stage, error = %e, "final commit");
    }
    result
}

/// The enrich stage on Kafka: `reports` → validate → enrich → `indicators` (keyed by region) and
/// dead letters.
pub async fn enrich_stage(
    ctx: Arc<StageCtx>,
    consumer: Arc<StreamConsumer>,
    enricher: Arc<Enricher>,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let cfg = &ctx.cfg;
    let topics = &cfg.kafka.topics;
    consumer
        .subscribe(&[&topics.reports])
        .with_context(|| format!("subscribing to {}", topics.reports))?;
    let mut ingest = IngestStage::new(crate::setup::decoder(cfg), cfg.ingest.dlq_max_payload_bytes);
    let (ack_tx, ack_rx) = mpsc::channel::<Pending>(cfg.run.queue_capacity);
    let activity = ctx.activity.clone();
    let acker = tokio::spawn(acker(consumer.clone(), topics.reports.clone(), ack_rx, move |n| {
        activity.unacked.fetch_sub(n as u64, Ordering::Relaxed);
    }));
    tracing::info!(topic = %topics.reports, "enrich stage started");

    let mut failure = None;
    while let Some(received) = receive(&consumer, &mut shutdown, None).await {
        let m = match received {
            Received::Message(m) => m,
            Received::Error(e) => {
                tracing::warn!(error = %e, "consume error");
                continue;
            }
            Received::Tick => continue,
        };
        ctx.activity.enrich_assigned.store(true, Ordering::Relaxed);
        let payload = m.payload().unwrap_or(&[]);
        let mut deliveries = Vec::new();
        let outcome = ingest.accept(payload, payload.len() as u64, recv_origin(&m), Some(Utc::now()));
        let sent: anyhow::Result<()> = async {
            match outcome {
                Ok(report) => {
                    let e = pipeline::enrich(&enricher, &report);
                    {
                        let mut t = ctx.activity.totals();
                        t.messages += 1;
                        t.bytes += payload.len() as u64;
                        t.reports += 1;
                        t.indicators += e.report.indicators.len() as u64;
                        t.records += e.records.len() as u64;
                        if e.report.focus.is_none() && !e.report.indicators.is_empty() {
                            t.unlocated += 1;
                        }
                    }
                    for rec in &e.records {
                        let json = serde_json::to_vec(rec)?;
                        deliveries.push(send(&ctx.producer, &topics.indicators, Some(&rec.region.id), &json).await?);
                    }
                }
                Err(dl) => {
                    {
                        let mut t = ctx.activity.totals();
                        t.messages += 1;
                        t.bytes += payload.len() as u64;
                        t.reject(dl.reason);
                    }
                    let json = serde_json::to_vec(&*dl)?;
                    deliveries.push(send(&ctx.producer, &topics.dlq, None, &json).await?);
                }
            }
            Ok(())
        }
        .await;
        if let Err(e) = sent {
            failure = Some(e.context("producing enrich outputs"));
            break;
        }
        ctx.activity
            .unacked
            .fetch_add(deliveries.len() as u64, Ordering::Relaxed);
        let pending = Pending {
            input: Some((m.partition(), m.offset())),
            deliveries,
            print: Vec::new(),
        };
        ctx.activity.enrich_in.fetch_add(1, Ordering::Relaxed);
        if ack_tx.send(pending).await.is_err() {
            break; // the acker failed; its error is reported by close()
        }
    }
    let closed = close(
        &consumer,
        &ctx.producer,
        ack_tx,
        acker,
        cfg.run.shutdown_timeout.as_std(),
        "enrich",
    )
    .await;
    tracing::info!("enrich stage stopped");
    match failure {
        Some(e) => Err(e),
        None => closed,
    }
}

/// The alert stage on Kafka: `indicators` → windows and rules → `alerts` (keyed by region).
pub async fn alert_stage(
    ctx: Arc<StageCtx>,
    consumer: Arc<StreamConsumer>,
    mut engine: alerting::Engine,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    let cfg = &ctx.cfg;
    let topics = &cfg.kafka.topics;
    consumer
        .subscribe(&[&topics.indicators])
        .with_context(|| format!("subscribing to {}", topics.indicators))?;
    let (ack_tx, ack_rx) = mpsc::channel::<Pending>(cfg.run.queue_capacity);
    let activity = ctx.activity.clone();
    let acker = tokio::spawn(acker(consumer.clone(), topics.indicators.clone(), ack_rx, move |n| {
        activity.unacked.fetch_sub(n as u64, Ordering::Relaxed);
    }));
    let idle = cfg.alerting.idle_timeout.as_std();
    let mut tick = tokio::time::interval(Duration::from_millis(200).min(idle));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_input = Instant::now();
    let mut dirty = false;
    tracing::info!(topic = %topics.indicators, "alert stage started");

    let mut failure = None;
    while let Some(received) = receive(&consumer, &mut shutdown, Some(&mut tick)).await {
        let mut deliveries = Vec::new();
        let mut print = Vec::new();
        let (alerts, input, dead) = match received {
            Received::Error(e) => {
                tracing::warn!(error = %e, "consume error");
                continue;
            }
            Received::Tick => {
                if !dirty || last_input.elapsed() < idle {
                    continue;
                }
                dirty = false;
                (engine.flush(), None, None)
            }
            Received::Message(m) => {
                ctx.activity.alert_assigned.store(true, Ordering::Relaxed);
                ctx.activity.alert_flushed.store(false, Ordering::Relaxed);
                last_input = Instant::now();
                dirty = true;
                let payload = m.payload().unwrap_or(&[]);
                let origin = recv_origin(&m);
                let input = Some((m.partition(), m.offset()));
                match serde_json::from_slice::<IndicatorRecord>(payload) {
                    Err(e) => {
                        let dl = DeadLetter::new(
                            RejectReason::InvalidJson,
                            None,
                            format!("not an indicator record: {e}"),
                            origin,
                            payload,
                            payload.len() as u64,
                            cfg.ingest.dlq_max_payload_bytes,
                        );
                        (Vec::new(), input, Some(dl))
                    }
                    Ok(rec) => match engine.process(&rec) {
                        Ok(alerts) => (alerts, input, None),
                        Err(
                            e @ (alerting::AlertingError::Late { .. }
                            | alerting::AlertingError::BadTime { .. }),
                        ) => (Vec::new(), input, Some(pipeline::late_indicator(&rec, e.to_string(), origin, cfg.ingest.dlq_max_payload_bytes))),
                        Err(e) => {
                            failure = Some(anyhow::Error::from(e).context("alerting"));
                            break;
                        }
                    },
                }
            }
        };
        let sent: anyhow::Result<()> = async {
            if let Some(dl) = &dead {
                ctx.activity.totals().reject(dl.reason);
                let json = serde_json::to_vec(dl)?;
                deliveries.push(send(&ctx.producer, &topics.dlq, None, &json).await?);
            }
            let now = ingest::format_time(&Utc::now());
            for mut a in alerts {
                a.emitted_at = now.clone();
                let json = serde_json::to_string(&a)?;
                deliveries.push(send(&ctx.producer, &topics.alerts, Some(&a.region.id), json.as_bytes()).await?);
                if ctx.print_alerts {
                    print.push(json);
                }
                ctx.activity.totals().alerts += 1;
            }
            Ok(())
        }
        .await;
        if let Err(e) = sent {
            failure = Some(e.context("producing alerts"));
            break;
        }
        ctx.activity
            .unacked
            .fetch_add(deliveries.len() as u64, Ordering::Relaxed);
        if input.is_some() {
            ctx.activity.alert_in.fetch_add(1, Ordering::Relaxed);
        }
        let flushed = input.is_none();
        if ack_tx
            .send(Pending {
                input,
                deliveries,
                print,
            })
            .await
            .is_err()
        {
            break;
        }
        if flushed {
            ctx.activity.alert_flushed.store(true, Ordering::Relaxed);
        }
    }
    let closed = close(
        &consumer,
        &ctx.producer,
        ack_tx,
        acker,
        cfg.run.shutdown_timeout.as_std(),
        "alert",
    )
    .await;
    tracing::info!("alert stage stopped");
    match failure {
        Some(e) => Err(e),
        None => closed,
    }
}
