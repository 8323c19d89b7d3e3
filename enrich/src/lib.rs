//! The enrich stage of tocsin's flow: ingest → **enrich** → `indicators` topic → alerting.
//!
//! For each validated [`ingest::Report`] it finds the indicators of atrocity risk the text states
//! (killings with casualty counts, massacres, displacement, abductions, burning of villages, hate
//! speech, mobilisation...), each with its evidence span, risk factor and negation/hedging flags
//! ([`extract`], driven by the lexicon files of [`lexicon`]); and the places it names, resolved against
//! a GeoNames [`gazetteer`] to a focus location ([`geocode`]). [`Enricher::enrich`] returns the
//! [`EnrichedReport`]; [`Enricher::records`] turns it into the [`IndicatorRecord`]s of the
//! `indicators` topic, one per (report, region, kind), keyed by region.
//!
//! The stage is stateless and deterministic: the same report always yields the same output, so it can
//! be re-run after a crash (at-least-once) and scaled out freely. It does no I/O once built.

pub mod counts;
pub mod extract;
pub mod fold;
pub mod gazetteer;
pub mod geocode;
pub mod lexicon;
mod model;

pub use model::*;

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

use ingest::{format_time, Report};

/// Errors building the enrich stage (loading lexicons or the gazetteer).
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    #[error("{file}:{line}:{column}: {message}")]
    Lexicon {
        file: String,
        line: usize,
        column: usize,
        message: String,
    },
    #[error("gazetteer {path}: {message}")]
    Gazetteer { path: String, message: String },
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
}

thread_local! {
    /// The folded text of the report being enriched, reused from report to report.
    static FOLDED: RefCell<fold::Folded> = RefCell::new(fold::Folded::default());
}

/// The enrich stage: lexicon-driven extraction plus geocoding. Cheap to share across threads.
pub struct Enricher {
    extractor: extract::Extractor,
    geocoder: geocode::Geocoder,
}

impl Enricher {
    pub fn new(lexicons: &lexicon::Lexicons, gazetteer: Arc<gazetteer::Gazetteer>) -> Self {
        Enricher {
            extractor: extract::Extractor::new(lexicons),
            geocoder: geocode::Geocoder::new(gazetteer),
        }
    }

    /// The stage with another least score of the locations it reports
    /// ([`geocode::Geocoder::with_min_score`]).
    pub fn with_min_location_score(mut self, min_score: f64) -> Self {
        self.geocoder = self.geocoder.with_min_score(min_score);
        self
    }

    pub fn gazetteer(&self) -> &gazetteer::Gazetteer {
        self.geocoder.gazetteer()
    }

    /// Indicator kinds the loaded lexicons know.
    pub fn kinds(&self) -> Vec<String> {
        self.extractor.kinds()
    }

    /// Enriches one report. The text is folded once, for extraction and geocoding.
    pub fn enrich(&self, report: &Report) -> EnrichedReport {
        let (extraction, geo) = FOLDED.with(|f| {
            let mut f = f.borrow_mut();
            f.refold(&report.text);
            let extraction =
                self.extractor
                    .extract_folded(&report.text, &f, report.lang.as_deref());
            let geo = self.geocoder.geocode_report_folded(
                &report.text,
                &mut f,
                report.title.as_deref(),
                report.source.as_deref(),
                report.url.as_deref(),
            );
            (extraction, geo)
        });
        EnrichedReport {
            id: report.id.clone(),
            published_at: format_time(&report.published_at),
            lang: extraction.lang,
            indicators: extraction.indicators,
            locations: geo.locations,
            focus: geo.focus,
            fatalities: extraction.fatalities,
        }
    }

    /// The `indicators` topic records of an enriched report: one per (region, kind) of its
    /// non-negated indicators. Indicators are placed in the region of the report's focus; a report
    /// with no focus yields none (it cannot be aggregated per region).
    pub fn records(&self, report: &Report, enriched: &EnrichedReport) -> Vec<IndicatorRecord> {
        let Some(focus) = &enriched.focus else {
            return Vec::new();
        };
        let region = self.geocoder.gazetteer().region_of(focus);
        let mut by_kind: BTreeMap<&str, (Vec<&Indicator>, Option<u64>)> = BTreeMap::new();
        for ind in enriched.indicators.iter().filter(|i| !i.negated) {
            let e = by_kind.entry(ind.kind.as_str()).or_default();
            e.0.push(ind);
            e.1 = e.1.max(ind.count);
        }
        let fingerprint = text_fingerprint(&report.text);
        by_kind
            .into_iter()
            .map(|(kind, (inds, count))| IndicatorRecord {
                report_id: report.id.clone(),
                source: report.source.clone(),
                published_at: enriched.published_at.clone(),
                region: region.clone(),
                kind: kind.to_owned(),
                risk_factor: inds[0].risk_factor.clone(),
                count,
                fatalities: enriched.fatalities,
                evidence: inds
                    .iter()
                    .map(|i| Evidence {
                        report_id: report.id.clone(),
                        start: i.start,
                        end: i.end,
                        text: i.text.clone(),
                    })
                    .collect(),
                text_fingerprint: fingerprint.clone(),
            })
            .collect()
    }
}

/// A stable fingerprint of a text's words (folded, punctuation and spacing ignored): syndicated
/// copies of one story share it. FNV-1a 64 over each folded word followed by a space, printed in
/// hex. The text is folded as it is hashed, with no copy.
pub fn text_fingerprint(text: &str) -> String {
    // ASCII folds to ASCII lower case (and '`' to '\'', not a word character): each ASCII byte's
    // folded form when it is a word character, else 0.
    const WORD_BYTES: [u8; 128] = {
        let mut t = [0u8; 128];
        let mut b = 0;
        while b < 128 {
            if (b as u8).is_ascii_alphanumeric() {
                t[b] = (b as u8).to_ascii_lowercase();
            }
            b += 1;
        }
        t
    };
    const PRIME: u64 = 0x100000001b3;
    let mut h: u64 = 0xcbf29ce484222325;
    let mut in_word = false;
    // The folded characters of one non-ASCII character.
    let mut folded = String::new();
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        if b.is_ascii() {
            let w = WORD_BYTES[usize::from(b)];
            if w != 0 {
                h = (h ^ u64::from(w)).wrapping_mul(PRIME);
                in_word = true;
            } else if in_word {
                h = (h ^ u64::from(b' ')).wrapping_mul(PRIME);
                in_word = false;
            }
            at += 1;
            continue;
        }
        let Some(c) = text[at..].chars().next() else {
            break;
        };
        at += c.len_utf8();
        folded.clear();
        fold::push_folded(c, &mut |o| folded.push(o));
        for o in folded.chars() {
            if o.is_alphanumeric() {
                let mut buf = [0u8; 4];
                for &b in o.encode_utf8(&mut buf).as_bytes() {
                    h = (h ^ u64::from(b)).wrapping_mul(PRIME);
                }
                in_word = true;
            } else if in_word {
                h = (h ^ u64::from(b' ')).wrapping_mul(PRIME);
                in_word = false;
            }
        }
    }
    if in_word {
        h = (h ^ u64::from(b' ')).wrapping_mul(PRIME);
    }
    format!("{h:016x}")
}

/// A xorshift64 generator for the tests that compare a fast path with its reference on random
/// texts: the same seed, the same texts.
#[cfg(test)]
pub(crate) fn test_rng(mut seed: u64) -> impl FnMut() -> u64 {
    move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The fingerprint as first defined: fold the whole text, then hash its words.
    fn reference_fingerprint(text: &str) -> String {
        let folded = fold::fold(text);
        let mut h: u64 = 0xcbf29ce484222325;
        for word in folded
            .split(|c: char| !c.is_alphanumeric())
            .filter(|w| !w.is_empty())
        {
            for b in word.bytes().chain(std::iter::once(b' ')) {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x100000001b3);
            }
        }
        format!("{h:016x}")
    }

    #[test]
    fn fingerprints_fold_as_they_hash() {
        for t in [
            "",
            " ",
            "Gunmen killed 12 villagers in Ségou.",
            "KÖLN Straße, İdlib; l’assassinat — x`y",
            "قُتِلَ 12 مدنيا، في حلب",
            "aß1 ½ Ⅻ 東京",
            "end-word",
        ] {
            assert_eq!(text_fingerprint(t), reference_fingerprint(t), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fingerprints_match_their_definition(t in "[a-zA-Z0-9 .,'`]{0,20}\\PC{0,20}") {
            proptest::prop_assert_eq!(text_fingerprint(&t), reference_fingerprint(&t));
        }
    }

    #[test]
    fn fingerprints_ignore_case_punctuation_and_spacing() {
        assert_eq!(
            text_fingerprint("Gunmen killed 12 villagers in Ségou."),
            text_fingerprint("gunmen  killed 12 villagers in SEGOU")
        );
        assert_ne!(
            text_fingerprint("Gunmen killed 12 villagers"),
            text_fingerprint("Gunmen killed 13 villagers")
        );
    }
}
