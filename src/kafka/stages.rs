//! The async shells around the pure stages: consume, call the stage, produce, hand the deliveries
//! to the acker. One task per stage, bounded queues, no per-message tasks.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::Utc;
use enrich::{Enricher, IndicatorRecord};
use ingest::{DeadLetter, Origin, RejectReason};
use rdkafka::consumer::{CommitMode, Consumer};
use rdkafka::message::{Message, OwnedMessage};
use rdkafka::producer::FutureProducer;
use tokio::sync::{mpsc, watch};

use super::acks::{acker, Pending};
use super::{send, StageConsumer};
use crate::metrics::Metrics;
use crate::pipeline::{self, IngestStage, Totals};

/// What the stages report about their progress (for `--exit-when-idle` and the final summary).
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
    /// Totals over the run.
    pub totals: Mutex<Totals>,
}

impl Activity {
    pub fn totals(&self) -> std::sync::MutexGuard<'_, Totals> {
        self.totals.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// Everything a stage shell needs.
pub struct StageCtx {
    pub cfg: config::Config,
    pub producer: FutureProducer,
    pub activity: Arc<Activity>,
    pub metrics: Arc<Metrics>,
    pub print_alerts: bool,
}

enum Received {
    Message(OwnedMessage),
    Error(rdkafka::error::KafkaError),
    Tick,
}

async fn receive(
    consumer: &StageConsumer,
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

fn origin_of(m: &OwnedMessage) -> Origin {
    Origin::Kafka {
        topic: m.topic().to_owned(),
        partition: m.partition(),
        offset: m.offset(),
    }
}

/// The outputs of one input, produced in order; handed to the acker as one [`Pending`].
struct Outputs<'a> {
    ctx: &'a StageCtx,
    stage: &'static str,
    pending: Pending,
}

impl<'a> Outputs<'a> {
    fn new(ctx: &'a StageCtx, stage: &'static str, input: Option<(i32, i64)>) -> Self {
        Outputs {
            ctx,
            stage,
            pending: Pending {
                input,
                deliveries: Vec::new(),
                print: Vec::new(),
            },
        }
    }

    async fn send(
        &mut self,
        output: &'static str,
        topic: &str,
        key: Option<&str>,
        payload: &[u8],
    ) -> anyhow::Result<()> {
        let f = send(&self.ctx.producer, topic, key, payload)
            .await
            .with_context(|| format!("producing to {topic}"))?;
        self.pending.deliveries.push((output, f));
        Ok(())
    }

    async fn dead_letter(&mut self, dl: &DeadLetter) -> anyhow::Result<()> {
        self.ctx
            .metrics
            .rejected
            .with_label_values(&[self.stage, dl.reason.as_str()])
            .inc();
        self.ctx.activity.totals().reject(dl.reason);
        let json = serde_json::to_vec(dl)?;
        let topic = self.ctx.cfg.kafka.topics.dlq.clone();
        self.send("dlq", &topic, None, &json).await
    }

    /// Hands the outputs to the acker (waits while its queue is full: backpressure).
    async fn hand_over(self, ack_tx: &mpsc::Sender<Pending>) -> bool {
        let n = self.pending.deliveries.len() as u64;
        self.ctx.activity.unacked.fetch_add(n, Ordering::Relaxed);
        self.ctx
            .metrics
            .unacked
            .with_label_values(&[self.stage])
            .add(n as i64);
        ack_tx.send(self.pending).await.is_ok()
    }
}

/// Starts the acker of a stage: stores input offsets once outputs are durable.
fn start_acker(
    ctx: &Arc<StageCtx>,
    consumer: &Arc<StageConsumer>,
    topic: &str,
    stage: &'static str,
) -> (
    mpsc::Sender<Pending>,
    tokio::task::JoinHandle<anyhow::Result<()>>,
) {
    let (tx, rx) = mpsc::channel::<Pending>(ctx.cfg.run.queue_capacity);
    let c = ctx.clone();
    let handle = tokio::spawn(acker(
        consumer.clone(),
        topic.to_owned(),
        rx,
        move |output| {
            c.activity.unacked.fetch_sub(1, Ordering::Relaxed);
            c.metrics.unacked.with_label_values(&[stage]).dec();
            c.metrics.sent.with_label_values(&[stage, output]).inc();
        },
    ));
    (tx, handle)
}

/// Closes a stage: lets the acker drain (within the deadline), then commits what was stored.
async fn close(
    consumer: &StageConsumer,
    ctx: &StageCtx,
    ack_tx: mpsc::Sender<Pending>,
    acker: tokio::task::JoinHandle<anyhow::Result<()>>,
    stage: &str,
) -> anyhow::Result<()> {
    drop(ack_tx);
    let deadline = ctx.cfg.run.shutdown_timeout.as_std();
    let result = match tokio::time::timeout(deadline, acker).await {
        Ok(joined) => joined.context("the acknowledgement task panicked")?,
        Err(_) => Err(anyhow::anyhow!(
            "{stage}: outputs not acknowledged within run.shutdown_timeout; their inputs will be consumed again"
        )),
    };
    use rdkafka::producer::Producer as _;
    if let Err(e) = ctx.producer.flush(Duration::from_secs(5)) {
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
    consumer: Arc<StageConsumer>,
    enricher: Arc<Enricher>,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    const STAGE: &str = "enrich";
    let cfg = &ctx.cfg;
    let topics = &cfg.kafka.topics;
    consumer
        .subscribe(&[&topics.reports])
        .with_context(|| format!("subscribing to {}", topics.reports))?;
    let mut ingest = IngestStage::new(crate::setup::decoder(cfg), cfg.ingest.dlq_max_payload_bytes);
    let (ack_tx, acker) = start_acker(&ctx, &consumer, &topics.reports, STAGE);
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
        let started = Instant::now();
        ctx.metrics.received.with_label_values(&[STAGE]).inc();
        let payload = m.payload().unwrap_or(&[]);
        let mut out = Outputs::new(&ctx, STAGE, Some((m.partition(), m.offset())));
        let outcome = ingest.accept(
            payload,
            payload.len() as u64,
            origin_of(&m),
            Some(Utc::now()),
        );
        let sent: anyhow::Result<()> = async {
            {
                let mut t = ctx.activity.totals();
                t.messages += 1;
                t.bytes += payload.len() as u64;
            }
            match outcome {
                Ok(report) => {
                    let e = pipeline::enrich(&enricher, &report);
                    for ind in &e.report.indicators {
                        ctx.metrics.indicators.with_label_values(&[&ind.kind]).inc();
                    }
                    let unlocated = e.report.focus.is_none() && !e.report.indicators.is_empty();
                    if unlocated {
                        ctx.metrics.unlocated.inc();
                    }
                    {
                        let mut t = ctx.activity.totals();
                        t.reports += 1;
                        t.indicators += e.report.indicators.len() as u64;
                        t.records += e.records.len() as u64;
                        t.unlocated += u64::from(unlocated);
                    }
                    for rec in &e.records {
                        let json = serde_json::to_vec(rec)?;
                        out.send(
                            "indicators",
                            &topics.indicators,
                            Some(&rec.region.id),
                            &json,
                        )
                        .await?;
                    }
                }
                Err(dl) => out.dead_letter(&dl).await?,
            }
            Ok(())
        }
        .await;
        if let Err(e) = sent {
            failure = Some(e);
            break;
        }
        ctx.metrics
            .processing
            .with_label_values(&[STAGE])
            .observe(started.elapsed().as_secs_f64());
        ctx.activity.enrich_in.fetch_add(1, Ordering::Relaxed);
        if !out.hand_over(&ack_tx).await {
            break; // the acker failed; close() reports its error
        }
    }
    let closed = close(&consumer, &ctx, ack_tx, acker, STAGE).await;
    tracing::info!("enrich stage stopped");
    match failure {
        Some(e) => Err(e),
        None => closed,
    }
}

fn publish_engine_stats(metrics: &Metrics, engine: &alerting::Engine) {
    let stats = engine.stats();
    metrics.windows.set(stats.windows as i64);
    for sev in [
        alerting::Severity::Low,
        alerting::Severity::Medium,
        alerting::Severity::High,
        alerting::Severity::Critical,
    ] {
        let n = stats.open_by_severity.get(&sev).copied().unwrap_or(0);
        let label = serde_json::to_value(sev).ok();
        let label = label.as_ref().and_then(|v| v.as_str()).unwrap_or("unknown");
        metrics.open_alerts.with_label_values(&[label]).set(n as i64);
    }
    if let Some(w) = stats
        .watermark
        .as_deref()
        .and_then(|w| chrono::DateTime::parse_from_rfc3339(w).ok())
    {
        metrics.watermark.set(w.timestamp() as f64);
    }
}

/// The alert stage on Kafka: `indicators` → windows and rules → `alerts` (keyed by region).
pub async fn alert_stage(
    ctx: Arc<StageCtx>,
    consumer: Arc<StageConsumer>,
    mut engine: alerting::Engine,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    const STAGE: &str = "alert";
    let cfg = &ctx.cfg;
    let topics = &cfg.kafka.topics;
    consumer
        .subscribe(&[&topics.indicators])
        .with_context(|| format!("subscribing to {}", topics.indicators))?;
    let (ack_tx, acker) = start_acker(&ctx, &consumer, &topics.indicators, STAGE);
    let idle = cfg.alerting.idle_timeout.as_std();
    let mut tick = tokio::time::interval(Duration::from_millis(200).min(idle));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut last_input = Instant::now();
    let mut last_stats = Instant::now();
    let mut dirty = false;
    tracing::info!(topic = %topics.indicators, "alert stage started");

    let mut failure = None;
    while let Some(received) = receive(&consumer, &mut shutdown, Some(&mut tick)).await {
        let started = Instant::now();
        let (alerts, mut out, dead) = match received {
            Received::Error(e) => {
                tracing::warn!(error = %e, "consume error");
                continue;
            }
            Received::Tick => {
                if !dirty || last_input.elapsed() < idle {
                    continue;
                }
                dirty = false;
                (engine.flush(), Outputs::new(&ctx, STAGE, None), None)
            }
            Received::Message(m) => {
                ctx.metrics.received.with_label_values(&[STAGE]).inc();
                ctx.activity.alert_flushed.store(false, Ordering::Relaxed);
                last_input = Instant::now();
                dirty = true;
                let payload = m.payload().unwrap_or(&[]);
                let origin = origin_of(&m);
                let out = Outputs::new(&ctx, STAGE, Some((m.partition(), m.offset())));
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
                        (Vec::new(), out, Some(dl))
                    }
                    Ok(rec) => match engine.process(&rec) {
                        Ok(alerts) => (alerts, out, None),
                        Err(
                            e @ (alerting::AlertingError::Late { .. }
                            | alerting::AlertingError::BadTime { .. }),
                        ) => {
                            let dl = pipeline::late_indicator(
                                &rec,
                                e.to_string(),
                                origin,
                                cfg.ingest.dlq_max_payload_bytes,
                            );
                            (Vec::new(), out, Some(dl))
                        }
                        Err(e) => {
                            failure = Some(anyhow::Error::from(e).context("alerting"));
                            break;
                        }
                    },
                }
            }
        };
        let is_flush = out.pending.input.is_none();
        let sent: anyhow::Result<()> = async {
            if let Some(dl) = &dead {
                out.dead_letter(dl).await?;
            }
            let now = ingest::format_time(&Utc::now());
            for mut a in alerts {
                a.emitted_at = now.clone();
                let json = serde_json::to_string(&a)?;
                out.send(
                    "alerts",
                    &topics.alerts,
                    Some(&a.region.id),
                    json.as_bytes(),
                )
                .await?;
                if ctx.print_alerts {
                    out.pending.print.push(json);
                }
                let status = serde_json::to_value(a.status)?;
                ctx.metrics
                    .alerts
                    .with_label_values(&[status.as_str().unwrap_or("unknown")])
                    .inc();
                ctx.activity.totals().alerts += 1;
            }
            Ok(())
        }
        .await;
        if let Err(e) = sent {
            failure = Some(e.context("producing alerts"));
            break;
        }
        if !is_flush {
            ctx.metrics
                .processing
                .with_label_values(&[STAGE])
                .observe(started.elapsed().as_secs_f64());
            ctx.activity.alert_in.fetch_add(1, Ordering::Relaxed);
        }
        if !out.hand_over(&ack_tx).await {
            break;
        }
        if is_flush {
            ctx.activity.alert_flushed.store(true, Ordering::Relaxed);
        }
        if is_flush || last_stats.elapsed() >= Duration::from_secs(1) {
            last_stats = Instant::now();
            publish_engine_stats(&ctx.metrics, &engine);
        }
    }
    let closed = close(&consumer, &ctx, ack_tx, acker, STAGE).await;
    tracing::info!("alert stage stopped");
    match failure {
        Some(e) => Err(e),
        None => closed,
    }
}
