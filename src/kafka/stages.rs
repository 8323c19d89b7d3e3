//! The async shells around the pure stages: consume, call the stage, produce, hand the deliveries
//! to the acker. One task per stage, bounded queues, no per-message tasks.

use std::collections::BTreeMap;
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
use crate::ratelimit::{self, RateLimit};

/// What the stages report about their progress (for `--exit-when-idle` and the final summary).
#[derive(Default)]
pub struct Activity {
    /// Messages consumed by the enrich stage.
    pub enrich_in: AtomicU64,
    /// Messages consumed by the alert stage.
    pub alert_in: AtomicU64,
    /// Produced messages not yet acknowledged.
    pub unacked: AtomicU64,
    /// Woken whenever an output is acknowledged (stages waiting for `run.max_in_flight`).
    pub acked: tokio::sync::Notify,
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
                checkpoint: None,
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

    /// Hands the outputs to the acker. Waits first while they would take the process's
    /// unacknowledged messages over `run.max_in_flight` (unless none are in flight, so that one
    /// message's outputs always pass), then while the acker's queue is full: backpressure either
    /// way, and the stage consumes nothing meanwhile.
    async fn hand_over(self, ack_tx: &mpsc::Sender<Pending>) -> bool {
        let n = self.pending.deliveries.len() as u64 + u64::from(self.pending.checkpoint.is_some());
        let activity = &self.ctx.activity;
        let max = self.ctx.cfg.run.max_in_flight as u64;
        if n > 0 {
            loop {
                // Registered before the check, so an acknowledgement in between is not missed.
                let acked = activity.acked.notified();
                tokio::pin!(acked);
                acked.as_mut().enable();
                if has_room(activity.unacked.load(Ordering::Relaxed), n, max) {
                    break;
                }
                acked.await;
            }
        }
        activity.unacked.fetch_add(n, Ordering::Relaxed);
        self.ctx
            .metrics
            .unacked
            .with_label_values(&[self.stage])
            .add(n as i64);
        ack_tx.send(self.pending).await.is_ok()
    }
}

/// Whether `n` more unacknowledged messages fit beside `in_flight` under `max`. Nothing in
/// flight always leaves room: one message's outputs may exceed `max` on their own.
fn has_room(in_flight: u64, n: u64, max: u64) -> bool {
    in_flight == 0 || in_flight + n <= max
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
        ctx.producer.clone(),
        consumer.clone(),
        topic.to_owned(),
        rx,
        move |output| {
            c.activity.unacked.fetch_sub(1, Ordering::Relaxed);
            c.activity.acked.notify_waiters();
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

/// Messages enriched together at most: whatever has arrived when the stage is ready for more,
/// up to this many, is enriched on every core at once.
const ENRICH_BATCH: usize = 256;

/// What the enrich workers make of one accepted report: the counts for metrics and the indicator
/// records, serialised, with their keys (region ids).
struct EnrichedMessage {
    kinds: Vec<String>,
    records: usize,
    unlocated: bool,
    outputs: Vec<(String, Vec<u8>)>,
}

fn enrich_one(enricher: &Enricher, report: &ingest::Report) -> serde_json::Result<EnrichedMessage> {
    let e = pipeline::enrich(enricher, report);
    let outputs = e
        .records
        .iter()
        .map(|rec| Ok((rec.region.id.clone(), serde_json::to_vec(rec)?)))
        .collect::<serde_json::Result<Vec<_>>>()?;
    Ok(EnrichedMessage {
        unlocated: e.report.focus.is_none() && !e.report.indicators.is_empty(),
        kinds: e.report.indicators.into_iter().map(|i| i.kind).collect(),
        records: e.records.len(),
        outputs,
    })
}

/// Enriches the accepted reports among `outcomes` on up to `threads` threads; the results are in
/// the order of `outcomes` (`None` for a rejected message).
fn enrich_batch(
    enricher: &Enricher,
    outcomes: &[Result<ingest::Report, Box<DeadLetter>>],
    threads: usize,
) -> Vec<Option<serde_json::Result<EnrichedMessage>>> {
    let one = |o: &Result<ingest::Report, Box<DeadLetter>>| {
        o.as_ref().ok().map(|r| enrich_one(enricher, r))
    };
    let threads = threads.min(outcomes.len());
    if threads <= 1 {
        return outcomes.iter().map(one).collect();
    }
    // Workers take the next small run of messages until none is left, so that uneven report
    // lengths do not leave a core idle.
    const RUN: usize = 4;
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, Vec<Option<serde_json::Result<EnrichedMessage>>>)> =
        std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    s.spawn(|| {
                        let mut mine = Vec::new();
                        loop {
                            let at = next.fetch_add(RUN, Ordering::Relaxed);
                            if at >= outcomes.len() {
                                return mine;
                            }
                            let run = &outcomes[at..(at + RUN).min(outcomes.len())];
                            mine.push((at, run.iter().map(one).collect()));
                        }
                    })
                })
                .collect();
            workers
                .into_iter()
                .flat_map(|w| w.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
                .collect()
        });
    done.sort_unstable_by_key(|(at, _)| *at);
    done.into_iter().flat_map(|(_, run)| run).collect()
}

/// What the workers make of a batch: each message validated, and each accepted report enriched.
type BatchDone = (
    Vec<Result<ingest::Report, Box<DeadLetter>>>,
    Vec<Option<serde_json::Result<EnrichedMessage>>>,
);

/// A batch on its way through the enrich stage: the consumed messages, when their processing
/// started, and the workers validating and enriching them.
struct InFlight {
    batch: Vec<OwnedMessage>,
    started: Instant,
    work: tokio::task::JoinHandle<BatchDone>,
}

/// Batches in flight between the intake and the output side of the enrich stage, beyond the one
/// being produced: the next batch is consumed, validated and enriched while the last is produced.
const ENRICH_AHEAD: usize = 1;

/// The enrich stage on Kafka: `reports` → validate → enrich → `indicators` (keyed by region) and
/// dead letters.
///
/// Two halves joined by a bounded queue. The intake takes messages in batches (what has arrived,
/// up to [`ENRICH_BATCH`]), validates them in order (duplicate detection is sequential) and starts
/// enriching them on every core off the async runtime. The output side takes the batches in
/// order, waits for their enrichment, produces the outputs and hands them to the acker in
/// consumption order, so offsets are still stored only after everything before them is durable.
/// While one batch is produced the next is enriched; at most `ENRICH_AHEAD + 2` batches are in
/// memory.
pub async fn enrich_stage(
    ctx: Arc<StageCtx>,
    consumer: Arc<StageConsumer>,
    enricher: Arc<Enricher>,
    mut shutdown: watch::Receiver<bool>,
) -> anyhow::Result<()> {
    use futures_util::FutureExt as _;
    const STAGE: &str = "enrich";
    let cfg = &ctx.cfg;
    let topics = &cfg.kafka.topics;
    consumer
        .subscribe(&[&topics.reports])
        .with_context(|| format!("subscribing to {}", topics.reports))?;
    let mut ingest = IngestStage::new(crate::setup::decoder(cfg), cfg.ingest.dlq_max_payload_bytes);
    let (ack_tx, acker) = start_acker(&ctx, &consumer, &topics.reports, STAGE);
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    tracing::info!(topic = %topics.reports, threads, "enrich stage started");
    let (batch_tx, mut batch_rx) = mpsc::channel::<InFlight>(ENRICH_AHEAD);

    let intake = async {
        let mut errors = RateLimit::new(ratelimit::CONSUME_ERRORS);
        loop {
            let received = tokio::select! {
                // The output side stopped (a produce failed): stop consuming.
                _ = batch_tx.closed() => break,
                r = receive(&consumer, &mut shutdown, None) => r,
            };
            let first = match received {
                None => break,
                Some(Received::Message(m)) => m,
                Some(Received::Error(e)) => {
                    ratelimit::consume_error(&mut errors, STAGE, &e);
                    continue;
                }
                Some(Received::Tick) => continue,
            };
            let mut batch = vec![first];
            while batch.len() < ENRICH_BATCH {
                match consumer.recv().now_or_never() {
                    Some(Ok(m)) => batch.push(m.detach()),
                    Some(Err(e)) => {
                        ratelimit::consume_error(&mut errors, STAGE, &e);
                        break;
                    }
                    None => break,
                }
            }
            let started = Instant::now();
            let outcomes: Vec<_> = batch
                .iter()
                .map(|m| {
                    ctx.metrics.received.with_label_values(&[STAGE]).inc();
                    let payload = m.payload().unwrap_or(&[]);
                    {
                        let mut t = ctx.activity.totals();
                        t.messages += 1;
                        t.bytes += payload.len() as u64;
                    }
                    ingest.accept(
                        payload,
                        payload.len() as u64,
                        || origin_of(m),
                        Some(Utc::now()),
                    )
                })
                .collect();
            let worker = enricher.clone();
            let work = tokio::task::spawn_blocking(move || {
                let enriched = enrich_batch(&worker, &outcomes, threads);
                (outcomes, enriched)
            });
            let flight = InFlight {
                batch,
                started,
                work,
            };
            if batch_tx.send(flight).await.is_err() {
                break;
            }
        }
        drop(batch_tx);
    };

    let output = async {
        let failure = async {
            while let Some(InFlight {
                batch,
                started,
                work,
            }) = batch_rx.recv().await
            {
                let (outcomes, enriched) = match work.await {
                    Ok(done) => done,
                    Err(e) => {
                        // Nothing of this batch was produced or acknowledged: it is consumed again.
                        return Some(anyhow::Error::from(e).context("the enrich workers panicked"));
                    }
                };
                for ((m, outcome), e) in batch.iter().zip(outcomes).zip(enriched) {
                    let mut out = Outputs::new(&ctx, STAGE, Some((m.partition(), m.offset())));
                    let sent: anyhow::Result<()> = async {
                        match (outcome, e) {
                            (Ok(_), Some(e)) => {
                                let e = e?;
                                for kind in &e.kinds {
                                    ctx.metrics.indicators.with_label_values(&[kind]).inc();
                                }
                                if e.unlocated {
                                    ctx.metrics.unlocated.inc();
                                }
                                {
                                    let mut t = ctx.activity.totals();
                                    t.reports += 1;
                                    t.indicators += e.kinds.len() as u64;
                                    t.records += e.records as u64;
                                    t.unlocated += u64::from(e.unlocated);
                                }
                                for (key, json) in &e.outputs {
                                    out.send("indicators", &topics.indicators, Some(key), json)
                                        .await?;
                                }
                            }
                            (Err(dl), _) => out.dead_letter(&dl).await?,
                            (Ok(_), None) => {}
                        }
                        Ok(())
                    }
                    .await;
                    if let Err(e) = sent {
                        return Some(e);
                    }
                    ctx.metrics
                        .processing
                        .with_label_values(&[STAGE])
                        .observe(started.elapsed().as_secs_f64());
                    ctx.activity.enrich_in.fetch_add(1, Ordering::Relaxed);
                    if !out.hand_over(&ack_tx).await {
                        return None; // the acker failed; close() reports its error
                    }
                }
            }
            None
        }
        .await;
        // Unblocks the intake if it is waiting to hand over a batch.
        batch_rx.close();
        failure
    };

    let failure = tokio::join!(intake, output).1;
    let closed = close(&consumer, &ctx, ack_tx, acker, STAGE).await;
    tracing::info!("enrich stage stopped");
    match failure {
        Some(e) => Err(e),
        None => closed,
    }
}

fn publish_engine_stats<'a>(
    metrics: &Metrics,
    engines: impl Iterator<Item = &'a alerting::Engine>,
) {
    let mut windows = 0;
    let mut by_severity = std::collections::BTreeMap::new();
    let mut watermark: Option<String> = None;
    for e in engines {
        let s = e.stats();
        windows += s.windows;
        for (k, v) in s.open_by_severity {
            *by_severity.entry(k).or_insert(0) += v;
        }
        watermark = watermark.max(s.watermark);
    }
    metrics.windows.set(windows as i64);
    for sev in [
        alerting::Severity::Low,
        alerting::Severity::Medium,
        alerting::Severity::High,
        alerting::Severity::Critical,
    ] {
        let n = by_severity.get(&sev).copied().unwrap_or(0);
        let label = serde_json::to_value(sev).ok();
        let label = label.as_ref().and_then(|v| v.as_str()).unwrap_or("unknown");
        metrics
            .open_alerts
            .with_label_values(&[label])
            .set(n as i64);
    }
    if let Some(w) = watermark
        .as_deref()
        .and_then(|w| chrono::DateTime::parse_from_rfc3339(w).ok())
    {
        metrics.watermark.set(w.timestamp() as f64);
    }
}

/// One assigned partition of `indicators`: its own engine (regions are the partition key), and the
/// input position its state reflects.
struct PartitionTask {
    engine: alerting::Engine,
    /// Input below this offset is already in the restored state.
    skip_below: i64,
    /// The first offset not yet reflected in `engine`, once known.
    next_offset: Option<i64>,
    /// Changed since the last checkpoint.
    dirty: bool,
}

/// The alert stage on Kafka: `indicators` → windows and rules → `alerts` (keyed by region), with the
/// state of each input partition checkpointed to the changelog topic (see [`super::checkpoint`]).
pub async fn alert_stage(
    ctx: Arc<StageCtx>,
    consumer: Arc<StageConsumer>,
    client: rdkafka::config::ClientConfig,
    ready: Arc<AtomicBool>,
    events: Arc<Mutex<Vec<super::Assignment>>>,
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
    let mut last_checkpoint = Instant::now();
    let mut idle_flush_due = false;
    let mut tasks: BTreeMap<i32, PartitionTask> = BTreeMap::new();
    tracing::info!(topic = %topics.indicators, "alert stage started");

    let mut failure = None;
    let mut errors = RateLimit::new(ratelimit::CONSUME_ERRORS);
    while let Some(received) = receive(&consumer, &mut shutdown, Some(&mut tick)).await {
        let changes: Vec<super::Assignment> =
            std::mem::take(&mut *events.lock().unwrap_or_else(|e| e.into_inner()));
        if !changes.is_empty() {
            if let Err(e) = reassign(&ctx, &client, &mut tasks, changes).await {
                failure = Some(e);
                break;
            }
            ready.store(true, Ordering::Relaxed);
        }
        let started = Instant::now();
        let mut alerts = Vec::new();
        let mut dead = None;
        let mut from_input = false;
        match received {
            Received::Error(e) => {
                ratelimit::consume_error(&mut errors, STAGE, &e);
                continue;
            }
            Received::Tick => {
                if idle_flush_due && last_input.elapsed() >= idle {
                    idle_flush_due = false;
                    for t in tasks.values_mut() {
                        let a = t.engine.flush();
                        t.dirty |= !a.is_empty();
                        alerts.extend(a);
                    }
                    alerting::sort_emissions(&mut alerts);
                    ctx.activity.alert_flushed.store(true, Ordering::Relaxed);
                }
            }
            Received::Message(m) => {
                from_input = true;
                ctx.metrics.received.with_label_values(&[STAGE]).inc();
                ctx.activity.alert_flushed.store(false, Ordering::Relaxed);
                last_input = Instant::now();
                idle_flush_due = true;
                let task = match tasks.get_mut(&m.partition()) {
                    Some(t) => t,
                    None => {
                        // A message of a partition whose assignment event was not seen: restore it.
                        let a = super::Assignment::Assigned(vec![(
                            m.topic().to_owned(),
                            m.partition(),
                        )]);
                        if let Err(e) = reassign(&ctx, &client, &mut tasks, vec![a]).await {
                            failure = Some(e);
                            break;
                        }
                        tasks.get_mut(&m.partition()).expect("just restored")
                    }
                };
                if m.offset() < task.skip_below {
                    ctx.activity.alert_in.fetch_add(1, Ordering::Relaxed);
                    continue; // already reflected in the restored state
                }
                task.next_offset = Some(m.offset() + 1);
                task.dirty = true;
                let payload = m.payload().unwrap_or(&[]);
                let origin = origin_of(&m);
                match serde_json::from_slice::<IndicatorRecord>(payload) {
                    Err(e) => {
                        dead = Some(DeadLetter::new(
                            RejectReason::InvalidJson,
                            None,
                            format!("not an indicator record: {e}"),
                            origin,
                            payload,
                            payload.len() as u64,
                            cfg.ingest.dlq_max_payload_bytes,
                        ));
                    }
                    Ok(rec) => match task.engine.process(&rec) {
                        Ok(a) => alerts = a,
                        Err(
                            e @ (alerting::AlertingError::Late { .. }
                            | alerting::AlertingError::BadTime { .. }),
                        ) => {
                            dead = Some(pipeline::late_indicator(
                                &rec,
                                e.to_string(),
                                origin,
                                cfg.ingest.dlq_max_payload_bytes,
                            ));
                        }
                        Err(e) => {
                            failure = Some(anyhow::Error::from(e).context("alerting"));
                            break;
                        }
                    },
                }
            }
        }
        let mut out = Outputs::new(&ctx, STAGE, None);
        if let Err(e) = emit(&ctx, &mut out, dead.as_ref(), alerts).await {
            failure = Some(e);
            break;
        }
        if from_input {
            ctx.metrics
                .processing
                .with_label_values(&[STAGE])
                .observe(started.elapsed().as_secs_f64());
            ctx.activity.alert_in.fetch_add(1, Ordering::Relaxed);
        }
        if !out.pending.deliveries.is_empty() && !out.hand_over(&ack_tx).await {
            break;
        }
        if last_checkpoint.elapsed() >= cfg.run.checkpoint_interval.as_std() {
            last_checkpoint = Instant::now();
            if let Err(e) = checkpoint_all(&ctx, &mut tasks, &ack_tx).await {
                failure = Some(e);
                break;
            }
        }
        if last_stats.elapsed() >= Duration::from_secs(1) {
            last_stats = Instant::now();
            publish_engine_stats(&ctx.metrics, tasks.values().map(|t| &t.engine));
        }
    }
    if failure.is_none() {
        // Graceful stop: everything processed is checkpointed before the offsets are committed.
        if let Err(e) = checkpoint_all(&ctx, &mut tasks, &ack_tx).await {
            failure = Some(e);
        }
    }
    let closed = close(&consumer, &ctx, ack_tx, acker, STAGE).await;
    tracing::info!("alert stage stopped");
    match failure {
        Some(e) => Err(e),
        None => closed,
    }
}

/// Produces a dead letter and alerts (with the wall-clock `emitted_at` of the live service).
async fn emit(
    ctx: &StageCtx,
    out: &mut Outputs<'_>,
    dead: Option<&DeadLetter>,
    alerts: Vec<alerting::Alert>,
) -> anyhow::Result<()> {
    if let Some(dl) = dead {
        out.dead_letter(dl).await?;
    }
    let now = ingest::format_time(&Utc::now());
    let topic = &ctx.cfg.kafka.topics.alerts;
    for mut a in alerts {
        a.emitted_at = now.clone();
        let json = serde_json::to_string(&a)?;
        out.send("alerts", topic, Some(&a.region.id), json.as_bytes())
            .await
            .context("producing alerts")?;
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

/// Queues a checkpoint of every changed partition behind the outputs already queued.
async fn checkpoint_all(
    ctx: &StageCtx,
    tasks: &mut BTreeMap<i32, PartitionTask>,
    ack_tx: &mpsc::Sender<Pending>,
) -> anyhow::Result<()> {
    let cfg = &ctx.cfg;
    for (&partition, t) in tasks.iter_mut().filter(|(_, t)| t.dirty) {
        let Some(next_offset) = t
            .next_offset
            .or((t.skip_below >= 0).then_some(t.skip_below))
        else {
            continue;
        };
        let cp = super::checkpoint::Checkpoint {
            version: super::checkpoint::CHECKPOINT_VERSION,
            topic: cfg.kafka.topics.indicators.clone(),
            partition,
            next_offset,
            snapshot: t.engine.snapshot(),
        };
        let mut out = Outputs::new(ctx, "alert", None);
        out.pending.checkpoint = Some(super::acks::CheckpointWrite {
            topic: cfg.kafka.topics.checkpoints.clone(),
            key: super::checkpoint::key(&alert_group(cfg), &cfg.kafka.topics.indicators, partition),
            payload: super::checkpoint::encode(&cp)?,
            partition,
            next_offset,
        });
        if !out.hand_over(ack_tx).await {
            anyhow::bail!("the acknowledgement task stopped");
        }
        t.dirty = false;
    }
    Ok(())
}

/// The consumer group of the alerting stage.
pub fn alert_group(cfg: &config::Config) -> String {
    format!("{}-alert", cfg.kafka.group_id)
}

/// Applies assignment changes: revoked partitions' state is dropped (the new owner resumes from their
/// last checkpoint); newly assigned partitions are restored from theirs.
async fn reassign(
    ctx: &StageCtx,
    client: &rdkafka::config::ClientConfig,
    tasks: &mut BTreeMap<i32, PartitionTask>,
    changes: Vec<super::Assignment>,
) -> anyhow::Result<()> {
    let cfg = &ctx.cfg;
    let mut wanted = Vec::new();
    for change in changes {
        match change {
            super::Assignment::Revoked(ps) => {
                for (_, p) in ps {
                    tasks.remove(&p);
                    wanted.retain(|&w| w != p);
                }
            }
            super::Assignment::Assigned(ps) => {
                for (_, p) in ps {
                    if !tasks.contains_key(&p) && !wanted.contains(&p) {
                        wanted.push(p);
                    }
                }
            }
        }
    }
    if wanted.is_empty() {
        return Ok(());
    }
    let group = alert_group(cfg);
    let keys: Vec<String> = wanted
        .iter()
        .map(|&p| super::checkpoint::key(&group, &cfg.kafka.topics.indicators, p))
        .collect();
    let reader = client.clone();
    let topic = cfg.kafka.topics.checkpoints.clone();
    let k = keys.clone();
    let found = tokio::task::spawn_blocking(move || {
        super::checkpoint::read_latest(reader, &topic, &k, Duration::from_secs(30))
    })
    .await
    .context("the checkpoint reader panicked")??;
    for (&p, key) in wanted.iter().zip(&keys) {
        let task = match found.get(key) {
            Some(cp) => {
                let engine =
                    alerting::Engine::restore(&cfg.alerting, &cfg.rules, cp.snapshot.clone())
                        .with_context(|| format!("restoring checkpoint {key}"))?;
                tracing::info!(
                    partition = p,
                    next_offset = cp.next_offset,
                    "state restored from checkpoint"
                );
                PartitionTask {
                    engine,
                    skip_below: cp.next_offset,
                    next_offset: None,
                    dirty: false,
                }
            }
            None => {
                tracing::info!(partition = p, "no checkpoint: starting with empty state");
                PartitionTask {
                    engine: crate::setup::engine(cfg)?,
                    skip_below: -1,
                    next_offset: None,
                    dirty: false,
                }
            }
        };
        tasks.insert(p, task);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::has_room;

    #[test]
    fn in_flight_bound_pauses_above_max_but_never_when_nothing_is_in_flight() {
        assert!(has_room(0, 1, 10));
        assert!(has_room(9, 1, 10));
        assert!(!has_room(10, 1, 10));
        assert!(!has_room(8, 3, 10));
        // One message with more outputs than the bound still passes once the rest is acknowledged.
        assert!(has_room(0, 25, 10));
        assert!(!has_room(1, 25, 10));
    }
}
