//! `tocsin run` end to end on a Kafka-protocol broker: the embedded mock cluster (in this process),
//! and a real broker when `TOCSIN_TEST_BROKERS` is set (CI starts tansu). Reports and malformed
//! messages are produced to `reports`; the alerts consumed from `alerts` must equal what `tocsin
//! replay` gives for the same input, and every malformed message must land in the dead-letter topic
//! with its reason.

mod common;

use std::collections::BTreeSet;
use std::time::Duration;

use common::broker::*;
use common::*;

fn pipeline_matches_replay(broker: &Broker) {
    let feed: Vec<String> = std::fs::read_to_string(sample_feed())
        .unwrap()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_owned)
        .collect();
    let expected: BTreeSet<String> = replayed(&feed).into_values().collect();
    assert!(!expected.is_empty(), "the sample feed raises alerts");

    let s = setup(broker, "pipeline", (1, 1), Extra::default());
    let service = start(&s, &[], "run.log");
    // The feed with the malformed messages mixed in, one every 30 reports.
    let bad = malformed();
    let mut mixed: Vec<Vec<u8>> = Vec::new();
    for (i, line) in feed.iter().enumerate() {
        mixed.push(line.clone().into_bytes());
        if i % 30 == 0 {
            if let Some((payload, _)) = bad.get(i / 30) {
                mixed.push(payload.clone());
            }
        }
    }
    assert_eq!(
        mixed.len(),
        feed.len() + bad.len(),
        "every malformed case is sent"
    );
    produce(&broker.brokers, &s.reports, &mixed, None);

    let alerts = consume(
        &broker.brokers,
        &s.alerts,
        expected.len(),
        Duration::from_secs(120),
    );
    let dead = consume(&broker.brokers, &s.dlq, bad.len(), Duration::from_secs(30));
    let status = stop(service, "-TERM");
    let log = log_of(&s, "run.log");
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
        assert_eq!(d["origin"]["topic"].as_str(), Some(s.reports.as_str()));
    }
}

#[test]
fn embedded_broker_pipeline_matches_replay() {
    pipeline_matches_replay(&Broker::mock());
}

#[test]
fn real_broker_pipeline_matches_replay() {
    let broker = Broker::get();
    if broker.is_mock() {
        eprintln!("TOCSIN_TEST_BROKERS is not set: the real-broker run is skipped (CI sets it)");
        return;
    }
    pipeline_matches_replay(&broker);
}
