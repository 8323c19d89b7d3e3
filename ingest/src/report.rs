use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize, Serializer};

/// One open-source report: a news article, an NGO or UN report, a field message.
///
/// This is the validated form; the wire form is described in `docs/schemas/report.schema.json`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Unique id given by the feed.
    pub id: String,
    /// Body text. Evidence offsets elsewhere are Unicode code points into this string.
    pub text: String,
    /// Event time of the report (RFC 3339), normalised to UTC.
    #[serde(serialize_with = "serialize_time")]
    pub published_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// Outlet or feed name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// ISO 639-1 language code, lower case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lang: Option<String>,
}

/// Formats a time the way every tocsin output does: RFC 3339, UTC, `Z`, no sub-second digits
/// unless present.
pub fn format_time(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

fn serialize_time<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&format_time(t))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serializes_times_in_utc_with_z() {
        let r = Report {
            id: "a".into(),
            text: "t".into(),
            published_at: DateTime::parse_from_rfc3339("2024-05-01T14:00:00+02:00")
                .unwrap()
                .with_timezone(&Utc),
            title: None,
            source: None,
            url: None,
            lang: None,
        };
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"id":"a","text":"t","published_at":"2024-05-01T12:00:00Z"}"#
        );
    }
}
