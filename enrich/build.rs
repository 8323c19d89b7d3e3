//! Hashes the GeoNames extract that `gazetteer.rs` compiles into the binary, once, so that the
//! built-in gazetteer's cache key costs nothing at start (see `geo/fnv.rs`).

#[path = "src/geo/fnv.rs"]
mod fnv;

/// The compiled-in sources, in the order of `GeonamesSources` (the `include_bytes!` paths of
/// `gazetteer.rs`).
const SOURCES: [&str; 7] = [
    "../data/geonames/cities500.txt.gz",
    "../data/geonames/admin1CodesASCII.txt",
    "../data/geonames/admin2Codes.txt.gz",
    "../data/geonames/countryInfo.txt",
    "../data/geonames/nationalities.txt",
    "../data/factbook/country-points.txt",
    "../data/census/admin2-points.txt",
];

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=src/geo/fnv.rs");
    let dir = std::path::PathBuf::from(
        std::env::var_os("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"),
    );
    let mut parts = Vec::new();
    for rel in SOURCES {
        println!("cargo:rerun-if-changed={rel}");
        let path = dir.join(rel);
        let bytes =
            std::fs::read(&path).unwrap_or_else(|e| panic!("reading {}: {e}", path.display()));
        parts.push(bytes);
    }
    let refs: Vec<&[u8]> = parts.iter().map(Vec::as_slice).collect();
    let out = std::path::PathBuf::from(std::env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    std::fs::write(
        out.join("builtin_sources_fnv.rs"),
        format!("{:#018x}", fnv::hash_parts(&refs)),
    )
    .expect("writing the sources hash to OUT_DIR");
}
