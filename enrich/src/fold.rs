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
        // Bytes first (whole characters only, so always UTF-8), checked once at the end in one
        // fast pass, rather than a char pushed per byte.
        let mut text = std::mem::take(&mut self.text).into_bytes();
        text.clear();
        self.map.clear();
        text.reserve(original.len());
        self.map.reserve(original.len());
        let bytes = original.as_bytes();
        let mut at = 0;
        let mut n = 0u32;
        while at < bytes.len() {
            // Runs of ASCII (most of most texts) fold byte by byte: one byte in, one byte out.
            let run = ascii_run(&bytes[at..]);
            if run > 0 {
                text.extend(bytes[at..at + run].iter().map(|&b| fold_ascii(b)));
                self.map.extend(n..n + run as u32);
                at += run;
                n += run as u32;
                continue;
            }
            let Some(c) = original[at..].chars().next() else {
                break;
            };
            let i = n;
            push_folded(c, &mut |out: char| {
                let mut buf = [0u8; 4];
                let out = out.encode_utf8(&mut buf).as_bytes();
                text.extend_from_slice(out);
                self.map.extend(std::iter::repeat_n(i, out.len()));
            });
            at += c.len_utf8();
            n += 1;
        }
        self.text = String::from_utf8(text)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
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

/// The length of the run of ASCII bytes that `b` starts with, read eight bytes at a time.
#[inline]
pub(crate) fn ascii_run(b: &[u8]) -> usize {
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        // The high bit of each byte that is not ASCII; the first such byte is the lowest.
        let high = u64::from_le_bytes(word) & 0x8080_8080_8080_8080;
        if high != 0 {
            return i + (high.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b.get(i).is_some_and(u8::is_ascii) {
        i += 1;
    }
    i
}

/// The length of the run of ASCII letters that `b` starts with, read eight bytes at a time.
#[inline]
pub(crate) fn letter_run(b: &[u8]) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = 0;
    while let Some(chunk) = b.get(i..i + 8) {
        let Ok(word) = <[u8; 8]>::try_from(chunk) else {
            break;
        };
        let x = u64::from_le_bytes(word);
        // Each byte's low seven bits in lower case (at most 0x7f, so the sums below carry into
        // no other byte), then the high bit of each byte from `a` on and of each from `{` on.
        let y = (x | (0x20 * ONES)) & !HIGH;
        let from_a = y + (0x80 - 0x61) * ONES;
        let from_brace = y + (0x80 - 0x7b) * ONES;
        // The high bit of each byte that is no ASCII letter; the first such byte is the lowest.
        let other = !(from_a & !from_brace & !x) & HIGH;
        if other != 0 {
            return i + (other.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while b.get(i).is_some_and(u8::is_ascii_alphabetic) {
        i += 1;
    }
    i
}

/// Folds one character, calling `out` for each resulting character (zero or more).
pub fn push_folded(c: char, out: &mut impl FnMut(char)) {
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
        return out(fold_ascii(c as u8) as char);
    }
    decompose_canonical(c, |d| {
        if !is_combining_mark(d) {
            for l in d.to_lowercase() {
                out(l);
            }
        }
    });
}

/// Folds an ASCII character (`push_folded` for ASCII, as a byte).
#[inline]
fn fold_ascii(b: u8) -> u8 {
    match b {
        b'`' => b'\'',
        _ => b.to_ascii_lowercase(),
    }
}

/// Folds a name or phrase (no offset map), for building dictionaries.
pub fn fold(s: &str) -> String {
    if s.is_ascii() {
        // Most names: each byte folds to one byte.
        return s.bytes().map(|b| char::from(fold_ascii(b))).collect();
    }
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
    if s.is_ascii() {
        // One byte per code point (and the check is much faster than counting them).
        return &s[start.min(s.len())..end.max(start).min(s.len())];
    }
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
    fn letter_run_stops_at_the_first_byte_that_is_no_ascii_letter() {
        let mut next = crate::test_rng(7);
        let mut bytes = Vec::new();
        for _ in 0..2000 {
            bytes.clear();
            let len = (next() % 24) as usize;
            for _ in 0..len {
                let r = next();
                // Mostly letters, so that runs are long.
                bytes.push(if r % 4 == 0 {
                    (r >> 8) as u8
                } else {
                    b'a' + (r >> 8) as u8 % 26
                });
            }
            for from in 0..=bytes.len() {
                let rest = &bytes[from..];
                let expected = rest
                    .iter()
                    .position(|b| !b.is_ascii_alphabetic())
                    .unwrap_or(rest.len());
                assert_eq!(letter_run(rest), expected, "{rest:?}");
            }
        }
        for b in 0..=255u8 {
            let run = [b; 9];
            let expected = if b.is_ascii_alphabetic() { 9 } else { 0 };
            assert_eq!(letter_run(&run), expected, "{b}");
        }
    }

    #[test]
    fn ascii_run_stops_at_the_first_byte_of_another_character() {
        for text in [
            "",
            "abc",
            "abcdefgh",
            "abcdefghé",
            "é",
            "abcdefghijklmnopq",
            "a Ségou b",
        ] {
            let b = text.as_bytes();
            for from in 0..=b.len() {
                let rest = &b[from..];
                let expected = rest
                    .iter()
                    .position(|b| !b.is_ascii())
                    .unwrap_or(rest.len());
                assert_eq!(ascii_run(rest), expected, "{text:?} from {from}");
            }
        }
    }

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

    /// Folding char by char, as first written: the reference for the ASCII fast path.
    fn reference(original: &str) -> (String, Vec<u32>, u32) {
        let (mut text, mut map, mut n) = (String::new(), Vec::new(), 0u32);
        for (i, c) in original.chars().enumerate() {
            let i = i as u32;
            n = i + 1;
            push_folded(c, &mut |out: char| {
                let before = text.len();
                text.push(out);
                map.extend(std::iter::repeat_n(i, text.len() - before));
            });
        }
        (text, map, n)
    }

    proptest::proptest! {
        #[test]
        fn refold_matches_char_by_char_folding(t in "[a-zA-Z0-9 .,'`-]{0,20}\\PC{0,20}[a-zA-Z ]{0,5}") {
            let mut f = Folded::new("Some earlier text, longer than this one or not");
            f.refold(&t);
            let (text, map, n) = reference(&t);
            proptest::prop_assert_eq!(&f.text, &text);
            proptest::prop_assert_eq!(&f.map, &map);
            proptest::prop_assert_eq!(f.original_chars, n);
            proptest::prop_assert_eq!(fold(&t), text);
        }
    }

    #[test]
    fn char_slice_handles_edges() {
        assert_eq!(char_slice("héllo", 1, 3), "él");
        assert_eq!(char_slice("héllo", 3, 99), "lo");
        assert_eq!(char_slice("héllo", 9, 10), "");
        assert_eq!(char_slice("hello", 1, 3), "el");
        assert_eq!(char_slice("hello", 3, 99), "lo");
        assert_eq!(char_slice("hello", 9, 10), "");
        assert_eq!(char_slice("hello", 3, 1), "");
        assert_eq!(char_slice("héllo", 3, 1), "");
    }
}
