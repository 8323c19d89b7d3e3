//! Brokers and runs of `tocsin run` for the end-to-end tests of the Kafka service: the embedded mock
//! cluster held by the test, the broker in `TOCSIN_TEST_BROKERS` (CI starts tansu), or a tansu
//! process of the test's own (`TOCSIN_TEST_TANSU`, the binary) when the test must stop it.

use std::collections::BTreeMap;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant, SystemTime};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, DefaultProducerContext, Producer};

use super::*;

pub enum Kind {
    Mock(MockCluster<'static, DefaultProducerContext>),
    Shared,
    /// A tansu process this test started (and may stop).
    Tansu(Child),
}

pub struct Broker {
    pub brokers: String,
    pub kind: Kind,
}

impl Drop for Broker {
    fn drop(&mut self) {
        if let Kind::Tansu(child) = &mut self.kind {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

impl Broker {
    /// The broker of `TOCSIN_TEST_BROKERS`, else the embedded mock cluster.
    pub fn get() -> Broker {
        match std::env::var("TOCSIN_TEST_BROKERS") {
            Ok(b) if !b.trim().is_empty() => Broker {
                brokers: b.trim().to_owned(),
                kind: Kind::Shared,
            },
            _ => Broker::mock(),
        }
    }

    pub fn mock() -> Broker {
        let mock = MockCluster::new(1).unwrap();
        Broker {
            brokers: mock.bootstrap_servers(),
            kind: Kind::Mock(mock),
        }
    }

    /// A tansu process of this test's own, when `TOCSIN_TEST_TANSU` names the binary.
    pub fn own_tansu() -> Option<Broker> {
        let bin = std::env::var("TOCSIN_TEST_TANSU").ok()?;
        let port = free_port();
        let url = format!("tcp://127.0.0.1:{port}");
        let child = std::process::Command::new(bin)
            .args([
                "broker",
                "--listener-url",
                &url,
                "--advertised-listener-url",
                &url,
            ])
            .args(["--storage-engine", "memory://tansu/"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start TOCSIN_TEST_TANSU");
        let deadline = Instant::now() + Duration::from_secs(30);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "tansu did not listen on {port}");
            std::thread::sleep(Duration::from_millis(100));
        }
        Some(Broker {
            brokers: format!("127.0.0.1:{port}"),
            kind: Kind::Tansu(child),
        })
    }

    pub fn is_mock(&self) -> bool {
        matches!(self.kind, Kind::Mock(_))
    }

    /// Creates `name` with `partitions` partitions.
    pub fn topic(&self, name: &str, partitions: i32) {
        if let Kind::Mock(mock) = &self.kind {
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

    /// Makes the broker unreachable (the mock refuses connections; a tansu process of the test's
    /// own is frozen with SIGSTOP), or reachable again.
    pub fn set_down(&self, down: bool) {
        match &self.kind {
            Kind::Mock(mock) => {
                if down {
                    mock.broker_down(1).unwrap();
                } else {
                    mock.broker_up(1).unwrap();
                }
            }
            Kind::Tansu(child) => {
                let signal = if down { "-STOP" } else { "-CONT" };
                let st = std::process::Command::new("kill")
                    .args([signal, &child.id().to_string()])
                    .status()
                    .unwrap();
                assert!(st.success());
            }
            Kind::Shared => panic!("the shared broker cannot be stopped by a test"),
        }
    }
}

/// One run's topics and config file.
pub struct Setup {
    pub dir: tempfile::TempDir,
    pub config: std::path::PathBuf,
    pub reports: String,
    pub alerts: String,
    pub dlq: String,
}

/// Settings a test adds to the common configuration of [`setup`].
#[derive(Default)]
pub struct Extra<'a> {
    /// More `[kafka.properties]`, or other values for the common ones.
    pub properties: &'a [(&'a str, &'a str)],
    /// More `[run]` settings.
    pub run: &'a [(&'a str, &'a str)],
}

/// Topics with a unique suffix (`partitions` for reports and indicators), and a config file for
/// them.
pub fn setup(broker: &Broker, name: &str, partitions: (i32, i32), extra: Extra<'_>) -> Setup {
    let n = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let s = format!("{name}-{}-{n}", std::process::id());
    let t = |what: &str| format!("{what}-{s}");
    broker.topic(&t("reports"), partitions.0);
    broker.topic(&t("indicators"), partitions.1);
    broker.topic(&t("alerts"), 1);
    broker.topic(&t("dlq"), 1);
    broker.topic(&t("checkpoints"), 1);
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("tocsin.toml");
    let mut properties: BTreeMap<&str, &str> = [
        ("fetch.wait.max.ms", "10"),
        ("session.timeout.ms", "6000"),
        ("heartbeat.interval.ms", "500"),
    ]
    .into_iter()
    .collect();
    properties.extend(extra.properties.iter().copied());
    let properties: String = properties
        .iter()
        .map(|(k, v)| format!("{k:?} = {v:?}\n"))
        .collect();
    let run: String = extra
        .run
        .iter()
        .map(|(k, v)| format!("{k} = {v}\n"))
        .collect();
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
{properties}
[alerting]
idle_timeout = "1s"

[run]
checkpoint_interval = "1s"
shutdown_timeout = "20s"
{run}
[metrics]
addr = "127.0.0.1:0"
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
    Setup {
        dir,
        config,
        reports: t("reports"),
        alerts: t("alerts"),
        dlq: t("dlq"),
    }
}

/// The sample feed `copies` times over, each copy 21 days later with its own ids.
pub fn long_feed(copies: i64) -> Vec<String> {
    let feed = std::fs::read_to_string(sample_feed()).unwrap();
    let mut out = Vec::new();
    for copy in 0..copies {
        for line in feed.lines().filter(|l| !l.trim().is_empty()) {
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

/// Produces `lines` to `topic` (idempotent producer; waits while its queue is full), then flushes.
pub fn produce<L: AsRef<[u8]>>(
    brokers: &str,
    topic: &str,
    lines: &[L],
    pause_every: Option<(usize, Duration)>,
) {
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("enable.idempotence", "true")
        .set("message.timeout.ms", "300000")
        .create()
        .unwrap();
    for (i, line) in lines.iter().enumerate() {
        if let Some((every, pause)) = pause_every {
            if i > 0 && i % every == 0 {
                producer.poll(Duration::ZERO);
                std::thread::sleep(pause);
            }
        }
        loop {
            match producer.send(BaseRecord::<(), [u8]>::to(topic).payload(line.as_ref())) {
                Ok(()) => break,
                Err((e, _)) => {
                    assert!(e.to_string().contains("Queue full"), "{e}");
                    producer.poll(Duration::from_millis(50));
                }
            }
        }
    }
    producer.flush(Duration::from_secs(300)).unwrap();
}

/// A running `tocsin run`, killed if the test ends (or fails) before it is stopped.
pub struct Running(Option<Child>);

impl std::ops::Deref for Running {
    type Target = Child;
    fn deref(&self) -> &Child {
        self.0.as_ref().expect("running")
    }
}

impl std::ops::DerefMut for Running {
    fn deref_mut(&mut self) -> &mut Child {
        self.0.as_mut().expect("running")
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Some(mut c) = self.0.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Starts `tocsin run` with the setup's config; its stderr goes to `log` in the setup's folder.
pub fn start(s: &Setup, args: &[&str], log: &str) -> Running {
    Running(Some(
        tocsin()
            .arg("--config")
            .arg(&s.config)
            .args(["--log", "info", "run"])
            .args(args)
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(s.dir.path().join(log)).unwrap())
            .spawn()
            .unwrap(),
    ))
}

/// Sends `signal` and waits (up to a minute) for the process to exit.
pub fn stop(mut run: Running, signal: &str) -> std::process::ExitStatus {
    let mut child = run.0.take().expect("running");
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

pub fn log_of(s: &Setup, name: &str) -> String {
    std::fs::read_to_string(s.dir.path().join(name)).unwrap_or_default()
}

/// Reads `topic` until it has been quiet for `quiet` (and holds at least one message): every alert
/// emission, keyed by (alert_id, version), with its content (without `emitted_at`). Panics if one
/// emission is seen twice with different content. Also returns the number of messages read.
pub fn alerts(
    brokers: &str,
    topic: &str,
    quiet: Duration,
    within: Duration,
) -> (BTreeMap<(String, u64), String>, usize) {
    let consumer = reader(brokers, topic);
    let deadline = Instant::now() + within;
    let mut last = Instant::now();
    let mut seen = BTreeMap::new();
    let mut total = 0;
    while Instant::now() < deadline && (total == 0 || last.elapsed() < quiet) {
        let Some(m) = consumer.poll(Duration::from_millis(100)) else {
            continue;
        };
        let Ok(m) = m else { continue };
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

/// The alert emissions `tocsin replay` gives for `lines`, keyed as [`alerts`] keys them.
pub fn replayed(lines: &[String]) -> BTreeMap<(String, u64), String> {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.ndjson");
    std::fs::write(&feed, lines.join("\n") + "\n").unwrap();
    let out = dir.path().join("alerts.ndjson");
    run_ok(
        tocsin()
            .arg("replay")
            .arg(&feed)
            .arg("-o")
            .arg(&out)
            .arg("-q"),
    );
    read_lines(&out)
        .into_iter()
        .map(|v| {
            let key = (
                v["alert_id"].as_str().unwrap().to_owned(),
                v["version"].as_u64().unwrap(),
            );
            (key, without_emitted_at(v))
        })
        .collect()
}

/// Fails with a listing of what differs between two sets of alert emissions.
pub fn assert_same(
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

/// The `http://ADDR` of the metrics listener, from the service's log.
pub fn metrics_addr(s: &Setup, log: &str) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(a) = log_of(s, log).lines().find_map(|l| {
            l.strip_prefix("tocsin: metrics at http://")
                .and_then(|r| r.strip_suffix("/metrics"))
                .map(str::to_owned)
        }) {
            return a;
        }
        assert!(Instant::now() < deadline, "no metrics address in {log}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

pub fn scrape(addr: &str) -> String {
    http_get(addr, "/metrics").map_or_else(|_| String::new(), |(_, body)| body)
}

/// A plain HTTP/1.1 GET: the status code and the body.
pub fn http_get(addr: &str, path: &str) -> std::io::Result<(u16, String)> {
    use std::io::{Read as _, Write as _};
    let mut s = std::net::TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )?;
    let mut raw = String::new();
    s.read_to_string(&mut raw)?;
    let status = raw
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = raw.split_once("\r\n\r\n").map_or("", |(_, b)| b).to_owned();
    Ok((status, body))
}

/// Sum of the samples of `name` whose labels contain `labels`.
pub fn sum(text: &str, name: &str, labels: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with('{') && l.contains(labels))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Waits until the service has consumed `reports` reports and its alerting stage every indicator
/// record the enrich stage sent, with every output acknowledged.
pub fn wait_consumed(addr: &str, reports: usize, within: Duration, log: impl Fn() -> String) {
    let deadline = Instant::now() + within;
    loop {
        let m = scrape(addr);
        let enriched = sum(&m, "tocsin_messages_received_total", "stage=\"enrich\"");
        let records = sum(&m, "tocsin_messages_sent_total", "output=\"indicators\"");
        let counted = sum(&m, "tocsin_messages_received_total", "stage=\"alert\"");
        let unacked = sum(&m, "tocsin_unacked_messages", "stage=");
        if enriched >= reports as f64 && counted >= records && unacked == 0.0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "not consumed within {within:?}: {enriched} of {reports} reports, {counted} of {records} records, {unacked} unacknowledged\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// A consumer of `topic` from its beginning, in a group of its own, committing nothing.
fn reader(brokers: &str, topic: &str) -> BaseConsumer {
    let consumer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .set("group.id", format!("check-{topic}"))
        .set("auto.offset.reset", "earliest")
        .set("enable.auto.commit", "false")
        .set("fetch.wait.max.ms", "10")
        .create()
        .unwrap();
    consumer.subscribe(&[topic]).unwrap();
    consumer
}

/// Every message of `topic` until `want` have arrived (or `within` has passed), then two more
/// seconds for any beyond (a duplicate or a spurious output would show there).
pub fn consume(brokers: &str, topic: &str, want: usize, within: Duration) -> Vec<Vec<u8>> {
    let consumer = reader(brokers, topic);
    let deadline = Instant::now() + within;
    let mut got = Vec::new();
    let mut settle: Option<Instant> = None;
    loop {
        let now = Instant::now();
        if settle.is_some_and(|s| now > s) || (settle.is_none() && now > deadline) {
            return got;
        }
        if let Some(Ok(m)) = consumer.poll(Duration::from_millis(200)) {
            got.push(m.payload().unwrap_or_default().to_vec());
        }
        if settle.is_none() && got.len() >= want {
            settle = Some(Instant::now() + Duration::from_secs(2));
        }
    }
}
