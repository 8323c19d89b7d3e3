//! Nothing lost, nothing counted twice: `tocsin run` killed with SIGKILL at random points and
//! restarted, and an alerting instance leaving its group mid-stream, must publish the same alert
//! emissions as an uninterrupted run. Runs against the broker in `TOCSIN_TEST_BROKERS` (CI starts
//! tansu), or else against the embedded mock cluster held by this test.

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::*;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, DefaultProducerContext, Producer};

/// The sample feed ten times over, each copy 21 days later with its own ids: 2,440 reports.
fn long_feed() -> Vec<String> {
    let feed = std::fs::read_to_string(sample_feed()).unwrap();
    let mut out = Vec::new();
    for copy in 0..10i64 {
        for line in feed.lines() {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            let t = chrono::DateTime::parse_from_rfc3339(v["published_at"].as_str().unwrap())
                .unwrap()
                + chrono::Duration::days(21 * copy);
            v["published_at"] = t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true).into();
            v["id"] = format!("{}-{copy}", v["id"].as_str().unwrap()).into();
            out.push(v.to_string());
        }
    }
    out
}

struct Broker {
    brokers: String,
    mock: Option<MockCluster<'static, DefaultProducerContext>>,
}

impl Broker {
    fn get() -> Broker {
        match std::env::var("TOCSIN_TEST_BROKERS") {
            Ok(b) if !b.trim().is_empty() => Broker {
                brokers: b.trim().to_owned(),
                mock: None,
            },
            _ => {
                let mock = MockCluster::new(1).unwrap();
                Broker {
                    brokers: mock.bootstrap_servers(),
                    mock: Some(mock),
                }
            }
        }
    }

    /// Creates `name` with `partitions` partitions.
    fn topic(&self, name: &str, partitions: i32) {
        if let Some(mock) = &self.mock {
            mock.create_topic(name, partitions, 1).unwrap();
            return;
        }
        let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
            .set("bootstrap.servers", &self.brokers)
            .create()
            .unwrap();
        let rt = tokio::runtime::Runtime::new().unwrap();
        let topic = NewTopic::new(name, partitions, TopicReplication::Fixed(1));
        let res = rt
            .block_on(admin.create_topics([&topic], &AdminOptions::new()))
            .unwrap();
        for r in res {
            r.unwrap();
        }
    }
}

/// One run's topics and config file.
struct Setup {
    dir: tempfile::TempDir,
    config: std::path::PathBuf,
    alerts: String,
}

fn setup(broker: &Broker, name: &str) -> Setup {
    let n = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let s = format!("{name}-{}-{n}", std::process::id());
    let t = |what: &str| format!("{what}-{s}");
    broker.topic(&t("reports"), 1);
    broker.topic(&t("indicators"), 3);
    broker.topic(&t("alerts"), 1);
    broker.topic(&t("dlq"), 1);
    broker.topic(&t("checkpoints"), 1);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tocsin.toml");
    std::fs::write(
        &config,
        format!(
            r#"
[kafka]
brokers = "{brokers}"
group_id = "{group}"
create_topics = false

[kafka.topics]
reports = "{reports}"
indicators = "{indicators}"
alerts = "{alerts}"
dlq = "{dlq}"
checkpoints = "{checkpoints}"

[kafka.properties]
"fetch.wait.max.ms" = "10"
"session.timeout.ms" = "6000"
"heartbeat.interval.ms" = "500"

[alerting]
idle_timeout = "1s"

[run]
checkpoint_interval = "1s"
shutdown_timeout = "20s"

[metrics]
addr = ""
"#,
            brokers = broker.brokers,
            group = t("tocsin"),
            reports = t("reports"),
            indicators = t("indicators"),
            alerts = t("alerts"),
            dlq = t("dlq"),
            checkpoints = t("checkpoints"),
        ),
    )
    .unwrap();
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &broker.brokers)
        .set("enable.idempotence", "true")
        .create()
        .unwrap();
    for line in long_feed() {
        loop {
            match producer.send(BaseRecord::<(), str>::to(&t("reports")).payload(&line)) {
                Ok(()) => break,
                Err((e, _)) => {
                    assert!(e.to_string().contains("Queue full"), "{e}");
                    producer.poll(Duration::from_millis(50));
                }
            }
        }
    }
    producer.flush(Duration::from_secs(60)).unwrap();
    Setup {
        dir,
        config,
        alerts: t("alerts"),
    }
}

fn start(s: &Setup, args: &[&str], log: &str) -> Child {
    tocsin()
        .arg("--config")
        .arg(&s.config)
        .args(["--log", "info", "run"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(s.dir.path().join(log)).unwrap())
        .spawn()
        .unwrap()
}

fn stop(mut child: Child, signal: &str) -> std::process::ExitStatus {
    let pid = child.id().to_string();
    std::process::Command::new("kill")
        .args([signal, &pid])
        .status()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(st) = child.try_wait().unwrap() {
            return st;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("tocsin did not stop after {signal}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn log_of(s: &Setup, name: &str) -> String {
    std::fs::read_to_string(s.dir.path().join(name)).unwrap_or_default()
}

/// Reads `topic` until it has been quiet for `quiet` (and holds at least one message): every alert
/// emission, keyed by (alert_id, version), with its content (without `emitted_at`). Panics if one
/// emission is seen twice with different content.
fn alerts(
    brokers: &str,
    topic: &str,
    quiet: Duration,
    within: Duration,
) -> (BTreeMap<(String, u64), String>, usize) {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("check-{topic}"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "10")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    let deadline = Instant::now() + within;
    let mut last = Instant::now();
    let mut seen = BTreeMap::new();
    let mut total = 0;
    while Instant::now() < deadline && (total == 0 || last.elapsed() < quiet) {
        let Some(m) = consumer.poll(Duration::from_millis(100)) else {
            continue;
        };
        let m = m.unwrap();
        let v: serde_json::Value = serde_json::from_slice(m.payload().unwrap()).unwrap();
        let key = (
            v["alert_id"].as_str().unwrap().to_owned(),
            v["version"].as_u64().unwrap(),
        );
        let content = without_emitted_at(v);
        if let Some(before) = seen.insert(key.clone(), content.clone()) {
            assert_eq!(
                before, content,
                "emission {key:?} re-emitted with other content"
            );
        }
        total += 1;
        last = Instant::now();
    }
    (seen, total)
}

fn assert_same(
    what: &str,
    want: &BTreeMap<(String, u64), String>,
    got: &BTreeMap<(String, u64), String>,
    log: &str,
) {
    let missing: Vec<_> = want.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<_> = got.keys().filter(|k| !want.contains_key(*k)).collect();
    let differ: Vec<_> = want
        .iter()
        .filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v))
        .map(|(k, _)| k)
        .collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "{what}: {} missing {missing:?}\n{} extra {extra:?}\n{} differ {differ:?}\nlast log:\n{}",
        missing.len(),
        extra.len(),
        differ.len(),
        &log[log.len().saturating_sub(4000)..]
    );
}

/// A small deterministic generator for the kill times.
fn pauses(n: usize) -> Vec<Duration> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_millis(1500 + x % 3500)
        })
        .collect()
}

#[test]
fn crashes_and_rebalances_neither_lose_nor_double_count() {
    let broker = Broker::get();
    let quiet = Duration::from_secs(8);
    let within = Duration::from_secs(300);

    // The reference: one uninterrupted run.
    let a = setup(&broker, "steady");
    let run = start(&a, &[], "steady.log");
    let (want, _) = alerts(&broker.brokers, &a.alerts, quiet, within);
    let st = stop(run, "-TERM");
    assert!(
        st.success(),
        "uninterrupted run exited with {st:?}\n{}",
        log_of(&a, "steady.log")
    );
    assert!(
        want.len() > 50,
        "the long feed raises many alert emissions: {}",
        want.len()
    );

    // Killed with SIGKILL ten times at random points, restarted each time.
    let b = setup(&broker, "crash");
    for (i, pause) in pauses(10).into_iter().enumerate() {
        let child = start(&b, &[], &format!("crash-{i}.log"));
        std::thread::sleep(pause);
        stop(child, "-KILL");
    }
    let last = start(&b, &[], "crash-final.log");
    let (got, total) = alerts(&broker.brokers, &b.alerts, quiet, within);
    let st = stop(last, "-TERM");
    assert!(
        st.success(),
        "final run exited with {st:?}\n{}",
        log_of(&b, "crash-final.log")
    );
    assert_same(
        "after 10 crashes",
        &want,
        &got,
        &log_of(&b, "crash-final.log"),
    );
    eprintln!(
        "crash test: {} emissions, {} messages on the alerts topic (re-emissions after crashes included)",
        got.len(),
        total
    );

    // Two alerting instances in one group; one leaves mid-stream, the survivor takes over.
    let c = setup(&broker, "rebalance");
    let enrich = start(&c, &["--stage", "enrich"], "enrich.log");
    let alert1 = start(&c, &["--stage", "alert"], "alert1.log");
    let alert2 = start(&c, &["--stage", "alert"], "alert2.log");
    std::thread::sleep(Duration::from_secs(8));
    stop(alert2, "-KILL");
    let (got, _) = alerts(&broker.brokers, &c.alerts, quiet, within);
    for (child, log) in [(alert1, "alert1.log"), (enrich, "enrich.log")] {
        let st = stop(child, "-TERM");
        assert!(st.success(), "{log}: {st:?}\n{}", log_of(&c, log));
    }
    assert_same("after a rebalance", &want, &got, &log_of(&c, "alert1.log"));
    drop(broker);
    let _ = Path::new("");
}
