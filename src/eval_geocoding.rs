//! Geocoding quality report (`tocsin eval geocoding`): runs the enricher over labelled reports and
//! prints how well the focus and the toponyms match the ground truth.
//!
//! - **ACLED** (event descriptions with a coded location): focus country accuracy on every row;
//!   admin1 accuracy by GeoNames code (`geonames_admin1`) on rows coded to a place (geo_precision
//!   1–2) whose coded point lies within 25 km of a cities500 place; share of focuses within 50 km of
//!   the coded point (geo_precision 1–2).
//! - **Geoparsing** (LGL and GeoWebNews with gold toponym spans in code points): toponym precision,
//!   recall and F1, and accuracy within 161 km of the matched toponyms; also counted apart: the
//!   toponyms beyond 161 km resolved to the very GeoNames entry the gold names (countries and
//!   divisions, whose points this gazetteer takes from the Factbook and from the area its places
//!   cover, where GeoNames has points of its own that its extract lacks). Gold toponyms without
//!   coordinates (metonyms, organisations, generic nouns such as "country") are not counted as
//!   toponyms to find, and a predicted span that overlaps one is neither right nor wrong.
//!
//! With `--misses FILE`, every miss is also written to FILE as one JSON object a line, with a
//! `kind` (`country`, `admin1`, `far` for ACLED focuses; `false_toponym`, `missed_toponym`,
//! `far_toponym` for the geoparsing corpora), the report id, what was expected and what was found:
//! material for classifying errors.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;
use std::time::Instant;

use anyhow::{Context, Result};
use enrich::{Enricher, Location};
use serde::Deserialize;

/// Great-circle distance in km.
fn km(lat1: f64, lon1: f64, lat2: f64, lon2: f64) -> f64 {
    let (p1, p2) = (lat1.to_radians(), lat2.to_radians());
    let dp = p2 - p1;
    let dl = (lon2 - lon1).to_radians();
    let a = (dp / 2.0).sin().powi(2) + p1.cos() * p2.cos() * (dl / 2.0).sin().powi(2);
    2.0 * 6371.0 * a.sqrt().min(1.0).asin()
}

fn pct(n: usize, d: usize) -> String {
    if d == 0 {
        "n/a".into()
    } else {
        format!("{:.1}%", 100.0 * n as f64 / d as f64)
    }
}

#[derive(Debug, Deserialize)]
struct AcledGold {
    id: String,
    country_iso2: String,
    #[serde(default)]
    admin1: String,
    #[serde(default)]
    location: String,
    latitude: f64,
    longitude: f64,
    geo_precision: u8,
    #[serde(default)]
    geonames_admin1: String,
    #[serde(default)]
    geonames_admin1_km: Option<f64>,
}

#[derive(Debug, Deserialize)]
struct GoldToponym {
    #[serde(default)]
    phrase: String,
    /// Code points; a few gold spans in the corpora are negative (broken), they match nothing.
    start: i64,
    end: i64,
    #[serde(default)]
    lat: Option<f64>,
    #[serde(default)]
    lon: Option<f64>,
    /// The GeoNames entry the annotators chose; the corpora give it as a string.
    #[serde(default)]
    geonameid: Option<String>,
    /// Its GeoNames feature code (`PCLI` for a country, `ADM1` for a first-level division...).
    #[serde(default)]
    fcode: Option<String>,
}

#[derive(Debug, Deserialize)]
struct GeoparsingDoc {
    corpus: String,
    doc_id: String,
    text: String,
    /// The article's address, part of the report as the service receives it.
    #[serde(default)]
    url: Option<String>,
    toponyms: Vec<GoldToponym>,
}

/// Decodes every line of an NDJSON report file.
fn read_reports(path: &Path) -> Result<Vec<ingest::Report>> {
    let data = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    let decoder = ingest::Decoder::default();
    let mut out = Vec::new();
    for (n, line) in data.split(|&b| b == b'\n').enumerate() {
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        let r = decoder
            .decode(line, None)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), n + 1))?;
        out.push(r);
    }
    Ok(out)
}

/// Where misses go, when asked for: one JSON object a line.
type Misses<'a> = Option<&'a mut dyn std::io::Write>;

fn write_miss(out: &mut Misses<'_>, miss: serde_json::Value) -> Result<()> {
    if let Some(w) = out {
        writeln!(w, "{miss}").context("writing misses")?;
    }
    Ok(())
}

/// A short description of a predicted location for the misses file.
fn describe(l: Option<&Location>) -> serde_json::Value {
    match l {
        None => serde_json::Value::Null,
        Some(l) => serde_json::json!({
            "name": l.name,
            "geonameid": l.geonameid,
            "country": l.country,
            "admin1": l.admin1,
            "level": l.level,
            "lat": l.lat,
            "lon": l.lon,
            "score": l.score,
            "start": l.start,
            "end": l.end,
        }),
    }
}

/// Figures of the ACLED part.
#[derive(Debug, Default, Clone, Copy)]
struct AcledFigures {
    rows: usize,
    with_focus: usize,
    country_ok: usize,
    admin1_rows: usize,
    admin1_ok: usize,
    near_rows: usize,
    near_ok: usize,
}

fn acled(
    enricher: &Enricher,
    reports: &Path,
    gold: &Path,
    misses: &mut Misses<'_>,
) -> Result<AcledFigures> {
    let mut rdr =
        csv::Reader::from_path(gold).with_context(|| format!("reading {}", gold.display()))?;
    let mut by_id: BTreeMap<String, AcledGold> = BTreeMap::new();
    for (n, row) in rdr.deserialize::<AcledGold>().enumerate() {
        let row = row.with_context(|| format!("{}: row {}", gold.display(), n + 2))?;
        by_id.insert(row.id.clone(), row);
    }
    let mut f = AcledFigures::default();
    for r in read_reports(reports)? {
        let Some(g) = by_id.get(&r.id) else { continue };
        let e = enricher.enrich(&r);
        f.rows += 1;
        let focus = e.focus.as_ref();
        f.with_focus += usize::from(focus.is_some());
        let mut kinds: Vec<&str> = Vec::new();
        if focus.is_some_and(|l| l.country == g.country_iso2) {
            f.country_ok += 1;
        } else {
            kinds.push("country");
        }
        if matches!(g.geo_precision, 1 | 2) {
            f.near_rows += 1;
            if focus.is_some_and(|l| km(l.lat, l.lon, g.latitude, g.longitude) <= 50.0) {
                f.near_ok += 1;
            } else {
                kinds.push("far");
            }
            if !g.geonames_admin1.is_empty() && g.geonames_admin1_km.is_some_and(|k| k <= 25.0) {
                f.admin1_rows += 1;
                if focus.is_some_and(|l| l.admin1.as_deref() == Some(g.geonames_admin1.as_str())) {
                    f.admin1_ok += 1;
                } else {
                    kinds.push("admin1");
                }
            }
        }
        if misses.is_some() {
            for kind in kinds {
                write_miss(
                    misses,
                    serde_json::json!({
                        "kind": kind,
                        "id": r.id,
                        "gold": {
                            "country": g.country_iso2,
                            "admin1": g.geonames_admin1,
                            "admin1_name": g.admin1,
                            "location": g.location,
                            "lat": g.latitude,
                            "lon": g.longitude,
                            "geo_precision": g.geo_precision,
                        },
                        "focus": describe(focus),
                        "km": focus.map(|l| km(l.lat, l.lon, g.latitude, g.longitude).round()),
                        "locations": e.locations.iter().map(|l| {
                            format!("{} [{}/{}] {:.2}", l.name, l.country,
                                l.admin1.as_deref().unwrap_or("-"), l.score)
                        }).collect::<Vec<_>>(),
                        "text": r.text,
                    }),
                )?;
            }
        }
    }
    Ok(f)
}

/// Figures of the geoparsing part.
#[derive(Debug, Default, Clone, Copy)]
struct GeoparsingFigures {
    docs: usize,
    gold: usize,
    predicted: usize,
    true_pos: usize,
    found: usize,
    within_161: usize,
    /// Beyond 161 km but the very GeoNames entry the gold names (a country or division whose
    /// point this gazetteer places elsewhere than GeoNames does).
    same_entry_far: usize,
}

fn overlaps(l: &Location, t: &GoldToponym) -> bool {
    (l.start as i64) < t.end && t.start < l.end as i64
}

fn geoparsing(
    enricher: &Enricher,
    path: &Path,
    misses: &mut Misses<'_>,
) -> Result<GeoparsingFigures> {
    let data =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let decoder = ingest::Decoder::default();
    let mut f = GeoparsingFigures::default();
    for (n, line) in data.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let doc: GeoparsingDoc = serde_json::from_str(line)
            .with_context(|| format!("{}:{}: not a geoparsing document", path.display(), n + 1))?;
        let json = serde_json::json!({
            "id": format!("{}-{}", doc.corpus, doc.doc_id),
            "text": doc.text,
            "url": doc.url,
            "published_at": "2000-01-01T00:00:00Z",
        });
        let report = decoder
            .decode(json.to_string().as_bytes(), None)
            .map_err(|e| anyhow::anyhow!("{}:{}: {e}", path.display(), n + 1))?;
        let e = enricher.enrich(&report);
        f.docs += 1;
        let (gold, ignored): (Vec<&GoldToponym>, Vec<&GoldToponym>) = doc
            .toponyms
            .iter()
            .partition(|t| t.lat.is_some() && t.lon.is_some());
        f.gold += gold.len();
        let id = format!("{}-{}", doc.corpus, doc.doc_id);
        // The words around a span, for reading misses without the document at hand.
        let context = |start: usize, end: usize| -> String {
            let a = start.saturating_sub(60);
            doc.text
                .chars()
                .skip(a)
                .take(end.saturating_sub(a) + 60)
                .collect::<String>()
                .replace('\n', " ")
        };
        for l in &e.locations {
            let hits_gold = gold.iter().any(|t| overlaps(l, t));
            if !hits_gold && ignored.iter().any(|t| overlaps(l, t)) {
                continue;
            }
            f.predicted += 1;
            f.true_pos += usize::from(hits_gold);
            if !hits_gold && misses.is_some() {
                let phrase: String = doc
                    .text
                    .chars()
                    .skip(l.start)
                    .take(l.end - l.start)
                    .collect();
                write_miss(
                    misses,
                    serde_json::json!({
                        "kind": "false_toponym",
                        "id": id,
                        "phrase": phrase,
                        "found": describe(Some(l)),
                        "context": context(l.start, l.end),
                    }),
                )?;
            }
        }
        for t in &gold {
            let found = e.locations.iter().find(|l| overlaps(l, t));
            let (start, end) = (t.start.max(0) as usize, t.end.max(0) as usize);
            if let Some(l) = found {
                f.found += 1;
                let (Some(lat), Some(lon)) = (t.lat, t.lon) else {
                    continue;
                };
                let d = km(l.lat, l.lon, lat, lon);
                let same_entry = l.geonameid.is_some_and(|id| {
                    t.geonameid.as_deref().and_then(|g| g.parse::<u64>().ok()) == Some(id)
                });
                if d <= 161.0 {
                    f.within_161 += 1;
                } else {
                    f.same_entry_far += usize::from(same_entry);
                    write_miss(
                        misses,
                        serde_json::json!({
                            "kind": "far_toponym",
                            "id": id,
                            "phrase": t.phrase,
                            "gold": {"lat": lat, "lon": lon, "geonameid": t.geonameid, "fcode": t.fcode},
                            "found": describe(Some(l)),
                            "km": d.round(),
                            "same_entry": same_entry,
                            "context": context(start, end),
                        }),
                    )?;
                }
            } else {
                write_miss(
                    misses,
                    serde_json::json!({
                        "kind": "missed_toponym",
                        "id": id,
                        "phrase": t.phrase,
                        "gold": {"lat": t.lat, "lon": t.lon},
                        "context": context(start, end),
                    }),
                )?;
            }
        }
    }
    Ok(f)
}

/// The quality report, as printable text.
///
/// `misses_path`: where to write every miss, one JSON object a line (see the module docs).
pub fn report(
    enricher: &Enricher,
    acled_reports: &Path,
    acled_gold: &Path,
    geoparsing_path: &Path,
    misses_path: Option<&Path>,
) -> Result<String> {
    let mut out = String::new();
    let mut file = match misses_path {
        Some(p) => Some(std::io::BufWriter::new(
            std::fs::File::create(p).with_context(|| format!("creating {}", p.display()))?,
        )),
        None => None,
    };
    let mut misses: Misses<'_> = file.as_mut().map(|f| f as &mut dyn std::io::Write);
    let started = Instant::now();
    let a = acled(enricher, acled_reports, acled_gold, &mut misses)?;
    let acled_secs = started.elapsed().as_secs_f64();
    let started = Instant::now();
    let g = geoparsing(enricher, geoparsing_path, &mut misses)?;
    if let (Some(f), Some(p)) = (file.as_mut(), misses_path) {
        f.flush()
            .with_context(|| format!("writing {}", p.display()))?;
    }
    let geo_secs = started.elapsed().as_secs_f64();
    let stats = enricher.gazetteer().stats();
    let _ = writeln!(
        out,
        "gazetteer: {} places, {} names, {} admin1, {} admin2, {} countries",
        stats.places, stats.names, stats.admin1, stats.admin2, stats.countries
    );
    let _ = writeln!(
        out,
        "ACLED ({} reports, {} with a focus, {:.2}s)",
        a.rows, a.with_focus, acled_secs
    );
    let _ = writeln!(
        out,
        "  focus country accuracy        {:>7}  ({}/{}; target >= 95%)",
        pct(a.country_ok, a.rows),
        a.country_ok,
        a.rows
    );
    let _ = writeln!(
        out,
        "  focus admin1 by code          {:>7}  ({}/{} rows with geo_precision 1-2, admin1 point <= 25 km; target >= 80%)",
        pct(a.admin1_ok, a.admin1_rows),
        a.admin1_ok,
        a.admin1_rows
    );
    let _ = writeln!(
        out,
        "  focus within 50 km            {:>7}  ({}/{} rows with geo_precision 1-2; target >= 70%)",
        pct(a.near_ok, a.near_rows),
        a.near_ok,
        a.near_rows
    );
    let p = if g.predicted == 0 {
        0.0
    } else {
        g.true_pos as f64 / g.predicted as f64
    };
    let r = if g.gold == 0 {
        0.0
    } else {
        g.found as f64 / g.gold as f64
    };
    let f1 = if p + r == 0.0 {
        0.0
    } else {
        2.0 * p * r / (p + r)
    };
    let _ = writeln!(
        out,
        "Geoparsing ({} documents, {} gold toponyms with coordinates, {:.2}s)",
        g.docs, g.gold, geo_secs
    );
    let _ = writeln!(
        out,
        "  toponym precision             {:>6.1}%  ({}/{})",
        100.0 * p,
        g.true_pos,
        g.predicted
    );
    let _ = writeln!(
        out,
        "  toponym recall                {:>6.1}%  ({}/{})",
        100.0 * r,
        g.found,
        g.gold
    );
    let _ = writeln!(
        out,
        "  toponym F1                    {:>6.1}%  (target >= 85%)",
        100.0 * f1
    );
    let _ = writeln!(
        out,
        "  accuracy within 161 km        {:>7}  ({}/{} matched toponyms; target >= 90%)",
        pct(g.within_161, g.found),
        g.within_161,
        g.found
    );
    let same = g.within_161 + g.same_entry_far;
    let _ = writeln!(
        out,
        "    or the gold's own entry     {:>7}  ({same}/{} matched toponyms; {} beyond 161 km are the GeoNames entry the gold names)",
        pct(same, g.found),
        g.found,
        g.same_entry_far
    );
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    #[test]
    fn distances_and_percentages() {
        assert!((km(0.0, 0.0, 0.0, 1.0) - 111.19).abs() < 0.1);
        assert_eq!(pct(1, 4), "25.0%");
        assert_eq!(pct(1, 0), "n/a");
    }

    /// `cargo test --bin tocsin eval_geocoding -- --ignored --nocapture` (needs ../shared/data).
    #[test]
    #[ignore]
    fn eval_geocoding_on_shared_data() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/eval");
        if !root.is_dir() {
            eprintln!("{} not found; skipping", root.display());
            return;
        }
        let cache = std::env::temp_dir().join("tocsin-gazetteer-cache");
        let started = Instant::now();
        let gaz = enrich::gazetteer::Gazetteer::load_or_build_builtin(&cache).expect("gazetteer");
        eprintln!("gazetteer ready in {:.3}s", started.elapsed().as_secs_f64());
        let lex = enrich::lexicon::Lexicons::builtin().expect("lexicons");
        let enricher = Enricher::new(&lex, Arc::new(gaz));
        let text = report(
            &enricher,
            &root.join("acled-dev.reports.ndjson"),
            &root.join("acled-dev.gold.csv"),
            &root.join("geoparsing-dev.jsonl"),
            None,
        )
        .expect("report");
        println!("{text}");
    }
}
