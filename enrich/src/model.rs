//! The enrich stage's output contracts: enriched reports (`tocsin enrich`) and indicator records
//! (topic `indicators`). JSON Schemas: `docs/schemas/`.

use serde::{Deserialize, Serialize};

/// One indicator of atrocity risk found in a report, with its evidence span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Indicator {
    /// Indicator kind (snake_case), e.g. `killing`, `displacement`, `hate_speech`.
    pub kind: String,
    /// Risk factor of the UN Framework of Analysis for Atrocity Crimes (2014), e.g. `RF11`.
    pub risk_factor: String,
    /// Number of people concerned, when the text states one (best estimate).
    pub count: Option<u64>,
    /// Lower and upper bounds of `count` when the text gives a range or a bound
    /// ("at least 40": low 40, no high).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_low: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count_high: Option<u64>,
    /// Who the count is of (`civilians`, `children`, `militants`, `soldiers`, `people`...).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub victims: Option<String>,
    /// The text denies or negates the event ("no casualties", "denied killing", "threatened to kill").
    pub negated: bool,
    /// The text hedges the event ("feared dead", "unconfirmed reports").
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unconfirmed: bool,
    /// Start and end offsets in Unicode code points into the report text.
    pub start: usize,
    pub end: usize,
    /// The evidence text (`text[start..end]` in code points).
    pub text: String,
}

/// Administrative level of a location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    Place,
    Admin2,
    Admin1,
    Country,
    /// A continent or world region ("Europe", "the EU", "the Middle East", "West Africa"): a
    /// toponym, never a focus; its `country` is empty.
    Region,
}

/// A place named in a report, resolved against the gazetteer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Location {
    /// The name as resolved (gazetteer's preferred name).
    pub name: String,
    /// Offsets in code points of the mention in the text.
    pub start: usize,
    pub end: usize,
    pub geonameid: Option<u64>,
    pub lat: f64,
    pub lon: f64,
    /// ISO 3166-1 alpha-2 (empty for a [`Level::Region`]).
    pub country: String,
    /// GeoNames admin1 code `CC.code`.
    pub admin1: Option<String>,
    pub admin1_name: Option<String>,
    /// GeoNames admin2 code `CC.admin1.admin2`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub admin2: Option<String>,
    pub level: Level,
    /// Confidence in [0, 1].
    pub score: f64,
}

impl Location {
    /// The aggregation region of this location: `CC.admin1`, or `CC` when only the country is known.
    pub fn region_id(&self) -> String {
        match &self.admin1 {
            Some(a) => a.clone(),
            None => self.country.clone(),
        }
    }
}

/// `tocsin enrich` output: one per input report, in input order.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichedReport {
    pub id: String,
    pub published_at: String,
    /// Language used for extraction (given or detected).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
    pub indicators: Vec<Indicator>,
    pub locations: Vec<Location>,
    /// Where the reported event happened.
    pub focus: Option<Location>,
    /// People the report says were killed in the event; `null` when it states none.
    pub fatalities: Option<u64>,
}

/// An aggregation region as carried by indicator records and alerts.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// `CC.admin1` (GeoNames admin1 code) or `CC` when only the country is known.
    pub id: String,
    pub country: String,
    pub admin1: Option<String>,
    pub name: String,
    pub lat: f64,
    pub lon: f64,
}

/// Evidence of an indicator: a span of a report's text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Evidence {
    pub report_id: String,
    pub start: usize,
    pub end: usize,
    pub text: String,
}

/// One record of the `indicators` topic: one per (report, region, kind), keyed by `region.id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndicatorRecord {
    pub report_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Event time (the report's `published_at`).
    pub published_at: String,
    pub region: Region,
    pub kind: String,
    pub risk_factor: String,
    /// Largest count stated for this kind in the report.
    pub count: Option<u64>,
    /// The report's fatalities (same on every record of the report).
    pub fatalities: Option<u64>,
    /// Evidence spans of this kind in the report (at least one).
    pub evidence: Vec<Evidence>,
    /// Fingerprint of the report's normalised text, so syndicated copies can be counted once.
    pub text_fingerprint: String,
}
