//! Helpers shared by the per-language extraction tests (`lang_<code>.rs`).
#![allow(dead_code)]

use std::sync::OnceLock;

use enrich::extract::{Extraction, Extractor};
use enrich::fold::char_slice;
use enrich::lexicon::Lexicons;
use enrich::Indicator;

/// The extractor over the built-in lexicons, built once per test binary.
pub fn extractor() -> &'static Extractor {
    static E: OnceLock<Extractor> = OnceLock::new();
    E.get_or_init(|| Extractor::new(&Lexicons::builtin().expect("built-in lexicons")))
}

/// Extracts `text` in `lang`, checking every evidence span against the text.
pub fn run(lang: &str, text: &str) -> Extraction {
    let e = extractor().extract(text, Some(lang));
    for i in &e.indicators {
        assert_eq!(char_slice(text, i.start, i.end), i.text, "span of {i:?}");
    }
    e
}

/// The first indicator of a kind.
pub fn first<'a>(e: &'a Extraction, kind: &str) -> &'a Indicator {
    e.indicators
        .iter()
        .find(|i| i.kind == kind)
        .unwrap_or_else(|| panic!("no {kind} in {:#?}", e.indicators))
}

/// Each (kind, text) yields a non-negated indicator of that kind.
pub fn assert_kinds(lang: &str, cases: &[(&str, &str)]) {
    for (kind, text) in cases {
        let e = run(lang, text);
        assert!(
            e.indicators.iter().any(|i| i.kind == *kind && !i.negated),
            "{kind} not found in {text:?}: {:#?}",
            e.indicators
        );
    }
}

/// (text, kind, count, low, high).
pub type CountCase<'a> = (&'a str, &'a str, Option<u64>, Option<u64>, Option<u64>);

/// Each (text, kind, count, low, high) yields that count on the first indicator of the kind.
pub fn assert_counts(lang: &str, cases: &[CountCase]) {
    for (text, kind, count, low, high) in cases {
        let e = run(lang, text);
        let i = first(&e, kind);
        assert_eq!(
            (i.count, i.count_low, i.count_high),
            (*count, *low, *high),
            "{text:?}: {i:#?}"
        );
    }
}

/// Each (text, fatalities).
pub fn assert_fatalities(lang: &str, cases: &[(&str, Option<u64>)]) {
    for (text, n) in cases {
        let e = run(lang, text);
        assert_eq!(e.fatalities, *n, "{text:?}: {:#?}", e.indicators);
    }
}

/// Each (text, victim label of its first killing).
pub fn assert_victims(lang: &str, cases: &[(&str, &str)]) {
    for (text, victims) in cases {
        let e = run(lang, text);
        assert_eq!(
            first(&e, "killing").victims.as_deref(),
            Some(*victims),
            "{text:?}: {:#?}",
            e.indicators
        );
    }
}
