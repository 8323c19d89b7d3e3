//! `tocsin replay`, `enrich`, `check-config` end to end on the bundled sample feed.

mod common;

use std::collections::BTreeMap;

use common::*;

#[test]
fn replay_is_deterministic_and_outputs_follow_the_contracts() {
    let dir = tempfile::tempdir().unwrap();
    let mut outputs = Vec::new();
    for run in 0..2 {
        let alerts = dir.path().join(format!("alerts-{run}.ndjson"));
        let enriched = dir.path().join(format!("enriched-{run}.ndjson"));
        let indicators = dir.path().join(format!("indicators-{run}.ndjson"));
        run_ok(
            tocsin()
                .arg("replay")
                .arg(sample_feed())
                .arg("--out")
                .arg(&alerts)
                .arg("--enriched")
                .arg(&enriched)
                .arg("--indicators")
                .arg(&indicators)
                .arg("--dlq")
                .arg(dir.path().join("dlq.ndjson"))
                .arg("--quiet"),
        );
        outputs.push([
            std::fs::read(&alerts).unwrap(),
            std::fs::read(&enriched).unwrap(),
            std::fs::read(&indicators).unwrap(),
        ]);
    }
    assert_eq!(
        outputs[0], outputs[1],
        "two replays of the same input differ"
    );
    assert!(
        !dir.path().join("dlq.ndjson").exists(),
        "the sample feed is clean"
    );

    let enriched = read_lines(&dir.path().join("enriched-0.ndjson"));
    assert_eq!(enriched.len(), 244, "one enriched report per input line");
    assert_valid("enriched-report.schema.json", &enriched);
    let indicators = read_lines(&dir.path().join("indicators-0.ndjson"));
    assert!(!indicators.is_empty());
    assert_valid("indicator.schema.json", &indicators);
    let alerts = read_lines(&dir.path().join("alerts-0.ndjson"));
    assert_valid("alert.schema.json", &alerts);

    // The feed's two surges of killings are alerted, in the right regions.
    let regions: Vec<&str> = alerts
        .iter()
        .filter_map(|a| a["region"]["name"].as_str())
        .collect();
    assert!(
        regions.iter().any(|r| r.contains("Darfur")),
        "no West Darfur alert: {regions:?}"
    );
    assert!(
        regions.iter().any(|r| r.contains("Ituri")),
        "no Ituri alert: {regions:?}"
    );
    // Each alert's versions count up from 1 in emission order.
    let mut versions: BTreeMap<&str, u64> = BTreeMap::new();
    for a in &alerts {
        let v = versions.entry(a["alert_id"].as_str().unwrap()).or_default();
        *v += 1;
        assert_eq!(a["version"].as_u64(), Some(*v), "{a}");
    }
}

#[test]
fn malformed_lines_go_to_the_dead_letter_file_and_the_rest_is_processed() {
    let dir = tempfile::tempdir().unwrap();
    let feed = dir.path().join("mixed.ndjson");
    let mut data = std::fs::read(sample_feed()).unwrap();
    let good_lines = data
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .count();
    let bad = malformed();
    for (payload, _) in &bad {
        data.extend_from_slice(payload);
        data.push(b'\n');
    }
    // A duplicate of the first report.
    let first = data.split(|&b| b == b'\n').next().unwrap().to_vec();
    data.extend_from_slice(&first);
    data.push(b'\n');
    std::fs::write(&feed, &data).unwrap();

    let enriched = dir.path().join("enriched.ndjson");
    let dlq = dir.path().join("dlq.ndjson");
    let out = run_ok(
        tocsin()
            .args(["enrich"])
            .arg(&feed)
            .arg("--out")
            .arg(&enriched)
            .arg("--dlq")
            .arg(&dlq),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("rejected 9"), "{stderr}");

    assert_eq!(read_lines(&enriched).len(), good_lines);
    let dead = read_lines(&dlq);
    assert_valid("dead-letter.schema.json", &dead);
    let mut want: Vec<&str> = bad.iter().map(|(_, r)| *r).collect();
    want.push("duplicate_id");
    let got: Vec<&str> = dead.iter().map(|d| d["reason"].as_str().unwrap()).collect();
    assert_eq!(got, want);
    // Original bytes are kept, and the origin names the file and line.
    use base64::Engine as _;
    let payload = base64::engine::general_purpose::STANDARD
        .decode(dead[1]["payload_base64"].as_str().unwrap())
        .unwrap();
    assert_eq!(payload, bad[1].0);
    assert_eq!(
        dead[0]["origin"]["line"].as_u64(),
        Some(good_lines as u64 + 1)
    );
}

#[test]
fn check_config_reports_every_problem_with_its_line_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.toml");
    std::fs::write(
        &bad,
        "[kafka]\npartitions = 0\n\n[[rules]]\nname = \"x\"\ntype = \"count\"\nwindow = \"someday\"\nthreshold = 3\n",
    )
    .unwrap();
    let out = tocsin().arg("check-config").arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("bad.toml:7:"), "{stderr}");

    let fixed = dir.path().join("fixed.toml");
    std::fs::write(
        &fixed,
        "[kafka]\npartitions = 0\n\n[[rules]]\nname = \"x\"\ntype = \"count\"\nwindow = \"1d\"\nthreshold = 0\n",
    )
    .unwrap();
    let out = tocsin().arg("check-config").arg(&fixed).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("fixed.toml:2:1"), "partitions: {stderr}");
    assert!(stderr.contains("fixed.toml:8:1"), "threshold: {stderr}");

    let out = run_ok(
        tocsin()
            .arg("check-config")
            .arg(root().join("config/tocsin.toml")),
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(": ok"));
}

#[test]
fn usage_errors_exit_2_and_runtime_errors_exit_1() {
    let out = tocsin().args(["replay"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "missing FILE is a usage error");
    let out = tocsin()
        .args(["replay", "/nonexistent/feed.ndjson", "-q"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/nonexistent/feed.ndjson"));
    let out = tocsin()
        .args(["replay", "--speed", "fast", "x"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// An archive out of time order (the sample feed in reverse) replays to the same alerts as the
/// ordered one when its disorder fits in `--reorder`, and sends indicators to the dead-letter file
/// as `late_indicator` when it does not.
#[test]
fn reorder_restores_event_time_order_within_its_bound() {
    let dir = tempfile::tempdir().unwrap();
    let feed = std::fs::read_to_string(sample_feed()).unwrap();
    let reversed: Vec<&str> = feed
        .lines()
        .filter(|l| !l.trim().is_empty())
        .rev()
        .collect();
    let shuffled = dir.path().join("reversed.ndjson");
    std::fs::write(&shuffled, reversed.join("\n") + "\n").unwrap();

    let replay = |input: &std::path::Path, reorder: &str, name: &str| {
        let out = dir.path().join(format!("{name}.ndjson"));
        let dlq = dir.path().join(format!("{name}.dlq.ndjson"));
        run_ok(
            tocsin()
                .arg("replay")
                .arg(input)
                .args(["--reorder", reorder, "--quiet", "--out"])
                .arg(&out)
                .arg("--dlq")
                .arg(&dlq),
        );
        let late = if dlq.exists() {
            read_lines(&dlq)
                .iter()
                .filter(|d| d["reason"] == "late_indicator")
                .count()
        } else {
            0
        };
        (std::fs::read(&out).unwrap(), late)
    };
    let (ordered, late) = replay(&sample_feed(), "0", "ordered");
    assert_eq!(late, 0);
    let (restored, late) = replay(&shuffled, "1000", "restored");
    assert_eq!(late, 0);
    assert_eq!(
        String::from_utf8_lossy(&restored),
        String::from_utf8_lossy(&ordered),
        "a reversed feed within the reorder bound gives the ordered feed's alerts"
    );
    let (_, late) = replay(&shuffled, "0", "unordered");
    assert!(late > 0, "without reordering, a reversed feed arrives late");
}
