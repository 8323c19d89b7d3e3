//! Operating `tocsin run`: `/readyz` turns ready only once every stage has its partitions and the
//! alerting stage has restored its state; `/metrics` exposes stage counters that move with the
//! traffic, in the Prometheus text format (checked with `promtool check metrics` when promtool is
//! installed; CI installs it).

mod common;

use std::io::Write as _;
use std::process::Stdio;
use std::time::{Duration, Instant, SystemTime};

use chrono::{DateTime, Utc};
use common::broker::*;
use common::*;

/// The value of one sample (`name{labels}`) in a Prometheus text exposition.
fn sample(text: &str, series: &str) -> Option<f64> {
    text.lines()
        .find_map(|l| l.strip_prefix(series)?.trim().parse().ok())
}

/// A log line of the service (JSON format): its time and message.
fn log_event(line: &str) -> Option<(DateTime<Utc>, String)> {
    let v: serde_json::Value = serde_json::from_str(line).ok()?;
    let t = DateTime::parse_from_rfc3339(v["timestamp"].as_str()?).ok()?;
    let mut msg = v["fields"]["message"].as_str()?.to_owned();
    if let Some(stage) = v["fields"]["stage"].as_str() {
        msg = format!("{msg} ({stage})");
    }
    Some((t.with_timezone(&Utc), msg))
}

#[test]
fn readiness_waits_for_assignment_and_restore_and_metrics_follow_the_traffic() {
    let broker = Broker::mock();
    let s = setup(
        &broker,
        "service",
        (1, 1),
        Extra {
            properties: &[("statistics.interval.ms", "500")],
            run: &[],
        },
    );
    let service = start(&s, &["--log-format", "json"], "run.log");
    let log = || log_of(&s, "run.log");
    let get = http_get;
    let addr = metrics_addr(&s, "run.log");
    let deadline = Instant::now() + Duration::from_secs(60);

    assert_eq!(
        get(&addr, "/healthz").unwrap().0,
        200,
        "alive from the start"
    );
    // Poll /readyz from the first moment until it turns ready.
    let mut answers = Vec::new();
    let ready_at = loop {
        let (status, _) = get(&addr, "/readyz").unwrap();
        let at: DateTime<Utc> = SystemTime::now().into();
        answers.push(status);
        if status == 200 {
            break at;
        }
        assert_eq!(status, 503, "/readyz answers 200 or 503");
        assert!(
            Instant::now() < deadline,
            "never ready; answers {answers:?}\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert_eq!(
        answers[0], 503,
        "not ready before the consumer groups are joined: {answers:?}"
    );

    // Every event readiness depends on was logged (stamped by the service before it set its
    // readiness flag) before /readyz answered 200.
    let events: Vec<(DateTime<Utc>, String)> = log().lines().filter_map(log_event).collect();
    for needed in [
        "partitions assigned (enrich)",
        "partitions assigned (alert)",
        "no checkpoint: starting with empty state",
    ] {
        let at = events
            .iter()
            .find(|(_, m)| m == needed)
            .unwrap_or_else(|| panic!("no {needed:?} log line before readiness:\n{}", log()))
            .0;
        assert!(
            at <= ready_at,
            "{needed:?} logged at {at}, after /readyz answered 200 at {ready_at}"
        );
    }

    // Traffic: the sample feed, and one malformed message.
    let (_, before) = get(&addr, "/metrics").unwrap();
    assert_eq!(
        sample(&before, "tocsin_messages_received_total{stage=\"enrich\"}"),
        Some(0.0),
        "stage series exist before any traffic"
    );
    let mut feed: Vec<Vec<u8>> = std::fs::read_to_string(sample_feed())
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.as_bytes().to_vec())
        .collect();
    let sent = feed.len() as u32;
    feed.push(b"{not json".to_vec());
    produce(&broker.brokers, &s.reports, &feed, None);

    let want = f64::from(sent + 1);
    // Each counter must reach its least value; outputs are counted as the brokers acknowledge them,
    // so they follow the input counters by a little.
    let expected = [
        ("tocsin_messages_received_total{stage=\"enrich\"}", want),
        (
            "tocsin_messages_sent_total{output=\"indicators\",stage=\"enrich\"}",
            1.0,
        ),
        ("tocsin_messages_received_total{stage=\"alert\"}", 1.0),
        (
            "tocsin_messages_sent_total{output=\"alerts\",stage=\"alert\"}",
            1.0,
        ),
        (
            "tocsin_messages_rejected_total{reason=\"invalid_json\",stage=\"enrich\"}",
            1.0,
        ),
        (
            "tocsin_messages_sent_total{output=\"dlq\",stage=\"enrich\"}",
            1.0,
        ),
        ("tocsin_processing_seconds_count{stage=\"enrich\"}", want),
        ("tocsin_gazetteer_places", 1000.0),
        ("tocsin_ready{stage=\"alert\"}", 1.0),
    ];
    let metrics = loop {
        let (status, body) = get(&addr, "/metrics").unwrap();
        assert_eq!(status, 200);
        let short: Vec<String> = expected
            .iter()
            .filter(|(series, least)| !sample(&body, series).is_some_and(|v| v >= *least))
            .map(|(series, least)| format!("{series} >= {least}"))
            .collect();
        if short.is_empty() {
            break body;
        }
        assert!(
            Instant::now() < deadline + Duration::from_secs(60),
            "the counters did not move as expected: {short:?}\n{body}\n{}",
            log()
        );
        std::thread::sleep(Duration::from_millis(200));
    };
    assert_eq!(
        sample(&metrics, "tocsin_messages_received_total{stage=\"enrich\"}"),
        Some(want),
        "every message counted once"
    );
    assert!(metrics.contains("tocsin_build_info{"), "{metrics}");

    match std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
    {
        Ok(mut p) => {
            p.stdin
                .take()
                .unwrap()
                .write_all(metrics.as_bytes())
                .unwrap();
            let out = p.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "promtool check metrics:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        Err(e) => eprintln!("promtool not available ({e}): the exposition format check is skipped"),
    }

    // A graceful stop on SIGTERM: exit code 0.
    let status = stop(service, "-TERM");
    assert!(
        status.success(),
        "exit after SIGTERM: {status:?}\n{}",
        log()
    );
}

/// Secrets come from the environment or a file, are never printed, and a missing one stops the
/// service at start with a configuration error (exit code 2) that names it.
#[test]
fn secrets_are_read_at_start_and_never_printed() {
    let dir = tempfile::tempdir().unwrap();
    let secret_file = dir.path().join("ssl-key-password");
    std::fs::write(&secret_file, "from-a-file-9731\n").unwrap();
    let cfg = dir.path().join("tocsin.toml");
    std::fs::write(
        &cfg,
        format!(
            "[kafka]\nbrokers = \"127.0.0.1:1\"\n\n[kafka.properties]\n\"security.protocol\" = \"SASL_PLAINTEXT\"\n\
             \"sasl.mechanisms\" = \"PLAIN\"\n\"sasl.username\" = \"tocsin\"\n\n[kafka.secrets]\n\
             \"sasl.password\" = \"env:TOCSIN_TEST_KAFKA_PASSWORD\"\n\"ssl.key.password\" = \"file:{}\"\n",
            secret_file.display()
        ),
    )
    .unwrap();

    let out = run_ok(
        tocsin()
            .arg("check-config")
            .arg(&cfg)
            .env("TOCSIN_TEST_KAFKA_PASSWORD", "from-the-env-4417"),
    );
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        !text.contains("from-the-env-4417") && !text.contains("from-a-file-9731"),
        "{text}"
    );
    assert!(
        text.contains(
            "kafka.secrets.sasl.password = <secret from env:TOCSIN_TEST_KAFKA_PASSWORD: readable>"
        ),
        "{text}"
    );

    let out = tocsin()
        .arg("--config")
        .arg(&cfg)
        .args(["run", "--metrics-addr", ""])
        .env_remove("TOCSIN_TEST_KAFKA_PASSWORD")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("kafka.secrets.sasl.password")
            && err.contains("TOCSIN_TEST_KAFKA_PASSWORD is not set"),
        "{err}"
    );
    assert!(!err.contains("from-a-file-9731"), "{err}");
}
