//! `tocsin replay` and `tocsin enrich` give byte-identical outputs, dead letters included, whatever
//! the number of worker threads.

mod common;

use std::path::Path;

use common::*;

/// A feed that exercises every path of the pipeline across many batches: the sample feed, malformed
/// lines, the sample feed again (duplicate ids), and a copy with fresh ids (reports whose indicators
/// come late for their windows).
fn mixed_feed(path: &Path) -> usize {
    let sample = std::fs::read_to_string(sample_feed()).unwrap();
    let mut data = Vec::new();
    let mut lines = 0;
    for line in sample.lines().filter(|l| !l.trim().is_empty()) {
        data.extend_from_slice(line.as_bytes());
        data.push(b'\n');
        lines += 1;
    }
    for (payload, _) in malformed() {
        data.extend_from_slice(&payload);
        data.push(b'\n');
        lines += 1;
    }
    for copy in 0..2 {
        for line in sample.lines().filter(|l| !l.trim().is_empty()) {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            if copy == 1 {
                let id = format!("{}-copy", v["id"].as_str().unwrap());
                v["id"] = id.into();
            }
            data.extend_from_slice(&serde_json::to_vec(&v).unwrap());
            data.push(b'\n');
            lines += 1;
        }
    }
    std::fs::write(path, data).unwrap();
    lines
}

#[test]
fn replay_output_is_identical_with_one_and_many_threads() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.ndjson");
    mixed_feed(&feed);
    let mut outputs = Vec::new();
    for threads in [1, 2, 5] {
        let p = |name: &str| dir.path().join(format!("{name}-{threads}.ndjson"));
        run_ok(
            tocsin()
                .arg("replay")
                .arg(&feed)
                .arg("--threads")
                .arg(threads.to_string())
                .arg("--out")
                .arg(p("alerts"))
                .arg("--enriched")
                .arg(p("enriched"))
                .arg("--indicators")
                .arg(p("indicators"))
                .arg("--dlq")
                .arg(p("dlq"))
                .arg("--quiet"),
        );
        let files = ["alerts", "enriched", "indicators", "dlq"]
            .map(|n| std::fs::read(p(n)).unwrap_or_else(|e| panic!("{n}-{threads}: {e}")));
        outputs.push((threads, files));
    }
    let (_, one) = &outputs[0];
    assert!(!one[0].is_empty(), "the feed raises alerts");
    let dead = String::from_utf8_lossy(&one[3]);
    assert!(dead.contains("duplicate_id"), "{dead}");
    for (threads, files) in &outputs[1..] {
        for (i, name) in ["alerts", "enriched", "indicators", "dlq"]
            .iter()
            .enumerate()
        {
            assert!(
                files[i] == one[i],
                "{name} differs between 1 and {threads} threads"
            );
        }
    }
}

#[test]
fn enrich_output_and_summary_are_identical_with_one_and_many_threads() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("feed.ndjson");
    let lines = mixed_feed(&feed);
    let mut outputs = Vec::new();
    for threads in [1, 3] {
        let out = dir.path().join(format!("enriched-{threads}.ndjson"));
        let dlq = dir.path().join(format!("dlq-{threads}.ndjson"));
        let run = run_ok(
            tocsin()
                .arg("enrich")
                .arg(&feed)
                .arg("--threads")
                .arg(threads.to_string())
                .arg("--out")
                .arg(&out)
                .arg("--dlq")
                .arg(&dlq),
        );
        let stderr = String::from_utf8_lossy(&run.stderr).into_owned();
        assert!(
            stderr.contains(&format!("{lines} messages")),
            "every line is counted: {stderr}"
        );
        // The summary differs only in its timings.
        let counts = stderr
            .lines()
            .find(|l| l.starts_with("tocsin enrich"))
            .unwrap_or_default()
            .split(" in ")
            .nth(1)
            .and_then(|s| s.split_once(": "))
            .map(|(_, rest)| {
                rest.split("; ")
                    .filter(|p| !p.contains("/s"))
                    .collect::<Vec<_>>()
                    .join("; ")
            })
            .unwrap_or_default();
        outputs.push((
            std::fs::read(&out).unwrap(),
            std::fs::read(&dlq).unwrap(),
            counts,
        ));
    }
    assert_eq!(outputs[0].0, outputs[1].0, "enriched reports differ");
    assert_eq!(outputs[0].1, outputs[1].1, "dead letters differ");
    assert_eq!(outputs[0].2, outputs[1].2, "summaries differ");
    assert!(outputs[0].2.contains("rejected"), "{}", outputs[0].2);
}
