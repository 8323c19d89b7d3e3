//! The gazetteer's binary file: a magic and format version, then length-prefixed little-endian
//! sections (string table, record arrays, postings, the fst bytes, the divisions' spelling keys).
//! Loading copies arrays; nothing is parsed as text.

use super::{AreaRec, Gazetteer, PlaceRec, FORMAT_VERSION};

const MAGIC: &[u8; 8] = b"TOCSGAZ\0";

fn put_section(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn u32s(words: impl Iterator<Item = u32>) -> Vec<u8> {
    let mut v = Vec::new();
    for w in words {
        v.extend_from_slice(&w.to_le_bytes());
    }
    v
}

fn place_words(p: &PlaceRec) -> [u32; 9] {
    [
        p.geonameid,
        p.name,
        p.lat.to_bits(),
        p.lon.to_bits(),
        p.population,
        p.country,
        p.admin1,
        p.admin2,
        p.rank,
    ]
}

fn area_words(a: &AreaRec) -> [u32; 8] {
    [
        a.code,
        a.name,
        a.geonameid,
        a.country,
        a.parent,
        a.lat.to_bits(),
        a.lon.to_bits(),
        a.population,
    ]
}

/// Serialises a gazetteer.
pub(super) fn encode(g: &Gazetteer) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        g.strings.len() + g.postings.len() * 4 + g.names.as_fst().size() + (1 << 20),
    );
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    put_section(&mut out, g.strings.as_bytes());
    put_section(&mut out, &u32s(g.string_offs.iter().copied()));
    put_section(&mut out, &u32s(g.places.iter().flat_map(place_words)));
    for list in [&g.admin2, &g.admin1, &g.countries] {
        put_section(&mut out, &u32s(list.iter().flat_map(area_words)));
    }
    put_section(&mut out, &u32s(g.postings.iter().copied()));
    put_section(&mut out, g.names.as_fst().as_bytes());
    put_section(&mut out, &u32s(g.admin1_spellings.iter().copied()));
    put_section(&mut out, &u32s(g.admin2_spellings.iter().copied()));
    out
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8], String> {
        let end = self
            .pos
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or_else(|| {
                format!(
                    "truncated file while reading {what} ({n} bytes at offset {})",
                    self.pos
                )
            })?;
        let s = &self.bytes[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    fn section(&mut self, what: &str) -> Result<&'a [u8], String> {
        let len = self.take(8, what)?;
        let mut b = [0u8; 8];
        b.copy_from_slice(len);
        let n = usize::try_from(u64::from_le_bytes(b))
            .map_err(|_| format!("{what}: section too large"))?;
        self.take(n, what)
    }

    fn words(&mut self, what: &str) -> Result<Vec<u32>, String> {
        let s = self.section(what)?;
        if s.len() % 4 != 0 {
            return Err(format!("{what}: length {} is not a multiple of 4", s.len()));
        }
        Ok(s.chunks_exact(4)
            .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
            .collect())
    }
}

fn areas(words: &[u32], what: &str) -> Result<Vec<AreaRec>, String> {
    if words.len() % 8 != 0 {
        return Err(format!(
            "{what}: {} words is not a whole number of records",
            words.len()
        ));
    }
    Ok(words
        .chunks_exact(8)
        .map(|w| AreaRec {
            code: w[0],
            name: w[1],
            geonameid: w[2],
            country: w[3],
            parent: w[4],
            lat: f32::from_bits(w[5]),
            lon: f32::from_bits(w[6]),
            population: w[7],
        })
        .collect())
}

/// Reads a gazetteer written by [`encode`]; the message says what was wrong.
pub(super) fn decode(bytes: &[u8]) -> Result<Gazetteer, String> {
    let mut r = Reader { bytes, pos: 0 };
    if r.take(8, "the magic")? != MAGIC {
        return Err("not a tocsin gazetteer index (bad magic)".into());
    }
    let v = r.take(4, "the version")?;
    let version = u32::from_le_bytes([v[0], v[1], v[2], v[3]]);
    if version != FORMAT_VERSION {
        return Err(format!(
            "format version {version}, this build reads {FORMAT_VERSION}: rebuild it with `tocsin gazetteer build`"
        ));
    }
    let strings = String::from_utf8(r.section("strings")?.to_vec())
        .map_err(|e| format!("strings: not UTF-8 ({e})"))?;
    let string_offs = r.words("string offsets")?;
    if string_offs
        .iter()
        .any(|&o| !strings.is_char_boundary(o as usize))
        || string_offs.windows(2).any(|w| w[0] > w[1])
    {
        return Err("string offsets out of order, out of range or inside a character".into());
    }
    let pw = r.words("places")?;
    if pw.len() % 9 != 0 {
        return Err(format!(
            "places: {} words is not a whole number of records",
            pw.len()
        ));
    }
    let places: Vec<PlaceRec> = pw
        .chunks_exact(9)
        .map(|w| PlaceRec {
            geonameid: w[0],
            name: w[1],
            lat: f32::from_bits(w[2]),
            lon: f32::from_bits(w[3]),
            population: w[4],
            country: w[5],
            admin1: w[6],
            admin2: w[7],
            rank: w[8],
        })
        .collect();
    let admin2 = areas(&r.words("admin2")?, "admin2")?;
    let admin1 = areas(&r.words("admin1")?, "admin1")?;
    let countries = areas(&r.words("countries")?, "countries")?;
    let postings = r.words("postings")?;
    let fst_bytes = r.section("name index")?.to_vec();
    let admin1_spellings = r.words("admin1 spellings")?;
    let admin2_spellings = r.words("admin2 spellings")?;
    let strings_count = string_offs.len().saturating_sub(1);
    for (what, keys, n) in [
        ("admin1 spellings", &admin1_spellings, admin1.len()),
        ("admin2 spellings", &admin2_spellings, admin2.len()),
    ] {
        if keys.len() != n || keys.iter().any(|&k| k as usize >= strings_count) {
            return Err(format!("{what}: not one string per division"));
        }
    }
    if r.pos != bytes.len() {
        return Err(format!("{} trailing bytes", bytes.len() - r.pos));
    }
    let names = fst::Map::new(fst_bytes).map_err(|e| format!("name index: {e}"))?;
    Ok(Gazetteer {
        strings,
        string_offs,
        places,
        admin2,
        admin1,
        countries,
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
    fn truncation_and_versions_are_reported() {
        let g = crate::gazetteer::tests::fixture();
        let bytes = encode(&g);
        let back = decode(&bytes).expect("decode");
        assert_eq!(back.stats(), g.stats());
        assert_eq!(back.places, g.places);
        for cut in [0, 5, 12, 100, bytes.len() - 1] {
            assert!(decode(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        let mut other = bytes.clone();
        other[8] = 99;
        let e = decode(&other).err().unwrap_or_default();
        assert!(e.contains("format version 99"), "{e}");
    }
}
