//! Fuzzes casualty-count reading: `enrich::counts::read_digits` / `read_number` on arbitrary text
//! and separators, and the whole extraction (tokens, clitics, number words, ranges, modifiers:
//! `counts::parse_count`) with every built-in lexicon. No panic; offsets and spans stay inside the
//! text.
#![no_main]

use std::sync::OnceLock;

use enrich::counts::{read_digits, read_number};
use enrich::extract::Extractor;
use enrich::lexicon::Lexicons;
use libfuzzer_sys::fuzz_target;

fn extractor() -> &'static Extractor {
    static E: OnceLock<Extractor> = OnceLock::new();
    E.get_or_init(|| match Lexicons::builtin() {
        Ok(lex) => Extractor::new(&lex),
        Err(e) => panic!("built-in lexicons: {e}"),
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for (thousands, decimal) in [(',', '.'), ('.', ','), (' ', ','), ('\u{066C}', '\u{066B}')] {
        if let Some((value, _digits, end)) = read_digits(text, thousands, decimal) {
            assert!(end > 0 && end <= text.len() && text.is_char_boundary(end));
            assert!(value.is_finite() || end > 300, "{value} from {:?}", &text[..end]);
            assert!(value >= 0.0);
        }
    }
    let chars = text.chars().count();
    if let Some((value, _digits, end)) = read_number(text, &[' ', '.', ','], &[',', '.']) {
        assert!(end > 0 && end <= text.len() && text.is_char_boundary(end));
        assert!(value >= 0.0);
    }
    for lang in [Some("en"), Some("fr"), Some("es"), Some("ar"), None] {
        let x = extractor().extract(text, lang);
        for i in &x.indicators {
            assert!(i.start <= i.end && i.end <= chars, "{i:?} in {chars} chars");
            if let (Some(low), Some(high)) = (i.count_low, i.count_high) {
                assert!(low <= high, "{i:?}");
            }
        }
    }
});
