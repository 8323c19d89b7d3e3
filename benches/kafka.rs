//! Kafka end to end: `tocsin run` (the release binary, as a subprocess) against a real broker,
//! printed (never asserted).
//!
//! `TOCSIN_BENCH_BROKERS=127.0.0.1:PORT cargo bench --bench kafka` runs, for each rate of a sweep
//! (`$TOCSIN_BENCH_RATES`, default `2000,5000,10000,20000` reports/s), for `$TOCSIN_BENCH_SECONDS`
//! (default 15) seconds:
//!
//! 1. a fresh set of topics and a fresh `tocsin run` (both stages, three partitions);
//! 2. a producer sending the evaluation reports (`../shared/data/eval`, or `$TOCSIN_BENCH_DATA`)
//!    at that fixed rate, each with a fresh id `kb<step>-<n>` and an event time 5 minutes after the
//!    previous one (as the replay benchmark's feed), keyed by id;
//! 3. consumers of `indicators` and `alerts` that note when each message arrives.
//!
//! It prints what the service sustained (reports consumed by the enrich stage per second while the
//! producer ran, read from its `/metrics`, and how long it took to catch up afterwards) and the
//! latencies, all on this machine's monotonic clock:
//!
//! - **report → indicator**: from the moment the benchmark hands a report to its Kafka producer to
//!   the arrival of each indicator record derived from it (the record names the report id);
//! - **report → alert**: for `new` and `escalated` alert emissions (those a record triggers at
//!   once), from the producing of the newest report cited in the alert's evidence to the alert's
//!   arrival. `updated` emissions are held back by `alerting.update_interval` of event time and
//!   `resolved` ones are time-driven, so they have no producing moment to measure from.
//!
//! Without `TOCSIN_BENCH_BROKERS` it prints how to start a broker and stops. Each step leaves its
//! topics on the broker: restart an in-memory broker between large sweeps. See
//! `docs/performance.md`.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::Message;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::{Offset, TopicPartitionList};

const CORPORA: [&str; 2] = ["acled-dev.reports.ndjson", "geoparsing-dev.reports.ndjson"];

fn main() {
    let Some(brokers) = std::env::var("TOCSIN_BENCH_BROKERS")
        .ok()
        .filter(|b| !b.trim().is_empty())
    else {
        println!(
            "Kafka end-to-end benchmark skipped: set TOCSIN_BENCH_BROKERS to a broker, e.g.\n  \
             tansu broker --listener-url tcp://127.0.0.1:9092 --advertised-listener-url \
             tcp://127.0.0.1:9092 --storage-engine memory://tansu/ &\n  \
             TOCSIN_BENCH_BROKERS=127.0.0.1:9092 cargo bench --bench kafka"
        );
        return;
    };
    let rates: Vec<u64> = std::env::var("TOCSIN_BENCH_RATES")
        .unwrap_or_else(|_| "2000,5000,10000,20000".into())
        .split(',')
        .filter_map(|r| r.trim().parse().ok())
        .filter(|&r| r > 0)
        .collect();
    let seconds: u64 = std::env::var("TOCSIN_BENCH_SECONDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .filter(|&s| s > 0)
        .unwrap_or(15);
    let data = std::env::var_os("TOCSIN_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/eval"));
    let reports = load_reports(&data);
    if reports.is_empty() {
        println!(
            "no evaluation reports in {} (set TOCSIN_BENCH_DATA): skipped",
            data.display()
        );
        return;
    }
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!(
        "tocsin Kafka end-to-end benchmark ({cores} cores): broker {brokers}, {} distinct reports, \
         {seconds}s per rate",
        reports.len()
    );
    println!(
        "latency: report -> indicator = producer hand-off to each indicator record's arrival; \
         report -> alert = newest cited report to arrival of new/escalated alerts"
    );
    let run = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    for (step, &rate) in rates.iter().enumerate() {
        let tag = format!("{run}-{step}");
        match run_step(brokers.trim(), &reports, rate, seconds, &tag) {
            Ok(()) => {}
            Err(e) => println!("rate {rate}/s: failed: {e}"),
        }
    }
}

/// The evaluation reports as JSON objects (their ids and times are replaced when produced).
fn load_reports(dir: &Path) -> Vec<serde_json::Map<String, serde_json::Value>> {
    let mut out = Vec::new();
    for name in CORPORA {
        let path = dir.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            println!("skipping {}: not readable", path.display());
            continue;
        };
        out.extend(
            text.lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| match v {
                    serde_json::Value::Object(m) => Some(m),
                    _ => None,
                }),
        );
    }
    out
}

/// Stops the service on drop, so an error never leaves it running.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Service {
    /// SIGTERM, then up to 60 s for a graceful stop.
    fn stop(mut self) -> Option<std::process::ExitStatus> {
        // SAFETY: kill(2) on our own child's pid; no memory is involved.
        unsafe {
            libc::kill(self.0.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(60);
        while Instant::now() < deadline {
            if let Ok(Some(status)) = self.0.try_wait() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }
}

/// A loopback port free at the time of the call.
fn free_port() -> std::io::Result<u16> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

/// `GET path` on the service's HTTP listener: (status code, body).
fn http_get(port: u16, path: &str) -> std::io::Result<(u16, String)> {
    let mut s = std::net::TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    write!(s, "GET {path} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n")?;
    let mut text = String::new();
    s.read_to_string(&mut text)?;
    let code = text
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map_or(String::new(), |(_, b)| b.to_owned());
    Ok((code, body))
}

/// `tocsin_messages_received_total{stage="<stage>"}` from the service's metrics.
fn received(port: u16, stage: &str) -> Option<u64> {
    let (_, body) = http_get(port, "/metrics").ok()?;
    let prefix = format!("tocsin_messages_received_total{{stage=\"{stage}\"}} ");
    body.lines()
        .find_map(|l| l.strip_prefix(&prefix))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .map(|v| v as u64)
}

/// Arrival times of one topic's messages, in microseconds from the step's start, by what they are.
#[derive(Default)]
struct Arrivals {
    /// (report sequence number, arrival) per indicator record.
    indicators: Vec<(u64, u64)>,
    /// (newest cited report, arrival) per new or escalated alert.
    alerts: Vec<(u64, u64)>,
    /// Alert emissions of any status.
    all_alerts: u64,
}

/// The sequence number in a report id `kb<tag>-<n>` of this step.
fn seq_of(id: &str, prefix: &str) -> Option<u64> {
    id.strip_prefix(prefix)?.parse().ok()
}

/// Reads `topic` from its start until `stop`, noting each message's arrival.
fn consume(
    brokers: &str,
    topic: &str,
    prefix: &str,
    t0: Instant,
    stop: &AtomicBool,
) -> Result<Arrivals, KafkaError> {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("bench-{topic}"))
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "10")
        .create()?;
    let meta = consumer.fetch_metadata(Some(topic), Duration::from_secs(30))?;
    let mut tpl = TopicPartitionList::new();
    for t in meta.topics() {
        for p in t.partitions() {
            tpl.add_partition_offset(topic, p.id(), Offset::Beginning)?;
        }
    }
    consumer.assign(&tpl)?;
    let mut out = Arrivals::default();
    while !stop.load(Ordering::Relaxed) {
        let Some(m) = consumer.poll(Duration::from_millis(50)) else {
            continue;
        };
        let at = t0.elapsed().as_micros() as u64;
        let Ok(m) = m else { continue };
        let Some(v) = m
            .payload()
            .and_then(|p| serde_json::from_slice::<serde_json::Value>(p).ok())
        else {
            continue;
        };
        if let Some(seq) = v["report_id"].as_str().and_then(|id| seq_of(id, prefix)) {
            out.indicators.push((seq, at));
        } else if v["alert_id"].is_string() {
            out.all_alerts += 1;
            if matches!(v["status"].as_str(), Some("new" | "escalated")) {
                let newest = v["evidence"].as_array().and_then(|ev| {
                    ev.iter()
                        .filter_map(|e| e["report_id"].as_str().and_then(|id| seq_of(id, prefix)))
                        .max()
                });
                if let Some(seq) = newest {
                    out.alerts.push((seq, at));
                }
            }
        }
    }
    Ok(out)
}

/// p50, p99 and max of latencies in microseconds, as milliseconds.
fn percentiles(mut v: Vec<u64>) -> Option<(f64, f64, f64)> {
    if v.is_empty() {
        return None;
    }
    v.sort_unstable();
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize] as f64 / 1e3;
    Some((at(0.5), at(0.99), at(1.0)))
}

fn latencies(what: &str, pairs: &[(u64, u64)], produced: &[AtomicU64]) -> String {
    let v: Vec<u64> = pairs
        .iter()
        .filter_map(|&(seq, at)| {
            let sent = produced.get(seq as usize)?.load(Ordering::Relaxed);
            (sent > 0).then(|| at.saturating_sub(sent - 1))
        })
        .collect();
    let n = v.len();
    match percentiles(v) {
        Some((p50, p99, max)) => {
            format!("{what} p50 {p50:.0} ms, p99 {p99:.0} ms, max {max:.0} ms (n={n})")
        }
        None => format!("{what}: none"),
    }
}

fn run_step(
    brokers: &str,
    reports: &[serde_json::Map<String, serde_json::Value>],
    rate: u64,
    seconds: u64,
    tag: &str,
) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| format!("no temporary folder: {e}"))?;
    let port = free_port().map_err(|e| format!("no free port: {e}"))?;
    let topic = |t: &str| format!("bench-{t}-{tag}");
    let (reports_t, indicators_t, alerts_t) =
        (topic("reports"), topic("indicators"), topic("alerts"));
    let cfg = dir.path().join("tocsin.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"
[kafka]
brokers = "{brokers}"
group_id = "bench-{tag}"
partitions = 3

[kafka.topics]
reports = "{reports_t}"
indicators = "{indicators_t}"
alerts = "{alerts_t}"
dlq = "{dlq}"
checkpoints = "{checkpoints}"

[kafka.properties]
"fetch.wait.max.ms" = "10"

[alerting]
idle_timeout = "1s"

[metrics]
addr = "127.0.0.1:{port}"
"#,
            dlq = topic("dlq"),
            checkpoints = topic("checkpoints"),
        ),
    )
    .map_err(|e| format!("writing {}: {e}", cfg.display()))?;
    let log = dir.path().join("tocsin.log");
    let service = Service(
        Command::new(env!("CARGO_BIN_EXE_tocsin"))
            .arg("--config")
            .arg(&cfg)
            .args(["--log", "warn", "run"])
            .env(
                "TOCSIN_CACHE_DIR",
                std::env::temp_dir().join("tocsin-bench-cache"),
            )
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).map_err(|e| e.to_string())?)
            .spawn()
            .map_err(|e| format!("starting tocsin: {e}"))?,
    );
    let log_tail = || {
        std::fs::read_to_string(&log)
            .unwrap_or_default()
            .lines()
            .rev()
            .take(5)
            .collect::<Vec<_>>()
            .join(" | ")
    };
    // Ready: the gazetteer is loaded, topics exist and both stages hold their partitions.
    let deadline = Instant::now() + Duration::from_secs(120);
    while !matches!(http_get(port, "/readyz"), Ok((200, _))) {
        if Instant::now() > deadline {
            return Err(format!("tocsin not ready within 120 s: {}", log_tail()));
        }
        std::thread::sleep(Duration::from_millis(200));
    }

    let total = (rate * seconds) as usize;
    let produced: Arc<Vec<AtomicU64>> = Arc::new((0..total).map(|_| AtomicU64::new(0)).collect());
    let prefix = format!("kb{tag}-");
    let t0 = Instant::now();
    let stop = Arc::new(AtomicBool::new(false));
    let consumers: Vec<_> = [indicators_t.clone(), alerts_t.clone()]
        .into_iter()
        .map(|t| {
            let (brokers, prefix, stop) = (brokers.to_owned(), prefix.clone(), stop.clone());
            std::thread::spawn(move || consume(&brokers, &t, &prefix, t0, &stop))
        })
        .collect();

    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("linger.ms", "5")
        .set("queue.buffering.max.messages", "1000000")
        .create()
        .map_err(|e| format!("creating the producer: {e}"))?;
    let event_t0 = chrono::DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z")
        .map_err(|e| e.to_string())?
        .with_timezone(&chrono::Utc);
    let payloads: Vec<Vec<u8>> = (0..total)
        .map(|n| {
            let mut r = reports[n % reports.len()].clone();
            r.insert("id".into(), format!("{prefix}{n}").into());
            let t = event_t0 + chrono::Duration::minutes(5 * n as i64);
            r.insert("published_at".into(), ingest::format_time(&t).into());
            serde_json::to_vec(&r).unwrap_or_default()
        })
        .collect();
    let bytes: usize = payloads.iter().map(Vec::len).sum();
    let consumed_before = received(port, "enrich").unwrap_or(0);
    let start = Instant::now();
    let mut sent = 0usize;
    let mut samples = Vec::new();
    while sent < total {
        let due = ((start.elapsed().as_secs_f64() * rate as f64) as usize).min(total);
        while sent < due {
            let id = format!("{prefix}{sent}");
            let record = BaseRecord::<str, [u8]>::to(&reports_t)
                .key(&id)
                .payload(&payloads[sent]);
            let at = t0.elapsed().as_micros() as u64 + 1;
            match producer.send(record) {
                Ok(()) => {
                    produced[sent].store(at, Ordering::Relaxed);
                    sent += 1;
                }
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), _)) => {
                    producer.poll(Duration::from_millis(1));
                }
                Err((e, _)) => return Err(format!("producing: {e}")),
            }
        }
        producer.poll(Duration::ZERO);
        if samples.len() < start.elapsed().as_secs() as usize {
            samples.push(received(port, "enrich").unwrap_or(0));
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    let produce_time = start.elapsed();
    let consumed_at_end = received(port, "enrich").unwrap_or(0);
    if let Err(e) = producer.flush(Duration::from_secs(60)) {
        return Err(format!("flushing the producer: {e}"));
    }
    // Catch-up: every report consumed by the enrich stage.
    let deadline = Instant::now() + Duration::from_secs(300);
    let mut consumed = consumed_at_end;
    while consumed < consumed_before + total as u64 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
        consumed = received(port, "enrich").unwrap_or(consumed);
    }
    let caught_up = start.elapsed();
    // Let the outputs arrive, then stop reading.
    std::thread::sleep(Duration::from_secs(3));
    stop.store(true, Ordering::Relaxed);
    let mut arrivals = Vec::new();
    for c in consumers {
        match c.join() {
            Ok(Ok(a)) => arrivals.push(a),
            Ok(Err(e)) => return Err(format!("consuming: {e}")),
            Err(_) => return Err("a consumer thread panicked".into()),
        }
    }
    let status = service.stop();

    let secs = produce_time.as_secs_f64();
    let in_window = consumed_at_end.saturating_sub(consumed_before);
    // The steadiest second-by-second rate once the pipeline is warm (skip the first second).
    let per_second: Vec<u64> = samples
        .windows(2)
        .map(|w| w[1].saturating_sub(w[0]))
        .collect();
    let steady = if per_second.len() > 2 {
        let mut s = per_second[1..].to_vec();
        s.sort_unstable();
        s[s.len() / 2]
    } else {
        in_window
    };
    println!(
        "\n## {rate} reports/s for {seconds}s: produced {total} reports ({:.1} MB) at {:.0}/s",
        bytes as f64 / 1e6,
        total as f64 / secs
    );
    println!(
        "service: consumed {in_window} while producing ({:.0}/s; median second {steady}/s), \
         all {} after {:.1}s ({:.1}s after the producer stopped): sustained {:.0} reports/s",
        in_window as f64 / secs,
        consumed.saturating_sub(consumed_before),
        caught_up.as_secs_f64(),
        caught_up.as_secs_f64() - secs,
        (consumed.saturating_sub(consumed_before)) as f64 / caught_up.as_secs_f64()
    );
    let (indicators, alerts) = (&arrivals[0], &arrivals[1]);
    println!(
        "{}",
        latencies(
            &format!(
                "report -> indicator ({} records)",
                indicators.indicators.len()
            ),
            &indicators.indicators,
            &produced
        )
    );
    println!(
        "{}",
        latencies(
            &format!(
                "report -> alert ({} emissions, of which new/escalated)",
                alerts.all_alerts
            ),
            &alerts.alerts,
            &produced
        )
    );
    match status {
        Some(s) if s.success() => {}
        other => println!(
            "tocsin run did not stop cleanly ({other:?}): {}",
            log_tail()
        ),
    }
    Ok(())
}
