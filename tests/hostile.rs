//! Hostile input end to end: a corpus of malformed messages (`tests/fixtures/hostile/cases.ndjson`,
//! each with the reason it must be rejected for) mixed into the bundled sample feed and run through
//! `tocsin enrich` and `tocsin replay`. Every bad message must land in the dead-letter file with its
//! reason code, in input order, with its original bytes and line; every good one must be processed.
//! Also: damaged gzip feeds, byte order marks, and malformed config and lexicon files, which
//! `tocsin check-config` must report with file:line and exit code 2.

mod common;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use common::*;

/// The limits the corpus's size cases are written for (small, so the fixture stays small).
const LIMITS: [(&str, &str); 5] = [
    ("TOCSIN_INGEST__MAX_MESSAGE_BYTES", "4096"),
    ("TOCSIN_INGEST__MAX_TEXT_BYTES", "2048"),
    ("TOCSIN_INGEST__MAX_ID_BYTES", "64"),
    ("TOCSIN_INGEST__MAX_FIELD_BYTES", "512"),
    // Smaller than the largest message, so that dead letters also show a cut payload.
    ("TOCSIN_INGEST__DLQ_MAX_PAYLOAD_BYTES", "3000"),
];
const DLQ_MAX: usize = 3000;

/// One fixture case.
struct Case {
    name: String,
    expect: String,
    payload: Vec<u8>,
}

fn cases() -> Vec<Case> {
    let path = root().join("tests/fixtures/hostile/cases.ndjson");
    read_lines(&path)
        .into_iter()
        .map(|v| {
            let field = |k: &str| {
                v[k].as_str()
                    .unwrap_or_else(|| panic!("{}: case without `{k}`: {v}", path.display()))
                    .to_owned()
            };
            Case {
                name: field("name"),
                expect: field("expect"),
                payload: base64::engine::general_purpose::STANDARD
                    .decode(field("payload_base64"))
                    .unwrap_or_else(|e| panic!("{}: bad base64 in {v}: {e}", path.display())),
            }
        })
        .collect()
}

/// What a line of the mixed feed is expected to become.
enum Want {
    /// Accepted: an enriched report with this id.
    Report(String),
    /// Rejected at this 1-based line with this reason; the dead letter keeps these bytes.
    Dead {
        name: String,
        reason: String,
        line: u64,
        bytes: Vec<u8>,
    },
}

/// The sample feed with the hostile cases spread through it (one after every few good lines), and
/// what each line must become.
fn mixed_feed(dir: &Path) -> (PathBuf, Vec<Want>) {
    let feed = std::fs::read(sample_feed()).unwrap();
    let good: Vec<&[u8]> = feed
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let cases = cases();
    let mut data = Vec::new();
    let mut want = Vec::new();
    let mut line = 0u64;
    let mut bad = cases.iter();
    for (i, g) in good.iter().enumerate() {
        data.extend_from_slice(g);
        data.push(b'\n');
        line += 1;
        let v: serde_json::Value = serde_json::from_slice(g).unwrap();
        want.push(Want::Report(v["id"].as_str().unwrap().to_owned()));
        // Two good lines first, so that `duplicate_id` cases can refer back to the feed.
        if i < 2 || i % 3 != 0 {
            continue;
        }
        if let Some(c) = bad.next() {
            data.extend_from_slice(&c.payload);
            data.push(b'\n');
            line += 1;
            match c.expect.as_str() {
                "skip" => {}
                "ok" => {
                    let v: serde_json::Value = serde_json::from_slice(&c.payload).unwrap();
                    want.push(Want::Report(v["id"].as_str().unwrap().to_owned()));
                }
                reason => {
                    // The reader drops a `\r` before the newline; the rest is kept as read, up to
                    // the dead-letter limit.
                    let mut bytes = c.payload.clone();
                    if bytes.last() == Some(&b'\r') {
                        bytes.pop();
                    }
                    want.push(Want::Dead {
                        name: c.name.clone(),
                        reason: reason.to_owned(),
                        line,
                        bytes,
                    });
                }
            }
        }
    }
    assert!(
        bad.next().is_none(),
        "the feed is too short to hold every case"
    );
    let path = dir.join("mixed.ndjson");
    std::fs::write(&path, &data).unwrap();
    (path, want)
}

fn with_limits(cmd: &mut std::process::Command) -> &mut std::process::Command {
    for (k, v) in LIMITS {
        cmd.env(k, v);
    }
    cmd
}

fn payload(d: &serde_json::Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(d["payload_base64"].as_str().unwrap())
        .unwrap()
}

/// Checks the dead letters of ingest rejections against the expectations, in order.
fn check_dead_letters(dead: &[serde_json::Value], want: &[Want], file: &Path) {
    let expected: Vec<(&str, &str, u64, &[u8])> = want
        .iter()
        .filter_map(|w| match w {
            Want::Dead {
                name,
                reason,
                line,
                bytes,
            } => Some((name.as_str(), reason.as_str(), *line, bytes.as_slice())),
            Want::Report(_) => None,
        })
        .collect();
    let got: Vec<(&str, u64)> = dead
        .iter()
        .map(|d| {
            (
                d["reason"].as_str().unwrap_or("?"),
                d["origin"]["line"].as_u64().unwrap_or(0),
            )
        })
        .collect();
    assert_eq!(
        got.len(),
        expected.len(),
        "dead letters {got:?}\nexpected {:?}",
        expected.iter().map(|e| (e.1, e.2)).collect::<Vec<_>>()
    );
    for (d, (name, reason, line, bytes)) in dead.iter().zip(&expected) {
        assert_eq!(
            (d["reason"].as_str(), d["origin"]["line"].as_u64()),
            (Some(*reason), Some(*line)),
            "case {name:?}: {d}"
        );
        assert_eq!(
            d["origin"]["file"].as_str(),
            Some(file.to_str().unwrap()),
            "case {name:?}"
        );
        assert!(
            !d["detail"].as_str().unwrap_or("").is_empty(),
            "case {name:?}: no detail"
        );
        assert_eq!(
            d["payload_bytes"].as_u64(),
            Some(bytes.len() as u64),
            "case {name:?}: full size"
        );
        let kept = payload(d);
        if bytes.len() > DLQ_MAX {
            assert_eq!(d["payload_truncated"], true, "case {name:?}");
            assert_eq!(kept, bytes[..DLQ_MAX], "case {name:?}: kept prefix");
        } else {
            assert!(d.get("payload_truncated").is_none(), "case {name:?}");
            assert_eq!(kept, *bytes, "case {name:?}: original bytes");
        }
    }
}

#[test]
fn the_corpus_covers_at_least_thirty_kinds_and_every_reject_reason_of_the_decoder() {
    let cases = cases();
    let names: std::collections::BTreeSet<&str> = cases.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names.len(), cases.len(), "case names are unique");
    let bad = cases
        .iter()
        .filter(|c| c.expect != "ok" && c.expect != "skip")
        .count();
    assert!(bad >= 30, "only {bad} bad cases");
    let reasons: std::collections::BTreeSet<&str> =
        cases.iter().map(|c| c.expect.as_str()).collect();
    // Every reason a message can be rejected for at the door (late_indicator is the alerting
    // stage's).
    for r in [
        "too_large",
        "invalid_utf8",
        "invalid_json",
        "too_deep",
        "not_an_object",
        "missing_field",
        "wrong_type",
        "field_too_long",
        "empty_text",
        "invalid_field",
        "invalid_timestamp",
        "timestamp_out_of_range",
        "duplicate_id",
    ] {
        assert!(reasons.contains(r), "no case for {r}");
    }
}

#[test]
fn enrich_dead_letters_every_hostile_message_in_order_and_processes_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let (feed, want) = mixed_feed(dir.path());
    let enriched = dir.path().join("enriched.ndjson");
    let dlq = dir.path().join("dlq.ndjson");
    let out = run_ok(
        with_limits(&mut tocsin())
            .arg("enrich")
            .arg(&feed)
            .arg("--out")
            .arg(&enriched)
            .arg("--dlq")
            .arg(&dlq),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);

    let reports: Vec<&str> = want
        .iter()
        .filter_map(|w| match w {
            Want::Report(id) => Some(id.as_str()),
            Want::Dead { .. } => None,
        })
        .collect();
    let got = read_lines(&enriched);
    assert_valid("enriched-report.schema.json", &got);
    let got_ids: Vec<&str> = got.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(got_ids, reports, "every good report, in order");
    // The hostile-but-valid reports were really read: their killings were found.
    let hostile: Vec<&serde_json::Value> = got
        .iter()
        .filter(|e| e["id"].as_str().is_some_and(|i| i.starts_with("hostile")))
        .collect();
    assert!(hostile.len() >= 8, "{hostile:?}");
    for e in hostile.iter().filter(|e| e["id"] != "hostile-ok8") {
        let kinds: Vec<&str> = e["indicators"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|i| i["kind"].as_str())
            .collect();
        assert!(kinds.contains(&"killing"), "{e}");
    }

    let dead = read_lines(&dlq);
    assert_valid("dead-letter.schema.json", &dead);
    check_dead_letters(&dead, &want, &feed);
    assert!(
        stderr.contains(&format!("rejected {}", dead.len())),
        "{stderr}"
    );
}

#[test]
fn replay_dead_letters_the_same_messages_and_still_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let (feed, want) = mixed_feed(dir.path());
    let alerts = dir.path().join("alerts.ndjson");
    let dlq = dir.path().join("dlq.ndjson");
    run_ok(
        with_limits(&mut tocsin())
            .arg("replay")
            .arg(&feed)
            .arg("--out")
            .arg(&alerts)
            .arg("--dlq")
            .arg(&dlq)
            .args(["--reorder", "0"])
            .arg("--quiet"),
    );
    let dead = read_lines(&dlq);
    assert_valid("dead-letter.schema.json", &dead);
    // In input order (`--reorder 0`), the accepted hostile cases are dated before the feed starts,
    // so once the feed has moved on their indicators are too late for their windows: the alerting
    // stage dead-letters those (and only those). The ingest rejections must match the enrich run's
    // exactly.
    let (late, ingest): (Vec<_>, Vec<_>) = dead
        .into_iter()
        .partition(|d| d["reason"] == "late_indicator");
    check_dead_letters(&ingest, &want, &feed);
    assert!(!late.is_empty());
    for d in &late {
        let rec: serde_json::Value = serde_json::from_slice(&payload(d)).unwrap();
        assert!(
            rec["report_id"]
                .as_str()
                .is_some_and(|id| id.starts_with("hostile")),
            "a report of the feed was late: {rec}"
        );
    }
    let alerts = read_lines(&alerts);
    assert_valid("alert.schema.json", &alerts);
    let regions: Vec<&str> = alerts
        .iter()
        .filter_map(|a| a["region"]["name"].as_str())
        .collect();
    assert!(
        regions.iter().any(|r| r.contains("Darfur")) && regions.iter().any(|r| r.contains("Ituri")),
        "the feed's surges are still alerted: {regions:?}"
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    // The test binary has no gzip crate of its own: use the system's gzip.
    let mut child = std::process::Command::new("gzip")
        .args(["-c", "-n"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("gzip");
    child.stdin.take().unwrap().write_all(data).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    out.stdout
}

#[test]
fn damaged_gzip_feeds_are_dead_lettered_and_the_next_file_is_still_read() {
    let dir = tempfile::tempdir().unwrap();
    let feed = std::fs::read(sample_feed()).unwrap();
    let lines: Vec<&[u8]> = feed
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    // a.ndjson.gz: the first 20 reports, cut short inside the last one's compressed bytes.
    let first: Vec<u8> = lines[..20]
        .iter()
        .flat_map(|l| [*l, b"\n"].concat())
        .collect();
    let whole = gzip(&first);
    let cut = &whole[..whole.len() - 40];
    std::fs::write(dir.path().join("a.ndjson.gz"), cut).unwrap();
    // b.ndjson.gz: not gzip at all.
    std::fs::write(dir.path().join("b.ndjson.gz"), lines[20]).unwrap();
    // c.ndjson: a plain feed starting with a UTF-8 byte order mark.
    let mut rest = b"\xEF\xBB\xBF".to_vec();
    for l in &lines[21..] {
        rest.extend_from_slice(l);
        rest.extend_from_slice(b"\r\n");
    }
    std::fs::write(dir.path().join("c.ndjson"), &rest).unwrap();

    let enriched = dir.path().join("enriched.out");
    let dlq = dir.path().join("dlq.out");
    run_ok(
        tocsin()
            .arg("enrich")
            .arg(dir.path())
            .arg("--out")
            .arg(&enriched)
            .arg("--dlq")
            .arg(&dlq),
    );
    let dead = read_lines(&dlq);
    assert_valid("dead-letter.schema.json", &dead);
    let summary: Vec<(&str, &str)> = dead
        .iter()
        .map(|d| {
            (
                d["reason"].as_str().unwrap(),
                d["origin"]["file"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(summary.len(), 2, "{dead:?}");
    assert!(summary[0].1.ends_with("a.ndjson.gz") && summary[0].0 == "invalid_json");
    assert!(summary[1].1.ends_with("b.ndjson.gz") && summary[1].0 == "invalid_json");
    // The cut line's decompressed bytes are a prefix of a real line of the feed.
    let partial = payload(&dead[0]);
    let n = dead[0]["origin"]["line"].as_u64().unwrap() as usize;
    assert!(lines[n - 1].starts_with(&partial), "{dead:?}");
    assert_eq!(dead[1]["origin"]["line"], 1);

    // Every whole line before the cut, and every line of the BOM/CRLF file, was enriched.
    let got = read_lines(&enriched);
    let ids: Vec<&str> = got.iter().map(|e| e["id"].as_str().unwrap()).collect();
    let expect: Vec<String> = lines[..n - 1]
        .iter()
        .chain(&lines[21..])
        .map(|l| {
            serde_json::from_slice::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, expect);
}

/// Runs `tocsin check-config` on a file and returns its stderr, asserting exit code 2.
fn check_config_fails(file: &Path) -> String {
    let out = tocsin().arg("check-config").arg(file).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{}: {stderr}", file.display());
    stderr
}

#[test]
fn malformed_config_files_are_reported_with_file_and_line() {
    let dir = tempfile::tempdir().unwrap();
    // (file contents, the line that must be named)
    let cases: &[(&str, u32)] = &[
        // TOML syntax: unclosed string.
        (
            "[ingest]\nmax_depth = 32\nmin_published_at = \"1900-01-01T00:00:00Z\n",
            3,
        ),
        // Unknown key.
        ("[kafka]\nbrokers = \"\"\nbrokerz = \"x\"\n", 3),
        // Wrong type.
        ("[ingest]\n\nmax_message_bytes = \"big\"\n", 3),
        // Duplicate key.
        ("[ingest]\nmax_depth = 3\nmax_depth = 4\n", 3),
        // Unknown section.
        ("[kafka]\nbrokers = \"\"\n\n[surprise]\nx = 1\n", 4),
        // Bad duration.
        (
            "[alerting]\nhop = \"1h\"\nquiet_period = \"three days\"\n",
            3,
        ),
        // Negative number where a count is expected.
        ("[ingest]\nmax_depth = -1\n", 2),
        // A NUL byte in a string.
        ("[kafka]\nbrokers = \"a\0b\"\n", 2),
    ];
    for (i, (src, line)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("bad{i}.toml"));
        std::fs::write(&file, src).unwrap();
        let stderr = check_config_fails(&file);
        let at = format!("{}:{line}:", file.display());
        assert!(stderr.contains(&at), "case {i}: want {at}\n{src}\n{stderr}");
    }
    // Bytes that are not UTF-8 are an error too, naming the file.
    let file = dir.path().join("binary.toml");
    std::fs::write(&file, b"[kafka]\nbrokers = \"\xff\"\n").unwrap();
    let stderr = check_config_fails(&file);
    assert!(stderr.contains("binary.toml"), "{stderr}");
}

#[test]
fn malformed_lexicons_are_reported_with_file_and_line() {
    let good = std::fs::read_to_string(root().join("config/lexicons/en.toml")).unwrap();
    let line_of = |needle: &str| -> u32 {
        good.lines()
            .position(|l| l.contains(needle))
            .unwrap_or_else(|| panic!("en.toml has no {needle:?}")) as u32
            + 1
    };
    // (what is broken, the edited lexicon, the line that must be named)
    let rf_line = line_of("risk_factor = \"RF11\"");
    let lang_line = line_of("lang = \"en\"");
    let kind_line = line_of("[kinds.killing]");
    let counts_line = line_of("counts = \"killed\"");
    let cases: Vec<(&str, String, u32)> = vec![
        (
            "language code",
            good.replacen("lang = \"en\"", "lang = \"english\"", 1),
            lang_line,
        ),
        (
            "risk factor",
            good.replacen("risk_factor = \"RF11\"", "risk_factor = \"RF99\"", 1),
            rf_line,
        ),
        (
            "kind name",
            good.replacen("[kinds.killing]", "[kinds.Killing-Spree]", 1),
            kind_line,
        ),
        (
            "count type",
            good.replacen("counts = \"killed\"", "counts = \"maimed\"", 1),
            counts_line,
        ),
        (
            "TOML syntax",
            good.replacen("risk_factor = \"RF11\"", "risk_factor = \"RF11", 1),
            rf_line,
        ),
        (
            "unknown key",
            good.replacen(
                "risk_factor = \"RF11\"",
                "risk_factor = \"RF11\"\nweight = 3",
                1,
            ),
            rf_line + 1,
        ),
    ];
    for (what, src, line) in cases {
        let dir = tempfile::tempdir().unwrap();
        let lex = dir.path().join("lex");
        std::fs::create_dir(&lex).unwrap();
        std::fs::write(lex.join("en.toml"), &src).unwrap();
        let cfg = dir.path().join("tocsin.toml");
        std::fs::write(&cfg, "[enrich]\nlexicons = \"lex\"\n").unwrap();
        let stderr = check_config_fails(&cfg);
        let at = format!("en.toml:{line}:");
        assert!(stderr.contains(&at), "{what}: want {at}\n{stderr}");
    }

    // An empty lexicon folder, and a folder that does not exist, are errors naming the folder.
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    for folder in ["empty", "missing"] {
        let cfg = dir.path().join(format!("{folder}.toml"));
        std::fs::write(&cfg, format!("[enrich]\nlexicons = \"{folder}\"\n")).unwrap();
        let stderr = check_config_fails(&cfg);
        assert!(stderr.contains(folder), "{folder}: {stderr}");
    }
}
