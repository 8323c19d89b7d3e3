//! Lexicon files (`config/lexicons/<lang>.toml`): phrases and patterns mapped to indicator kinds, and
//! kinds to risk factors of the UN Framework of Analysis for Atrocity Crimes (2014); number words,
//! count modifiers, negation/hedging cues and victim nouns for casualty counts.
//!
//! A lexicon is loaded and validated once at start (every problem is reported as
//! `file:line:column` through [`EnrichError::Lexicon`]) and compiled into a [`Matcher`]: one
//! aho-corasick automaton (leftmost-longest, over the folded text of [`crate::fold`]) for all the
//! phrases of the language, and one size-limited regex for all its patterns. The built-in lexicons
//! are compiled into the binary ([`Lexicons::builtin`]); operators can load their own folder
//! ([`Lexicons::load_dir`]).

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::{Regex, RegexBuilder};
use serde::Deserialize;
use toml::Spanned;

use crate::fold::fold;
use crate::EnrichError;

/// Largest compiled size of one lexicon's combined pattern regex, so a bad lexicon cannot exhaust
/// memory.
pub const REGEX_SIZE_LIMIT: usize = 8 << 20;

/// The built-in lexicon files: (file name, contents).
const BUILTIN: &[(&str, &str)] = &[
    (
        "ar.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../config/lexicons/ar.toml"
        )),
    ),
    (
        "en.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../config/lexicons/en.toml"
        )),
    ),
    (
        "es.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../config/lexicons/es.toml"
        )),
    ),
    (
        "fr.toml",
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../config/lexicons/fr.toml"
        )),
    ),
];

/// Which casualty count an indicator kind takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum CountRole {
    /// The kind takes no count (arson, hate speech...).
    None,
    /// People killed: these counts make up `fatalities`.
    Killed,
    Wounded,
    Displaced,
    Abducted,
    Detained,
    /// Killed and wounded together ("12 casualties"): counted, but not as fatalities.
    Casualties,
}

impl CountRole {
    fn parse(s: &str) -> Option<CountRole> {
        Some(match s {
            "none" => CountRole::None,
            "killed" => CountRole::Killed,
            "wounded" => CountRole::Wounded,
            "displaced" => CountRole::Displaced,
            "abducted" => CountRole::Abducted,
            "detained" => CountRole::Detained,
            "casualties" => CountRole::Casualties,
            _ => return None,
        })
    }
}

/// One indicator kind of a lexicon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KindDef {
    /// snake_case name, e.g. `killing`.
    pub name: String,
    /// `RF1`..`RF14`.
    pub risk_factor: String,
    pub counts: CountRole,
    /// Phrases, folded.
    pub phrases: Vec<String>,
    /// Regular expressions over the folded text.
    pub patterns: Vec<String>,
}

/// Cue flags of a phrase (bit set).
pub mod cue {
    pub const INDEFINITE: u32 = 1 << 0;
    pub const AT_LEAST: u32 = 1 << 1;
    pub const AT_MOST: u32 = 1 << 2;
    pub const ABOUT: u32 = 1 << 3;
    pub const RANGE_START: u32 = 1 << 4;
    pub const RANGE_JOIN: u32 = 1 << 5;
    pub const LEAD: u32 = 1 << 6;
    pub const AUX: u32 = 1 << 7;
    pub const CONJUNCTION: u32 = 1 << 8;
    pub const SUBSET: u32 = 1 << 9;
    pub const NEGATION: u32 = 1 << 10;
    pub const THREAT: u32 = 1 << 11;
    pub const HEDGE: u32 = 1 << 12;
    pub const UNVERIFIED: u32 = 1 << 13;
    pub const CLAUSE_BREAK: u32 = 1 << 14;
    pub const DATE: u32 = 1 << 15;
    pub const NON_COUNT: u32 = 1 << 16;
    pub const NON_HUMAN: u32 = 1 << 17;
    /// A quantity that is not a number ("several", "a few").
    pub const QUANTIFIER: u32 = 1 << 18;
    /// A summary noun whose count is the event's total ("fatalities", "death toll").
    pub const TOTAL: u32 = 1 << 19;
    /// "split across N events (M)": M is this event's share of a total.
    pub const SHARE: u32 = 1 << 20;
    /// An earlier event given as the cause of this one ("protested against the killing of").
    pub const PRIOR: u32 = 1 << 21;
    /// "at least" written after the count ("قتل 12 شخصا على الأقل").
    pub const AT_LEAST_AFTER: u32 = 1 << 22;
    /// Joins tens and a following unit ("cuarenta y dos", "vingt et un").
    pub const TENS_JOINER: u32 = 1 << 23;
    /// Joins a unit and the tens after it ("خمسة وعشرون": five and twenty).
    pub const UNIT_TENS_JOINER: u32 = 1 << 24;
    /// A verb of result ("أسفر" in "لم يسفر القصف عن إصابات"): negated, it negates its result,
    /// not its subject.
    pub const RESULT: u32 = 1 << 25;
    /// Any modifier of a count.
    pub const MODIFIER: u32 = AT_LEAST | AT_MOST | ABOUT;
}

/// What a matched phrase means; a phrase may mean several things ("refugees": a displacement
/// trigger and a victim noun).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PhraseInfo {
    /// Index into [`Lexicon::kinds`] of the kind this phrase triggers.
    pub trigger: Option<u16>,
    /// Index into [`Lexicon::victims`] of the victim label this noun names.
    pub victim: Option<u16>,
    /// Number word value and how it combines.
    pub number: Option<(NumberWord, u64)>,
    /// A vague plural that is a scale after a number ("deux millions", "ثلاثة آلاف").
    pub plural_scale: Option<u64>,
    /// [`cue`] flags.
    pub cues: u32,
}

/// How a number word combines with its neighbours.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberWord {
    /// 0..19 ("seven"); also "a couple of".
    Unit,
    /// 20, 30... ("forty" in "forty-two").
    Tens,
    /// Multiplies what precedes ("hundred", "thousand", "dozen").
    Scale,
    /// A vague quantity, a lower bound ("dozens", "hundreds").
    Vague,
    /// A word for a whole number of hundreds or thousands that smaller parts may follow
    /// ("doscientos" in "doscientos cincuenta", "ثلاثمائة").
    Hundreds,
    /// A noun that is its own count: Arabic duals ("قتيلان": two dead) and singulars
    /// ("مقتل طفل": the killing of one child). Does not combine with other number words.
    Counted,
}

/// Digit conventions of a language. A character listed as both a thousands separator and a
/// decimal mark ("," in Spanish, where "1,5 millones" and "1,200 personas" both occur) groups
/// thousands when exactly three digits follow it, and marks decimals otherwise.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitStyle {
    pub thousands_separators: Vec<char>,
    pub decimal_marks: Vec<char>,
}

impl Default for DigitStyle {
    fn default() -> Self {
        DigitStyle {
            thousands_separators: vec![','],
            decimal_marks: vec!['.'],
        }
    }
}

/// How the number words of a language combine, beyond what [`NumberWord`] says.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct NumberRules {
    /// A scale word is a count on its own ("mil personas", "mille personnes", "ألف قتيل"); in
    /// English "hundred" needs "a" or a number before it.
    pub scales_alone: bool,
    /// Words a subject may take between a verb trigger and the count after it, in languages that
    /// put the verb first ("قتل مسلحون 12 مدنيا": killed gunmen 12 civilians).
    pub subject_after_verb: u8,
}

/// One segment of a clitic prefix: its length in bytes, and the lexicon phrase it is, if any.
pub type CliticSegment = (usize, Option<u32>);

/// Clitics written attached to the words they go with (Arabic "والقتلى" = "و" + "ال" + "قتلى").
/// A phrase matches after one of the declared prefixes and before one of the declared suffixes of
/// its word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Clitics {
    /// Prefixes, folded, each split into its segments: (bytes, the lexicon phrase the segment
    /// is, if it is one, e.g. the conjunction "و"). Segments that are phrases become tokens of
    /// their own; the others are part of the word's token.
    pub prefixes: Vec<(String, Vec<CliticSegment>)>,
    /// Suffixes, folded (pronouns: "مصرعهم" = "مصرع" + "هم"); part of the word's token.
    pub suffixes: Vec<String>,
    /// Longest prefix, in bytes.
    pub max_prefix: usize,
}

impl Clitics {
    pub fn is_empty(&self) -> bool {
        self.prefixes.is_empty() && self.suffixes.is_empty()
    }

    /// The segments of a prefix, if `s` is one.
    pub fn prefix(&self, s: &str) -> Option<&[CliticSegment]> {
        self.prefixes
            .iter()
            .find(|(p, _)| p == s)
            .map(|(_, seg)| seg.as_slice())
    }

    pub fn is_suffix(&self, s: &str) -> bool {
        self.suffixes.iter().any(|x| x == s)
    }
}

/// One validated lexicon, compiled.
#[derive(Debug, Clone)]
pub struct Lexicon {
    /// ISO 639-1 code.
    pub lang: String,
    pub name: String,
    /// Where it came from (file name), for messages.
    pub source: String,
    /// Kinds, sorted by name.
    pub kinds: Vec<KindDef>,
    /// Victim labels, sorted.
    pub victims: Vec<String>,
    pub digits: DigitStyle,
    pub numbers: NumberRules,
    pub clitics: Clitics,
    /// The compiled matchers.
    pub matcher: Arc<Matcher>,
}

/// A lexicon's compiled matchers.
pub struct Matcher {
    /// All phrases of the lexicon, leftmost-longest; pattern id indexes `phrase_info`.
    pub phrases: AhoCorasick,
    /// The same phrases as an anchored DFA, for the tokenizer: the longest phrase that starts at
    /// a given word, walked one byte at a time (no search call per word).
    pub anchored: aho_corasick::dfa::DFA,
    /// The bytes no phrase starts with (`anchored` dies on them at once): the tokenizer does not
    /// walk the automaton from them.
    pub no_start: [bool; 256],
    pub phrase_info: Vec<PhraseInfo>,
    /// All patterns combined as `(?P<p0>...)|(?P<p1>...)`; group `pN` is `pattern_kinds[N]`.
    pub patterns: Option<Regex>,
    /// `patterns` without its assertions (`\b`, anchors) and groups: it matches wherever
    /// `patterns` does (and maybe elsewhere), and as a plain automaton it scans any text fast,
    /// where `\b` stops the fast engine at the first non-ASCII letter. A text it does not match
    /// has no pattern match.
    pub patterns_prefilter: Option<Regex>,
    /// Literals one of which every match of `patterns` contains, when there are such: a text
    /// with none of them has no pattern match, which this automaton tells much faster than a
    /// regex that has to read every byte.
    pub patterns_literals: Option<RequiredLiterals>,
    pub pattern_kinds: Vec<u16>,
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("phrases", &self.phrase_info.len())
            .field("patterns", &self.pattern_kinds.len())
            .finish()
    }
}

/// For each byte, whether the anchored phrase automaton dies on it from its start: no phrase
/// starts with that byte.
fn no_start(dfa: &aho_corasick::dfa::DFA) -> [bool; 256] {
    use aho_corasick::automaton::Automaton;
    let mut t = [true; 256];
    if let Ok(start) = dfa.start_state(aho_corasick::Anchored::Yes) {
        for (b, slot) in (0..=255u8).zip(t.iter_mut()) {
            *slot = dfa.is_dead(dfa.next_state(aho_corasick::Anchored::Yes, start, b));
        }
    }
    t
}

/// The prefilter of a pattern regex: the same regex with its assertions and groups removed.
fn prefilter(pattern: &str) -> Result<Regex, String> {
    use regex_syntax::hir::{Hir, HirKind, Repetition};
    fn relax(h: &Hir) -> Hir {
        match h.kind() {
            HirKind::Look(_) => Hir::empty(),
            HirKind::Capture(c) => relax(&c.sub),
            HirKind::Repetition(r) => Hir::repetition(Repetition {
                sub: Box::new(relax(&r.sub)),
                ..r.clone()
            }),
            HirKind::Concat(v) => Hir::concat(v.iter().map(relax).collect()),
            HirKind::Alternation(v) => Hir::alternation(v.iter().map(relax).collect()),
            HirKind::Empty | HirKind::Literal(_) | HirKind::Class(_) => h.clone(),
        }
    }
    let hir = regex_syntax::Parser::new()
        .parse(pattern)
        .map_err(|e| e.to_string())?;
    RegexBuilder::new(&relax(&hir).to_string())
        .size_limit(REGEX_SIZE_LIMIT)
        .build()
        .map_err(|e| e.to_string())
}

/// Literals one of which every match of a pattern regex contains ([`Matcher::patterns_literals`]).
pub struct RequiredLiterals {
    literals: AhoCorasick,
    /// Every match puts a non-word byte (or the start of the text) right before the literal it
    /// contains, and every literal starts with a word byte: an occurrence after an ASCII letter,
    /// digit or `_` ("lice" in "police") is not one a match can contain.
    after_non_word: bool,
}

impl RequiredLiterals {
    /// Whether `text` has an occurrence of a literal that a match can contain: `false` tells
    /// that the pattern does not match `text`.
    pub fn may_match(&self, text: &str) -> bool {
        let t = text.as_bytes();
        let mut from = 0;
        while let Some(m) = self
            .literals
            .find(aho_corasick::Input::new(t).span(from..t.len()))
        {
            // Whether an occurrence is possible depends only on the byte before it, so the next
            // occurrence to look at is the leftmost one after this start.
            let a = m.start();
            if !self.after_non_word || a == 0 || !is_ascii_word_byte(t[a - 1]) {
                return true;
            }
            from = a + 1;
        }
        false
    }
}

impl std::fmt::Debug for RequiredLiterals {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RequiredLiterals")
            .field("patterns", &self.literals.patterns_len())
            .field("after_non_word", &self.after_non_word)
            .finish()
    }
}

/// An ASCII byte that `\b` counts as a word character.
fn is_ascii_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// Literals one of which every match of `pattern` contains, or `None`. Of the parts of a
/// concatenation, the set whose shortest literal is longest is kept (the rarest in text, as a
/// rule); an alternation needs a set in each branch.
fn required_literals(pattern: &str) -> Result<Option<RequiredLiterals>, String> {
    use regex_syntax::hir::{Hir, HirKind, Look};
    /// A set of literals; `at_start`: each occurs at the start of the match of the expression it
    /// was found in; `guarded`: each is preceded by a non-word byte or the text's start in every
    /// match.
    struct Set {
        literals: Vec<Vec<u8>>,
        at_start: bool,
        guarded: bool,
    }
    /// Of an expression: whether each of its non-empty matches ends with an ASCII non-word
    /// byte, and whether it can match the empty string.
    fn ending(h: &Hir) -> (bool, bool) {
        match h.kind() {
            HirKind::Empty | HirKind::Look(_) => (true, true),
            HirKind::Literal(l) => (
                l.0.last()
                    .is_some_and(|&b| b.is_ascii() && !is_ascii_word_byte(b)),
                l.0.is_empty(),
            ),
            HirKind::Class(_) => (false, false),
            HirKind::Capture(c) => ending(&c.sub),
            HirKind::Repetition(r) => {
                let (non_word, empty) = ending(&r.sub);
                (non_word, empty || r.min == 0)
            }
            HirKind::Concat(v) => before(v),
            HirKind::Alternation(v) => v
                .iter()
                .map(ending)
                .fold((true, false), |acc, e| (acc.0 && e.0, acc.1 || e.1)),
        }
    }
    /// [`ending`] of a concatenation: from its last part back to the first that cannot be
    /// empty.
    fn before(v: &[Hir]) -> (bool, bool) {
        for h in v.iter().rev() {
            let (non_word, empty) = ending(h);
            if !non_word {
                return (false, empty);
            }
            if !empty {
                return (true, false);
            }
        }
        (true, true)
    }
    /// Whether what `v` matches, right before a literal that starts with a word byte, ends with
    /// a non-word byte or a word boundary.
    fn guards(v: &[Hir]) -> bool {
        for h in v.iter().rev() {
            if let HirKind::Look(
                Look::WordAscii | Look::WordUnicode | Look::WordStartAscii | Look::WordStartUnicode,
            ) = h.kind()
            {
                return true;
            }
            let (non_word, empty) = ending(h);
            if !non_word {
                return false;
            }
            if !empty {
                return true;
            }
        }
        false
    }
    fn required(h: &Hir) -> Option<Set> {
        match h.kind() {
            HirKind::Literal(l) => Some(Set {
                literals: vec![l.0.to_vec()],
                at_start: true,
                guarded: false,
            }),
            HirKind::Capture(c) => required(&c.sub),
            HirKind::Repetition(r) if r.min > 0 => required(&r.sub).map(|set| Set {
                at_start: false,
                ..set
            }),
            HirKind::Concat(v) => v
                .iter()
                .enumerate()
                .filter_map(|(k, h)| Some((k, required(h)?)))
                .max_by_key(|(_, set)| {
                    let shortest = set.literals.iter().map(Vec::len).min().unwrap_or(0);
                    (shortest, std::cmp::Reverse(set.literals.len()))
                })
                .map(|(k, set)| Set {
                    guarded: set.guarded || (set.at_start && guards(&v[..k])),
                    at_start: set.at_start && k == 0,
                    literals: set.literals,
                }),
            HirKind::Alternation(v) => {
                let mut all = Vec::new();
                let (mut at_start, mut guarded) = (true, true);
                for branch in v {
                    let set = required(branch)?;
                    all.extend(set.literals);
                    at_start &= set.at_start;
                    guarded &= set.guarded;
                }
                all.sort();
                all.dedup();
                Some(Set {
                    literals: all,
                    at_start,
                    guarded,
                })
            }
            _ => None,
        }
    }
    let hir = regex_syntax::Parser::new()
        .parse(pattern)
        .map_err(|e| e.to_string())?;
    match required(&hir) {
        // Leftmost-first: the kind the fast (SIMD) prefilters of the automaton support.
        Some(set) if !set.literals.iter().any(Vec::is_empty) => {
            let after_non_word =
                set.guarded && set.literals.iter().all(|l| is_ascii_word_byte(l[0]));
            AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostFirst)
                .build(set.literals)
                .map(|literals| {
                    Some(RequiredLiterals {
                        literals,
                        after_non_word,
                    })
                })
                .map_err(|e| e.to_string())
        }
        _ => Ok(None),
    }
}

/// All loaded lexicons, one per language.
#[derive(Debug, Clone, Default)]
pub struct Lexicons {
    by_lang: BTreeMap<String, Lexicon>,
}

impl Lexicons {
    /// The lexicons compiled into the binary (`config/lexicons/*.toml`).
    pub fn builtin() -> Result<Lexicons, EnrichError> {
        Lexicons::parse_all(BUILTIN)
    }

    /// Parses lexicon files given as (file name, contents), one language each.
    pub fn parse_all(files: &[(&str, &str)]) -> Result<Lexicons, EnrichError> {
        let mut l = Lexicons::default();
        for (file, src) in files {
            l.insert(Lexicon::parse(file, src)?)?;
        }
        Ok(l)
    }

    /// Loads every `<lang>.toml` of a folder, validating each with file:line errors.
    pub fn load_dir(dir: &Path) -> Result<Lexicons, EnrichError> {
        let io = |source| EnrichError::Io {
            path: dir.display().to_string(),
            source,
        };
        let mut files = Vec::new();
        for entry in std::fs::read_dir(dir).map_err(io)? {
            let path = entry.map_err(io)?.path();
            if path.extension().is_some_and(|e| e == "toml") {
                files.push(path);
            }
        }
        files.sort();
        let mut l = Lexicons::default();
        for path in &files {
            let src = std::fs::read_to_string(path).map_err(|source| EnrichError::Io {
                path: path.display().to_string(),
                source,
            })?;
            l.insert(Lexicon::parse(&path.display().to_string(), &src)?)?;
        }
        if l.by_lang.is_empty() {
            return Err(EnrichError::Lexicon {
                file: dir.display().to_string(),
                line: 0,
                column: 0,
                message: "no lexicon files (<lang>.toml) in this folder".into(),
            });
        }
        Ok(l)
    }

    fn insert(&mut self, lex: Lexicon) -> Result<(), EnrichError> {
        if let Some(prev) = self.by_lang.get(&lex.lang) {
            return Err(EnrichError::Lexicon {
                file: lex.source.clone(),
                line: 1,
                column: 1,
                message: format!("language `{}` is also defined by {}", lex.lang, prev.source),
            });
        }
        self.by_lang.insert(lex.lang.clone(), lex);
        Ok(())
    }

    /// The lexicon of a language (ISO 639-1 code).
    pub fn get(&self, lang: &str) -> Option<&Lexicon> {
        self.by_lang.get(lang)
    }

    /// Languages with a lexicon, sorted.
    pub fn langs(&self) -> Vec<&str> {
        self.by_lang.keys().map(String::as_str).collect()
    }

    /// All lexicons, by language.
    pub fn iter(&self) -> impl Iterator<Item = &Lexicon> {
        self.by_lang.values()
    }
}

// ---- file schema ----

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FileDe {
    lang: Spanned<String>,
    #[serde(default)]
    name: Option<String>,
    kinds: BTreeMap<String, Spanned<KindDe>>,
    #[serde(default)]
    numbers: NumbersDe,
    #[serde(default)]
    cues: CuesDe,
    #[serde(default)]
    victims: BTreeMap<String, Vec<Spanned<String>>>,
    #[serde(default)]
    clitics: CliticsDe,
    #[serde(default)]
    order: OrderDe,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CliticsDe {
    #[serde(default)]
    prefixes: Vec<Spanned<String>>,
    #[serde(default)]
    suffixes: Vec<Spanned<String>>,
    #[serde(default)]
    exceptions: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct OrderDe {
    #[serde(default)]
    subject_after_verb: Option<Spanned<i64>>,
}

/// One character or several: `","` or `[" ", ".", ","]`.
struct CharList(Vec<String>);

impl<'de> Deserialize<'de> for CharList {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = CharList;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a string or a list of strings")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<CharList, E> {
                Ok(CharList(vec![v.to_owned()]))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(
                self,
                mut a: A,
            ) -> Result<CharList, A::Error> {
                let mut out = Vec::new();
                while let Some(s) = a.next_element::<String>()? {
                    out.push(s);
                }
                Ok(CharList(out))
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KindDe {
    risk_factor: Spanned<String>,
    #[serde(default)]
    counts: Option<Spanned<String>>,
    #[serde(default)]
    phrases: Vec<Spanned<String>>,
    #[serde(default)]
    patterns: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct NumbersDe {
    #[serde(default)]
    units: BTreeMap<String, u64>,
    #[serde(default)]
    tens: BTreeMap<String, u64>,
    #[serde(default)]
    scales: BTreeMap<String, u64>,
    #[serde(default)]
    vague: BTreeMap<String, u64>,
    #[serde(default)]
    hundreds: BTreeMap<String, u64>,
    #[serde(default)]
    counted: BTreeMap<String, u64>,
    #[serde(default)]
    plural_scales: BTreeMap<String, u64>,
    #[serde(default)]
    scales_alone: bool,
    #[serde(default)]
    tens_joiner: Vec<Spanned<String>>,
    #[serde(default)]
    unit_tens_joiner: Vec<Spanned<String>>,
    #[serde(default)]
    indefinite: Vec<Spanned<String>>,
    #[serde(default)]
    thousands_separator: Option<Spanned<CharList>>,
    #[serde(default)]
    decimal_mark: Option<Spanned<CharList>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CuesDe {
    #[serde(default)]
    at_least: Vec<Spanned<String>>,
    #[serde(default)]
    at_least_after: Vec<Spanned<String>>,
    #[serde(default)]
    at_most: Vec<Spanned<String>>,
    #[serde(default)]
    about: Vec<Spanned<String>>,
    #[serde(default)]
    range_start: Vec<Spanned<String>>,
    #[serde(default)]
    range_join: Vec<Spanned<String>>,
    #[serde(default)]
    lead: Vec<Spanned<String>>,
    #[serde(default)]
    aux: Vec<Spanned<String>>,
    #[serde(default)]
    conjunction: Vec<Spanned<String>>,
    #[serde(default)]
    subset: Vec<Spanned<String>>,
    #[serde(default)]
    negation: Vec<Spanned<String>>,
    #[serde(default)]
    threat: Vec<Spanned<String>>,
    #[serde(default)]
    hedge: Vec<Spanned<String>>,
    #[serde(default)]
    unverified_report: Vec<Spanned<String>>,
    #[serde(default)]
    clause_break: Vec<Spanned<String>>,
    #[serde(default)]
    date: Vec<Spanned<String>>,
    #[serde(default)]
    non_count: Vec<Spanned<String>>,
    #[serde(default)]
    non_human: Vec<Spanned<String>>,
    #[serde(default)]
    quantifier: Vec<Spanned<String>>,
    #[serde(default)]
    total: Vec<Spanned<String>>,
    #[serde(default)]
    share: Vec<Spanned<String>>,
    #[serde(default)]
    prior: Vec<Spanned<String>>,
    #[serde(default)]
    result: Vec<Spanned<String>>,
}

/// 1-based line and column of a byte offset.
fn line_col(src: &str, byte: usize) -> (usize, usize) {
    let before = &src[..byte.min(src.len())];
    let line = before.matches('\n').count() + 1;
    let col = before
        .rfind('\n')
        .map_or(before.chars().count(), |i| before[i + 1..].chars().count())
        + 1;
    (line, col)
}

struct Ctx<'a> {
    file: &'a str,
    src: &'a str,
}

impl Ctx<'_> {
    fn err(&self, byte: usize, message: impl Into<String>) -> EnrichError {
        let (line, column) = line_col(self.src, byte);
        EnrichError::Lexicon {
            file: self.file.to_owned(),
            line,
            column,
            message: message.into(),
        }
    }

    /// Folds a phrase, rejecting empty ones.
    fn phrase(&self, p: &Spanned<String>) -> Result<String, EnrichError> {
        let f = fold(p.get_ref().trim());
        let f = f.split_whitespace().collect::<Vec<_>>().join(" ");
        if f.is_empty() {
            return Err(self.err(p.span().start, "empty phrase"));
        }
        Ok(f)
    }
}

fn is_snake_case(s: &str) -> bool {
    !s.is_empty()
        && s.starts_with(|c: char| c.is_ascii_lowercase())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}

fn valid_risk_factor(s: &str) -> bool {
    s.strip_prefix("RF")
        .and_then(|n| n.parse::<u8>().ok())
        .is_some_and(|n| (1..=14).contains(&n) && !s[2..].starts_with('0'))
}

/// Separator characters: one punctuation or space character per string.
fn sep_chars(
    ctx: &Ctx,
    v: &Option<Spanned<CharList>>,
    default: char,
) -> Result<Vec<char>, EnrichError> {
    let Some(list) = v else {
        return Ok(vec![default]);
    };
    let mut out = Vec::new();
    for s in &list.get_ref().0 {
        let mut it = s.chars();
        match (it.next(), it.next()) {
            (Some(c), None) if !c.is_alphanumeric() => out.push(c),
            _ => {
                return Err(ctx.err(
                    list.span().start,
                    format!("expected one punctuation or space character, got {s:?}"),
                ))
            }
        }
    }
    if out.is_empty() {
        return Err(ctx.err(list.span().start, "no separator characters"));
    }
    Ok(out)
}

/// A clitic must be letters; a prefix may be split into segments with `+` ("و+ال").
fn clitic_text(ctx: &Ctx, p: &Spanned<String>) -> Result<Vec<String>, EnrichError> {
    let mut segs = Vec::new();
    for seg in p.get_ref().split('+') {
        let f = fold(seg.trim());
        if f.is_empty() || !f.chars().all(char::is_alphabetic) {
            return Err(ctx.err(
                p.span().start,
                format!(
                    "clitic {:?}: each part must be letters (segments joined by `+`)",
                    p.get_ref()
                ),
            ));
        }
        segs.push(f);
    }
    Ok(segs)
}

/// Compiles the `[clitics]` table; `phrases` is the sorted list of the lexicon's phrases, so a
/// prefix segment that is a phrase (a conjunction) can be its own token.
fn clitics(ctx: &Ctx, de: &CliticsDe, phrases: &[String]) -> Result<Clitics, EnrichError> {
    let mut out = Clitics::default();
    for p in &de.prefixes {
        let segs = clitic_text(ctx, p)?;
        let whole: String = segs.concat();
        if out.prefix(&whole).is_some() {
            return Err(ctx.err(
                p.span().start,
                format!("clitic prefix {:?} is listed twice", p.get_ref()),
            ));
        }
        let parts = segs
            .iter()
            .map(|s| {
                let id = phrases.binary_search(s).ok().map(|i| i as u32);
                (s.len(), id)
            })
            .collect();
        out.max_prefix = out.max_prefix.max(whole.len());
        out.prefixes.push((whole, parts));
    }
    for p in &de.suffixes {
        let segs = clitic_text(ctx, p)?;
        out.suffixes.push(segs.concat());
    }
    Ok(out)
}

impl Lexicon {
    /// Parses and validates one lexicon file and compiles its matchers. `file` names it in errors.
    pub fn parse(file: &str, src: &str) -> Result<Lexicon, EnrichError> {
        let ctx = Ctx { file, src };
        let de: FileDe = toml::from_str(src).map_err(|e| {
            let at = e.span().map_or(0, |s| s.start);
            ctx.err(at, e.message().trim().to_owned())
        })?;

        let lang = de.lang.get_ref().trim().to_ascii_lowercase();
        if lang.len() != 2 || !lang.chars().all(|c| c.is_ascii_lowercase()) {
            return Err(ctx.err(
                de.lang.span().start,
                format!(
                    "`lang` must be an ISO 639-1 code such as \"en\", got {:?}",
                    de.lang.get_ref()
                ),
            ));
        }
        if de.kinds.is_empty() {
            return Err(ctx.err(
                0,
                "no [kinds.<name>] tables: a lexicon needs at least one kind",
            ));
        }

        // Phrase → info, merged over all categories. BTreeMap: deterministic pattern ids.
        let mut table: BTreeMap<String, (PhraseInfo, usize)> = BTreeMap::new();
        let mut add = |ctx: &Ctx,
                       p: &Spanned<String>,
                       f: &mut dyn FnMut(&mut PhraseInfo) -> Result<(), String>|
         -> Result<(), EnrichError> {
            let folded = ctx.phrase(p)?;
            let e = table
                .entry(folded)
                .or_insert((PhraseInfo::default(), p.span().start));
            f(&mut e.0).map_err(|m| ctx.err(p.span().start, m))
        };

        let mut kinds = Vec::new();
        let mut pattern_src = Vec::new();
        for (i, (name, k)) in de.kinds.iter().enumerate() {
            let at = k.span().start;
            let k = k.get_ref();
            if !is_snake_case(name) {
                return Err(ctx.err(at, format!("kind name `{name}` is not snake_case")));
            }
            let rf = k.risk_factor.get_ref();
            if !valid_risk_factor(rf) {
                return Err(ctx.err(
                    k.risk_factor.span().start,
                    format!("kind `{name}`: risk_factor must be RF1..RF14, got {rf:?}"),
                ));
            }
            let counts = match &k.counts {
                None => CountRole::None,
                Some(c) => CountRole::parse(c.get_ref()).ok_or_else(|| {
                    ctx.err(
                        c.span().start,
                        format!(
                            "kind `{name}`: counts must be one of none, killed, wounded, displaced, \
                             abducted, detained, casualties; got {:?}",
                            c.get_ref()
                        ),
                    )
                })?,
            };
            if k.phrases.is_empty() && k.patterns.is_empty() {
                return Err(ctx.err(at, format!("kind `{name}` has no phrases and no patterns")));
            }
            let idx = i as u16;
            let mut phrases = Vec::new();
            for p in &k.phrases {
                phrases.push(ctx.phrase(p)?);
                add(&ctx, p, &mut |info| match info.trigger {
                    Some(other) if other != idx => Err(format!(
                        "phrase {:?} of kind `{name}` is already a phrase of another kind",
                        p.get_ref()
                    )),
                    _ => {
                        info.trigger = Some(idx);
                        Ok(())
                    }
                })?;
            }
            let mut patterns = Vec::new();
            for p in &k.patterns {
                if let Some(c) = p
                    .get_ref()
                    .chars()
                    .find(|c| !c.is_ascii() && fold(&c.to_string()) != c.to_string())
                {
                    return Err(ctx.err(
                        p.span().start,
                        format!(
                            "kind `{name}`: patterns run over the folded text, which has no {c:?} \
                             (write {:?})",
                            fold(&c.to_string())
                        ),
                    ));
                }
                RegexBuilder::new(p.get_ref())
                    .size_limit(REGEX_SIZE_LIMIT)
                    .build()
                    .map_err(|e| {
                        ctx.err(p.span().start, format!("kind `{name}`: bad pattern: {e}"))
                    })?;
                patterns.push(p.get_ref().clone());
                pattern_src.push((idx, p.get_ref().clone(), p.span().start));
            }
            kinds.push(KindDef {
                name: name.clone(),
                risk_factor: rf.clone(),
                counts,
                phrases,
                patterns,
            });
        }

        let mut victims = Vec::new();
        for (i, (label, nouns)) in de.victims.iter().enumerate() {
            if !is_snake_case(label) {
                return Err(ctx.err(
                    nouns.first().map_or(0, |n| n.span().start),
                    format!("victim label `{label}` is not snake_case"),
                ));
            }
            for n in nouns {
                add(&ctx, n, &mut |info| match info.victim {
                    Some(other) if other != i as u16 => Err(format!(
                        "victim noun {:?} is listed under two labels",
                        n.get_ref()
                    )),
                    _ => {
                        info.victim = Some(i as u16);
                        Ok(())
                    }
                })?;
            }
            victims.push(label.clone());
        }

        // Number words: located by the `[numbers]` table (maps carry no spans of their own).
        let numbers_at = src.find("[numbers]").unwrap_or(0);
        let groups: [(&BTreeMap<String, u64>, NumberWord); 6] = [
            (&de.numbers.units, NumberWord::Unit),
            (&de.numbers.tens, NumberWord::Tens),
            (&de.numbers.scales, NumberWord::Scale),
            (&de.numbers.vague, NumberWord::Vague),
            (&de.numbers.hundreds, NumberWord::Hundreds),
            (&de.numbers.counted, NumberWord::Counted),
        ];
        for (map, how) in groups {
            for (word, &value) in map {
                let sp = Spanned::new(numbers_at..numbers_at, word.clone());
                if how == NumberWord::Scale && value < 2 {
                    return Err(ctx.err(numbers_at, format!("scale {word:?} must be at least 2")));
                }
                add(&ctx, &sp, &mut |info| match info.number {
                    Some(_) => Err(format!("number word {word:?} is defined twice")),
                    None => {
                        info.number = Some((how, value));
                        Ok(())
                    }
                })?;
            }
        }
        for (word, &value) in &de.numbers.plural_scales {
            let sp = Spanned::new(numbers_at..numbers_at, word.clone());
            if value < 2 {
                return Err(ctx.err(numbers_at, format!("scale {word:?} must be at least 2")));
            }
            add(&ctx, &sp, &mut |info| {
                if !matches!(info.number, Some((NumberWord::Vague, _))) {
                    return Err(format!(
                        "plural scale {word:?} must also be listed under `vague` (its value alone)"
                    ));
                }
                info.plural_scale = Some(value);
                Ok(())
            })?;
        }
        for (list, flag) in [
            (&de.numbers.indefinite, cue::INDEFINITE),
            (&de.numbers.tens_joiner, cue::TENS_JOINER),
            (&de.numbers.unit_tens_joiner, cue::UNIT_TENS_JOINER),
        ] {
            for p in list {
                add(&ctx, p, &mut |info| {
                    info.cues |= flag;
                    Ok(())
                })?;
            }
        }
        let digits = DigitStyle {
            thousands_separators: sep_chars(&ctx, &de.numbers.thousands_separator, ',')?,
            decimal_marks: sep_chars(&ctx, &de.numbers.decimal_mark, '.')?,
        };
        if digits
            .thousands_separators
            .iter()
            .all(|c| digits.decimal_marks.contains(c))
            && digits
                .decimal_marks
                .iter()
                .all(|c| digits.thousands_separators.contains(c))
        {
            return Err(ctx.err(
                numbers_at,
                "thousands_separator and decimal_mark must differ",
            ));
        }
        let subject_after_verb = match &de.order.subject_after_verb {
            None => 0,
            Some(n) => u8::try_from(*n.get_ref())
                .ok()
                .filter(|n| *n <= 4)
                .ok_or_else(|| {
                    ctx.err(
                        n.span().start,
                        format!("subject_after_verb must be 0..4, got {}", n.get_ref()),
                    )
                })?,
        };
        let numbers = NumberRules {
            scales_alone: de.numbers.scales_alone,
            subject_after_verb,
        };

        let c = &de.cues;
        let cue_lists: [(&Vec<Spanned<String>>, u32); 23] = [
            (&c.result, cue::RESULT),
            (&c.at_least, cue::AT_LEAST),
            (&c.at_least_after, cue::AT_LEAST_AFTER),
            (&c.at_most, cue::AT_MOST),
            (&c.about, cue::ABOUT),
            (&c.range_start, cue::RANGE_START),
            (&c.range_join, cue::RANGE_JOIN),
            (&c.lead, cue::LEAD),
            (&c.aux, cue::AUX),
            (&c.conjunction, cue::CONJUNCTION),
            (&c.subset, cue::SUBSET),
            (&c.negation, cue::NEGATION),
            (&c.threat, cue::THREAT),
            (&c.hedge, cue::HEDGE),
            (&c.unverified_report, cue::UNVERIFIED),
            (&c.clause_break, cue::CLAUSE_BREAK),
            (&c.date, cue::DATE),
            (&c.non_count, cue::NON_COUNT),
            (&c.non_human, cue::NON_HUMAN),
            (&c.quantifier, cue::QUANTIFIER),
            (&c.total, cue::TOTAL),
            (&c.share, cue::SHARE),
            (&c.prior, cue::PRIOR),
        ];
        for (list, flag) in cue_lists {
            for p in list {
                add(&ctx, p, &mut |info| {
                    info.cues |= flag;
                    Ok(())
                })?;
            }
        }

        // Words that only look like a clitic and a phrase: phrases of their own that mean nothing.
        for p in &de.clitics.exceptions {
            add(&ctx, p, &mut |_| Ok(()))?;
        }

        let mut phrase_list = Vec::with_capacity(table.len());
        let mut phrase_info = Vec::with_capacity(table.len());
        for (p, (info, _)) in table {
            phrase_list.push(p);
            phrase_info.push(info);
        }
        let clitics = clitics(&ctx, &de.clitics, &phrase_list)?;
        // A DFA: a few MB per language, the fastest search (one table lookup per byte).
        let phrases = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&phrase_list)
            .map_err(|e| ctx.err(0, format!("cannot compile the phrases: {e}")))?;
        let anchored = aho_corasick::dfa::DFA::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(aho_corasick::StartKind::Anchored)
            .prefilter(false)
            .build(&phrase_list)
            .map_err(|e| ctx.err(0, format!("cannot compile the phrases: {e}")))?;
        let no_start = no_start(&anchored);

        let (patterns, pattern_kinds) = if pattern_src.is_empty() {
            (None, Vec::new())
        } else {
            let combined = pattern_src
                .iter()
                .enumerate()
                .map(|(i, (_, p, _))| format!("(?P<p{i}>{p})"))
                .collect::<Vec<_>>()
                .join("|");
            let re = RegexBuilder::new(&combined)
                .size_limit(REGEX_SIZE_LIMIT)
                .build()
                .map_err(|e| {
                    ctx.err(
                        pattern_src[0].2,
                        format!("cannot compile the patterns together: {e}"),
                    )
                })?;
            (Some(re), pattern_src.iter().map(|(k, _, _)| *k).collect())
        };
        let patterns_prefilter = match &patterns {
            Some(re) => Some(prefilter(re.as_str()).map_err(|e| {
                ctx.err(
                    pattern_src[0].2,
                    format!("cannot compile the patterns' prefilter: {e}"),
                )
            })?),
            None => None,
        };
        let patterns_literals = match &patterns {
            Some(re) => required_literals(re.as_str()).map_err(|e| {
                ctx.err(
                    pattern_src[0].2,
                    format!("cannot compile the patterns' literals: {e}"),
                )
            })?,
            None => None,
        };

        Ok(Lexicon {
            lang,
            name: de.name.unwrap_or_default(),
            source: file.to_owned(),
            kinds,
            victims,
            digits,
            numbers,
            clitics,
            matcher: Arc::new(Matcher {
                phrases,
                anchored,
                no_start,
                phrase_info,
                patterns,
                patterns_prefilter,
                patterns_literals,
                pattern_kinds,
            }),
        })
    }

    /// Index of a kind by name.
    pub fn kind_index(&self, name: &str) -> Option<usize> {
        self.kinds.iter().position(|k| k.name == name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn required_literals_are_in_every_match() {
        let pattern = r"\b(?:they|[a-z]+s) (?:are|were) (?:cockroaches|rats|a (?:cancer|plague))\b";
        let lits = required_literals(pattern).unwrap().unwrap();
        let re = Regex::new(pattern).unwrap();
        for text in [
            "they are a plague",
            "dogs were rats",
            "they are killed",
            "democrats are",
        ] {
            assert!(!re.is_match(text) || lits.may_match(text), "{text}");
        }
        assert!(!lits.may_match("they are killed"));
        assert!(required_literals(r"\bfoo|[a-z]+").unwrap().is_none());
        assert!(required_literals(r"x?").unwrap().is_none());
    }

    #[test]
    fn required_literals_after_a_non_word_byte_skip_occurrences_inside_words() {
        let pattern = r"\b(?:they|[a-z]+s) (?:are|were) (?:(?:just|like) )?(?:rats|lice)\b";
        let lits = required_literals(pattern).unwrap().unwrap();
        assert!(lits.after_non_word);
        let re = Regex::new(pattern).unwrap();
        for text in [
            "the police are here",
            "police lice",
            "lice",
            "they are lice",
            "they were just rats",
            "é lice",
            "éxlice",
            "_lice",
        ] {
            assert!(!re.is_match(text) || lits.may_match(text), "{text}");
        }
        assert!(!lits.may_match("the police are here"));
        assert!(!lits.may_match("_lice 2lice"));
        assert!(lits.may_match("police lice"));
        assert!(lits.may_match("lice"));
        assert!(lits.may_match("élice"));
        assert!(
            required_literals(r"[a-z]+ (?:rats|lice)\b")
                .unwrap()
                .unwrap()
                .after_non_word
        );
        // Occurrences inside words are possible matches where nothing puts a space or a boundary
        // before the literal.
        assert!(
            !required_literals(r"x?(?:rats|lice)")
                .unwrap()
                .unwrap()
                .after_non_word
        );
        assert!(
            !required_literals(r"(?:a|b)*(?:rats|lice)")
                .unwrap()
                .unwrap()
                .after_non_word
        );
        assert!(
            !required_literals(r" ?(?:rats|lice)")
                .unwrap()
                .unwrap()
                .after_non_word
        );
    }

    #[test]
    fn pattern_prefilter_matches_wherever_the_patterns_do() {
        let src = r"\b(?P<p0>(?:they|the [a-z]+) (?:are|were) rats)\b|(?P<p1>^\w+ النار$)";
        let re = Regex::new(src).unwrap();
        let pre = prefilter(src).unwrap();
        for t in [
            "they are rats",
            "é the men were rats é",
            "قالوا اضرم النار",
            "xthey are ratsx",
            "a they are ratsy",
            "nothing here",
        ] {
            assert!(!re.is_match(t) || pre.is_match(t), "{t}");
        }
        assert!(pre.is_match("xthey are ratsx"));
        assert!(!pre.is_match("nothing here"));
        assert!(pre.captures_len() == 1);
    }

    const MINI: &str = r#"
lang = "xx"
[kinds.killing]
risk_factor = "RF11"
counts = "killed"
phrases = ["killed", "Shot Dead"]
patterns = ['\bslain\b']
[numbers]
units = { one = 1 }
[victims]
civilians = ["civilians"]
"#;

    fn err_of(src: &str) -> (usize, usize, String) {
        match Lexicon::parse("t.toml", src) {
            Err(EnrichError::Lexicon {
                line,
                column,
                message,
                ..
            }) => (line, column, message),
            other => panic!("expected a lexicon error, got {other:?}"),
        }
    }

    #[test]
    fn builtin_lexicons_load_with_at_least_fifteen_kinds() {
        let l = Lexicons::builtin().expect("built-in lexicons are valid");
        let en = l.get("en").expect("English lexicon");
        assert!(en.kinds.len() >= 15, "{} kinds", en.kinds.len());
        for k in [
            "killing",
            "massacre",
            "mass_grave",
            "execution",
            "shelling",
            "arson",
            "displacement",
            "abduction",
            "sexual_violence",
            "torture",
            "looting",
            "attack_protected_site",
            "hate_speech",
            "mobilisation",
            "siege",
            "arbitrary_detention",
            "disappearance",
            "threat",
        ] {
            assert!(en.kind_index(k).is_some(), "missing kind {k}");
        }
        assert_eq!(
            en.kinds[en.kind_index("killing").unwrap()].risk_factor,
            "RF11"
        );
        assert_eq!(
            en.kinds[en.kind_index("mobilisation").unwrap()].risk_factor,
            "RF7"
        );
    }

    #[test]
    fn every_language_has_the_kinds_of_english_with_the_same_risk_factors() {
        let l = Lexicons::builtin().expect("built-in lexicons are valid");
        let en = l.get("en").expect("English lexicon");
        assert!(l.langs().len() >= 2, "{:?}", l.langs());
        for lex in l.iter() {
            let names: Vec<&str> = lex.kinds.iter().map(|k| k.name.as_str()).collect();
            let en_names: Vec<&str> = en.kinds.iter().map(|k| k.name.as_str()).collect();
            assert_eq!(names, en_names, "{}", lex.lang);
            for (k, e) in lex.kinds.iter().zip(&en.kinds) {
                assert_eq!(k.risk_factor, e.risk_factor, "{} {}", lex.lang, k.name);
                assert_eq!(k.counts, e.counts, "{} {}", lex.lang, k.name);
            }
            assert_eq!(lex.victims, en.victims, "{}: victim labels", lex.lang);
        }
    }

    #[test]
    fn phrases_are_folded_and_merged() {
        let lex = Lexicon::parse("t.toml", MINI).unwrap();
        assert_eq!(lex.lang, "xx");
        assert_eq!(lex.kinds[0].phrases, vec!["killed", "shot dead"]);
        assert_eq!(lex.matcher.pattern_kinds, vec![0]);
        let m = &lex.matcher;
        let hit = m.phrases.find("he was shot dead").unwrap();
        assert_eq!(hit.start(), 7);
        assert_eq!(m.phrase_info[hit.pattern().as_usize()].trigger, Some(0));
    }

    #[test]
    fn bad_risk_factor_is_located() {
        let src = MINI.replace("\"RF11\"", "\"RF15\"");
        let (line, column, msg) = err_of(&src);
        assert_eq!((line, column), (4, 15), "{msg}");
        assert!(msg.contains("RF1..RF14"), "{msg}");
    }

    #[test]
    fn bad_pattern_is_located_and_size_limited() {
        let src = MINI.replace(r"'\bslain\b'", r"'(unclosed'");
        let (line, _, msg) = err_of(&src);
        assert_eq!(line, 7, "{msg}");
        let huge = MINI.replace(r"'\bslain\b'", r"'\w{1000}\w{1000}\w{1000}'");
        let (line, _, msg) = err_of(&huge);
        assert_eq!(line, 7, "{msg}");
    }

    #[test]
    fn phrase_in_two_kinds_is_an_error() {
        let src =
            format!("{MINI}\n[kinds.massacre]\nrisk_factor = \"RF11\"\nphrases = [\"KILLED\"]\n");
        let (line, _, msg) = err_of(&src);
        assert_eq!(line, 15, "{msg}");
        assert!(msg.contains("another kind"), "{msg}");
    }

    #[test]
    fn syntax_errors_and_unknown_fields_are_located() {
        let (line, _, _) = err_of("lang = \"en\"\n[kinds.killing\n");
        assert_eq!(line, 2);
        let src = MINI.replace("counts = \"killed\"", "count = \"killed\"");
        let (line, _, msg) = err_of(&src);
        assert_eq!(line, 5, "{msg}");
        let src = MINI.replace("counts = \"killed\"", "counts = \"dead\"");
        let (line, _, msg) = err_of(&src);
        assert_eq!(line, 5, "{msg}");
        let (_, _, msg) =
            err_of("lang = \"english\"\n[kinds.a]\nrisk_factor=\"RF1\"\nphrases=[\"x\"]\n");
        assert!(msg.contains("ISO 639-1"), "{msg}");
    }

    #[test]
    fn optional_keys_for_other_languages() {
        let src = format!(
            "{MINI}\
             [clitics]\nprefixes = [\"w\", \"w+al\"]\nsuffixes = [\"hum\"]\nexceptions = [\"wkilled\"]\n\
             [order]\nsubject_after_verb = 2\n"
        )
        .replace(
            "units = { one = 1 }",
            "units = { one = 1 }\nhundreds = { twohundred = 200 }\ncounted = { pair = 2 }\n\
             vague = { thousands = 2000 }\nplural_scales = { thousands = 1000 }\n\
             scales_alone = true\ntens_joiner = [\"y\"]\nthousands_separator = [\" \", \".\", \",\"]\n\
             decimal_mark = [\",\", \".\"]",
        );
        let lex = Lexicon::parse("t.toml", &src).unwrap();
        assert!(lex.numbers.scales_alone);
        assert_eq!(lex.numbers.subject_after_verb, 2);
        assert_eq!(lex.digits.thousands_separators, vec![' ', '.', ',']);
        assert_eq!(lex.digits.decimal_marks, vec![',', '.']);
        assert_eq!(lex.clitics.max_prefix, 3);
        assert!(lex.clitics.is_suffix("hum"));
        let segs = lex.clitics.prefix("wal").unwrap();
        assert_eq!(segs.iter().map(|s| s.0).collect::<Vec<_>>(), vec![1, 2]);
        assert!(segs.iter().all(|s| s.1.is_none()), "no phrase is w or al");
        let info = |p: &str| {
            let i = lex.matcher.phrases.find(p).unwrap().pattern().as_usize();
            lex.matcher.phrase_info[i]
        };
        assert_eq!(info("twohundred").number, Some((NumberWord::Hundreds, 200)));
        assert_eq!(info("pair").number, Some((NumberWord::Counted, 2)));
        assert_eq!(info("thousands").plural_scale, Some(1000));
        assert_eq!(info("y").cues, cue::TENS_JOINER);
        assert_eq!(info("wkilled"), PhraseInfo::default());
    }

    #[test]
    fn bad_optional_keys_are_located() {
        let (line, _, msg) = err_of(&format!("{MINI}[order]\nsubject_after_verb = 9\n"));
        assert_eq!(line, 13, "{msg}");
        let (line, _, msg) = err_of(&format!("{MINI}[clitics]\nprefixes = [\"w\", \"a1\"]\n"));
        assert_eq!(line, 13, "{msg}");
        assert!(msg.contains("letters"), "{msg}");
        let src = MINI.replace(
            "units = { one = 1 }",
            "units = { one = 1 }\nplural_scales = { tens = 10 }",
        );
        let (_, _, msg) = err_of(&src);
        assert!(msg.contains("vague"), "{msg}");
        let src = MINI.replace(r"'\bslain\b'", "'\\bqutila\\b|\\bقُتل'");
        let (line, _, msg) = err_of(&src);
        assert_eq!(line, 7, "{msg}");
        assert!(msg.contains("folded"), "{msg}");
        let src = MINI.replace(
            "units = { one = 1 }",
            "units = { one = 1 }\nthousands_separator = [\".\", \",\"]\ndecimal_mark = [\",\", \".\"]",
        );
        let (_, _, msg) = err_of(&src);
        assert!(msg.contains("must differ"), "{msg}");
        let src = MINI.replace(
            "units = { one = 1 }",
            "units = { one = 1 }\nthousands_separator = \"ab\"",
        );
        let (line, _, msg) = err_of(&src);
        assert_eq!(line, 10, "{msg}");
    }

    #[test]
    fn load_dir_reads_every_toml_and_rejects_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("xx.toml"), MINI).unwrap();
        std::fs::write(dir.path().join("notes.txt"), "ignored").unwrap();
        let l = Lexicons::load_dir(dir.path()).unwrap();
        assert_eq!(l.langs(), vec!["xx"]);
        std::fs::write(dir.path().join("yy.toml"), MINI).unwrap();
        let e = Lexicons::load_dir(dir.path()).unwrap_err().to_string();
        assert!(e.contains("also defined"), "{e}");
        let empty = tempfile::tempdir().unwrap();
        assert!(Lexicons::load_dir(empty.path()).is_err());
        assert!(Lexicons::load_dir(&empty.path().join("nope")).is_err());
    }
}
