//! Toponym detection, disambiguation and focus. PLACEHOLDER API — implemented by the geocoding work.

use std::sync::Arc;

use crate::gazetteer::Gazetteer;
use crate::Location;

/// What geocoding found in one text.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Geocoding {
    pub locations: Vec<Location>,
    pub focus: Option<Location>,
}

pub struct Geocoder {
    gazetteer: Arc<Gazetteer>,
}

impl Geocoder {
    pub fn new(gazetteer: Arc<Gazetteer>) -> Self {
        Geocoder { gazetteer }
    }

    pub fn gazetteer(&self) -> &Gazetteer {
        &self.gazetteer
    }

    pub fn geocode(&self, _text: &str) -> Geocoding {
        Geocoding::default()
    }
}
