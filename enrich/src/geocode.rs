//! Toponym detection, disambiguation and focus.
//!
//! 1. **Detection**: the text is folded once ([`Folded`]: lower case, no diacritics). A first pass
//!    collects the words the text uses as people's names (after a given name or a title, or
//!    followed by an age: "David Mills", "Sgt. Blaise Dresser", "Boren, 28,"), and the words it
//!    writes as likely surnames (after another capitalised word mid-sentence, after an initial,
//!    around "&", before a verb of speech: "Emilie Holroyd", "Tyrise M. Bell"). Then, at each word
//!    start that could begin a name (capitalised, uncased script, or an article such as "al-"), the
//!    gazetteer's fst is walked byte by byte over the text (whitespace runs read as one space),
//!    recording every name that ends on a word boundary; the longest acceptable one wins. Continents,
//!    oceans and world regions ("Europe", "the EU", "West Africa", "Central American migrants",
//!    "the tropical Atlantic" but not "Atlantic City") are matched first from a small table and
//!    reported at level `region`, never as a focus. Acceptance looks at the surface:
//!    - case ("us" is not "US"; every word of a multi-word name capitalised but for particles, so
//!      "The city" is no town; short all-caps words in running text are acronyms);
//!    - a stop-list of common words that are also place names ("Police", "Bar", "Mission"),
//!      accepted only after a locative cue ("in Police");
//!    - people: a person's title before the name, a given name (the 1990 US Census's, without
//!      place names, and a hand-made list; also before another capitalised word: "Mary Wheeler"), a word the text uses as a surname (small places only), a verb of
//!      speech next to a small place ("Clark said"); the first word of a longer Arabic name
//!      ("Abu Sleem", "Um Tajok");
//!    - longer names: another capitalised word before it ("Raquel Henry", "Philip English"; not
//!      before a country's own name), a street, building or smaller place's word after it
//!      ("Dublin Road", "Meadow Grove"), a hyphenated particle ("Dasht-e-Abdan"), or more
//!      capitalised words and a generic after it ("Dashti Qala district");
//!    - generic words after it ("Gumla district", "Kabul city") extend the mention and favour
//!      divisions or places; "X district, Y", "X village, Y" and "(X, Y)" make Y a container; a
//!      list that a plural generic closes makes each of its names a division of that kind
//!      ("Otoe and Washington counties", not the state; "Kano and Kaduna states"), but a single
//!      name before it is the state ("ten Kentucky counties");
//!    - state and province abbreviations ("Springfield, Ill.", "Dallas, TX") only right after a
//!      place and a comma; other spellings of small places only where the text says place;
//!    - "City" before a city's body is the body's ("Dublin City Council" names Dublin), unless a
//!      town bears the longer name ("Kansas City Council");
//!    - regions that GeoNames' admin files lack are mentions of the division that holds their
//!      main town ("Eastern Ghouta": Rif Dimashq; [`words::REGION_ALIASES`]), and divisions
//!      that GeoNames names with a French direction are found under their English names too
//!      ("North Kivu" for Nord Kivu).
//!
//!    Words in a container's position that match no name, or whose matches lie outside the
//!    countries the rest of the text supports, are looked up among those countries' divisions
//!    within a third of their letters ("Atacora" → Atakora, "Wardak" → Vardak). A word that several
//!    provinces of one country share with a direction names them ("Sinai", "Darfur").
//! 2. **Disambiguation**: each mention's candidates get a prior (entry kind, population, feature
//!    rank, alternate name or not, a country's own name beating towns that share it, unless the
//!    text uses it as a town's, "a Lebanon woman", "Jordan Elementary", "508 Cumberland St.,
//!    Lebanon", "Terry Jolly, 60, Lebanon", in a text about another country that has such a
//!    town), then context: countries the report names or implies (each name counted once
//!    however often it is repeated; also through its actors and outlets, [`hints`]: "Boko
//!    Haram", "Radio Okapi", and the publisher's country-code domain: "lfpress.ca"; the
//!    publisher's town, a name its host carries ("Paris" in parispi.net), is no world city
//!    abroad, and under a country-code domain lies in that country; a small namesake of a world
//!    city, a country or a big province abroad ("Wales", "Canadian") takes only a base share
//!    unless another name's likeliest place lies in its province: "Moscow" in American news is
//!    Moscow, Russia,
//!    "Paris" with "Dallas" is Paris, Texas), the admin hierarchy the text states (the
//!    container right after a place counts most: "Konmendra village in Gumla district,
//!    Jharkhand", "Belgrade, Minn."; a state or county named anywhere in the text, by a name
//!    that most likely is that division, counts for the places inside it: "Ohio" in a story
//!    about Dublin; a town and a county that holds it support each other: "Lebanon" and
//!    "Boone County" are in Indiana), the province most of the other mentions' candidates lie
//!    in (towns named together share a state), the provinces the other names could be in, each
//!    name counting less the more provinces it could be in and not at all when it may be a
//!    country or a big city (local news names several places of one state), and proximity to
//!    the other mentions' best candidates. Where the text states a container ("Brussels,
//!    Belgium") the candidates inside it beat the others whatever the rest of the text is
//!    about; a place that its stated container contradicts is dropped, and so is a lone small
//!    uncued place with no support; a district named without its generic word gives way to the
//!    next candidate abroad ("Prince" for Prince County in a text about another country) and
//!    before another name ("Lake Chad" is not Lake County, Illinois); a
//!    district named with another generic word than its own ("DeSoto Parish" for DeSoto
//!    County) counts less; a small town far from the one province where the text's other
//!    places lie, with no namesake there and no container after it, is a stray and no toponym
//!    ("Twin Lakes" in Minnesota news is not Twin Lakes, Florida). The mentions of one name are
//!    one place (the one with a stated container, else the one with the most evidence), unless
//!    each states its own ("Dublin, Georgia" and "Dublin, Ireland"). Every location carries a
//!    `score` in [0, 1].
//! 3. **Focus**: the most confident, most specific location of the event, weighed by level,
//!    position, place cues and the dominant country; not the dateline ("BEIRUT (AP) —", with its
//!    state: "BELGRADE, Minn. --") and not a capital in a statement ("the government in Khartoum
//!    said"). A division or country focus descends to the most specific confident place the same
//!    sentence puts inside it ("Dassari (Materi, Atacora)" → Materi); a low-confidence place falls
//!    back to its admin1 or country. A nationality ("Kenyan troops") or an unsure place in a
//!    country the text never names gives way to the country the actors and outlets imply. A
//!    report whose text names no place takes the one country its title or source names
//!    ([`Geocoder::geocode_report`]), else the one its actors and outlets imply, at country level
//!    with a low score, or in the province a group is tied to there ("Boko Haram": Borno).

use std::cell::RefCell;
use std::sync::Arc;

use crate::fold::Folded;
use crate::gazetteer::hints::{self, HintKind};
use crate::gazetteer::words;
use crate::gazetteer::{Entry, EntryKind, Gazetteer, SpellingKey, BIG_PLACE, NONE};
use crate::{Level, Location};

/// What geocoding found in one text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Geocoding {
    pub locations: Vec<Location>,
    pub focus: Option<Location>,
}

/// The geocoder: a shared gazetteer plus per-thread scratch buffers. `Send + Sync`.
pub struct Geocoder {
    gazetteer: Arc<Gazetteer>,
    /// Country index of each entry of [`hints::COUNTRY_HINTS`] (`NONE` if the gazetteer lacks it).
    hint_countries: Vec<u32>,
    /// Admin1 indices of [`hints::PROVINCE_HINTS`] for each entry of [`hints::COUNTRY_HINTS`].
    hint_provinces: Vec<Vec<u32>>,
    /// For a folded name `X`, the preferred-name admin1 postings of "<direction> X" for each of
    /// [`words::DIRECTION_PREFIXES`] in order ("kivu" → North Kivu, South Kivu): one hash lookup
    /// per word instead of a name-index walk per direction.
    directional: std::collections::HashMap<Box<str>, Vec<Entry>, BuildFnv>,
    /// Names of divisions that the gazetteer lacks, by their first word: the whole name and its
    /// division, longest name first. [`words::REGION_ALIASES`] (those whose division the
    /// gazetteer lacks are left out) and the English names of divisions that GeoNames names
    /// with a French direction ([`english_direction_names`]).
    region_aliases: AliasIndex,
    /// The shapes of [`Geocoder::region_aliases`]' keys: a quick no for most capitalised words.
    alias_shapes: ShapeBits,
    /// Where the name index's walks start: the states after a word's first letters.
    prefixes: NamePrefixes,
    /// The part of each place's prior that its population and rank give
    /// ([`Geocoder::candidate`]), made once with the geocoder: a candidate reads it instead of
    /// taking a logarithm.
    place_priors: Vec<f32>,
    /// The part of each admin1 and admin2 division's prior that its population gives.
    admin1_priors: Vec<f32>,
    admin2_priors: Vec<f32>,
    /// Least score of a location reported ([`MIN_SCORE`] unless set otherwise).
    min_score: f64,
}

/// The population and rank part of a place's prior.
fn place_prior(p: &crate::gazetteer::PlaceRec) -> f32 {
    let rank_bonus = match p.rank {
        6 => 0.3,
        5 => 0.2,
        4 => 0.1,
        3 => 0.05,
        0 => -0.1,
        _ => 0.0,
    };
    0.15 + 0.07 * (p.population as f32 + 1.0).log10() + rank_bonus
}

/// The population part of a division's prior.
fn admin_prior(a: &crate::gazetteer::AreaRec) -> f32 {
    0.03 * (a.population as f32 + 1.0).log10().min(7.0) - 0.15
}

/// The states of the name index's fst after each string of one to four lower-case ASCII
/// letters: a walk over a word starts after its first four letters instead of decoding the fst
/// nodes for them.
struct NamePrefixes {
    /// Level `k` holds the states after `k + 1` letters, indexed by the letters in base 26
    /// ("ab" at 0 * 26 + 1); `None` where no name starts so.
    levels: [Vec<Option<PrefixState>>; 3],
    /// The states after four letters, kept only where names start so: for each slot of the
    /// third level, bit `c` of its mask is set where the prefix continues with letter `c`, and
    /// that state is `fourth[base + (the bits of the mask below c)]`.
    fourth_index: Vec<(u32, u32)>,
    fourth: Vec<PrefixState>,
}

/// The fst state after a prefix: node address, output so far and, if a name ends there, its
/// value.
#[derive(Clone, Copy)]
struct PrefixState {
    addr: fst::raw::CompiledAddr,
    out: fst::raw::Output,
    fin: Option<u64>,
}

impl NamePrefixes {
    fn new(fst: &fst::raw::Fst<Vec<u8>>) -> Self {
        let root = fst.root();
        let mut prev = vec![Some(PrefixState {
            addr: root.addr(),
            out: fst::raw::Output::zero(),
            fin: None,
        })];
        let step = |p: PrefixState, b: u8| {
            let node = fst.node(p.addr);
            let tr = node.transition(node.find_input(b)?);
            let out = p.out.cat(tr.out);
            let next = fst.node(tr.addr);
            Some(PrefixState {
                addr: tr.addr,
                out,
                fin: next
                    .is_final()
                    .then(|| out.cat(next.final_output()).value()),
            })
        };
        let mut levels: [Vec<Option<PrefixState>>; 3] = Default::default();
        for level in &mut levels {
            *level = prev
                .iter()
                .flat_map(|p| (b'a'..=b'z').map(move |b| step((*p)?, b)))
                .collect();
            prev = level.clone();
        }
        let mut fourth_index = Vec::with_capacity(prev.len());
        let mut fourth = Vec::new();
        for p in &prev {
            let (mut mask, base) = (0u32, fourth.len() as u32);
            for (c, b) in (b'a'..=b'z').enumerate() {
                if let Some(q) = p.and_then(|p| step(p, b)) {
                    mask |= 1 << c;
                    fourth.push(q);
                }
            }
            fourth_index.push((mask, base));
        }
        NamePrefixes {
            levels,
            fourth_index,
            fourth,
        }
    }

    /// The state after the three letters of third-level slot `slot` and the letter `b`
    /// (`b'a'..=b'z'`); `None` where no name starts so.
    fn fourth(&self, slot: usize, b: u8) -> Option<PrefixState> {
        let (mask, base) = self.fourth_index[slot];
        let bit = 1u32 << (b - b'a');
        (mask & bit != 0).then(|| self.fourth[(base + (mask & (bit - 1)).count_ones()) as usize])
    }
}

/// Names by their first word: each whole name and its division.
type AliasIndex = std::collections::HashMap<Box<str>, Vec<(Box<str>, Entry)>, BuildFnv>;

/// [`Geocoder::region_aliases`].
fn region_alias_index(g: &Gazetteer) -> AliasIndex {
    let mut names: Vec<(Box<str>, Entry)> = english_direction_names(g);
    for &(name, code) in words::REGION_ALIASES {
        let entry = match code.matches('.').count() {
            1 => g.admin1_index(code).map(|index| (EntryKind::Admin1, index)),
            _ => g.admin2_index(code).map(|index| (EntryKind::Admin2, index)),
        };
        if let Some((kind, index)) = entry {
            let entry = Entry {
                kind,
                alternate: false,
                index,
            };
            names.push((name.into(), entry));
        }
    }
    let mut map = AliasIndex::default();
    for (name, entry) in names {
        let first = name.split([' ', '-']).next().unwrap_or(&name);
        map.entry(first.into()).or_default().push((name, entry));
    }
    for list in map.values_mut() {
        list.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    }
    map
}

/// English names of the divisions that GeoNames names with a French direction: "Nord Kivu" is
/// North Kivu to English reports, "Sud-Ubangi" South Ubangi, "Centre-Nord" Centre-North; and
/// both names with spaces or hyphens ("Nord-Kivu", "North-Kivu"). Only names with a word
/// besides the directions (not "Sud-Est"), that no entry of the gazetteer bears already, and
/// that one division alone would bear.
fn english_direction_names(g: &Gazetteer) -> Vec<(Box<str>, Entry)> {
    const FRENCH: [(&str, &str); 4] = [
        ("nord", "north"),
        ("sud", "south"),
        ("est", "east"),
        ("ouest", "west"),
    ];
    let english = |w: &str| FRENCH.iter().find(|(f, _)| *f == w).map(|&(_, e)| e);
    let mut out: Vec<(Box<str>, Entry)> = Vec::new();
    for (kind, list) in [
        (EntryKind::Admin1, &g.admin1),
        (EntryKind::Admin2, &g.admin2),
    ] {
        for (index, a) in (0u32..).zip(list.iter()) {
            // Most names have no such word: look before folding.
            let raw = g.area_name(a);
            if !raw
                .split([' ', '-'])
                .any(|w| FRENCH.iter().any(|(f, _)| w.eq_ignore_ascii_case(f)))
            {
                continue;
            }
            let name = crate::fold::fold(raw);
            let words: Vec<&str> = name.split([' ', '-']).collect();
            let directions = words.iter().filter(|w| english(w).is_some()).count();
            if directions == 0 || directions == words.len() {
                continue;
            }
            let translated: Vec<&str> = words.iter().map(|w| english(w).unwrap_or(w)).collect();
            let entry = Entry {
                kind,
                alternate: false,
                index,
            };
            // In English and in French, with spaces or hyphens ("Nord-Kivu").
            let variants = [
                translated.join(" "),
                translated.join("-"),
                words.join(" "),
                words.join("-"),
            ];
            for v in variants {
                if g.lookup(&v).is_empty() {
                    out.push((v.into(), entry));
                }
            }
        }
    }
    // A name that two divisions would bear names neither.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    let mut kept: Vec<(Box<str>, Entry)> = Vec::with_capacity(out.len());
    let mut k = 0;
    while k < out.len() {
        let run = out[k..].iter().take_while(|x| x.0 == out[k].0).count();
        if run == 1 {
            kept.push(out[k].clone());
        }
        k += run;
    }
    kept
}

/// The admin1 postings of the names that start with a direction (see `Geocoder::directional`).
fn directional_index(g: &Gazetteer) -> std::collections::HashMap<Box<str>, Vec<Entry>, BuildFnv> {
    use fst::{IntoStreamer as _, Streamer as _};
    let mut map: std::collections::HashMap<Box<str>, Vec<Entry>, BuildFnv> = Default::default();
    for dir in words::DIRECTION_PREFIXES {
        let lo = format!("{dir} ");
        let hi = format!("{dir}!"); // the byte after the space
        let mut stream = g.names().range().ge(&lo).lt(&hi).into_stream();
        while let Some((key, v)) = stream.next() {
            let Ok(rest) = std::str::from_utf8(&key[lo.len()..]) else {
                continue;
            };
            let mut found = g
                .postings(v)
                .filter(|en| en.kind == EntryKind::Admin1 && !en.alternate)
                .peekable();
            if found.peek().is_some() {
                map.entry(rest.into()).or_default().extend(found);
            }
        }
    }
    map
}

/// The names of [`hints::COUNTRY_HINTS`], matched as whole words ignoring ASCII case.
static HINT_MATCHER: std::sync::LazyLock<Option<HintSearch>> =
    std::sync::LazyLock::new(|| HintSearch::new(hints::COUNTRY_HINTS.iter().map(|h| h.0)));

/// The search for country-hint names: the leftmost-longest matches, ASCII case-insensitive, of
/// an unanchored search, found as the first position where a name starts (the longest name
/// there read off an anchored DFA), but only at positions whose next three bytes begin a name
/// (a bit set of the names' first three bytes, hashed), which a text passes at a few percent of
/// its positions. Windows of three bytes whose last two cannot end the start of a name are
/// skipped, two at a time when those cannot begin one either (every name has three bytes).
struct HintSearch {
    dfa: aho_corasick::dfa::DFA,
    /// Bit `trigram(a, b, c)` is set for the first three bytes of every name.
    starts: Box<[u64; HINT_TRIGRAM_BITS / 64]>,
    /// For two bytes (the first in the high byte) that end a window of three: 0 when they are,
    /// up to ASCII case (`| 0x20`), the second and third bytes of a name, else 1 when they are its
    /// first two, else 2: how far the next window that may start a name is (Wu and Manber's
    /// shift). Indexed by the bytes as they are, every case variant filled in, so the scan does
    /// not fold them.
    shift: Box<[u8; 1 << 16]>,
}

/// Bits of the [`HintSearch`] trigram set.
const HINT_TRIGRAM_BITS: usize = 1 << 15;

/// The hash of three bytes for the trigram set, rolled one byte at a time: `h` is the hash of
/// the bytes before `b`. Bytes equal up to ASCII case hash alike (`| 0x20`), and the mask keeps
/// three bytes of five bits (the bits of older bytes shift out).
#[inline(always)]
fn roll_trigram(h: u32, b: u8) -> u32 {
    ((h << 5) ^ u32::from(b | 0x20)) & (HINT_TRIGRAM_BITS as u32 - 1)
}

impl HintSearch {
    fn new<'a>(names: impl Iterator<Item = &'a str> + Clone) -> Option<Self> {
        let dfa = aho_corasick::dfa::DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(aho_corasick::MatchKind::LeftmostLongest)
            .start_kind(aho_corasick::StartKind::Anchored)
            .prefilter(false)
            .build(names.clone())
            .ok()?;
        let mut starts = Box::new([0u64; HINT_TRIGRAM_BITS / 64]);
        // Over the folded bytes first, then spread to every case variant.
        let mut folded = Box::new([2u8; 1 << 16]);
        for name in names {
            // The filter needs three bytes of every name.
            let &[a, b, c, ..] = name.as_bytes() else {
                return None;
            };
            let h = roll_trigram(roll_trigram(roll_trigram(0, a), b), c) as usize;
            starts[h / 64] |= 1 << (h % 64);
            let first = pair(a, b);
            folded[first] = folded[first].min(1);
            folded[pair(b, c)] = 0;
        }
        let mut shift = Box::new([2u8; 1 << 16]);
        for (i, s) in shift.iter_mut().enumerate() {
            *s = folded[pair((i >> 8) as u8, i as u8)];
        }
        Some(HintSearch { dfa, starts, shift })
    }

    /// The longest name that starts at `a`: its end and index.
    #[inline]
    fn longest_at(&self, hay: &[u8], a: usize) -> Option<(usize, usize)> {
        use aho_corasick::automaton::Automaton;
        let dfa = &self.dfa;
        let mut sid = dfa.start_state(aho_corasick::Anchored::Yes).ok()?;
        let mut found = None;
        let mut at = a;
        while let Some(&b) = hay.get(at) {
            sid = dfa.next_state(aho_corasick::Anchored::Yes, sid, b);
            at += 1;
            if dfa.is_special(sid) {
                if dfa.is_dead(sid) {
                    break;
                }
                // A match state may also carry a shorter name that starts after `a`.
                if dfa.is_match(sid) {
                    let pid = dfa.match_pattern(sid, 0);
                    if at - dfa.pattern_len(pid) == a {
                        found = Some((at, pid.as_usize()));
                    }
                }
            }
        }
        found
    }

    /// The leftmost-longest name in `hay` at or after `from` that does not start right after an
    /// ASCII letter or digit (inside a word): its start, end and index. "al Shabaab" inside
    /// "regional Shabaab" is skipped, so that "Shabaab" is found. A start after a non-ASCII
    /// letter is returned; the caller checks whole words.
    fn next(&self, hay: &[u8], from: usize) -> Option<(usize, usize, usize)> {
        let starts = &*self.starts;
        let shift = &*self.shift;
        // `end`: the last byte of the window of three that may start a name.
        let mut end = from + 2;
        // `end` starts at 2 or more: `end - 1` does not wrap.
        while let Some(&[b, c]) = hay.get(end - 1..end + 1) {
            match shift[usize::from(b) << 8 | usize::from(c)] {
                0 => {
                    let a = end - 2;
                    let h = roll_trigram(roll_trigram(roll_trigram(0, hay[a]), b), c) as usize;
                    let word_start = a == 0 || !hay[a - 1].is_ascii_alphanumeric();
                    if word_start && starts[h / 64] & (1 << (h % 64)) != 0 {
                        if let Some((e, pattern)) = self.longest_at(hay, a) {
                            return Some((a, e, pattern));
                        }
                    }
                    end += 1;
                }
                s => end += usize::from(s),
            }
        }
        None
    }
}

/// The index of two bytes in [`HintSearch`]'s shift table.
#[inline(always)]
fn pair(b: u8, c: u8) -> usize {
    usize::from(b | 0x20) << 8 | usize::from(c | 0x20)
}

/// Indices into [`words::WORLD_REGIONS`] by the first byte of the region's folded name, in list
/// order: a capitalised word is compared with the few regions that start like it.
static REGIONS_BY_FIRST_BYTE: std::sync::LazyLock<Vec<Vec<usize>>> =
    std::sync::LazyLock::new(|| {
        let mut by_first = vec![Vec::new(); 256];
        for (k, r) in words::WORLD_REGIONS.iter().enumerate() {
            if let Some(&b) = r.0.as_bytes().first() {
                by_first[usize::from(b)].push(k);
            }
        }
        by_first
    });

/// Weight of a country hint as context: an outlet's beat is its country, armed groups cross
/// borders.
/// The host name of a URL: without scheme, user, port, path, query or a final dot.
fn url_host(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let end = rest
        .bytes()
        .position(|b| matches!(b, b'/' | b'?' | b'#'))
        .unwrap_or(rest.len());
    let host = &rest[..end];
    let host = host.rsplit_once('@').map_or(host, |(_, h)| h);
    let end = host.bytes().position(|b| b == b':').unwrap_or(host.len());
    host[..end].trim_end_matches('.')
}

/// The country a report's address names by its country-code top-level domain ("lfpress.ca",
/// "www.thisisoxfordshire.co.uk"): a publisher there writes mostly about its own country, like
/// an outlet [`hints`] names. Generic domains (".com", ".org") and the country codes sold as
/// generic ones (".tv", ".io", ".co", ".me"...) say nothing; neither does ".eu".
fn publisher_country(url: &str) -> Option<[u8; 2]> {
    let (_, tld) = url_host(url).rsplit_once('.')?;
    let &[a, b] = tld.as_bytes() else {
        return None;
    };
    let tld = [a.to_ascii_lowercase(), b.to_ascii_lowercase()];
    if !tld.iter().all(u8::is_ascii_lowercase) || GENERIC_CCTLDS.contains(&&tld) {
        return None;
    }
    Some(if &tld == b"uk" {
        *b"GB"
    } else {
        tld.map(|c| c.to_ascii_uppercase())
    })
}

/// Whether the name at byte `st` of the folded `text` stands where news writes a town of
/// residence: after a street address and a comma ("1301 Lafayette Ave., Lebanon"), or after a
/// person's age ("Terry Jolly, 60, Lebanon").
fn residence_position(text: &str, st: usize) -> bool {
    let Some(before) = text[..st].trim_end().strip_suffix(',') else {
        return false;
    };
    let before = before.trim_end();
    // "Name, 60, Lebanon": an age, after a name and a comma.
    if let Some((head, age)) = before.rsplit_once(',') {
        let age = age.trim();
        if !age.is_empty() && age.len() <= 3 && age.bytes().all(|b| b.is_ascii_digit()) {
            return !head.trim_end().is_empty();
        }
    }
    // "508 Cumberland St.": a street word after a house number and one to three words of a
    // name (the text is folded: "the road" must not pass for a street's name).
    let mut words = before.rsplit(' ').filter(|w| !w.is_empty());
    let street = words.next().unwrap_or("").trim_end_matches('.');
    if !words::STREET_SUFFIXES.contains(&street) {
        return false;
    }
    for (n, w) in words.take(4).enumerate() {
        if w.bytes().next().is_some_and(|b| b.is_ascii_digit()) {
            let number = w.trim_end_matches(|c: char| c.is_ascii_alphabetic());
            return n > 0 && number.bytes().all(|b| b.is_ascii_digit());
        }
        if matches!(
            w,
            "the" | "a" | "an" | "of" | "on" | "in" | "at" | "to" | "and" | "from"
        ) {
            return false;
        }
    }
    false
}

/// Writes into `out` the lower-case letters of the host name of `url` without its first label
/// when that is "www" and without its top-level domain, and a second-level one of two or three
/// letters ("parispi" for `http://www.parispi.net/x`, "thisisoxfordshire" for
/// `thisisoxfordshire.co.uk`).
fn publisher_host(url: &str, out: &mut String) {
    out.clear();
    if url.is_empty() {
        return;
    }
    let Some((mut host, _)) = url_host(url).rsplit_once('.') else {
        return;
    };
    if let Some((rest, second)) = host.rsplit_once('.') {
        if second.len() <= 3 {
            host = rest;
        }
    }
    if let Some((first, rest)) = host.split_once('.') {
        if first.eq_ignore_ascii_case("www") {
            host = rest;
        }
    }
    out.reserve(host.len());
    for b in host.bytes().filter(u8::is_ascii_alphabetic) {
        out.push(char::from(b.to_ascii_lowercase()));
    }
}

/// Whether the folded name `name` is the publisher's town: its letters (five or more) are in
/// the publisher's host name `home`.
fn home_name(home: &str, name: &str) -> bool {
    if home.is_empty() {
        return false;
    }
    let mut buf = [0u8; 48];
    let mut n = 0;
    for b in name.bytes() {
        if b.is_ascii_lowercase() {
            if n == buf.len() {
                return false;
            }
            buf[n] = b;
            n += 1;
        } else if b != b' ' && b != b'-' && b != b'.' {
            return false;
        }
    }
    n >= 5 && std::str::from_utf8(&buf[..n]).is_ok_and(|w| home.contains(w))
}

/// Country-code top-level domains sold and used worldwide as generic ones, and ".eu".
const GENERIC_CCTLDS: &[&[u8; 2]] = &[
    b"ac", b"ad", b"ai", b"as", b"bz", b"cc", b"co", b"cx", b"eu", b"fm", b"gg", b"gl", b"gs",
    b"im", b"io", b"li", b"me", b"ms", b"nu", b"sc", b"sh", b"st", b"su", b"tk", b"to", b"tv",
    b"vc", b"vg", b"ws",
];

/// Adds a country hint of weight `w`, keeping the larger weight of a country already hinted.
fn add_hint(hints: &mut Vec<(u32, f32)>, country: u32, w: f32) {
    match hints.iter_mut().find(|h| h.0 == country) {
        Some(h) => h.1 = h.1.max(w),
        None => hints.push((country, w)),
    }
}

fn hint_weight(kind: HintKind) -> f32 {
    match kind {
        HintKind::Outlet => 0.8,
        HintKind::Actor => 0.5,
    }
}

/// Most candidates kept per mention (postings are ordered best first).
const MAX_CANDIDATES: usize = 48;

/// What a candidate loses when the text states a container ("X, Y") that holds another
/// candidate but not this one.
const STATED_CONTAINER_PENALTY: f32 = 0.6;
/// What a division the text names anywhere gives the candidates inside it (rule 13).
const NAMED_DIVISION_BONUS: f32 = 0.3;
/// What stands between a part of a town and the town ("the Chalala area of Lusaka").
const PART_OF_GAPS: &[&str] = &[
    "area of",
    "areas of",
    "part of",
    "suburb of",
    "suburbs of",
    "outskirts of",
    "neighbourhood of",
    "neighborhood of",
    "quarter of",
];

/// What a place's score loses where the text names it by one of its alternate names.
const ALTERNATE_PLACE_PENALTY: f32 = 0.15;
/// Default least score of a location reported: below it, a reading is mostly wrong (in the geoparsing
/// evaluation, 19% of the locations scored below 0.5 are a gold toponym within 161 km of its
/// point, against 81% of those scored 0.5 or more; the rest are no toponym or far off). Such
/// mentions still weigh in the disambiguation of the others and in the focus, which is reported
/// whatever its score.
pub const MIN_SCORE: f64 = 0.5;

/// What a district loses where the text names it with another generic word than its own
/// ("DeSoto Parish" for DeSoto County).
const OTHER_GENERIC_PENALTY: f32 = 0.3;
/// How far from every place a text puts in its one province a small town of another
/// province may lie before it counts as a stray ([`Geocoder::drop_strays`]), in km.
const STRAY_KM: f32 = 400.0;
/// A place this big, under its own name, is a world city; a province this big a major area
/// (rules 14, 16).
const WORLD_CITY: u32 = 1_000_000;
/// How far a mention's own reading may lead the reading of its name's other mentions and still
/// give way to it ([`Geocoder::one_sense`]).
const ONE_SENSE_MARGIN: f32 = 0.3;
/// Name coherence ([`Geocoder::name_coherence`]): the least support from the other names that
/// counts (a fifth of a name), the bonus per unit of it, and the most units counted.
const COHERENCE_MIN: f32 = 0.2;
const COHERENCE_WEIGHT: f32 = 0.3;
const COHERENCE_CAP: f32 = 2.0;
/// Longest name, in folded bytes, the detector tries.
const MAX_NAME_BYTES: usize = 64;

/// Words that are never places, whatever the context (months, weekdays, function words).
const NEVER: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "the",
    "a",
    "an",
    "of",
    "and",
    "or",
    "to",
    "in",
    "on",
    "at",
    "by",
    "for",
    "as",
    "is",
    "it",
    "he",
    "she",
    "we",
    "they",
    "i",
    "you",
    "this",
    "that",
    "his",
    "her",
    "its",
    "our",
    "their",
    "said",
    "says",
    "but",
    "not",
    "no",
    "yes",
    "mr",
    "mrs",
    "ms",
    "dr",
    "god",
    "allah",
    "jesus",
    "christ",
    "islam",
];

/// Words in the names of outlets that report from everywhere ("Agence France Presse", "Radio
/// France Internationale", "New York Times"): their names are not where a story happened.
const GLOBAL_OUTLETS: &[&str] = &[
    "international",
    "internationale",
    "france presse",
    "radio france",
    "france 24",
    "voice of america",
    "new york times",
    "washington post",
    "bbc",
    "xinhua",
    "reuters",
    "associated press",
    "al jazeera",
    "deutsche welle",
    "world",
    "global",
];

/// Words that start the names of features ("Lake Ontario", "Mount Kenya"): a capitalised one
/// before a place does not make it part of a person's name.
const FEATURE_WORDS: &[&str] = &[
    "lake", "mount", "mt", "port", "fort", "ft", "cape", "point", "gulf", "bay", "sea", "river",
    "isle", "island", "glen", "camp", "greater", "upper", "lower", "new", "old",
];

/// Lower-case articles that may start a place name ("al-Fashir", "de Souza" is not).
const ARTICLES: &[&str] = &[
    "al", "el", "ad", "ar", "as", "at", "az", "an", "ash", "ed", "er", "es", "ez", "ul",
];

/// Place cues strong enough to accept a common word as a place ("in Police").
const STRONG_CUES: &[&str] = &["in", "near", "outside", "of", "from", "at"];

/// Abbreviated titles whose dot does not end a sentence ("Sgt. Blaise Dresser").
const ABBREV_TITLES: &[&str] = &[
    "mrs", "gov", "sen", "rep", "gen", "col", "capt", "sgt", "maj", "cpl", "pvt", "det", "insp",
    "supt", "prof", "rev", "hon", "messrs", "lieut", "cmdr", "adm",
];

/// Settlement nouns that cue a place right after them when written in lower case ("the village
/// Tampatou"); capitalised they usually start an organisation ("City Council").
const SETTLEMENT_CUES: &[&str] = &["village", "town", "city", "locality", "hamlet"];

/// Words of a sentence that make it a statement ("the government in Khartoum said").
const STATEMENT_WORDS: &[&str] = &[
    "said",
    "says",
    "told",
    "announced",
    "statement",
    "spokesman",
    "spokesperson",
    "condemned",
    "according",
    "ministry",
    "reported",
    "briefing",
    "press",
    "embassy",
    "un",
    "headquarters",
    "based",
];

/// A word list, put in a hash set on first use (the lists are consulted for every word): a lookup
/// hashes the word once and compares it with about one entry, where a binary search compared it
/// with a dozen.
struct WordSet {
    list: fn() -> Vec<&'static str>,
    set: std::sync::OnceLock<WordTable>,
}

struct WordTable {
    /// Bit `n` of `lengths[first_slot(w)]` set: the list has a word of `n` bytes (bit 63: of 63
    /// bytes or more) that starts like `w`. Most words looked up have a first letter and length
    /// that no listed word has, and are answered without hashing.
    lengths: [u64; 32],
    /// The same for the last byte.
    end_lengths: [u64; 32],
    /// Asked of the words the length filters let through (on a long list such as the given
    /// names, most capitalised words).
    shapes: ShapeBits,
    words: std::collections::HashSet<&'static str, BuildFnv>,
}

impl WordSet {
    const fn new(list: fn() -> Vec<&'static str>) -> Self {
        WordSet {
            list,
            set: std::sync::OnceLock::new(),
        }
    }

    /// The set's words.
    fn words(&self) -> &std::collections::HashSet<&'static str, BuildFnv> {
        &self.table().words
    }

    fn has(&self, w: &str) -> bool {
        let t = self.table();
        let bit = length_bit(w);
        t.lengths[first_slot(w)] & bit != 0
            && t.end_lengths[last_slot(w)] & bit != 0
            && t.shapes.may_have(w)
            && t.words.contains(w)
    }

    fn table(&self) -> &WordTable {
        self.set.get_or_init(|| {
            let words: std::collections::HashSet<_, _> = (self.list)().into_iter().collect();
            let (mut lengths, mut end_lengths) = ([0; 32], [0; 32]);
            for w in &words {
                lengths[first_slot(w)] |= length_bit(w);
                end_lengths[last_slot(w)] |= length_bit(w);
            }
            WordTable {
                lengths,
                end_lengths,
                shapes: ShapeBits::new(words.iter().copied()),
                words,
            }
        })
    }
}

/// A bit set over the shapes of a list's words (length, first two bytes, last two bytes), hashed
/// to about eight bits a word: a word whose shape no listed word has is answered without hashing
/// the whole word and probing the set. No false negatives: a listed word's bit is always set.
struct ShapeBits {
    bits: Vec<u64>,
    /// The hash's top `64 - shift` bits index `bits`.
    shift: u32,
}

impl ShapeBits {
    fn new<'a>(words: impl ExactSizeIterator<Item = &'a str>) -> Self {
        let n = words.len().max(8) * 8;
        let log = n.next_power_of_two().trailing_zeros().max(6);
        let mut t = ShapeBits {
            bits: vec![0; 1 << (log - 6)],
            shift: 64 - log,
        };
        for w in words {
            let h = t.slot(w);
            t.bits[h / 64] |= 1 << (h % 64);
        }
        t
    }

    fn slot(&self, w: &str) -> usize {
        let b = w.as_bytes();
        let Some(&last) = b.last() else {
            return 0;
        };
        let n = b.len();
        let shape = u64::from(b[0])
            | u64::from(b[1.min(n - 1)]) << 8
            | u64::from(b[n.saturating_sub(2)]) << 16
            | u64::from(last) << 24
            | (n as u64) << 32;
        (shape.wrapping_mul(0x9e37_79b9_7f4a_7c15) >> self.shift) as usize
    }

    /// False when no listed word has the shape of `w`.
    fn may_have(&self, w: &str) -> bool {
        let h = self.slot(w);
        self.bits[h / 64] & (1 << (h % 64)) != 0
    }
}

fn length_bit(w: &str) -> u64 {
    1 << w.len().min(63)
}

/// A slot for the first byte of `w`: the 26 letters have one each, in either case.
fn first_slot(w: &str) -> usize {
    w.as_bytes().first().map_or(0, |&b| usize::from(b & 31))
}

/// The same for the last byte of `w`.
fn last_slot(w: &str) -> usize {
    w.as_bytes().last().map_or(0, |&b| usize::from(b & 31))
}

/// The hand-made given names and the Census ones that are no common word ("Will", "June"),
/// sorted, made once for the word set and the person lists.
static GIVEN: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    let common = SET_COMMON.words();
    let mut hand = words::GIVEN_NAMES.to_vec();
    hand.sort_unstable();
    let mut census: Vec<&'static str> = words::CENSUS_GIVEN_NAMES
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#') && !common.contains(l))
        .collect();
    // The Census file is kept sorted: merged with the short hand-made list, not sorted again.
    if !census.is_sorted() {
        census.sort_unstable();
    }
    let mut v = Vec::with_capacity(hand.len() + census.len());
    let (mut a, mut b) = (hand.iter().peekable(), census.iter().peekable());
    while let (Some(&&x), Some(&&y)) = (a.peek(), b.peek()) {
        if x <= y {
            v.push(x);
            a.next();
        } else {
            v.push(y);
            b.next();
        }
    }
    v.extend(a);
    v.extend(b);
    v.dedup();
    v
});

fn given_names() -> Vec<&'static str> {
    GIVEN.clone()
}

fn sorted(list: &[&'static str]) -> Vec<&'static str> {
    let mut v = list.to_vec();
    v.sort_unstable();
    v
}

/// FNV-1a, for the word sets: short keys, no untrusted input to defend against collisions.
#[derive(Clone, Copy)]
struct Fnv(u64);

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        // The table takes its bucket from the low bits, which FNV mixes least.
        self.0 ^ (self.0 >> 32)
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(0x100000001b3);
        }
    }
}

#[derive(Clone, Copy, Default)]
struct BuildFnv;

impl std::hash::BuildHasher for BuildFnv {
    type Hasher = Fnv;

    fn build_hasher(&self) -> Fnv {
        Fnv(0xcbf29ce484222325)
    }
}

static SET_NEVER: WordSet = WordSet::new(|| sorted(NEVER));
static SET_ARTICLES: WordSet = WordSet::new(|| sorted(ARTICLES));
static SET_STRONG_CUES: WordSet = WordSet::new(|| sorted(STRONG_CUES));
static SET_ABBREV_TITLES: WordSet = WordSet::new(|| sorted(ABBREV_TITLES));
static SET_SETTLEMENT_CUES: WordSet = WordSet::new(|| sorted(SETTLEMENT_CUES));
static SET_STATEMENT: WordSet = WordSet::new(|| sorted(STATEMENT_WORDS));
static SET_CUES: WordSet = WordSet::new(|| sorted(words::PLACE_CUES));
static SET_COMMON: WordSet = WordSet::new(|| sorted(words::COMMON_WORDS));
static SET_TITLES: WordSet = WordSet::new(|| sorted(words::PERSON_TITLES));
static SET_TAILS: WordSet = WordSet::new(|| sorted(words::NAME_TAILS));
static SET_DIRECTIONS: WordSet = WordSet::new(|| sorted(words::DIRECTIONS));
static SET_ADMIN_GENERICS: WordSet = WordSet::new(|| sorted(words::ADMIN_GENERICS));
static SET_PLACE_GENERICS: WordSet = WordSet::new(|| sorted(words::PLACE_GENERICS));
static SET_GIVEN: WordSet = WordSet::new(given_names);
static SET_CITY_BODIES: WordSet = WordSet::new(|| sorted(words::CITY_BODIES));
static SET_SPEECH: WordSet = WordSet::new(|| sorted(words::SPEECH_VERBS));
static SET_PARTICLES: WordSet = WordSet::new(|| sorted(words::PARTICLES));
static SET_NAME_PREFIXES: WordSet = WordSet::new(|| sorted(words::NAME_PREFIXES));
static SET_FUNCTION_WORDS: WordSet = WordSet::new(|| sorted(words::FUNCTION_WORDS));
static SET_VENUE: WordSet = WordSet::new(|| sorted(words::VENUE_WORDS));

/// Builds the process-wide tables above (word sets, the person scan's table, the country-hint
/// search, the world regions by first byte) if they are not built yet, so that a geocoder's
/// first reports do not pay for them.
fn build_tables() {
    for set in [
        &SET_NEVER,
        &SET_ARTICLES,
        &SET_STRONG_CUES,
        &SET_ABBREV_TITLES,
        &SET_SETTLEMENT_CUES,
        &SET_STATEMENT,
        &SET_CUES,
        &SET_COMMON,
        &SET_TITLES,
        &SET_TAILS,
        &SET_DIRECTIONS,
        &SET_ADMIN_GENERICS,
        &SET_PLACE_GENERICS,
        &SET_GIVEN,
        &SET_SPEECH,
        &SET_CITY_BODIES,
        &SET_PARTICLES,
        &SET_NAME_PREFIXES,
        &SET_FUNCTION_WORDS,
        &SET_VENUE,
    ] {
        set.table();
    }
    std::sync::LazyLock::force(&PERSON_LISTS);
    std::sync::LazyLock::force(&HINT_MATCHER);
    std::sync::LazyLock::force(&REGIONS_BY_FIRST_BYTE);
}

/// The word lists the person scan ([`Geocoder::scan_persons`]) consults, as one bit per list for
/// each word on any of them: one lookup per word where the scan asked up to ten lists.
struct ListBits {
    /// As [`WordTable::lengths`], over the words of every list.
    lengths: [u64; 32],
    /// As [`WordTable::end_lengths`].
    end_lengths: [u64; 32],
    /// As [`WordTable::shapes`].
    shapes: ShapeBits,
    /// The lists (`IN_*` bits) each word is on.
    words: std::collections::HashMap<&'static str, u16, BuildFnv>,
}

const IN_CUES: u16 = 1;
const IN_DIRECTIONS: u16 = 1 << 1;
const IN_NEVER: u16 = 1 << 2;
const IN_ARTICLES: u16 = 1 << 3;
const IN_PARTICLES: u16 = 1 << 4;
const IN_TITLES: u16 = 1 << 5;
const IN_ADMIN_GENERICS: u16 = 1 << 6;
const IN_PLACE_GENERICS: u16 = 1 << 7;
const IN_FEATURE_WORDS: u16 = 1 << 8;
const IN_GIVEN: u16 = 1 << 9;
/// Saints and articles that begin place names ("San", "Los", "Le").
const IN_NAME_ARTICLES: u16 = 1 << 10;

/// The lists a capitalised word on which cannot begin a person's name of two words.
const NOT_NAME_START: u16 = IN_CUES
    | IN_DIRECTIONS
    | IN_NEVER
    | IN_ARTICLES
    | IN_PARTICLES
    | IN_TITLES
    | IN_ADMIN_GENERICS
    | IN_PLACE_GENERICS
    | IN_FEATURE_WORDS
    | IN_NAME_ARTICLES;

impl ListBits {
    /// The lists `w` is on (0 for none).
    fn of(&self, w: &str) -> u16 {
        let bit = length_bit(w);
        if self.lengths[first_slot(w)] & bit == 0
            || self.end_lengths[last_slot(w)] & bit == 0
            || !self.shapes.may_have(w)
        {
            return 0;
        }
        self.words.get(w).copied().unwrap_or(0)
    }
}

static PERSON_LISTS: std::sync::LazyLock<ListBits> = std::sync::LazyLock::new(|| {
    let given = &*GIVEN;
    let lists: [(&[&'static str], u16); 11] = [
        (words::PLACE_CUES, IN_CUES),
        (words::DIRECTIONS, IN_DIRECTIONS),
        (NEVER, IN_NEVER),
        (ARTICLES, IN_ARTICLES),
        (words::PARTICLES, IN_PARTICLES),
        (words::PERSON_TITLES, IN_TITLES),
        (words::ADMIN_GENERICS, IN_ADMIN_GENERICS),
        (words::PLACE_GENERICS, IN_PLACE_GENERICS),
        (FEATURE_WORDS, IN_FEATURE_WORDS),
        (given, IN_GIVEN),
        (
            &["st", "saint", "san", "santa", "los", "las", "la", "le"],
            IN_NAME_ARTICLES,
        ),
    ];
    let mut t = ListBits {
        lengths: [0; 32],
        end_lengths: [0; 32],
        shapes: ShapeBits::new(std::iter::empty()),
        words: std::collections::HashMap::default(),
    };
    for (list, bit) in lists {
        for &w in list {
            t.lengths[first_slot(w)] |= length_bit(w);
            t.end_lengths[last_slot(w)] |= length_bit(w);
            *t.words.entry(w).or_default() |= bit;
        }
    }
    t.shapes = ShapeBits::new(t.words.keys().copied());
    t
});

/// [`Geocoder::split_text`]'s class of an ASCII byte that is not part of a word.
const SPLIT_SPACE: u8 = 0;
/// An ASCII byte that may end a sentence (`.`, `!`, `?`, a line break).
const SPLIT_END: u8 = 1;
/// An ASCII letter or digit.
const SPLIT_WORD: u8 = 2;
/// A byte of a non-ASCII character, which [`word_char_at`] classifies.
const SPLIT_OTHER: u8 = 3;

/// The `SPLIT_*` class of each byte, one table lookup per byte between words.
static SPLIT_CLASS: [u8; 256] = {
    let mut t = [SPLIT_OTHER; 256];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        t[b] = if c.is_ascii_alphanumeric() {
            SPLIT_WORD
        } else if matches!(c, b'.' | b'!' | b'?' | b'\n') {
            SPLIT_END
        } else {
            SPLIT_SPACE
        };
        b += 1;
    }
    t
};

const CASE_UPPER: u8 = 1;
const CASE_LOWER: u8 = 2;

#[derive(Debug, Clone, Copy, Default)]
struct Mention {
    /// Folded byte span (including an absorbed generic word).
    fstart: usize,
    fend: usize,
    /// Code-point span in the original text.
    start: usize,
    end: usize,
    /// Candidate range in the scratch candidate buffer.
    c0: usize,
    c1: usize,
    cue: bool,
    place_hint: bool,
    /// A country's name used as a town's ("a Lebanon woman", "Jordan Elementary").
    town_cue: bool,
    dateline: bool,
    /// Index of the sentence the mention is in.
    sentence: usize,
    /// The text states its container right after it ("Dublin, Georgia"), and some candidate
    /// lies in it.
    stated: bool,
    /// Chosen candidate (absolute index), confidence.
    best: usize,
    conf: f32,
    keep: bool,
}

#[derive(Debug, Clone, Copy)]
struct Cand {
    e: Entry,
    country: u32,
    admin1: u32,
    admin2: u32,
    lat: f32,
    lon: f32,
    population: u32,
    prior: f32,
    score: f32,
}

#[derive(Default)]
struct Scratch {
    folded: Folded,
    case: Vec<u8>,
    mentions: Vec<Mention>,
    cands: Vec<Cand>,
    finals: Vec<(usize, u64)>,
    countries: Vec<(u32, f32)>,
    /// The country with the most weight in `countries` (`NONE` if none).
    lead_country: u32,
    sentences: Vec<usize>,
    /// Per sentence: written in title case (a headline), where capitals say little.
    titlecase: Vec<bool>,
    /// Hashes of folded words the text uses as a person's name ("Mills" after "David").
    persons: Vec<u64>,
    /// Hashes of folded words the text writes after another capitalised word mid-sentence
    /// ("Emilie Holroyd", "Stevens & Wilkinson" is not one): likely surnames or parts of
    /// organisations' names, which small places sharing them are not.
    surnames: Vec<u64>,
    /// Capitalised words in a container's position that matched no name: folded span and
    /// whether an administrative generic follows ("Wardak", "Saydabad district").
    unmatched: Vec<(usize, usize, bool)>,
    /// Countries the text names or whose places it names unambiguously.
    context: Vec<u32>,
    /// Countries implied by actors and outlets ([`hints`]) in the text or the report's metadata,
    /// with their weight.
    hints: Vec<(u32, f32)>,
    /// Provinces the actors named imply ([`hints::PROVINCE_HINTS`]), as admin1 indices.
    provinces: Vec<u32>,
    /// World regions named: folded span and index into [`words::WORLD_REGIONS`].
    regions: Vec<(usize, usize, usize)>,
    /// Distinct (name hash, province) pairs of the mentions' candidates.
    name_provinces: Vec<(u64, u32)>,
    /// Per province, what the names give it ([`Geocoder::name_coherence`]).
    province_support: Vec<(u32, f32)>,
    /// Hashes of names that give no province support (countries, big cities).
    quiet_names: Vec<u64>,
    /// Per mention, the hash of its folded name (made by `Geocoder::country_context`).
    name_keys: Vec<u64>,
    /// One mention's own country or province shares ([`Geocoder::resolve`]); later, the
    /// distinct names per province of the lead country ([`Geocoder::drop_strays`]).
    own_mass: Vec<(u32, f32)>,
    /// Per province, the mentions' shares summed.
    province_mass: Vec<(u32, f32)>,
    /// The mentions' province shares one after another, mention `k`'s from
    /// `province_bounds[k]` to `province_bounds[k + 1]`.
    province_shares: Vec<(u32, f32)>,
    province_bounds: Vec<usize>,
    /// A mention's neighbours' candidates that can contain its own: kind, index, bonus.
    containers: Vec<(EntryKind, u32, f32, bool)>,
    /// Divisions the text names anywhere: kind, index, name key ([`Geocoder::hierarchy`]).
    named_divisions: Vec<(EntryKind, u32, u64)>,
    /// Code-point spans of the actors' and outlets' names found ([`Geocoder::country_hints`]).
    hint_spans: Vec<(usize, usize)>,
    /// Per mention, whether it qualifies the word after it ([`Geocoder::attributive`]).
    attributive: Vec<bool>,
    /// [`Geocoder::seats`]: (candidate, bonus) and the pairs of one town and one county mention.
    seat_bonus: Vec<(usize, f32)>,
    seat_pairs: Vec<(usize, usize)>,
    /// Per name, the province of its likeliest candidate, and the name key.
    top_provinces: Vec<(u32, u64)>,
    /// Keys of the country names the text uses as towns' ([`Geocoder::local_namesakes`]).
    local_keys: Vec<u64>,
    /// The letters of the publisher's host name without "www" and the top-level domain
    /// ("parispi" for www.parispi.net): a name in it is the publisher's town.
    home: String,
    /// The country of the publisher's country-code domain.
    home_country: Option<u32>,
    /// The mentions whose best candidate is a place or district: the mention's index and folded
    /// start, the candidate's point; sorted by latitude ([`Geocoder::proximity`]).
    bests: Vec<(usize, usize, f32, f32)>,
    key: String,
    /// The words of the folded text, in order ([`Geocoder::split_text`]).
    words: Vec<Word>,
}

/// A word of the folded text: a maximal run of alphanumeric characters.
#[derive(Debug, Clone, Copy)]
struct Word {
    /// Folded byte span.
    start: usize,
    end: usize,
    /// Case flags of the original character its first byte came from.
    case: u8,
    /// All ASCII letters (else a word such as "2nd" or "قرية").
    alpha: bool,
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::default());
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
}

/// The char at byte `i` of `s` (which must be a char boundary) and its length.
fn char_at(s: &str, i: usize) -> Option<(char, usize)> {
    match s.as_bytes().get(i) {
        // An ASCII byte is a whole character.
        Some(&b) if b.is_ascii() => Some((char::from(b), 1)),
        _ => s.get(i..)?.chars().next().map(|c| (c, c.len_utf8())),
    }
}

/// Sets `out` to the case flags of each character of `text` ([`CASE_UPPER`], [`CASE_LOWER`] or
/// 0). Runs of ASCII are mapped a slice at a time and only the other characters are decoded one
/// by one: a text that is not all ASCII mostly is (a few accented names).
fn case_flags(text: &str, out: &mut Vec<u8>) {
    fn ascii(b: u8) -> u8 {
        match b {
            b'A'..=b'Z' => CASE_UPPER,
            b'a'..=b'z' => CASE_LOWER,
            _ => 0,
        }
    }
    out.clear();
    if text.is_ascii() {
        out.extend(text.bytes().map(ascii));
        return;
    }
    let mut rest = text;
    loop {
        let n = crate::fold::ascii_run(rest.as_bytes());
        out.extend(rest[..n].bytes().map(ascii));
        rest = &rest[n..];
        let Some(c) = rest.chars().next() else {
            break;
        };
        out.push(if c.is_uppercase() {
            CASE_UPPER
        } else if c.is_lowercase() {
            CASE_LOWER
        } else {
            0
        });
        rest = &rest[c.len_utf8()..];
    }
}

/// Case flags (of `case`, per original character) of the character that folded byte `i` came
/// from.
fn case_of(folded: &Folded, case: &[u8], i: usize) -> u8 {
    let (cp, _) = folded.span(i, i + 1);
    case.get(cp).copied().unwrap_or(0)
}

/// Whether the character at byte `i` of `s` (a char boundary before the end) is a word
/// character, and its length.
fn word_char_at(s: &str, i: usize) -> (bool, usize) {
    let b = s.as_bytes()[i];
    if b.is_ascii() {
        // `char::is_alphanumeric` on ASCII.
        return (b.is_ascii_alphanumeric(), 1);
    }
    s[i..]
        .chars()
        .next()
        .map_or((false, 1), |c| (is_word_char(c), c.len_utf8()))
}

fn char_before(s: &str, i: usize) -> Option<char> {
    match i.checked_sub(1).and_then(|k| s.as_bytes().get(k)) {
        Some(&b) if b.is_ascii() => Some(char::from(b)),
        _ => s.get(..i)?.chars().next_back(),
    }
}

fn boundary_at(s: &str, i: usize) -> bool {
    char_at(s, i).is_none_or(|(c, _)| !is_word_char(c))
}

/// The word before byte `i` (skipping spaces, and the dot of an abbreviation such as "Dr."): its
/// folded byte span.
fn word_before(s: &str, i: usize) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut e = i;
    while e > 0 && b[e - 1] == b' ' {
        e -= 1;
    }
    if e > 0 && e < i && b[e - 1] == b'.' {
        e -= 1;
    }
    let mut st = e;
    loop {
        // ASCII a byte at a time, other characters decoded.
        match st.checked_sub(1).map(|k| b[k]) {
            Some(c) if c.is_ascii_alphanumeric() => st -= 1,
            Some(c) if c.is_ascii() => break,
            _ => {
                let Some(c) = char_before(s, st) else {
                    break;
                };
                if !is_word_char(c) {
                    break;
                }
                st -= c.len_utf8();
            }
        }
    }
    (st < e).then_some((st, e))
}

/// The word after byte `i` (skipping one run of spaces): its folded byte span.
fn word_after(s: &str, i: usize) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut st = i;
    while st < b.len() && b[st] == b' ' {
        st += 1;
    }
    if st == i {
        return None;
    }
    let mut e = st;
    loop {
        // ASCII a byte at a time, other characters decoded.
        match b.get(e) {
            Some(&c) if c.is_ascii_alphanumeric() || (c == b'-' && e > st) => e += 1,
            Some(c) if c.is_ascii() => break,
            _ => {
                let Some((c, l)) = char_at(s, e) else {
                    break;
                };
                if !is_word_char(c) {
                    break;
                }
                e += l;
            }
        }
    }
    (e > st).then_some((st, e))
}

/// [`word_before`] the word `words[k]` (found by the word table, not a scan back over the text).
fn word_before_in(s: &str, words: &[Word], k: usize) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let i = words[k].start;
    let mut e = i;
    while e > 0 && b[e - 1] == b' ' {
        e -= 1;
    }
    if e > 0 && e < i && b[e - 1] == b'.' {
        e -= 1;
    }
    // Only non-word characters lie between the word before and `words[k]`: a word ends at `e`
    // only if it is that one.
    let w = words[..k].last()?;
    (w.end == e).then_some((w.start, w.end))
}

/// [`word_after`] byte `i`, where `words` is a run of the word table holding every word that
/// starts after `i` (read from the table, not scanned from the text, unless a hyphen joins the
/// next word to more).
fn word_after_in(s: &str, words: &[Word], i: usize) -> Option<(usize, usize)> {
    let b = s.as_bytes();
    let mut st = i;
    while st < b.len() && b[st] == b' ' {
        st += 1;
    }
    if st == i {
        return None;
    }
    // The first word that starts after the spaces starts right after them, or no word does.
    let w = words.iter().find(|w| w.start >= st)?;
    if w.start != st {
        return None;
    }
    if b.get(w.end) == Some(&b'-') {
        return word_after(s, i);
    }
    Some((w.start, w.end))
}

impl Geocoder {
    pub fn new(gazetteer: Arc<Gazetteer>) -> Self {
        build_tables();
        let hint_countries = hints::COUNTRY_HINTS
            .iter()
            .map(|h| gazetteer.country_index(h.1).unwrap_or(NONE))
            .collect();
        let hint_provinces = hints::COUNTRY_HINTS
            .iter()
            .map(|h| {
                hints::PROVINCE_HINTS
                    .iter()
                    .filter(|p| p.0 == h.0)
                    .filter_map(|p| gazetteer.admin1_index(p.1))
                    .collect()
            })
            .collect();
        let region_aliases = region_alias_index(&gazetteer);
        let alias_shapes = ShapeBits::new(region_aliases.keys().map(|k| &**k));
        Geocoder {
            directional: directional_index(&gazetteer),
            region_aliases,
            alias_shapes,
            prefixes: NamePrefixes::new(gazetteer.names().as_fst()),
            place_priors: gazetteer.places.iter().map(place_prior).collect(),
            admin1_priors: gazetteer.admin1.iter().map(admin_prior).collect(),
            admin2_priors: gazetteer.admin2.iter().map(admin_prior).collect(),
            gazetteer,
            hint_countries,
            hint_provinces,
            min_score: MIN_SCORE,
        }
    }

    /// The geocoder with another least score of the locations it reports (0 reports every
    /// mention it resolves). The focus is chosen the same way whatever it is.
    pub fn with_min_score(mut self, min_score: f64) -> Self {
        self.min_score = min_score;
        self
    }

    /// Adds the countries that actors and outlets named in `text` imply ([`hints`]) to `out`,
    /// keeping the highest weight per country, and the provinces they imply to `provinces`.
    /// `spans` receives the code-point spans of the names found.
    fn country_hints(
        &self,
        text: &str,
        out: &mut Vec<(u32, f32)>,
        provinces: &mut Vec<u32>,
        spans: &mut Vec<(usize, usize)>,
    ) {
        let Some(search) = HINT_MATCHER.as_ref() else {
            return;
        };
        // Code points before byte `counted`, carried along as the matches go forward.
        let (mut counted, mut chars) = (0usize, 0usize);
        let mut at = 0;
        while let Some((start, end, pattern)) = search.next(text.as_bytes(), at) {
            let (name, _, kind) = hints::COUNTRY_HINTS[pattern];
            let found = &text[start..end];
            let starts_word = char_before(text, start).is_none_or(|c| !is_word_char(c));
            // A name that starts inside a word (after a non-ASCII letter) may hide one that
            // starts in the next word: look again from the next character.
            at = if starts_word {
                end
            } else {
                start + found.chars().next().map_or(1, char::len_utf8)
            };
            let whole = starts_word && boundary_at(text, end);
            let first_upper = name.chars().next().is_some_and(char::is_uppercase);
            let case_ok = if hints::is_acronym(name) {
                found == name
            } else {
                !first_upper || found.chars().next().is_some_and(char::is_uppercase)
            };
            let country = self.hint_countries[pattern];
            if !whole || !case_ok || country == NONE {
                continue;
            }
            let w = hint_weight(kind);
            provinces.extend_from_slice(&self.hint_provinces[pattern]);
            add_hint(out, country, w);
            if counted <= start {
                chars += text[counted..start].chars().count();
                counted = start;
                spans.push((chars, chars + found.chars().count()));
            }
        }
    }

    /// The country the hints point to most, if one does.
    fn hint_country(hints: &[(u32, f32)]) -> Option<u32> {
        let mut best: Option<(u32, f32)> = None;
        let mut tie = false;
        for &(c, w) in hints {
            match best {
                Some((_, bw)) if w < bw => {}
                Some((_, bw)) if w == bw => tie = true,
                _ => {
                    best = Some((c, w));
                    tie = false;
                }
            }
        }
        if tie {
            None
        } else {
            best.map(|b| b.0)
        }
    }

    /// A country-level focus from hints, with a low score and an empty span (the evidence is not
    /// a toponym); in the province the hints imply there, if any.
    fn hint_focus(&self, hints: &[(u32, f32)], provinces: &[u32]) -> Option<Location> {
        let ci = Self::hint_country(hints)?;
        self.in_hinted_province(ci, provinces, 0.2).or_else(|| {
            let e = Entry {
                kind: EntryKind::Country,
                alternate: false,
                index: ci,
            };
            self.gazetteer.location(e, 0, 0, 0.2)
        })
    }

    /// The one province of country `ci` that the hints imply, as a location with an empty span.
    fn in_hinted_province(&self, ci: u32, provinces: &[u32], score: f64) -> Option<Location> {
        let mut found = provinces.iter().filter(|&&p| {
            self.gazetteer
                .admin1_rec(p)
                .is_some_and(|a| a.country == ci)
        });
        let p = *found.next()?;
        if found.any(|&q| q != p) {
            return None;
        }
        let e = Entry {
            kind: EntryKind::Admin1,
            alternate: false,
            index: p,
        };
        self.gazetteer.location(e, 0, 0, score)
    }

    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    /// Finds the places `text` names, resolves them and picks the focus.
    pub fn geocode(&self, text: &str) -> Geocoding {
        Self::with_scratch(|s| {
            s.folded.refold(text);
            self.geocode_with(text, &[], true, s)
        })
    }

    /// [`Geocoder::geocode`] over `folded`, the text already folded (shared with extraction).
    pub fn geocode_folded(&self, text: &str, folded: &mut Folded) -> Geocoding {
        self.geocode_hinted(text, folded, &[], true)
    }

    /// [`Geocoder::geocode_folded`] with country hints from outside the text (the report's
    /// source). `fallback`: without a place in the text, the focus is the country the hints imply.
    fn geocode_hinted(
        &self,
        text: &str,
        folded: &mut Folded,
        extra: &[(u32, f32)],
        fallback: bool,
    ) -> Geocoding {
        Self::with_scratch(|s| {
            std::mem::swap(&mut s.folded, folded);
            let g = self.geocode_with(text, extra, fallback, s);
            std::mem::swap(&mut s.folded, folded);
            g
        })
    }

    fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
        SCRATCH.with(|s| match s.try_borrow_mut() {
            Ok(mut s) => f(&mut s),
            // Re-entrant use on one thread (not expected): use fresh buffers.
            Err(_) => f(&mut Scratch::default()),
        })
    }

    /// Geocodes a report's text, with the outlets its title or source names ([`hints`]: "Radio
    /// Okapi") as country context. When the text names no place, the focus falls back to the one
    /// country its title or source names ("Agence Benin Press", "Daily Nation (Kenya)", "Vanguard
    /// (Lagos)"), else to the country its actors and outlets imply, at country level, with a low
    /// score and an empty span (`0..0`: the evidence is not a toponym).
    pub fn geocode_report(
        &self,
        text: &str,
        title: Option<&str>,
        source: Option<&str>,
        url: Option<&str>,
    ) -> Geocoding {
        let mut folded = Folded::default();
        folded.refold(text);
        self.geocode_report_folded(text, &mut folded, title, source, url)
    }

    /// [`Geocoder::geocode_report`] over `folded`, the text already folded (shared with
    /// extraction).
    pub fn geocode_report_folded(
        &self,
        text: &str,
        folded: &mut Folded,
        title: Option<&str>,
        source: Option<&str>,
        url: Option<&str>,
    ) -> Geocoding {
        let mut extra = Vec::new();
        let mut provinces = Vec::new();
        for part in [title, source].into_iter().flatten() {
            self.country_hints(part, &mut extra, &mut provinces, &mut Vec::new());
        }
        let home_country = url.and_then(publisher_country).and_then(|cc| {
            std::str::from_utf8(&cc)
                .ok()
                .and_then(|cc| self.gazetteer.country_index(cc))
        });
        if let Some(c) = home_country {
            add_hint(&mut extra, c, hint_weight(HintKind::Outlet));
        }
        let mut all = Vec::new();
        let mut g = Self::with_scratch(|s| {
            std::mem::swap(&mut s.folded, folded);
            publisher_host(url.unwrap_or(""), &mut s.home);
            s.home_country = home_country;
            let g = self.geocode_with(text, &extra, false, s);
            s.home.clear();
            s.home_country = None;
            std::mem::swap(&mut s.folded, folded);
            if g.focus.is_none() {
                // The hints of the metadata and of the text, which `geocode_with` gathered.
                all.extend_from_slice(&s.hints);
                provinces.extend_from_slice(&s.provinces);
            }
            g
        });
        if g.focus.is_some() {
            return g;
        }
        g.focus = match self.metadata_focus([title, source]) {
            Some(m) => self
                .gazetteer
                .country_index(&m.country)
                .and_then(|ci| self.in_hinted_province(ci, &provinces, m.score))
                .or(Some(m)),
            None => self.hint_focus(&all, &provinces),
        };
        g
    }

    /// The country a report's metadata names, when it names exactly one.
    fn metadata_focus(&self, parts: [Option<&str>; 2]) -> Option<Location> {
        let mut country: Option<String> = None;
        // "Xinhua; Khaama Press": each outlet on its own.
        for part in parts.into_iter().flatten().flat_map(|p| p.split(';')) {
            // Outlets with a worldwide beat say nothing of where their stories happen.
            let folded = crate::fold::fold(part);
            if GLOBAL_OUTLETS.iter().any(|o| folded.contains(o)) && !part.contains('(') {
                continue;
            }
            for l in self.geocode(part).locations {
                let sure = match l.level {
                    Level::Country | Level::Admin1 => l.score >= 0.5,
                    _ => l.score >= 0.7,
                };
                if !sure {
                    continue;
                }
                match &country {
                    Some(c) if *c != l.country => return None,
                    Some(_) => {}
                    None => country = Some(l.country),
                }
            }
        }
        let ci = self.gazetteer.country_index(&country?)?;
        let e = Entry {
            kind: EntryKind::Country,
            alternate: false,
            index: ci,
        };
        self.gazetteer.location(e, 0, 0, 0.25)
    }

    /// Geocodes `text`, folded in `s.folded`.
    fn geocode_with(
        &self,
        text: &str,
        extra: &[(u32, f32)],
        fallback: bool,
        s: &mut Scratch,
    ) -> Geocoding {
        case_flags(text, &mut s.case);
        s.mentions.clear();
        s.cands.clear();
        s.regions.clear();
        s.hints.clear();
        s.hints.extend_from_slice(extra);
        s.provinces.clear();
        let (mut hints, mut provinces) = (
            std::mem::take(&mut s.hints),
            std::mem::take(&mut s.provinces),
        );
        s.hint_spans.clear();
        self.country_hints(text, &mut hints, &mut provinces, &mut s.hint_spans);
        (s.hints, s.provinces) = (hints, provinces);
        Self::split_text(s);
        Self::title_case(s);
        self.scan_persons(s);
        s.unmatched.clear();
        self.detect(s);
        self.spelling_variants(s);
        // Names inside an actor's or an outlet's name are part of it: "BOKO HARAM" in a headline
        // in capitals is not Haram, Norway.
        if !s.hint_spans.is_empty() {
            let spans = &s.hint_spans;
            s.mentions
                .retain(|m| !spans.iter().any(|&(a, b)| a <= m.start && m.end <= b));
        }
        if s.mentions.is_empty() {
            return Geocoding {
                locations: self.region_locations(s),
                focus: if fallback {
                    self.hint_focus(&s.hints, &s.provinces)
                } else {
                    None
                },
            };
        }
        self.resolve(s);
        self.output(s)
    }

    /// Splits the folded text into its words ([`Word`]), once for the passes that go through it
    /// word by word, and into sentences (their ends).
    fn split_text(s: &mut Scratch) {
        s.words.clear();
        s.sentences.clear();
        let text = s.folded.text.as_str();
        let t = text.as_bytes();
        let mut i = 0;
        while i < t.len() {
            match SPLIT_CLASS[usize::from(t[i])] {
                SPLIT_SPACE => {
                    i += 1;
                    continue;
                }
                SPLIT_END => {
                    if Self::sentence_end(text, i) {
                        s.sentences.push(i + 1);
                    }
                    i += 1;
                    continue;
                }
                SPLIT_WORD => {}
                _ => {
                    let (word, l) = word_char_at(text, i);
                    if !word {
                        i += l;
                        continue;
                    }
                }
            }
            let a = i;
            let mut alpha = true;
            loop {
                i += crate::fold::letter_run(&t[i..]);
                let Some(&b) = t.get(i) else {
                    break;
                };
                if b.is_ascii_digit() {
                    i += 1;
                } else if b.is_ascii() {
                    break;
                } else {
                    let (word, l) = word_char_at(text, i);
                    if !word {
                        break;
                    }
                    i += l;
                }
                alpha = false;
            }
            let case = case_of(&s.folded, &s.case, a);
            s.words.push(Word {
                start: a,
                end: i,
                case,
                alpha,
            });
        }
    }

    /// Whether the punctuation at byte `i` of the folded text ends a sentence.
    fn sentence_end(text: &str, i: usize) -> bool {
        let t = text.as_bytes();
        match t[i] {
            b'!' | b'?' | b'\n' => true,
            b'.' => {
                // "U.S.", "St." and "Sgt." do not end sentences: a word of 1-2 letters or a title
                // before the dot.
                let mut k = i;
                while k > 0 && t[k - 1].is_ascii_alphabetic() {
                    k -= 1;
                }
                // ASCII letters, so a slice of the text on character boundaries.
                let word = &text[k..i];
                i - k > 2
                    && !SET_ABBREV_TITLES.has(word)
                    && t.get(i + 1).is_none_or(|&b| b == b' ' || b == b'\n')
            }
            _ => false,
        }
    }

    /// Which sentences are written in title case (a headline).
    fn title_case(s: &mut Scratch) {
        s.titlecase.clear();
        let t = s.folded.text.as_bytes();
        // Title case: most longer words after the first capitalised. The words here are runs of
        // ASCII letters, which lie inside the text's words and never across a sentence's end.
        let (mut upper, mut lower) = (0usize, 0usize);
        let mut first = true;
        // The end of the current sentence (past the text after the last one).
        let mut sentence_end = s.sentences.first().copied().unwrap_or(usize::MAX);
        for w in &s.words {
            let mut count = |a: usize, z: usize, case: u8| {
                while a >= sentence_end {
                    s.titlecase.push(upper >= 3 && upper >= 3 * lower);
                    (upper, lower, first) = (0, 0, true);
                    sentence_end = s
                        .sentences
                        .get(s.titlecase.len())
                        .copied()
                        .unwrap_or(usize::MAX);
                }
                if z - a >= 4 && !first {
                    match case {
                        CASE_UPPER => upper += 1,
                        CASE_LOWER => lower += 1,
                        _ => {}
                    }
                }
                first = false;
            };
            if w.alpha {
                count(w.start, w.end, w.case);
                continue;
            }
            let mut i = w.start;
            while i < w.end {
                if !t[i].is_ascii_alphabetic() {
                    i += 1;
                    continue;
                }
                let mut j = i;
                while j < w.end && t[j].is_ascii_alphabetic() {
                    j += 1;
                }
                count(i, j, case_of(&s.folded, &s.case, i));
                i = j;
            }
        }
        while s.titlecase.len() <= s.sentences.len() {
            s.titlecase.push(upper >= 3 && upper >= 3 * lower);
            (upper, lower) = (0, 0);
        }
    }

    fn sentence_of(s: &Scratch, fpos: usize) -> usize {
        s.sentences.partition_point(|&e| e <= fpos)
    }

    /// Case flags of the original character that folded byte `i` came from.
    fn case_at(s: &Scratch, i: usize) -> u8 {
        case_of(&s.folded, &s.case, i)
    }

    /// Whether the folded range starts a sentence (only punctuation or nothing before it).
    /// The characters looked at are ASCII, so the bytes are read (a byte of another character is
    /// never one of them).
    fn sentence_initial(t: &str, i: usize) -> bool {
        let b = &t.as_bytes()[..i];
        let mut k = b.len();
        while k > 0 && matches!(b[k - 1], b' ' | b'"' | b'\'' | b'(' | b'[' | b'*' | b'-') {
            k -= 1;
        }
        k == 0 || matches!(b[k - 1], b'.' | b'!' | b'?' | b':' | b'\n' | b';')
    }

    /// Whether the original span is written in capitals ("BEIRUT", "US").
    fn all_caps(s: &Scratch, st: usize, e: usize) -> bool {
        let (a, b) = s.folded.span(st, e);
        let cased = s.case.get(a..b).unwrap_or(&[]);
        cased.contains(&CASE_UPPER) && !cased.contains(&CASE_LOWER)
    }

    /// Collects the words the text uses as people's names: capitalised words after a given name
    /// or a title ("David Mills", "Sgt. Blaise Dresser", "Chiquita Raquel Henry"), and names
    /// followed by an age ("Boren, 28,"). A later "Mills said" is then a person, not a town.
    fn scan_persons(&self, s: &mut Scratch) {
        s.persons.clear();
        s.surnames.clear();
        let text = std::mem::take(&mut s.folded.text);
        let words = std::mem::take(&mut s.words);
        let mut in_name = false;
        let mut prev_end = 0;
        // Whether the previous word is capitalised and can start a name of two words.
        let mut prev_first = false;
        let mut prev_start = 0;
        let mut prev_case = 0;
        for (
            k,
            &Word {
                start: a,
                end: i,
                case,
                ..
            },
        ) in words.iter().enumerate()
        {
            let w = &text[a..i];
            let upper = case == CASE_UPPER;
            // Of a word not capitalised only its being a title counts.
            let lists = if upper {
                PERSON_LISTS.of(w)
            } else if SET_TITLES.has(w) {
                IN_TITLES
            } else {
                0
            };
            let gap = &text.as_bytes()[prev_end..a];
            if !upper && lists == 0 {
                // Most words: they end any name and start none. Only an ampersand after a
                // capitalised word marks that word ("Stevens & sons").
                if gap == b" & " && prev_case == CASE_UPPER {
                    s.surnames.push(hash_word(&text[prev_start..prev_end]));
                }
                in_name = false;
                prev_first = false;
                prev_start = a;
                prev_end = i;
                prev_case = case;
                continue;
            }
            let joined = gap == b" " || gap == b". ";
            if upper && in_name && joined && lists & (IN_CUES | IN_NEVER) == 0 {
                s.persons.push(hash_word(w));
            } else {
                in_name = false;
            }
            // Capitalised but not written in capitals ("Mills", not "UN").
            let proper = upper && !Self::all_caps(s, a, i);
            // "Emilie Holroyd", "Tyrise M. Bell", "Stevens & Wilkinson", "Lewis said".
            let initial = gap == b". "
                && prev_end == prev_start + 1
                && text.as_bytes()[prev_start].is_ascii_alphabetic()
                && prev_case == CASE_UPPER;
            let ampersand = gap == b" & " && prev_case == CASE_UPPER;
            // Looked at only for a proper name: most words are not one. The next word of the
            // table, one space after this one, unless a hyphen joins it to more (a speech verb
            // has none).
            let speech = || {
                words.get(k + 1).is_some_and(|n| {
                    n.start == i + 1
                        && text.as_bytes()[i] == b' '
                        && text.as_bytes().get(n.end) != Some(&b'-')
                        && SET_SPEECH.has(&text[n.start..n.end])
                        && n.case == CASE_LOWER
                })
            };
            if proper
                && ((prev_first && gap == b" " && !s.titlecase[Self::sentence_of(s, a)])
                    || initial
                    || ampersand
                    || speech())
            {
                s.surnames.push(hash_word(w));
            }
            if ampersand {
                // The name before the ampersand too.
                s.surnames.push(hash_word(&text[prev_start..prev_end]));
            }
            prev_first = proper && lists & NOT_NAME_START == 0 && !Self::sentence_initial(&text, a);
            if (upper && lists & IN_GIVEN != 0)
                || (lists & IN_TITLES != 0 && w != "st" && w != "saint")
            {
                in_name = true;
            }
            // "Boren, 28,": a name followed by an age.
            if upper && !in_name {
                let rest = &text.as_bytes()[i..];
                if rest.starts_with(b", ") {
                    let digits = rest[2..].iter().take_while(|b| b.is_ascii_digit()).count();
                    if (1..=3).contains(&digits) && rest.get(2 + digits) == Some(&b',') {
                        s.persons.push(hash_word(w));
                    }
                }
            }
            prev_start = a;
            prev_end = i;
            prev_case = case;
        }
        s.folded.text = text;
        s.words = words;
        s.persons.sort_unstable();
        s.persons.dedup();
        s.surnames.sort_unstable();
        s.surnames.dedup();
    }

    fn detect(&self, s: &mut Scratch) {
        let g = &*self.gazetteer;
        let fst = g.names().as_fst();
        let text = std::mem::take(&mut s.folded.text);
        let words = std::mem::take(&mut s.words);
        let t = text.as_bytes();
        // Where the scan resumes: the words that start before it are part of a mention.
        let mut resume = 0;
        for (k, &word) in words.iter().enumerate() {
            let Word {
                start: i,
                end,
                case,
                alpha,
            } = word;
            if i < resume {
                continue;
            }
            // Could a name start here? Lower-case words only when they are articles ("al-").
            if case == CASE_LOWER {
                // Its first letters.
                let mut e = end;
                if !alpha {
                    e = i;
                    while e < t.len() && t[e].is_ascii_alphabetic() {
                        e += 1;
                    }
                }
                let joined = || {
                    t.get(e).is_some_and(|&b| b == b'-' || b == b' ')
                        && t.get(e + 1)
                            .is_some_and(|_| Self::case_at(s, e + 1) == CASE_UPPER)
                };
                // The next byte and case first: they turn most words away for less than the list.
                if !(joined() && SET_ARTICLES.has(&text[i..e])) {
                    continue;
                }
            }
            // A continent or world region ("Europe", "West Africa") before any place it contains.
            if let Some(e) = (case == CASE_UPPER)
                .then(|| Self::world_region_at(s, &text, i))
                .flatten()
            {
                resume = e;
                continue;
            }
            // A region the gazetteer knows only by the division that holds it ("Eastern Ghouta").
            if case == CASE_UPPER {
                if let Some(m) = self.region_alias_at(s, &text, i, end) {
                    resume = m.fend;
                    s.mentions.push(m);
                    continue;
                }
            }
            // Walk the fst over the text.
            s.finals.clear();
            // A country's name with a possessive "s" whose apostrophe was lost ("Benins capital").
            let mut possessive: Option<(usize, u64)> = None;
            let mut j = i;
            // The first letters from the prefix table.
            let mut reached = None;
            let mut alive = true;
            let mut slot = 0;
            for level in &self.prefixes.levels {
                let Some(&b) = t.get(j).filter(|b| b.is_ascii_lowercase()) else {
                    break;
                };
                slot = slot * 26 + usize::from(b - b'a');
                let Some(p) = level[slot] else {
                    alive = false;
                    break;
                };
                j += 1;
                if let Some(v) = p.fin {
                    Self::name_end(&text, j, v, &mut s.finals, &mut possessive);
                }
                reached = Some(p);
            }
            // The fourth letter from its sparse level.
            if alive && j - i == self.prefixes.levels.len() {
                if let Some(&b) = t.get(j).filter(|b| b.is_ascii_lowercase()) {
                    match self.prefixes.fourth(slot, b) {
                        Some(p) => {
                            j += 1;
                            if let Some(v) = p.fin {
                                Self::name_end(&text, j, v, &mut s.finals, &mut possessive);
                            }
                            reached = Some(p);
                        }
                        None => alive = false,
                    }
                }
            }
            let (mut node, mut out) = match reached {
                Some(p) => (fst.node(p.addr), p.out),
                None => (fst.root(), fst::raw::Output::zero()),
            };
            while alive && j < t.len() && j - i < MAX_NAME_BYTES {
                let (feed, next) = if t[j].is_ascii_whitespace() {
                    let mut k = j;
                    while k < t.len() && t[k].is_ascii_whitespace() {
                        k += 1;
                    }
                    (b' ', k)
                } else {
                    (t[j], j + 1)
                };
                let Some(k) = node.find_input(feed) else {
                    break;
                };
                let tr = node.transition(k);
                out = out.cat(tr.out);
                node = fst.node(tr.addr);
                j = next;
                if node.is_final() {
                    let v = out.cat(node.final_output()).value();
                    Self::name_end(&text, j, v, &mut s.finals, &mut possessive);
                }
            }
            let mut accepted = None;
            while let Some((e, v)) = s.finals.pop() {
                if let Some(m) = self.accept(s, &text, (&words, k), i, e, v) {
                    accepted = Some(m);
                    break;
                }
            }
            if let (None, Some((e, v))) = (accepted, possessive) {
                let country = g
                    .postings(v)
                    .any(|en| en.kind == EntryKind::Country && !en.alternate);
                // Not a name of its own ("call Frances at"): after "in", "of" or "from" and
                // before a lower-case word ("in Benins capital").
                let lower_next = word_after(&text, e + 1)
                    .is_some_and(|(a, _)| Self::case_at(s, a) == CASE_LOWER);
                let cued = word_before(&text, i)
                    .is_some_and(|(a, z)| matches!(&text[a..z], "in" | "of" | "from"));
                if country && case == CASE_UPPER && lower_next && cued {
                    if let Some(mut m) = self.accept(s, &text, (&words, k), i, e, v) {
                        let mut k = m.c0;
                        for ci in m.c0..m.c1 {
                            if s.cands[ci].e.kind == EntryKind::Country {
                                s.cands[k] = s.cands[ci];
                                k += 1;
                            }
                        }
                        s.cands.truncate(k);
                        m.c1 = k;
                        if k > m.c0 {
                            accepted = Some(m);
                        }
                    }
                }
            }
            if accepted.is_none() && case == CASE_UPPER {
                accepted = self.directional_mention(s, &text, word);
            }
            match accepted {
                Some(m) => {
                    resume = m.fend.max(i + 1);
                    s.mentions.push(m);
                }
                None => {
                    if case == CASE_UPPER {
                        // A container's position, or a name the text calls a division
                        // ("Nahri Saraj district").
                        let (e, generic) = Self::capitalised_run(s, &text, &words[k..]);
                        let lower_generic = generic
                            && word_after(&text, e)
                                .is_some_and(|(a, _)| Self::case_at(s, a) == CASE_LOWER);
                        if Self::container_position(&text, i) || lower_generic {
                            s.unmatched.push((i, e, generic));
                            resume = e;
                        }
                    }
                }
            }
        }
        s.folded.text = text;
        s.words = words;
    }

    /// A name of fst value `v` that a walk reaches at folded byte `j`: a candidate where a word
    /// ends, a country's name with a possessive "s" where the "s" ends one ("Benins").
    fn name_end(
        text: &str,
        j: usize,
        v: u64,
        finals: &mut Vec<(usize, u64)>,
        possessive: &mut Option<(usize, u64)>,
    ) {
        if text.is_char_boundary(j) && boundary_at(text, j) {
            finals.push((j, v));
        }
        if text.as_bytes().get(j) == Some(&b's') && boundary_at(text, j + 1) {
            *possessive = Some((j, v));
        }
    }

    /// A world region's name at folded byte `i`, capitalised ("Europe"; "EU" in capitals):
    /// recorded, and its end returned.
    fn world_region_at(s: &mut Scratch, t: &str, i: usize) -> Option<usize> {
        if Self::case_at(s, i) != CASE_UPPER {
            return None;
        }
        let rest = &t[i..];
        let first = usize::from(*rest.as_bytes().first()?);
        let mut best: Option<(usize, usize)> = None;
        let second = rest.as_bytes().get(1);
        for &k in &REGIONS_BY_FIRST_BYTE[first] {
            let r = words::WORLD_REGIONS[k];
            let n = r.0.len();
            // The first byte is the same; most words differ from the region's name in the second.
            if n > 1 && r.0.as_bytes().get(1) != second {
                continue;
            }
            if rest.starts_with(r.0)
                && boundary_at(t, i + n)
                && best.is_none_or(|(_, bn)| n > bn)
                && (n > 2 || Self::all_caps(s, i, i + n))
            {
                best = Some((k, n));
            }
        }
        let (k, n) = best?;
        // A bare ocean name before a capitalised word names a place or an organisation
        // ("Atlantic City", "Pacific Gas"): the gazetteer decides.
        let (key, name, ..) = words::WORLD_REGIONS[k];
        if name.ends_with(" Ocean")
            && !key.contains(' ')
            && t.as_bytes().get(i + n) == Some(&b' ')
            && i + n + 1 < t.len()
            && Self::case_at(s, i + n + 1) == CASE_UPPER
        {
            return None;
        }
        s.regions.push((i, i + n, k));
        Some(i + n)
    }

    /// A name of [`words::REGION_ALIASES`] at folded byte `i`, whose first word ends at `end`: a
    /// mention of the division that holds the region.
    fn region_alias_at(&self, s: &mut Scratch, t: &str, i: usize, end: usize) -> Option<Mention> {
        let first = &t[i..end];
        if !self.alias_shapes.may_have(first) {
            return None;
        }
        let aliases = self.region_aliases.get(first)?;
        let (name, entry) = aliases
            .iter()
            .find(|(name, _)| t[i..].starts_with(&**name) && boundary_at(t, i + name.len()))?;
        let c0 = s.cands.len();
        s.cands.push(self.candidate(*entry, true, false)?);
        Some(Self::bare_mention(s, i, i + name.len(), c0))
    }

    /// A mention of folded bytes `st..e` with no cue, whose candidates are those pushed from
    /// `c0` on.
    fn bare_mention(s: &Scratch, st: usize, e: usize, c0: usize) -> Mention {
        let (start, end) = s.folded.span(st, e);
        Mention {
            fstart: st,
            fend: e,
            start,
            end,
            c0,
            c1: s.cands.len(),
            cue: false,
            place_hint: false,
            town_cue: false,
            dateline: false,
            sentence: Self::sentence_of(s, st),
            stated: false,
            best: c0,
            conf: 0.0,
            keep: true,
        }
    }

    /// Whether folded byte `i` is where a text states a container: after "X district, ",
    /// "X village, " or inside "(X, " ("Tampatou (Toucountouna, Atacora)").
    fn container_position(t: &str, i: usize) -> bool {
        // Most words follow a letter or a space and a letter: what `trim_end` would reach, read
        // off the bytes while they are ASCII.
        let bytes = t.as_bytes();
        let mut k = i;
        while k > 0 && matches!(bytes[k - 1], b'\t'..=b'\r' | b' ') {
            k -= 1;
        }
        match k.checked_sub(1).map(|k| bytes[k]) {
            None => return false,
            Some(b) if b.is_ascii() && b != b',' => return false,
            _ => {}
        }
        let before = t[..i].trim_end();
        let Some(b) = before.strip_suffix(',') else {
            return false;
        };
        let b = b.trim_end();
        let last = b
            .rsplit(|c: char| !c.is_alphanumeric())
            .next()
            .unwrap_or("");
        if SET_ADMIN_GENERICS.has(last) || SET_PLACE_GENERICS.has(last) {
            return true;
        }
        // The last 60 bytes or so, from a character's start.
        let mut from = b.len().saturating_sub(60);
        while !b.is_char_boundary(from) {
            from -= 1;
        }
        // Inside parentheses: the last of them in the window opens.
        b[from..].bytes().rev().find(|&c| c == b'(' || c == b')') == Some(b'(')
    }

    /// The run of capitalised words from the first of `words` (at most three, joined by a space
    /// or a hyphen): its end, and whether an administrative generic follows it.
    fn capitalised_run(s: &Scratch, t: &str, words: &[Word]) -> (usize, bool) {
        let b = t.as_bytes();
        let i = words[0].start;
        let mut e = i;
        let mut n = 0;
        let mut count = 0;
        loop {
            // The word at `e`, if one starts there.
            while words.get(n).is_some_and(|w| w.start < e) {
                n += 1;
            }
            let j = words.get(n).filter(|w| w.start == e).map_or(e, |w| w.end);
            if SET_ADMIN_GENERICS.has(&t[e..j]) {
                return (e.saturating_sub(1).max(i), true);
            }
            e = j;
            count += 1;
            let joined = matches!(b.get(e), Some(b' ' | b'-'))
                && b.get(e + 1)
                    .is_some_and(|_| Self::case_at(s, e + 1) == CASE_UPPER);
            if count == 3 || !joined {
                break;
            }
            e += 1;
        }
        let generic = word_after_in(t, &words[n.min(words.len())..], e)
            .is_some_and(|(a, z)| SET_ADMIN_GENERICS.has(&t[a..z]));
        (e, generic)
    }

    /// The plural generic that closes a list of names through the name at folded bytes `st..e`
    /// ("Dakota, Otoe and Washington counties", "Kano and Kaduna states"): each name in the list
    /// is a division of that kind. A single name before the generic is not a list ("ten Kentucky
    /// counties" are Kentucky's).
    fn listed_divisions<'t>(s: &Scratch, t: &'t str, st: usize, e: usize) -> Option<&'t str> {
        let b = t.as_bytes();
        // The container of a list before it, not the first name of the next one: "Camden and
        // Charlton counties in Georgia and Nassau and Baker counties in Florida".
        if let Some((a, z)) = word_before(t, st) {
            if matches!(&t[a..z], "in" | "of")
                && word_before(t, a)
                    .is_some_and(|(a, z)| words::PLURAL_GENERICS.contains(&&t[a..z]))
            {
                return None;
            }
        }
        let mut listed = word_before(t, st).is_some_and(|(a, z)| matches!(&t[a..z], "and" | "or"))
            || t[..st].trim_end().ends_with(',');
        let mut k = e;
        // At most a handful of names, each of up to three words.
        for _ in 0..16 {
            let comma = b.get(k) == Some(&b',');
            let (a, z) = word_after(t, k + usize::from(comma))?;
            let w = &t[a..z];
            match Self::case_at(s, a) {
                CASE_UPPER => {}
                _ if !comma && words::PLURAL_GENERICS.contains(&w) => {
                    return listed.then_some(w);
                }
                _ if matches!(w, "and" | "or") => {}
                _ => return None,
            }
            listed |= comma || matches!(w, "and" | "or");
            k = z;
        }
        None
    }

    /// Spelling variants of divisions named as containers ("Tampatou (Toucountouna, Atacora)" for
    /// GeoNames' Atakora, "Chaki Wardak district, Wardak" for Vardak): unmatched words in a
    /// container's position, and matched ones none of whose candidates lies in a country the
    /// text supports, are looked up among the divisions of those countries.
    fn spelling_variants(&self, s: &mut Scratch) {
        let g = &*self.gazetteer;
        s.context.clear();
        for m in &s.mentions {
            let cands = &s.cands[m.c0..m.c1];
            // A container's own candidates are what is in question, unless it names a province
            // outright ("Nahri Saraj district, Helmand").
            if Self::container_position(&s.folded.text, m.fstart) {
                if let [c] = cands {
                    if c.e.kind == EntryKind::Admin1 && !c.e.alternate {
                        s.context.push(c.country);
                    }
                }
                continue;
            }
            for c in cands {
                if matches!(
                    c.e.kind,
                    EntryKind::Country | EntryKind::Demonym | EntryKind::CountryAbbrev
                ) {
                    s.context.push(c.country);
                }
            }
            if let Some(first) = cands.first() {
                if cands.iter().all(|c| c.country == first.country) {
                    s.context.push(first.country);
                }
            }
        }
        s.context
            .extend(s.hints.iter().filter(|h| h.1 >= 0.5).map(|h| h.0));
        s.context.sort_unstable();
        s.context.dedup();
        if s.context.len() > 4 {
            return;
        }
        if s.context.is_empty() {
            // No country to go by: a division spelled within one letter of a name, in one
            // country only.
            let mut found: Option<u32> = None;
            for &(st, e, _) in &s.unmatched {
                let name = normalize(&s.folded.text[st..e]);
                let Some(key) = SpellingKey::new(&name) else {
                    continue;
                };
                for ci in 0..g.stats().countries as u32 {
                    if g.admin_by_spelling_within(ci, &key, false, 1).is_some() {
                        if found.is_some_and(|f| f != ci) {
                            return;
                        }
                        found = Some(ci);
                    }
                }
            }
            match found {
                Some(ci) => s.context.push(ci),
                None => return,
            }
        }
        let mut added = false;
        let pending = std::mem::take(&mut s.unmatched);
        for &(st, e, generic) in &pending {
            let name = normalize(&s.folded.text[st..e]);
            let c0 = s.cands.len();
            for k in 0..s.context.len() {
                if let Some((en, _)) = g.admin_by_spelling(s.context[k], &name, generic) {
                    if let Some(c) = self.candidate(en, true, false) {
                        s.cands.push(c);
                    }
                }
            }
            if s.cands.len() == c0 {
                continue;
            }
            let fend = if generic {
                word_after(&s.folded.text, e).map_or(e, |(_, z)| z)
            } else {
                e
            };
            let m = Mention {
                cue: true,
                ..Self::bare_mention(s, st, fend, c0)
            };
            s.mentions.push(m);
            added = true;
        }
        s.unmatched = pending;
        // Matched divisions in a container's position that the text's countries lack
        // ("Nimruz" is a district of Iran; the Afghan province is GeoNames' Nimroz).
        for mi in 0..s.mentions.len() {
            let m = s.mentions[mi];
            if !Self::container_position(&s.folded.text, m.fstart)
                || s.cands[m.c0..m.c1]
                    .iter()
                    .any(|c| s.context.binary_search(&c.country).is_ok())
            {
                continue;
            }
            let name = normalize(&s.folded.text[m.fstart..m.fend]);
            let c0 = s.cands.len();
            for k in 0..s.context.len() {
                if let Some((en, _)) = g.admin_by_spelling(s.context[k], &name, false) {
                    if let Some(c) = self.candidate(en, true, false) {
                        s.cands.push(c);
                    }
                }
            }
            if s.cands.len() > c0 {
                for ci in m.c0..m.c1 {
                    let c = s.cands[ci];
                    s.cands.push(c);
                }
                s.mentions[mi].c0 = c0;
                s.mentions[mi].c1 = s.cands.len();
                s.mentions[mi].best = c0;
            }
        }
        if added {
            s.mentions.sort_by_key(|m| m.fstart);
            for k in 0..s.mentions.len() {
                s.mentions[k].sentence = Self::sentence_of(s, s.mentions[k].fstart);
            }
        }
    }

    /// Surface checks for the name at folded bytes `st..e` with fst value `v`; on success the
    /// mention with its candidates pushed into the scratch buffer.
    fn accept(
        &self,
        s: &mut Scratch,
        text: &str,
        (words, k): (&[Word], usize),
        st: usize,
        e: usize,
        v: u64,
    ) -> Option<Mention> {
        let g = &*self.gazetteer;
        let span = &text[st..e];
        // A name of one word is its own key; the words of a longer one are joined by one space.
        let key = if span.bytes().any(|b| b.is_ascii_whitespace()) {
            s.key.clear();
            for (k, w) in span.split_ascii_whitespace().enumerate() {
                if k > 0 {
                    s.key.push(' ');
                }
                s.key.push_str(w);
            }
            s.key.as_str()
        } else {
            span
        };
        let caps = Self::all_caps(s, st, e);
        // Right after a place and a comma: where a state or province abbreviation counts
        // ("Springfield, Ill.", "Dallas, TX").
        let after_place_comma = s
            .mentions
            .last()
            .is_some_and(|m| m.fend <= st && text[m.fend..st].trim() == ",");
        let abbrev_ok =
            after_place_comma && Self::case_at(s, st) == CASE_UPPER && (caps || key.ends_with('.'));
        if SET_NEVER.has(key) && !abbrev_ok {
            return None;
        }
        let initial = Self::sentence_initial(text, st);
        let before = word_before_in(text, words, k);
        let prev = before.map(|(a, b)| (&text[a..b], Self::case_at(s, a)));
        let next = word_after_in(text, &words[k..], e)
            .map(|(a, b)| (a, b, &text[a..b], Self::case_at(s, a)));
        let prev_w = prev.map(|p| p.0);
        // A cue word counts in lower case, or capitalised at the start of a sentence ("In Kabul").
        let prev_plain = || {
            prev.is_some_and(|(_, c)| c != CASE_UPPER)
                || before.is_some_and(|(a, _)| Self::sentence_initial(text, a))
        };
        let strong_cue = prev_w.is_some_and(|w| {
            (SET_STRONG_CUES.has(w) && prev_plain())
                || (SET_SETTLEMENT_CUES.has(w) && prev.is_some_and(|(_, c)| c == CASE_LOWER))
        });
        let cue = strong_cue || prev_w.is_some_and(|w| SET_CUES.has(w));
        let common = SET_COMMON.has(key);
        let short = key.chars().count() <= 2;
        let single = !key.contains(' ');
        // A common word needs a locative cue ("in Police"); "of" is not one ("Chamber of
        // Commerce").
        let locative = strong_cue && prev_w != Some("of");
        if common && !(locative && !initial && Self::case_at(s, st) == CASE_UPPER) && !caps {
            return None;
        }
        // A person's title before the name.
        if prev_w.is_some_and(|w| SET_TITLES.has(w)) {
            return None;
        }
        // A title that is also a town's name, before a capitalised word: a person ("Pope
        // Francis", "Bishop Tutu"). Towns named so are longer names ("Prince George").
        if single
            && !caps
            && SET_TITLES.has(key)
            && next.is_some_and(|(a, _, _, c)| a == e + 1 && c == CASE_UPPER)
        {
            return None;
        }
        // Every word of a multi-word name capitalised, but for particles ("Sar-e Pol", "Bosnia
        // and Herzegovina"): "The city" is not the town of that name.
        if !caps && !single {
            let mut p = st;
            for w in text[st..e].split(' ') {
                if p > st && Self::case_at(s, p) == CASE_LOWER && !SET_PARTICLES.has(w) {
                    return None;
                }
                p += w.len() + 1;
            }
        }
        // "Dublin City Council": "City" is the council's, and "Dublin City" only an alternate
        // name of Dublin, Ireland (and its council area's), which must not outweigh the text's
        // Ohio. The shorter name is tried next. A town named so ("Kansas City Council") keeps its
        // name.
        if key.ends_with(" city")
            && next.is_some_and(|(a, _, w, _)| a == e + 1 && SET_CITY_BODIES.has(w))
            && !g
                .postings(v)
                .any(|en| en.kind == EntryKind::Place && !en.alternate)
        {
            return None;
        }
        let mut has_country = false;
        let mut has_admin1 = false;
        let mut has_area = false;
        let mut has_place = false;
        let mut any = false;
        let mut top_rank = 0;
        let mut top_population = 0;
        let mut abbrev = false;
        let mut has_country_name = false;
        for en in g.postings(v) {
            has_country_name |= en.kind == EntryKind::Country;
            match en.kind {
                EntryKind::Admin1Abbrev => {
                    if abbrev_ok {
                        abbrev = true;
                        has_admin1 = true;
                        has_area = true;
                        any = true;
                    }
                }
                EntryKind::CountryAbbrev if !caps => {}
                EntryKind::Country | EntryKind::Demonym | EntryKind::CountryAbbrev => {
                    has_country = true;
                    any = true
                }
                EntryKind::Admin1 | EntryKind::Admin2 => {
                    // A sizeable province or state ("Georgia", "Virginia"), not a parish of
                    // an island that shares a given name ("Michael").
                    has_admin1 |= en.kind == EntryKind::Admin1
                        && g.admin1_rec(en.index)
                            .is_some_and(|a| a.population >= 200_000);
                    has_area = true;
                    any = true
                }
                EntryKind::Place => {
                    if let Some(p) = g.place(en.index) {
                        top_rank = top_rank.max(p.rank);
                        top_population = top_population.max(p.population);
                    }
                    has_place = true;
                    any = true
                }
            }
        }
        if !any || (short && !has_country && !abbrev) {
            return None;
        }
        let major = has_country || has_admin1;
        // An acronym inside running text ("NATO", "IRS"), not a dateline in capitals.
        if caps
            && !has_country
            && !abbrev
            && key.chars().count() <= 5
            && !initial
            && (prev.is_some_and(|(_, c)| c == CASE_LOWER)
                || next.is_some_and(|(_, _, _, c)| c == CASE_LOWER))
        {
            return None;
        }
        if single && !major && !strong_cue && !caps {
            // A word the text uses as a person's name ("David Mills ... Mills said"), a given
            // name, or a name next to a verb of speech ("Clark said", "said Jones").
            if (s.persons.binary_search(&hash_word(key)).is_ok() || SET_GIVEN.has(key))
                && Self::listed_divisions(s, text, st, e).is_none()
            {
                return None;
            }
            // A word the text writes after another capitalised one ("Emilie Holroyd ...
            // Holroyd served"), unless a city or a seat of government bears it, or the text
            // calls it a division or a place here ("Lewis County").
            let generic_next = next.is_some_and(|(a, _, w, _)| {
                a == e + 1 && (SET_ADMIN_GENERICS.has(w) || SET_PLACE_GENERICS.has(w))
            });
            if top_population < BIG_PLACE
                && top_rank < 5
                && !generic_next
                && s.surnames.binary_search(&hash_word(key)).is_ok()
            {
                return None;
            }
            if top_rank < 6 {
                let said_next = next.is_some_and(|(a, _, w, _)| a == e + 1 && SET_SPEECH.has(w));
                let said_prev =
                    prev_w.is_some_and(|w| w == "said" || w == "says") && text[..st].ends_with(' ');
                if said_next || said_prev {
                    return None;
                }
            }
        }
        // Right after a verb of speech and before another capitalised word, a name is a
        // person's, even a country's: "said Jordan Smith of Human Rights Watch", "said Chad
        // Roberts". Not before a title or a body ("said Borno Governor Zulum", "Kano State").
        if single
            && !caps
            && (has_country_name || !has_country)
            && before.is_some_and(|(_, z)| z + 1 == st)
            && prev.is_some_and(|(w, c)| c == CASE_LOWER && SET_SPEECH.has(w))
            && next.is_some_and(|(a, _, w, c)| {
                a == e + 1
                    && c == CASE_UPPER
                    && !SET_ADMIN_GENERICS.has(w)
                    && !SET_PLACE_GENERICS.has(w)
                    && !SET_TITLES.has(w)
                    && !SET_CITY_BODIES.has(w)
                    && !SET_TAILS.has(w)
            })
        {
            return None;
        }
        // A given name before another capitalised word is a person's ("Mary Wheeler"), even where
        // it names a province; the first word of a longer Arabic name ("Abu Sleem", "Um Tajok")
        // is no town of its own; nor is a direction the province named by it alone ("South
        // Ossetia" is not Lebanon's South Governorate, "Eastern Ghouta" not an Eastern Province).
        if single
            && !has_country
            && !caps
            && (SET_GIVEN.has(key) || SET_NAME_PREFIXES.has(key) || SET_DIRECTIONS.has(key))
        {
            let joined_upper = next.is_some_and(|(a, _, w, c)| {
                a == e + 1
                    && c == CASE_UPPER
                    && !SET_ADMIN_GENERICS.has(w)
                    && !SET_PLACE_GENERICS.has(w)
            }) || (text.as_bytes().get(e) == Some(&b'-')
                && text.as_bytes().get(e + 1).is_some()
                && Self::case_at(s, e + 1) == CASE_UPPER);
            if joined_upper {
                return None;
            }
        }
        let running_caps = caps && !short && !has_country;
        // Another capitalised word before it, not a cue or direction: part of a person's or an
        // organisation's name ("Raquel Henry", "Philip English", "The English Martyrs"); a
        // country's name is the country there too, but not a demonym.
        let nation_name = has_country_name || (has_country && caps);
        // An acronym before a name that ends the capitalised run is an organisation's office or
        // unit there ("offices of MSF Bambari", "the A429 Cirencester junction"), not a longer
        // name ("CAF Confederation Cup").
        let acronym_before = |a: usize, w: &str| {
            (3..=8).contains(&w.len())
                && Self::all_caps(s, a, a + w.len())
                && next.is_none_or(|(na, _, _, c)| na > e + 1 || c != CASE_UPPER)
        };
        if let Some((w, c)) = prev {
            let pre_start = before.map_or(0, |(a, _)| a);
            if c == CASE_UPPER
                && !nation_name
                && !SET_DIRECTIONS.has(w)
                && !SET_CUES.has(w)
                && !Self::sentence_initial(text, pre_start)
                && !running_caps
                && text[pre_start..st].trim_end().len() == w.len()
                // A place before it that the text already names ("Kabul Kandahar highway"), or
                // a feature word ("Lake Ontario").
                && s.mentions.last().is_none_or(|m| m.fend != pre_start + w.len())
                && !FEATURE_WORDS.contains(&w)
                && !acronym_before(pre_start, w)
            {
                return None;
            }
        }
        // A fragment of a longer name: joined to a lower-case particle by a hyphen ("Dasht-e-Abdan",
        // "Kotal-e Khair"), or followed by more capitalised words and a generic ("Dashti Qala
        // district", "Qom Qishlaq area").
        if !caps && !major {
            let tb = text.as_bytes();
            let particle_before = {
                let b = &text[..st];
                let b = b
                    .strip_suffix('-')
                    .or_else(|| b.strip_suffix(' '))
                    .unwrap_or(b);
                b.rsplit(|c: char| !c.is_alphanumeric())
                    .next()
                    .is_some_and(|p| {
                        (1..=3).contains(&p.len())
                            && Self::case_at(s, b.len() - p.len()) == CASE_LOWER
                            && b[..b.len() - p.len()].ends_with('-')
                    })
            };
            let particle_after = tb.get(e) == Some(&b'-') && {
                let rest = &text[e + 1..];
                let p = rest
                    .split(|c: char| !c.is_alphanumeric())
                    .next()
                    .unwrap_or("");
                (1..=3).contains(&p.len())
                    && Self::case_at(s, e + 1) == CASE_LOWER
                    && matches!(tb.get(e + 1 + p.len()), Some(b'-' | b' '))
            };
            if particle_before || particle_after {
                return None;
            }
            if !initial && !s.titlecase[Self::sentence_of(s, st)] {
                let mut k = e;
                let mut capitalised = 0;
                while let Some((a, z)) = word_after(text, k) {
                    let gap = &text[k..a];
                    if gap != " " && gap != "-" {
                        break;
                    }
                    let w = &text[a..z];
                    let lower = Self::case_at(s, a) == CASE_LOWER;
                    if lower && (SET_ADMIN_GENERICS.has(w) || SET_PLACE_GENERICS.has(w)) {
                        if capitalised > 0 {
                            return None;
                        }
                        break;
                    }
                    if Self::case_at(s, a) != CASE_UPPER || capitalised == 2 {
                        break;
                    }
                    capitalised += 1;
                    k = z;
                }
            }
        }
        // A capitalised tail word: "Dublin Road", "Glendale Galleria".
        let mut fend = e;
        let mut admin_hint = prev_w.is_some_and(|w| {
            matches!(
                w,
                "province" | "state" | "district" | "governorate" | "county" | "region"
            )
        }) && text[..st].trim_end().ends_with(" of");
        let mut place_hint = prev_w.is_some_and(|w| w == "of")
            && text[..st].trim_end().strip_suffix("of").is_some_and(|x| {
                x.trim_end().ends_with("village")
                    || x.trim_end().ends_with("town")
                    || x.trim_end().ends_with("city")
            });
        // The generic word the text puts after the name ("parish" in "DeSoto Parish").
        let mut generic_word: Option<&str> = None;
        if let Some((_, ne, w, c)) = next {
            let gap = &text[e..ne - w.len()];
            if gap.len() == 1 {
                if SET_ADMIN_GENERICS.has(w) && (has_area || has_place) {
                    admin_hint = true;
                    generic_word = Some(w);
                    fend = ne;
                } else if SET_PLACE_GENERICS.has(w) && has_place {
                    place_hint = true;
                    fend = ne;
                } else if c == CASE_UPPER && SET_TAILS.has(w) && !has_country && !caps {
                    return None;
                }
            }
        }
        // A country's name before a word for local people or institutions, where a country
        // would take its demonym ("a Lebanon woman", "Jordan Elementary School", not "a
        // Lebanese woman"): a town's name, if the text is about a country that has the town.
        let town_cue = has_country_name
            && (next.is_some_and(|(a, _, w, _)| a == e + 1 && words::TOWN_NOUNS.contains(&w))
                || residence_position(text, st));
        // "X district, Kandahar": the name after is the province, not its capital.
        if Self::container_position(text, st) {
            admin_hint = true;
        }
        // "Otoe and Washington counties": a county, not the state or the capital.
        let mut below_admin1 = false;
        if has_area {
            if let Some(w) = Self::listed_divisions(s, text, st, e) {
                admin_hint = true;
                below_admin1 = matches!(w, "counties" | "parishes");
            }
        }
        // Another spelling of a small place's name counts only where the text says place: after
        // a cue, in "(X, Y)" or followed by its container ("Toucountouna, Atacora").
        let after = text[fend..].trim_start_matches(' ');
        let placed = strong_cue
            || place_hint
            || admin_hint
            || text[..st].trim_end().ends_with('(')
            || ((after.starts_with(',') || after.starts_with('('))
                && after[1..]
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(char::is_alphabetic));
        // Candidates.
        let c0 = s.cands.len();
        for en in g.postings(v) {
            if s.cands.len() - c0 >= MAX_CANDIDATES {
                break;
            }
            if en.kind == EntryKind::CountryAbbrev && !caps {
                continue;
            }
            let en = match en.kind {
                EntryKind::Admin1Abbrev if !abbrev_ok => continue,
                EntryKind::Admin1 | EntryKind::Admin1Abbrev if below_admin1 => continue,
                EntryKind::Admin1Abbrev => Entry {
                    kind: EntryKind::Admin1,
                    alternate: true,
                    index: en.index,
                },
                _ => en,
            };
            if en.alternate && en.kind == EntryKind::Place && !placed {
                let small = g
                    .place(en.index)
                    .is_none_or(|p| p.population < BIG_PLACE && p.rank < 5);
                if small {
                    continue;
                }
            }
            if let Some(mut c) = self.candidate(en, admin_hint, place_hint) {
                // A district whose own name ends with another generic word than the text's:
                // "DeSoto Parish" is in Louisiana, not DeSoto County, Florida.
                if let (Some(w), EntryKind::Admin2) = (generic_word, en.kind) {
                    if self.other_generic(en.index, w) {
                        c.prior -= OTHER_GENERIC_PENALTY;
                        c.score = c.prior;
                    }
                }
                // A country's name is the country ("Benin", "Egypt"), not a town or district
                // that shares it, unless the text places it ("Egypt, Ohio").
                if has_country_name && matches!(en.kind, EntryKind::Place | EntryKind::Admin2) {
                    c.prior -= 0.8;
                    c.score = c.prior;
                }
                s.cands.push(c);
            }
        }
        if single && !major && !below_admin1 {
            self.push_directional(s, text, st, e);
        }
        if s.cands.len() == c0 {
            return None;
        }
        Some(Mention {
            cue,
            place_hint,
            town_cue,
            ..Self::bare_mention(s, st, fend, c0)
        })
    }

    /// Whether admin2 division `index` has a name that ends with a generic word other than `w`
    /// (either in the singular or the plural).
    fn other_generic(&self, index: u32, w: &str) -> bool {
        let g = &*self.gazetteer;
        let Some(a) = g.admin2_rec(index) else {
            return false;
        };
        let last = g.area_name(a).rsplit(' ').next().unwrap_or("");
        if !last.bytes().all(|b| b.is_ascii_alphabetic()) {
            return false;
        }
        let own = last.to_ascii_lowercase();
        SET_ADMIN_GENERICS.has(&own) && own.trim_end_matches('s') != w.trim_end_matches('s')
    }

    /// Pushes the provinces that the word at folded bytes `st..e` names with a direction ("North
    /// Sinai" and "South Sinai" for "Sinai", the Darfur states for "Darfur"), when there are
    /// several and they lie in one country; whether any were pushed.
    fn push_directional(&self, s: &mut Scratch, text: &str, st: usize, e: usize) -> bool {
        let word = &text[st..e];
        if word.len() < 4 || !word.bytes().all(|b| b.is_ascii_alphabetic()) {
            return false;
        }
        // Few words name a region: look that up first.
        let Some(entries) = self.directional.get(word) else {
            return false;
        };
        if SET_COMMON.has(word)
            || SET_ADMIN_GENERICS.has(word)
            || SET_PLACE_GENERICS.has(word)
            || SET_DIRECTIONS.has(word)
        {
            return false;
        }
        let c0 = s.cands.len();
        let mut country = NONE;
        for &en in entries {
            if let Some(c) = self.candidate(en, false, false) {
                if country != NONE && c.country != country {
                    s.cands.truncate(c0);
                    return false;
                }
                country = c.country;
                s.cands.push(c);
            }
        }
        // A region that several provinces share ("North Kivu", "South Kivu"); one province
        // named "North Hill" says nothing of "Hill".
        if s.cands.len() < c0 + 2 {
            s.cands.truncate(c0);
            return false;
        }
        true
    }

    /// A capitalised word that matches no name but names the provinces that share it ("Darfur"):
    /// a mention of them.
    fn directional_mention(&self, s: &mut Scratch, text: &str, word: Word) -> Option<Mention> {
        let (st, e) = (word.start, word.end);
        // What `push_directional` asks of the word first.
        if e - st < 4 || !word.alpha || Self::sentence_initial(text, st) {
            return None;
        }
        let c0 = s.cands.len();
        if !self.push_directional(s, text, st, e) {
            return None;
        }
        Some(Self::bare_mention(s, st, e, c0))
    }

    fn candidate(&self, e: Entry, admin_hint: bool, place_hint: bool) -> Option<Cand> {
        let g = &*self.gazetteer;
        let mut c = Cand {
            e,
            country: NONE,
            admin1: NONE,
            admin2: NONE,
            lat: 0.0,
            lon: 0.0,
            population: 0,
            prior: 0.0,
            score: 0.0,
        };
        match e.kind {
            // Converted to `Admin1` by the detector.
            EntryKind::Admin1Abbrev => return None,
            EntryKind::Place => {
                let p = g.place(e.index)?;
                c.country = p.country;
                c.admin1 = p.admin1;
                c.admin2 = p.admin2;
                c.lat = p.lat;
                c.lon = p.lon;
                c.population = p.population;
                c.prior = self.place_priors[e.index as usize];
                if e.alternate {
                    c.prior -= 0.05;
                }
                if place_hint {
                    c.prior += 0.15;
                }
                if admin_hint {
                    c.prior -= 0.1;
                }
            }
            EntryKind::Admin2 | EntryKind::Admin1 => {
                let a = if e.kind == EntryKind::Admin2 {
                    g.admin2_rec(e.index)?
                } else {
                    g.admin1_rec(e.index)?
                };
                c.country = a.country;
                c.lat = a.lat;
                c.lon = a.lon;
                c.population = a.population;
                if e.kind == EntryKind::Admin2 {
                    c.admin1 = a.parent;
                    c.admin2 = e.index;
                    c.prior = 0.45 + self.admin2_priors[e.index as usize];
                } else {
                    c.admin1 = e.index;
                    c.prior = 0.7 + self.admin1_priors[e.index as usize];
                }
                if admin_hint {
                    c.prior += 0.35;
                }
                if place_hint {
                    c.prior -= 0.2;
                }
            }
            EntryKind::Country | EntryKind::CountryAbbrev | EntryKind::Demonym => {
                let a = g.country_rec(e.index)?;
                c.country = e.index;
                c.lat = a.lat;
                c.lon = a.lon;
                c.population = a.population;
                c.prior = match e.kind {
                    EntryKind::Demonym => 0.8,
                    _ if e.alternate => 0.95,
                    _ => 1.0,
                };
            }
        }
        c.score = c.prior;
        // Another name of a place ("Kaliningrad" for Korolev, "Cancun" for Changchun) yields
        // to places whose own name it is. The score only: the prior, which spreads a name's
        // weight over countries and provinces, keeps the small cost above.
        if e.kind == EntryKind::Place && e.alternate {
            c.score -= ALTERNATE_PLACE_PENALTY;
        }
        Some(c)
    }

    /// Disambiguation: country context, hierarchy, proximity; then confidence and pruning.
    fn resolve(&self, s: &mut Scratch) {
        Self::country_context(s);
        Self::local_namesakes(s);
        // Province context: places and districts in the province that the other mentions'
        // candidates point to most ("Douglas, Grant and Wilkin counties" are in one state).
        if s.mentions.len() >= 3 {
            Self::province_context(s);
        }
        Self::name_coherence(s);
        Self::hierarchy(s);
        Self::seats(s);
        Self::confirm_containers(s);
        Self::proximity(s);
        Self::choose(s);
        Self::one_sense(s);
        self.drop_bare_divisions(s);
        Self::drop_strays(s);
        self.prune_against_containers(s);
        self.mark_datelines(s);
    }

    /// Country evidence: each distinct name spreads one unit over its candidates' countries,
    /// however often the text repeats it; actors and outlets count as weak mentions of theirs,
    /// and a candidate gains with what the other names give its country.
    fn country_context(s: &mut Scratch) {
        s.countries.clear();
        s.name_keys.clear();
        for m in &s.mentions {
            s.name_keys
                .push(hash_word(&s.folded.text[m.fstart..m.fend]));
        }
        for (mi, m) in s.mentions.iter().enumerate() {
            if s.name_keys[..mi].contains(&s.name_keys[mi]) {
                continue;
            }
            add_country_mass(&s.cands[m.c0..m.c1], &mut s.countries, 1.0);
        }
        // Actors and outlets that imply a country count as weak mentions of it.
        for &(c, w) in &s.hints {
            match s.countries.iter_mut().find(|x| x.0 == c) {
                Some(x) => x.1 += w,
                None => s.countries.push((c, w)),
            }
        }
        let max_w = s.countries.iter().map(|c| c.1).fold(0.0f32, f32::max);
        // The first country with the most weight, in the order the text gives them.
        s.lead_country = s
            .countries
            .iter()
            .find(|c| c.1 == max_w)
            .map_or(NONE, |c| c.0);
        // The province of each name's likeliest candidate: local evidence for its namesakes.
        let tops = &mut s.top_provinces;
        tops.clear();
        for (m, &key) in s.mentions.iter().zip(&s.name_keys) {
            if let Some(top) = s.cands[m.c0..m.c1]
                .iter()
                .max_by(|a, b| a.prior.total_cmp(&b.prior))
            {
                if top.admin1 != NONE {
                    tops.push((top.admin1, key));
                }
            }
        }
        let own = &mut s.own_mass;
        for (mi, m) in s.mentions.iter().enumerate() {
            // This mention's own share does not count as context for itself.
            own.clear();
            add_country_mass(&s.cands[m.c0..m.c1], own, 1.0);
            // A world city, a country or nationality, or a province of a million people among
            // the candidates, under its own name ("Moscow", "Canadian", "Wales"; not
            // "Salisbury" for Harare): its country.
            // The publisher's town is none of them.
            let world = s.cands[m.c0..m.c1]
                .iter()
                .find(|c| {
                    !c.e.alternate
                        && match c.e.kind {
                            EntryKind::Place => c.population >= WORLD_CITY,
                            EntryKind::Admin1 => c.population >= WORLD_CITY,
                            EntryKind::Country | EntryKind::Demonym => true,
                            _ => false,
                        }
                })
                .map_or(NONE, |c| c.country);
            let world = if world != NONE && home_name(&s.home, &s.folded.text[m.fstart..m.fend]) {
                NONE
            } else {
                world
            };
            for c in &mut s.cands[m.c0..m.c1] {
                let total = s
                    .countries
                    .iter()
                    .find(|x| x.0 == c.country)
                    .map_or(0.0, |x| x.1);
                let mine = own.iter().find(|x| x.0 == c.country).map_or(0.0, |x| x.1);
                let ctx = (total - mine).max(0.0);
                if max_w > 0.0 && ctx > 0.0 {
                    // A small namesake (place or county) of a world city or major area abroad
                    // takes only the base: the country alone does not make "Moscow" Moscow,
                    // Idaho, nor "Canadian" Canadian County, Oklahoma; another name whose likeliest
                    // place is its province or lies in it does ("Paris" with "Dallas" or
                    // "Texas").
                    let namesake = world != NONE
                        && c.country != world
                        && matches!(c.e.kind, EntryKind::Place | EntryKind::Admin2)
                        && c.population < BIG_PLACE
                        && !s
                            .top_provinces
                            .iter()
                            .any(|&(a, k)| a == c.admin1 && k != s.name_keys[mi]);
                    if !namesake {
                        c.score += 0.6 * (ctx / max_w.max(1.0)).min(1.0);
                    }
                    c.score += 0.15;
                }
            }
        }
    }

    /// A country's name that the text uses as a town's at least once ("a Lebanon woman") is the
    /// town wherever the text repeats it, when the text is about another country that has a town
    /// of that name: "a Lebanon woman ... Lebanon Police" in Indiana news.
    fn local_namesakes(s: &mut Scratch) {
        let lead = s.lead_country;
        if lead == NONE {
            return;
        }
        // Under a country-code domain (".co.uk"), the publisher's town ("Twickenham" in
        // richmondandtwickenhamtimes.co.uk) is in that country.
        if let Some(home) = s.home_country {
            for m in &s.mentions {
                if !home_name(&s.home, &s.folded.text[m.fstart..m.fend]) {
                    continue;
                }
                let cands = &mut s.cands[m.c0..m.c1];
                let local = |c: &Cand| {
                    c.country == home && matches!(c.e.kind, EntryKind::Place | EntryKind::Admin2)
                };
                if cands.iter().any(local) {
                    for c in cands.iter_mut().filter(|c| c.country != home) {
                        c.score -= 1.0;
                    }
                }
            }
        }
        let keys = &mut s.local_keys;
        keys.clear();
        for (m, &key) in s.mentions.iter().zip(&s.name_keys) {
            if m.town_cue && !keys.contains(&key) {
                keys.push(key);
            }
        }
        for (m, key) in s.mentions.iter().zip(&s.name_keys) {
            if !keys.contains(key) {
                continue;
            }
            let cands = &mut s.cands[m.c0..m.c1];
            let local = |c: &Cand| c.e.kind == EntryKind::Place && c.country == lead;
            if !cands.iter().any(local)
                || cands.iter().any(|c| is_area_name(c) && c.country == lead)
            {
                continue;
            }
            for c in cands.iter_mut() {
                if is_area_name(c) {
                    c.score -= 1.0;
                } else if local(c) {
                    // Takes back what a country's name costs its namesakes in `accept`.
                    c.score += 0.8;
                }
            }
        }
    }

    /// Province context (three mentions or more): a place or district gains with what the other
    /// mentions' candidates give its province.
    fn province_context(s: &mut Scratch) {
        let n = s.mentions.len();
        // Each mention's shares (`province_shares[province_bounds[k]..province_bounds[k + 1]]`),
        // and the provinces' totals, summed in mention order.
        let (provinces, shares, bounds) = (
            &mut s.province_mass,
            &mut s.province_shares,
            &mut s.province_bounds,
        );
        provinces.clear();
        shares.clear();
        bounds.clear();
        bounds.push(0);
        for m in &s.mentions {
            let from = shares.len();
            s.own_mass.clear();
            add_admin1_mass(&s.cands[m.c0..m.c1], &mut s.own_mass);
            shares.append(&mut s.own_mass);
            for &(a, w) in &shares[from..] {
                match provinces.iter_mut().find(|x| x.0 == a) {
                    Some(x) => x.1 += w,
                    None => provinces.push((a, w)),
                }
            }
            bounds.push(shares.len());
        }
        let max_p = provinces.iter().map(|p| p.1).fold(0.0f32, f32::max);
        for mi in 0..n {
            let m = s.mentions[mi];
            let mine_all = &shares[bounds[mi]..bounds[mi + 1]];
            // Not for names of states and countries ("Hawaii", "Mississippi").
            let major = names_major_area(&s.cands[m.c0..m.c1], s.lead_country);
            // Nor where the text states the container ("Paris, Tenn.").
            let stated = mi + 1 < n
                && Self::container_gap(&s.folded.text, &m, &s.mentions[mi + 1])
                && s.cands[s.mentions[mi + 1].c0..s.mentions[mi + 1].c1]
                    .iter()
                    .any(|c| matches!(c.e.kind, EntryKind::Admin1 | EntryKind::Admin2));
            if m.c1 - m.c0 < 2 || major || stated {
                continue;
            }
            for c in &mut s.cands[m.c0..m.c1] {
                if c.admin1 == NONE || !matches!(c.e.kind, EntryKind::Place | EntryKind::Admin2) {
                    continue;
                }
                let total = provinces
                    .iter()
                    .find(|x| x.0 == c.admin1)
                    .map_or(0.0, |x| x.1);
                let mine = mine_all
                    .iter()
                    .find(|x| x.0 == c.admin1)
                    .map_or(0.0, |x| x.1);
                let ctx = (total - mine).max(0.0);
                if ctx >= 1.0 {
                    c.score += 0.3 * (ctx / max_p.max(1.0)).min(1.0);
                }
            }
        }
    }

    /// Hierarchy: a candidate inside a division or country the text names as its container
    /// ("X, Y", "X in Y", "X (Y)", "X district of Y") gets the most; one named nearby (100 bytes
    /// after or 40 before) a little, and so does a division named anywhere else whose name most
    /// likely is that division ("Ohio", "Henry County"). The best container counts, not their
    /// sum.
    /// A town and the county the text names that holds it support each other, wherever they
    /// stand in the text: "Lebanon ... Boone County" is Lebanon, Indiana, seat of Boone County,
    /// Indiana, though Missouri has a Lebanon and a Boone County too (not one inside the other).
    /// Only for mentions that carry their generic word ("Boone County", not "Boone"), and only
    /// for places the extract gives a county (those of 15,000 people or more); a name pair
    /// that fits in several states shares the bonus among them.
    fn seats(s: &mut Scratch) {
        let n = s.mentions.len();
        let bonus = &mut s.seat_bonus;
        bonus.clear();
        for bi in 0..n {
            let b = s.mentions[bi];
            if !names_generic(&s.folded.text[b.fstart..b.fend])
                || !s.cands[b.c0..b.c1]
                    .iter()
                    .any(|c| c.e.kind == EntryKind::Admin2)
            {
                continue;
            }
            for ai in 0..n {
                if ai == bi || s.name_keys[ai] == s.name_keys[bi] {
                    continue;
                }
                let a = s.mentions[ai];
                let pairs = &mut s.seat_pairs;
                pairs.clear();
                for ca in a.c0..a.c1 {
                    let x = &s.cands[ca];
                    if x.e.kind != EntryKind::Place || x.admin2 == NONE {
                        continue;
                    }
                    for cb in b.c0..b.c1 {
                        let y = &s.cands[cb];
                        if y.e.kind == EntryKind::Admin2 && y.e.index == x.admin2 {
                            pairs.push((ca, cb));
                        }
                    }
                }
                if pairs.is_empty() {
                    continue;
                }
                let w = NAMED_DIVISION_BONUS / pairs.len() as f32;
                for &(ca, cb) in pairs.iter() {
                    bonus.push((ca, w));
                    bonus.push((cb, w));
                }
            }
        }
        // Once per candidate, however often the names are repeated.
        bonus.sort_unstable_by(|x, y| x.0.cmp(&y.0).then(y.1.total_cmp(&x.1)));
        bonus.dedup_by_key(|x| x.0);
        for &(c, w) in bonus.iter() {
            s.cands[c].score += w;
        }
    }

    fn hierarchy(s: &mut Scratch) {
        let n = s.mentions.len();
        s.attributive.clear();
        for k in 0..n {
            let a = Self::attributive(s, &s.mentions[k]);
            s.attributive.push(a);
        }
        // Divisions the text names anywhere, where the name most likely is that division ("Ohio",
        // "Henry County"): kind, index, name key.
        let named = &mut s.named_divisions;
        named.clear();
        for (m, &key) in s.mentions.iter().zip(&s.name_keys) {
            let cands = &s.cands[m.c0..m.c1];
            let Some(top) = cands.iter().max_by(|a, b| a.prior.total_cmp(&b.prior)) else {
                continue;
            };
            if top.e.alternate || !matches!(top.e.kind, EntryKind::Admin1 | EntryKind::Admin2) {
                continue;
            }
            for c in cands {
                if c.e.kind == top.e.kind && !c.e.alternate {
                    named.push((c.e.kind, c.e.index, key));
                }
            }
        }
        for mi in 0..n {
            let m = s.mentions[mi];
            // Neighbours only: mentions are in text order.
            let lo = (0..mi)
                .rev()
                .take_while(|&k| s.mentions[k].fend + 40 >= m.fstart)
                .last()
                .unwrap_or(mi);
            let hi = (mi + 1..n)
                .take_while(|&k| s.mentions[k].fstart <= m.fend + 100)
                .last()
                .unwrap_or(mi);
            // The neighbours' candidates that can contain others, with the bonus they give.
            let containers = &mut s.containers;
            containers.clear();
            for ni in lo..=hi {
                if ni == mi {
                    continue;
                }
                let o = s.mentions[ni];
                let mut direct = None;
                let attributive = s.attributive[ni];
                for d in &s.cands[o.c0..o.c1] {
                    let division = match d.e.kind {
                        EntryKind::Admin1 | EntryKind::Admin2 => true,
                        EntryKind::Country | EntryKind::CountryAbbrev => false,
                        _ => continue,
                    };
                    let direct = *direct.get_or_insert_with(|| {
                        ni == mi + 1 && Self::container_gap(&s.folded.text, &m, &o)
                    }) && !(attributive && is_country_kind(d.e.kind));
                    let b = match (division, direct) {
                        (true, true) => 0.8,
                        (true, false) => 0.25,
                        (false, true) => 0.3,
                        (false, false) => 0.1,
                    };
                    containers.push((d.e.kind, d.e.index, b, direct));
                }
            }
            // Divisions named elsewhere in the text, by another name; not for names of states
            // and countries ("Kansas" is not Kansas, Illinois, because Illinois is named).
            let key = s.name_keys[mi];
            if !names_major_area(&s.cands[m.c0..m.c1], s.lead_country) {
                for &(kind, index, k) in &s.named_divisions {
                    if k != key {
                        containers.push((kind, index, NAMED_DIVISION_BONUS, false));
                    }
                }
            }
            let inside = |c: &Cand, kind: EntryKind, index: u32| match kind {
                EntryKind::Admin1 => c.e.kind != EntryKind::Admin1 && c.admin1 == index,
                EntryKind::Admin2 => c.e.kind == EntryKind::Place && c.admin2 == index,
                _ => !is_area_name(c) && c.country == index,
            };
            // Where the text states the container ("Brussels, Belgium") and some candidate
            // lies inside it, the others are namesakes elsewhere, whatever the rest of the
            // text is about.
            let cands = &mut s.cands[m.c0..m.c1];
            let stated = cands.iter().any(|c| {
                containers
                    .iter()
                    .any(|&(kind, index, _, direct)| direct && inside(c, kind, index))
            });
            s.mentions[mi].stated = stated;
            for c in cands.iter_mut() {
                let mut bonus: f32 = 0.0;
                let mut in_stated = false;
                for &(kind, index, b, direct) in containers.iter() {
                    if inside(c, kind, index) {
                        bonus = bonus.max(b);
                        in_stated |= direct;
                    }
                }
                c.score += bonus;
                if stated && !in_stated && !is_area_name(c) {
                    c.score -= STATED_CONTAINER_PENALTY;
                }
            }
        }
    }

    /// Containers named right after (within 100 bytes) a contained candidate are confirmed too:
    /// a division or a country that holds the best reading of the name before it ("Oaxaca
    /// State, Mexico" is the country, not the State of México).
    fn confirm_containers(s: &mut Scratch) {
        let n = s.mentions.len();
        debug_assert!(s.mentions.windows(2).all(|w| w[0].fstart <= w[1].fstart));
        for mi in 0..n {
            let m = s.mentions[mi];
            let best = best_of(&s.cands[m.c0..m.c1]) + m.c0;
            let b = s.cands[best];
            // Mentions are in text order: those that start from the end of this one on.
            let first = s.mentions.partition_point(|o| o.fstart < m.fend);
            for ni in first..n {
                let o = s.mentions[ni];
                if o.fstart - m.fend > 100 {
                    break;
                }
                if ni == mi {
                    continue;
                }
                for d in &mut s.cands[o.c0..o.c1] {
                    let contains = match d.e.kind {
                        EntryKind::Admin1 => b.admin1 == d.e.index && b.e.kind != EntryKind::Admin1,
                        EntryKind::Admin2 => b.admin2 == d.e.index && b.e.kind == EntryKind::Place,
                        EntryKind::Country => b.country == d.e.index && !is_area_name(&b),
                        _ => false,
                    };
                    if contains {
                        d.score += 0.3;
                    }
                }
            }
        }
    }

    /// Proximity to the other mentions' current best candidates.
    fn proximity(s: &mut Scratch) {
        // The mentions whose best candidate is a point, by latitude.
        let bests = &mut s.bests;
        bests.clear();
        bests.extend(s.mentions.iter().enumerate().filter_map(|(k, m)| {
            let b = s.cands[best_of(&s.cands[m.c0..m.c1]) + m.c0];
            matches!(b.e.kind, EntryKind::Place | EntryKind::Admin2)
                .then_some((k, m.fstart, b.lat, b.lon))
        }));
        bests.sort_unstable_by(|a, b| a.2.total_cmp(&b.2));
        for (mi, m) in s.mentions.iter().enumerate() {
            if m.c1 - m.c0 < 2 {
                continue;
            }
            for c in &mut s.cands[m.c0..m.c1] {
                if !matches!(c.e.kind, EntryKind::Place | EntryKind::Admin2) {
                    continue;
                }
                // More than 5° of latitude apart is over 550 km: no bonus either way. The points
                // within 5° are a run of the sorted list (the differences fall as latitude rises).
                let lo = bests.partition_point(|p| c.lat - p.2 > 5.0);
                let hi = lo + bests[lo..].partition_point(|p| c.lat - p.2 >= -5.0);
                let mut dmin = f32::MAX;
                for &(k, fs, lat, lon) in &bests[lo..hi] {
                    if k == mi || fs == m.fstart || (c.lat - lat).abs() > 5.0 {
                        continue;
                    }
                    dmin = dmin.min(approx_km(c.lat, c.lon, lat, lon));
                }
                c.score += if dmin < 50.0 {
                    0.3
                } else if dmin < 200.0 {
                    0.2
                } else if dmin < 500.0 {
                    0.1
                } else {
                    0.0
                };
            }
        }
    }

    /// One sense per name: the mentions of one name in a text ("of Paris" four times in a
    /// story from Texas) are one place, where the evidence near one mention ("Dallas") would
    /// otherwise leave the others to the biggest namesake. The place is the one the text states
    /// a container for ("Paris, Texas"), else the reading with the most evidence: its prior
    /// once, as the name is one (rule 12), and what each mention's context adds to it. Mentions
    /// with a stated container keep theirs ("Dublin, Georgia" beside "Dublin, Ireland", where
    /// the others stay as they are), as do those whose own reading leads by more than
    /// [`ONE_SENSE_MARGIN`].
    fn one_sense(s: &mut Scratch) {
        let n = s.mentions.len();
        let same = |a: &Cand, b: Entry| a.e.kind == b.kind && a.e.index == b.index;
        for mi in 0..n {
            let key = s.name_keys[mi];
            if s.name_keys[..mi].contains(&key) {
                continue;
            }
            let of_name = || (mi..n).filter(|&j| s.name_keys[j] == key);
            let first = s.cands[s.mentions[mi].best].e;
            if of_name().all(|j| same(&s.cands[s.mentions[j].best], first)) {
                continue;
            }
            let mut stated = of_name()
                .filter(|&j| s.mentions[j].stated)
                .map(|j| s.cands[s.mentions[j].best].e);
            let reading = match stated.next() {
                Some(e) if stated.all(|o| o == e) => e,
                Some(_) => continue,
                None => {
                    // The reading with the most evidence: its prior once, as the name is one,
                    // and what each mention's context adds to it.
                    let m = s.mentions[mi];
                    let mut best: Option<(Entry, f32)> = None;
                    for c in &s.cands[m.c0..m.c1] {
                        let context: f32 = of_name()
                            .filter_map(|j| {
                                let o = s.mentions[j];
                                let x = s.cands[o.c0..o.c1].iter().find(|x| same(x, c.e))?;
                                Some(x.score - x.prior)
                            })
                            .sum();
                        let total = c.prior + context;
                        if best.is_none_or(|(_, t)| total > t) {
                            best = Some((c.e, total));
                        }
                    }
                    let Some((e, _)) = best else { continue };
                    e
                }
            };
            for j in (mi..n).filter(|&j| s.name_keys[j] == key) {
                let m = s.mentions[j];
                if m.stated {
                    continue;
                }
                let cands = &s.cands[m.c0..m.c1];
                if let Some(k) = cands.iter().position(|c| same(c, reading)) {
                    if cands[k].score >= s.cands[m.best].score - ONE_SENSE_MARGIN {
                        s.mentions[j].best = m.c0 + k;
                        s.mentions[j].conf = confidence(cands, k);
                    }
                }
            }
        }
    }

    /// Chooses each mention's best candidate and its confidence; drops lone, small, uncued places
    /// with no support.
    fn choose(s: &mut Scratch) {
        for mi in 0..s.mentions.len() {
            let m = s.mentions[mi];
            let cands = &s.cands[m.c0..m.c1];
            let bi = best_of(cands);
            let b = cands[bi];
            let conf = confidence(cands, bi);
            let mm = &mut s.mentions[mi];
            mm.best = m.c0 + bi;
            mm.conf = conf;
            // A lone, small, uncued place with no support is more likely a word or a surname.
            if b.e.kind == EntryKind::Place && b.score < 0.42 && !m.cue && !m.place_hint {
                mm.keep = false;
            }
            if b.e.kind == EntryKind::Demonym && b.score < 0.8 {
                mm.conf *= 0.8;
            }
        }
    }

    /// A small town or district far from the one province where the text's other places lie,
    /// which the text does not place with a container and which has no namesake in that
    /// province, is most likely a local place the gazetteer lacks or no place at all ("Twin
    /// Lakes" in a flood report from Minnesota is not Twin Lakes, Florida; "Welch" in a story
    /// from Missouri is a person): no toponym rather than a point in another state.
    fn drop_strays(s: &mut Scratch) {
        let lead = s.lead_country;
        if lead == NONE || s.mentions.len() < 4 {
            return;
        }
        // The province of each distinct name's chosen place or district in the lead country.
        let provinces = &mut s.own_mass;
        provinces.clear();
        let mut names = 0usize;
        for (mi, m) in s.mentions.iter().enumerate() {
            if !m.keep || s.name_keys[..mi].contains(&s.name_keys[mi]) {
                continue;
            }
            let b = &s.cands[m.best];
            if b.country != lead || b.admin1 == NONE || b.e.kind == EntryKind::Admin1 {
                continue;
            }
            names += 1;
            match provinces.iter_mut().find(|x| x.0 == b.admin1) {
                Some(x) => x.1 += 1.0,
                None => provinces.push((b.admin1, 1.0)),
            }
        }
        // The first province with the most names, if two names or more and at least half of
        // them lie there.
        let mut home = None;
        for &(a, n) in provinces.iter() {
            if home.is_none_or(|(_, best)| n > best) {
                home = Some((a, n));
            }
        }
        let Some((home, n)) = home else {
            return;
        };
        if n < 2.0 || 2.0 * n < names as f32 {
            return;
        }
        for mi in 0..s.mentions.len() {
            let m = s.mentions[mi];
            let b = s.cands[m.best];
            // A cue ("near Twin Lakes") says place, not which one.
            if !m.keep
                || !matches!(b.e.kind, EntryKind::Place | EntryKind::Admin2)
                || b.population >= BIG_PLACE
                || b.admin1 == home
                || s.cands[m.c0..m.c1].iter().any(|c| c.admin1 == home)
            {
                continue;
            }
            // Placed by the text: a container right after it ("Twin Lakes, Fla.").
            if s.mentions
                .get(mi + 1)
                .is_some_and(|o| Self::container_gap(&s.folded.text, &m, o))
            {
                continue;
            }
            let near = s.mentions.iter().any(|o| {
                let c = &s.cands[o.best];
                o.keep
                    && c.admin1 == home
                    && matches!(c.e.kind, EntryKind::Place | EntryKind::Admin2)
                    && approx_km(b.lat, b.lon, c.lat, c.lon) < STRAY_KM
            });
            if !near {
                s.mentions[mi].keep = false;
            }
        }
    }

    /// Whether the folded word `w` is a name of the gazetteer and no common word ("Chad",
    /// "Hinton"; not "Sheriff", "Police", "Medical").
    fn names_a_place(&self, w: &str) -> bool {
        w.len() >= 3
            && !SET_COMMON.has(w)
            && !SET_CITY_BODIES.has(w)
            && self.gazetteer.names().get(w).is_some()
    }

    /// A district named without the generic word of its name gives way to the mention's best
    /// other candidate, or is no toponym, where the text would have written "County" if it meant
    /// that one:
    /// - abroad (in a text about another country) and without a cue for a place ("Prince" for
    ///   Prince County, Prince Edward Island; "Cheshire" for Cheshire County, New Hampshire):
    ///   racehorses, people and English counties share such names;
    /// - right before another capitalised word that names a place, which makes it part of a
    ///   longer name the gazetteer lacks: "Lake Chad" is not Lake County, Illinois, nor "Cherry
    ///   Hinton" Cherry County, Nebraska.
    fn drop_bare_divisions(&self, s: &mut Scratch) {
        let lead = s.lead_country;
        // Whether a candidate is a district whose name has a generic word (the mention, which
        // has none, names it without it).
        let bare = |c: &Cand| {
            c.e.kind == EntryKind::Admin2
                && self.gazetteer.admin2_rec(c.e.index).is_some_and(|rec| {
                    let name = crate::fold::fold(self.gazetteer.area_name(rec));
                    words::strip_generics(&name).is_some()
                })
        };
        for mi in 0..s.mentions.len() {
            let m = s.mentions[mi];
            let best = &s.cands[m.best];
            if !bare(best) || names_generic(&s.folded.text[m.fstart..m.fend]) {
                continue;
            }
            let abroad = lead != NONE && best.country != lead && !m.cue && !m.place_hint;
            let t = &s.folded.text;
            let before_name = t.as_bytes().get(m.fend) == Some(&b' ')
                && word_after(t, m.fend).is_some_and(|(a, z)| {
                    Self::case_at(s, a) == CASE_UPPER && self.names_a_place(&t[a..z])
                });
            if !abroad && !before_name {
                continue;
            }
            // The best of the other candidates ("Los Angeles" the city, not the county), if any.
            let mut next: Option<usize> = None;
            for (k, c) in s.cands[m.c0..m.c1].iter().enumerate() {
                if m.c0 + k != m.best && next.is_none_or(|n| c.score > s.cands[n].score) && !bare(c)
                {
                    next = Some(m.c0 + k);
                }
            }
            match next {
                Some(n) => s.mentions[mi].best = n,
                None => s.mentions[mi].keep = false,
            }
        }
    }

    /// Name coherence: a place or district whose province could also hold the text's other
    /// names. Each distinct name spreads one unit evenly over the provinces its candidates lie
    /// in, so a name found in one province only ("Platte County" in three states, "Cuyahoga
    /// Falls" in one) says more than one found in twenty ("Columbus"); a candidate gains in
    /// proportion to what the other names give its province. Local news names several places
    /// of one state, where each name alone is ambiguous and a bigger namesake elsewhere would
    /// win on population.
    fn name_coherence(s: &mut Scratch) {
        if s.mentions.len() < 2 {
            return;
        }
        let pairs = &mut s.name_provinces;
        pairs.clear();
        let quiet = &mut s.quiet_names;
        quiet.clear();
        // The names' keys are those `country_context` made, earlier in `resolve`.
        debug_assert_eq!(s.name_keys.len(), s.mentions.len());
        for (m, &key) in s.mentions.iter().zip(&s.name_keys) {
            // A name that may be a country or a big city most likely is that one, and says
            // nothing of which small namesakes' province the text is about ("Cairo", "Rome").
            if s.cands[m.c0..m.c1].iter().any(|c| match c.e.kind {
                EntryKind::Country | EntryKind::CountryAbbrev | EntryKind::Demonym => true,
                EntryKind::Place => c.population >= BIG_PLACE,
                _ => false,
            }) {
                quiet.push(key);
            }
            for c in &s.cands[m.c0..m.c1] {
                if c.admin1 != NONE
                    && matches!(
                        c.e.kind,
                        EntryKind::Place | EntryKind::Admin2 | EntryKind::Admin1
                    )
                {
                    pairs.push((key, c.admin1));
                }
            }
        }
        pairs.sort_unstable();
        pairs.dedup();
        quiet.sort_unstable();
        quiet.dedup();
        // Each name's share per province, then the provinces' totals.
        let support = &mut s.province_support;
        support.clear();
        for run in pairs.chunk_by(|a, b| a.0 == b.0) {
            if quiet.binary_search(&run[0].0).is_ok() {
                continue;
            }
            let share = 1.0 / run.len() as f32;
            support.extend(run.iter().map(|&(_, a)| (a, share)));
        }
        support.sort_unstable_by_key(|x| x.0);
        support.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                kept.1 += later.1;
            }
            same
        });
        for mi in 0..s.mentions.len() {
            let m = s.mentions[mi];
            if m.c1 - m.c0 < 2 {
                continue;
            }
            // Not for names of states and countries ("Georgia", "Washington").
            if names_major_area(&s.cands[m.c0..m.c1], s.lead_country) {
                continue;
            }
            let key = s.name_keys[mi];
            let from = pairs.partition_point(|p| p.0 < key);
            let own_share = if quiet.binary_search(&key).is_ok() {
                0.0
            } else {
                1.0 / pairs[from..].partition_point(|p| p.0 == key).max(1) as f32
            };
            for c in &mut s.cands[m.c0..m.c1] {
                if c.admin1 == NONE || !matches!(c.e.kind, EntryKind::Place | EntryKind::Admin2) {
                    continue;
                }
                let total = support
                    .binary_search_by_key(&c.admin1, |x| x.0)
                    .map_or(0.0, |k| support[k].1);
                let others = (total - own_share).max(0.0);
                if others >= COHERENCE_MIN {
                    c.score += COHERENCE_WEIGHT * others.min(COHERENCE_CAP);
                }
            }
        }
    }

    /// Whether the text between two consecutive mentions states that the second contains the
    /// first: only commas, brackets, dashes and "in"/"of"/"the"/"area" ("X, Y", "X (Y)", "X in
    /// Y", "X area of Y").
    /// Whether a mention qualifies the lower-case word after it ("U.S. officials", "Russian
    /// forces", "Syria envoy"): a country so named is the speaker or the actor, not the
    /// container of the name before it ("Maiduguri, U.S. officials said"). Demonyms always are.
    fn attributive(s: &Scratch, o: &Mention) -> bool {
        if s.cands[o.c0..o.c1]
            .iter()
            .all(|c| c.e.kind == EntryKind::Demonym)
        {
            return true;
        }
        let t = &s.folded.text;
        if t.as_bytes().get(o.fend) != Some(&b' ') || Self::case_at(s, o.fend + 1) != CASE_LOWER {
            return false;
        }
        let Some((a, z)) = word_after(t, o.fend) else {
            return false;
        };
        let w = &t[a..z];
        !SET_FUNCTION_WORDS.has(w) && !SET_SPEECH.has(w)
    }

    fn container_gap(t: &str, m: &Mention, o: &Mention) -> bool {
        if m.fend > o.fstart {
            return false;
        }
        let gap = &t[m.fend..o.fstart];
        // "Egypt-US relations", "the Paris-Berlin line": a compound, not a container.
        if gap.len() > 24 || gap == "-" {
            return false;
        }
        // Generic words too: "Nassau and Baker counties in Florida".
        gap.split(|c: char| c.is_whitespace() || matches!(c, ',' | '(' | '-'))
            .all(|w| {
                matches!(w, "" | "in" | "of" | "the" | "area" | "areas" | "part")
                    || SET_ADMIN_GENERICS.has(w)
                    || words::PLURAL_GENERICS.contains(&w)
            })
            && gap.chars().any(|c| !c.is_whitespace())
    }

    /// "Zhari district, Kandahar": when a place is followed by a confident division or country that
    /// does not contain any of its candidates, or by a bigger town in another country ("the
    /// Chalala area of Lusaka"), the text's own hierarchy wins and the place (a homonym
    /// elsewhere, or a village the gazetteer lacks) is dropped.
    fn prune_against_containers(&self, s: &mut Scratch) {
        let t = &s.folded.text;
        for mi in 0..s.mentions.len().saturating_sub(1) {
            let (m, o) = (s.mentions[mi], s.mentions[mi + 1]);
            let b = s.cands[m.best];
            if !matches!(b.e.kind, EntryKind::Place | EntryKind::Admin2) || m.fend > o.fstart {
                continue;
            }
            let gap = t[m.fend..o.fstart].trim();
            // "X, Y", "X (Y", or a chain that ends in a stated container ("Band Sharan of Ab
            // Kamari district, Badghis").
            let chain = o.sentence == m.sentence
                && o.fstart - m.fend <= 60
                && Self::container_position(t, o.fstart)
                && s.cands[o.best].e.kind == EntryKind::Admin1;
            // "The Chalala area of Lusaka", "the outskirts of Goma".
            let part_of = PART_OF_GAPS.contains(&gap);
            if !matches!(gap, "," | "in" | "(" | ", in" | "of" | "-") && !chain && !part_of {
                continue;
            }
            let ob = s.cands[o.best];
            // "Maiduguri, U.S. officials said": a country named to qualify a noun is no container.
            if is_country_kind(ob.e.kind) && s.attributive[mi + 1] {
                continue;
            }
            // A bigger town as the container ("Chalala, Lusaka") states the country of a small
            // place, unless the two are items of a list ("Copenhagen, Hamburg and Mannheim") or
            // of a compound ("the Paris-Berlin line").
            let town = ob.e.kind == EntryKind::Place
                && gap != "-"
                && b.population < BIG_PLACE
                && ob.population > b.population
                && !Self::in_list(s, mi);
            let inside = |c: &Cand| match ob.e.kind {
                EntryKind::Admin1 => c.admin1 == ob.e.index,
                EntryKind::Country | EntryKind::CountryAbbrev => c.country == ob.e.index,
                EntryKind::Place if town => c.country == ob.country,
                _ => true,
            };
            if o.conf >= 0.4 && !s.cands[m.c0..m.c1].iter().any(inside) {
                s.mentions[mi].keep = false;
            }
        }
    }

    /// Whether mentions `mi` and `mi + 1` are part of a list of names ("Paris, London and
    /// Berlin"): one before them or one after them joined by a comma or a conjunction.
    fn in_list(s: &Scratch, mi: usize) -> bool {
        let t = &s.folded.text;
        let joined = |a: &Mention, b: &Mention| {
            a.fend <= b.fstart
                && matches!(
                    t[a.fend..b.fstart].trim(),
                    "," | "and" | "or" | "&" | ", and" | ", or"
                )
        };
        let m = &s.mentions[mi];
        let o = &s.mentions[mi + 1];
        mi.checked_sub(1).is_some_and(|p| joined(&s.mentions[p], m))
            || s.mentions.get(mi + 2).is_some_and(|n| joined(o, n))
    }

    /// A mention at the very start of the text, followed by "(Agency)", a dash or a comma and a
    /// date, is a dateline: where the story was filed, not necessarily where it happened.
    fn mark_datelines(&self, s: &mut Scratch) {
        let t = &s.folded.text;
        for mi in 0..s.mentions.len() {
            let m = s.mentions[mi];
            let before = t[..m.fstart].trim();
            if !(before.is_empty() || before.ends_with('\n')) || m.fstart > 40 {
                continue;
            }
            let after = t[m.fend..].trim_start();
            let after = after.trim_start_matches([',', ' ']);
            let dateline = after.starts_with('(')
                || after.starts_with("- ")
                || after.starts_with("-- ")
                || after.starts_with('\u{2014}')
                || after.starts_with(':')
                || Self::all_caps(s, m.fstart, m.fend) && t[m.fend..].starts_with(',');
            if dateline {
                s.mentions[mi].dateline = true;
                // "BELGRADE, Minn. --": the dateline's state is part of it.
                if let Some(o) = s.mentions.get(mi + 1) {
                    if o.fstart >= m.fend && t[m.fend..o.fstart].trim() == "," {
                        s.mentions[mi + 1].dateline = true;
                    }
                }
            }
        }
    }

    fn to_location(&self, s: &Scratch, m: &Mention) -> Option<Location> {
        let c = s.cands[m.best];
        let e = match c.e.kind {
            EntryKind::Demonym | EntryKind::CountryAbbrev => Entry {
                kind: EntryKind::Country,
                ..c.e
            },
            _ => c.e,
        };
        self.gazetteer
            .location(e, m.start, m.end, f64::from(m.conf))
    }

    fn output(&self, s: &mut Scratch) -> Geocoding {
        let mut locations = Vec::with_capacity(s.mentions.len());
        let mut kept: Vec<usize> = Vec::with_capacity(s.mentions.len());
        for (k, m) in s.mentions.iter().enumerate() {
            if !m.keep {
                continue;
            }
            if let Some(l) = self.to_location(s, m) {
                locations.push(l);
                kept.push(k);
            }
        }
        let focus = self.focus(s, &kept, &locations);
        // The focus weighed them all; the list keeps those the geocoder is sure of, and the focus.
        locations.retain(|l| {
            l.score >= self.min_score
                || focus
                    .as_ref()
                    .is_some_and(|f| f.start == l.start && f.end == l.end)
        });
        if !s.regions.is_empty() {
            locations.extend(self.region_locations(s));
            locations.sort_by_key(|l| l.start);
        }
        Geocoding { locations, focus }
    }

    /// The world regions the text names, as locations without a country.
    fn region_locations(&self, s: &Scratch) -> Vec<Location> {
        s.regions
            .iter()
            .map(|&(st, e, k)| {
                let (_, name, lat, lon) = words::WORLD_REGIONS[k];
                let (start, end) = s.folded.span(st, e);
                Location {
                    name: name.to_string(),
                    start,
                    end,
                    geonameid: None,
                    lat: f64::from(lat),
                    lon: f64::from(lon),
                    country: String::new(),
                    admin1: None,
                    admin1_name: None,
                    admin2: None,
                    level: Level::Region,
                    score: 0.5,
                }
            })
            .collect()
    }

    /// The location of the reported event.
    fn focus(&self, s: &Scratch, kept: &[usize], locations: &[Location]) -> Option<Location> {
        if locations.is_empty() {
            return None;
        }
        // Dominant country of the resolved mentions.
        let mut votes: Vec<(u32, f32)> = Vec::new();
        for &k in kept {
            let m = &s.mentions[k];
            let c = s.cands[m.best];
            // A venue ("told reporters in New York") or a capital speaking for its government
            // ("Washington condemned the massacre in Bucha") says little of where it happened.
            let speaks = Self::venue(s, m) || self.capital_speaks(s, m, &c);
            let w = m.conf
                * match c.e.kind {
                    EntryKind::Demonym => 0.5,
                    _ => 1.0,
                }
                * if speaks { 0.4 } else { 1.0 };
            match votes.iter_mut().find(|v| v.0 == c.country) {
                Some(v) => v.1 += w,
                None => votes.push((c.country, w)),
            }
        }
        for &(c, w) in &s.hints {
            match votes.iter_mut().find(|v| v.0 == c) {
                Some(v) => v.1 += 0.6 * w,
                None => votes.push((c, 0.6 * w)),
            }
        }
        votes.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let dominant = votes.first().map(|v| v.0);
        let text_len = s.folded.text.len().max(1) as f32;
        let mut best: Option<(f32, usize)> = None;
        for (li, &k) in kept.iter().enumerate() {
            let m = &s.mentions[k];
            let c = s.cands[m.best];
            let level_w = match c.e.kind {
                EntryKind::Place => 1.0,
                EntryKind::Admin2 => 0.85,
                EntryKind::Admin1 | EntryKind::Admin1Abbrev => 0.75,
                EntryKind::Country | EntryKind::CountryAbbrev => 0.45,
                EntryKind::Demonym => 0.25,
            };
            let mut f = m.conf * level_w + 0.15 * (1.0 - m.fstart as f32 / text_len);
            if m.cue {
                f += 0.15;
            }
            if m.dateline && kept.len() > 1 {
                f -= 0.6;
            }
            if Self::venue(s, m) {
                f -= 0.4;
            }
            if Some(c.country) != dominant {
                f -= 0.3;
            }
            // A capital in a statement ("the government in Khartoum said"), unless another
            // country speaks in that sentence ("The United States announced sanctions on the
            // head of the Kinshasa police": Kinshasa is what it is about).
            let foreign_speaker = || {
                kept.iter().any(|&o| {
                    let om = &s.mentions[o];
                    let oc = s.cands[om.best];
                    om.sentence == m.sentence
                        && oc.country != c.country
                        && matches!(
                            oc.e.kind,
                            EntryKind::Country | EntryKind::CountryAbbrev | EntryKind::Demonym
                        )
                })
            };
            if c.e.kind == EntryKind::Place
                && self.gazetteer.place(c.e.index).is_some_and(|p| p.rank == 6)
                && self.sentence_has_statement(s, m.sentence)
                && !foreign_speaker()
            {
                f -= 0.25;
            }
            if best.is_none_or(|(bf, _)| f > bf) {
                best = Some((f, li));
            }
        }
        let (_, mut li) = best?;
        // The most specific place the same sentence puts inside the chosen division ("in the
        // village of Dassari (Materi, Atacora)": Materi, not Atacora).
        loop {
            let fm = &s.mentions[kept[li]];
            let fc = s.cands[fm.best];
            let mut better: Option<(f32, usize)> = None;
            for (lj, &k) in kept.iter().enumerate() {
                let m = &s.mentions[k];
                let c = s.cands[m.best];
                if m.conf < 0.3 || m.dateline || m.sentence != fm.sentence {
                    continue;
                }
                let inside = match fc.e.kind {
                    EntryKind::Admin1 => {
                        matches!(c.e.kind, EntryKind::Place | EntryKind::Admin2)
                            && c.admin1 == fc.e.index
                    }
                    EntryKind::Admin2 => c.e.kind == EntryKind::Place && c.admin2 == fc.e.index,
                    EntryKind::Country | EntryKind::CountryAbbrev | EntryKind::Demonym => {
                        matches!(
                            c.e.kind,
                            EntryKind::Place | EntryKind::Admin2 | EntryKind::Admin1
                        ) && c.country == fc.country
                    }
                    _ => false,
                };
                let w = m.conf
                    * match c.e.kind {
                        EntryKind::Place => 1.0,
                        EntryKind::Admin2 => 0.9,
                        _ => 0.8,
                    };
                if inside && better.is_none_or(|(bw, _)| w > bw) {
                    better = Some((w, lj));
                }
            }
            match better {
                Some((_, lj)) => li = lj,
                None => break,
            }
        }
        let m = &s.mentions[kept[li]];
        let loc = &locations[li];
        // A nationality ("Kenyan forces repel an al-Shabaab attack") or an unsure place in a
        // country the text never names nor implies by a nationality, against the country its actors or outlets imply: that
        // country.
        let fc = s.cands[m.best];
        let named = kept.iter().any(|&k| {
            let o = s.cands[s.mentions[k].best];
            matches!(
                o.e.kind,
                EntryKind::Country | EntryKind::CountryAbbrev | EntryKind::Demonym
            ) && o.country == fc.country
        });
        if let Some(hc) = Self::hint_country(&s.hints) {
            let hinted = s.hints.iter().any(|h| h.0 == fc.country);
            if hc != fc.country
                && !hinted
                && (fc.e.kind == EntryKind::Demonym || (m.conf < 0.75 && !named))
            {
                if let Some(l) = self.hint_focus(&s.hints, &s.provinces) {
                    return Some(l);
                }
            }
        }
        // A country named without any place in it, by a report whose actors imply a province
        // there ("Nigerian troops dislodged Boko Haram"): that province.
        if loc.level == Level::Country {
            if let Some(mut l) = self.in_hinted_province(fc.country, &s.provinces, loc.score) {
                (l.start, l.end) = (loc.start, loc.end);
                return Some(l);
            }
        }
        // Low confidence in a place: fall back to a division or country the text supports.
        if loc.level != Level::Country && m.conf < 0.45 {
            let c = s.cands[m.best];
            let supported_admin1 = kept.iter().any(|&k| {
                let o = s.cands[s.mentions[k].best];
                o.e.kind == EntryKind::Admin1 && o.e.index == c.admin1
            });
            let e = if c.admin1 != NONE
                && (supported_admin1 || m.conf >= 0.3)
                && loc.level != Level::Admin1
            {
                Entry {
                    kind: EntryKind::Admin1,
                    alternate: false,
                    index: c.admin1,
                }
            } else {
                Entry {
                    kind: EntryKind::Country,
                    alternate: false,
                    index: c.country,
                }
            };
            if let Some(mut l) = self
                .gazetteer
                .location(e, loc.start, loc.end, f64::from(m.conf))
            {
                l.admin2 = None;
                return Some(l);
            }
        }
        Some(loc.clone())
    }

    /// Whether a mention is where something was said or where people took refuge, not where the
    /// event happened: "told reporters in New York", "a news conference in Nairobi", "refugees
    /// arriving in Adré".
    /// Whether a mention is a capital that speaks for its government: followed by a verb of
    /// statement ("Washington condemned", "Moscow denied").
    fn capital_speaks(&self, s: &Scratch, m: &Mention, c: &Cand) -> bool {
        let t = &s.folded.text;
        c.e.kind == EntryKind::Place
            && self.gazetteer.place(c.e.index).is_some_and(|p| p.rank == 6)
            && word_after(t, m.fend)
                .is_some_and(|(a, z)| SET_STATEMENT.has(&t[a..z]) || SET_SPEECH.has(&t[a..z]))
    }

    fn venue(s: &Scratch, m: &Mention) -> bool {
        let t = &s.folded.text;
        let Some((a, z)) = word_before(t, m.fstart) else {
            return false;
        };
        if !matches!(&t[a..z], "in" | "at") {
            return false;
        }
        word_before(t, a).is_some_and(|(a, z)| SET_VENUE.has(&t[a..z]))
    }

    fn sentence_has_statement(&self, s: &Scratch, sentence: usize) -> bool {
        let t = &s.folded.text;
        let start = if sentence == 0 {
            0
        } else {
            s.sentences.get(sentence - 1).copied().unwrap_or(0)
        };
        let end = s
            .sentences
            .get(sentence)
            .copied()
            .unwrap_or(t.len())
            .min(t.len());
        t.get(start..end).is_some_and(|sent| {
            sent.split(|c: char| !c.is_alphanumeric())
                .any(|w| SET_STATEMENT.has(w))
        })
    }
}

/// A folded span with whitespace runs collapsed to single spaces.
fn normalize(t: &str) -> String {
    t.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// FNV-1a hash of a folded word, for the per-text sets of words.
fn hash_word(w: &str) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for &b in w.as_bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x100000001b3);
    }
    h
}

/// Equirectangular distance in km: cheap, and close enough to the great circle at the scales
/// it serves (the proximity bonus, tens to hundreds of km; a place's nearest neighbour in the
/// gazetteer build).
pub(crate) fn approx_km(lat1: f32, lon1: f32, lat2: f32, lon2: f32) -> f32 {
    let x = (lon2 - lon1).to_radians() * ((lat1 + lat2) / 2.0).to_radians().cos();
    let y = (lat2 - lat1).to_radians();
    6371.0 * (x * x + y * y).sqrt()
}

/// Whether `c` lies in the division `area` is ("Masvingo", the town, in Masvingo, the province):
/// the two readings agree on the division.
fn inside_area(c: &Cand, area: &Cand) -> bool {
    match area.e.kind {
        EntryKind::Admin1 => c.admin1 == area.e.index,
        EntryKind::Admin2 => c.admin2 == area.e.index,
        _ => false,
    }
}

fn same_area(a: &Cand, b: &Cand) -> bool {
    a.country == b.country && a.admin1 == b.admin1 && approx_km(a.lat, a.lon, b.lat, b.lon) < 30.0
}

/// Whether some candidate is, by its own name, a country, a nationality or a province
/// ("Hawaii", "Georgia", "Sudanese"). A province abroad (not in `lead`, the country the text is
/// most about) that is named for a city holding half its people is that city rather than a
/// major area: "Alexandria" in American local news is not Egypt's governorate.
fn names_major_area(cands: &[Cand], lead: u32) -> bool {
    cands.iter().any(|c| {
        !c.e.alternate
            && match c.e.kind {
                EntryKind::Country | EntryKind::Demonym => true,
                EntryKind::Admin1 => {
                    lead == NONE
                        || c.country == lead
                        || !cands.iter().any(|p| {
                            p.e.kind == EntryKind::Place
                                && p.admin1 == c.e.index
                                && p.population >= BIG_PLACE
                                && u64::from(p.population) * 2 >= u64::from(c.population)
                        })
                }
                _ => false,
            }
    })
}

/// Whether a folded mention carries a generic word beside its name ("boone county", "gulf of
/// mexico"): [`words::strip_generics`] would strip something, without building what is left.
fn names_generic(folded: &str) -> bool {
    let (mut generic, mut other) = (false, false);
    for w in folded.split([' ', '-']).filter(|w| !w.is_empty()) {
        if matches!(w, "of" | "de" | "du") || SET_ADMIN_GENERICS.has(w) {
            generic = true;
        } else {
            other = true;
        }
    }
    generic && other
}

/// A country's entry: by name, abbreviation or demonym.
fn is_country_kind(k: EntryKind) -> bool {
    matches!(
        k,
        EntryKind::Country | EntryKind::CountryAbbrev | EntryKind::Demonym
    )
}

/// Whether a candidate is a country or a nationality, which no stated container holds.
fn is_area_name(c: &Cand) -> bool {
    matches!(
        c.e.kind,
        EntryKind::Country | EntryKind::CountryAbbrev | EntryKind::Demonym
    )
}

/// A mention's confidence in its reading `cands[bi]`: its score and its lead over the best
/// reading elsewhere (readings in the same area, inside the division it reads, or the division
/// that holds it, agree with it: "Kharkiv" the city and Kharkiv oblast).
fn confidence(cands: &[Cand], bi: usize) -> f32 {
    let b = cands[bi];
    let second = cands
        .iter()
        .enumerate()
        .filter(|&(k, c)| {
            k != bi && !same_area(c, &b) && !inside_area(c, &b) && !inside_area(&b, c)
        })
        .map(|(_, c)| c.score)
        .fold(0.0f32, f32::max);
    (0.25 + 0.3 * (b.score / 1.6).min(1.0) + 0.6 * (b.score - second).clamp(0.0, 0.75))
        .clamp(0.05, 1.0)
}

/// Index of the best candidate: highest score, then population, then first.
fn best_of(cands: &[Cand]) -> usize {
    let mut bi = 0;
    for (k, c) in cands.iter().enumerate().skip(1) {
        let b = &cands[bi];
        if c.score > b.score || (c.score == b.score && c.population > b.population) {
            bi = k;
        }
    }
    bi
}

/// Spreads one unit over the admin1 divisions of `cands` (those with one), in proportion to their
/// squared priors.
fn add_admin1_mass(cands: &[Cand], acc: &mut Vec<(u32, f32)>) {
    let total: f32 = cands
        .iter()
        .filter(|c| c.admin1 != NONE)
        .map(|c| c.prior.max(0.01).powi(2))
        .sum();
    if total <= 0.0 {
        return;
    }
    for c in cands.iter().filter(|c| c.admin1 != NONE) {
        let w = c.prior.max(0.01).powi(2) / total;
        match acc.iter_mut().find(|x| x.0 == c.admin1) {
            Some(x) => x.1 += w,
            None => acc.push((c.admin1, w)),
        }
    }
}

/// Spreads `mass` over the countries of `cands`, in proportion to their squared priors.
fn add_country_mass(cands: &[Cand], acc: &mut Vec<(u32, f32)>, mass: f32) {
    let total: f32 = cands.iter().map(|c| c.prior.max(0.01).powi(2)).sum();
    if total <= 0.0 {
        return;
    }
    for c in cands {
        let w = mass * c.prior.max(0.01).powi(2) / total;
        match acc.iter_mut().find(|x| x.0 == c.country) {
            Some(x) => x.1 += w,
            None => acc.push((c.country, w)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fold::char_slice;

    fn geocoder() -> Geocoder {
        Geocoder::new(Arc::new(crate::gazetteer::tests::fixture()))
    }

    /// Asserts the country of the focus the geocoder finds in `text`.
    #[track_caller]
    fn assert_focus_country(gc: &Geocoder, text: &str, country: &str) {
        let g = gc.geocode(text);
        let f = g
            .focus
            .as_ref()
            .unwrap_or_else(|| panic!("no focus in {text:?}: {g:?}"));
        assert_eq!(f.country, country, "{text:?}: {f:?}");
    }

    fn names(g: &Geocoding) -> Vec<(String, String)> {
        g.locations
            .iter()
            .map(|l| (l.name.clone(), l.country.clone()))
            .collect()
    }

    /// Asserts the (name, country) pairs of the locations found, in order.
    #[track_caller]
    fn assert_names(g: &Geocoding, want: &[(&str, &str)]) {
        let want: Vec<(String, String)> = want
            .iter()
            .map(|&(n, c)| (n.to_string(), c.to_string()))
            .collect();
        assert_eq!(names(g), want, "{g:?}");
    }

    #[test]
    fn finds_places_with_spans_in_code_points() {
        let gc = geocoder();
        let text = "Au moins 12 civils tués à El Geneina, Soudan.";
        let g = gc.geocode(text);
        let l = &g.locations[0];
        assert_eq!(l.name, "El Geneina");
        assert_eq!(char_slice(text, l.start, l.end), "El Geneina");
        assert_eq!(l.admin1.as_deref(), Some("SD.47"));
        assert_eq!(g.focus.as_ref().map(|f| f.country.as_str()), Some("SD"));
        for w in g.locations.windows(2) {
            assert!(w[0].start <= w[1].start);
        }
    }

    #[test]
    fn common_words_need_a_place_cue() {
        let gc = geocoder();
        let g = gc.geocode("Police said the attack killed three people.");
        assert!(g.locations.is_empty(), "{:?}", names(&g));
        assert!(g.focus.is_none());
        let g = gc.geocode("Two men were arrested in Police, a town in Poland.");
        assert!(
            names(&g).contains(&("Police".into(), "PL".into())),
            "{:?}",
            names(&g)
        );
    }

    #[test]
    fn lowercase_words_and_person_names_are_not_places() {
        let gc = geocoder();
        let g = gc.geocode("the police in kabul said nothing; Chiquita Raquel Henry was charged.");
        assert!(g.locations.is_empty(), "{:?}", names(&g));
        let g = gc.geocode("Sheriff Henry spoke at 6016 Dublin Road yesterday.");
        assert!(g.locations.is_empty(), "{:?}", names(&g));
        // Abbreviations only count in capitals.
        let g = gc.geocode("Let us go. The US said so.");
        assert_eq!(
            names(&g),
            vec![("United States".to_string(), "US".to_string())]
        );
    }

    #[test]
    fn admin_hierarchy_disambiguates() {
        let gc = geocoder();
        // Gumla exists in Jharkhand and in Uttar Pradesh; the text names Jharkhand.
        let g = gc.geocode("Konmendra village in Gumla district, Jharkhand, was attacked.");
        let gumla = &g.locations[0];
        assert_eq!(gumla.admin1.as_deref(), Some("IN.38"), "{g:?}");
        assert_eq!(gumla.level, Level::Admin2);
        let f = g.focus.clone().expect("focus");
        assert_eq!(f.admin1.as_deref(), Some("IN.38"));
        // Dawlat Abad exists in three provinces and two countries.
        let g = gc.geocode("12 militants were killed in Dawlat Abad district, Balkh.");
        let f = g.focus.expect("focus");
        assert_eq!(f.country, "AF");
        assert_eq!(f.admin1.as_deref(), Some("AF.30"), "{f:?}");
    }

    /// "City" before a council is the council's: "Dublin City" (an alternate name of Dublin,
    /// Ireland) does not outweigh Laurens County, Georgia.
    #[test]
    fn city_before_a_city_body_is_not_part_of_the_name() {
        let gc = geocoder();
        let text = "Dublin City Council met on Monday in Laurens County, Georgia.";
        let g = gc.geocode(text);
        let dublin = &g.locations[0];
        assert_eq!(
            (dublin.name.as_str(), dublin.admin1.as_deref()),
            ("Dublin", Some("US.GA")),
            "{g:?}"
        );
        // Elsewhere the alternate name is Dublin's, Ireland.
        let g = gc.geocode("Dublin City was quiet on Monday. Laurens County, Georgia, was not.");
        assert_eq!(g.locations[0].country, "IE", "{g:?}");
    }

    /// One sense per name gives way where the text states a container for each mention.
    #[test]
    fn one_sense_keeps_stated_containers() {
        let gc = geocoder();
        let g = gc.geocode("From Dublin, Georgia, she flew to Dublin, Ireland.");
        let dublins: Vec<_> = g.locations.iter().filter(|l| l.name == "Dublin").collect();
        assert_eq!(dublins.len(), 2, "{g:?}");
        assert_eq!(
            (dublins[0].country.as_str(), dublins[1].country.as_str()),
            ("US", "IE"),
            "{g:?}"
        );
    }

    #[test]
    fn country_context_disambiguates() {
        let gc = geocoder();
        let g = gc.geocode("Protesters gathered in Alexandria, the second city of Egypt.");
        assert_eq!(
            g.focus.as_ref().map(|f| f.country.as_str()),
            Some("EG"),
            "{g:?}"
        );
        let g = gc.geocode("A fire in Alexandria, Louisiana destroyed two homes.");
        assert_eq!(g.locations[0].admin1.as_deref(), Some("US.LA"), "{g:?}");
        // Demonyms name countries.
        let g = gc.geocode("Sudanese forces shelled the town.");
        assert_eq!(
            g.focus.as_ref().map(|f| (f.country.as_str(), f.level)),
            Some(("SD", Level::Country))
        );
    }

    #[test]
    fn dateline_is_not_the_focus() {
        let gc = geocoder();
        let g = gc.geocode("BEIRUT (AP) — Gunmen killed nine villagers near Aleppo on Sunday, Syrian activists said.");
        let f = g.focus.clone().expect("focus");
        assert_eq!(f.name, "Aleppo", "{g:?}");
        assert_eq!(f.country, "SY");
        assert!(g.locations.iter().any(|l| l.name == "Beirut"));
    }

    #[test]
    fn capital_in_a_statement_is_not_the_focus() {
        let gc = geocoder();
        let g = gc.geocode("The government in Khartoum said 40 villagers were killed in Nyala.");
        assert_eq!(g.focus.map(|f| f.name), Some("Nyala".into()));
    }

    #[test]
    fn scores_are_in_range_and_output_is_deterministic() {
        let gc = geocoder();
        let text = "Clashes in Kabul and Balkh; Afghan officials in Damascus and Aleppo, Syria.";
        let a = gc.geocode(text);
        let b = gc.geocode(text);
        assert_eq!(a, b);
        assert!(!a.locations.is_empty());
        for l in &a.locations {
            assert!((0.0..=1.0).contains(&l.score), "{l:?}");
        }
    }

    #[test]
    fn multi_word_names_and_other_scripts() {
        // Readings, however unsure (the fixture gazetteer is small).
        let gc = geocoder().with_min_score(0.0);
        let g = gc.geocode(
            "قتل 5 في الجنينة أمس. Shelling hit Saint-Louis and the Central African Republic.",
        );
        let n = names(&g);
        assert!(n.contains(&("El Geneina".into(), "SD".into())), "{n:?}");
        assert!(
            n.contains(&("Central African Republic".into(), "CF".into())),
            "{n:?}"
        );
        assert!(n.contains(&("Saint-Louis".into(), "SN".into())), "{n:?}");
    }

    /// Regions without a division of their own resolve to the division that holds them, and
    /// only as whole names; divisions that GeoNames names in French resolve under their English
    /// names too.
    #[test]
    fn builtin_region_aliases() {
        let g = crate::gazetteer::tests::builtin();
        // Every division code names a division of the built-in gazetteer.
        let index = region_alias_index(&g);
        let resolved = words::REGION_ALIASES
            .iter()
            .filter(|(name, _)| index.values().flatten().any(|(n, _)| &**n == *name))
            .count();
        assert_eq!(resolved, words::REGION_ALIASES.len());
        let gc = Geocoder::new(g);
        let g = gc.geocode("Shelling killed 40 civilians in Eastern Ghouta on Monday.");
        let f = g.focus.expect("focus");
        assert_eq!(
            (f.admin1.as_deref(), f.level, f.start, f.end),
            (Some("SY.08"), Level::Admin1, 32, 46),
            "{f:?}"
        );
        let g = gc.geocode("South Ossetian militias burned Georgian villages near Tskhinvali.");
        let first = &g.locations[0];
        assert_eq!(
            (first.admin2.as_deref(), first.start, first.end),
            (Some("GE.73.10285963"), 0, 14),
            "{:?}",
            g.locations
        );
        // Not inside a longer word.
        let g = gc.geocode("Ghoutas and Ogadenis are no names here.");
        assert!(g.locations.is_empty(), "{:?}", g.locations);
        // GeoNames' "Nord Kivu" under its English name and with a hyphen: Beni is the town
        // there, not Bolivia's department.
        for text in [
            "Rebels attacked Beni in North Kivu on Monday.",
            "Rebels attacked Beni in Nord-Kivu on Monday.",
        ] {
            let g = gc.geocode(text);
            assert!(
                g.locations
                    .iter()
                    .all(|l| l.admin1.as_deref() == Some("CD.11")),
                "{text}: {:?}",
                g.locations
            );
            assert_eq!(g.locations.len(), 2, "{text}: {:?}", g.locations);
        }
        // An English name that another division bears already stays that division's.
        let g = gc.geocode("Separatists attacked a school in the North-West region of Cameroon.");
        assert_eq!(
            g.locations[0].admin1.as_deref(),
            Some("CM.07"),
            "{:?}",
            g.locations
        );
    }

    #[test]
    fn builtin_resolves_hard_cases() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let focus = |t: &str| {
            gc.geocode(t)
                .focus
                .unwrap_or_else(|| panic!("no focus in {t:?}"))
        };
        let f = focus("Konmendra village in Gumla district, Jharkhand, was attacked by a mob.");
        assert_eq!(f.admin1.as_deref(), Some("IN.38"), "{f:?}");
        let f = focus(
            "On 21 March 2020, 12 Taliban militants were killed in Dawlat Abad district, Balkh.",
        );
        assert_eq!(
            (f.country.as_str(), f.admin1.as_deref()),
            ("AF", Some("AF.30")),
            "{f:?}"
        );
        let f = focus(
            "BEIRUT (AP) — Government shelling killed 9 people in Idlib on Sunday, activists said.",
        );
        assert_eq!(f.country, "SY", "{f:?}");
        let f = focus("Armed men killed 5 civilians near Bambari, Ouaka, on Tuesday.");
        assert_eq!(f.admin1.as_deref(), Some("CF.11"), "{f:?}");
        let g = gc.geocode("Police said many people attended the Mission on that date.");
        assert!(g.locations.is_empty(), "{:?}", g.locations);
        // The country that holds the state before it, not the State of México.
        let g = gc.geocode("Migrants camped in Matias Romero, Oaxaca State, Mexico, on Wednesday.");
        let mexico = g.locations.iter().find(|l| l.start == 48).expect("Mexico");
        assert_eq!(mexico.level, Level::Country, "{:?}", g.locations);
    }

    #[test]
    fn builtin_parentheses_hierarchy_and_spelling_variants() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // "(X, Y)" after a village the gazetteer lacks: X is the commune of Toucountouna (its
        // town is GeoNames' Toukountouna, which has the commune's spelling only as an
        // alternate name); Y is its province Atakora, spelled Atacora.
        let g = gc.geocode(
            "Ten presumed JNIM individuals were spotted in the village of Tampatou \
             (Toucountouna, Atacora) on motorcycles.",
        );
        let f = g.focus.clone().expect("focus");
        assert_eq!(
            (f.country.as_str(), f.admin1.as_deref(), f.level),
            ("BJ", Some("BJ.08"), Level::Admin2),
            "{g:?}"
        );
        assert!(f.name.starts_with("Tou"), "{g:?}");
        assert!(g
            .locations
            .iter()
            .any(|l| l.level == Level::Admin1 && l.name == "Atakora"));
        // The focus descends from the province to the commune the sentence puts inside it.
        let f = gc
            .geocode("Poachers fired gunshots in the village of Dassari (Materi, Atacora).")
            .focus
            .expect("focus");
        assert_eq!(
            (f.name.as_str(), f.level),
            ("Matéri", Level::Place),
            "{f:?}"
        );
        // Provinces spelled otherwise than in GeoNames, named as containers.
        let f = gc
            .geocode("On 17 March 2020, 1 soldier was killed in Saydabad district, Wardak.")
            .focus
            .expect("focus");
        assert_eq!(f.admin1.as_deref(), Some("AF.27"), "{f:?}");
        // "Nimruz" is also a district of Iran; the Afghan text means the province Nimroz.
        let f = gc
            .geocode(
                "Taliban militants shot and killed 1 Afghan soldier, in Dehmazang of Kash Rod \
                 (Delaram) district, Nimruz.",
            )
            .focus
            .expect("focus");
        assert_eq!(f.admin1.as_deref(), Some("AF.19"), "{f:?}");
        // A district the text names, spelled otherwise than GeoNames' Nahr-e Saraj.
        let f = gc
            .geocode("1 policeman was killed in the Deh Adam Khan area of Nahri Saraj district, Helmand.")
            .focus
            .expect("focus");
        assert_eq!(
            (f.admin1.as_deref(), f.level),
            (Some("AF.10"), Level::Admin2),
            "{f:?}"
        );
        // "X district, Y": Y is the province, not its capital city.
        let g = gc.geocode("4 policemen were killed in Zhari district, Kandahar.");
        let f = g.focus.clone().expect("focus");
        assert_eq!(
            (f.admin1.as_deref(), f.level),
            (Some("AF.23"), Level::Admin1)
        );
        assert!(g.locations.iter().all(|l| l.country == "AF"), "{g:?}");
    }

    #[test]
    fn builtin_state_abbreviations_and_country_names() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode("BELGRADE, Minn. -- A woman was found dead in a house fire.");
        let l = &g.locations[0];
        assert_eq!(
            (l.name.as_str(), l.admin1.as_deref()),
            ("Belgrade", Some("US.MN"))
        );
        // The state is part of the dateline: the place, the only one, stays the focus.
        assert_eq!(g.focus.map(|f| f.name), Some("Belgrade".to_string()));
        let g = gc.geocode("A fire in Paris, Tenn., and another in Dallas, TX.");
        let a1: Vec<Option<&str>> = g.locations.iter().map(|l| l.admin1.as_deref()).collect();
        assert_eq!(
            a1,
            vec![Some("US.TN"), Some("US.TN"), Some("US.TX"), Some("US.TX")],
            "{g:?}"
        );
        // Abbreviations only count after a place and a comma.
        assert!(gc
            .geocode("Ill. health kept him home.")
            .locations
            .is_empty());
        // A country's name is the country, not Benin City, whatever the other country.
        let g = gc.geocode("Nigerian customs officers crossed the border to Benin.");
        assert!(
            g.locations
                .iter()
                .any(|l| l.name == "Benin" && l.level == Level::Country),
            "{g:?}"
        );
        // A capital is not a small homonym in the country the text also names.
        assert_focus_country(
            &gc,
            "Dozens held a protest in Kabul against the deal between the US and Taliban.",
            "AF",
        );
    }

    #[test]
    fn builtin_people_fragments_and_lower_case_are_not_places() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // A surname after a given name, then alone; a name next to a verb of speech.
        let g = gc.geocode("David Mills, 45, was arrested. Mills said he was home. Clark said no.");
        assert!(g.locations.is_empty(), "{:?}", g.locations);
        // Every word of a multi-word name capitalised: "The city" is not a town.
        assert!(gc
            .geocode("The city council met on Monday.")
            .locations
            .is_empty());
        // Fragments of a compound the gazetteer lacks are not Iranian towns.
        let g = gc.geocode("1 soldier was killed in the Dasht-e-Abdan area of Kunduz city.");
        assert_eq!(
            g.locations
                .iter()
                .map(|l| l.country.as_str())
                .collect::<Vec<_>>(),
            vec!["AF"],
            "{g:?}"
        );
        // Organisations named after a place keep it.
        let g = gc.geocode("Officers of the Alexandria Police Department arrived.");
        assert_eq!(g.locations.len(), 1, "{g:?}");
        // Acronyms in running text.
        assert!(gc
            .geocode("The NATO summit was a success.")
            .locations
            .is_empty());
    }

    #[test]
    fn builtin_metadata_fallback() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let text = "Students demonstrated to ask for the end of strikes.";
        let g = gc.geocode_report(text, None, Some("Agence Benin Press"), None);
        assert!(g.locations.is_empty());
        let f = g.focus.expect("focus");
        assert_eq!(
            (f.country.as_str(), f.level, f.start, f.end),
            ("BJ", Level::Country, 0, 0)
        );
        assert!(f.score <= 0.25);
        let f = gc
            .geocode_report(text, None, Some("Daily Nation (Kenya)"), None)
            .focus
            .expect("focus");
        assert_eq!(f.country, "KE");
        // Outlets with a worldwide beat, and metadata naming two countries, give nothing.
        assert!(gc
            .geocode_report(text, None, Some("Agence France Presse"), None)
            .focus
            .is_none());
        assert!(gc
            .geocode_report(text, Some("Kenya and Uganda"), None, None)
            .focus
            .is_none());
        // A place in the text wins over the metadata.
        let f = gc
            .geocode_report(
                "Gunmen killed 3 in Nyala.",
                None,
                Some("Agence Benin Press"),
                None,
            )
            .focus
            .expect("focus");
        assert_eq!(f.country, "SD");
    }

    #[test]
    fn residence_positions() {
        for (text, yes) in [
            ("at 1301 lafayette ave., lebanon", true),
            ("home, 508 cumberland st., lebanon", true),
            ("at 12b n. main street, lebanon", true),
            ("terry jolly, 60, lebanon", true),
            ("on the road, lebanon", false),
            ("30 houses on the road, lebanon", false),
            ("main st., lebanon", false),
            ("in 2006, lebanon", false),
            ("lebanon", false),
            ("at 1301 lafayette ave. lebanon", false),
        ] {
            let st = text.rfind("lebanon").expect("name");
            assert_eq!(residence_position(text, st), yes, "{text}");
        }
    }

    /// The country of the focus of `text` published at `url`.
    fn focus_country(gc: &Geocoder, text: &str, url: Option<&str>) -> String {
        let g = gc.geocode_report(text, None, None, url);
        g.focus.expect("focus").country
    }

    #[test]
    fn publisher_host_and_home_names() {
        let mut h = String::new();
        for (url, host) in [
            ("http://www.parispi.net/news/1", "parispi"),
            ("https://www.thisisoxfordshire.co.uk/x", "thisisoxfordshire"),
            ("chronicle.augusta.com", "chronicleaugusta"),
            ("https://www.news-leader.com:8080/a?b", "newsleader"),
            ("localhost", ""),
            ("", ""),
        ] {
            publisher_host(url, &mut h);
            assert_eq!(h, host, "{url}");
        }
        assert!(home_name("parispi", "paris"));
        assert!(home_name("thelancasterandmorecambecitizen", "lancaster"));
        assert!(home_name("newarkadvocate", "newark"));
        // Short names, names with other letters, and an empty host name nothing.
        assert!(!home_name("bclocalnews", "bc"));
        assert!(!home_name("columbuslocalnews", "dublin"));
        assert!(!home_name("parispi", "paris (tx)"));
        assert!(!home_name("", "paris"));
    }

    #[test]
    fn builtin_the_publishers_town_is_no_world_city_abroad() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let text = "The project bid was awarded to Midwest Restoration of Paris, the mayor of \
                    Huntingdon said.";
        let at = |url: Option<&str>| focus_country(&gc, text, url);
        assert_eq!(at(None), "FR");
        assert_eq!(at(Some("http://www.parispi.net/news/1")), "US");
        // With a country-code domain, the publisher's town is in that country.
        let text = "Twickenham pub hosts charity week. The George in Twickenham sets up its \
                    first annual charity week.";
        let at = |url: Option<&str>| focus_country(&gc, text, url);
        assert_eq!(at(Some("http://www.twickenhamnews.com/1")), "US");
        assert_eq!(
            at(Some("http://www.richmondandtwickenhamtimes.co.uk/1")),
            "GB"
        );
    }

    #[test]
    fn builtin_publisher_country_reads_the_country_code_domain() {
        let cc = |u: &str| publisher_country(u).map(|c| String::from_utf8_lossy(&c).into_owned());
        assert_eq!(cc("http://www.lfpress.ca/news/1"), Some("CA".into()));
        assert_eq!(
            cc("https://www.thisisoxfordshire.co.uk/news/"),
            Some("GB".into())
        );
        assert_eq!(cc("https://user@Actualite.CD:443/x?y#z"), Some("CD".into()));
        assert_eq!(cc("www.theherald.com.au"), Some("AU".into()));
        for none in [
            "http://columbuslocalnews.com/articles/1",
            "https://example.org",
            "https://news.tv/a",
            "https://europa.eu/x",
            "https://x.c0/",
            "localhost",
            "",
        ] {
            assert_eq!(cc(none), None, "{none}");
        }
        // The publisher's country decides between namesakes the text leaves open.
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let text = "Girl, 16, attacked in Lancaster park. DETECTIVES in Lancaster have released \
                    an image of a man.";
        let at = |url: Option<&str>| focus_country(&gc, text, url);
        assert_eq!(at(Some("http://www.lancastercitizen.co.uk/news/4")), "GB");
        assert_eq!(at(None), "US");
        assert_eq!(at(Some("http://lancasteronline.com/news/4")), "US");
    }

    #[test]
    fn hint_search_is_the_leftmost_longest_search_from_word_starts() {
        let names: Vec<&str> = hints::COUNTRY_HINTS.iter().map(|h| h.0).collect();
        let search = HintSearch::new(names.iter().copied()).expect("hint search");
        // The reference: at each position not after an ASCII letter or digit, the longest name
        // there (ASCII case ignored; the first listed among equals), then on from its end.
        let reference = |hay: &[u8]| {
            let mut found = Vec::new();
            let mut i = 0;
            while i < hay.len() {
                let word_start = i == 0 || !hay[i - 1].is_ascii_alphanumeric();
                let best = names
                    .iter()
                    .enumerate()
                    .filter(|(_, n)| {
                        word_start
                            && hay[i..].len() >= n.len()
                            && hay[i..i + n.len()].eq_ignore_ascii_case(n.as_bytes())
                    })
                    .max_by_key(|(p, n)| (n.len(), std::cmp::Reverse(*p)));
                match best {
                    Some((p, n)) => {
                        found.push((i, i + n.len(), p));
                        i += n.len();
                    }
                    None => i += 1,
                }
            }
            found
        };
        let mut frags: Vec<String> = [" ", "-", "x", "Al", "é", "'", ",", "the ", "AN"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        frags.extend(names.iter().map(|n| n.to_string()));
        frags.extend(names.iter().map(|n| n.to_uppercase()));
        let mut next = crate::test_rng(0x2545_f491_4f6c_dd1d);
        for _ in 0..5000 {
            let mut text = String::new();
            for _ in 0..next() % 10 {
                let f: Vec<char> = frags[(next() % frags.len() as u64) as usize]
                    .chars()
                    .collect();
                // Often a fragment's head or tail: names that overlap and names cut short.
                let (from, to) = match next() % 4 {
                    0 => ((next() % (f.len() as u64 + 1)) as usize, f.len()),
                    1 => (0, (next() % (f.len() as u64 + 1)) as usize),
                    _ => (0, f.len()),
                };
                text.extend(&f[from..to]);
            }
            let mut got = Vec::new();
            let mut at = 0;
            while let Some((a, b, p)) = search.next(text.as_bytes(), at) {
                got.push((a, b, p));
                at = b;
            }
            assert_eq!(got, reference(text.as_bytes()), "{text:?}");
        }
    }

    #[test]
    fn builtin_country_hints() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // An armed group implies its country when no place is named, and the province where it
        // fights most there.
        let f = gc
            .geocode("Boko Haram fighters raided a village at night, killing two.")
            .focus
            .expect("focus");
        assert_eq!(
            (
                f.country.as_str(),
                f.admin1.as_deref(),
                f.level,
                f.start,
                f.end
            ),
            ("NG", Some("NG.27"), Level::Admin1, 0, 0)
        );
        let f = gc
            .geocode("Militiamen of the FRPI attacked an army position, killing a soldier.")
            .focus
            .expect("focus");
        assert_eq!(f.admin1.as_deref(), Some("CD.17"), "{f:?}");
        let f = gc
            .geocode("Nigerian troops dislodged Boko Haram from two villages.")
            .focus;
        assert_eq!(f.expect("focus").admin1.as_deref(), Some("NG.27"));
        // An actor without a province hint gives the country.
        let f = gc.geocode("Taliban fighters attacked a checkpoint.").focus;
        assert_eq!(f.expect("focus").level, Level::Country);
        // ... and outweighs the nationality of the forces it fought.
        let g = gc.geocode("Kenyan troops repelled an al-Shabaab assault on their base.");
        assert_eq!(g.focus.expect("focus").country, "SO");
        // A name inside a word ("al Shabaab" in "regional Shabaab") neither counts nor hides the
        // name that starts at the next word; nor does one after a non-ASCII letter.
        let g = gc.geocode("Attacks by regional Shabaab cells rose.");
        assert_eq!(g.focus.expect("focus").country, "SO");
        let g = gc.geocode("Attacks by régional Shabaab cells rose.");
        assert_eq!(g.focus.expect("focus").country, "SO");
        let g = gc.geocode("A cafe named Ötaliban was attacked.");
        assert!(g.focus.is_none(), "{:?}", g.focus);
        // Outlets with a national beat, in the source; they outweigh actors.
        let text = "Gunmen attacked farmers in their fields.";
        let f = gc
            .geocode_report(text, None, Some("Radio Dabanga"), None)
            .focus;
        assert_eq!(f.expect("focus").country, "SD");
        let text = "Boko Haram raided a village, killing two.";
        let f = gc
            .geocode_report(text, None, Some("Xinhua; Camer.be"), None)
            .focus;
        let f = f.expect("focus");
        assert_eq!(
            (f.country.as_str(), f.admin1.as_deref()),
            ("CM", Some("CM.12"))
        );
        // Case matters: "a new vision" is no outlet, "saf" no army.
        let g = gc.geocode("They presented a new vision for schools, saf said.");
        assert!(g.focus.is_none(), "{:?}", g.focus);
        // The province named in a container's position resolves in the hinted country.
        let f = gc
            .geocode(
                "A roadside bomb killed a teacher in Dawlat Yar district, Ghor, on Monday. \
                 The Taliban denied involvement.",
            )
            .focus
            .expect("focus");
        assert_eq!(f.admin1.as_deref(), Some("AF.09"), "{f:?}");
        // An unsure foreign namesake gives way to the hinted country.
        let f = gc
            .geocode_report(
                "Militiamen burned houses in Kafe.",
                None,
                Some("Radio Okapi"),
                None,
            )
            .focus
            .expect("focus");
        assert_eq!(f.country, "CD", "{f:?}");
    }

    #[test]
    fn builtin_name_fragments_possessives_and_shared_regions() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // A given name before a surname is no province ("Mary" is one in Turkmenistan), and
        // "Abu" before another name is no town in India.
        for t in [
            "Tickets are on sale, said Mary Wheeler, a teacher.",
            "Fighting was reported in Abu Sleem on Sunday.",
            "For details call Frances at the office.",
        ] {
            let g = gc.geocode(t);
            assert!(g.locations.is_empty(), "{t}: {:?}", g.locations);
        }
        // A possessive whose apostrophe was lost.
        let g = gc.geocode("Protesters gathered in front of Benins parliament on Monday.");
        assert_eq!(names(&g), vec![("Benin".into(), "BJ".into())]);
        // A region its provinces share: "Sinai" is North and South Sinai, not Sinaí, Ecuador.
        assert_focus_country(
            &gc,
            "A bomb wounded two soldiers in central Sinai on Monday.",
            "EG",
        );
        assert_focus_country(&gc, "Militiamen attacked displaced people in Darfur.", "SD");
    }

    #[test]
    fn builtin_world_regions_are_toponyms_not_focus() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode(
            "Ministers from the EU met in Brussels to discuss migration from West Africa.",
        );
        let got: Vec<(&str, &str, Level)> = g
            .locations
            .iter()
            .map(|l| (l.name.as_str(), l.country.as_str(), l.level))
            .collect();
        assert_eq!(
            got,
            vec![
                ("European Union", "", Level::Region),
                ("Brussels", "BE", Level::Place),
                ("West Africa", "", Level::Region),
            ]
        );
        assert_eq!(g.focus.expect("focus").country, "BE");
        // A region alone is no focus; "Africa" is not Mahdia (once called so); lower-case "eu"
        // and "South Africa" are no regions.
        let g = gc.geocode("Protests spread across Europe and Africa on Sunday.");
        assert_eq!(g.locations.len(), 2, "{:?}", g.locations);
        assert!(g.locations.iter().all(|l| l.level == Level::Region));
        assert!(g.focus.is_none(), "{:?}", g.focus);
        let g = gc.geocode("Police fired on striking miners in South Africa, eu.");
        assert_eq!(names(&g), vec![("South Africa".into(), "ZA".into())]);
    }

    #[test]
    fn builtin_surnames_and_organisations_are_not_places() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        for t in [
            // A word written after another capitalised one, then alone.
            "A longtime volunteer, Emilie Holroyd, died on Friday. Holroyd served for years.",
            // After an initial, around an ampersand, before a verb of speech.
            "Police shot Tyrise M. Bell on Jan. 23. Bell had pulled a handgun.",
            "The city owes money to Stevens & Wilkinson for the hotel.",
            // Capitalised common words that start names of firms and bodies.
            "Titan plans to drill on the farm, and the Naval Reserve objected.",
        ] {
            let g = gc.geocode(t);
            assert!(g.locations.is_empty(), "{t}: {:?}", g.locations);
        }
        // A division the text calls one stays, and so do cities.
        let g =
            gc.geocode("The alderman Mitch Lewis was questioned. Deputies patrol Lewis County.");
        assert_eq!(names(&g), vec![("Lewis County".into(), "US".into())]);
        let g = gc.geocode("The band Rodeo Houston played. Houston hosted the show.");
        assert_eq!(names(&g), vec![("Houston".into(), "US".into())]);
    }

    #[test]
    fn builtin_places_named_together_share_a_state() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // Madisonville is also (and more populous) in Kentucky; the other towns are in Texas.
        let g = gc.geocode(
            "Riders from Conroe, Madisonville, Crockett and Trinity met in Huntsville on Friday.",
        );
        let states: Vec<(&str, Option<&str>)> = g
            .locations
            .iter()
            .map(|l| (l.name.as_str(), l.admin1.as_deref()))
            .collect();
        assert_eq!(states.len(), 5, "{states:?}");
        assert!(states.iter().all(|s| s.1 == Some("US.TX")), "{states:?}");
    }

    #[test]
    fn builtin_names_that_share_a_province_support_each_other() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // Far apart (no proximity), each ambiguous alone ("Sidney" alone is read as Sydney);
        // together they are in one state, and resolved with confidence.
        for (text, name, state) in [
            (
                "Families from Sidney and Chadron gathered at the hall.",
                "Sidney",
                "US.NE",
            ),
            (
                "Officials from Kearney met counterparts from Scottsbluff.",
                "Kearney",
                "US.NE",
            ),
        ] {
            let g = gc.geocode(text);
            let l = g
                .locations
                .iter()
                .find(|l| l.name == name)
                .unwrap_or_else(|| panic!("{name} in {text:?}: {:?}", g.locations));
            assert_eq!(l.admin1.as_deref(), Some(state), "{text:?}");
            assert!(l.score >= 0.7, "{text:?}: {}", l.score);
        }
    }

    #[test]
    fn builtin_a_repeated_name_is_one_piece_of_country_evidence() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // "Paris" four times would outvote "Dallas" if each repetition counted as another
        // name from France; as one name, Dallas puts Paris in Texas.
        let text = "Anna Reed, 18, of Paris died Saturday in a Dallas hospital from injuries \
                    received in a collision. The other driver, Tom Hale, 20, of Paris, and a \
                    passenger, also of Paris, were taken to Paris Regional Medical Center \
                    before Reed was flown to Dallas.";
        assert_focus_country(&gc, text, "US");
        let g = gc.geocode(text);
        // And so are the other three: one name, one place.
        let paris: Vec<_> = g.locations.iter().filter(|l| l.name == "Paris").collect();
        assert_eq!(paris.len(), 4, "{:?}", g.locations);
        for p in paris {
            assert_eq!(p.admin1.as_deref(), Some("US.TX"), "{:?}", g.locations);
        }
    }

    #[test]
    fn builtin_a_province_named_for_its_city_abroad_leaves_local_namesakes_free() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // Egypt's Alexandria governorate is named for its city; in a Louisiana story it must not
        // stop the parish from pulling Alexandria to Louisiana, as a state's name would.
        let text = "Alexandria woman charged after a fire. Jane Doe, 19, of Alexandria, was \
                    arrested and charged with arson and with entering a dwelling. Both the \
                    sheriff's office and the Rapides Parish fire district investigated the fire.";
        let g = gc.geocode(text);
        let alex: Vec<_> = g
            .locations
            .iter()
            .filter(|l| l.name == "Alexandria")
            .collect();
        assert_eq!(alex.len(), 2, "{:?}", g.locations);
        assert!(
            alex.iter().all(|l| l.admin1.as_deref() == Some("US.LA")),
            "{:?}",
            g.locations
        );
    }

    #[test]
    fn builtin_a_country_right_after_a_place_contains_it() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // Two Wisconsin towns favour Brussels, Wisconsin, near them; "Brussels, Belgium" says
        // which one.
        let g =
            gc.geocode("Farmers from Green Bay and Sturgeon Bay met buyers in Brussels, Belgium.");
        let b = g.locations.iter().find(|l| l.name == "Brussels").unwrap();
        assert_eq!(b.country, "BE", "{:?}", g.locations);
        // A hyphen inside a compound states no container.
        let g = gc.geocode("Rethinking Egypt-US relations after the talks in Cairo.");
        let e = g.locations.iter().find(|l| l.name == "Egypt").unwrap();
        assert_eq!(e.level, Level::Country, "{:?}", g.locations);
    }

    #[test]
    fn builtin_a_bigger_town_after_a_place_states_its_country() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // The only Chalala of the gazetteer is in India: not the part of Lusaka the text names.
        for text in [
            "In Chalala area of Lusaka, cadres attacked musicians hired for rallies.",
            "In Chalala, Lusaka, cadres attacked musicians hired for rallies.",
        ] {
            let g = gc.geocode(text);
            let names: Vec<_> = g.locations.iter().map(|l| l.country.as_str()).collect();
            assert_eq!(names, ["ZM"], "{text}: {:?}", g.locations);
            assert_eq!(g.focus.unwrap().name, "Lusaka", "{text}");
        }
        // Items of a list keep their own countries.
        let g = gc.geocode("The band played in Chalala, Lusaka and Harare.");
        assert!(
            g.locations.iter().any(|l| l.country == "IN"),
            "{:?}",
            g.locations
        );
    }

    #[test]
    fn builtin_an_institution_is_in_the_town_it_is_named_after() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode("A riot broke out at Abomey Calavi University over double fees.");
        let f = g.focus.unwrap();
        assert_eq!(f.name, "Abomey-Calavi", "{:?}", g.locations);
        // A street named after a town is not the town.
        let g = gc.geocode("The fire was at 6016 Dublin Road on Tuesday.");
        assert!(g.locations.is_empty(), "{:?}", g.locations);
    }

    #[test]
    fn builtin_a_title_before_a_name_is_a_person() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode("Pope Francis tweeted his support for the family in London.");
        let names: Vec<_> = g.locations.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(names, ["London"], "{:?}", g.locations);
    }

    #[test]
    fn builtin_metropolitan_municipalities_by_their_names() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode("Parents marched to daycare centres in Nelson Mandela Bay.");
        let f = g.focus.unwrap();
        assert_eq!(f.admin1.as_deref(), Some("ZA.05"), "{:?}", g.locations);
    }

    #[test]
    fn builtin_a_capital_in_another_countrys_statement_is_what_it_is_about() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode(
            "The United States announced sanctions on the head of the Kinshasa police. \
             According to the US Treasury, the general is responsible for acts of violence.",
        );
        assert_eq!(g.focus.unwrap().name, "Kinshasa", "{:?}", g.locations);
    }

    #[test]
    fn builtin_a_town_inside_the_province_of_its_name_agrees_with_it() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // Masvingo is a province and its capital: either way the province is known.
        let g = gc.geocode("A Masvingo bank branch was burnt by angry depositors.");
        let f = g.focus.unwrap();
        assert_eq!(f.admin1.as_deref(), Some("ZW.08"), "{f:?}");
    }

    #[test]
    fn builtin_an_acronym_before_a_name_is_an_office_there() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode("Armed men looted the offices of MSF Bambari on Sunday.");
        assert_eq!(g.focus.unwrap().name, "Bambari", "{:?}", g.locations);
        // A longer name goes on: the acronym is part of it.
        let g = gc.geocode("The club will play in the CAF Confederation Cup next season.");
        assert!(g.locations.is_empty(), "{:?}", g.locations);
    }

    #[test]
    fn builtin_own_names_beat_alternate_names_and_units_are_no_places() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // "Kaliningrad" is also the old name of Korolev, near Moscow, which "Moscow" supports.
        let g = gc.geocode(
            "Moscow said short-range Russian missiles would be installed in Kaliningrad, a \
             Russian enclave on the Polish border.",
        );
        assert!(
            g.locations.iter().any(|l| l.name == "Kaliningrad")
                && g.locations.iter().all(|l| l.name != "Korolev"),
            "{:?}",
            g.locations
        );
        // Parachute, Colorado, is no regiment.
        let g = gc.geocode("Sergeant Matt Tonroe of the Parachute Regiment was killed.");
        assert!(g.locations.is_empty(), "{:?}", g.locations);
    }

    #[test]
    fn builtin_a_direction_before_a_name_is_part_of_it() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // Lebanon's South Governorate and Saudi Arabia's Eastern Province are also "South" and
        // "Eastern"; before another capitalised word the direction belongs to that name.
        for text in [
            "A Russian peacekeeper in South Ossetia told reporters the convoy had left.",
            "Shelling in Eastern Ghouta killed 14 civilians.",
        ] {
            let g = gc.geocode(text);
            assert!(
                g.locations
                    .iter()
                    .all(|l| l.country != "LB" && l.country != "SA"),
                "{text}: {:?}",
                g.locations
            );
        }
        // The name after it is still found, alone: Wales, not Cameroon's West Region.
        let g = gc.geocode("Floods hit farms in West Wales on Monday.");
        let found: Vec<_> = g
            .locations
            .iter()
            .map(|l| (l.name.as_str(), l.start))
            .collect();
        assert_eq!(found, [("Wales", 25)]);
        // A name that begins with the direction is one name.
        let g = gc.geocode("They will arrive in East Jerusalem on Monday.");
        assert!(
            g.locations.iter().any(|l| l.name == "East Jerusalem"),
            "{:?}",
            g.locations
        );
    }

    #[test]
    fn builtin_a_districts_own_generic_word_counts() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // Parishes are Louisiana's; DeSoto County, Florida, is no "DeSoto Parish".
        let text = "Jones was unseated from the DeSoto Parish Police Jury in 2007.";
        let g = gc.geocode(text);
        assert!(
            g.locations
                .iter()
                .all(|l| l.name != "DeSoto County" && l.admin1.as_deref() != Some("US.FL")),
            "{:?}",
            g.locations
        );
        // The same name with the county's own word is the county.
        let g = gc.geocode("Deputies of the DeSoto County Sheriff's Office in Arcadia, Florida.");
        assert!(
            g.locations
                .iter()
                .any(|l| l.name == "DeSoto County" && l.admin1.as_deref() == Some("US.FL")),
            "{:?}",
            g.locations
        );
    }

    #[test]
    fn builtin_a_stray_town_far_from_the_texts_province_is_dropped() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // No Twin Lakes or Star Lake of Minnesota is in the gazetteer: their namesakes in
        // Florida and New York are not where these roads are.
        let text = "Flooded roads: Highway 200 east of Mahnomen near Twin Lakes; Highway 10 east \
                    of Perham; Highway 108 east of Pelican Rapids to Star Lake. The Minnesota \
                    Department of Transportation urges caution in Becker and Wilkin counties.";
        let g = gc.geocode(text);
        let names: Vec<_> = g.locations.iter().map(|l| l.name.as_str()).collect();
        for kept in ["Mahnomen", "Perham", "Pelican Rapids"] {
            assert!(names.contains(&kept), "{names:?}");
        }
        assert!(
            g.locations
                .iter()
                .filter(|l| l.country == "US")
                .all(|l| l.admin1.is_none() || l.admin1.as_deref() == Some("US.MN")),
            "{:?}",
            g.locations
        );
        // Placed by the text, the same town stays.
        let g = gc.geocode(&text.replace("near Twin Lakes", "near Twin Lakes, Florida"));
        assert!(
            g.locations.iter().any(|l| l.name == "Twin Lakes"),
            "{:?}",
            g.locations
        );
    }

    #[test]
    fn builtin_a_state_named_anywhere_holds_its_towns() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // Louisiana is named far from the second "Mansfield", which would otherwise be the
        // bigger Mansfield, Ohio.
        let g = gc.geocode(
            "The Mansfield city council voted on Tuesday to repave two streets near the old \
             depot. Residents asked the council to add lights, and the mayor promised an answer \
             by the end of the month. Mansfield last repaved streets in 2004. Louisiana officials \
             said the state would help pay.",
        );
        let towns: Vec<_> = g
            .locations
            .iter()
            .filter(|l| l.name == "Mansfield")
            .collect();
        assert_eq!(towns.len(), 2, "{:?}", g.locations);
        assert!(
            towns.iter().all(|l| l.admin1.as_deref() == Some("US.LA")),
            "{:?}",
            g.locations
        );
    }

    #[test]
    fn builtin_a_world_city_abroad_beats_a_small_namesake_at_home() {
        // Readings, however unsure.
        let gc = Geocoder::new(crate::gazetteer::tests::builtin()).with_min_score(0.0);
        // American context alone does not make Moscow the Idaho town, nor Rome the Georgia one.
        let g = gc.geocode(
            "The American delegation arrived in Moscow on Monday, and U.S. officials said the \
             talks with their hosts would last two days before the group flies home to the \
             United States.",
        );
        let m = g.locations.iter().find(|l| l.name == "Moscow").unwrap();
        assert_eq!(m.country, "RU", "{:?}", g.locations);
        let g = gc.geocode(
            "Rome police said the thieves fled with two paintings. American tourists were among \
             the witnesses, U.S. consular staff said.",
        );
        let r = g.locations.iter().find(|l| l.name == "Rome").unwrap();
        assert_eq!(r.country, "IT", "{:?}", g.locations);
        // A town named with another of its state's places stays at home.
        let g = gc.geocode(
            "A Paris man was hurt in a crash on Friday and taken to a Dallas hospital, U.S. \
             safety officials said.",
        );
        let p = g.locations.iter().find(|l| l.name == "Paris").unwrap();
        assert_eq!(p.admin1.as_deref(), Some("US.TX"), "{:?}", g.locations);
    }

    #[test]
    fn builtin_a_major_area_abroad_beats_a_small_namesake_at_home() {
        // Readings, however unsure.
        let gc = Geocoder::new(crate::gazetteer::tests::builtin()).with_min_score(0.0);
        // American context alone does not make Wales the Wisconsin village, nor "Canadian" the
        // Oklahoma county.
        let g =
            gc.geocode("The American band will tour Wales in May, U.S. promoters said on Monday.");
        let w = g.locations.iter().find(|l| l.name == "Wales").unwrap();
        assert_eq!(w.country, "GB", "{:?}", g.locations);
        let g = gc.geocode(
            "Canadian firefighters joined American crews on Friday, U.S. forest officials said.",
        );
        assert!(
            g.locations
                .iter()
                .all(|l| l.country != "US" || l.level == Level::Country),
            "{:?}",
            g.locations
        );
    }

    #[test]
    fn builtin_world_regions_sit_at_geonames_points() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode("Fighting spread across North Africa and the Middle East this year.");
        let at = |name: &str| {
            let l = g.locations.iter().find(|l| l.name == name).unwrap();
            (l.lat, l.lon)
        };
        let (lat, lon) = at("Middle East");
        assert!(
            (lat - 33.14).abs() < 0.1 && (lon - 35.86).abs() < 0.1,
            "{lat} {lon}"
        );
        let (lat, lon) = at("North Africa");
        assert!(
            (lat - 32.95).abs() < 0.1 && (lon - 9.98).abs() < 0.1,
            "{lat} {lon}"
        );
    }

    #[test]
    fn builtin_nationalities_are_read_as_the_text_uses_them() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let text = "The agent was poisoned in the English city of Salisbury.";
        let g = gc.geocode(text);
        assert!(
            names(&g).contains(&("United Kingdom".to_string(), "GB".to_string())),
            "{g:?}"
        );
        assert_eq!(g.focus.as_ref().map(|f| f.country.as_str()), Some("GB"));
        // A nationality after another capitalised word is part of a name.
        for text in [
            "Bail was opposed by solicitor Philip English at the hearing in Belfast.",
            "The exhibit shows Native American artifacts found near Moundsville.",
        ] {
            let g = gc.geocode(text);
            assert!(
                g.locations
                    .iter()
                    .all(|l| !matches!(l.name.as_str(), "United Kingdom" | "United States")),
                "{text:?}: {g:?}"
            );
        }
    }

    #[test]
    fn builtin_oceans_and_region_adjectives_are_regions() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let region = |name: &str| vec![(name.to_string(), String::new())];
        let g = gc.geocode("Wind shear across the tropical Atlantic slowed the storms.");
        assert_eq!(names(&g), region("Atlantic Ocean"), "{g:?}");
        let g = gc.geocode("Debris washed up on western Indian Ocean shores.");
        assert_eq!(names(&g), region("Indian Ocean"), "{g:?}");
        let g = gc.geocode("A caravan of Central American migrants reached the border.");
        assert_eq!(names(&g), region("Central America"), "{g:?}");
        let g = gc.geocode("Talks on the Korean Peninsula resumed.");
        assert_eq!(names(&g), region("Korean Peninsula"), "{g:?}");
        // North Korea's official name is not "Korea".
        let g = gc.geocode("The Democratic People's Republic of Korea fired a missile.");
        assert_eq!(
            names(&g),
            vec![("North Korea".to_string(), "KP".to_string())],
            "{g:?}"
        );
        // Before a capitalised word, a bare ocean name is left to the gazetteer.
        let g = gc.geocode("Casinos in Atlantic City reopened on Monday.");
        assert_eq!(
            names(&g),
            vec![("Atlantic City".to_string(), "US".to_string())],
            "{g:?}"
        );
    }

    #[test]
    fn builtin_lists_closed_by_a_plural_generic_are_divisions() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode("Dakota, Otoe and Washington counties saw their populations grow.");
        assert_eq!(g.locations.len(), 3, "{g:?}");
        for l in &g.locations {
            assert_eq!(l.level, Level::Admin2, "{l:?}");
            assert_eq!(l.admin1.as_deref(), Some("US.NE"), "{l:?}");
        }
        let g = gc.geocode("Gunmen attacked villages in Kano and Kaduna states.");
        let states: Vec<_> = g
            .locations
            .iter()
            .map(|l| (l.level, l.admin1.as_deref()))
            .collect();
        assert_eq!(
            states,
            vec![
                (Level::Admin1, Some("NG.29")),
                (Level::Admin1, Some("NG.23"))
            ]
        );
        // A given name in such a list is a division, not a person ("Douglas").
        let g =
            gc.geocode("Storms hit areas in Becker, Clay, Douglas, Grant and Mahnomen counties.");
        assert!(
            g.locations.iter().any(|l| l.name == "Douglas County"),
            "{:?}",
            g.locations
        );
        // A single name before the generic is the state whose divisions they are.
        let g = gc.geocode("The grant buys equipment for ten Kentucky counties.");
        assert_eq!(g.locations.len(), 1, "{g:?}");
        assert_eq!(g.locations[0].level, Level::Admin1);
        // A word that ends the name of a smaller place: no place, not the state.
        let g = gc.geocode("A Tennessee Colony man was arrested on Friday.");
        assert!(g.locations.is_empty(), "{g:?}");
    }

    #[test]
    fn builtin_a_country_name_used_as_a_towns_is_the_town() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode(
            "The Jordan resident was flown to a hospital in Minneapolis, Minnesota. Students \
             at Jordan Elementary raised money for him.",
        );
        let jordan: Vec<_> = g
            .locations
            .iter()
            .filter(|l| l.name == "Jordan")
            .map(|l| (l.level, l.country.as_str()))
            .collect();
        assert_eq!(jordan, vec![(Level::Place, "US"); 2], "{g:?}");
        // A town of residence after a street address or a person's age.
        for text in [
            "Services are at the funeral home, 508 Cumberland St., Lebanon. She lived in \
             Myerstown.",
            "Terry Lee Jolly, 60, Lebanon, was arrested in Myerstown.",
        ] {
            let l = &gc.geocode(text).locations[0];
            assert_eq!(
                (l.level, l.country.as_str()),
                (Level::Place, "US"),
                "{text}: {l:?}"
            );
        }
        // Not after a count and a noun, nor in running text about the country.
        for text in [
            "Shelling hit 30 houses on the road, Lebanon's army said.",
            "The army fired on the crowd, Lebanon's president said in Beirut.",
        ] {
            let g = gc.geocode(text);
            assert!(
                names(&g).contains(&("Lebanon".to_string(), "LB".to_string())),
                "{text}: {g:?}"
            );
        }
        // National bodies bear the country's name.
        let g = gc.geocode(
            "Washington and Moscow will meet in the NATO-Russia Council, the United States said.",
        );
        assert!(
            names(&g).contains(&("Russia".to_string(), "RU".to_string())),
            "{g:?}"
        );
    }

    #[test]
    fn builtin_bare_districts_abroad_are_no_toponyms() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // "Prince" is Prince County, Prince Edward Island, only by its name without "County".
        let g = gc.geocode("The Emirati's last win came with Prince Bishop at Meydan in Dubai.");
        assert!(
            g.locations.iter().all(|l| l.country != "CA"),
            "{:?}",
            names(&g)
        );
        // At home, or with its generic, the county stays.
        let g = gc.geocode("Farmers in Prince County, Prince Edward Island, lost their crops.");
        assert!(
            g.locations.iter().any(|l| l.name == "Prince County"),
            "{:?}",
            names(&g)
        );
    }

    #[test]
    fn builtin_a_city_and_its_province_of_the_same_name_agree() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // Kharkiv the city and Kharkiv oblast are one answer, not two rival ones: the city is
        // sure, and the focus, against the attackers' nationality.
        let g = gc.geocode("Russian drones hit Kharkiv overnight, killing three.");
        let f = g.focus.as_ref().unwrap_or_else(|| panic!("{g:?}"));
        assert_eq!(
            (f.name.as_str(), f.country.as_str()),
            ("Kharkiv", "UA"),
            "{g:?}"
        );
        assert!(f.score >= 0.8, "{f:?}");
    }

    #[test]
    fn builtin_divisions_by_the_names_reports_give_them() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        for (text, code) in [
            ("Gunmen killed 50 in Ethiopia's Oromia region.", "ET.51"),
            ("Troops shelled villages in Karen State.", "MM.05"),
            ("Fighting raged in Arakan.", "MM.01"),
        ] {
            let g = gc.geocode(text);
            let f = g.focus.as_ref().unwrap_or_else(|| panic!("{g:?}"));
            assert_eq!(f.admin1.as_deref(), Some(code), "{text}: {g:?}");
        }
    }

    #[test]
    fn builtin_where_it_was_said_is_not_where_it_happened() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode(
            "A UN spokesman told reporters in New York that explosions hit a camp near Goma.",
        );
        assert_eq!(
            g.focus.as_ref().map(|f| f.country.as_str()),
            Some("CD"),
            "{g:?}"
        );
        // A capital standing for its government.
        let g = gc.geocode("Washington condemned the massacre in Bucha.");
        assert_eq!(
            g.focus.as_ref().map(|f| f.country.as_str()),
            Some("UA"),
            "{g:?}"
        );
    }

    #[test]
    fn builtin_a_name_after_said_and_before_a_surname_is_a_person() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc
            .geocode("Gunmen killed 12 farmers in Borno, said Jordan Smith of Human Rights Watch.");
        assert_names(&g, &[("Borno", "NG")]);
        // Before a title the name is the place: "said Borno Governor Babagana Zulum".
        let g = gc.geocode("The attack was condemned, said Borno Governor Babagana Zulum.");
        assert_names(&g, &[("Borno", "NG")]);
    }

    #[test]
    fn builtin_names_inside_an_actors_name_are_part_of_it() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // In capitals the run of capitalised words says nothing; "HARAM" is no Norwegian town.
        let g = gc.geocode("BOKO HARAM FIGHTERS KILL 30 NEAR MAIDUGURI");
        assert_names(&g, &[("Maiduguri", "NG")]);
    }

    #[test]
    fn builtin_armed_groups_imply_their_country() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // Beni is also a department of Bolivia; the ADF fight in Beni, North Kivu.
        let g = gc.geocode("ADF rebels killed 22 civilians in Beni on Sunday.");
        let f = g.focus.as_ref().unwrap_or_else(|| panic!("{g:?}"));
        assert_eq!(f.country, "CD", "{g:?}");
    }

    #[test]
    fn builtin_a_country_qualifying_a_noun_is_no_container() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // "Maiduguri, U.S. officials said": the officials are American, Maiduguri is not in
        // the United States.
        for (text, place) in [
            (
                "Gunmen killed 12 in Maiduguri, U.S. officials said.",
                "Maiduguri",
            ),
            (
                "Shelling hit the Syrian town of Hama, U.S. officials said.",
                "Ḩamāh",
            ),
        ] {
            let g = gc.geocode(text);
            let f = g.focus.as_ref().unwrap_or_else(|| panic!("{g:?}"));
            assert_eq!(f.name, place, "{g:?}");
        }
        // A country named as a container still is one.
        let g = gc.geocode("Fighting in Aleppo, Syria, on Monday.");
        assert_eq!(g.focus.map(|f| f.name).as_deref(), Some("Aleppo"));
    }

    #[test]
    fn builtin_a_state_after_a_list_of_counties_holds_them() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // "Georgia and Nassau and Baker counties" is no list of three counties: Georgia holds
        // the counties before it, Florida those after.
        let g = gc.geocode(
            "Volunteers from Camden and Charlton counties in Georgia and Nassau and Baker \
             counties in Florida cleaned the river.",
        );
        let admin1 = |name: &str| {
            g.locations
                .iter()
                .find(|l| l.name.starts_with(name))
                .and_then(|l| l.admin1.clone())
        };
        assert_eq!(
            admin1("Georgia").as_deref(),
            Some("US.GA"),
            "{:?}",
            g.locations
        );
        assert_eq!(
            admin1("Camden").as_deref(),
            Some("US.GA"),
            "{:?}",
            g.locations
        );
        assert_eq!(
            admin1("Baker").as_deref(),
            Some("US.FL"),
            "{:?}",
            g.locations
        );
    }

    #[test]
    fn builtin_a_town_and_the_county_that_holds_it_agree() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // Missouri has a Lebanon and a Boone County, but Lebanon, Indiana, is in Boone County,
        // Indiana.
        let g = gc.geocode(
            "Terry Jolly, 60, Lebanon, was arrested Thursday. Jolly, who has no prior arrest \
             record in Boone County, was taken into custody by Lebanon Police.",
        );
        for l in &g.locations {
            assert_eq!(l.admin1.as_deref(), Some("US.IN"), "{:?}", g.locations);
        }
        assert_eq!(g.locations.len(), 3, "{:?}", g.locations);
    }

    #[test]
    fn builtin_unsure_readings_are_not_listed_but_weigh() {
        let text = "Rome police said the thieves fled with two paintings. American tourists were \
                    among the witnesses, U.S. consular staff said.";
        let all = Geocoder::new(crate::gazetteer::tests::builtin()).with_min_score(0.0);
        let g = all.geocode(text);
        let rome = g.locations.iter().find(|l| l.name == "Rome").unwrap();
        assert!(rome.score < MIN_SCORE, "{rome:?}");
        let sure = Geocoder::new(crate::gazetteer::tests::builtin());
        let h = sure.geocode(text);
        assert!(h.locations.iter().all(|l| l.name != "Rome"), "{h:?}");
        assert!(h.locations.iter().all(|l| l.score >= MIN_SCORE), "{h:?}");
        // The focus is the same either way, and listed.
        assert_eq!(g.focus, h.focus);
        if let Some(f) = &h.focus {
            assert!(h.locations.iter().any(|l| l.start == f.start), "{h:?}");
        }
    }

    #[test]
    fn builtin_bare_districts_before_a_name_are_part_of_it() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        // "Lake" names Lake County, Illinois, only by its name without "County"; "Lake Chad" is
        // the lake, whose country stays.
        let g = gc.geocode("Fighters attacked fishermen near Lake Chad on Monday.");
        assert_names(&g, &[("Chad", "TD")]);
        let g = gc.geocode("The Cherry Hinton festival opened on Saturday.");
        assert!(g.locations.is_empty(), "{:?}", names(&g));
        // Before a word that names no place, the county stays ("Gwinnett Medical Center").
        let g = gc.geocode("He was taken to Gwinnett Medical Center in Lawrenceville, Georgia.");
        assert!(
            g.locations.iter().any(|l| l.name == "Gwinnett County"),
            "{:?}",
            names(&g)
        );
    }

    #[test]
    fn builtin_census_given_names_mark_people() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode(
            "Hailey Bryant and Levi Tanner were hurt in the crash near Woodstock, Ontario.",
        );
        let found: Vec<_> = g.locations.iter().map(|l| l.name.as_str()).collect();
        assert_eq!(found, ["Woodstock", "Ontario"], "{g:?}");
    }

    #[test]
    fn builtin_us_counties_sit_at_the_centre_of_their_boundaries() {
        let gc = Geocoder::new(crate::gazetteer::tests::builtin());
        let g = gc.geocode("Deputies in Otoe County, Nebraska, closed the road.");
        let l = g
            .locations
            .iter()
            .find(|l| l.level == Level::Admin2)
            .unwrap_or_else(|| panic!("{g:?}"));
        // The county lies around Nebraska City (40.68 N, 95.86 W); Nebraska's centre is 280 km
        // west of it.
        let km = approx_km(l.lat as f32, l.lon as f32, 40.65, -96.13);
        assert!(km < 30.0, "{l:?}: {km} km");
    }

    #[test]
    fn names_generic_agrees_with_strip_generics() {
        for name in [
            "boone county",
            "gulf of mexico",
            "county",
            "lake",
            "saint-pierre-de-boeuf",
            "gumla district",
            "de soto parish",
            "",
        ] {
            assert_eq!(
                names_generic(name),
                words::strip_generics(name).is_some(),
                "{name}"
            );
        }
    }

    #[test]
    fn container_window_starts_on_a_character() {
        // 60 bytes before the comma falls inside the three-byte character that starts the text.
        let t = format!("\u{2017}{}, y", "x".repeat(58));
        let before_comma = t.len() - 3;
        assert!(!t.is_char_boundary(before_comma - 60));
        assert!(!Geocoder::container_position(&t, t.len() - 1));
        assert!(Geocoder::container_position("(\u{e9}\u{e9}, x", 7));
    }

    #[test]
    fn geocoder_is_send_and_sync() {
        fn check<T: Send + Sync>() {}
        check::<Geocoder>();
        check::<Gazetteer>();
    }
}
