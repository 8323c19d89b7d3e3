//! Case and diacritics folding with an offset map back to the original text.
//!
//! Matchers run over the folded text (`"Ségou"` → `"segou"`, `"İDLİB"` → `"idlib"`) and report byte
//! offsets in it; [`Folded::span`] turns those into code-point offsets in the original text, which is
//! what the contracts carry.

use unicode_normalization::char::{decompose_canonical, is_combining_mark};

/// A folded copy of a text.
#[derive(Debug, Clone, Default)]
pub struct Folded {
    /// The folded text: lower case, no combining marks, typographic apostrophes and dashes made ASCII.
    pub text: String,
    /// For each byte of `text`, the code-point index of the original character it came from.
    map: Vec<u32>,
    /// Number of code points in the original text.
    original_chars: u32,
}

impl Folded {
    /// Folds `original`.
    pub fn new(original: &str) -> Self {
        let mut f = Folded::default();
        f.refold(original);
        f
    }

    /// Folds `original` into this buffer, reusing its allocations.
    pub fn refold(&mut self, original: &str) {
        self.text.clear();
        self.map.clear();
        let mut n = 0u32;
        for (i, c) in original.chars().enumerate() {
            let i = i as u32;
            n = i + 1;
            push_folded(c, &mut |out: char| {
                let before = self.text.len();
                self.text.push(out);
                self.map
                    .extend(std::iter::repeat_n(i, self.text.len() - before));
            });
        }
        self.original_chars = n;
    }

    /// Code-point span in the original text of the folded byte range `start..end`.
    pub fn span(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.map.get(start).copied().unwrap_or(self.original_chars);
        let e = if end == 0 {
            s
        } else {
            self.map
                .get(end - 1)
                .map_or(self.original_chars, |&i| i + 1)
        };
        (s as usize, e.max(s) as usize)
    }
}

/// Folds one character, calling `out` for each resulting character (zero or more).
fn push_folded(c: char, out: &mut impl FnMut(char)) {
    match c {
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' | '`' => return out('\''),
        '\u{201C}' | '\u{201D}' | '\u{00AB}' | '\u{00BB}' => return out('"'),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => return out('-'),
        '\u{00A0}' | '\u{2007}' | '\u{202F}' => return out(' '),
        'ß' => {
            out('s');
            return out('s');
        }
        'İ' | 'ı' => return out('i'),
        _ => {}
    }
    if c.is_ascii() {
        return out(c.to_ascii_lowercase());
    }
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            for l in d.to_lowercase() {
                out(l);
            }
        }
    });
}

/// Folds a name or phrase (no offset map), for building dictionaries.
pub fn fold(s: &str) -> String {
    let mut t = String::with_capacity(s.len());
    for c in s.chars() {
        push_folded(c, &mut |o| t.push(o));
    }
    t
}

/// Converts a byte offset in `s` to a code-point offset.
pub fn char_offset(s: &str, byte: usize) -> usize {
    s[..byte.min(s.len())].chars().count()
}

/// The substring of `s` between code-point offsets.
pub fn char_slice(s: &str, start: usize, end: usize) -> &str {
    let mut it = s
        .char_indices()
        .map(|(b, _)| b)
        .chain(std::iter::once(s.len()));
    let b0 = it.nth(start).unwrap_or(s.len());
    let b1 = if end > start {
        it.nth(end - start - 1).unwrap_or(s.len())
    } else {
        b0
    };
    &s[b0..b1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_case_and_diacritics() {
        assert_eq!(fold("Ségou"), "segou");
        assert_eq!(fold("KÖLN Straße"), "koln strasse");
        assert_eq!(fold("İdlib"), "idlib");
        assert_eq!(fold("Côte d’Ivoire"), "cote d'ivoire");
    }

    #[test]
    fn spans_map_back_to_code_points() {
        let text = "À Ségou, 12 tués";
        let f = Folded::new(text);
        let start = f.text.find("segou").unwrap();
        let (s, e) = f.span(start, start + 5);
        assert_eq!(char_slice(text, s, e), "Ségou");
        let k = f.text.find("tues").unwrap();
        let (s, e) = f.span(k, k + 4);
        assert_eq!(char_slice(text, s, e), "tués");
    }

    #[test]
    fn expansions_keep_the_whole_character() {
        let f = Folded::new("aßb");
        assert_eq!(f.text, "assb");
        assert_eq!(f.span(1, 3), (1, 2));
    }

    #[test]
    fn char_slice_handles_edges() {
        assert_eq!(char_slice("héllo", 1, 3), "él");
        assert_eq!(char_slice("héllo", 3, 99), "lo");
        assert_eq!(char_slice("héllo", 9, 10), "");
    }
}
