//! Telemetry: every Prometheus metric the service exposes is defined here, once, and served with
//! `/healthz` and `/readyz` on one HTTP listener (loopback by default). Names follow Prometheus
//! conventions (`tocsin_<thing>_<unit>`, `_total` for counters); labels come from small fixed sets.
//! The reference is `docs/metrics.md`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::Context as _;
use prometheus::{
    Encoder as _, Gauge, HistogramOpts, HistogramVec, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// All metrics of one process.
pub struct Metrics {
    registry: Registry,
    pub received: IntCounterVec,
    pub sent: IntCounterVec,
    pub rejected: IntCounterVec,
    pub processing: HistogramVec,
    pub lag: IntGaugeVec,
    pub unacked: IntGaugeVec,
    pub indicators: IntCounterVec,
    pub unlocated: IntCounter,
    pub alerts: IntCounterVec,
    pub open_alerts: IntGaugeVec,
    pub windows: IntGauge,
    pub watermark: Gauge,
    pub gazetteer_names: IntGauge,
    pub gazetteer_places: IntGauge,
    pub lexicon_entries: IntGauge,
    pub ready: IntGaugeVec,
}

fn counter_vec(r: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    r.register(Box::new(c.clone())).expect("registered once");
    c
}

fn gauge_vec(r: &Registry, name: &str, help: &str, labels: &[&str]) -> IntGaugeVec {
    let g = IntGaugeVec::new(Opts::new(name, help), labels).expect("valid metric");
    r.register(Box::new(g.clone())).expect("registered once");
    g
}

fn gauge(r: &Registry, name: &str, help: &str) -> IntGauge {
    let g = IntGauge::new(name, help).expect("valid metric");
    r.register(Box::new(g.clone())).expect("registered once");
    g
}

impl Metrics {
    pub fn new() -> Self {
        let r = Registry::new();
        let build = gauge_vec(
            &r,
            "tocsin_build_info",
            "Build information; always 1.",
            &["version"],
        );
        build.with_label_values(&[env!("CARGO_PKG_VERSION")]).set(1);
        let processing = HistogramVec::new(
            HistogramOpts::new(
                "tocsin_processing_seconds",
                "Time to process one consumed message.",
            )
            .buckets(vec![
                0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0,
            ]),
            &["stage"],
        )
        .expect("valid metric");
        r.register(Box::new(processing.clone()))
            .expect("registered once");
        let unlocated = IntCounter::new(
            "tocsin_reports_unlocated_total",
            "Reports with indicators but no location, which cannot be aggregated per region.",
        )
        .expect("valid metric");
        r.register(Box::new(unlocated.clone()))
            .expect("registered once");
        let watermark = Gauge::new(
            "tocsin_alerting_watermark_seconds",
            "Event-time watermark of the alerting stage, as Unix time.",
        )
        .expect("valid metric");
        r.register(Box::new(watermark.clone()))
            .expect("registered once");
        Metrics {
            received: counter_vec(
                &r,
                "tocsin_messages_received_total",
                "Messages consumed, per stage.",
                &["stage"],
            ),
            sent: counter_vec(
                &r,
                "tocsin_messages_sent_total",
                "Messages produced and acknowledged, per stage and output.",
                &["stage", "output"],
            ),
            rejected: counter_vec(
                &r,
                "tocsin_messages_rejected_total",
                "Messages sent to the dead-letter output, per stage and reason code.",
                &["stage", "reason"],
            ),
            processing,
            lag: gauge_vec(
                &r,
                "tocsin_consumer_lag_messages",
                "Consumer lag per partition, from librdkafka statistics.",
                &["stage", "topic", "partition"],
            ),
            unacked: gauge_vec(
                &r,
                "tocsin_unacked_messages",
                "Messages produced but not yet acknowledged by the brokers.",
                &["stage"],
            ),
            indicators: counter_vec(
                &r,
                "tocsin_indicators_total",
                "Indicators found, per kind.",
                &["kind"],
            ),
            unlocated,
            alerts: counter_vec(
                &r,
                "tocsin_alerts_total",
                "Alert emissions, per status.",
                &["status"],
            ),
            open_alerts: gauge_vec(
                &r,
                "tocsin_alerting_open_alerts",
                "Open alerts, per severity.",
                &["severity"],
            ),
            windows: gauge(
                &r,
                "tocsin_alerting_windows",
                "Window states held by the alerting stage.",
            ),
            watermark,
            gazetteer_names: gauge(
                &r,
                "tocsin_gazetteer_names",
                "Distinct names in the loaded gazetteer.",
            ),
            gazetteer_places: gauge(
                &r,
                "tocsin_gazetteer_places",
                "Places in the loaded gazetteer.",
            ),
            lexicon_entries: gauge(
                &r,
                "tocsin_lexicon_entries",
                "Phrases in the loaded lexicons.",
            ),
            ready: gauge_vec(
                &r,
                "tocsin_ready",
                "1 when the stage is ready (assigned and restored).",
                &["stage"],
            ),
            registry: r,
        }
    }

    /// The text exposition format.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        TextEncoder::new()
            .encode(&self.registry.gather(), &mut buf)
            .expect("text encoding cannot fail");
        String::from_utf8(buf).expect("the text format is UTF-8")
    }

    /// Creates the series of a stage's fixed label values at zero, so that rates and absence alerts
    /// see a stage that has not yet seen any traffic.
    pub fn init_stage(&self, stage: &str, outputs: &[&str]) {
        self.received.with_label_values(&[stage]);
        self.processing.with_label_values(&[stage]);
        self.unacked.with_label_values(&[stage]);
        self.ready.with_label_values(&[stage]);
        for o in outputs {
            self.sent.with_label_values(&[stage, o]);
        }
        if stage == "alert" {
            for status in ["new", "updated", "escalated", "resolved"] {
                self.alerts.with_label_values(&[status]);
            }
            for sev in ["low", "medium", "high", "critical"] {
                self.open_alerts.with_label_values(&[sev]);
            }
        }
    }

    /// Forgets the lag of partitions this instance no longer owns.
    pub fn forget_lag(&self, stage: &str, topic: &str, partition: i32) {
        let p = partition.to_string();
        let _ = self.lag.remove_label_values(&[stage, topic, &p]);
    }

    /// Records librdkafka statistics (JSON) of a consumer: per-partition consumer lag.
    pub fn record_statistics(&self, stage: &str, json: &[u8]) {
        let Ok(v) = serde_json::from_slice::<serde_json::Value>(json) else {
            return;
        };
        let Some(topics) = v.get("topics").and_then(|t| t.as_object()) else {
            return;
        };
        for (topic, t) in topics {
            let Some(parts) = t.get("partitions").and_then(|p| p.as_object()) else {
                continue;
            };
            for (p, pv) in parts {
                if p == "-1" {
                    continue; // librdkafka's internal unassigned partition
                }
                if let Some(lag) = pv.get("consumer_lag").and_then(|l| l.as_i64()) {
                    if lag >= 0 {
                        self.lag.with_label_values(&[stage, topic, p]).set(lag);
                    }
                }
            }
        }
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

/// Readiness of the stages this process runs: each flag is set by its consumer's rebalance callback
/// once partitions are assigned (and, for a stateful stage, its state restored).
#[derive(Default)]
pub struct Health {
    pub stages: Vec<(&'static str, Arc<AtomicBool>)>,
}

impl Health {
    pub fn is_ready(&self) -> bool {
        self.stages.iter().all(|(_, f)| f.load(Ordering::Relaxed))
    }

    /// Mirrors readiness into the `tocsin_ready` gauge.
    pub fn publish(&self, metrics: &Metrics) {
        for (stage, f) in &self.stages {
            metrics
                .ready
                .with_label_values(&[stage])
                .set(i64::from(f.load(Ordering::Relaxed)));
        }
    }
}

/// Serves `/metrics`, `/healthz` and `/readyz` until `shutdown` resolves.
pub async fn serve(
    addr: &str,
    metrics: Arc<Metrics>,
    health: Arc<Health>,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<SocketAddr> {
    use axum::routing::get;
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr} (metrics.addr / --metrics-addr)"))?;
    let local = listener.local_addr()?;
    let m = metrics.clone();
    let h = health.clone();
    let app = axum::Router::new()
        .route(
            "/metrics",
            get(move || {
                let m = m.clone();
                async move {
                    (
                        [(
                            axum::http::header::CONTENT_TYPE,
                            "text/plain; version=0.0.4",
                        )],
                        m.render(),
                    )
                }
            }),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .route(
            "/readyz",
            get(move || {
                let h = h.clone();
                async move {
                    if h.is_ready() {
                        (axum::http::StatusCode::OK, "ready\n")
                    } else {
                        (axum::http::StatusCode::SERVICE_UNAVAILABLE, "not ready\n")
                    }
                }
            }),
        );
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app)
            .with_graceful_shutdown(shutdown)
            .await
        {
            tracing::error!(error = %e, "metrics listener failed");
        }
    });
    Ok(local)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_prometheus_text_with_the_documented_names() {
        let m = Metrics::new();
        m.received.with_label_values(&["enrich"]).inc();
        m.processing.with_label_values(&["enrich"]).observe(0.002);
        m.rejected
            .with_label_values(&["enrich", "invalid_json"])
            .inc();
        let text = m.render();
        for name in [
            "tocsin_build_info",
            "tocsin_messages_received_total{stage=\"enrich\"} 1",
            "tocsin_messages_rejected_total{reason=\"invalid_json\",stage=\"enrich\"} 1",
            "# TYPE tocsin_processing_seconds histogram",
        ] {
            assert!(text.contains(name), "{name} missing from:\n{text}");
        }
    }

    #[test]
    fn stage_series_exist_before_traffic_and_revoked_lag_is_forgotten() {
        let m = Metrics::new();
        m.init_stage("enrich", &["indicators", "dlq"]);
        let text = m.render();
        assert!(
            text.contains("tocsin_messages_received_total{stage=\"enrich\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("tocsin_messages_sent_total{output=\"dlq\",stage=\"enrich\"} 0"),
            "{text}"
        );
        m.lag.with_label_values(&["enrich", "reports", "3"]).set(9);
        m.forget_lag("enrich", "reports", 3);
        assert!(!m.render().contains("partition=\"3\""));
    }

    #[test]
    fn consumer_lag_comes_from_librdkafka_statistics() {
        let m = Metrics::new();
        let stats = br#"{"topics":{"reports":{"partitions":{"0":{"consumer_lag":42},"1":{"consumer_lag":-1},"-1":{"consumer_lag":7}}}}}"#;
        m.record_statistics("enrich", stats);
        assert_eq!(
            m.lag.with_label_values(&["enrich", "reports", "0"]).get(),
            42
        );
        let text = m.render();
        assert!(!text.contains("partition=\"-1\""), "{text}");
        assert!(
            !text.contains("partition=\"1\""),
            "negative lag (unknown) is not reported: {text}"
        );
    }

    #[test]
    fn readiness_needs_every_stage() {
        let (a, b) = (
            Arc::new(AtomicBool::new(false)),
            Arc::new(AtomicBool::new(false)),
        );
        let h = Health {
            stages: vec![("enrich", a.clone()), ("alert", b.clone())],
        };
        assert!(!h.is_ready());
        a.store(true, Ordering::Relaxed);
        assert!(!h.is_ready());
        b.store(true, Ordering::Relaxed);
        assert!(h.is_ready());
        let m = Metrics::new();
        h.publish(&m);
        assert!(m.render().contains("tocsin_ready{stage=\"alert\"} 1"));
    }
}
