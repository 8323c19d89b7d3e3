//! Building a [`Gazetteer`] from GeoNames dump files: parsing, name variants, centroids, and the
//! folded-name index (an `fst::Map` over sorted keys, postings ordered best first).

use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use super::words;
use super::{
    normalize_name, spelling_key, AreaRec, Entry, EntryKind, Gazetteer, GeonamesSources, PlaceRec,
    NONE,
};
use crate::geocode::approx_km;
use crate::EnrichError;

fn err(message: String) -> EnrichError {
    // The caller fills in the path when it knows it.
    EnrichError::Gazetteer {
        path: String::new(),
        message,
    }
}

/// Plain or gzip bytes as text (invalid UTF-8 replaced).
fn text_of(what: &str, bytes: &[u8]) -> Result<String, EnrichError> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 4);
        flate2::read::MultiGzDecoder::new(bytes)
            .read_to_end(&mut out)
            .map_err(|e| err(format!("decompressing {what}: {e}")))?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    } else {
        Ok(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Interned display strings.
#[derive(Default)]
struct Strings {
    blob: String,
    offs: Vec<u32>,
    seen: HashMap<String, u32>,
}

impl Strings {
    fn add(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.seen.get(s) {
            return i;
        }
        if self.offs.is_empty() {
            self.offs.push(0);
        }
        let i = (self.offs.len() - 1) as u32;
        self.blob.push_str(s);
        self.offs.push(self.blob.len() as u32);
        self.seen.insert(s.to_owned(), i);
        i
    }
}

fn feature_rank(code: &str) -> u32 {
    match code {
        "PPLC" => 6,
        "PPLA" => 5,
        "PPLA2" => 4,
        "PPLA3" => 3,
        "PPLA4" => 2,
        "PPLX" => 0,
        _ => 1,
    }
}

/// Index keys for a division's name: the name, hyphens as spaces, without generic words, with a
/// leading particle joined ("DeSoto"), and with "Western"/"West" style direction variants.
fn area_keys(name: &str, out: &mut Vec<String>) {
    let base = normalize_name(name);
    let mut keys = vec![base.clone()];
    if let Some(s) = words::strip_generics(&base) {
        keys.push(s);
    }
    for (long, short) in [
        ("western ", "west "),
        ("eastern ", "east "),
        ("northern ", "north "),
        ("southern ", "south "),
    ] {
        for k in keys.clone() {
            if let Some(rest) = k.strip_prefix(long) {
                keys.push(format!("{short}{rest}"));
            } else if let Some(rest) = k.strip_prefix(short) {
                keys.push(format!("{long}{rest}"));
            }
        }
    }
    for k in keys.clone() {
        if k.contains('-') {
            keys.push(k.replace('-', " "));
        }
    }
    // A leading particle written apart is also written joined: GeoNames has "De Soto Parish",
    // Louisiana calls it "DeSoto Parish" ("La Salle", "LaSalle"; "Le Flore", "LeFlore").
    for k in keys.clone() {
        for particle in ["de ", "du ", "la ", "le "] {
            if let Some(rest) = k.strip_prefix(particle) {
                if rest.len() >= 3 {
                    keys.push(format!("{}{rest}", particle.trim_end()));
                }
            }
        }
    }
    out.extend(keys.into_iter().filter(|k| k.chars().count() >= 2));
}

/// A district's seat: its population, latitude and longitude.
type Seat = (u32, f32, f32);

/// The name by which a district and its seat are matched: the folded name without generic words
/// ("Masisi Territory" → "masisi") nor the Afghan word for a district's seat ("‘Alāqahdārī
/// Gēlān" → "gelan").
fn seat_key(name: &str) -> String {
    let n = normalize_name(name);
    let n = words::strip_generics(&n).unwrap_or(n);
    let seat_word = |w: &str| w.trim_matches(|c: char| !c.is_alphanumeric()) == "alaqahdari";
    if !n.split(' ').any(seat_word) {
        return n;
    }
    let kept: Vec<&str> = n.split(' ').filter(|w| !seat_word(w)).collect();
    kept.join(" ")
}

/// Places whose first-level division the admin1 table lacks (divisions made after it, such as
/// the Central African Republic's Ouham-Fafa or Ethiopia's Sidama) take the division of the
/// nearest place of their country that has one, the division they were carved from as often as
/// not: their reports then count in a region, not only in their country.
fn adopt_nearest_admin1(places: &mut [PlaceRec]) {
    let orphans: Vec<usize> = (0..places.len())
        .filter(|&i| places[i].admin1 == NONE)
        .collect();
    if orphans.is_empty() {
        return;
    }
    let mut by_country: HashMap<u32, Vec<usize>> = HashMap::new();
    for (i, p) in places.iter().enumerate() {
        if p.admin1 != NONE {
            by_country.entry(p.country).or_default().push(i);
        }
    }
    for i in orphans {
        let p = &places[i];
        let nearest = by_country.get(&p.country).and_then(|known| {
            known.iter().copied().min_by(|&a, &b| {
                let km = |q: &PlaceRec| approx_km(p.lat, p.lon, q.lat, q.lon);
                km(&places[a]).total_cmp(&km(&places[b])).then(a.cmp(&b))
            })
        });
        if let Some(n) = nearest {
            places[i].admin1 = places[n].admin1;
        }
    }
}

/// Whether an alternate name is worth indexing: not a code ("KBL"), not numeric, not a URL.
fn keep_alternate(alt: &str) -> bool {
    let n = alt.chars().count();
    if !(2..=60).contains(&n) {
        return false;
    }
    if alt
        .chars()
        .any(|c| c.is_ascii_digit() || c == '/' || c == '@')
    {
        return false;
    }
    let ascii_letters = alt.chars().all(|c| c.is_ascii_alphabetic());
    if ascii_letters && (n < 3 || (n <= 5 && alt.chars().all(|c| c.is_ascii_uppercase()))) {
        return false;
    }
    true
}

struct Raw<'a> {
    cols: Vec<&'a str>,
}

fn split_tab(line: &str) -> Raw<'_> {
    Raw {
        cols: line.split('\t').collect(),
    }
}

impl Raw<'_> {
    fn get(&self, i: usize) -> &str {
        self.cols.get(i).map_or("", |s| s.trim())
    }
}

/// String `i` of an interning table under construction.
fn strings_get(strings: &Strings, i: u32) -> &str {
    let (a, b) = (strings.offs[i as usize], strings.offs[i as usize + 1]);
    strings.blob.get(a as usize..b as usize).unwrap_or("")
}

/// Side of the grid cells area centres are computed from, in degrees.
const CELL_DEG: f32 = 0.5;

fn cell_of(lat: f32, lon: f32) -> (i32, i32) {
    (
        (lat / CELL_DEG).floor() as i32,
        (lon / CELL_DEG).floor() as i32,
    )
}

/// The grid cells an area's places occupy, and their total population.
#[derive(Clone, Default)]
struct CellAcc {
    cells: Vec<(i32, i32)>,
    population: u64,
}

impl CellAcc {
    fn add(&mut self, cell: (i32, i32), population: u32) {
        self.cells.push(cell);
        self.population += u64::from(population);
    }

    fn population(&self) -> u32 {
        self.population.min(u64::from(u32::MAX)) as u32
    }

    /// Mean latitude of the distinct cells' centres and their circular mean longitude (so areas
    /// across the antimeridian stay whole); `None` for an area without places.
    fn centre(&self) -> Option<(f32, f32)> {
        let mut cells = self.cells.clone();
        cells.sort_unstable();
        cells.dedup();
        if cells.is_empty() {
            return None;
        }
        let (mut lat, mut x, mut y) = (0f64, 0f64, 0f64);
        for &(a, b) in &cells {
            lat += (f64::from(a) + 0.5) * f64::from(CELL_DEG);
            let lon = ((f64::from(b) + 0.5) * f64::from(CELL_DEG)).to_radians();
            x += lon.cos();
            y += lon.sin();
        }
        let n = cells.len() as f64;
        Some(((lat / n) as f32, y.atan2(x).to_degrees() as f32))
    }
}

/// Places with at least this population (or seats of a province or country) keep all their
/// alternate names (exonyms such as "Cologne", "Kiev", "Halab").
pub(crate) const BIG_PLACE: u32 = 100_000;

/// "St. Louis" and "St Louis" for "Saint Louis", "Mt. Vernon" for "Mount Vernon", and the reverse.
fn abbreviated_variants(key: &str, out: &mut Vec<String>) {
    for (long, short) in [
        ("saint ", "st. "),
        ("saint ", "st "),
        ("sainte ", "ste. "),
        ("mount ", "mt. "),
        ("mount ", "mt "),
        ("fort ", "ft. "),
    ] {
        if let Some(rest) = key.strip_prefix(long) {
            out.push(format!("{short}{rest}"));
        } else if let Some(rest) = key.strip_prefix(short) {
            out.push(format!("{long}{rest}"));
        }
    }
}

/// Whether a folded name is written in Latin letters (the script of the report languages where
/// other names of small places collide with common words).
fn is_latin(folded: &str) -> bool {
    folded
        .chars()
        .all(|c| !c.is_alphabetic() || (c as u32) < 0x0250)
}

/// Whether `a` is a spelling of `b` (transliteration variants such as "Toucountouna" /
/// "Toukountouna", "Kabol" / "Kabul"): at most a third of the letters differ.
pub(crate) fn spelling_variant(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().filter(|c| c.is_alphanumeric()).collect();
    let b: Vec<char> = b.chars().filter(|c| c.is_alphanumeric()).collect();
    let longest = a.len().max(b.len());
    if longest == 0 {
        return false;
    }
    let budget = longest / 3;
    if a.len().abs_diff(b.len()) > budget {
        return false;
    }
    levenshtein(&a, &b) <= budget
}

pub(crate) fn levenshtein(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j + 1] + 1)
                .min(cur[j] + 1)
                .min(prev[j] + usize::from(ca != cb));
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// Parses a table of points (`CODE<TAB>lat<TAB>lon[<TAB>name]`; `what` names it in errors, `code`
/// says what its codes are) into one optional point per entry of `idx`; codes that `idx` lacks
/// are ignored.
fn points_table(
    what: &str,
    code: &str,
    bytes: &[u8],
    idx: &BTreeMap<String, u32>,
) -> Result<Vec<Option<(f32, f32)>>, EnrichError> {
    let mut points = vec![None; idx.len()];
    let text = text_of(what, bytes)?;
    for (n, line) in text.lines().enumerate() {
        let line = line.trim_start_matches('\u{feff}');
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let r = split_tab(line);
        let (lat, lon) = match (r.get(1).parse::<f32>(), r.get(2).parse::<f32>()) {
            (Ok(lat), Ok(lon)) if lat.abs() <= 90.0 && lon.abs() <= 180.0 => (lat, lon),
            _ => {
                return Err(err(format!(
                    "reading {what}: line {}: {line:?} is not `{code}<TAB>latitude<TAB>longitude`",
                    n + 1
                )))
            }
        };
        if let Some(&i) = idx.get(r.get(0)) {
            points[i as usize] = Some((lat, lon));
        }
    }
    Ok(points)
}

pub(super) fn build(src: &GeonamesSources<'_>) -> Result<Gazetteer, EnrichError> {
    let mut strings = Strings::default();
    strings.add("");

    // Countries, sorted by ISO code.
    let countries_txt = text_of("countryInfo", src.countries)?;
    let mut countries: Vec<(String, String, u32, u32)> = Vec::new(); // iso, name, geonameid, pop
    for line in countries_txt.lines() {
        let line = line.trim_start_matches('\u{feff}');
        if line.starts_with('#') || line.trim().is_empty() {
            continue;
        }
        let r = split_tab(line);
        let iso = r.get(0);
        if iso.len() != 2 || r.get(4).is_empty() {
            return Err(err(format!(
                "reading countryInfo: line {line:?} lacks an ISO code or a name"
            )));
        }
        countries.push((
            iso.to_owned(),
            r.get(4).to_owned(),
            r.get(16).parse().unwrap_or(0),
            r.get(7).parse().unwrap_or(0),
        ));
    }
    if countries.is_empty() {
        return Err(err("reading countryInfo: no countries".into()));
    }
    countries.sort();
    countries.dedup_by(|a, b| a.0 == b.0);
    let country_idx: BTreeMap<String, u32> = countries
        .iter()
        .enumerate()
        .map(|(i, c)| (c.0.clone(), i as u32))
        .collect();

    // Admin1, sorted by code.
    let admin1_txt = text_of("admin1Codes", src.admin1)?;
    let mut admin1: Vec<(String, String, String, u32, u32)> = Vec::new(); // code, name, ascii, gid, country
    for line in admin1_txt.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let r = split_tab(line);
        let code = r.get(0);
        let Some(&ci) = code.get(..2).and_then(|cc| country_idx.get(cc)) else {
            continue; // a division of a country the country table lacks
        };
        admin1.push((
            code.to_owned(),
            r.get(1).to_owned(),
            r.get(2).to_owned(),
            r.get(3).parse().unwrap_or(0),
            ci,
        ));
    }
    admin1.sort();
    admin1.dedup_by(|a, b| a.0 == b.0);
    let admin1_idx: BTreeMap<String, u32> = admin1
        .iter()
        .enumerate()
        .map(|(i, a)| (a.0.clone(), i as u32))
        .collect();

    // Admin2, sorted by code.
    let admin2_txt = text_of("admin2Codes", src.admin2)?;
    let mut admin2: Vec<(String, String, String, u32, u32, u32)> = Vec::new();
    for line in admin2_txt.lines() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let r = split_tab(line);
        let code = r.get(0);
        let Some(&ci) = code.get(..2).and_then(|cc| country_idx.get(cc)) else {
            continue;
        };
        let parent = code
            .rfind('.')
            .and_then(|k| admin1_idx.get(&code[..k]).copied())
            .unwrap_or(NONE);
        admin2.push((
            code.to_owned(),
            r.get(1).to_owned(),
            r.get(2).to_owned(),
            r.get(3).parse().unwrap_or(0),
            ci,
            parent,
        ));
    }
    admin2.sort();
    admin2.dedup_by(|a, b| a.0 == b.0);
    let admin2_idx: BTreeMap<String, u32> = admin2
        .iter()
        .enumerate()
        .map(|(i, a)| (a.0.clone(), i as u32))
        .collect();

    // Places.
    let cities_txt = text_of("cities", src.cities)?;
    let mut places: Vec<PlaceRec> = Vec::new();
    // Each place's alternate names, as the extract lists them (for the seats of districts).
    let mut alternate_names: Vec<&str> = Vec::new();
    let mut keys: Vec<(String, u32)> = Vec::with_capacity(1 << 21);
    let mut scratch: Vec<String> = Vec::new();
    for (n, line) in cities_txt.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let r = split_tab(line);
        if r.cols.len() < 15 {
            return Err(err(format!(
                "reading cities line {}: {} columns, expected 19",
                n + 1,
                r.cols.len()
            )));
        }
        let fclass = r.get(6);
        if !fclass.is_empty() && fclass != "P" {
            continue; // allCountries also holds mountains, rivers...
        }
        let (Ok(gid), Ok(lat), Ok(lon)) = (
            r.get(0).parse::<u32>(),
            r.get(4).parse::<f32>(),
            r.get(5).parse::<f32>(),
        ) else {
            return Err(err(format!(
                "reading cities line {}: bad geonameid or coordinates in {:?}",
                n + 1,
                line.chars().take(80).collect::<String>()
            )));
        };
        let cc = r.get(8);
        let Some(&ci) = country_idx.get(cc) else {
            continue;
        };
        let a1 = admin1_idx
            .get(&format!("{cc}.{}", r.get(10)))
            .copied()
            .unwrap_or(NONE);
        // The admin2 code, in its column; some extracts shift the codes one column right (the
        // admin2 column repeats the admin1 code and the admin3 column holds the admin2 code), so
        // the next column is tried when the first names no known division.
        let a2 = [r.get(11), r.get(12)]
            .into_iter()
            .filter(|c| !c.is_empty())
            .find_map(|c| admin2_idx.get(&format!("{cc}.{}.{c}", r.get(10))).copied())
            .unwrap_or(NONE);
        let name = r.get(1);
        let idx = places.len() as u32;
        places.push(PlaceRec {
            geonameid: gid,
            name: strings.add(name),
            lat,
            lon,
            population: r.get(14).parse().unwrap_or(0),
            country: ci,
            admin1: a1,
            admin2: a2,
            rank: feature_rank(r.get(7)),
        });
        alternate_names.push(r.cols.get(3).copied().unwrap_or(""));
        let primary = Entry {
            kind: EntryKind::Place,
            alternate: false,
            index: idx,
        }
        .encode();
        let alt = Entry {
            kind: EntryKind::Place,
            alternate: true,
            index: idx,
        }
        .encode();
        scratch.clear();
        for s in [name, r.get(2)] {
            let k = normalize_name(s);
            if k.chars().count() >= 2 {
                abbreviated_variants(&k, &mut scratch);
                scratch.push(k);
            }
        }
        let primary_key = normalize_name(name);
        let rec = &places[idx as usize];
        let big = rec.population >= BIG_PLACE || rec.rank >= 5;
        for k in scratch.drain(..) {
            if k.contains('-') {
                keys.push((k.replace('-', " "), primary));
            }
            keys.push((k, primary));
        }
        for a in r.get(3).split(',') {
            let a = a.trim();
            if !keep_alternate(a) {
                continue;
            }
            let k = normalize_name(a);
            // Other names of a small place are kept only as spellings of its name (or in
            // another script): GeoNames lists nicknames, translations and neighbourhood names
            // for them too, and those are common words or people's names in English text.
            if big || !is_latin(&k) || spelling_variant(&k, &primary_key) {
                keys.push((k, alt));
            }
        }
    }
    adopt_nearest_admin1(&mut places);

    // Centres: the mean of the 0.5° grid cells an area's places occupy (longitudes averaged on the
    // circle), which approximates the centre of the area rather than of its population, so a big
    // city does not drag a province's or a country's point to one corner. Populations are summed.
    let mut a1_acc = vec![CellAcc::default(); admin1.len()];
    let mut a2_acc = vec![CellAcc::default(); admin2.len()];
    let mut c_acc = vec![CellAcc::default(); countries.len()];
    for p in &places {
        let cell = cell_of(p.lat, p.lon);
        if let Some(a) = a1_acc.get_mut(p.admin1 as usize) {
            a.add(cell, p.population);
        }
        if let Some(a) = a2_acc.get_mut(p.admin2 as usize) {
            a.add(cell, p.population);
        }
        if let Some(a) = c_acc.get_mut(p.country as usize) {
            a.add(cell, p.population);
        }
    }
    let mean = |acc: &CellAcc| acc.centre();
    // A country's point is its conventional reference point where one is given: the centre of
    // the area its places cover falls far from it for big, unevenly settled countries (Russia's
    // would be in the Urals).
    let points = points_table("country-points", "ISO2", src.country_points, &country_idx)?;
    let country_recs: Vec<AreaRec> = countries
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let (lat, lon) = points[i].or_else(|| mean(&c_acc[i])).unwrap_or((0.0, 0.0));
            AreaRec {
                code: strings.add(&c.0),
                name: strings.add(&c.1),
                geonameid: c.2,
                country: i as u32,
                parent: NONE,
                lat,
                lon,
                population: c.3.max(c_acc[i].population()),
            }
        })
        .collect();
    let admin1_recs: Vec<AreaRec> = admin1
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let c = &country_recs[a.4 as usize];
            let (lat, lon) = mean(&a1_acc[i]).unwrap_or((c.lat, c.lon));
            AreaRec {
                code: strings.add(&a.0),
                name: strings.add(&a.1),
                geonameid: a.3,
                country: a.4,
                parent: NONE,
                lat,
                lon,
                population: a1_acc[i].population(),
            }
        })
        .collect();
    // A division's point is the one the admin2 points table gives (US counties, from their
    // boundaries). Else: the extract gives admin2 codes only to places of 15,000 people or more,
    // so many districts have no place of their own: their point is then that of the biggest place
    // in their province that bears their name (districts and communes are mostly named after their
    // seat), generic words aside ("Masisi Territory" and Masisi, "Gēlān" and "‘Alāqahdārī
    // Gēlān"), as its own name or else as one of its alternate names (Gereshk is also "Nahr-e
    // Saraj"); only failing that the province's centre.
    let admin2_points = points_table(
        "admin2-points",
        "CC.ADMIN1.ADMIN2",
        src.admin2_points,
        &admin2_idx,
    )?;
    let mut seat_by_name: HashMap<(u32, String), Seat> = HashMap::new();
    for p in &places {
        if p.admin1 == NONE {
            continue;
        }
        let key = (p.admin1, seat_key(strings_get(&strings, p.name)));
        let e = seat_by_name.entry(key).or_insert((0, p.lat, p.lon));
        if p.population >= e.0 {
            *e = (p.population, p.lat, p.lon);
        }
    }
    let seat_keys: Vec<(u32, String)> = admin2.iter().map(|a| (a.5, seat_key(&a.1))).collect();
    // Districts with neither a place of their own nor a seat of their name: the places of their
    // provinces that bear it as an alternate name.
    let mut seat_by_alternate: HashMap<(u32, String), Option<Seat>> = seat_keys
        .iter()
        .enumerate()
        .filter(|&(i, k)| mean(&a2_acc[i]).is_none() && !seat_by_name.contains_key(k))
        .map(|(_, k)| (k.clone(), None))
        .collect();
    let provinces: std::collections::HashSet<u32> = seat_by_alternate.keys().map(|k| k.0).collect();
    for (p, alternates) in places.iter().zip(&alternate_names) {
        if !provinces.contains(&p.admin1) {
            continue;
        }
        for a in alternates.split(',').filter(|a| !a.trim().is_empty()) {
            if let Some(e) = seat_by_alternate.get_mut(&(p.admin1, seat_key(a))) {
                if e.is_none_or(|(population, _, _)| p.population > population) {
                    *e = Some((p.population, p.lat, p.lon));
                }
            }
        }
    }
    let admin2_recs: Vec<AreaRec> = admin2
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let seat = seat_by_name
                .get(&seat_keys[i])
                .copied()
                .or_else(|| seat_by_alternate.get(&seat_keys[i]).copied().flatten())
                .map(|(_, lat, lon)| (lat, lon));
            let fallback = seat.unwrap_or_else(|| {
                admin1_recs
                    .get(a.5 as usize)
                    .map(|p| (p.lat, p.lon))
                    .unwrap_or_else(|| {
                        let c = &country_recs[a.4 as usize];
                        (c.lat, c.lon)
                    })
            });
            let (lat, lon) = admin2_points[i]
                .or_else(|| mean(&a2_acc[i]))
                .unwrap_or(fallback);
            AreaRec {
                code: strings.add(&a.0),
                name: strings.add(&a.1),
                geonameid: a.3,
                country: a.4,
                parent: a.5,
                lat,
                lon,
                population: a2_acc[i].population(),
            }
        })
        .collect();

    // Division and country names.
    let mut area = Vec::new();
    for (i, a) in admin1.iter().enumerate() {
        area.clear();
        area_keys(&a.1, &mut area);
        area_keys(&a.2, &mut area);
        let e = Entry {
            kind: EntryKind::Admin1,
            alternate: false,
            index: i as u32,
        }
        .encode();
        keys.extend(area.drain(..).map(|k| (k, e)));
    }
    for (i, a) in admin2.iter().enumerate() {
        area.clear();
        area_keys(&a.1, &mut area);
        area_keys(&a.2, &mut area);
        let e = Entry {
            kind: EntryKind::Admin2,
            alternate: false,
            index: i as u32,
        }
        .encode();
        keys.extend(area.drain(..).map(|k| (k, e)));
    }
    for (i, c) in countries.iter().enumerate() {
        let e = Entry {
            kind: EntryKind::Country,
            alternate: false,
            index: i as u32,
        };
        keys.push((normalize_name(&c.1), e.encode()));
    }
    for &(iso, alias, caps_only) in words::COUNTRY_ALIASES {
        if let Some(&i) = country_idx.get(iso) {
            let kind = if caps_only {
                EntryKind::CountryAbbrev
            } else {
                EntryKind::Country
            };
            let e = Entry {
                kind,
                alternate: true,
                index: i,
            };
            keys.push((normalize_name(alias), e.encode()));
        }
    }
    for &(code, abbrev) in words::REGION_ABBREVIATIONS {
        if let Some(&i) = admin1_idx.get(code) {
            let e = Entry {
                kind: EntryKind::Admin1Abbrev,
                alternate: true,
                index: i,
            };
            keys.push((normalize_name(abbrev), e.encode()));
        }
    }
    let demonyms_txt = text_of("nationalities", src.demonyms)?;
    for line in demonyms_txt.lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((dem, iso)) = line.rsplit_once(':') else {
            return Err(err(format!(
                "reading nationalities: line {line:?} is not `demonym:ISO2`"
            )));
        };
        // The list writes a few codes in other forms ("english:UK", "dominican:Do"): they are
        // read as the ISO codes they stand for (UK is reserved in ISO 3166 for GB).
        let iso = iso.trim().to_ascii_uppercase();
        let iso = if iso == "UK" { "GB" } else { iso.as_str() };
        let Some(&i) = country_idx.get(iso) else {
            continue;
        };
        let e = Entry {
            kind: EntryKind::Demonym,
            alternate: false,
            index: i,
        }
        .encode();
        let k = normalize_name(dem);
        let plural =
            !(k.ends_with('s') || k.ends_with("ese") || k.ends_with("sh") || k.ends_with("ch"));
        if plural {
            keys.push((format!("{k}s"), e));
        }
        keys.push((k, e));
    }

    for &(dem, iso) in words::DEMONYM_EXTRAS {
        if let Some(&i) = country_idx.get(iso) {
            let e = Entry {
                kind: EntryKind::Demonym,
                alternate: true,
                index: i,
            }
            .encode();
            keys.push((format!("{dem}s"), e));
            keys.push((dem.to_owned(), e));
        }
    }

    // Index: sort keys, group postings, best entries first.
    keys.sort_unstable();
    keys.dedup();
    let priority = |v: u32| -> (u32, bool, u32) {
        let e = Entry::decode(v);
        let pop = match e.kind {
            EntryKind::Place => places.get(e.index as usize).map_or(0, |p| p.population),
            EntryKind::Admin2 => admin2_recs
                .get(e.index as usize)
                .map_or(0, |p| p.population),
            EntryKind::Admin1 => admin1_recs
                .get(e.index as usize)
                .map_or(0, |p| p.population),
            _ => country_recs
                .get(e.index as usize)
                .map_or(0, |p| p.population),
        };
        (u32::MAX - e.kind as u32, e.alternate, u32::MAX - pop)
    };
    let mut postings: Vec<u32> = Vec::with_capacity(keys.len());
    let mut builder = fst::MapBuilder::memory();
    let mut i = 0;
    let mut group: Vec<u32> = Vec::new();
    while i < keys.len() {
        let key = &keys[i].0;
        group.clear();
        while i < keys.len() && &keys[i].0 == key {
            group.push(keys[i].1);
            i += 1;
        }
        // The same entry under its primary and alternate flag: keep the primary one.
        group.sort_unstable_by_key(|&v| (v & !(1 << 28), (v >> 28) & 1));
        group.dedup_by_key(|v| *v & !(1 << 28));
        group.sort_by_key(|&v| priority(v));
        group.truncate(0xFFFF);
        let start = postings.len() as u64;
        postings.extend_from_slice(&group);
        builder
            .insert(key.as_bytes(), (start << 16) | group.len() as u64)
            .map_err(|e| err(format!("indexing name {key:?}: {e}")))?;
    }
    let fst_bytes = builder
        .into_inner()
        .map_err(|e| err(format!("finishing the name index: {e}")))?;
    let names =
        fst::Map::new(fst_bytes).map_err(|e| err(format!("reading the name index: {e}")))?;

    // The divisions' spelling keys, for lookups of names the index lacks.
    let mut spelling_keys = |recs: &[AreaRec]| -> Vec<u32> {
        recs.iter()
            .map(|a| {
                let key = spelling_key(strings_get(&strings, a.name));
                strings.add(&key)
            })
            .collect()
    };
    let admin1_spellings = spelling_keys(&admin1_recs);
    let admin2_spellings = spelling_keys(&admin2_recs);

    Ok(Gazetteer {
        strings: strings.blob,
        string_offs: strings.offs,
        places,
        admin2: admin2_recs,
        admin1: admin1_recs,
        countries: country_recs,
        postings,
        names,
        admin1_spellings,
        admin2_spellings,
        spellings: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alternates_filter_codes_and_numbers() {
        assert!(keep_alternate("Kabol"));
        assert!(keep_alternate("كابل"));
        assert!(!keep_alternate("KBL"));
        assert!(!keep_alternate("75001"));
        assert!(!keep_alternate("ab"));
        assert!(!keep_alternate("http://x"));
    }

    #[test]
    fn area_keys_have_variants() {
        let mut v = Vec::new();
        area_keys("Western Darfur", &mut v);
        assert!(v.contains(&"western darfur".to_string()));
        assert!(v.contains(&"west darfur".to_string()));
        v.clear();
        area_keys("Homs Governorate", &mut v);
        assert!(v.contains(&"homs".to_string()));
        v.clear();
        area_keys("Ouham-Pendé", &mut v);
        assert!(v.contains(&"ouham pende".to_string()));
        v.clear();
        area_keys("De Soto Parish", &mut v);
        assert!(v.contains(&"desoto parish".to_string()), "{v:?}");
    }

    #[test]
    fn rejects_bad_rows_with_context() {
        let src = GeonamesSources {
            cities: b"1\tX\tX\t\tnot-a-number\t1\tP\t\tSD\t\t01\t\t\t\t5\t\t\t\t\n",
            admin1: b"",
            admin2: b"",
            countries: b"SD\tSDN\t729\tSU\tSudan\tKhartoum\t1\t1\tAF\n",
            demonyms: b"",
            country_points: b"",
            admin2_points: b"",
        };
        match build(&src) {
            Err(EnrichError::Gazetteer { message, .. }) => {
                assert!(message.contains("cities line 1"), "{message}")
            }
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("bad coordinates accepted"),
        }
        let gz = {
            use std::io::Write;
            let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            e.write_all(b"SD\tSDN\t729\tSU\tSudan\tKhartoum\t1\t1\tAF\n")
                .expect("gzip");
            e.finish().expect("gzip")
        };
        let src = GeonamesSources {
            cities: b"",
            admin1: b"",
            admin2: b"",
            countries: &gz,
            demonyms: b"",
            country_points: b"",
            admin2_points: b"",
        };
        let g = build(&src).expect("gzip countries");
        assert_eq!(g.stats().countries, 1);
    }

    #[test]
    fn demonym_codes_are_read_as_iso_codes() {
        let src = GeonamesSources {
            cities: b"",
            admin1: b"",
            admin2: b"",
            countries: b"GB\tGBR\t826\tUK\tUnited Kingdom\tLondon\t1\t1\tEU\n\
                         DO\tDOM\t214\tDR\tDominican Republic\tSanto Domingo\t1\t1\tNA\n",
            demonyms: b"english:UK\ndominican:Do\nmartian:XX\n",
            country_points: b"",
            admin2_points: b"",
        };
        let g = build(&src).expect("build");
        let country_of = |name: &str| -> Vec<u32> {
            g.lookup(name)
                .into_iter()
                .filter(|e| e.kind == EntryKind::Demonym)
                .map(|e| e.index)
                .collect()
        };
        assert_eq!(
            country_of("english"),
            vec![g.country_index("GB").expect("GB")]
        );
        assert_eq!(
            country_of("dominican"),
            vec![g.country_index("DO").expect("DO")]
        );
        assert!(country_of("martian").is_empty());
    }

    #[test]
    fn country_points_replace_area_centres_and_bad_lines_are_named() {
        let countries = b"SD\tSDN\t729\tSU\tSudan\tKhartoum\t1\t1\tAF\n\
                          TD\tTCD\t148\tCD\tChad\tN'Djamena\t1\t1\tAF\n";
        let cities =
            b"1\tKhartoum\tKhartoum\t\t15.5\t32.5\tP\tPPLC\tSD\t\t29\t\t\t\t5000000\t\t\t\t\n\
                       2\tAbeche\tAbeche\t\t13.8\t20.8\tP\tPPL\tTD\t\t01\t\t\t\t70000\t\t\t\t\n";
        let src = GeonamesSources {
            cities,
            admin1: b"SD.29\tKhartoum\tKhartoum\t1\nTD.01\tOuadda\xc3\xaf\tOuaddai\t2\n",
            admin2: b"",
            countries,
            demonyms: b"",
            country_points: b"# comment\nSD\t15.0\t30.0\tSudan\nXX\t1\t1\tnot a country\n",
            admin2_points: b"",
        };
        let g = build(&src).expect("build");
        let point = |iso| {
            let c = g.country_rec(g.country_index(iso).expect(iso)).expect(iso);
            (c.lat, c.lon)
        };
        assert_eq!(point("SD"), (15.0, 30.0));
        // Without a given point: the centre of the 0.5° cell its place is in.
        assert_eq!(point("TD"), (13.75, 20.75));

        let bad = GeonamesSources {
            country_points: b"# comment\nSD\t15.0\tthirty\n",
            ..src
        };
        match build(&bad) {
            Err(EnrichError::Gazetteer { message, .. }) => {
                assert!(message.contains("country-points: line 2"), "{message}")
            }
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("bad point accepted"),
        }
    }

    /// The point of the admin2 division named `name` (folded).
    fn admin2_point(g: &Gazetteer, name: &str) -> (f32, f32) {
        let e = g
            .lookup(name)
            .into_iter()
            .find(|e| e.kind == EntryKind::Admin2)
            .expect(name);
        let a = g.admin2_rec(e.index).expect(name);
        (a.lat, a.lon)
    }

    #[test]
    fn places_in_divisions_the_table_lacks_take_their_neighbours() {
        // Batangafo's prefecture (Ouham-Fafa, code 21) is newer than the admin1 table.
        let cities = b"1\tBossangoa\tBossangoa\t\t6.49\t17.45\tP\tPPLA\tCF\t\t12\t\t\t\t36000\t\t\t\t\n\
                       2\tBambari\tBambari\t\t5.77\t20.68\tP\tPPLA\tCF\t\t11\t\t\t\t83000\t\t\t\t\n\
                       3\tBatangafo\tBatangafo\t\t7.30\t18.28\tP\tPPL\tCF\t\t21\t\t\t\t24000\t\t\t\t\n";
        let src = GeonamesSources {
            cities,
            admin1: b"CF.12\tOuham\tOuham\t1\nCF.11\tOuaka\tOuaka\t2\n",
            admin2: b"",
            countries: b"CF\tCAF\t140\tCT\tCentral African Republic\tBangui\t1\t1\tAF\n",
            demonyms: b"",
            country_points: b"",
            admin2_points: b"",
        };
        let g = build(&src).expect("build");
        let e = g.lookup("batangafo")[0];
        let p = g.place(e.index).expect("place");
        assert_eq!(g.admin1_rec(p.admin1).map(|a| g.str(a.code)), Some("CF.12"));
    }

    #[test]
    fn districts_without_places_sit_at_their_seat() {
        // Small places have no admin2 code in the extract: districts are found by their seat's
        // name, generic words aside, or among the alternate names of a place.
        let src = GeonamesSources {
            cities: "1\tLashkar Gah\tLashkar Gah\t\t31.6\t64.4\tP\tPPLA\tAF\t\t10\t\t\t\t200000\t\t\t\t\n\
                     2\tGereshk\tGereshk\tGirishk,Nahr-e Saraj\t31.8\t64.6\tP\tPPL\tAF\t\t10\t\t\t\t5000\t\t\t\t\n\
                     3\t\u{2018}Al\u{101}qahd\u{101}r\u{12b} Garms\u{12b}r\t\u{2018}Alaqahdari Garmsir\t\t30.9\t64.1\tP\tPPL\tAF\t\t10\t\t\t\t1000\t\t\t\t\n"
                .as_bytes(),
            admin1: b"AF.10\tHelmand\tHelmand\t1\n",
            admin2: "AF.10.1\tNahr-e Sar\u{101}j\tNahr-e Saraj\t4\nAF.10.2\tGarms\u{12b}r District\tGarmsir\t5\nAF.10.3\tNawzad\tNawzad\t6\n"
                .as_bytes(),
            countries: b"AF\tAFG\t4\tAF\tAfghanistan\tKabul\t1\t1\tAS\n",
            demonyms: b"",
            country_points: b"",
            admin2_points: b"",
        };
        let g = build(&src).expect("build");
        let point = |name: &str| admin2_point(&g, name);
        assert_eq!(point("nahr-e saraj"), (31.8, 64.6));
        assert_eq!(point("garmsir district"), (30.9, 64.1));
        // No seat: the province's centre (of the 0.5° cells of its places).
        let (lat, lon) = point("nawzad");
        assert!(
            (lat - 31.4167).abs() < 1e-3 && (lon - 64.4167).abs() < 1e-3,
            "{lat} {lon}"
        );
    }

    #[test]
    fn admin2_points_replace_fallbacks_and_bad_lines_are_named() {
        let src = GeonamesSources {
            cities:
                b"1\tKhartoum\tKhartoum\t\t15.5\t32.5\tP\tPPLC\tSD\t\t29\t\t\t\t5000000\t\t\t\t\n",
            admin1: b"SD.29\tKhartoum\tKhartoum\t1\n",
            admin2: b"SD.29.01\tJebel Aulia\tJebel Aulia\t3\nSD.29.02\tBahri\tBahri\t4\n",
            countries: b"SD\tSDN\t729\tSU\tSudan\tKhartoum\t1\t1\tAF\n",
            demonyms: b"",
            country_points: b"",
            admin2_points:
                b"# comment\nSD.29.01\t15.2\t32.5\tJebel Aulia\nSD.99.01\t1\t1\tunknown\n",
        };
        let g = build(&src).expect("build");
        let point = |name: &str| admin2_point(&g, name);
        assert_eq!(point("jebel aulia"), (15.2, 32.5));
        // Without a point, a place of its own or a seat: the province's centre.
        assert_eq!(point("bahri"), (15.75, 32.75));

        let bad = GeonamesSources {
            admin2_points: b"SD.29.01\t15.2\n",
            ..src
        };
        match build(&bad) {
            Err(EnrichError::Gazetteer { message, .. }) => {
                assert!(message.contains("admin2-points: line 1"), "{message}")
            }
            Err(e) => panic!("unexpected error {e}"),
            Ok(_) => panic!("bad point accepted"),
        }
    }
}
