//! `tocsin run` end to end on a Kafka-protocol broker: the embedded mock cluster (in this process),
//! and a real broker when `TOCSIN_TEST_BROKERS` is set (CI starts tansu). Reports and malformed
//! messages are produced to `reports`; the alerts consumed from `alerts` must equal what `tocsin
//! replay` gives for the same input, and every malformed message must land in the dead-letter topic
//! with its reason.

mod common;

use std::collections::BTreeSet;
use std::io::Read as _;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant, SystemTime};

use common::*;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};

struct Topics {
    reports: String,
    indicators: String,
    alerts: String,
    dlq: String,
}

fn topics() -> Topics {
    let n = SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    let s = format!("{}-{n}", std::process::id());
    Topics {
        reports: format!("reports-{s}"),
        indicators: format!("indicators-{s}"),
        alerts: format!("alerts-{s}"),
        dlq: format!("dlq-{s}"),
    }
}

/// Stops the service on drop, so a failing assertion never leaves it running.
struct Service(Child);

impl Drop for Service {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Service {
    fn terminate(mut self) -> std::process::ExitStatus {
        let pid = self.0.id().to_string();
        let _ = std::process::Command::new("kill")
            .args(["-TERM", &pid])
            .status();
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Some(status) = self.0.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "tocsin did not stop after SIGTERM"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

fn consume_until(brokers: &str, topic: &str, want: usize, within: Duration) -> Vec<Vec<u8>> {
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
    let mut got = Vec::new();
    while got.len() < want && Instant::now() < deadline {
        if let Some(m) = consumer.poll(Duration::from_millis(200)) {
            let m = m.unwrap();
            got.push(m.payload().unwrap_or_default().to_vec());
        }
    }
    // Anything beyond what is expected would be a duplicate or a spurious alert.
    let settle = Instant::now() + Duration::from_secs(2);
    while Instant::now() < settle {
        if let Some(m) = consumer.poll(Duration::from_millis(200)) {
            got.push(m.unwrap().payload().unwrap_or_default().to_vec());
        }
    }
    got
}

fn pipeline_matches_replay(
    brokers: &str,
    mock: Option<&MockCluster<'_, rdkafka::producer::DefaultProducerContext>>,
) {
    let t = topics();
    if let Some(mock) = mock {
        for name in [&t.reports, &t.indicators, &t.alerts, &t.dlq] {
            mock.create_topic(name, 1, 1).unwrap();
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let cfg = dir.path().join("tocsin.toml");
    std::fs::write(
        &cfg,
        format!(
            r#"
[kafka]
brokers = "{brokers}"
group_id = "tocsin-{reports}"
create_topics = {create}
partitions = 1

[kafka.topics]
reports = "{reports}"
indicators = "{indicators}"
alerts = "{alerts}"
dlq = "{dlq}"

[kafka.properties]
"fetch.wait.max.ms" = "10"

[alerting]
idle_timeout = "1s"

[metrics]
# Any free port: tests run side by side.
addr = "127.0.0.1:0"
"#,
            reports = t.reports,
            indicators = t.indicators,
            alerts = t.alerts,
            dlq = t.dlq,
            create = mock.is_none(),
        ),
    )
    .unwrap();

    // What replay says for the same input.
    let replayed = dir.path().join("replay.ndjson");
    run_ok(
        tocsin()
            .arg("replay")
            .arg(sample_feed())
            .arg("-o")
            .arg(&replayed)
            .arg("-q"),
    );
    let expected: BTreeSet<String> = read_lines(&replayed)
        .into_iter()
        .map(without_emitted_at)
        .collect();
    assert!(!expected.is_empty(), "the sample feed raises alerts");

    let stderr_path = dir.path().join("stderr.log");
    let service = Service(
        tocsin()
            .arg("--config")
            .arg(&cfg)
            .args(["--log", "info", "run"])
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&stderr_path).unwrap())
            .spawn()
            .unwrap(),
    );

    // Produce the feed with the malformed messages mixed in.
    let producer: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", brokers)
        .create()
        .unwrap();
    let feed = std::fs::read_to_string(sample_feed()).unwrap();
    let bad = malformed();
    for (i, line) in feed.lines().enumerate() {
        producer
            .send(BaseRecord::<(), [u8]>::to(&t.reports).payload(line.as_bytes()))
            .unwrap();
        if i % 30 == 0 {
            if let Some((payload, _)) = bad.get(i / 30) {
                producer
                    .send(BaseRecord::<(), [u8]>::to(&t.reports).payload(payload.as_slice()))
                    .unwrap();
            }
        }
    }
    producer.flush(Duration::from_secs(30)).unwrap();

    let alerts = consume_until(brokers, &t.alerts, expected.len(), Duration::from_secs(120));
    let dead = consume_until(brokers, &t.dlq, bad.len(), Duration::from_secs(30));
    let status = service.terminate();
    let mut log = String::new();
    std::fs::File::open(&stderr_path)
        .unwrap()
        .read_to_string(&mut log)
        .unwrap();
    assert!(status.success(), "tocsin run exited with {status:?}\n{log}");

    let got: Vec<serde_json::Value> = alerts
        .iter()
        .map(|a| serde_json::from_slice(a).unwrap())
        .collect();
    assert_valid("alert.schema.json", &got);
    let got: BTreeSet<String> = got.into_iter().map(without_emitted_at).collect();
    assert_eq!(alerts.len(), got.len(), "duplicate alert emissions");
    let missing: Vec<_> = expected.difference(&got).collect();
    let extra: Vec<_> = got.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing: {missing:#?}\nextra: {extra:#?}\n{log}"
    );

    let dead: Vec<serde_json::Value> = dead
        .iter()
        .map(|d| serde_json::from_slice(d).unwrap())
        .collect();
    assert_valid("dead-letter.schema.json", &dead);
    let reasons: Vec<&str> = dead.iter().map(|d| d["reason"].as_str().unwrap()).collect();
    let want: Vec<&str> = bad.iter().map(|(_, r)| *r).collect();
    assert_eq!(reasons, want);
    for d in &dead {
        assert_eq!(d["origin"]["topic"].as_str(), Some(t.reports.as_str()));
    }
}

#[test]
fn embedded_broker_pipeline_matches_replay() {
    let mock = MockCluster::new(1).unwrap();
    let brokers = mock.bootstrap_servers();
    pipeline_matches_replay(&brokers, Some(&mock));
}

#[test]
fn real_broker_pipeline_matches_replay() {
    match std::env::var("TOCSIN_TEST_BROKERS") {
        Ok(brokers) if !brokers.trim().is_empty() => pipeline_matches_replay(brokers.trim(), None),
        _ => {
            eprintln!("TOCSIN_TEST_BROKERS is not set: the real-broker run is skipped (CI sets it)")
        }
    }
}
