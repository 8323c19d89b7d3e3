//! The gazetteer: GeoNames populated places, admin1/admin2 divisions, countries and demonyms in a
//! compact index.
//!
//! Names are folded ([`crate::fold::fold`], whitespace collapsed) and kept in an [`fst::Map`] from
//! name to a range of *postings*; each posting is one `u32` naming an entry kind (place, admin2,
//! admin1, country, demonym), whether the name is an alternate, and an index into a flat array of
//! records. The index is written to one binary file (see `geo/codec.rs`): loading it is a read plus a
//! few array copies, never a parse of the GeoNames text. Region points (admin1, admin2, country) are
//! the centres of the areas their places cover (the mean of the occupied 0.5° grid cells), so
//! locations and alerts carry a `lat`/`lon` near the middle of the region rather than at its
//! biggest city.
//!
//! The built-in index is committed, gzip-compressed, as `data/gazetteer.bin.gz` (written by
//! `tocsin gazetteer build --geonames data/geonames --out data/gazetteer.bin.gz`) and compiled into
//! the binary with the GeoNames extract it was built from. [`Gazetteer::load_or_build_builtin`]
//! decodes it on first use and caches it uncompressed under a name that includes a hash of the
//! sources and the format version; an index whose key (recorded in the gzip header) does not match
//! the extract and the format is never used: the extract is built instead.

#[path = "geo/build.rs"]
mod build;
#[path = "geo/codec.rs"]
mod codec;
#[path = "geo/fnv.rs"]
mod fnv;
#[path = "geo/hints.rs"]
pub mod hints;
#[path = "geo/words.rs"]
pub(crate) mod words;

use std::path::{Path, PathBuf};

pub(crate) use build::BIG_PLACE;

use serde::Serialize;

use crate::fold::fold;
use crate::{EnrichError, Level, Location, Region};

/// The raw GeoNames files a gazetteer is built from (plain or gzip bytes).
pub struct GeonamesSources<'a> {
    pub cities: &'a [u8],
    pub admin1: &'a [u8],
    pub admin2: &'a [u8],
    pub countries: &'a [u8],
    pub demonyms: &'a [u8],
    /// Countries' reference points (`ISO2<TAB>lat<TAB>lon[<TAB>name]`, `#` comments); countries
    /// without one are placed at the centre of the area their places cover.
    pub country_points: &'a [u8],
    /// Second-level divisions' points (`admin2 code<TAB>lat<TAB>lon[<TAB>name]`, `#` comments);
    /// divisions without one are placed at the centre of the area their places cover, else at
    /// their seat's point, else at their province's.
    pub admin2_points: &'a [u8],
}

/// Sentinel for "no admin1/admin2" in records.
pub(crate) const NONE: u32 = u32::MAX;

/// A populated place.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlaceRec {
    pub geonameid: u32,
    /// Index of the preferred name in the string table.
    pub name: u32,
    pub lat: f32,
    pub lon: f32,
    pub population: u32,
    /// Index into the countries.
    pub country: u32,
    /// Index into the admin1 divisions, or `u32::MAX`.
    pub admin1: u32,
    /// Index into the admin2 divisions, or `u32::MAX`.
    pub admin2: u32,
    /// Feature rank: 6 capital (PPLC), 5 admin1 seat, 4 admin2 seat, 3 admin3 seat, 2 admin4 seat,
    /// 1 other or unknown, 0 section of a populated place (PPLX).
    pub rank: u32,
}

/// An administrative division (admin1 or admin2) or a country.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AreaRec {
    /// String index of the code (`CC.code`, `CC.a1.a2` or `CC`).
    pub code: u32,
    /// String index of the name.
    pub name: u32,
    pub geonameid: u32,
    /// Index of the country (self for countries).
    pub country: u32,
    /// Index of the parent admin1 (admin2 only), or `u32::MAX`.
    pub parent: u32,
    pub lat: f32,
    pub lon: f32,
    /// Sum of the populations of its places (countries: countryInfo population when larger).
    pub population: u32,
}

/// What a name in the index refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum EntryKind {
    Place = 0,
    Admin2 = 1,
    Admin1 = 2,
    Country = 3,
    /// A demonym ("Sudanese") of a country.
    Demonym = 4,
    /// An abbreviation of a country that only counts in capitals ("US").
    CountryAbbrev = 5,
    /// A postal or news abbreviation of a state or province ("Ill.", "W.Va.", "TX", "B.C."): only
    /// counts right after a place and a comma ("Springfield, Ill.").
    Admin1Abbrev = 6,
}

/// One posting: an entry a folded name refers to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Entry {
    pub kind: EntryKind,
    /// The name is an alternate (not the preferred or ASCII name).
    pub alternate: bool,
    pub index: u32,
}

impl Entry {
    pub(crate) fn encode(self) -> u32 {
        ((self.kind as u32) << 29) | (u32::from(self.alternate) << 28) | (self.index & 0x0FFF_FFFF)
    }

    pub(crate) fn decode(v: u32) -> Entry {
        let kind = match v >> 29 {
            0 => EntryKind::Place,
            1 => EntryKind::Admin2,
            2 => EntryKind::Admin1,
            3 => EntryKind::Country,
            4 => EntryKind::Demonym,
            5 => EntryKind::CountryAbbrev,
            _ => EntryKind::Admin1Abbrev,
        };
        Entry {
            kind,
            alternate: (v >> 28) & 1 == 1,
            index: v & 0x0FFF_FFFF,
        }
    }
}

/// Counts for metrics and reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct GazetteerStats {
    pub places: usize,
    /// Distinct folded names in the index.
    pub names: usize,
    pub postings: usize,
    pub admin1: usize,
    pub admin2: usize,
    pub countries: usize,
}

/// The gazetteer. Immutable once built; `Send + Sync`.
pub struct Gazetteer {
    /// The strings, one after another: text, so that a string is taken from it without checking
    /// it as UTF-8 again (the index's bytes are checked once, when it is decoded).
    pub(crate) strings: String,
    /// `strings[offs[i]..offs[i + 1]]` is string `i`; every offset is on a character boundary
    /// (checked when the index is decoded).
    pub(crate) string_offs: Vec<u32>,
    pub(crate) places: Vec<PlaceRec>,
    /// Sorted by code.
    pub(crate) admin2: Vec<AreaRec>,
    /// Sorted by code.
    pub(crate) admin1: Vec<AreaRec>,
    /// Sorted by ISO code.
    pub(crate) countries: Vec<AreaRec>,
    pub(crate) postings: Vec<u32>,
    /// Folded name → `start << 16 | len` into `postings`.
    pub(crate) names: fst::Map<Vec<u8>>,
    /// String index of each admin1 division's spelling key ([`spelling_key`]), in `admin1` order:
    /// made when the index is built and saved with it.
    pub(crate) admin1_spellings: Vec<u32>,
    /// String index of each admin2 division's spelling key, in `admin2` order.
    pub(crate) admin2_spellings: Vec<u32>,
    /// The spelling keys of each country's divisions as letters, made on first use (not saved).
    pub(crate) spellings: Spellings,
}

/// The spelling keys ([`spelling_key`]) of the divisions of each country as letters, for
/// [`Gazetteer::admin_by_spelling`]: made once per country, on the first lookup in it, instead of
/// on every lookup.
#[derive(Default)]
pub(crate) struct Spellings(std::sync::OnceLock<Vec<CountrySpellings>>);

/// One country's divisions, each level made on its first lookup: a text with no country context
/// looks up its words among the provinces of every country, never among their districts.
#[derive(Default)]
struct CountrySpellings {
    admin1: std::sync::OnceLock<SpelledList>,
    admin2: std::sync::OnceLock<SpelledList>,
}

/// One level of one country's divisions, by the length of their spelling keys: a lookup compares
/// a name only with the keys whose length is within its budget of edits.
#[derive(Default)]
struct SpelledList {
    /// The keys' letters, one key after another.
    chars: Vec<char>,
    /// The divisions, sorted by key length (then index).
    items: Vec<Spelled>,
}

/// A division: its index in `admin1` or `admin2`, where its key's letters are in
/// [`SpelledList::chars`], the letters binned.
#[derive(Clone, Copy)]
struct Spelled {
    index: u32,
    start: u32,
    len: u32,
    bins: Bins,
}

/// A name prepared for spelling lookups in many countries ([`Gazetteer::admin_by_spelling_within`]).
pub struct SpellingKey {
    chars: Vec<char>,
    bins: Bins,
}

impl SpellingKey {
    /// The key of a folded name: generics stripped, squashed. `None` for names too short to
    /// compare by spelling (under 4 letters).
    pub fn new(name: &str) -> Option<SpellingKey> {
        let stripped = words::strip_generics(name).unwrap_or_else(|| name.to_owned());
        let chars: Vec<char> = squash(&stripped).chars().collect();
        if chars.len() < 4 {
            return None;
        }
        let bins = Bins::of(&chars);
        Some(SpellingKey { chars, bins })
    }
}

/// How many letters of a word fall in each of 32 bins (by code point; one byte per bin, at most
/// 127): a bound on the edit distance between two words that costs a few operations on four
/// 64-bit words.
#[derive(Clone, Copy)]
struct Bins([u64; 4]);

/// The high bit of each byte of a word.
const HIGH_BITS: u64 = 0x8080_8080_8080_8080;

impl Bins {
    fn of(word: &[char]) -> Bins {
        let mut b = [0u8; 32];
        for &c in word {
            let k = c as usize % 32;
            b[k] = (b[k] + 1).min(127);
        }
        let mut w = [0u64; 4];
        for (w, bytes) in w.iter_mut().zip(b.chunks_exact(8)) {
            *w = u64::from_le_bytes(bytes.try_into().unwrap_or([0; 8]));
        }
        Bins(w)
    }

    /// Bytewise `x - y` where `x >= y`, else 0: with the high bit set in `x` and at most 127 in
    /// `y`, no byte borrows from the next; the high bit stays set where `x >= y`.
    fn excess(x: u64, y: u64) -> u64 {
        let t = (x | HIGH_BITS) - y;
        t & (((t & HIGH_BITS) >> 7) * 0x7F)
    }

    /// The bytes of `v` summed pairwise into 16-bit lanes (at most 254 each).
    fn pairs(v: u64) -> u64 {
        const LOW: u64 = 0x00FF_00FF_00FF_00FF;
        (v & LOW) + ((v >> 8) & LOW)
    }

    /// At most the edit distance between the two words: each edit adds or removes at most one
    /// letter on each side of the difference. (Counts capped at 127 only lower the bound.)
    fn distance_bound(&self, other: &Bins) -> usize {
        let (mut more, mut fewer) = (0u64, 0u64);
        for (&x, &y) in self.0.iter().zip(&other.0) {
            more += Self::pairs(Self::excess(x, y));
            fewer += Self::pairs(Self::excess(y, x));
        }
        // Lanes of at most 1,016 summed in the top lane (at most 4,064: no carries).
        let total = |v: u64| (v.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize;
        total(more).max(total(fewer))
    }

    /// [`Bins::distance_bound`] for words of `n` and `m` letters (this one and `other`): under
    /// 128 letters no count is capped, so the letters `other` lacks outnumber those this word
    /// lacks by `n - m`, and one side gives the other.
    fn distance_bound_of(&self, other: &Bins, n: usize, m: usize) -> usize {
        if n >= 128 || m >= 128 {
            return self.distance_bound(other);
        }
        let mut more = 0u64;
        for (&x, &y) in self.0.iter().zip(&other.0) {
            more += Self::pairs(Self::excess(x, y));
        }
        let more = (more.wrapping_mul(0x0001_0001_0001_0001) >> 48) as usize;
        // `fewer - more == m - n`.
        (more + m).saturating_sub(n).max(more)
    }
}

/// Version of the binary format and of the index contents; part of the cache file name.
pub const FORMAT_VERSION: u32 = 13;

const BUILTIN_CITIES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/geonames/cities500.txt.gz"
));
const BUILTIN_ADMIN1: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/geonames/admin1CodesASCII.txt"
));
const BUILTIN_ADMIN2: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/geonames/admin2Codes.txt.gz"
));
const BUILTIN_COUNTRIES: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/geonames/countryInfo.txt"
));
const BUILTIN_DEMONYMS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/geonames/nationalities.txt"
));
/// The World Factbook's country coordinates (public domain; see `data/factbook/README.md`).
pub const BUILTIN_COUNTRY_POINTS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/factbook/country-points.txt"
));

/// The centres of US counties, from the Census Bureau's boundaries (public domain; see
/// `data/census/README.md`).
pub const BUILTIN_ADMIN2_POINTS: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/census/admin2-points.txt"
));

/// The committed index of the extract, `data/gazetteer.bin.gz`: gzip with the sources' key
/// ([`sources_key`]) as the header's comment.
const BUILTIN_INDEX: &[u8] = include_bytes!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../data/gazetteer.bin.gz"
));

/// The GeoNames extract compiled into the binary.
pub fn builtin_sources() -> GeonamesSources<'static> {
    GeonamesSources {
        cities: BUILTIN_CITIES,
        admin1: BUILTIN_ADMIN1,
        admin2: BUILTIN_ADMIN2,
        countries: BUILTIN_COUNTRIES,
        demonyms: BUILTIN_DEMONYMS,
        country_points: BUILTIN_COUNTRY_POINTS,
        admin2_points: BUILTIN_ADMIN2_POINTS,
    }
}

const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// Gzip (best compression) with `key` as the header's comment.
fn compress(raw: &[u8], key: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(raw.len() / 2);
    let mut w = flate2::GzBuilder::new()
        .comment(key)
        .write(&mut out, flate2::Compression::best());
    // Writing to a Vec cannot fail.
    std::io::Write::write_all(&mut w, raw).expect("compressing to memory");
    w.finish().expect("compressing to memory");
    out
}

/// The header's comment and the decompressed bytes of a gzip stream.
fn decompress(gz: &[u8]) -> Result<(Option<String>, Vec<u8>), String> {
    let mut d = flate2::read::GzDecoder::new(gz);
    let mut raw = Vec::new();
    std::io::Read::read_to_end(&mut d, &mut raw).map_err(|e| format!("bad gzip data: {e}"))?;
    let key = d
        .header()
        .and_then(|h| h.comment())
        .map(|c| String::from_utf8_lossy(c).into_owned());
    Ok((key, raw))
}

/// FNV-1a 64 over the sources (and the build code's version), naming the cache file.
fn sources_hash(src: &GeonamesSources<'_>) -> u64 {
    fnv::hash_parts(&[
        src.cities,
        src.admin1,
        src.admin2,
        src.countries,
        src.demonyms,
        src.country_points,
        src.admin2_points,
    ]) ^ u64::from(FORMAT_VERSION)
}

/// Removes the built-in indexes that other versions cached in `dir` (about 30 MB each), keeping
/// `current`. An older binary that still runs rebuilds its own on its next start, in a fraction of
/// a second. Best effort: a file that cannot be removed is left.
fn remove_stale_caches(dir: &Path, current: &Path) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name();
        let name = name.to_string_lossy();
        if path != current && name.starts_with("gazetteer-v") && name.ends_with(".bin") {
            let _ = std::fs::remove_file(&path);
        }
    }
}

/// [`sources_hash`] of [`builtin_sources`], computed by `build.rs` from the same files.
fn builtin_sources_hash() -> u64 {
    const FNV: u64 = include!(concat!(env!("OUT_DIR"), "/builtin_sources_fnv.rs"));
    FNV ^ u64::from(FORMAT_VERSION)
}

/// What an index was built from: the format version and a hash of the source files. Written in
/// the gzip header of a compressed index, so that a stale one is never taken for current.
pub fn sources_key(src: &GeonamesSources<'_>) -> String {
    key_of_hash(sources_hash(src))
}

fn key_of_hash(hash: u64) -> String {
    format!("tocsin gazetteer v{FORMAT_VERSION} sources {hash:016x}")
}

/// GeoNames files read from a folder (see [`GeonamesFiles::read_dir`]).
pub struct GeonamesFiles {
    dir: PathBuf,
    cities: Vec<u8>,
    admin1: Vec<u8>,
    admin2: Vec<u8>,
    countries: Vec<u8>,
    demonyms: Vec<u8>,
    /// Empty when the folder has no `country-points.txt` (the built-in points are used).
    country_points: Vec<u8>,
    /// Empty when the folder has no `admin2-points.txt` (the built-in points are used).
    admin2_points: Vec<u8>,
}

impl GeonamesFiles {
    /// Reads `cities500.txt` (or `.gz`; also `allCountries`/`cities1000`... or the name
    /// `cities.txt[.gz]`), `admin1CodesASCII.txt`, `admin2Codes.txt[.gz]`, `countryInfo.txt`,
    /// `nationalities.txt` (optional), `country-points.txt` (optional; the built-in World
    /// Factbook points when absent) and `admin2-points.txt` (optional; the built-in US county
    /// centres when absent) from `dir`.
    pub fn read_dir(dir: &Path) -> Result<GeonamesFiles, EnrichError> {
        let find = |names: &[&str], required: bool| -> Result<Vec<u8>, EnrichError> {
            for n in names {
                for candidate in [n.to_string(), format!("{n}.gz")] {
                    let p = dir.join(&candidate);
                    if p.is_file() {
                        return std::fs::read(&p).map_err(|source| EnrichError::Io {
                            path: p.display().to_string(),
                            source,
                        });
                    }
                }
            }
            if required {
                Err(EnrichError::Gazetteer {
                    path: dir.display().to_string(),
                    message: format!(
                        "building a gazetteer: none of {names:?} (plain or .gz) found"
                    ),
                })
            } else {
                Ok(Vec::new())
            }
        };
        Ok(GeonamesFiles {
            dir: dir.to_path_buf(),
            cities: find(
                &[
                    "cities500.txt",
                    "cities.txt",
                    "allCountries.txt",
                    "cities1000.txt",
                    "cities5000.txt",
                    "cities15000.txt",
                ],
                true,
            )?,
            admin1: find(&["admin1CodesASCII.txt"], true)?,
            admin2: find(&["admin2Codes.txt"], false)?,
            countries: find(&["countryInfo.txt"], true)?,
            demonyms: find(&["nationalities.txt"], false)?,
            country_points: find(&["country-points.txt"], false)?,
            admin2_points: find(&["admin2-points.txt"], false)?,
        })
    }

    /// Builds the gazetteer; errors name the folder.
    pub fn build(&self) -> Result<Gazetteer, EnrichError> {
        build::build(&self.sources()).map_err(|e| match e {
            EnrichError::Gazetteer { path, message } if path.is_empty() => EnrichError::Gazetteer {
                path: self.dir.display().to_string(),
                message,
            },
            e => e,
        })
    }

    /// The key of an index built from these files ([`sources_key`]).
    pub fn key(&self) -> String {
        sources_key(&self.sources())
    }

    /// The files as build sources.
    pub fn sources(&self) -> GeonamesSources<'_> {
        GeonamesSources {
            cities: &self.cities,
            admin1: &self.admin1,
            admin2: &self.admin2,
            countries: &self.countries,
            demonyms: &self.demonyms,
            country_points: if self.country_points.is_empty() {
                BUILTIN_COUNTRY_POINTS
            } else {
                &self.country_points
            },
            admin2_points: if self.admin2_points.is_empty() {
                BUILTIN_ADMIN2_POINTS
            } else {
                &self.admin2_points
            },
        }
    }
}

impl Gazetteer {
    /// Builds a gazetteer from GeoNames dump files.
    pub fn build(src: &GeonamesSources<'_>) -> Result<Gazetteer, EnrichError> {
        build::build(src)
    }

    /// Builds from a GeoNames folder (the files [`GeonamesFiles::read_dir`] reads).
    pub fn build_from_dir(dir: &Path) -> Result<Gazetteer, EnrichError> {
        GeonamesFiles::read_dir(dir)?.build()
    }

    /// Writes the index to `path` (via a temporary file in the same folder, then a rename).
    pub fn save(&self, path: &Path) -> Result<(), EnrichError> {
        Self::write_file(path, &codec::encode(self))
    }

    /// Writes the index gzip-compressed, with `key` ([`sources_key`]) in the gzip header.
    pub fn save_compressed(&self, path: &Path, key: &str) -> Result<(), EnrichError> {
        Self::write_file(path, &compress(&codec::encode(self), key))
    }

    fn write_file(path: &Path, bytes: &[u8]) -> Result<(), EnrichError> {
        let io = |source| EnrichError::Io {
            path: path.display().to_string(),
            source,
        };
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let mut tmp = tempfile::NamedTempFile::new_in(&dir).map_err(io)?;
        std::io::Write::write_all(&mut tmp, bytes).map_err(io)?;
        tmp.persist(path).map_err(|e| io(e.error))?;
        Ok(())
    }

    /// Reads an index written by [`Gazetteer::save`] or [`Gazetteer::save_compressed`].
    pub fn load(path: &Path) -> Result<Gazetteer, EnrichError> {
        let bytes = std::fs::read(path).map_err(|source| EnrichError::Io {
            path: path.display().to_string(),
            source,
        })?;
        let bad = |message: String| EnrichError::Gazetteer {
            path: path.display().to_string(),
            message: format!("loading the gazetteer index: {message}"),
        };
        if bytes.starts_with(&GZIP_MAGIC) {
            let (_, raw) = decompress(&bytes).map_err(bad)?;
            codec::decode(&raw).map_err(bad)
        } else {
            codec::decode(&bytes).map_err(bad)
        }
    }

    /// The built-in gazetteer: loaded from `cache_dir` if built before, else built from the GeoNames
    /// extract compiled into the binary and saved there.
    pub fn load_or_build_builtin(cache_dir: &Path) -> Result<Gazetteer, EnrichError> {
        let hash = builtin_sources_hash();
        let file = cache_dir.join(format!("gazetteer-v{FORMAT_VERSION}-{hash:016x}.bin"));
        if file.is_file() {
            match Gazetteer::load(&file) {
                Ok(g) => return Ok(g),
                // A truncated or foreign file: rebuild and replace it.
                Err(EnrichError::Gazetteer { .. }) => {}
                Err(e) => return Err(e),
            }
        }
        let g = match Self::committed_index(&key_of_hash(hash)) {
            Some(g) => g,
            None => Gazetteer::build(&builtin_sources())?,
        };
        g.save(&file)?;
        remove_stale_caches(cache_dir, &file);
        Ok(g)
    }

    /// The committed index, if it was built from the compiled-in extract by this format (its key
    /// is `key`) and decodes.
    fn committed_index(key: &str) -> Option<Gazetteer> {
        let (found, raw) = decompress(BUILTIN_INDEX).ok()?;
        if found.as_deref() != Some(key) {
            return None;
        }
        codec::decode(&raw).ok()
    }

    /// Counts of what the gazetteer holds.
    pub fn stats(&self) -> GazetteerStats {
        GazetteerStats {
            places: self.places.len(),
            names: self.names.len(),
            postings: self.postings.len(),
            admin1: self.admin1.len(),
            admin2: self.admin2.len(),
            countries: self.countries.len(),
        }
    }

    /// String `i` of the string table.
    pub(crate) fn str(&self, i: u32) -> &str {
        let i = i as usize;
        match (self.string_offs.get(i), self.string_offs.get(i + 1)) {
            (Some(&a), Some(&b)) => self.strings.get(a as usize..b as usize).unwrap_or(""),
            _ => "",
        }
    }

    /// The folded-name index.
    pub(crate) fn names(&self) -> &fst::Map<Vec<u8>> {
        &self.names
    }

    /// The postings of an fst value.
    pub(crate) fn postings(&self, value: u64) -> impl Iterator<Item = Entry> + '_ {
        let start = (value >> 16) as usize;
        let len = (value & 0xFFFF) as usize;
        self.postings
            .get(start..start + len)
            .unwrap_or(&[])
            .iter()
            .map(|&v| Entry::decode(v))
    }

    /// Entries named exactly `folded` (already folded, single spaces).
    pub fn lookup(&self, folded: &str) -> Vec<Entry> {
        self.names
            .get(folded)
            .map(|v| self.postings(v).collect())
            .unwrap_or_default()
    }

    pub fn place(&self, i: u32) -> Option<&PlaceRec> {
        self.places.get(i as usize)
    }

    pub fn admin1_rec(&self, i: u32) -> Option<&AreaRec> {
        self.admin1.get(i as usize)
    }

    pub fn admin2_rec(&self, i: u32) -> Option<&AreaRec> {
        self.admin2.get(i as usize)
    }

    pub fn country_rec(&self, i: u32) -> Option<&AreaRec> {
        self.countries.get(i as usize)
    }

    /// Code (`CC`, `CC.a1`, `CC.a1.a2`) and name of an area record.
    pub fn area_code(&self, a: &AreaRec) -> &str {
        self.str(a.code)
    }

    pub fn area_name(&self, a: &AreaRec) -> &str {
        self.str(a.name)
    }

    pub fn place_name(&self, p: &PlaceRec) -> &str {
        self.str(p.name)
    }

    fn find_area(&self, list: &[AreaRec], code: &str) -> Option<u32> {
        list.binary_search_by(|a| self.str(a.code).cmp(code))
            .ok()
            .map(|i| i as u32)
    }

    /// Index of the country with ISO code `iso2`.
    pub fn country_index(&self, iso2: &str) -> Option<u32> {
        self.find_area(&self.countries, iso2)
    }

    /// Index of the admin1 division `CC.code`.
    pub fn admin1_index(&self, code: &str) -> Option<u32> {
        self.find_area(&self.admin1, code)
    }

    /// Index of the admin2 division `CC.a1.a2`.
    pub fn admin2_index(&self, code: &str) -> Option<u32> {
        self.find_area(&self.admin2, code)
    }

    fn admin1_region(&self, i: u32) -> Option<Region> {
        let a = self.admin1.get(i as usize)?;
        let c = self.countries.get(a.country as usize)?;
        Some(Region {
            id: self.str(a.code).to_owned(),
            country: self.str(c.code).to_owned(),
            admin1: Some(self.str(a.code).to_owned()),
            name: self.str(a.name).to_owned(),
            lat: f64::from(a.lat),
            lon: f64::from(a.lon),
        })
    }

    fn country_region(&self, i: u32) -> Option<Region> {
        let c = self.countries.get(i as usize)?;
        Some(Region {
            id: self.str(c.code).to_owned(),
            country: self.str(c.code).to_owned(),
            admin1: None,
            name: self.str(c.name).to_owned(),
            lat: f64::from(c.lat),
            lon: f64::from(c.lon),
        })
    }

    /// The aggregation region of a location (admin1, or country when admin1 is unknown), with the
    /// region's centroid. Locations from another gazetteer fall back to their own fields.
    pub fn region_of(&self, loc: &Location) -> Region {
        let found = match &loc.admin1 {
            Some(code) => self.admin1_index(code).and_then(|i| self.admin1_region(i)),
            None => self
                .country_index(&loc.country)
                .and_then(|i| self.country_region(i)),
        };
        found.unwrap_or_else(|| Region {
            id: loc.region_id(),
            country: loc.country.clone(),
            admin1: loc.admin1.clone(),
            name: loc
                .admin1_name
                .clone()
                .unwrap_or_else(|| loc.country.clone()),
            lat: loc.lat,
            lon: loc.lon,
        })
    }

    /// The region with id `CC.admin1` or `CC`.
    pub fn region(&self, id: &str) -> Option<Region> {
        if id.contains('.') {
            self.admin1_index(id).and_then(|i| self.admin1_region(i))
        } else {
            self.country_index(id).and_then(|i| self.country_region(i))
        }
    }

    /// Resolves a country written as ISO2 ("SY") or as a name ("Syria", "Central African Republic",
    /// "Ivory Coast").
    pub fn country_by_name(&self, country: &str) -> Option<u32> {
        let t = country.trim();
        if t.len() == 2 && t.chars().all(|c| c.is_ascii_alphabetic()) {
            if let Some(i) = self.country_index(&t.to_ascii_uppercase()) {
                return Some(i);
            }
        }
        let key = normalize_name(t);
        let mut found = None;
        for e in self.lookup(&key) {
            if matches!(e.kind, EntryKind::Country | EntryKind::CountryAbbrev) {
                found = Some(e.index);
                if !e.alternate {
                    break;
                }
            }
        }
        found
    }

    /// Resolves an admin1 name as written by other datasets ("Homs Governorate", "Ouaka
    /// prefecture", "Vakaga", "Hamah") in a country (ISO2 or name): generic words are stripped, the
    /// name is folded and matched against the country's admin1 names, then against the names of its
    /// administrative seats, then with one edit of tolerance.
    pub fn admin1_by_name(&self, country: &str, name: &str) -> Option<Region> {
        let ci = self.country_by_name(country)?;
        let folded = normalize_name(name);
        let stripped = words::strip_generics(&folded).unwrap_or_else(|| folded.clone());
        let key = squash(&stripped);
        if key.is_empty() {
            return None;
        }
        let in_country: Vec<u32> = (0..self.admin1.len() as u32)
            .filter(|&i| self.admin1[i as usize].country == ci)
            .collect();
        // 1. The division's own name, squashed (no spaces, hyphens or leading article).
        for &i in &in_country {
            let a = &self.admin1[i as usize];
            let own = normalize_name(self.str(a.name));
            let own = words::strip_generics(&own).unwrap_or(own);
            if squash(&own) == key {
                return self.admin1_region(i);
            }
        }
        // 2. Any index name of the division or of a seat of government in it (alternate names).
        for q in [&stripped, &folded] {
            let mut best: Option<(u32, u32)> = None;
            for e in self.lookup(q) {
                let (a1, rank) = match e.kind {
                    EntryKind::Admin1 => (e.index, 10),
                    EntryKind::Place => match self.places.get(e.index as usize) {
                        Some(p) if p.country == ci && p.rank >= 5 => (p.admin1, p.rank),
                        _ => continue,
                    },
                    _ => continue,
                };
                if a1 == NONE || self.admin1.get(a1 as usize).map(|a| a.country) != Some(ci) {
                    continue;
                }
                if best.is_none_or(|(_, r)| rank > r) {
                    best = Some((a1, rank));
                }
            }
            if let Some((i, _)) = best {
                return self.admin1_region(i);
            }
        }
        // 3. One edit away (spelling variants: "Atacora"/"Atakora", "Wardak"/"Vardak").
        if key.chars().count() >= 5 {
            let mut hits = in_country.iter().filter(|&&i| {
                let own = normalize_name(self.str(self.admin1[i as usize].name));
                let own = words::strip_generics(&own).unwrap_or(own);
                edit_distance_at_most_one(&squash(&own), &key)
            });
            if let (Some(&i), None) = (hits.next(), hits.next()) {
                return self.admin1_region(i);
            }
        }
        None
    }

    /// Indices of the records of `list` (sorted by code) whose code starts with `prefix`.
    fn code_range(&self, list: &[AreaRec], prefix: &str) -> std::ops::Range<usize> {
        let lo = list.partition_point(|a| self.str(a.code) < prefix);
        let hi = lo + list[lo..].partition_point(|a| self.str(a.code).starts_with(prefix));
        lo..hi
    }

    /// The spelling keys of the admin1 (or, with `admin2`, the admin2) divisions of `country`
    /// (ISO code `cc`), made on first use.
    fn country_spellings(&self, country: u32, cc: &str, admin2: bool) -> &SpelledList {
        let all = self
            .spellings
            .0
            .get_or_init(|| self.countries.iter().map(|_| Default::default()).collect());
        let (cell, list, keys) = if admin2 {
            (
                &all[country as usize].admin2,
                &self.admin2,
                &self.admin2_spellings,
            )
        } else {
            (
                &all[country as usize].admin1,
                &self.admin1,
                &self.admin1_spellings,
            )
        };
        cell.get_or_init(|| self.spelled_list(list, keys, &format!("{cc}.")))
    }

    /// The divisions of `list` whose code starts with `prefix`, with their spelling keys `keys`.
    fn spelled_list(&self, list: &[AreaRec], keys: &[u32], prefix: &str) -> SpelledList {
        let range = self.code_range(list, prefix);
        let mut out = SpelledList {
            chars: Vec::with_capacity(range.len() * 12),
            items: Vec::with_capacity(range.len()),
        };
        for i in range {
            let start = out.chars.len();
            out.chars
                .extend(self.str(keys.get(i).copied().unwrap_or(0)).chars());
            let own = &out.chars[start..];
            out.items.push(Spelled {
                index: i as u32,
                start: start as u32,
                len: own.len() as u32,
                bins: Bins::of(own),
            });
        }
        // By key length, then index (the order they are in): a counting sort over the few
        // lengths.
        let slots = out
            .items
            .iter()
            .map(|d| d.len as usize + 2)
            .max()
            .unwrap_or(1);
        let mut at = vec![0usize; slots];
        for d in &out.items {
            at[d.len as usize + 1] += 1;
        }
        for k in 1..at.len() {
            at[k] += at[k - 1];
        }
        let mut sorted = out.items.clone();
        for d in &out.items {
            sorted[at[d.len as usize]] = *d;
            at[d.len as usize] += 1;
        }
        out.items = sorted;
        out
    }

    /// The admin1 (or, with `admin2`, also admin2) division of `country` whose name is closest in
    /// spelling to `name` (folded), within a third of its letters ("Atacora" for "Atakora",
    /// "Urozgan" for "Oruzgan", "Ghor" for "Ghowr"), with the number of edits. `None` when no
    /// division is that close or two different ones are equally close.
    pub fn admin_by_spelling(
        &self,
        country: u32,
        name: &str,
        admin2: bool,
    ) -> Option<(Entry, usize)> {
        self.admin_by_spelling_within(country, &SpellingKey::new(name)?, admin2, usize::MAX)
    }

    /// [`Gazetteer::admin_by_spelling`] for a name prepared once ([`SpellingKey`]), when its
    /// answer has at most `max` edits (`None` otherwise): the same answer, found faster.
    pub fn admin_by_spelling_within(
        &self,
        country: u32,
        key: &SpellingKey,
        admin2: bool,
        max: usize,
    ) -> Option<(Entry, usize)> {
        let cc = self
            .countries
            .get(country as usize)
            .map(|c| self.str(c.code))?;
        let SpellingKey {
            chars: key,
            bins: key_bins,
        } = key;
        let mut best: Option<(Entry, usize)> = None;
        let mut tie = false;
        let admin1 = self.country_spellings(country, cc, false);
        let lists: &[(EntryKind, &SpelledList)] = if admin2 {
            &[
                (EntryKind::Admin1, admin1),
                (EntryKind::Admin2, self.country_spellings(country, cc, true)),
            ]
        } else {
            &[(EntryKind::Admin1, admin1)]
        };
        // Keys within the budget differ in length by at most a third of the longer one: from
        // two thirds of the name's length to one and a half times it.
        let n = key.len();
        let shortest = n - (n / 3).min(max);
        let longest = n + (n / 2).min(max);
        let mut rows = (Vec::new(), Vec::new());
        for &(kind, list) in lists {
            let items = &list.items;
            let lo = items.partition_point(|d| (d.len as usize) < shortest);
            let hi = lo + items[lo..].partition_point(|d| d.len as usize <= longest);
            for d in &items[lo..hi] {
                let (i, bins) = (&d.index, &d.bins);
                let own = &list.chars[d.start as usize..(d.start + d.len) as usize];
                let budget = (key.len().max(own.len()) / 3).min(max);
                // Farther than the best so far: not a candidate either.
                let limit = best.map_or(budget, |(_, bd)| bd.min(budget));
                if key.len().abs_diff(own.len()) > limit
                    || key_bins.distance_bound_of(bins, key.len(), own.len()) > limit
                {
                    continue;
                }
                let Some(d) = levenshtein_within(key, own, limit, &mut rows) else {
                    continue;
                };
                let e = Entry {
                    kind,
                    alternate: true,
                    index: *i,
                };
                match best {
                    Some((_, bd)) if d > bd => {}
                    Some((_, bd)) if d == bd => tie = true,
                    _ => {
                        best = Some((e, d));
                        tie = false;
                    }
                }
            }
        }
        if tie {
            None
        } else {
            best
        }
    }

    /// A [`Location`] for an index entry (place, division or country), with its names and centroid.
    pub fn location(&self, e: Entry, start: usize, end: usize, score: f64) -> Option<Location> {
        let (name, geonameid, lat, lon, country, admin1, admin2, level) = match e.kind {
            EntryKind::Place => {
                let p = self.places.get(e.index as usize)?;
                (
                    self.str(p.name),
                    p.geonameid,
                    p.lat,
                    p.lon,
                    p.country,
                    p.admin1,
                    p.admin2,
                    Level::Place,
                )
            }
            EntryKind::Admin2 => {
                let a = self.admin2.get(e.index as usize)?;
                (
                    self.str(a.name),
                    a.geonameid,
                    a.lat,
                    a.lon,
                    a.country,
                    a.parent,
                    e.index,
                    Level::Admin2,
                )
            }
            EntryKind::Admin1 | EntryKind::Admin1Abbrev => {
                let a = self.admin1.get(e.index as usize)?;
                (
                    self.str(a.name),
                    a.geonameid,
                    a.lat,
                    a.lon,
                    a.country,
                    e.index,
                    NONE,
                    Level::Admin1,
                )
            }
            EntryKind::Country | EntryKind::Demonym | EntryKind::CountryAbbrev => {
                let c = self.countries.get(e.index as usize)?;
                (
                    self.str(c.name),
                    c.geonameid,
                    c.lat,
                    c.lon,
                    e.index,
                    NONE,
                    NONE,
                    Level::Country,
                )
            }
        };
        let country = self.countries.get(country as usize)?;
        let a1 = self.admin1.get(admin1 as usize);
        Some(Location {
            name: name.to_owned(),
            start,
            end,
            geonameid: (geonameid != 0).then_some(u64::from(geonameid)),
            lat: round5(lat),
            lon: round5(lon),
            country: self.str(country.code).to_owned(),
            admin1: a1.map(|a| self.str(a.code).to_owned()),
            admin1_name: a1.map(|a| self.str(a.name).to_owned()),
            admin2: self
                .admin2
                .get(admin2 as usize)
                .map(|a| self.str(a.code).to_owned()),
            level,
            score: (score.clamp(0.0, 1.0) * 1000.0).round() / 1000.0,
        })
    }
}

fn round5(x: f32) -> f64 {
    (f64::from(x) * 1e5).round() / 1e5
}

/// Folds a name and collapses whitespace to single spaces: the form names take in the index.
pub fn normalize_name(s: &str) -> String {
    let f = fold(s);
    // Most names are already one word or words one space apart.
    if f.split(' ')
        .all(|w| !w.is_empty() && !w.contains(char::is_whitespace))
    {
        return f;
    }
    let mut out = String::with_capacity(f.len());
    for w in f.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(w);
    }
    out
}

/// The key a division's name is compared by in spelling lookups: folded, generics stripped,
/// squashed ("Wardak Province" → "wardak").
fn spelling_key(name: &str) -> String {
    let own = normalize_name(name);
    let own = words::strip_generics(&own).unwrap_or(own);
    squash(&own)
}

/// A folded name with spaces, hyphens, apostrophes and a leading Arabic article removed, for
/// comparing spellings ("Ar-Raqqah" ~ "Ar Raqqah" ~ "Raqqah").
fn squash(folded: &str) -> String {
    let mut s: String = folded.chars().filter(|c| c.is_alphanumeric()).collect();
    for art in ["al", "el", "ar", "as", "ad", "an", "ash", "az", "at"] {
        let with_sep = folded
            .strip_prefix(art)
            .is_some_and(|rest| rest.starts_with([' ', '-']));
        if with_sep {
            s.drain(..art.len());
            break;
        }
    }
    s
}

/// The edit distance between `a` and `b` when it is at most `limit`, else `None`; `rows` are
/// reused buffers. Stops at the first row of the table whose cells all exceed `limit` (no cell
/// of a later row is smaller than the smallest of the row before).
fn levenshtein_within(
    a: &[char],
    b: &[char],
    limit: usize,
    (prev, cur): &mut (Vec<usize>, Vec<usize>),
) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit {
        return None;
    }
    prev.clear();
    prev.extend(0..=b.len());
    cur.clear();
    cur.resize(b.len() + 1, 0);
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        let mut least = cur[0];
        for (j, cb) in b.iter().enumerate() {
            let d = (prev[j + 1] + 1)
                .min(cur[j] + 1)
                .min(prev[j] + usize::from(ca != cb));
            cur[j + 1] = d;
            least = least.min(d);
        }
        if least > limit {
            return None;
        }
        std::mem::swap(prev, cur);
    }
    Some(prev[b.len()]).filter(|&d| d <= limit)
}

/// Whether two strings are at most one insertion, deletion or substitution apart.
fn edit_distance_at_most_one(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if long.len() - short.len() > 1 {
        return false;
    }
    let prefix = short
        .iter()
        .zip(long.iter())
        .take_while(|(x, y)| x == y)
        .count();
    if short.len() == long.len() {
        short[prefix + 1.min(short.len() - prefix)..] == long[prefix + 1.min(long.len() - prefix)..]
    } else {
        short[prefix..] == long[prefix + 1..]
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    #[test]
    fn distance_bound_of_is_distance_bound() {
        let words = [
            "atacora", "atakora", "wardak", "vardak", "ghor", "ghowr", "", "nimruz", "nimroz",
        ];
        let long: String = "ab".repeat(80);
        for a in words.iter().copied().chain([long.as_str()]) {
            for b in words.iter().copied().chain([long.as_str()]) {
                let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let (bx, by) = (Bins::of(&x), Bins::of(&y));
                assert_eq!(
                    bx.distance_bound_of(&by, x.len(), y.len()),
                    bx.distance_bound(&by),
                    "{a} {b}"
                );
            }
        }
    }

    /// A tiny GeoNames-format extract for unit tests (invented populations; real names and
    /// approximate coordinates).
    pub(crate) fn fixture_sources() -> GeonamesSources<'static> {
        GeonamesSources {
            cities: FIX_CITIES.as_bytes(),
            admin1: FIX_ADMIN1.as_bytes(),
            admin2: FIX_ADMIN2.as_bytes(),
            countries: FIX_COUNTRIES.as_bytes(),
            demonyms: FIX_DEMONYMS.as_bytes(),
            country_points: b"",
            admin2_points: b"",
        }
    }

    pub(crate) fn fixture() -> Gazetteer {
        match Gazetteer::build(&fixture_sources()) {
            Ok(g) => g,
            Err(e) => panic!("fixture gazetteer: {e}"),
        }
    }

    /// One cities500 row: (geonameid, name, alternates, lat, lon, feature code, country,
    /// admin1, admin2, population).
    type CityRow<'a> = (
        u32,
        &'a str,
        &'a str,
        f64,
        f64,
        &'a str,
        &'a str,
        &'a str,
        &'a str,
        u32,
    );

    fn city((id, name, alts, lat, lon, fcode, cc, a1, a2, pop): CityRow<'_>) -> String {
        format!(
            "{id}\t{name}\t{name}\t{alts}\t{lat}\t{lon}\tP\t{fcode}\t{cc}\t\t{a1}\t{a2}\t\t\t{pop}\t\t\t\t\n"
        )
    }

    static FIX_CITIES: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        [
            city((
                379555,
                "El Geneina",
                "Al Junaynah,Geneina,الجنينة",
                13.45,
                22.44,
                "PPLA",
                "SD",
                "47",
                "",
                160000,
            )),
            city((
                379252,
                "Khartoum",
                "Al Khartum,Khartum,الخرطوم",
                15.55,
                32.53,
                "PPLC",
                "SD",
                "29",
                "",
                1974647,
            )),
            city((
                379253, "Nyala", "", 12.05, 24.88, "PPLA", "SD", "49", "", 565734,
            )),
            city((
                1000001,
                "Alexandria",
                "Al Iskandariyah,الإسكندرية",
                31.2,
                29.92,
                "PPLA",
                "EG",
                "06",
                "",
                3811516,
            )),
            city((
                4314550,
                "Alexandria",
                "",
                31.31,
                -92.45,
                "PPL",
                "US",
                "LA",
                "079",
                47723,
            )),
            city((
                4744709,
                "Alexandria",
                "",
                38.80,
                -77.05,
                "PPL",
                "US",
                "VA",
                "510",
                139966,
            )),
            city((
                3088461, "Police", "", 53.55, 14.57, "PPL", "PL", "78", "", 34350,
            )),
            city((
                1269750, "Gumla", "", 23.04, 84.54, "PPLA2", "IN", "38", "340", 51264,
            )),
            city((
                1269751, "Ranchi", "", 23.34, 85.31, "PPLA", "IN", "38", "", 1120374,
            )),
            city((
                1269752, "Gumla", "", 26.0, 80.0, "PPL", "IN", "36", "", 2000,
            )),
            city((
                1138958,
                "Kabul",
                "Kabol,كابل",
                34.53,
                69.17,
                "PPLC",
                "AF",
                "13",
                "",
                3043532,
            )),
            city((
                1133453,
                "Dawlat Abad",
                "Dowlatabad",
                36.99,
                66.82,
                "",
                "AF",
                "30",
                "",
                900,
            )),
            city((
                1133454,
                "Dawlat Abad",
                "",
                34.0,
                64.0,
                "",
                "AF",
                "10",
                "",
                5000,
            )),
            city((
                1133455,
                "Dawlat Abad",
                "",
                30.0,
                55.0,
                "",
                "IR",
                "29",
                "",
                8000,
            )),
            city((1133456, "Balkh", "", 36.75, 66.9, "", "AF", "30", "", 77000)),
            city((
                170063,
                "Aleppo",
                "Halab,حلب",
                36.2,
                37.16,
                "PPLA",
                "SY",
                "09",
                "",
                1602264,
            )),
            city((
                170654,
                "Damascus",
                "Dimashq,دمشق",
                33.51,
                36.29,
                "PPLC",
                "SY",
                "13",
                "",
                1569394,
            )),
            city((
                2347283, "Bambari", "", 5.76, 20.67, "PPLA", "CF", "11", "", 41356,
            )),
            city((
                5000001,
                "Dublin",
                "Baile Átha Cliath,Dublin City",
                53.33,
                -6.25,
                "PPLC",
                "IE",
                "L",
                "",
                1024027,
            )),
            city((
                5000002, "Dublin", "", 32.54, -82.9, "PPL", "US", "GA", "175", 16201,
            )),
            city((
                276781,
                "Beirut",
                "Bayrut,بيروت",
                33.89,
                35.49,
                "PPLC",
                "LB",
                "04",
                "",
                1916100,
            )),
            city((
                5000003, "Henry", "", 41.1, -89.35, "PPL", "US", "IL", "", 2400,
            )),
            city((
                5000004,
                "Saint-Louis",
                "",
                16.03,
                -16.5,
                "PPLA",
                "SN",
                "15",
                "",
                176000,
            )),
        ]
        .concat()
    });
    const FIX_ADMIN1: &str = "SD.47\tWestern Darfur\tWestern Darfur\t408658\n\
SD.29\tKhartoum\tKhartoum\t379253\n\
SD.49\tSouthern Darfur\tSouthern Darfur\t408660\n\
EG.06\tAlexandria\tAlexandria\t361058\n\
US.LA\tLouisiana\tLouisiana\t4331987\n\
US.VA\tVirginia\tVirginia\t6254928\n\
US.GA\tGeorgia\tGeorgia\t4197000\n\
US.IL\tIllinois\tIllinois\t4896861\n\
PL.78\tWest Pomerania\tWest Pomerania\t3337499\n\
IN.38\tJharkhand\tJharkhand\t1444365\n\
IN.36\tUttar Pradesh\tUttar Pradesh\t1253626\n\
AF.13\tKabul\tKabul\t1138957\n\
AF.30\tBalkh\tBalkh\t1147290\n\
AF.10\tGhor\tGhor\t1141540\n\
IR.29\tKerman\tKerman\t128231\n\
SY.09\tAleppo\tAleppo\t170062\n\
SY.13\tDimashq\tDimashq\t170652\n\
SY.11\tHoms\tHoms\t169575\n\
SY.10\tHama\tHama\t170016\n\
CF.11\tOuaka\tOuaka\t236887\n\
CF.14\tVakaga\tVakaga\t236178\n\
CF.13\tOuham-Pendé\tOuham-Pende\t2383650\n\
IE.L\tLeinster\tLeinster\t7521314\n\
LB.04\tBeyrouth\tBeyrouth\t276780\n\
SN.15\tSaint-Louis\tSaint-Louis\t2246451\n\
BJ.01\tAtakora\tAtakora\t2395170\n";
    const FIX_ADMIN2: &str = "IN.38.340\tGumla\tGumla\t1270612\n\
US.LA.079\tRapides Parish\tRapides Parish\t4338356\n\
US.VA.510\tCity of Alexandria\tCity of Alexandria\t4744725\n\
US.GA.175\tLaurens County\tLaurens County\t4205500\n";
    const FIX_COUNTRIES: &str = "# comment\n\
SD\tSDN\t729\tSU\tSudan\tKhartoum\t1861484\t35000000\tAF\t.sd\tSDG\tPound\t249\t\t\tar-SD,en,fia\t366755\tSS,TD,EG,ET,ER,LY,CF\t\n\
EG\tEGY\t818\tEG\tEgypt\tCairo\t1001450\t80471869\tAF\t.eg\tEGP\tPound\t20\t\t\tar-EG,en,fr\t357994\tLY,SD,IL,PS\t\n\
US\tUSA\t840\tUS\tUnited States\tWashington\t9629091\t310232863\tNA\t.us\tUSD\tDollar\t1\t\t\ten-US\t6252001\tCA,MX,CU\t\n\
PL\tPOL\t616\tPL\tPoland\tWarsaw\t312685\t38500000\tEU\t.pl\tPLN\tZloty\t48\t\t\tpl\t798544\tDE,LT\t\n\
IN\tIND\t356\tIN\tIndia\tNew Delhi\t3287590\t1173108018\tAS\t.in\tINR\tRupee\t91\t\t\ten-IN,hi\t1269750\tCN,NP\t\n\
AF\tAFG\t004\tAF\tAfghanistan\tKabul\t647500\t29121286\tAS\t.af\tAFN\tAfghani\t93\t\t\tfa-AF,ps\t1149361\tTM,CN,IR\t\n\
IR\tIRN\t364\tIR\tIran\tTehran\t1648000\t76923300\tAS\t.ir\tIRR\tRial\t98\t\t\tfa-IR\t130758\tTM,AF\t\n\
SY\tSYR\t760\tSY\tSyria\tDamascus\t185180\t22198110\tAS\t.sy\tSYP\tPound\t963\t\t\tar-SY\t163843\tIQ,JO\t\n\
CF\tCAF\t140\tCT\tCentral African Republic\tBangui\t622984\t4844927\tAF\t.cf\tXAF\tFranc\t236\t\t\tfr-CF\t239880\tTD,SD\t\n\
IE\tIRL\t372\tEI\tIreland\tDublin\t70280\t4622917\tEU\t.ie\tEUR\tEuro\t353\t\t\ten-IE\t2963597\tGB\t\n\
LB\tLBN\t422\tLE\tLebanon\tBeirut\t10400\t4125247\tAS\t.lb\tLBP\tPound\t961\t\t\tar-LB\t272103\tSY,IL\t\n\
SN\tSEN\t686\tSG\tSenegal\tDakar\t196190\t12323252\tAF\t.sn\tXOF\tFranc\t221\t\t\tfr-SN\t2245662\tGN,MR\t\n\
BJ\tBEN\t204\tBN\tBenin\tPorto-Novo\t112620\t9056010\tAF\t.bj\tXOF\tFranc\t229\t\t\tfr-BJ\t2395170\tNE,TG\t\n";
    const FIX_DEMONYMS: &str =
        "# demonyms\nsudanese:SD\negyptian:EG\namerican:US\nsyrian:SY\nafghan:AF\n";

    /// The built-in gazetteer, built once per test run and cached under the temp dir.
    pub(crate) fn builtin() -> std::sync::Arc<Gazetteer> {
        static G: std::sync::OnceLock<std::sync::Arc<Gazetteer>> = std::sync::OnceLock::new();
        G.get_or_init(|| {
            let dir = std::env::temp_dir().join("tocsin-gazetteer-cache");
            match Gazetteer::load_or_build_builtin(&dir) {
                Ok(g) => std::sync::Arc::new(g),
                Err(e) => panic!("built-in gazetteer: {e}"),
            }
        })
        .clone()
    }

    #[test]
    fn builtin_has_the_extract_and_regions() {
        let g = builtin();
        let s = g.stats();
        assert!(
            s.places > 200_000 && s.admin1 > 3_000 && s.countries > 240,
            "{s:?}"
        );
        let r = g.region("SD.47").expect("SD.47");
        assert!(
            r.lat > 11.0 && r.lat < 15.0 && r.lon > 21.0 && r.lon < 25.0,
            "{r:?}"
        );
        let id = |c: &str, n: &str| g.admin1_by_name(c, n).map(|r| r.id);
        assert_eq!(id("Syria", "Homs Governorate").as_deref(), Some("SY.11"));
        assert_eq!(
            id("Syria", "Damascus Governorate").as_deref(),
            Some("SY.13")
        );
        assert_eq!(
            id("Syria", "Deir ez Zor Governorate").as_deref(),
            Some("SY.07")
        );
        assert_eq!(
            id("Central African Republic", "Ouaka prefecture").as_deref(),
            Some("CF.11")
        );
        assert_eq!(id("CF", "Mambéré-Kadéi province").as_deref(), Some("CF.04"));
        assert!(g
            .lookup("sudanese")
            .iter()
            .any(|e| e.kind == EntryKind::Demonym));
    }

    /// The committed index is what this code builds from the committed extract, byte for byte,
    /// and carries their key: a change to the extract or to the build must come with a new index.
    #[test]
    fn committed_index_is_the_build_of_the_extract() {
        let refresh = "data/gazetteer.bin.gz is stale: refresh it with `cargo run --release -- \
                       gazetteer build --geonames data/geonames --out data/gazetteer.bin.gz`";
        let src = builtin_sources();
        let (key, raw) = decompress(BUILTIN_INDEX).expect("data/gazetteer.bin.gz is gzip");
        assert_eq!(
            key.as_deref(),
            Some(sources_key(&src).as_str()),
            "{refresh}"
        );
        let built = codec::encode(&Gazetteer::build(&src).expect("build"));
        assert!(raw == built, "{refresh}");
    }

    #[test]
    fn caching_the_builtin_index_removes_other_versions() {
        let dir = tempfile::tempdir().expect("tempdir");
        let stale = dir.path().join("gazetteer-v1-0000000000000000.bin");
        let other = dir.path().join("notes.txt");
        std::fs::write(&stale, b"old").expect("write");
        std::fs::write(&other, b"keep").expect("write");
        Gazetteer::load_or_build_builtin(dir.path()).expect("builtin");
        let names: Vec<String> = std::fs::read_dir(dir.path())
            .expect("read_dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert!(!stale.exists(), "{names:?}");
        assert!(other.exists(), "{names:?}");
        assert!(
            names
                .iter()
                .any(|n| n.starts_with(&format!("gazetteer-v{FORMAT_VERSION}-"))),
            "{names:?}"
        );
    }

    /// `build.rs` hashes the same files as `builtin_sources`, in the same order.
    #[test]
    fn the_build_time_hash_is_the_hash_of_the_builtin_sources() {
        assert_eq!(builtin_sources_hash(), sources_hash(&builtin_sources()));
    }

    #[test]
    fn a_compressed_index_loads_and_a_foreign_key_is_refused() {
        let g = fixture();
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("g.bin.gz");
        g.save_compressed(&p, "tocsin gazetteer test")
            .expect("save");
        let bytes = std::fs::read(&p).expect("read");
        assert!(bytes.starts_with(&GZIP_MAGIC));
        assert_eq!(Gazetteer::load(&p).expect("load").stats(), g.stats());
        let (key, _) = decompress(&bytes).expect("gzip");
        assert_eq!(key.as_deref(), Some("tocsin gazetteer test"));
        // The committed index is used only under its own key.
        assert!(Gazetteer::committed_index("tocsin gazetteer v0 sources 0").is_none());
        // A truncated file is a clear error naming the file.
        std::fs::write(&p, &bytes[..bytes.len() / 2]).expect("write");
        let e = Gazetteer::load(&p).err().expect("truncated").to_string();
        assert!(e.contains("g.bin.gz") && e.contains("gzip"), "{e}");
    }

    /// Build time, file size and load time of the built-in index:
    /// `cargo test -p enrich --release builtin_index_figures -- --ignored --nocapture`.
    #[test]
    #[ignore]
    fn builtin_index_figures() {
        let t = std::time::Instant::now();
        let g = Gazetteer::build(&builtin_sources()).expect("build");
        let build = t.elapsed();
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("g.bin");
        g.save(&p).expect("save");
        let size = std::fs::metadata(&p).expect("metadata").len();
        let t = std::time::Instant::now();
        let h = Gazetteer::load(&p).expect("load");
        let load = t.elapsed();
        assert_eq!(h.stats(), g.stats());
        println!(
            "build {:.2}s, file {:.1} MB, load {:.0} ms, {:?}",
            build.as_secs_f64(),
            size as f64 / 1e6,
            load.as_secs_f64() * 1e3,
            g.stats()
        );
    }

    #[test]
    fn builds_counts_and_finds_names() {
        let g = fixture();
        let s = g.stats();
        assert_eq!(s.places, 23);
        assert_eq!(s.countries, 13);
        assert_eq!(s.admin1, 26);
        assert_eq!(s.admin2, 4);
        let kinds: Vec<EntryKind> = g.lookup("alexandria").iter().map(|e| e.kind).collect();
        assert!(kinds.contains(&EntryKind::Place));
        assert!(kinds.contains(&EntryKind::Admin1));
        // Alternate names in other scripts, folded.
        assert_eq!(g.lookup("الجنينة").len(), 1);
        assert!(g
            .lookup("sudanese")
            .iter()
            .any(|e| e.kind == EntryKind::Demonym));
        // Generic words stripped for divisions: "Rapides Parish" is also "Rapides".
        assert!(g
            .lookup("rapides")
            .iter()
            .any(|e| e.kind == EntryKind::Admin2));
        assert!(g
            .lookup("rapides parish")
            .iter()
            .any(|e| e.kind == EntryKind::Admin2));
        // Western Darfur is also West Darfur.
        assert!(g
            .lookup("west darfur")
            .iter()
            .any(|e| e.kind == EntryKind::Admin1));
    }

    #[test]
    fn admin1_points_are_area_centres() {
        let g = fixture();
        let r = g.region("IN.38").expect("IN.38");
        // Gumla (51k) and Ranchi (1.1M) lie in neighbouring cells: the point is midway, not at the
        // bigger city.
        assert!(r.lon > 84.9 && r.lon < 85.1, "{r:?}");
        assert_eq!(r.name, "Jharkhand");
        let c = g.region("SD").expect("SD");
        assert_eq!(c.name, "Sudan");
        assert!(c.lat > 12.0 && c.lat < 16.0);
        assert!(g.region("XX.99").is_none());
    }

    #[test]
    fn save_and_load_round_trip() {
        let g = fixture();
        let dir = tempfile::tempdir().expect("tempdir");
        let p = dir.path().join("g.bin");
        g.save(&p).expect("save");
        let h = Gazetteer::load(&p).expect("load");
        assert_eq!(g.stats(), h.stats());
        assert_eq!(h.lookup("kabol"), g.lookup("kabol"));
        assert_eq!(h.region("AF.30"), g.region("AF.30"));
        std::fs::write(&p, b"not a gazetteer").expect("write");
        assert!(matches!(
            Gazetteer::load(&p),
            Err(EnrichError::Gazetteer { .. })
        ));
    }

    proptest::proptest! {
        #[test]
        fn letter_bins_bound_the_edit_distance(a in "[abcAé ]{0,12}", b in "[abcAé ]{0,12}") {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let d = build::levenshtein(&a, &b);
            proptest::prop_assert!(Bins::of(&a).distance_bound(&Bins::of(&b)) <= d);
        }

        #[test]
        fn letter_bins_bound_is_the_bytewise_bound(a in "[a-zé0-9]{0,300}", b in "[a-z]{0,300}") {
            let counts = |w: &str| {
                let mut c = [0usize; 32];
                for ch in w.chars() {
                    c[ch as usize % 32] += 1;
                }
                c.map(|x| x.min(127))
            };
            let (ca, cb) = (counts(&a), counts(&b));
            let more: usize = ca.iter().zip(&cb).map(|(x, y)| x.saturating_sub(*y)).sum();
            let fewer: usize = ca.iter().zip(&cb).map(|(x, y)| y.saturating_sub(*x)).sum();
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            proptest::prop_assert_eq!(
                Bins::of(&a).distance_bound(&Bins::of(&b)),
                more.max(fewer)
            );
        }

        #[test]
        fn bounded_edit_distance_is_the_edit_distance(
            a in "[abc]{0,9}",
            b in "[abc]{0,9}",
            limit in 0usize..6,
        ) {
            let (a, b): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
            let d = build::levenshtein(&a, &b);
            let mut rows = (Vec::new(), Vec::new());
            proptest::prop_assert_eq!(
                levenshtein_within(&a, &b, limit, &mut rows),
                (d <= limit).then_some(d)
            );
        }
    }

    #[test]
    fn admin1_by_name_strips_generics_and_tolerates_spellings() {
        let g = fixture();
        let id = |c: &str, n: &str| g.admin1_by_name(c, n).map(|r| r.id);
        assert_eq!(id("Syria", "Homs Governorate").as_deref(), Some("SY.11"));
        assert_eq!(id("SY", "Damascus Governorate").as_deref(), Some("SY.13"));
        assert_eq!(
            id("Central African Republic", "Ouaka prefecture").as_deref(),
            Some("CF.11")
        );
        assert_eq!(id("CF", "Vakaga").as_deref(), Some("CF.14"));
        assert_eq!(id("CF", "Ouham Pende province").as_deref(), Some("CF.13"));
        assert_eq!(id("Sudan", "West Darfur").as_deref(), Some("SD.47"));
        assert_eq!(id("Benin", "Atacora").as_deref(), Some("BJ.01"));
        assert_eq!(id("Syria", "Hamah Governorate").as_deref(), Some("SY.10"));
        assert_eq!(id("Syria", "Ouaka"), None);
        assert_eq!(id("Atlantis", "Homs"), None);
    }

    #[test]
    fn region_of_uses_admin1_then_country() {
        let g = fixture();
        let e = g.lookup("nyala")[0];
        let loc = g.location(e, 0, 5, 0.9).expect("location");
        assert_eq!(loc.admin1.as_deref(), Some("SD.49"));
        let r = g.region_of(&loc);
        assert_eq!(r.id, "SD.49");
        assert_eq!(r.name, "Southern Darfur");
        let mut c = loc.clone();
        c.admin1 = None;
        assert_eq!(g.region_of(&c).id, "SD");
        assert_eq!(g.region_of(&c).name, "Sudan");
    }

    #[test]
    fn entries_round_trip_through_their_encoding() {
        for kind in [
            EntryKind::Place,
            EntryKind::Admin2,
            EntryKind::Admin1,
            EntryKind::Country,
            EntryKind::Demonym,
            EntryKind::CountryAbbrev,
            EntryKind::Admin1Abbrev,
        ] {
            for alternate in [false, true] {
                let e = Entry {
                    kind,
                    alternate,
                    index: 234_908,
                };
                assert_eq!(Entry::decode(e.encode()), e);
            }
        }
    }

    #[test]
    fn edit_distance_one() {
        assert!(edit_distance_at_most_one("atacora", "atakora"));
        assert!(edit_distance_at_most_one("hama", "hamah"));
        assert!(!edit_distance_at_most_one("homs", "hama"));
        assert!(edit_distance_at_most_one("abc", "abc"));
    }
}
