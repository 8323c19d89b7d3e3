//! Casualty counts: digits ("12", "1,200", "1 200", Arabic-Indic "١٢"), number words ("forty-two",
//! "two hundred and fifty", "a dozen", "quatre-vingt-dix", "doscientos cincuenta", "خمسة وعشرون"),
//! vague quantities as lower bounds ("dozens", "des centaines", "عشرات"), modifiers ("at least",
//! "up to", "about"; after the count where the language puts them there), ranges ("between 20 and
//! 30", "1-3") and the noun they count ("12 Taliban militants" → `militants`).
//!
//! Nothing here is specific to one language: which words are numbers, how they combine (joiners,
//! whole hundreds, plural scales, scales that stand alone, nouns that are their own count) and
//! which characters separate thousands come from the lexicon ([`crate::lexicon`]).
//!
//! Counts are read from the token stream of [`crate::extract`]: one [`Tok`] per word, number,
//! punctuation mark or lexicon phrase. [`parse_count`] reads one count phrase starting at a token.
//! Ranges are reported with their lower bound as the best estimate (the convention of casualty
//! trackers, which code the lowest credible figure), and both bounds in `low` / `high`.

use crate::lexicon::{cue, NumberRules, NumberWord, PhraseInfo};

/// One token of a folded text. Offsets are bytes in the folded text.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tok {
    pub start: u32,
    pub end: u32,
    pub kind: TokKind,
}

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TokKind {
    /// A word the lexicon does not know.
    Word,
    /// A lexicon phrase (one or more words); indexes the matcher's phrase table.
    Phrase(u32),
    /// A lexicon pattern match triggering the kind with this index.
    Pattern(u16),
    /// Digits. `int_digits` counts the integer digits (a 4-digit number may be a year).
    Number { value: f64, int_digits: u8 },
    /// One punctuation character.
    Punct(char),
}

/// The value of a digit character: ASCII, Arabic-Indic (U+0660..) and Extended Arabic-Indic
/// (U+06F0..) digits.
pub fn digit_value(c: char) -> Option<u32> {
    match c {
        '0'..='9' => Some(c as u32 - '0' as u32),
        '\u{0660}'..='\u{0669}' => Some(c as u32 - 0x0660),
        '\u{06F0}'..='\u{06F9}' => Some(c as u32 - 0x06F0),
        _ => None,
    }
}

/// Reads a number at the start of `s` with one thousands separator and one decimal mark; see
/// [`read_number`].
pub fn read_digits(s: &str, thousands: char, decimal: char) -> Option<(f64, u8, usize)> {
    read_number(s, &[thousands], &[decimal])
}

/// Reads a number at the start of `s`: digits with thousands separators ("1,200", "1 200",
/// "1.200": groups of exactly three digits after a first group of one to three) and an optional
/// fraction ("1.5", "1,5"). A character that is both a separator and a decimal mark groups
/// thousands when exactly three digits follow it. Arabic separators (U+066C thousands, U+066B
/// decimal) are always accepted. Returns the value, the number of integer digits (0 when written
/// with thousands separators) and the bytes read.
pub fn read_number(s: &str, thousands: &[char], decimal: &[char]) -> Option<(f64, u8, usize)> {
    let mut int: f64 = 0.0;
    let mut digits = 0u8;
    let mut end = 0;
    let mut chars = s.char_indices().peekable();
    let mut frac: Option<(f64, f64)> = None;
    let mut grouped = false;
    while let Some(&(i, c)) = chars.peek() {
        if let Some(d) = digit_value(c) {
            match &mut frac {
                None => {
                    int = int * 10.0 + f64::from(d);
                    digits = digits.saturating_add(1);
                }
                Some((f, scale)) => {
                    *scale /= 10.0;
                    *f += f64::from(d) * *scale;
                }
            }
            end = i + c.len_utf8();
            chars.next();
            continue;
        }
        if frac.is_some() {
            break;
        }
        let rest = &s[i + c.len_utf8()..];
        let is_thousands = thousands.contains(&c) || c == '\u{066C}';
        let is_decimal = decimal.contains(&c) || c == '\u{066B}';
        if is_thousands && (grouped || digits <= 3) {
            // Exactly three digits, then no further digit.
            let mut group = rest.chars().take(4);
            let three = group
                .by_ref()
                .take(3)
                .filter(|&g| digit_value(g).is_some())
                .count()
                == 3;
            let fourth_digit = group.next().is_some_and(|g| digit_value(g).is_some());
            if three && !fourth_digit {
                grouped = true;
                chars.next();
                continue;
            }
        }
        if is_decimal && rest.chars().next().and_then(digit_value).is_some() {
            frac = Some((0.0, 1.0));
            chars.next();
            continue;
        }
        break;
    }
    if digits == 0 {
        return None;
    }
    // A number written with separators is never a year.
    let digits = if grouped { 0 } else { digits };
    Some((int + frac.map_or(0.0, |(f, _)| f), digits, end))
}

/// One count phrase found in the token stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Count {
    /// Best estimate (the lower bound of a range).
    pub value: u64,
    pub low: Option<u64>,
    pub high: Option<u64>,
    /// Victim label index (into the lexicon's `victims`).
    pub victim: Option<u16>,
    /// Token index of the victim noun, when there is one.
    pub victim_tok: Option<usize>,
    /// The count is of animals or things, not people ("58 oxen").
    pub non_human: bool,
    /// Part of the previous count ("including 2 commanders").
    pub subset: bool,
    /// "a man": a count of one from an indefinite article.
    pub indefinite: bool,
    /// A vague quantity ("dozens"): `value` is a lower bound.
    pub vague: bool,
    /// Token range `[start, end)`.
    pub start: usize,
    pub end: usize,
}

/// Token access for count parsing.
pub struct Toks<'a> {
    pub toks: &'a [Tok],
    pub info: &'a [PhraseInfo],
    /// How the language's number words combine.
    pub rules: NumberRules,
}

const NO_INFO: PhraseInfo = PhraseInfo {
    trigger: None,
    victim: None,
    number: None,
    plural_scale: None,
    cues: 0,
};

impl Toks<'_> {
    pub fn len(&self) -> usize {
        self.toks.len()
    }

    pub fn is_empty(&self) -> bool {
        self.toks.is_empty()
    }

    /// Lexicon information of token `i` (empty for plain words, numbers and punctuation).
    pub fn info(&self, i: usize) -> PhraseInfo {
        match self.toks.get(i).map(|t| t.kind) {
            Some(TokKind::Phrase(p)) => self.info.get(p as usize).copied().unwrap_or(NO_INFO),
            _ => NO_INFO,
        }
    }

    pub fn cues(&self, i: usize) -> u32 {
        self.info(i).cues
    }

    pub fn has(&self, i: usize, flag: u32) -> bool {
        self.cues(i) & flag != 0
    }

    /// Kind index triggered by token `i`.
    pub fn trigger(&self, i: usize) -> Option<u16> {
        match self.toks.get(i).map(|t| t.kind) {
            Some(TokKind::Pattern(k)) => Some(k),
            Some(TokKind::Phrase(_)) => self.info(i).trigger,
            _ => None,
        }
    }

    pub fn punct(&self, i: usize) -> Option<char> {
        match self.toks.get(i).map(|t| t.kind) {
            Some(TokKind::Punct(c)) => Some(c),
            _ => None,
        }
    }

    fn number_word(&self, i: usize) -> Option<(NumberWord, u64)> {
        self.info(i).number
    }

    /// Whether token `i` is digits or a number word that combines (not a counted noun).
    fn is_number(&self, i: usize) -> bool {
        matches!(
            self.toks.get(i).map(|t| t.kind),
            Some(TokKind::Number { .. })
        ) || self
            .number_word(i)
            .is_some_and(|(w, _)| w != NumberWord::Counted)
    }

    /// A scale after a number: a scale word, or a vague plural used as one ("deux millions").
    fn scale_after_number(&self, i: usize) -> Option<u64> {
        match self.number_word(i) {
            Some((NumberWord::Scale, s)) => Some(s),
            Some((NumberWord::Vague, _)) => self.info(i).plural_scale,
            _ => None,
        }
    }

    /// Reads a number expression at `i`: digits (optionally scaled, "1.5 million"), composed number
    /// words, "a dozen", or a vague quantity. Returns (value, vague, next token).
    fn number_expr(&self, i: usize) -> Option<(u64, bool, usize)> {
        let tok = self.toks.get(i)?;
        if let TokKind::Number { value, .. } = tok.kind {
            let mut v = value;
            let mut j = i + 1;
            if let Some(s) = self.scale_after_number(j) {
                v *= s as f64;
                j += 1;
            } else if v.fract() != 0.0 {
                return None;
            }
            if !(0.0..1e12).contains(&v) {
                return None;
            }
            return Some((v.round() as u64, false, j));
        }
        // "a dozen", "a hundred", "une dizaine", "un millier".
        if self.has(i, cue::INDEFINITE) {
            if let Some((NumberWord::Scale, _)) = self.number_word(i + 1) {
                return self.compose(i + 1, 1);
            }
            return None;
        }
        match self.number_word(i)? {
            (NumberWord::Vague, v) => {
                let mut j = i + 1;
                // "dozens of", "hundreds of".
                if self.has(j, cue::LEAD)
                    && self.number_word(j).is_none()
                    && self.trigger(j).is_none()
                {
                    let next = self.info(j + 1);
                    if next.victim.is_some()
                        || self
                            .toks
                            .get(j + 1)
                            .is_some_and(|t| t.kind == TokKind::Word)
                    {
                        j += 1;
                    }
                }
                Some((v, true, j))
            }
            // After a number, the noun is what it counts ("ألف قتيل"), not one more count.
            (NumberWord::Counted, _) if i > 0 && self.is_number(i - 1) => None,
            (NumberWord::Counted, v) => Some((v, false, i + 1)),
            _ => self.compose(i, 0),
        }
    }

    /// Whether token `j` joins two parts of a number and the part after it is a number word of
    /// one of the `next` kinds.
    fn joined(&self, j: usize, flags: u32, next: &[NumberWord]) -> bool {
        (self.has(j, flags) || (flags == 0 && self.punct(j) == Some('-')))
            && self
                .number_word(j + 1)
                .is_some_and(|(w, _)| next.contains(&w))
    }

    /// Composes number words from `i`: "forty-two", "two hundred and fifty", "three thousand",
    /// "quatre-vingt-dix", "vingt et un", "doscientos cincuenta", "cuarenta y dos",
    /// "خمسة وعشرون" (units before tens, in languages that join them so).
    fn compose(&self, i: usize, start_value: u64) -> Option<(u64, bool, usize)> {
        use NumberWord::*;
        let mut total: u64 = 0;
        let mut cur: u64 = start_value;
        let mut j = i;
        let mut last: Option<NumberWord> = None;
        // The last additive part (for "ألفين وخمسمائة": a smaller part may follow a larger one).
        let mut last_part: u64 = 0;
        while let Some((word, v)) = self.number_word(j) {
            match word {
                Unit => {
                    if matches!(last, Some(Unit)) {
                        break;
                    }
                    if matches!(last, Some(Tens)) && v >= 10 {
                        break;
                    }
                    if matches!(last, Some(Hundreds)) && v >= last_part {
                        break;
                    }
                    cur = cur.saturating_add(v);
                    last = Some(Unit);
                    last_part = v;
                    j += 1;
                    // "خمسة وعشرون"
                    if v < 10 && self.joined(j, cue::UNIT_TENS_JOINER, &[Tens]) {
                        if let Some((_, t)) = self.number_word(j + 1) {
                            cur = cur.saturating_add(t);
                            last = Some(Tens);
                            last_part = t;
                            j += 2;
                        }
                    }
                }
                Tens => {
                    if matches!(last, Some(Unit | Tens)) {
                        break;
                    }
                    if matches!(last, Some(Hundreds)) && v >= last_part {
                        break;
                    }
                    cur = cur.saturating_add(v);
                    last = Some(Tens);
                    last_part = v;
                    j += 1;
                    // "forty-two", "cuarenta y dos", "vingt et un"
                    for flags in [0, cue::TENS_JOINER] {
                        if self.joined(j, flags, &[Unit])
                            && matches!(self.number_word(j + 1), Some((Unit, u)) if u < 10)
                        {
                            if let Some((_, u)) = self.number_word(j + 1) {
                                cur = cur.saturating_add(u);
                                last = Some(Unit);
                                last_part = u;
                                j += 2;
                            }
                            break;
                        }
                    }
                }
                Hundreds => {
                    if matches!(last, Some(Unit | Tens)) {
                        break;
                    }
                    if matches!(last, Some(Hundreds)) && v >= last_part {
                        break;
                    }
                    cur = cur.saturating_add(v);
                    last = Some(Hundreds);
                    last_part = v;
                    j += 1;
                    if self.joined(j, cue::CONJUNCTION, &[Unit, Tens, Hundreds]) {
                        j += 1;
                    }
                }
                Scale | Vague => {
                    let s = if word == Scale {
                        v
                    } else if last.is_some() {
                        // "deux millions", "ثلاثة آلاف"
                        match self.info(j).plural_scale {
                            Some(s) => s,
                            None => break,
                        }
                    } else {
                        break;
                    };
                    if last.is_none() && start_value == 0 && !self.rules.scales_alone {
                        // A bare "hundred" or "dozen" is not a count.
                        return None;
                    }
                    if s >= 1000 {
                        total = total.saturating_add(cur.max(1).saturating_mul(s));
                        cur = 0;
                    } else {
                        cur = cur.max(1).saturating_mul(s);
                    }
                    last = Some(Scale);
                    last_part = s;
                    j += 1;
                    // "two hundred and fifty", "ألف وخمسمائة"
                    if self.joined(j, cue::CONJUNCTION, &[Unit, Tens, Hundreds]) {
                        j += 1;
                        last = None;
                    }
                }
                Counted => break,
            }
        }
        if j == i {
            return None;
        }
        Some((total.saturating_add(cur), false, j))
    }

    /// A number or date word next to token `i` marks it as a date ("21 March 2020", "March 21").
    fn is_date_context(&self, i: usize, end: usize) -> bool {
        let before = i.checked_sub(1).is_some_and(|b| self.has(b, cue::DATE));
        let after = self.has(end, cue::DATE);
        // "On 21 March 2020": the year after a month; "21-22 March".
        before || after
    }
}

/// Whether [`parse_count`] may read a count at token `i`: digits, or a phrase that is a number
/// word, a modifier, a range's start or an indefinite article. From any other token it reads
/// none, and most phrases (the triggers, the victim nouns) are asked this for much less.
pub fn may_start_count(t: &Toks, i: usize) -> bool {
    match t.toks[i].kind {
        TokKind::Number { .. } => true,
        TokKind::Phrase(_) => {
            let info = t.info(i);
            info.number.is_some()
                || info.cues & (cue::RANGE_START | cue::MODIFIER | cue::INDEFINITE) != 0
        }
        _ => false,
    }
}

/// Reads the count phrase starting at token `i`, if there is one: modifiers, a number expression,
/// an optional range, and the noun counted (up to three words on, e.g. "12 Taliban militants").
pub fn parse_count(t: &Toks, i: usize) -> Option<Count> {
    let n = t.len();
    let mut j = i;
    let mut range_start = false;
    let mut mods = 0u32;
    if t.has(j, cue::RANGE_START) && t.number_word(j).is_none() {
        range_start = true;
        j += 1;
    }
    while j < n && j < i + 3 && t.has(j, cue::MODIFIER) && t.number_word(j).is_none() {
        mods |= t.cues(j) & cue::MODIFIER;
        j += 1;
    }
    let num_start = j;

    let (mut value, vague, mut k, indefinite) = match t.number_expr(j) {
        Some((v, vague, next)) => (v, vague, next, false),
        None if t.has(j, cue::INDEFINITE)
            || matches!(t.number_word(j), Some((NumberWord::Unit, 1))) =>
        {
            // "a man", "an elderly woman": one, if a victim noun follows within two words.
            let mut k = j + 1;
            let mut found = None;
            while k < n && k <= j + 5 {
                let info = t.info(k);
                if info.victim.is_some() {
                    found = Some(k);
                    break;
                }
                // "a 12-year-old boy", "an elderly man".
                let skip = (t.toks[k].kind == TokKind::Word && info.cues == 0)
                    || (matches!(t.toks[k].kind, TokKind::Number { .. })
                        && t.punct(k + 1) == Some('-'))
                    || t.punct(k) == Some('-')
                    || (info.cues & cue::NON_COUNT != 0 && info.trigger.is_none());
                if !skip {
                    break;
                }
                k += 1;
            }
            let v = found?;
            (1, false, v, true)
        }
        None => return None,
    };
    let num_end = k;

    // Dates, ages, distances, durations are not counts.
    if t.is_date_context(num_start, num_end) {
        return None;
    }
    let mut u = num_end;
    if t.punct(u) == Some('-') {
        u += 1;
    }
    if t.has(u, cue::NON_COUNT) {
        return None;
    }
    if matches!(t.punct(num_end), Some(':' | '/'))
        || matches!(t.punct(num_start.wrapping_sub(1)), Some('/' | '#'))
    {
        return None;
    }

    // Range: "between 20 and 30", "20 to 30", "1-3", "two or three".
    let mut low = None;
    let mut high = None;
    let join = (t.has(k, cue::RANGE_JOIN) && (range_start || !t.has(k, cue::CONJUNCTION)))
        || t.punct(k) == Some('-');
    if !indefinite && join {
        if let Some((v2, _, next)) = t.number_expr(k + 1) {
            if v2 > value && !t.is_date_context(k + 1, next) {
                low = Some(value);
                high = Some(v2);
                k = next;
            }
        }
    }

    // A four-digit number with no noun after it is a year.
    if let Some(Tok {
        kind: TokKind::Number {
            value: y,
            int_digits: 4,
        },
        ..
    }) = t.toks.get(num_start)
    {
        if (1900.0..=2100.0).contains(y) && t.info(k).victim.is_none() && high.is_none() {
            return None;
        }
    }

    // The noun counted: up to three words on, the last of a run of victim nouns.
    let mut victim = None;
    let mut victim_tok = None;
    let mut non_human = false;
    let mut end = k;
    if indefinite {
        victim = t.info(k).victim;
        victim_tok = Some(k);
        end = k + 1;
    } else if k == num_start + 1 && t.info(num_start).victim.is_some() {
        // A noun that is its own count ("جنديان": two soldiers).
        victim = t.info(num_start).victim;
        victim_tok = Some(num_start);
    } else {
        let mut m = k;
        while m < n && m < k + 5 {
            let info = t.info(m);
            if info.cues & cue::NON_HUMAN != 0 {
                non_human = true;
                end = m + 1;
                break;
            }
            if info.victim.is_some() {
                victim = info.victim;
                victim_tok = Some(m);
                end = m + 1;
                // "Taliban militants": keep going while victim nouns follow.
                while m + 1 < n && t.info(m + 1).victim.is_some() {
                    m += 1;
                    victim = t.info(m).victim;
                    victim_tok = Some(m);
                    end = m + 1;
                }
                break;
            }
            let plain = t.toks[m].kind == TokKind::Word
                || (t.has(m, cue::LEAD) && info.number.is_none())
                || t.punct(m) == Some('-');
            if !plain || info.trigger.is_some() || t.trigger(m).is_some() {
                break;
            }
            m += 1;
        }
    }

    // "قتل 12 شخصا على الأقل": "at least" after the count.
    if t.has(end, cue::AT_LEAST_AFTER) {
        mods |= cue::AT_LEAST;
        end += 1;
    }

    // "dozens" and "at least 40" are lower bounds.
    if vague || (mods & cue::AT_LEAST != 0 && low.is_none()) {
        low = Some(value);
    } else if mods & cue::AT_MOST != 0 && high.is_none() {
        high = Some(value);
    }
    if let (Some(l), Some(_)) = (low, high) {
        value = l;
    }

    let subset = i.checked_sub(1).is_some_and(|b| t.has(b, cue::SUBSET));
    // "between" without a second bound is not part of the count.
    let start = if range_start && high.is_none() {
        i + 1
    } else {
        i
    };
    Some(Count {
        value,
        low,
        high,
        victim,
        victim_tok,
        non_human,
        subset,
        indefinite,
        vague,
        start,
        end,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_with_separators_and_fractions() {
        assert_eq!(read_digits("1,200 people", ',', '.'), Some((1200.0, 0, 5)));
        assert_eq!(read_digits("12, 13", ',', '.'), Some((12.0, 2, 2)));
        assert_eq!(read_digits("1,2345", ',', '.'), Some((1.0, 1, 1)));
        assert_eq!(read_digits("1.5 million", ',', '.'), Some((1.5, 1, 3)));
        assert_eq!(read_digits("3.", ',', '.'), Some((3.0, 1, 1)));
        assert_eq!(read_digits("1.200", '.', ','), Some((1200.0, 0, 5)));
        assert_eq!(read_digits("2020", ',', '.'), Some((2020.0, 4, 4)));
        assert_eq!(read_digits("abc", ',', '.'), None);
    }

    #[test]
    fn several_separators_and_shared_marks() {
        let fr = ([' ', '.', ','], [',', '.']);
        let read = |s: &str| read_number(s, &fr.0, &fr.1);
        assert_eq!(read("1 200 personnes"), Some((1200.0, 0, 5)));
        assert_eq!(read("15 000"), Some((15000.0, 0, 6)));
        assert_eq!(read("1.200"), Some((1200.0, 0, 5)));
        // A shared mark: three digits after it group thousands, fewer are decimals.
        assert_eq!(read("1,200"), Some((1200.0, 0, 5)));
        assert_eq!(read("1,5 million"), Some((1.5, 1, 3)));
        assert_eq!(read("2.5 millions"), Some((2.5, 1, 3)));
        assert_eq!(read("1 200,5"), Some((1200.5, 0, 7)));
        // The first group has one to three digits: "2019 300" is a year and a number.
        assert_eq!(read("2019 300"), Some((2019.0, 4, 4)));
        assert_eq!(read_digits("2020,300", ',', '.'), Some((2020.0, 4, 4)));
        // "12 3" is two numbers; "3 1000" too.
        assert_eq!(read("12 3"), Some((12.0, 2, 2)));
        assert_eq!(read("3 1000"), Some((3.0, 1, 1)));
    }

    #[test]
    fn arabic_indic_digits() {
        assert_eq!(digit_value('٣'), Some(3));
        assert_eq!(digit_value('۷'), Some(7));
        let s = "١٬٢٠٠ شخص";
        let (v, d, end) = read_digits(s, ',', '.').unwrap();
        assert_eq!((v, d), (1200.0, 0));
        assert_eq!(&s[end..], " شخص");
        let s = "٢٫٥ مليون";
        let (v, _, end) = read_digits(s, ',', '.').unwrap();
        assert_eq!(v, 2.5);
        assert_eq!(&s[end..], " مليون");
        assert_eq!(read_digits("۱۲ نفر", ',', '.').map(|r| r.0), Some(12.0));
    }
}
