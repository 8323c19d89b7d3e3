//! Golden-file tests of indicator extraction: hand-written sentences per language
//! (`golden_<lang>.ndjson`, one `{"text", "lang"?}` per line) and the expected extraction
//! (`golden_<lang>.expected.ndjson`). Set `UPDATE_GOLDEN=1` to rewrite the expected files, then
//! review the diff.

use std::path::PathBuf;

use enrich::extract::Extractor;
use enrich::lexicon::Lexicons;
use serde_json::{json, Value};

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests")
}

fn run_golden(lang: &str) {
    let ex = Extractor::new(&Lexicons::builtin().expect("built-in lexicons"));
    let input =
        std::fs::read_to_string(dir().join(format!("golden_{lang}.ndjson"))).expect("golden input");
    let mut actual = String::new();
    for (n, line) in input
        .lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
    {
        let v: Value = serde_json::from_str(line)
            .unwrap_or_else(|e| panic!("golden_{lang}.ndjson:{}: {e}", n + 1));
        let text = v["text"].as_str().expect("text");
        let e = ex.extract(text, v["lang"].as_str());
        let out = json!({
            "text": text,
            "lang": e.lang,
            "fatalities": e.fatalities,
            "indicators": e.indicators,
        });
        actual.push_str(&serde_json::to_string(&out).expect("serialises"));
        actual.push('\n');
    }
    let path = dir().join(format!("golden_{lang}.expected.ndjson"));
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &actual).expect("write golden");
        return;
    }
    let expected = std::fs::read_to_string(&path).expect("expected golden file");
    for (i, (a, e)) in actual.lines().zip(expected.lines()).enumerate() {
        assert_eq!(a, e, "golden_{lang} line {} differs", i + 1);
    }
    assert_eq!(actual.lines().count(), expected.lines().count());
}

#[test]
fn golden_ar() {
    run_golden("ar");
}

#[test]
fn golden_en() {
    run_golden("en");
}

#[test]
fn golden_es() {
    run_golden("es");
}

#[test]
fn golden_fr() {
    run_golden("fr");
}
