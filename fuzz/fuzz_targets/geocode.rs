//! Fuzzes the toponym matcher (`enrich::geocode::Geocoder`) over a tiny gazetteer built from the
//! GeoNames-format fixture in `fuzz/fixtures/gazetteer/`, with a report's address (the first
//! line, when it has a dot) read for the publisher's country and town: no panic, mentions inside
//! the text, the focus too, coordinates on the globe.
#![no_main]

use std::sync::{Arc, OnceLock};

use enrich::gazetteer::{Gazetteer, GeonamesSources};
use enrich::geocode::Geocoder;
use libfuzzer_sys::fuzz_target;

fn geocoder() -> &'static Geocoder {
    static G: OnceLock<Geocoder> = OnceLock::new();
    G.get_or_init(|| {
        let src = GeonamesSources {
            cities: include_bytes!("../fixtures/gazetteer/cities.txt"),
            admin1: include_bytes!("../fixtures/gazetteer/admin1CodesASCII.txt"),
            admin2: include_bytes!("../fixtures/gazetteer/admin2Codes.txt"),
            countries: include_bytes!("../fixtures/gazetteer/countryInfo.txt"),
            demonyms: include_bytes!("../fixtures/gazetteer/nationalities.txt"),
            country_points: enrich::gazetteer::BUILTIN_COUNTRY_POINTS,
            admin2_points: enrich::gazetteer::BUILTIN_ADMIN2_POINTS,
        };
        match Gazetteer::build(&src) {
            Ok(g) => Geocoder::new(Arc::new(g)),
            Err(e) => panic!("fixture gazetteer: {e}"),
        }
    })
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // A first line that looks like an address is the report's `url`, the rest its text.
    let (url, text) = match text.split_once('\n') {
        Some((u, t)) if u.contains('.') => (Some(u), t),
        _ => (None, text),
    };
    let chars = text.chars().count();
    let g = geocoder().geocode_report(text, None, None, url);
    for l in &g.locations {
        assert!(l.start <= l.end && l.end <= chars, "{l:?} in {chars} chars");
        assert!((-90.0..=90.0).contains(&l.lat) && (-180.0..=180.0).contains(&l.lon), "{l:?}");
    }
    if let Some(f) = &g.focus {
        assert!(f.start <= f.end && f.end <= chars, "focus {f:?} in {chars} chars");
    }
});
