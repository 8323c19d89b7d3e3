//! The gazetteer: GeoNames places, admin1/admin2 divisions, countries and demonyms in a compact
//! index. PLACEHOLDER API — implemented by the geocoding work.

use std::path::Path;

use crate::{EnrichError, Location, Region};

/// The raw GeoNames files a gazetteer is built from (plain or gzip bytes).
pub struct GeonamesSources<'a> {
    pub cities: &'a [u8],
    pub admin1: &'a [u8],
    pub admin2: &'a [u8],
    pub countries: &'a [u8],
    pub demonyms: &'a [u8],
}

pub struct Gazetteer {}

impl Gazetteer {
    pub fn build(_src: &GeonamesSources<'_>) -> Result<Gazetteer, EnrichError> {
        Ok(Gazetteer {})
    }

    pub fn build_from_dir(_dir: &Path) -> Result<Gazetteer, EnrichError> {
        Ok(Gazetteer {})
    }

    pub fn save(&self, _path: &Path) -> Result<(), EnrichError> {
        Ok(())
    }

    pub fn load(_path: &Path) -> Result<Gazetteer, EnrichError> {
        Ok(Gazetteer {})
    }

    /// The built-in gazetteer: loaded from `cache_dir` if built before, else built from the GeoNames
    /// extract compiled into the binary and saved there.
    pub fn load_or_build_builtin(_cache_dir: &Path) -> Result<Gazetteer, EnrichError> {
        Ok(Gazetteer {})
    }

    /// The aggregation region of a location (admin1, or country when admin1 is unknown).
    pub fn region_of(&self, loc: &Location) -> Region {
        Region {
            id: loc.region_id(),
            country: loc.country.clone(),
            admin1: loc.admin1.clone(),
            name: loc
                .admin1_name
                .clone()
                .unwrap_or_else(|| loc.country.clone()),
            lat: loc.lat,
            lon: loc.lon,
        }
    }
}
