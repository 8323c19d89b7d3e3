//! `tocsin run`: the continuous service, both stages in one process by default.

use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use tracing::Instrument as _;

use super::stages::{alert_stage, enrich_stage, Activity, StageCtx};
use super::{Bus, StageContext};
use crate::cli::{Global, RunArgs, Stage};
use crate::metrics::{Health, Metrics};
use crate::setup;

pub fn run(global: &Global, args: &RunArgs) -> anyhow::Result<()> {
    let loaded = setup::load_config(global.config.as_deref())?;
    let mut cfg = loaded.config.clone();
    let stage = match args.stage {
        Some(s) => s,
        None => match cfg.run.stage.as_str() {
            "enrich" => Stage::Enrich,
            "alert" => Stage::Alert,
            _ => Stage::Both,
        },
    };
    if let Some(b) = &args.brokers {
        cfg.kafka.brokers = b.clone();
    }
    let runs_enrich = matches!(stage, Stage::Both | Stage::Enrich);
    let runs_alert = matches!(stage, Stage::Both | Stage::Alert);
    if let Some(a) = &args.metrics_addr {
        cfg.metrics.addr = a.clone();
    }
    let metrics = Arc::new(Metrics::new());
    let enricher = if runs_enrich {
        let e = setup::enricher_with(&loaded, |lex| {
            metrics
                .lexicon_entries
                .set(setup::lexicon_entries(lex) as i64);
        })?;
        let stats = e.gazetteer().stats();
        metrics.gazetteer_names.set(stats.names as i64);
        metrics.gazetteer_places.set(stats.places as i64);
        Some(Arc::new(e))
    } else {
        None
    };
    if runs_alert {
        setup::engine(&cfg)?; // the rules compile, before connecting
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    runtime.block_on(serve(cfg, args, metrics, enricher, runs_alert))
}

struct Task {
    name: &'static str,
    handle: JoinHandle<anyhow::Result<()>>,
}

async fn serve(
    cfg: config::Config,
    args: &RunArgs,
    metrics: Arc<Metrics>,
    enricher: Option<Arc<enrich::Enricher>>,
    runs_alert: bool,
) -> anyhow::Result<()> {
    let started = Instant::now();
    let bus = Bus::connect(&cfg.kafka, None)?;
    if bus.is_embedded() {
        eprintln!(
            "tocsin: embedded Kafka broker at {} (in memory, for demos and tests; set kafka.brokers \
             or --brokers for a real cluster)",
            bus.brokers
        );
    }
    tracing::info!(brokers = %bus.brokers, embedded = bus.is_embedded(), "connecting");
    bus.ensure_topics().await?;
    let producer = bus.producer()?;
    let activity = Arc::new(Activity::default());
    let (shutdown_tx, shutdown_rx) = watch::channel(false);
    let ctx = Arc::new(StageCtx {
        cfg: cfg.clone(),
        producer: producer.clone(),
        activity: activity.clone(),
        metrics: metrics.clone(),
        print_alerts: args.print_alerts || args.replay.is_some(),
    });
    let mut health = Health::default();
    let mut stage_context = |stage: &'static str| {
        let outputs: &[&str] = if stage == "enrich" {
            &["indicators", "dlq"]
        } else {
            &["alerts", "dlq"]
        };
        metrics.init_stage(stage, outputs);
        let assigned = Arc::new(std::sync::atomic::AtomicBool::new(false));
        health.stages.push((stage, assigned.clone()));
        StageContext {
            stage,
            metrics: metrics.clone(),
            assigned,
            stateful: stage == "alert",
            events: Default::default(),
        }
    };

    let mut tasks = Vec::new();
    if let Some(enricher) = enricher {
        let consumer = Arc::new(bus.consumer(
            &format!("{}-enrich", cfg.kafka.group_id),
            stage_context("enrich"),
        )?);
        tasks.push(Task {
            name: "enrich",
            handle: tokio::spawn(
                enrich_stage(ctx.clone(), consumer, enricher, shutdown_rx.clone())
                    .instrument(tracing::info_span!("enrich")),
            ),
        });
    }
    if runs_alert {
        let context = stage_context("alert");
        let (ready, events) = (context.assigned.clone(), context.events.clone());
        let consumer = Arc::new(bus.consumer(&super::stages::alert_group(&cfg), context)?);
        tasks.push(Task {
            name: "alert",
            handle: tokio::spawn(
                alert_stage(
                    ctx.clone(),
                    consumer,
                    bus.client_config(),
                    ready,
                    events,
                    shutdown_rx.clone(),
                )
                .instrument(tracing::info_span!("alert")),
            ),
        });
    }
    let runs_enrich = tasks.iter().any(|t| t.name == "enrich");
    let health = Arc::new(health);
    if !cfg.metrics.addr.is_empty() {
        let mut stop = shutdown_rx.clone();
        let local = crate::metrics::serve(
            &cfg.metrics.addr,
            metrics.clone(),
            health.clone(),
            async move {
                let _ = stop.changed().await;
            },
        )
        .await?;
        tracing::info!(addr = %local, "serving /metrics, /healthz and /readyz");
        eprintln!("tocsin: metrics at http://{local}/metrics");
    }

    let mut feeder: Option<JoinHandle<anyhow::Result<crate::pipeline::Totals>>> =
        args.replay.clone().map(|path: PathBuf| {
            let producer = producer.clone();
            let cfg = cfg.clone();
            tokio::spawn(async move {
                let topic = cfg.kafka.topics.reports.clone();
                super::produce::feed(&producer, &cfg, vec![path], &topic).await
            })
        });
    let mut fed: Option<u64> = None;

    let mut failure: Option<anyhow::Error> = None;
    let mut check = tokio::time::interval(Duration::from_millis(200));
    let mut sigterm = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .context("installing the SIGTERM handler")?;
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {
                tracing::info!("interrupted: shutting down");
                break;
            }
            _ = sigterm.recv() => {
                tracing::info!("terminated: shutting down");
                break;
            }
            done = async { feeder.as_mut().expect("guarded").await }, if feeder.is_some() => {
                feeder = None;
                match done.context("the feeder panicked").and_then(|r| r) {
                    Ok(t) => {
                        tracing::info!(reports = t.reports, rejected = t.rejected_total(), "replay file fed");
                        fed = Some(t.reports);
                    }
                    Err(e) => {
                        failure = Some(e.context("feeding the --replay file"));
                        break;
                    }
                }
            }
            _ = check.tick() => {
                health.publish(&metrics);
                if let Some(t) = tasks.iter().find(|t| t.handle.is_finished()) {
                    tracing::error!(stage = t.name, "stage stopped unexpectedly");
                    break;
                }
                if args.exit_when_idle {
                    if let Some(fed) = fed {
                        if idle_done(&activity, fed, runs_enrich, runs_alert) {
                            tracing::info!("input consumed and alerts published: exiting");
                            break;
                        }
                    }
                }
            }
        }
    }

    let _ = shutdown_tx.send(true);
    let deadline = cfg.run.shutdown_timeout.as_std() + Duration::from_secs(5);
    for t in tasks {
        match tokio::time::timeout(deadline, t.handle).await {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(e))) => {
                tracing::error!(stage = t.name, error = %format!("{e:#}"), "stage failed");
                failure.get_or_insert(e.context(format!("{} stage", t.name)));
            }
            Ok(Err(join)) => {
                failure.get_or_insert(anyhow::anyhow!("{} stage panicked: {join}", t.name));
            }
            Err(_) => {
                failure.get_or_insert(anyhow::anyhow!(
                    "{} stage did not stop within {:?}",
                    t.name,
                    deadline
                ));
            }
        }
    }
    let totals = activity
        .totals
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .clone();
    tracing::info!(summary = %totals.summary(started.elapsed()), "stopped");
    // Clients first: the embedded broker must outlive them.
    drop(ctx);
    drop(producer);
    drop(bus);
    match failure {
        Some(e) => Err(e),
        None => Ok(()),
    }
}

/// Everything fed was consumed by the stages this process runs, the alert windows were flushed after
/// the last input, and every output is acknowledged.
fn idle_done(a: &Activity, fed: u64, runs_enrich: bool, runs_alert: bool) -> bool {
    let records = a.totals.lock().unwrap_or_else(|e| e.into_inner()).records;
    let enrich_done = !runs_enrich || a.enrich_in.load(Ordering::Relaxed) >= fed;
    let alert_done = !runs_alert
        || (a.alert_in.load(Ordering::Relaxed) >= records
            && (records == 0 || a.alert_flushed.load(Ordering::Relaxed)));
    enrich_done && alert_done && a.unacked.load(Ordering::Relaxed) == 0
}
