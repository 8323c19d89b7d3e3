//! Indicator quality report (`tocsin eval indicators`): runs the enricher over ACLED event
//! descriptions with coded fatalities and prints how well `fatalities` matches.
//!
//! - **Exact match** on rows coded with fatalities (> 0) whose text states the coded number as a
//!   number (digits, or a number word up to twenty): ACLED splits some reports' deaths across several
//!   events and codes unverified claims as 0, so rows whose text does not state the number cannot be
//!   scored. Target: at least 90%.
//! - **False fatalities** on rows coded 0: the share with a non-null `fatalities`. Target: at most 5%.
//! - Per-kind counts of the (non-negated) indicators found, and the throughput of extraction.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use enrich::Enricher;

const NUMBER_WORDS: [&str; 21] = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
];

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "n/a".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}

/// Whether `text` states `n` as a number: as digits not part of a longer number ("12" in "12
/// killed", not in "2012"; "1,200" for 1200), or as a number word.
fn states_number(text: &str, n: u64) -> bool {
    let plain = n.to_string();
    let grouped = group_thousands(n);
    for needle in [plain.as_str(), grouped.as_str()] {
        let bytes = text.as_bytes();
        let mut from = 0;
        while let Some(p) = text[from..].find(needle) {
            let a = from + p;
            let e = a + needle.len();
            let before = a == 0
                || !(bytes[a - 1].is_ascii_digit()
                    || (a >= 2 && bytes[a - 1] == b',' && bytes[a - 2].is_ascii_digit()));
            let after = e >= bytes.len()
                || !(bytes[e].is_ascii_digit()
                    || (bytes[e] == b',' && bytes.get(e + 1).is_some_and(u8::is_ascii_digit)));
            if before && after {
                return true;
            }
            from = a + 1;
        }
    }
    if let Some(word) = usize::try_from(n).ok().and_then(|i| NUMBER_WORDS.get(i)) {
        let lower = text.to_lowercase();
        return lower
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| w == *word);
    }
    false
}

fn group_thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Reads the gold CSV: report id → coded fatalities, by header names.
fn read_gold(path: &Path) -> Result<HashMap<String, u64>> {
    let mut rdr =
        csv::Reader::from_path(path).with_context(|| format!("reading {}", path.display()))?;
    let headers = rdr
        .headers()
        .with_context(|| format!("reading the header of {}", path.display()))?
        .clone();
    let col = |name: &str| {
        headers
            .iter()
            .position(|h| h == name)
            .with_context(|| format!("{}: no `{name}` column", path.display()))
    };
    let (id_col, fat_col) = (col("id")?, col("fatalities")?);
    let mut gold = HashMap::new();
    for (n, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| format!("{}: row {}", path.display(), n + 2))?;
        let id = rec.get(id_col).unwrap_or_default().to_owned();
        let raw = rec.get(fat_col).unwrap_or_default().trim();
        let f: u64 = raw
            .parse()
            .with_context(|| format!("{}: row {}: fatalities {raw:?}", path.display(), n + 2))?;
        gold.insert(id, f);
    }
    Ok(gold)
}

/// The report: the figures above as text.
pub fn report(enricher: &Enricher, reports: &Path, gold_csv: &Path) -> Result<String> {
    let gold = read_gold(gold_csv)?;
    let data = std::fs::read(reports).with_context(|| format!("reading {}", reports.display()))?;
    let decoder = ingest::Decoder::default();

    let (mut rows, mut unmatched) = (0usize, 0usize);
    let (mut stated, mut exact, mut over, mut under, mut missing) = (0usize, 0usize, 0, 0, 0);
    let (mut zero_rows, mut zero_nonnull) = (0usize, 0usize);
    let mut kinds: BTreeMap<String, usize> = BTreeMap::new();
    let mut bytes = 0usize;
    let mut elapsed = 0.0f64;
    for (n, line) in data.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let r = decoder
            .decode(line, None)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", reports.display(), n + 1))?;
        let Some(&coded) = gold.get(&r.id) else {
            unmatched += 1;
            continue;
        };
        rows += 1;
        bytes += r.text.len();
        let started = Instant::now();
        let e = enricher.enrich(&r);
        elapsed += started.elapsed().as_secs_f64();
        for i in e.indicators.iter().filter(|i| !i.negated) {
            *kinds.entry(i.kind.clone()).or_default() += 1;
        }
        if coded == 0 {
            zero_rows += 1;
            zero_nonnull += usize::from(e.fatalities.is_some());
        } else if states_number(&r.text, coded) {
            stated += 1;
            match e.fatalities {
                Some(f) if f == coded => exact += 1,
                Some(f) if f > coded => over += 1,
                Some(_) => under += 1,
                None => missing += 1,
            }
        }
    }

    let mut out = String::new();
    writeln!(
        out,
        "indicator extraction on {} ({} rows scored, {} without gold)",
        reports.display(),
        rows,
        unmatched
    )?;
    writeln!(
        out,
        "  fatalities exact, rows stating the coded number: {exact}/{stated} = {} (target >= 90%)",
        pct(exact, stated)
    )?;
    writeln!(out, "    too high {over}, too low {under}, none {missing}")?;
    writeln!(
        out,
        "  fatalities non-null, rows coded 0:               {zero_nonnull}/{zero_rows} = {} (target <= 5%)",
        pct(zero_nonnull, zero_rows)
    )?;
    writeln!(out, "  indicators by kind (not negated):")?;
    for (kind, n) in &kinds {
        writeln!(out, "    {kind:<24} {n}")?;
    }
    if elapsed > 0.0 {
        writeln!(
            out,
            "  enrich throughput: {:.1} MB/s, {:.0} reports/s (one thread, incl. geocoding)",
            bytes as f64 / 1e6 / elapsed,
            rows as f64 / elapsed
        )?;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn numbers_are_found_as_numbers_only() {
        assert!(states_number("12 militants were killed", 12));
        assert!(!states_number("On 12 March 2012, 3 killed", 201));
        assert!(!states_number("in 2012", 12));
        assert!(states_number("1,200 people fled", 1200));
        assert!(!states_number("1,200 people fled", 200));
        assert!(states_number("Six people were killed", 6));
        assert!(!states_number("Sixty people were killed", 6));
        assert_eq!(group_thousands(1234567), "1,234,567");
        assert_eq!(pct(1, 4), "25.0%");
    }

    #[test]
    fn gold_is_read_by_header_with_quoted_fields() {
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("gold.csv");
        std::fs::write(
            &p,
            "country,id,fatalities\n\"Mali, North\",r1,3\nNiger,r2,0\n",
        )
        .expect("write");
        let g = read_gold(&p).expect("gold");
        assert_eq!(g.get("r1"), Some(&3));
        assert_eq!(g.get("r2"), Some(&0));
        std::fs::write(&p, "id,deaths\nr1,3\n").expect("write");
        assert!(read_gold(&p)
            .unwrap_err()
            .to_string()
            .contains("fatalities"));
    }

    /// `cargo test --bin tocsin eval_indicators -- --ignored --nocapture` (needs ../shared/data).
    #[test]
    #[ignore]
    fn eval_indicators_on_shared_data() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/eval");
        if !root.is_dir() {
            eprintln!("{} not found; skipping", root.display());
            return;
        }
        let cache = std::env::temp_dir().join("tocsin-gazetteer-cache");
        let gaz = enrich::gazetteer::Gazetteer::load_or_build_builtin(&cache).expect("gazetteer");
        let lex = enrich::lexicon::Lexicons::builtin().expect("lexicons");
        let enricher = Enricher::new(&lex, Arc::new(gaz));
        let text = report(
            &enricher,
            &root.join("acled-dev.reports.ndjson"),
            &root.join("acled-dev.gold.csv"),
        )
        .expect("report");
        eprintln!("{text}");
    }
}
