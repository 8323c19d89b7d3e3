//! Casualty counts: digits ("12", "1,200", Arabic-Indic "١٢"), number words ("forty-two",
//! "two hundred and fifty", "a dozen"), vague quantities as lower bounds ("dozens", "hundreds"),
//! modifiers ("at least", "up to", "about"), ranges ("between 20 and 30", "1-3") and the noun they
//! count ("12 Taliban militants" → `militants`).
//!
//! Counts are read from the token stream of [`crate::extract`]: one [`Tok`] per word, number,
//! punctuation mark or lexicon phrase. [`parse_count`] reads one count phrase starting at a token.
//! Ranges are reported with their lower bound as the best estimate (the convention of casualty
//! trackers, which code the lowest credible figure), and both bounds in `low` / `high`.

use crate::lexicon::{cue, NumberWord, PhraseInfo};

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

/// Reads a number at the start of `s`: digits with thousands separators ("1,200": groups of exactly
/// three digits) and an optional fraction ("1.5"). Arabic separators (U+066C thousands, U+066B
/// decimal) are always accepted. Returns the value, the number of integer digits (0 when written
/// with thousands separators) and the bytes read.
pub fn read_digits(s: &str, thousands: char, decimal: char) -> Option<(f64, u8, usize)> {
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
        let rest = &s[i + c.len_utf8()..];
        let is_thousands = (c == thousands || c == '\u{066C}') && frac.is_none();
        let is_decimal = (c == decimal || c == '\u{066B}') && frac.is_none();
        if is_thousands {
            // Exactly three digits, then no further digit.
            let group: Vec<char> = rest.chars().take(4).collect();
            let three = group.len() >= 3 && group[..3].iter().all(|&g| digit_value(g).is_some());
            let fourth_digit = group.get(3).is_some_and(|&g| digit_value(g).is_some());
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
}

const NO_INFO: PhraseInfo = PhraseInfo {
    trigger: None,
    victim: None,
    number: None,
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

    /// Reads a number expression at `i`: digits (optionally scaled, "1.5 million"), composed number
    /// words, "a dozen", or a vague quantity. Returns (value, vague, next token).
    fn number_expr(&self, i: usize) -> Option<(u64, bool, usize)> {
        let tok = self.toks.get(i)?;
        if let TokKind::Number { value, .. } = tok.kind {
            let mut v = value;
            let mut j = i + 1;
            if let Some((NumberWord::Scale, s)) = self.number_word(j) {
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
        // "a dozen", "a hundred".
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
            _ => self.compose(i, 0),
        }
    }

    /// Composes number words from `i`: "forty-two", "two hundred and fifty", "three thousand".
    fn compose(&self, i: usize, start_value: u64) -> Option<(u64, bool, usize)> {
        let mut total: u64 = 0;
        let mut cur: u64 = start_value;
        let mut j = i;
        let mut last: Option<NumberWord> = None;
        loop {
            match self.number_word(j) {
                Some((NumberWord::Unit, u)) => {
                    if matches!(last, Some(NumberWord::Unit)) {
                        break;
                    }
                    if matches!(last, Some(NumberWord::Tens)) && u >= 10 {
                        break;
                    }
                    cur = cur.saturating_add(u);
                    last = Some(NumberWord::Unit);
                    j += 1;
                }
                Some((NumberWord::Tens, t)) => {
                    if matches!(last, Some(NumberWord::Unit | NumberWord::Tens)) {
                        break;
                    }
                    cur = cur.saturating_add(t);
                    last = Some(NumberWord::Tens);
                    j += 1;
                    // "forty-two"
                    if self.punct(j) == Some('-')
                        && matches!(self.number_word(j + 1), Some((NumberWord::Unit, u)) if u < 10)
                    {
                        if let Some((_, u)) = self.number_word(j + 1) {
                            cur = cur.saturating_add(u);
                            last = Some(NumberWord::Unit);
                            j += 2;
                        }
                    }
                }
                Some((NumberWord::Scale, s)) => {
                    if last.is_none() && start_value == 0 {
                        // A bare "hundred" or "dozen" is not a count.
                        return None;
                    }
                    if s >= 1000 {
                        total = total.saturating_add(cur.max(1).saturating_mul(s));
                        cur = 0;
                    } else {
                        cur = cur.max(1).saturating_mul(s);
                    }
                    last = Some(NumberWord::Scale);
                    j += 1;
                    // "two hundred and fifty"
                    if self.has(j, cue::CONJUNCTION)
                        && matches!(
                            self.number_word(j + 1),
                            Some((NumberWord::Unit | NumberWord::Tens, _))
                        )
                    {
                        j += 1;
                        last = None;
                    }
                }
                _ => break,
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
    fn arabic_indic_digits() {
        assert_eq!(digit_value('٣'), Some(3));
        assert_eq!(digit_value('۷'), Some(7));
        let s = "١٬٢٠٠ شخص";
        let (v, d, end) = read_digits(s, ',', '.').unwrap();
        assert_eq!((v, d), (1200.0, 0));
        assert_eq!(&s[end..], " شخص");
    }
}
