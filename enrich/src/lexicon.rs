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
const BUILTIN: &[(&str, &str)] = &[(
    "en.toml",
    include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../config/lexicons/en.toml"
    )),
)];

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
}

/// Digit conventions of a language.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigitStyle {
    pub thousands_separator: char,
    pub decimal_mark: char,
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
    /// The compiled matchers.
    pub matcher: Arc<Matcher>,
}

/// A lexicon's compiled matchers.
pub struct Matcher {
    /// All phrases of the lexicon, leftmost-longest; pattern id indexes `phrase_info`.
    pub phrases: AhoCorasick,
    pub phrase_info: Vec<PhraseInfo>,
    /// All patterns combined as `(?P<p0>...)|(?P<p1>...)`; group `pN` is `pattern_kinds[N]`.
    pub patterns: Option<Regex>,
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

/// All loaded lexicons, one per language.
#[derive(Debug, Clone, Default)]
pub struct Lexicons {
    by_lang: BTreeMap<String, Lexicon>,
}

impl Lexicons {
    /// The lexicons compiled into the binary (`config/lexicons/*.toml`).
    pub fn builtin() -> Result<Lexicons, EnrichError> {
        let mut l = Lexicons::default();
        for (file, src) in BUILTIN {
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
    indefinite: Vec<Spanned<String>>,
    #[serde(default)]
    thousands_separator: Option<Spanned<String>>,
    #[serde(default)]
    decimal_mark: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct CuesDe {
    #[serde(default)]
    at_least: Vec<Spanned<String>>,
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

fn single_char(ctx: &Ctx, v: &Option<Spanned<String>>, default: char) -> Result<char, EnrichError> {
    match v {
        None => Ok(default),
        Some(s) => {
            let mut it = s.get_ref().chars();
            match (it.next(), it.next()) {
                (Some(c), None) if !c.is_alphanumeric() => Ok(c),
                _ => Err(ctx.err(
                    s.span().start,
                    format!("expected one punctuation character, got {:?}", s.get_ref()),
                )),
            }
        }
    }
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
        let groups: [(&BTreeMap<String, u64>, NumberWord); 4] = [
            (&de.numbers.units, NumberWord::Unit),
            (&de.numbers.tens, NumberWord::Tens),
            (&de.numbers.scales, NumberWord::Scale),
            (&de.numbers.vague, NumberWord::Vague),
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
        for p in &de.numbers.indefinite {
            add(&ctx, p, &mut |info| {
                info.cues |= cue::INDEFINITE;
                Ok(())
            })?;
        }
        let digits = DigitStyle {
            thousands_separator: single_char(&ctx, &de.numbers.thousands_separator, ',')?,
            decimal_mark: single_char(&ctx, &de.numbers.decimal_mark, '.')?,
        };
        if digits.thousands_separator == digits.decimal_mark {
            return Err(ctx.err(
                numbers_at,
                "thousands_separator and decimal_mark must differ",
            ));
        }

        let c = &de.cues;
        let cue_lists: [(&Vec<Spanned<String>>, u32); 21] = [
            (&c.at_least, cue::AT_LEAST),
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

        let mut phrase_list = Vec::with_capacity(table.len());
        let mut phrase_info = Vec::with_capacity(table.len());
        for (p, (info, _)) in table {
            phrase_list.push(p);
            phrase_info.push(info);
        }
        // A DFA: a few MB per language, the fastest search (one table lookup per byte).
        let phrases = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .kind(Some(AhoCorasickKind::DFA))
            .build(&phrase_list)
            .map_err(|e| ctx.err(0, format!("cannot compile the phrases: {e}")))?;

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

        Ok(Lexicon {
            lang,
            name: de.name.unwrap_or_default(),
            source: file.to_owned(),
            kinds,
            victims,
            digits,
            matcher: Arc::new(Matcher {
                phrases,
                phrase_info,
                patterns,
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
