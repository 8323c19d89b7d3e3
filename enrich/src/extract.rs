//! Indicator extraction over a report's text.
//!
//! One pass per report: the text is folded ([`Folded`], once for extraction and geocoding), the
//! language's combined automaton and pattern regex run once over the folded text, and the result is
//! a token stream (words, numbers, punctuation, lexicon phrases). In languages that write clitics
//! attached (Arabic "والقتلى"), a phrase also matches after a declared prefix and before a declared
//! suffix of its word. Rules over the tokens then:
//!
//! 1. read count phrases ([`crate::counts::parse_count`]) and join victim groups ("3 soldiers and
//!    2 civilians" → 5; "12 militants including 2 commanders" → 12);
//! 2. attach a count to each trigger whose verb it goes with: the object after it ("killed 3
//!    militants", "the death toll rose to 40"; across a short subject in verb-first languages,
//!    "قتل مسلحون 12 مدنيا") or the subject before it ("3 civilians were killed", "left one person
//!    dead"). A count attaches to one trigger only, so "12 killed and 5 wounded" gives killing 12
//!    and injury 5;
//! 3. mark negation ("no one was killed", "denied killing", "were not harmed"), threats
//!    ("threatened to kill": a `threat` indicator, the killing negated) and hedging ("feared dead",
//!    "claimed"); a statement that the figures are unverified marks every killing unconfirmed;
//! 4. sum the killed counts of distinct victim groups into `fatalities` (a number repeated, or a
//!    total restating the parts, is not added twice). Negated and unconfirmed indicators do not count.
//!
//! Every indicator carries its evidence span in code points of the original text.

use std::cell::RefCell;
use std::collections::BTreeMap;

use aho_corasick::automaton::Automaton;
use aho_corasick::Anchored;

use crate::counts::{may_start_count, parse_count, read_number, Count, Tok, TokKind, Toks};
use crate::fold::{char_slice, Folded};
use crate::lexicon::{cue, CountRole, Lexicon, Lexicons, Matcher, PhraseInfo};
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

/// Compiled matchers for all lexicons. `Send + Sync`; per-call buffers are thread-local.
pub struct Extractor {
    langs: BTreeMap<String, Lexicon>,
    kinds: Vec<String>,
    /// Language detection, limited to the languages of the main sources (faster, fewer confusions).
    detector: whatlang::Detector,
}

/// Words a count may be separated from its trigger by ("3 civilians were reportedly killed").
const MAX_GAP: usize = 6;
/// How far back a negation or hedge reaches (in tokens, within the clause).
const CUE_REACH: usize = 6;

/// How much of a text language detection reads.
const DETECT_BYTES: usize = 600;

/// Per-thread buffers reused across calls.
#[derive(Default)]
struct Scratch {
    matches: Vec<(usize, usize, TokKind)>,
    toks: Vec<Tok>,
    counts: Vec<Count>,
    /// For each token, the count it belongs to (or `u32::MAX`).
    count_of: Vec<u32>,
    /// For each count, its group head (a count index).
    group: Vec<u32>,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
    /// The folded text, for [`Extractor::extract`] (the enricher folds once for both stages).
    static FOLDED: RefCell<Folded> = RefCell::new(Folded::default());
}

const NONE: u32 = u32::MAX;

/// One group of counts ("3 soldiers and 2 civilians"): summed, with the victims of its members.
#[derive(Debug, Clone, Default)]
struct Group {
    value: u64,
    low: Option<u64>,
    high: Option<u64>,
    victims: Vec<u16>,
    vague: bool,
    non_human: bool,
    first_tok: usize,
    last_tok: usize,
}

impl Extractor {
    pub fn new(lexicons: &Lexicons) -> Self {
        let mut langs = BTreeMap::new();
        let mut kinds = Vec::new();
        for lex in lexicons.iter() {
            kinds.extend(lex.kinds.iter().map(|k| k.name.clone()));
            langs.insert(lex.lang.clone(), lex.clone());
        }
        kinds.sort();
        kinds.dedup();
        use whatlang::Lang::*;
        let detector = whatlang::Detector::with_allowlist(vec![
            Eng, Fra, Spa, Por, Ara, Deu, Ita, Rus, Tur, Hin, Cmn,
        ]);
        Extractor {
            langs,
            kinds,
            detector,
        }
    }

    /// Indicator kinds the loaded lexicons know, sorted.
    pub fn kinds(&self) -> Vec<String> {
        self.kinds.clone()
    }

    /// The language to use for a text: the given one (ISO 639-1, region subtags ignored) when it has
    /// a lexicon; else the detected one. When detection is unsure (short texts, names, mixed
    /// languages), the lexicon whose words the text uses most decides, the detected language and
    /// then English winning ties. Texts in a language without a lexicon yield no indicators.
    fn choose_lang(&self, text: &str, lang: Option<&str>) -> Option<String> {
        if let Some(l) = lang {
            let code: String = l
                .split(['-', '_'])
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase();
            if !code.is_empty() {
                return Some(code);
            }
        }
        // The first sentences tell the language; detection cost grows with the text.
        let mut cut = text.len().min(DETECT_BYTES);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let sample = &text[..cut];
        let detected = self.detector.detect(sample);
        let code = detected.as_ref().and_then(|info| iso639_1(info.lang()));
        let reliable = detected.as_ref().is_some_and(whatlang::Info::is_reliable);
        match code {
            Some(c) if reliable => Some(c.to_owned()),
            _ if self.langs.is_empty() => code.map(str::to_owned),
            _ => {
                let folded = crate::fold::fold(sample);
                let rank = |lex: &Lexicon| {
                    (
                        lexicon_words(lex, &folded),
                        Some(lex.lang.as_str()) == code,
                        lex.lang == "en",
                    )
                };
                self.langs
                    .values()
                    .max_by_key(|lex| rank(lex))
                    .map(|lex| lex.lang.clone())
            }
        }
    }

    /// Extracts the indicators of one text. `lang` is the report's language, when known.
    pub fn extract(&self, text: &str, lang: Option<&str>) -> Extraction {
        FOLDED.with(|f| {
            let mut f = f.borrow_mut();
            f.refold(text);
            self.extract_folded(text, &f, lang)
        })
    }

    /// [`Extractor::extract`] over `folded`, the text already folded (shared with geocoding).
    pub fn extract_folded(&self, text: &str, folded: &Folded, lang: Option<&str>) -> Extraction {
        let code = self.choose_lang(text, lang);
        let Some(lex) = code.as_deref().and_then(|c| self.langs.get(c)) else {
            return Extraction {
                lang: code,
                ..Extraction::default()
            };
        };
        SCRATCH.with(|s| {
            let mut s = s.borrow_mut();
            let (indicators, fatalities) = extract_with(lex, text, folded, &mut s);
            Extraction {
                indicators,
                fatalities,
                lang: code,
            }
        })
    }
}

/// How many whole-word phrases of a lexicon a folded text contains.
fn lexicon_words(lex: &Lexicon, folded: &str) -> usize {
    lex.matcher
        .phrases
        .find_iter(folded)
        .filter(|m| {
            boundary(char_before(folded, m.start()), char_at(folded, m.start()))
                && boundary(char_before(folded, m.end()), char_at(folded, m.end()))
        })
        .count()
}

/// ISO 639-1 code of a detected language (for the languages whatlang knows that matter here).
fn iso639_1(l: whatlang::Lang) -> Option<&'static str> {
    use whatlang::Lang::*;
    Some(match l {
        Eng => "en",
        Fra => "fr",
        Spa => "es",
        Ara => "ar",
        Por => "pt",
        Deu => "de",
        Ita => "it",
        Rus => "ru",
        Ukr => "uk",
        Tur => "tr",
        Hin => "hi",
        Amh => "am",
        Cmn => "zh",
        Nld => "nl",
        Swe => "sv",
        Pol => "pl",
        Heb => "he",
        _ => return None,
    })
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// Whether a match may start or end between `prev` and `next`: not inside a word; a switch
/// between digits and letters ("5km") counts as a boundary.
fn boundary(prev: Option<char>, next: Option<char>) -> bool {
    match (prev, next) {
        (Some(p), Some(n)) if is_word_char(p) && is_word_char(n) => {
            p.is_numeric() != n.is_numeric()
        }
        _ => true,
    }
}

fn char_before(s: &str, i: usize) -> Option<char> {
    match i.checked_sub(1).and_then(|k| s.as_bytes().get(k)) {
        // An ASCII byte is a whole character.
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        _ => s[..i].chars().next_back(),
    }
}

fn char_at(s: &str, i: usize) -> Option<char> {
    match s.as_bytes().get(i) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        _ => s[i..].chars().next(),
    }
}

/// Start of the run of letters that ends at `i` (digits and marks end a run).
fn letters_start(s: &str, i: usize) -> usize {
    s[..i]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| is_word_char(c) && !c.is_numeric())
        .last()
        .map_or(i, |(j, _)| j)
}

/// End of the run of letters that starts at `i`.
fn letters_end(s: &str, i: usize) -> usize {
    s[i..]
        .char_indices()
        .find(|&(_, c)| !is_word_char(c) || c.is_numeric())
        .map_or(s.len(), |(j, _)| i + j)
}

/// Shortest phrase (in characters) that takes a clitic suffix: a suffix after a short function
/// word ("لا", "لم") would make a different word of it.
const MIN_SUFFIXED: usize = 3;

/// A phrase match `(a, b)` inside the word starting at `word_start`, accepted when the rest of the
/// word before it is a declared clitic prefix and after it a declared suffix (or nothing). Pushes
/// the tokens (prefix segments that are phrases, then the phrase with the other segments and the
/// suffix) and returns where the word ends.
fn clitic_match(
    text: &str,
    (a, b): (usize, usize),
    word_start: usize,
    id: u32,
    clitics: &crate::lexicon::Clitics,
    out: &mut Vec<(usize, usize, TokKind)>,
) -> Option<usize> {
    if !char_at(text, a).is_some_and(char::is_alphabetic)
        || !char_before(text, b).is_some_and(char::is_alphabetic)
    {
        return None;
    }
    let word_end = letters_end(text, b);
    let segments = if word_start == a {
        &[][..]
    } else {
        clitics.prefix(&text[word_start..a])?
    };
    if word_end != b
        && (text[a..b].chars().count() < MIN_SUFFIXED || !clitics.is_suffix(&text[b..word_end]))
    {
        return None;
    }
    let mut from = word_start;
    let mut at = word_start;
    for &(len, phrase) in segments {
        at += len;
        if let Some(p) = phrase {
            out.push((from, at, TokKind::Phrase(p)));
            from = at;
        }
    }
    out.push((from, word_end, TokKind::Phrase(id)));
    Some(word_end)
}

/// One punctuation mark as the rules see it: the Arabic comma and semicolon are a comma and a
/// semicolon.
fn punct_class(c: char) -> char {
    match c {
        '\u{060C}' => ',',
        '\u{061B}' => ';',
        _ => c,
    }
}

/// Phrases in a language with clitics: leftmost-longest, whole words only; a match inside a word
/// is skipped and the search resumes at the next word, but a phrase may also start after a
/// clitic prefix and end before a clitic suffix of its word ("والقتلى", "مصرعهم").
fn phrases_with_clitics(lex: &Lexicon, text: &str, out: &mut Vec<(usize, usize, TokKind)>) {
    let m = &lex.matcher;
    let clitics = &lex.clitics;
    let mut pos = 0;
    while let Some(Hit {
        a,
        b,
        id,
        whole,
        first,
    }) = search_hit(m, text, pos)
    {
        if whole {
            out.push((a, b, phrase_kind(m, id)));
            pos = b;
            continue;
        }
        let word_start = letters_start(text, a);
        if let Some(next) = clitic_match(text, (a, b), word_start, id, clitics, out) {
            pos = next;
            continue;
        }
        // A later match in the same word may still follow a clitic prefix.
        let next = a + first.map_or(1, char::len_utf8);
        if first.is_some_and(char::is_alphabetic) && next - word_start <= clitics.max_prefix {
            pos = next;
            continue;
        }
        // A match can only start where a word (or a run of digits) starts: resume after the
        // run of letters or digits this match started in.
        pos = after_run(text, a, first);
    }
}

/// A match of the unanchored phrase search.
struct Hit {
    a: usize,
    b: usize,
    id: u32,
    /// It starts and ends at word boundaries.
    whole: bool,
    /// The character it starts with.
    first: Option<char>,
}

/// The leftmost-longest phrase match at or after `pos`.
fn search_hit(m: &Matcher, text: &str, pos: usize) -> Option<Hit> {
    if pos >= text.len() {
        return None;
    }
    let hit = m
        .phrases
        .find(aho_corasick::Input::new(text).range(pos..))?;
    let (a, b) = (hit.start(), hit.end());
    let first = char_at(text, a);
    let last = char_before(text, b);
    let start_ok = boundary(char_before(text, a), first) || first.is_some_and(|c| !is_word_char(c));
    let end_ok = boundary(last, char_at(text, b)) || last.is_some_and(|c| !is_word_char(c));
    Some(Hit {
        a,
        b,
        id: hit.pattern().as_u32(),
        whole: start_ok && end_ok,
        first,
    })
}

/// Where the search resumes after a match at `a` that is not a whole word: past the run of
/// letters or of digits it started in (at least one character on).
fn after_run(text: &str, a: usize, first: Option<char>) -> usize {
    let digit = first.is_some_and(char::is_numeric);
    let run = text[a..]
        .char_indices()
        .find(|&(_, c)| !is_word_char(c) || c.is_numeric() != digit)
        .map_or(text.len() - a, |(i, _)| i);
    a + run.max(first.map_or(1, char::len_utf8))
}

/// Phrases in a language without clitics: the matches of the search of [`phrases_with_clitics`]
/// without its clitic rules, without a search call per word. That search keeps a leftmost-longest
/// match when it starts and ends at a word boundary; a match that starts inside a run of letters
/// or of digits only sends it to the end of that run. So only the starts of runs (and of other characters)
/// matter: the longest phrase there is read off the anchored automaton, one byte at a time.
fn phrases_at_runs(m: &Matcher, text: &str, out: &mut Vec<(usize, usize, TokKind)>) {
    let Some(mut walk) = PhraseWalk::new(m, text) else {
        return;
    };
    while walk.pos < text.len() {
        if let Some(hit) = walk.step() {
            out.push(hit);
        }
    }
}

/// The walk of [`phrases_at_runs`], one start of a run at a time, so that the tokenizer can
/// read its matches as it goes ([`words_and_phrases`]).
struct PhraseWalk<'a> {
    m: &'a Matcher,
    text: &'a str,
    start: aho_corasick::automaton::StateID,
    /// Bytes no phrase starts with (the anchored automaton dies on them at once).
    no_start: &'a [bool; 256],
    /// Where the walk goes on: the start of a run (or of a character that is not a word
    /// character) not inside a phrase found.
    pos: usize,
    /// A phrase the walk found that the tokenizer has not yet taken or passed.
    pending: Option<(usize, usize, TokKind)>,
}

impl<'a> PhraseWalk<'a> {
    fn new(m: &'a Matcher, text: &'a str) -> Option<Self> {
        let start = m.anchored.start_state(Anchored::Yes).ok()?;
        Some(PhraseWalk {
            m,
            text,
            start,
            no_start: &m.no_start,
            pos: 0,
            pending: None,
        })
    }

    /// The longest phrase that starts at `a` (its end and id), whatever follows it.
    #[inline]
    fn longest_at(&self, a: usize) -> Option<(usize, u32)> {
        let bytes = self.text.as_bytes();
        let mut sid = self.start;
        let mut hit = None;
        let mut at = a;
        while let Some(&b) = bytes.get(at) {
            at += 1;
            if !self.feed(&mut sid, &mut hit, a, at, b) {
                break;
            }
        }
        hit
    }

    /// Whether a phrase that ends at `b` ends at a boundary: not inside a run of letters or of
    /// digits.
    #[inline]
    fn ends_run(&self, b: usize) -> bool {
        let last = class_before(self.text, b);
        last == NOT_WORD || last != class_at(self.text, b).0
    }

    /// One step at `pos` (before the end of the text): the phrase that starts there, or none
    /// and on to the end of its run.
    fn step(&mut self) -> Option<(usize, usize, TokKind)> {
        let a = self.pos;
        let first = self.text.as_bytes()[a];
        if !self.no_start[usize::from(first)] {
            if let Some((b, id)) = self.longest_at(a).filter(|&(b, _)| self.ends_run(b)) {
                self.pos = b;
                return Some((a, b, phrase_kind(self.m, id)));
            }
        }
        self.pos = run_end(self.text, a);
        None
    }

    /// One step of the automaton from `sid` over byte `b`, which ends at `at`, for the phrase
    /// that starts at `a`: false once the automaton is dead; a phrase that starts at `a` and ends
    /// at `at` goes to `hit`.
    #[inline(always)]
    fn feed(
        &self,
        sid: &mut aho_corasick::automaton::StateID,
        hit: &mut Option<(usize, u32)>,
        a: usize,
        at: usize,
        b: u8,
    ) -> bool {
        let dfa = &self.m.anchored;
        *sid = dfa.next_state(Anchored::Yes, *sid, b);
        if dfa.is_special(*sid) {
            if dfa.is_dead(*sid) {
                return false;
            }
            // A match state may also carry a shorter phrase that starts after `a`.
            if dfa.is_match(*sid) {
                let pid = dfa.match_pattern(*sid, 0);
                if at - dfa.pattern_len(pid) == a {
                    *hit = Some((at, pid.as_u32()));
                }
            }
        }
        true
    }

    /// The token at `a`, the start of a run of ASCII letters where the walk stands with nothing
    /// pending: the phrase that starts there, or the word, which then ends where the run does.
    /// `None` (the walk untouched) when the run ends at an apostrophe or a non-ASCII character,
    /// where a word may go on.
    #[inline]
    fn ascii_word(&mut self, a: usize) -> Option<Tok> {
        let bytes = self.text.as_bytes();
        let mut sid = self.start;
        let mut hit = None;
        let mut at = a;
        // The run of letters, then (the automaton still alive) what follows it.
        let mut alive = true;
        while let Some(&b) = bytes.get(at).filter(|b| b.is_ascii_alphabetic()) {
            at += 1;
            if !self.feed(&mut sid, &mut hit, a, at, b) {
                alive = false;
                break;
            }
        }
        let mut end = at;
        if alive {
            while let Some(&b) = bytes.get(at) {
                at += 1;
                if !self.feed(&mut sid, &mut hit, a, at, b) {
                    break;
                }
            }
        } else {
            while bytes.get(end).is_some_and(u8::is_ascii_alphabetic) {
                end += 1;
            }
        }
        if let Some((b, id)) = hit.filter(|&(b, _)| self.ends_run(b)) {
            self.pos = b;
            return Some(Tok {
                start: a as u32,
                end: b as u32,
                kind: phrase_kind(self.m, id),
            });
        }
        if bytes.get(end).is_some_and(|&b| b == b'\'' || !b.is_ascii()) {
            return None;
        }
        self.pos = end;
        Some(Tok {
            start: a as u32,
            end: end as u32,
            kind: TokKind::Word,
        })
    }

    /// The phrase that starts at `pos`, passing those that start before it.
    fn match_at(&mut self, pos: usize) -> Option<(usize, usize, TokKind)> {
        loop {
            match self.pending {
                Some(m) if m.0 < pos => self.pending = None,
                Some(m) => return (m.0 == pos).then_some(m),
                None if self.pos <= pos => self.pending = self.step(),
                None => return None,
            }
        }
    }

    /// Where the first phrase not yet passed starts, when that is before `limit`.
    fn first_before(&mut self, limit: usize) -> Option<usize> {
        loop {
            match self.pending {
                Some(m) => return (m.0 < limit).then_some(m.0),
                None if self.pos < limit => self.pending = self.step(),
                None => return None,
            }
        }
    }
}

/// The token kind of phrase `id`: a phrase that means nothing (a clitic exception) is a plain
/// word.
fn phrase_kind(m: &Matcher, id: u32) -> TokKind {
    if m.phrase_info.get(id as usize) == Some(&PhraseInfo::default()) {
        TokKind::Word
    } else {
        TokKind::Phrase(id)
    }
}

/// A character's class for word boundaries: not a word character, a letter (a word character
/// that is not numeric), or numeric. A boundary lies between two characters unless both are
/// of the same word class (see [`boundary`]).
const NOT_WORD: u8 = 0;
const LETTER: u8 = 1;
const NUMERIC: u8 = 2;

/// The class of each ASCII character.
const ASCII_CLASS: [u8; 128] = {
    let mut t = [NOT_WORD; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphabetic() {
            t[b] = LETTER;
        } else if c.is_ascii_digit() {
            t[b] = NUMERIC;
        }
        b += 1;
    }
    t
};

fn class_of(c: char) -> u8 {
    if c.is_ascii() {
        ASCII_CLASS[c as usize]
    } else if c.is_numeric() {
        NUMERIC
    } else if c.is_alphabetic() {
        LETTER
    } else {
        NOT_WORD
    }
}

/// The class of the character at byte `i` of `s` and its length (`NOT_WORD` and 0 at the end).
#[inline]
fn class_at(s: &str, i: usize) -> (u8, usize) {
    match s.as_bytes().get(i) {
        None => (NOT_WORD, 0),
        Some(&b) if b.is_ascii() => (ASCII_CLASS[usize::from(b)], 1),
        _ => s[i..]
            .chars()
            .next()
            .map_or((NOT_WORD, 0), |c| (class_of(c), c.len_utf8())),
    }
}

/// The class of the character that ends at byte `i` of `s` (`NOT_WORD` at the start).
fn class_before(s: &str, i: usize) -> u8 {
    char_before(s, i).map_or(NOT_WORD, class_of)
}

/// Where the run that starts at byte `a` ends: the run of letters or of digits there, or the
/// one character when it is not a word character.
#[inline]
fn run_end(s: &str, a: usize) -> usize {
    let bytes = s.as_bytes();
    let Some(&first) = bytes.get(a).filter(|b| b.is_ascii()) else {
        let (class, len) = class_at(s, a);
        return run_rest(s, a + len.max(1), class);
    };
    let class = ASCII_CLASS[usize::from(first)];
    let mut end = a + 1;
    if class == NOT_WORD {
        return end;
    }
    while let Some(&b) = bytes.get(end) {
        if !b.is_ascii() {
            return run_rest(s, end, class);
        }
        if ASCII_CLASS[usize::from(b)] != class {
            break;
        }
        end += 1;
    }
    end
}

/// Where the run of `class` that goes on at byte `from` ends (any characters).
fn run_rest(s: &str, from: usize, class: u8) -> usize {
    let mut end = from;
    if class != NOT_WORD {
        loop {
            let (c, len) = class_at(s, end);
            if c != class || len == 0 {
                break;
            }
            end += len;
        }
    }
    end
}

/// Finds lexicon phrases and patterns over the folded text and splits it into tokens.
fn tokenize(lex: &Lexicon, text: &str, s: &mut Scratch) {
    let m = &lex.matcher;
    s.matches.clear();
    s.toks.clear();

    let maybe_patterns = m
        .patterns_literals
        .as_ref()
        .is_none_or(|l| l.may_match(text))
        && m.patterns_prefilter
            .as_ref()
            .is_none_or(|p| p.is_match(text));
    let mut extra = Vec::new();
    if let Some(re) = m.patterns.as_ref().filter(|_| maybe_patterns) {
        for caps in re.captures_iter(text) {
            for (i, &kind) in m.pattern_kinds.iter().enumerate() {
                if let Some(g) = caps.get(i + 1) {
                    if g.start() < g.end()
                        && boundary(char_before(text, g.start()), char_at(text, g.start()))
                    {
                        extra.push((g.start(), g.end(), TokKind::Pattern(kind)));
                    }
                    break;
                }
            }
        }
    }
    if lex.clitics.is_empty() {
        if extra.is_empty() {
            // The common case: phrases and words in one walk.
            words_and_phrases(lex, text, &mut s.toks);
            return;
        }
        phrases_at_runs(m, text, &mut s.matches);
    } else {
        phrases_with_clitics(lex, text, &mut s.matches);
    }
    if !extra.is_empty() {
        // Patterns win over the phrases they overlap when they are longer.
        s.matches.extend(extra);
        s.matches
            .sort_by(|x, y| x.0.cmp(&y.0).then((y.1 - y.0).cmp(&(x.1 - x.0))));
        let mut kept: Vec<(usize, usize, TokKind)> = Vec::with_capacity(s.matches.len());
        for &mm in &s.matches {
            match kept.last() {
                Some(&(_, e, _)) if mm.0 < e => {}
                _ => kept.push(mm),
            }
        }
        s.matches = kept;
    }

    words(lex, text, &s.matches, &mut s.toks);
}

/// Splits `text` into tokens: the phrase and pattern `matches` (sorted, not overlapping),
/// numbers, words and punctuation marks.
fn words(lex: &Lexicon, text: &str, matches: &[(usize, usize, TokKind)], toks: &mut Vec<Tok>) {
    let digits = &lex.digits;
    let bytes = text.as_bytes();
    let mut mi = 0;
    let mut pos = 0;
    while let Some(&byte) = bytes.get(pos) {
        let (c, len) = if byte.is_ascii() {
            (char::from(byte), 1)
        } else {
            match text[pos..].chars().next() {
                Some(c) => (c, c.len_utf8()),
                None => break,
            }
        };
        if c.is_whitespace() {
            pos += len;
            continue;
        }
        while mi < matches.len() && matches[mi].0 < pos {
            mi += 1;
        }
        if let Some(&(a, b, kind)) = matches.get(mi) {
            if a == pos {
                toks.push(Tok {
                    start: a as u32,
                    end: b as u32,
                    kind,
                });
                pos = b;
                mi += 1;
                continue;
            }
        }
        if let Some(tok) = number_at(text, pos, c, digits) {
            pos = tok.end as usize;
            toks.push(tok);
            continue;
        }
        if is_word_char(c) {
            // A word stops where a phrase starts ("l'" before "assassinat").
            let stop = matches.get(mi).map_or(text.len(), |m| m.0);
            let start = pos;
            let mut end = word_end(text, start, stop);
            if end == start {
                // A digit with no readable number (cannot happen) or a lone mark: skip it.
                end = start + len;
            }
            toks.push(Tok {
                start: start as u32,
                end: end as u32,
                kind: TokKind::Word,
            });
            pos = end;
            continue;
        }
        toks.push(Tok {
            start: pos as u32,
            end: (pos + len) as u32,
            kind: TokKind::Punct(punct_class(c)),
        });
        pos += len;
    }
}

/// [`words`] over the phrases of [`phrases_at_runs`] (a language without clitics, a text without
/// pattern matches), in one walk: the phrase walk goes on only as far as the tokens need, and at
/// the start of an ASCII word where both walks stand, one pass over its bytes finds both the
/// longest phrase there and where the word ends.
fn words_and_phrases(lex: &Lexicon, text: &str, toks: &mut Vec<Tok>) {
    let Some(mut walk) = PhraseWalk::new(&lex.matcher, text) else {
        words(lex, text, &[], toks);
        return;
    };
    let digits = &lex.digits;
    let bytes = text.as_bytes();
    let mut pos = 0;
    while let Some(&byte) = bytes.get(pos) {
        if walk.pos == pos && walk.pending.is_none() {
            if byte.is_ascii_alphabetic() {
                if let Some(tok) = walk.ascii_word(pos) {
                    pos = tok.end as usize;
                    toks.push(tok);
                    continue;
                }
            } else if byte == b' ' && walk.no_start[usize::from(b' ')] {
                // A space starts no phrase: both walks pass it.
                pos += 1;
                walk.pos = pos;
                continue;
            }
        }
        let (c, len) = if byte.is_ascii() {
            (char::from(byte), 1)
        } else {
            match text[pos..].chars().next() {
                Some(c) => (c, c.len_utf8()),
                None => break,
            }
        };
        if c.is_whitespace() {
            pos += len;
            continue;
        }
        if let Some((a, b, kind)) = walk.match_at(pos) {
            toks.push(Tok {
                start: a as u32,
                end: b as u32,
                kind,
            });
            walk.pending = None;
            pos = b;
            continue;
        }
        if let Some(tok) = number_at(text, pos, c, digits) {
            pos = tok.end as usize;
            toks.push(tok);
            continue;
        }
        if is_word_char(c) {
            let start = pos;
            let mut end = word_end(text, start, text.len());
            if end == start {
                end = start + len;
            } else if let Some(stop) = walk.first_before(end) {
                // A word stops where a phrase starts ("l'" before "assassinat").
                end = stop;
            }
            toks.push(Tok {
                start: start as u32,
                end: end as u32,
                kind: TokKind::Word,
            });
            pos = end;
            continue;
        }
        toks.push(Tok {
            start: pos as u32,
            end: (pos + len) as u32,
            kind: TokKind::Punct(punct_class(c)),
        });
        pos += len;
    }
}

/// The number token that starts at byte `pos` (whose character is `c`), if one is readable there.
fn number_at(text: &str, pos: usize, c: char, digits: &crate::lexicon::DigitStyle) -> Option<Tok> {
    crate::counts::digit_value(c)?;
    let (value, int_digits, len) = read_number(
        &text[pos..],
        &digits.thousands_separators,
        &digits.decimal_marks,
    )?;
    Some(Tok {
        start: pos as u32,
        end: (pos + len) as u32,
        kind: TokKind::Number { value, int_digits },
    })
}

/// End of the word that starts at byte `start`: letters (not digits), and apostrophes between
/// letters ("l'"), up to `stop` at most (unless the word would be empty).
fn word_end(text: &str, start: usize, stop: usize) -> usize {
    let bytes = text.as_bytes();
    let mut end = start;
    while end < stop || end == start {
        let Some(&b) = bytes.get(end) else {
            break;
        };
        if b.is_ascii_alphabetic() {
            end += 1;
        } else if b == b'\'' {
            if end > start
                && text[end + 1..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphabetic)
            {
                end += 1;
            } else {
                break;
            }
        } else if b.is_ascii() {
            break;
        } else {
            match text[end..].chars().next() {
                Some(ch) if is_word_char(ch) && crate::counts::digit_value(ch).is_none() => {
                    end += ch.len_utf8();
                }
                _ => break,
            }
        }
    }
    end
}

/// Code-point span in the original text of the folded byte range `a..b`, with the marks after
/// its last letter (Arabic vowels: "قُتِلَ"), which folding drops: every original character before
/// the next folded one is such a mark.
fn evidence_span(folded: &Folded, a: usize, b: usize) -> (usize, usize) {
    let (start, end) = folded.span(a, b);
    let next = folded.span(b, b).0;
    (start, end.max(next.min(end + MAX_MARKS)))
}

/// Most marks kept after the last letter of an evidence.
const MAX_MARKS: usize = 4;

fn is_sentence_end(c: char) -> bool {
    matches!(
        c,
        '.' | '!' | '?' | ';' | ':' | '\u{061F}' | '\u{06D4}' | '\u{3002}'
    )
}

/// Reads every count of the token stream and groups conjoined ones.
fn find_counts(t: &Toks, s_counts: &mut Vec<Count>, count_of: &mut Vec<u32>, group: &mut Vec<u32>) {
    s_counts.clear();
    count_of.clear();
    count_of.resize(t.len(), NONE);
    group.clear();
    let mut i = 0;
    while i < t.len() {
        // A count starts at digits or at a lexicon phrase (a number word, a modifier, "a"): a
        // plain word, a pattern, a mark or another phrase starts none.
        let may_start = may_start_count(t, i);
        if let Some(c) = may_start.then(|| parse_count(t, i)).flatten() {
            if c.end > i {
                let id = s_counts.len() as u32;
                for slot in &mut count_of[c.start..c.end.min(t.len())] {
                    *slot = id;
                }
                s_counts.push(c);
                i = c.end;
                continue;
            }
        }
        i += 1;
    }
    // Groups: "3 soldiers and 2 civilians", "12 militants, including 2 commanders".
    for (ci, c) in s_counts.iter().enumerate() {
        let mut head = ci as u32;
        if ci > 0 {
            let prev = &s_counts[ci - 1];
            let between = prev.end..c.start;
            let only = |f: &dyn Fn(usize) -> bool| between.clone().all(f);
            let joined = if c.subset {
                // "12 militants including 2 commanders", "12 people, among them 3 children".
                only(&|k| t.has(k, cue::SUBSET) || t.punct(k) == Some(','))
            } else {
                // Two victim groups joined by "and" / ",": both name their victims, and the second
                // is not the subject of another verb with the first being the object of one.
                // The first count's noun may be one the lexicon does not know ("five rangers,").
                let nouns = between
                    .clone()
                    .take_while(|&k| t.toks[k].kind == TokKind::Word || t.info(k).victim.is_some())
                    .count();
                let joiners = between.start + nouns..between.end;
                let conj = !joiners.is_empty()
                    && joiners
                        .clone()
                        .all(|k| t.has(k, cue::CONJUNCTION) || t.punct(k) == Some(','));
                conj && (prev.victim.is_some() || (nouns > 0 && nouns <= 3))
                    && c.victim.is_some()
                    && !c.indefinite
                    && !(prev.start > 0
                        && t.trigger(prev.start - 1).is_some()
                        && subject_of_verb(t, c.end))
            };
            if joined {
                head = group[ci - 1];
            }
        }
        group.push(head);
    }
}

/// Whether a verb trigger follows token `k` (auxiliaries aside): the count before `k` is its
/// subject ("killed 3 militants and 2 civilians were wounded").
fn subject_of_verb(t: &Toks, k: usize) -> bool {
    let mut k = k;
    while k < t.len() && t.has(k, cue::AUX) && t.trigger(k).is_none() {
        k += 1;
    }
    t.trigger(k).is_some()
}

fn group_of(counts: &[Count], group: &[u32], head: u32) -> Group {
    let mut g = Group {
        first_tok: usize::MAX,
        ..Group::default()
    };
    let mut any_low = false;
    let mut all_high = true;
    let mut low_sum = 0u64;
    let mut high_sum = 0u64;
    for (ci, c) in counts.iter().enumerate() {
        if group[ci] != head {
            continue;
        }
        g.first_tok = g.first_tok.min(c.start);
        g.last_tok = g.last_tok.max(c.end);
        if c.subset {
            continue;
        }
        g.value = g.value.saturating_add(c.value);
        g.vague |= c.vague;
        g.non_human |= c.non_human;
        if let Some(v) = c.victim {
            if !g.victims.contains(&v) {
                g.victims.push(v);
            }
        }
        any_low |= c.low.is_some();
        low_sum = low_sum.saturating_add(c.low.unwrap_or(c.value));
        match c.high {
            Some(h) => high_sum = high_sum.saturating_add(h),
            None => all_high = false,
        }
    }
    if any_low {
        g.low = Some(low_sum);
    }
    if all_high {
        g.high = Some(high_sum);
    }
    g
}

/// The head of the group a count belongs to.
fn head_of(group: &[u32], ci: u32) -> u32 {
    group.get(ci as usize).copied().unwrap_or(ci)
}

/// A count group after a trigger: "killed 3 militants", "the death toll rose to 40".
fn active_count(t: &Toks, count_of: &[u32], counts: &[Count], at: usize) -> Option<(u32, usize)> {
    // "Fatalities are split across 3 events (4)": the bracketed figure is this event's share.
    if t.has(at + 1, cue::SHARE) {
        let mut k = at + 2;
        while k + 1 < t.len() && k <= at + 8 {
            if let Some(c) = t.punct(k) {
                if is_sentence_end(c) {
                    break;
                }
                if c == '('
                    && count_of[k + 1] != NONE
                    && t.punct(counts[count_of[k + 1] as usize].end) == Some(')')
                {
                    return Some((count_of[k + 1], 0));
                }
            }
            k += 1;
        }
        return None;
    }
    let mut k = at + 1;
    let mut gap = 0;
    // Verb-first languages: a subject may stand between the verb and its object.
    let mut subject = usize::from(t.rules.subject_after_verb);
    while k < t.len() && gap <= 3 + usize::from(t.rules.subject_after_verb) {
        let ci = count_of[k];
        if ci != NONE {
            if counts[ci as usize].start == k {
                return Some((ci, gap));
            }
            return None;
        }
        if t.has(k, cue::LEAD) && t.trigger(k).is_none() {
            k += 1;
            gap += 1;
            continue;
        }
        let info = t.info(k);
        let plain = t.toks[k].kind == TokKind::Word
            || (info.victim.is_some() && info.cues == 0 && info.number.is_none());
        if subject > 0 && plain && t.trigger(k).is_none() {
            subject -= 1;
            k += 1;
            gap += 1;
            continue;
        }
        return None;
    }
    None
}

/// Whether the first words after a trigger are animals or things ("killed livestock").
fn non_human_object(t: &Toks, at: usize) -> bool {
    let mut k = at + 1;
    while k < t.len() && k <= at + 3 {
        if t.has(k, cue::NON_HUMAN) {
            return true;
        }
        if t.trigger(k).is_some() || t.punct(k).is_some() {
            return false;
        }
        if t.toks[k].kind != TokKind::Word && !t.has(k, cue::LEAD | cue::MODIFIER) {
            return false;
        }
        k += 1;
    }
    false
}

/// A count group before a trigger: "3 civilians were killed", "one person dead". Returns the count
/// and whether it was reached through a coordinated verb ("was kidnapped and killed": the count
/// of "kidnapped" is shared), or `Err(())` when the subject is non-human ("oxen were killed").
/// Brackets are skipped: "2 policemen (7 according to the militants) were killed" → 2.
fn passive_count(t: &Toks, count_of: &[u32], at: usize) -> Result<Option<(u32, bool)>, ()> {
    let mut k = at;
    let mut words = 0;
    let mut shared = false;
    while k > 0 && words <= MAX_GAP {
        k -= 1;
        let ci = count_of[k];
        if ci != NONE {
            return Ok(Some((ci, shared)));
        }
        if let Some(c) = t.punct(k) {
            if is_sentence_end(c) {
                return Ok(None);
            }
            if c == ')' {
                // Skip back to the opening bracket.
                let mut depth = 1;
                while k > 0 && depth > 0 {
                    k -= 1;
                    match t.punct(k) {
                        Some(')') => depth += 1,
                        Some('(') => depth -= 1,
                        Some(c) if is_sentence_end(c) => return Ok(None),
                        _ => {}
                    }
                }
                words += 1;
                continue;
            }
            words += 1;
            continue;
        }
        let cues = t.cues(k);
        if cues & cue::CONJUNCTION != 0 && cues & cue::AUX == 0 && k + 1 == at {
            // "shot and killed", "kidnapped and killed": the verbs share their subject.
            let verb = k.checked_sub(1);
            let coordinated = verb.is_some_and(|v| {
                t.trigger(v).is_some() || (t.toks[v].kind == TokKind::Word && t.cues(v) == 0)
            });
            if !coordinated {
                return Ok(None);
            }
            shared = true;
            if let Some(v) = verb {
                k = v;
            }
            words += 1;
            continue;
        }
        if t.trigger(k).is_some() {
            return Ok(None);
        }
        if cues & cue::NON_HUMAN != 0 {
            return Err(());
        }
        if cues & cue::AUX == 0 && cues & cue::CLAUSE_BREAK != 0 {
            return Ok(None);
        }
        // A number that is not a count ("de 12 ans", "à 5 km") is a word here.
        if matches!(t.toks[k].kind, TokKind::Number { .. }) && !t.has(k + 1, cue::NON_COUNT) {
            return Ok(None);
        }
        words += 1;
    }
    Ok(None)
}

/// Cues before a trigger in its clause.
struct Cues {
    negated: bool,
    /// Token of a threat cue ("threatened to").
    threat: Option<usize>,
    hedge: bool,
    /// An earlier event given as the cause ("protested against the killing").
    prior: bool,
    /// Earliest cue token.
    first: usize,
}

/// Negation, threat, hedge and cause cues of the trigger at `at`, in its clause.
/// `start` is the start of its evidence (its count may come first): cues are
/// looked for between them too ("five fishermen are feared dead").
fn cues_before(t: &Toks, count_of: &[u32], at: usize, start: usize) -> Cues {
    let mut prior = false;
    // The cause of an event is named further back than a negation ("protested in the town
    // against the recent killing of").
    let mut k = at;
    while k > 0 && k + 10 + (at - start.min(at)) > at {
        k -= 1;
        if t.punct(k).is_some_and(is_sentence_end) {
            break;
        }
        if t.has(k, cue::PRIOR) {
            prior = true;
            break;
        }
    }
    let mut neg = false;
    let mut threat = None;
    let mut hedge = false;
    let mut first = at;
    let mut k = at;
    let mut steps = 0;
    let reach = CUE_REACH + (at - start.min(at));
    while k > 0 && steps < reach {
        k -= 1;
        if let Some(c) = t.punct(k) {
            if is_sentence_end(c) || (matches!(c, ',' | '(' | ')') && k < start) {
                break;
            }
            continue;
        }
        // Words inside a count qualify its victims, not the event ("30 alleged militants").
        let cues = if count_of[k] == NONE { t.cues(k) } else { 0 };
        if cues & cue::RESULT != 0 {
            // "لم يسفر القصف عن إصابات": a negated verb of result negates its result, not its
            // subject (the trigger right after the verb).
            if k + 1 == at {
                break;
            }
            if let Some(p) = k.checked_sub(1).filter(|&p| t.has(p, cue::NEGATION)) {
                neg = true;
                first = p;
                break;
            }
        }
        if cues & cue::THREAT != 0 && k + 3 >= at {
            threat = Some(k);
            first = k;
        }
        if cues & cue::NEGATION != 0 {
            neg = true;
            first = k;
        }
        if cues & cue::HEDGE != 0 {
            hedge = true;
            first = k;
        }
        if cues & cue::CLAUSE_BREAK != 0 && cues & cue::AUX == 0 {
            // "claimed that...", "denied that...": the cue governs the clause it introduces.
            if let Some(p) = k.checked_sub(1) {
                let before = t.cues(p);
                if before & (cue::HEDGE | cue::NEGATION) != 0 {
                    hedge |= before & cue::HEDGE != 0;
                    neg |= before & cue::NEGATION != 0;
                    first = p;
                }
            }
            break;
        }
        if t.trigger(k).is_some() && cues & (cue::NEGATION | cue::HEDGE | cue::THREAT) == 0 {
            // The subject of a verb of result does not end its result's clause.
            if k > 0 && t.has(k - 1, cue::RESULT) {
                continue;
            }
            break;
        }
        steps += 1;
    }
    Cues {
        negated: neg,
        threat,
        hedge,
        prior,
        first,
    }
}

fn extract_with(
    lex: &Lexicon,
    text: &str,
    folded: &Folded,
    s: &mut Scratch,
) -> (Vec<Indicator>, Option<u64>) {
    tokenize(lex, &folded.text, s);
    let Scratch {
        toks,
        counts,
        count_of,
        group,
        ..
    } = s;
    let t = Toks {
        toks,
        info: &lex.matcher.phrase_info,
        rules: lex.numbers,
    };
    find_counts(&t, counts, count_of, group);
    // Groups by head count index (heads only are filled).
    let mut groups: BTreeMap<u32, Group> = BTreeMap::new();
    for &h in group.iter() {
        groups
            .entry(h)
            .or_insert_with(|| group_of(counts, group, h));
    }

    let unverified = (0..t.len()).any(|k| t.has(k, cue::UNVERIFIED));
    let threat_kind = lex.kind_index("threat");

    struct Found {
        kind: usize,
        group: Option<u32>,
        /// The trigger is a summary noun ("fatalities", "death toll").
        total: bool,
        /// Not part of this event's fatalities (an earlier killing given as a cause).
        prior: bool,
        negated: bool,
        unconfirmed: bool,
        span: (usize, usize),
        /// Token of the trigger (of the threat cue, for a threat read from "threatened to kill").
        at: usize,
        /// A threat read from a threat cue before another trigger.
        combined: bool,
    }
    let mut found: Vec<Found> = Vec::new();
    let mut claimed: BTreeMap<u32, CountRole> = BTreeMap::new();

    for at in 0..t.len() {
        let Some(kind) = t.trigger(at) else { continue };
        let kind = kind as usize;
        let Some(def) = lex.kinds.get(kind) else {
            continue;
        };
        let role = def.counts;
        let mut first = at;
        let mut last = at;
        let mut grp = None;
        let human_role = matches!(
            role,
            CountRole::Killed | CountRole::Wounded | CountRole::Casualties | CountRole::Abducted
        );
        if human_role && non_human_object(&t, at) {
            continue;
        }
        // The trigger is itself the noun of a count ("20,000 refugees", "5 bodies").
        let own = count_of[at];
        let passive = if own != NONE {
            Ok(Some((own, false)))
        } else {
            passive_count(&t, count_of, at)
        };
        if passive.is_err() && human_role {
            continue;
        }
        if role != CountRole::None {
            let active = active_count(&t, count_of, counts, at);
            // The object right after the verb, else the subject before it, else an object
            // further on; the first of them that no other trigger has taken.
            let passive = passive.ok().flatten();
            let options = [
                active.filter(|a| a.1 == 0).map(|a| (a.0, false)),
                passive,
                active.filter(|a| a.1 > 0).map(|a| (a.0, false)),
            ];
            let mut animals = false;
            for (ci, shared) in options.into_iter().flatten() {
                let head = head_of(group, ci);
                let taken = claimed.get(&head).copied();
                let free = taken.is_none()
                    || shared
                    || (taken == Some(CountRole::Casualties) && role != CountRole::Casualties);
                let Some(g) = groups.get(&head).filter(|_| free) else {
                    continue;
                };
                if human_role && g.non_human {
                    animals = true;
                    break;
                }
                // A trigger that is the noun of its count ("20 refugees", "12 otages") says
                // who they are; the verb after it may still take the count ("were killed").
                if own == NONE {
                    claimed.entry(head).or_insert(role);
                }
                grp = Some(head);
                first = first.min(g.first_tok);
                last = last.max(g.last_tok.saturating_sub(1));
                break;
            }
            if animals {
                continue;
            }
        }
        let Cues {
            mut negated,
            threat,
            hedge,
            prior,
            first: cue_first,
        } = cues_before(&t, count_of, at, first);
        // A count of zero ("0 killed") is a negation.
        if let Some(g) = grp.and_then(|h| groups.get(&h)) {
            if g.value == 0 && !g.vague {
                negated = true;
                grp = None;
            }
        }
        if threat.is_some() {
            negated = true;
        }
        first = first.min(cue_first);
        let (a, b) = (t.toks[first].start as usize, t.toks[last].end as usize);
        found.push(Found {
            kind,
            group: grp,
            total: t.has(at, cue::TOTAL),
            prior,
            negated,
            unconfirmed: hedge || (unverified && role == CountRole::Killed),
            span: evidence_span(folded, a, b),
            at,
            combined: false,
        });
        if let (Some(tk), Some(th)) = (threat_kind, threat) {
            if tk != kind {
                let (a, b) = (t.toks[th].start as usize, t.toks[at].end as usize);
                found.push(Found {
                    kind: tk,
                    group: None,
                    total: false,
                    prior: false,
                    negated: false,
                    unconfirmed: false,
                    span: evidence_span(folded, a, b),
                    at: th,
                    combined: true,
                });
            }
        }
    }
    // A threat cue that is also a threat trigger ("هدد" in "هدد بقتل") yields the combined
    // indicator only.
    if let Some(tk) = threat_kind {
        let cues: Vec<usize> = found.iter().filter(|f| f.combined).map(|f| f.at).collect();
        found.retain(|f| f.combined || f.kind != tk || !cues.contains(&f.at));
    }

    let fatalities = fatalities(
        lex,
        &found
            .iter()
            .map(|f| {
                (
                    f.kind,
                    f.group,
                    f.total,
                    f.negated || f.unconfirmed || f.prior,
                )
            })
            .collect::<Vec<_>>(),
        &groups,
    );

    let texts = char_slices(text, found.iter().map(|f| f.span));
    let mut out: Vec<Indicator> = found
        .iter()
        .zip(texts)
        .map(|(f, evidence)| {
            let def = &lex.kinds[f.kind];
            let g = f.group.and_then(|h| groups.get(&h));
            let victims = g.filter(|g| !g.victims.is_empty()).map(|g| {
                g.victims
                    .iter()
                    .filter_map(|&v| lex.victims.get(v as usize).map(String::as_str))
                    .collect::<Vec<_>>()
                    .join(",")
            });
            Indicator {
                kind: def.name.clone(),
                risk_factor: def.risk_factor.clone(),
                count: g.map(|g| g.value),
                count_low: g.and_then(|g| g.low),
                count_high: g.and_then(|g| g.high),
                victims,
                negated: f.negated,
                unconfirmed: f.unconfirmed,
                start: f.span.0,
                end: f.span.1,
                text: evidence.to_owned(),
            }
        })
        .collect();
    out.sort_by(|a, b| (a.start, &a.kind, a.end).cmp(&(b.start, &b.kind, b.end)));
    out.dedup_by(|a, b| a.start == b.start && a.end == b.end && a.kind == b.kind);
    (out, fatalities)
}

/// [`char_slice`] of each span (code-point offsets) of `text`, walking the text once rather than
/// once per span.
fn char_slices(text: &str, spans: impl Iterator<Item = (usize, usize)> + Clone) -> Vec<&str> {
    if text.is_ascii() {
        return spans.map(|(a, b)| char_slice(text, a, b)).collect();
    }
    // The byte offset of each code-point offset a span bounds (the text's length past its end).
    let mut points: Vec<(usize, usize)> = spans
        .clone()
        .flat_map(|(a, b)| [(a, 0), (b.max(a), 0)])
        .collect();
    points.sort_unstable();
    points.dedup();
    let mut bytes = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .enumerate();
    let mut next = bytes.next();
    for p in &mut points {
        while next.is_some_and(|(c, _)| c < p.0) {
            next = bytes.next();
        }
        p.1 = match next {
            Some((c, b)) if c == p.0 => b,
            _ => text.len(),
        };
    }
    let offset = |c: usize| {
        points
            .binary_search_by_key(&c, |&(c, _)| c)
            .map_or(text.len(), |i| points[i].1)
    };
    spans
        .map(|(a, b)| &text[offset(a)..offset(b.max(a))])
        .collect()
}

/// People killed in the event, from the killed counts of the indicators found, given as
/// (kind, count group, is a summary noun, negated or unconfirmed). A stated total ("fatalities
/// coded as 5", "the death toll rose to 40") wins; else the distinct victim groups are summed, a
/// number repeated or a total restating the parts being added once.
fn fatalities(
    lex: &Lexicon,
    found: &[(usize, Option<u32>, bool, bool)],
    groups: &BTreeMap<u32, Group>,
) -> Option<u64> {
    let killed = found.iter().filter(|(kind, group, _, excluded)| {
        !excluded && group.is_some() && lex.kinds[*kind].counts == CountRole::Killed
    });
    if let Some(total) = killed
        .clone()
        .find(|f| f.2)
        .and_then(|f| f.1)
        .and_then(|h| groups.get(&h))
    {
        return Some(total.value);
    }
    let mut parts: Vec<(u64, Vec<u16>)> = Vec::new();
    let mut seen: Vec<u32> = Vec::new();
    for &(_, group, _, _) in killed {
        let Some(h) = group else { continue };
        let Some(g) = groups.get(&h) else { continue };
        if seen.contains(&h) {
            continue;
        }
        seen.push(h);
        let sum: u64 = parts.iter().map(|p| p.0).sum();
        // The same number again is the same victims, unless it is one more person of another kind
        // ("killed one person after ... killed a farmer").
        // Different kinds of victims with the same number are different people ("killed 3
        // militants; 3 civilians were killed"), unless one of them is generic ("people").
        let generic = |v: &[u16]| {
            v.is_empty()
                || v.iter()
                    .any(|&l| lex.victims.get(l as usize).is_some_and(|n| n == "people"))
        };
        let repeated = parts.iter().any(|p| {
            p.0 == g.value
                && (p.1 == g.victims || (g.value > 1 && (generic(&p.1) || generic(&g.victims))))
        });
        if repeated || (parts.len() > 1 && g.value == sum) {
            continue;
        }
        parts.push((g.value, g.victims.clone()));
    }
    if parts.is_empty() {
        None
    } else {
        Some(parts.iter().map(|p| p.0).sum())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The phrases of a language without clitics as first defined: a leftmost-longest search
    /// from where the last one left off, skipping matches that do not start and end at word
    /// boundaries.
    fn reference_phrases(m: &Matcher, text: &str) -> Vec<(usize, usize, TokKind)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while let Some(hit) = search_hit(m, text, pos) {
            if hit.whole {
                out.push((hit.a, hit.b, phrase_kind(m, hit.id)));
                pos = hit.b;
            } else {
                pos = after_run(text, hit.a, hit.first);
            }
        }
        out
    }

    #[test]
    fn phrases_at_runs_are_the_phrases_of_the_search() {
        let lexs = Lexicons::builtin().expect("built-in lexicons");
        let mut frags: Vec<String> = [
            "12",
            "1,200",
            "3.5",
            "½",
            "x½",
            "Ⅻ",
            "é",
            "ß",
            "'",
            " ",
            " ",
            ",",
            ".",
            "-",
            "٣",
            "قتل",
            "3km",
            "5-year-old",
            "l'",
            "aujourd'hui",
            "(",
            "»",
            "a",
            "the",
            "ab12cd",
            "'s",
            "\n",
            "l'assassinat",
            "1 200",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        for lex in lexs.iter() {
            for k in &lex.kinds {
                frags.extend(k.phrases.iter().cloned());
            }
        }
        let mut next = crate::test_rng(0x9e37_79b9_7f4a_7c15);
        for _ in 0..5000 {
            let mut text = String::new();
            for _ in 0..next() % 12 {
                let f: Vec<char> = frags[(next() % frags.len() as u64) as usize]
                    .chars()
                    .collect();
                // Often a fragment's tail: phrases inside words.
                let from = if next() % 3 == 0 {
                    (next() % (f.len() as u64 + 1)) as usize
                } else {
                    0
                };
                text.extend(&f[from..]);
                if next() % 2 == 0 {
                    text.push(' ');
                }
            }
            let text = crate::fold::fold(&text);
            for lex in lexs.iter().filter(|l| l.clitics.is_empty()) {
                let mut got = Vec::new();
                phrases_at_runs(&lex.matcher, &text, &mut got);
                assert_eq!(got, reference_phrases(&lex.matcher, &text), "{text:?}");
                // The one walk gives the tokens of the two.
                let mut two = Vec::new();
                words(lex, &text, &got, &mut two);
                let mut one = Vec::new();
                words_and_phrases(lex, &text, &mut one);
                assert_eq!(one, two, "{text:?}");
            }
        }
    }

    fn ex() -> Extractor {
        Extractor::new(&Lexicons::builtin().expect("built-in lexicons"))
    }

    fn run(text: &str) -> Extraction {
        ex().extract(text, Some("en"))
    }

    fn first<'a>(e: &'a Extraction, kind: &str) -> &'a Indicator {
        e.indicators
            .iter()
            .find(|i| i.kind == kind)
            .unwrap_or_else(|| panic!("no {kind} in {:#?}", e.indicators))
    }

    /// A made-up language exercising the lexicon keys other languages need: clitics, verb-first
    /// order, counted nouns, whole hundreds, plural scales, joiners, "at least" after the count.
    const XX: &str = r#"
lang = "xx"
[kinds.killing]
risk_factor = "RF11"
counts = "killed"
phrases = ["kil", "dead", "deadpair"]
[kinds.injury]
risk_factor = "RF11"
counts = "wounded"
phrases = ["hurt"]
[kinds.threat]
risk_factor = "RF9"
phrases = ["menace"]
[numbers]
units = { one = 1, two = 2, three = 3, five = 5, ten = 10 }
tens = { twenty = 20 }
hundreds = { twohundred = 200 }
scales = { thousand = 1000 }
scales_alone = true
vague = { thousands = 2000 }
plural_scales = { thousands = 1000 }
counted = { deadpair = 2, kid = 1 }
tens_joiner = ["y"]
unit_tens_joiner = ["wa"]
[clitics]
prefixes = ["w", "al", "w+al"]
suffixes = ["hum"]
exceptions = ["wdead"]
[order]
subject_after_verb = 2
[cues]
at_least_after = ["atleast"]
conjunction = ["w", "wa"]
threat = ["menace"]
non_count = ["years"]
[victims]
civilians = ["civ", "civs"]
children = ["kid", "kids"]
"#;

    fn xx(text: &str) -> Extraction {
        let lex = Lexicons::parse_all(&[("xx.toml", XX)]).expect("test lexicon");
        Extractor::new(&lex).extract(text, Some("xx"))
    }

    #[test]
    fn lexicon_data_drives_number_words() {
        for (text, n) in [
            ("kil five wa twenty civs", 25),
            ("kil twenty y five civs", 25),
            ("kil twohundred twenty civs", 220),
            ("kil two thousands civs", 2000),
            ("kil thousand civs", 1000),
            ("kil thousand twohundred civs", 1200),
            ("kil ten civs", 10),
        ] {
            assert_eq!(xx(text).fatalities, Some(n), "{text}");
        }
        // Joiners join only what the language joins: "ten wa twenty" is two numbers.
        assert_eq!(xx("kil ten y five civs").fatalities, Some(10));
        let e = xx("kil thousands civs");
        let k = first(&e, "killing");
        assert_eq!((k.count, k.count_low), (Some(2000), Some(2000)));
    }

    #[test]
    fn counted_nouns_and_at_least_after() {
        let e = xx("deadpair");
        assert_eq!(e.fatalities, Some(2));
        let e = xx("kil kid");
        assert_eq!(first(&e, "killing").victims.as_deref(), Some("children"));
        assert_eq!(e.fatalities, Some(1));
        // After a number, a counted noun is the noun counted, not one more.
        assert_eq!(xx("thousand deadpair").fatalities, Some(1000));
        let e = xx("kil five civs atleast, hurt three");
        let k = first(&e, "killing");
        assert_eq!((k.count, k.count_low), (Some(5), Some(5)));
        assert_eq!(k.text, "kil five civs atleast");
        assert_eq!(first(&e, "injury").count, Some(3));
    }

    #[test]
    fn verb_first_subject_between_verb_and_count() {
        assert_eq!(xx("kil gunmen 12 civs").fatalities, Some(12));
        assert_eq!(xx("kil unknown gunmen 12 civs").fatalities, Some(12));
        assert_eq!(xx("kil many unknown gunmen 12 civs").fatalities, None);
    }

    #[test]
    fn clitics_attach_to_phrases() {
        // "w" (a conjunction) + "al" + "kil", and a pronoun suffix.
        let text = "walkil 3 civs, wkilhum twohundred";
        let e = xx(text);
        let ks: Vec<&Indicator> = e
            .indicators
            .iter()
            .filter(|i| i.kind == "killing")
            .collect();
        assert_eq!(ks.len(), 2, "{ks:?}");
        assert_eq!(ks[0].text, "alkil 3 civs");
        assert_eq!(ks[1].text, "kilhum twohundred");
        assert_eq!(char_slice(text, ks[1].start, ks[1].end), ks[1].text);
        // The prefix "w" is the conjunction: "3 civs w2 kids" is one group.
        assert_eq!(xx("kil 3 civs w2 kids").fatalities, Some(5));
        assert_eq!(xx("kil 3 civs wkid").fatalities, Some(4));
        // Not a declared clitic, and a declared exception: no match.
        assert!(xx("bkil 3 civs").indicators.is_empty());
        assert!(xx("wdead 3 civs").indicators.is_empty());
        // Short phrases take no suffix ("w" + "hum" is not "w").
        assert!(xx("deadhum").indicators.iter().all(|i| i.text == "deadhum"));
    }

    #[test]
    fn a_threat_cue_that_is_a_threat_word_gives_one_threat() {
        let e = xx("menace kil 3 civs");
        let threats: Vec<&Indicator> = e.indicators.iter().filter(|i| i.kind == "threat").collect();
        assert_eq!(threats.len(), 1, "{:?}", e.indicators);
        assert_eq!(threats[0].text, "menace kil");
        assert!(first(&e, "killing").negated);
        assert_eq!(e.fatalities, None);
        let e = xx("menace, then 3 civs hurt");
        assert_eq!(first(&e, "threat").text, "menace");
    }

    #[test]
    fn a_number_that_is_not_a_count_does_not_stop_the_subject() {
        let e = xx("kid of 12 years dead");
        assert_eq!(e.fatalities, Some(1));
    }

    #[test]
    fn a_taken_subject_leaves_the_object_after_the_verb() {
        let e = run("Gunmen killed 12 people and wounded at the same time another 5.");
        assert_eq!(count_of(&e, "killing"), Some(12));
        let e = run("12 people died and were wounded another 5.");
        assert_eq!(count_of(&e, "injury"), Some(5));
    }

    #[test]
    fn two_objects_of_one_verb_are_one_group() {
        let e = run("Gunmen killed 3 militants and 2 civilians in the raid.");
        assert_eq!(e.fatalities, Some(5));
        let e = run("Troops killed 3 militants and 2 civilians were wounded.");
        assert_eq!(e.fatalities, Some(3));
        assert_eq!(count_of(&e, "injury"), Some(2));
    }

    #[test]
    fn evidence_keeps_the_marks_of_its_last_letter() {
        let lex = Lexicons::parse_all(&[("xx.toml", &XX.replace("\"dead\",", "\"قتل\","))])
            .expect("test lexicon");
        let text = "قُتِلَ 3 civs";
        let e = Extractor::new(&lex).extract("3 civs قُتِلَ", Some("xx"));
        let k = first(&e, "killing");
        assert_eq!(k.text, "3 civs قُتِلَ");
        let e = Extractor::new(&lex).extract(text, Some("xx"));
        assert_eq!(first(&e, "killing").text, "قُتِلَ 3 civs");
    }

    #[test]
    fn char_slices_are_char_slice() {
        for text in ["", "abc", "À Ségou, «\u{a0}trente\u{a0}»", "قُتِلَ 3 civs"] {
            let n = text.chars().count();
            let spans: Vec<(usize, usize)> = (0..n + 3)
                .flat_map(|a| (0..n + 3).map(move |b| (a, b)))
                .collect();
            let got = char_slices(text, spans.iter().copied());
            for (&(a, b), g) in spans.iter().zip(got) {
                assert_eq!(g, char_slice(text, a, b), "{text:?} {a}..{b}");
            }
        }
    }

    #[test]
    fn extractor_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Extractor>();
    }

    #[test]
    fn kinds_are_sorted() {
        let k = ex().kinds();
        let mut s = k.clone();
        s.sort();
        assert_eq!(k, s);
        assert!(k.len() >= 15);
    }

    #[test]
    fn passive_count_with_victims() {
        let e = run("At least 40 villagers were killed in the attack.");
        let k = first(&e, "killing");
        assert_eq!(k.count, Some(40));
        assert_eq!(k.count_low, Some(40));
        assert_eq!(k.victims.as_deref(), Some("villagers"));
        assert_eq!(k.text, "At least 40 villagers were killed");
        assert_eq!(e.fatalities, Some(40));
    }

    fn count_of(e: &Extraction, kind: &str) -> Option<u64> {
        first(e, kind).count
    }

    #[test]
    fn killed_and_wounded_counts_stay_apart() {
        let e = run("12 killed and 5 wounded in the raid.");
        assert_eq!(count_of(&e, "killing"), Some(12));
        assert_eq!(count_of(&e, "injury"), Some(5));
        assert_eq!(e.fatalities, Some(12));
        let e = run("Gunmen killed 3 villagers and wounded 7 others.");
        assert_eq!(count_of(&e, "killing"), Some(3));
        assert_eq!(count_of(&e, "injury"), Some(7));
        assert_eq!(e.fatalities, Some(3));
    }

    #[test]
    fn distinct_victim_groups_are_summed_subsets_are_not() {
        let e = run("3 soldiers and 2 civilians were killed.");
        assert_eq!(e.fatalities, Some(5));
        assert_eq!(
            first(&e, "killing").victims.as_deref(),
            Some("soldiers,civilians")
        );
        let e = run("12 militants including 2 commanders were killed.");
        assert_eq!(e.fatalities, Some(12));
        let e = run("6 commandos, 5 soldiers, and 15 militants were killed.");
        assert_eq!(e.fatalities, Some(26));
    }

    #[test]
    fn a_number_repeated_is_not_added_twice() {
        let e = run(
            "Seven people were killed in Bria. The 7 victims were buried on Sunday. 7 people died.",
        );
        assert_eq!(e.fatalities, Some(7));
    }

    #[test]
    fn number_words_ranges_and_modifiers() {
        let e = run("Forty-two civilians were killed.");
        assert_eq!(e.fatalities, Some(42));
        let e = run("Between 20 and 30 people were killed.");
        let k = first(&e, "killing");
        assert_eq!(
            (k.count, k.count_low, k.count_high),
            (Some(20), Some(20), Some(30))
        );
        let e = run("Up to 15 people were killed.");
        let k = first(&e, "killing");
        assert_eq!(
            (k.count, k.count_low, k.count_high),
            (Some(15), None, Some(15))
        );
        let e = run("About a dozen people were killed.");
        assert_eq!(e.fatalities, Some(12));
        let e = run("Two hundred and fifty villagers were killed.");
        assert_eq!(e.fatalities, Some(250));
        let e = run("More than 1,200 people were killed.");
        assert_eq!(count_of(&e, "killing"), Some(1200));
        let e = run("Hundreds of civilians were killed.");
        let k = first(&e, "killing");
        assert_eq!((k.count, k.count_low), (Some(200), Some(200)));
        let e = run("1.5 million people have fled.");
        assert_eq!(count_of(&e, "displacement"), Some(1_500_000));
    }

    #[test]
    fn no_number_is_none_a_person_is_one() {
        let e = run("Several people were killed in the attack.");
        assert!(e.indicators.iter().any(|i| i.kind == "killing"));
        assert_eq!(e.fatalities, None);
        let e = run("A man was killed by gunmen.");
        assert_eq!(e.fatalities, Some(1));
        let e = run("One person was killed.");
        assert_eq!(e.fatalities, Some(1));
    }

    #[test]
    fn dates_ages_and_distances_are_not_counts() {
        let e = run("On 21 March 2020, a 12-year-old boy was killed 5 km from Kidal.");
        assert_eq!(e.fatalities, Some(1));
        let e = run("On 3 June, gunmen killed people in Djibo.");
        assert_eq!(e.fatalities, None);
    }

    #[test]
    fn negation_denial_and_threats() {
        let e = run("No casualties were reported.");
        assert!(first(&e, "casualties").negated);
        let e = run("The army denied killing civilians.");
        assert!(first(&e, "killing").negated);
        assert_eq!(e.fatalities, None);
        let e = run("The villagers were not harmed.");
        assert!(first(&e, "injury").negated);
        let e = run("No one was killed.");
        assert!(first(&e, "killing").negated);
        assert_eq!(e.fatalities, None);
        let e = run("The militia threatened to kill all the Fulani in the village.");
        assert!(first(&e, "killing").negated);
        let t = first(&e, "threat");
        assert!(!t.negated);
        assert_eq!(t.text, "threatened to kill");
    }

    #[test]
    fn hedges_and_unverified_figures() {
        let e = run("Five fishermen are feared dead.");
        let k = first(&e, "killing");
        assert!(k.unconfirmed);
        assert_eq!(k.count, Some(5));
        assert_eq!(e.fatalities, None);
        let e = run("The group claimed that 20 soldiers were killed.");
        assert!(first(&e, "killing").unconfirmed);
        let e = run("3 soldiers were killed. The figures could not be independently verified.");
        assert!(first(&e, "killing").unconfirmed);
        assert_eq!(e.fatalities, None);
    }

    #[test]
    fn victim_types_are_kept() {
        let e = run("Troops killed 3 militants.");
        assert_eq!(first(&e, "killing").victims.as_deref(), Some("militants"));
        let e = run("3 civilians killed in Kabul.");
        assert_eq!(first(&e, "killing").victims.as_deref(), Some("civilians"));
    }

    #[test]
    fn animals_are_not_people() {
        let e = run("Soldiers killed 58 oxen belonging to herders.");
        assert!(e.indicators.iter().all(|i| i.kind != "killing"));
        assert_eq!(e.fatalities, None);
    }

    #[test]
    fn stated_totals_and_shares() {
        let e = run(
            "2 policemen were killed. Fatalities coded as 2 (the group reported 7 fatalities).",
        );
        assert_eq!(e.fatalities, Some(2));
        let e = run("14 militants were killed in three districts. Fatalities are split across 3 events (5).");
        assert_eq!(e.fatalities, Some(5));
        let e = run("The death toll rose to 40.");
        assert_eq!(e.fatalities, Some(40));
    }

    #[test]
    fn earlier_killings_given_as_causes_do_not_count() {
        let e = run("Students protested against the killing of a classmate.");
        assert!(e.indicators.iter().any(|i| i.kind == "killing"));
        assert_eq!(e.fatalities, None);
        let e = run("Residents beat a man accused of killing a farmer.");
        assert_eq!(e.fatalities, None);
    }

    #[test]
    fn every_kind_has_a_trigger() {
        let cases = [
            ("massacre", "A massacre took place in the village."),
            ("mass_grave", "A mass grave was found near the camp."),
            ("execution", "Prisoners were summarily executed."),
            (
                "shelling",
                "Indiscriminate shelling of residential areas continued.",
            ),
            ("arson", "Attackers torched dozens of homes."),
            ("displacement", "Thousands fled to neighbouring towns."),
            ("abduction", "Gunmen abducted 20 schoolgirls."),
            ("sexual_violence", "Women were raped by soldiers."),
            ("torture", "Detainees were tortured."),
            ("looting", "Shops were looted."),
            (
                "attack_protected_site",
                "Militants attacked a hospital in the town.",
            ),
            ("hate_speech", "The broadcaster called them cockroaches."),
            ("mobilisation", "Local leaders were arming militias."),
            ("siege", "The town has been under siege for weeks."),
            ("arbitrary_detention", "Dozens were arbitrarily detained."),
            ("disappearance", "Activists disappeared after their arrest."),
            ("threat", "They received death threats."),
        ];
        let ex = ex();
        for (kind, text) in cases {
            let e = ex.extract(text, Some("en"));
            assert!(
                e.indicators.iter().any(|i| i.kind == kind && !i.negated),
                "{kind} not found in {text:?}: {:?}",
                e.indicators
            );
        }
        let e = ex.extract("The speaker said the Tutsi are cockroaches.", Some("en"));
        assert!(e
            .indicators
            .iter()
            .any(|i| i.kind == "hate_speech" && i.text.contains("are cockroaches")));
    }

    #[test]
    fn spans_are_code_points_of_the_original_text() {
        let text =
            "À Ségou, «\u{a0}trente\u{a0}» — non: 30 civils… In Ségou, 4 civilians were killed.";
        let e = run(text);
        let k = first(&e, "killing");
        assert_eq!(char_slice(text, k.start, k.end), k.text);
        assert_eq!(k.text, "4 civilians were killed");
        let text = "İDLİB: ŞİDDETLİ — 4 civilians were killed";
        let e = run(text);
        let k = first(&e, "killing");
        assert_eq!(char_slice(text, k.start, k.end), k.text);
        assert_eq!(k.start, 18);
    }

    #[test]
    fn output_is_sorted_and_deterministic() {
        let text = "Gunmen killed 5 people, burned homes and abducted 3 women; thousands fled.";
        let a = run(text);
        let b = run(text);
        assert_eq!(a, b);
        let keys: Vec<(usize, &str)> = a
            .indicators
            .iter()
            .map(|i| (i.start, i.kind.as_str()))
            .collect();
        let mut sorted = keys.clone();
        sorted.sort();
        assert_eq!(keys, sorted);
        assert!(a.indicators.len() >= 4, "{:?}", a.indicators);
    }

    #[test]
    fn language_is_detected_when_missing() {
        let ex = ex();
        let e = ex.extract(
            "At least 40 villagers were killed when gunmen attacked the market on Sunday morning.",
            None,
        );
        assert_eq!(e.lang.as_deref(), Some("en"));
        assert_eq!(e.fatalities, Some(40));
        let e = ex.extract("Hello", Some("en-GB"));
        assert_eq!(e.lang.as_deref(), Some("en"));
        let e = ex.extract("Mindestens 40 Dorfbewohner wurden getötet.", Some("de"));
        assert_eq!(e.lang.as_deref(), Some("de"));
        assert!(e.indicators.is_empty());
    }

    #[test]
    fn french_spanish_and_arabic_are_detected_and_routed_to_their_lexicon() {
        let ex = ex();
        for (text, lang, fatalities) in [
            (
                "Au moins 40 villageois ont été tués dimanche lorsque des hommes armés ont attaqué le marché.",
                "fr",
                Some(40),
            ),
            ("Trois soldats et deux civils ont été tués.", "fr", Some(5)),
            (
                "Al menos 40 aldeanos fueron asesinados el domingo cuando hombres armados atacaron el mercado.",
                "es",
                Some(40),
            ),
            ("Tres soldados y dos civiles murieron.", "es", Some(5)),
            ("قتل 40 قرويا على الأقل يوم الأحد.", "ar", Some(40)),
            ("مقتل طفل.", "ar", Some(1)),
        ] {
            let e = ex.extract(text, None);
            assert_eq!(e.lang.as_deref(), Some(lang), "{text}");
            assert_eq!(e.fatalities, fatalities, "{text}");
        }
    }

    #[test]
    fn short_texts_go_to_the_lexicon_they_use() {
        let ex = ex();
        // Too short for the detector: the lexicon words decide.
        for (text, lang) in [
            ("Gunmen attack farmers Massalit.", "en"),
            ("Paramilitary open fire on Jugma, injure 3 farmers.", "en"),
            ("12 civils tués à Kaya.", "fr"),
            ("Murieron 12 campesinos.", "es"),
        ] {
            assert_eq!(ex.extract(text, None).lang.as_deref(), Some(lang), "{text}");
        }
        assert_eq!(
            ex.extract("3 farmers killed", Some("fr-FR"))
                .lang
                .as_deref(),
            Some("fr")
        );
    }
}
