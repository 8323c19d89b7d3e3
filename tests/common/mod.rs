//! Helpers shared by the end-to-end tests.
#![allow(dead_code)]

pub mod broker;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn sample_feed() -> PathBuf {
    root().join("data/sample/feed.ndjson")
}

/// The tocsin binary, with its caches under the target dir so tests never touch the user's.
pub fn tocsin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_tocsin"));
    c.env("TOCSIN_CACHE_DIR", root().join("target/test-cache"))
        .env_remove("TOCSIN_CONFIG")
        .env("TOCSIN_LOG", "warn");
    c
}

pub fn run_ok(cmd: &mut Command) -> Output {
    let out = cmd.output().expect("run tocsin");
    assert!(
        out.status.success(),
        "{cmd:?} failed with {:?}\nstderr:\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

pub fn read_lines(path: &Path) -> Vec<serde_json::Value> {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{}: {e}: {l}", path.display())))
        .collect()
}

/// Checks every value against a schema of docs/schemas, listing every violation.
pub fn assert_valid(schema_file: &str, values: &[serde_json::Value]) {
    let path = root().join("docs/schemas").join(schema_file);
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("schema"))
            .expect("schema JSON");
    let validator = jsonschema::validator_for(&schema).expect("valid schema");
    for v in values {
        let errors: Vec<String> = validator
            .iter_errors(v)
            .map(|e| format!("{e} at {}", e.instance_path()))
            .collect();
        assert!(
            errors.is_empty(),
            "{schema_file}: {v}\n{}",
            errors.join("\n")
        );
    }
}

/// An alert without its wall-clock field, for comparisons between runs.
pub fn without_emitted_at(mut v: serde_json::Value) -> String {
    if let Some(o) = v.as_object_mut() {
        o.remove("emitted_at");
    }
    v.to_string()
}

/// Malformed messages mixed into feeds by the tests, with the reason each must be rejected for.
pub fn malformed() -> Vec<(Vec<u8>, &'static str)> {
    vec![
        (b"{not json".to_vec(), "invalid_json"),
        (b"\xff\xfe\x00garbage".to_vec(), "invalid_utf8"),
        (br#"["an","array"]"#.to_vec(), "not_an_object"),
        (
            br#"{"id":"bad-1","published_at":"2026-03-02T10:00:00Z"}"#.to_vec(),
            "missing_field",
        ),
        (
            br#"{"id":"bad-2","text":"x","published_at":"last Tuesday"}"#.to_vec(),
            "invalid_timestamp",
        ),
        (
            br#"{"id":42,"text":"x","published_at":"2026-03-02T10:00:00Z"}"#.to_vec(),
            "wrong_type",
        ),
        (
            br#"{"id":"bad-3","text":"   ","published_at":"2026-03-02T10:00:00Z"}"#.to_vec(),
            "empty_text",
        ),
        (
            format!("{}{}", "[".repeat(64), "]".repeat(64)).into_bytes(),
            "too_deep",
        ),
    ]
}
