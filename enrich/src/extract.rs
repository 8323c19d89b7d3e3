//! Indicator extraction over a report's text. PLACEHOLDER API — implemented by the
//! indicator-extraction work.

use crate::lexicon::Lexicons;
use crate::Indicator;

/// What extraction found in one text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Extraction {
    pub indicators: Vec<Indicator>,
    /// People reported killed in the event, `None` when the text states none.
    pub fatalities: Option<u64>,
    /// The language used (given, or detected).
    pub lang: Option<String>,
}

/// Compiled matchers for all lexicons.
pub struct Extractor {}

impl Extractor {
    pub fn new(_lexicons: &Lexicons) -> Self {
        Extractor {}
    }

    pub fn kinds(&self) -> Vec<String> {
        Vec::new()
    }

    pub fn extract(&self, _text: &str, lang: Option<&str>) -> Extraction {
        Extraction {
            lang: lang.map(str::to_owned),
            ..Extraction::default()
        }
    }
}
