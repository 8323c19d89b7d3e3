//! The hash of the GeoNames sources that keys a built index (see `sources_key` in
//! `gazetteer.rs`). Shared with `build.rs`, which hashes the compiled-in extract once at build
//! time, so that starting the binary does not hash 13 MB of text.

/// FNV-1a 64 over each part, its length (little-endian `u64`) first.
pub(crate) fn hash_parts(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf29ce484222325;
    for part in parts {
        for &b in (part.len() as u64).to_le_bytes().iter().chain(part.iter()) {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x100000001b3);
        }
    }
    h
}
