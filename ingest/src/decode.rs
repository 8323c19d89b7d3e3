//! Decoding and validation of untrusted report bytes.

use chrono::{DateTime, Duration, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::Report;

/// Why an input message was rejected. The `as_str` code is the metric label and the `reason` field of
/// dead-letter records; the set is fixed so metric cardinality stays small.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectReason {
    /// The message is larger than `limits.max_message_bytes`.
    TooLarge,
    /// The bytes are not valid UTF-8.
    InvalidUtf8,
    /// The bytes are not one JSON value (syntax error, trailing data, number out of range).
    InvalidJson,
    /// JSON arrays/objects nest deeper than `limits.max_depth`.
    TooDeep,
    /// The JSON value is not an object.
    NotAnObject,
    /// A required field (`id`, `text`, `published_at`) is absent or null.
    MissingField,
    /// A field has the wrong JSON type (e.g. a number where a string is required).
    WrongType,
    /// A string field is longer than its limit.
    FieldTooLong,
    /// `text` is empty or only white space.
    EmptyText,
    /// A field's value is malformed (empty id, control characters in id, bad language code).
    InvalidField,
    /// `published_at` is not an RFC 3339 date-time.
    InvalidTimestamp,
    /// `published_at` is before `limits.min_published_at` or too far in the future.
    TimestampOutOfRange,
    /// A report with this id was already accepted (set by the pipeline, not the decoder).
    DuplicateId,
    /// The indicator arrived after its window had closed (set by the alerting stage).
    LateIndicator,
}

impl RejectReason {
    pub const ALL: [RejectReason; 14] = [
        RejectReason::TooLarge,
        RejectReason::InvalidUtf8,
        RejectReason::InvalidJson,
        RejectReason::TooDeep,
        RejectReason::NotAnObject,
        RejectReason::MissingField,
        RejectReason::WrongType,
        RejectReason::FieldTooLong,
        RejectReason::EmptyText,
        RejectReason::InvalidField,
        RejectReason::InvalidTimestamp,
        RejectReason::TimestampOutOfRange,
        RejectReason::DuplicateId,
        RejectReason::LateIndicator,
    ];

    /// The stable snake_case code.
    pub fn as_str(self) -> &'static str {
        match self {
            RejectReason::TooLarge => "too_large",
            RejectReason::InvalidUtf8 => "invalid_utf8",
            RejectReason::InvalidJson => "invalid_json",
            RejectReason::TooDeep => "too_deep",
            RejectReason::NotAnObject => "not_an_object",
            RejectReason::MissingField => "missing_field",
            RejectReason::WrongType => "wrong_type",
            RejectReason::FieldTooLong => "field_too_long",
            RejectReason::EmptyText => "empty_text",
            RejectReason::InvalidField => "invalid_field",
            RejectReason::InvalidTimestamp => "invalid_timestamp",
            RejectReason::TimestampOutOfRange => "timestamp_out_of_range",
            RejectReason::DuplicateId => "duplicate_id",
            RejectReason::LateIndicator => "late_indicator",
        }
    }
}

impl std::fmt::Display for RejectReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A rejected message: the reason code, the field concerned (if any) and a human-readable detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reject {
    pub reason: RejectReason,
    pub field: Option<&'static str>,
    pub detail: String,
}

impl Reject {
    fn new(reason: RejectReason, field: Option<&'static str>, detail: impl Into<String>) -> Self {
        Reject {
            reason,
            field,
            detail: detail.into(),
        }
    }
}

impl std::fmt::Display for Reject {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.field {
            Some(field) => write!(f, "{} (field `{}`): {}", self.reason, field, self.detail),
            None => write!(f, "{}: {}", self.reason, self.detail),
        }
    }
}

impl std::error::Error for Reject {}

/// Size and range limits applied to every input message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Largest accepted message, in bytes.
    pub max_message_bytes: usize,
    /// Largest accepted `text`, in bytes.
    pub max_text_bytes: usize,
    /// Largest accepted `id`, in bytes.
    pub max_id_bytes: usize,
    /// Largest accepted value of any other string field, in bytes.
    pub max_field_bytes: usize,
    /// Deepest accepted nesting of JSON arrays and objects.
    pub max_depth: usize,
    /// Earliest accepted `published_at`.
    pub min_published_at: DateTime<Utc>,
    /// How far past "now" a `published_at` may be (only checked when the caller passes "now").
    pub max_future_skew: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message_bytes: 1 << 20,
            max_text_bytes: 512 << 10,
            max_id_bytes: 256,
            max_field_bytes: 4096,
            max_depth: 32,
            min_published_at: DateTime::parse_from_rfc3339("1900-01-01T00:00:00Z")
                .expect("constant")
                .with_timezone(&Utc),
            max_future_skew: Duration::days(1),
        }
    }
}

/// Where each report field is found in the input JSON, as RFC 6901 JSON pointers.
/// The defaults read the contract's own field names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldMap {
    pub id: String,
    pub text: String,
    pub published_at: String,
    pub title: String,
    pub source: String,
    pub url: String,
    pub lang: String,
}

impl Default for FieldMap {
    fn default() -> Self {
        FieldMap {
            id: "/id".into(),
            text: "/text".into(),
            published_at: "/published_at".into(),
            title: "/title".into(),
            source: "/source".into(),
            url: "/url".into(),
            lang: "/lang".into(),
        }
    }
}

impl FieldMap {
    /// Checks every pointer is a syntactically valid JSON pointer; returns the offending field names.
    pub fn invalid_pointers(&self) -> Vec<&'static str> {
        self.entries()
            .into_iter()
            .filter(|(_, p)| !(p.is_empty() || p.starts_with('/')))
            .map(|(name, _)| name)
            .collect()
    }

    fn entries(&self) -> [(&'static str, &str); 7] {
        [
            ("id", &self.id),
            ("text", &self.text),
            ("published_at", &self.published_at),
            ("title", &self.title),
            ("source", &self.source),
            ("url", &self.url),
            ("lang", &self.lang),
        ]
    }
}

/// Turns raw message bytes into validated [`Report`]s.
#[derive(Debug, Clone, Default)]
pub struct Decoder {
    limits: Limits,
    fields: FieldMap,
}

impl Decoder {
    pub fn new(limits: Limits, fields: FieldMap) -> Self {
        Decoder { limits, fields }
    }

    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// Decodes and validates one message. `now` enables the "too far in the future" check; replay
    /// passes `None` so that the outcome depends on the input alone.
    pub fn decode(&self, bytes: &[u8], now: Option<DateTime<Utc>>) -> Result<Report, Reject> {
        let limits = &self.limits;
        if bytes.len() > limits.max_message_bytes {
            return Err(Reject::new(
                RejectReason::TooLarge,
                None,
                format!(
                    "message is {} bytes, the limit is {}",
                    bytes.len(),
                    limits.max_message_bytes
                ),
            ));
        }
        let s = std::str::from_utf8(bytes).map_err(|e| {
            Reject::new(
                RejectReason::InvalidUtf8,
                None,
                format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            )
        })?;
        let depth = json_depth(s);
        if depth > limits.max_depth {
            return Err(Reject::new(
                RejectReason::TooDeep,
                None,
                format!(
                    "JSON nests {depth} levels deep, the limit is {}",
                    limits.max_depth
                ),
            ));
        }
        let value: Value = serde_json::from_str::<UniqueKeys>(s)
            .map_err(|e| Reject::new(RejectReason::InvalidJson, None, e.to_string()))?
            .0;
        if !value.is_object() {
            return Err(Reject::new(
                RejectReason::NotAnObject,
                None,
                format!("expected a JSON object, found {}", type_name(&value)),
            ));
        }
        let f = &self.fields;

        let id = required_str(&value, &f.id, "id")?;
        check_len(id, limits.max_id_bytes, "id")?;
        if id.trim().is_empty() {
            return Err(Reject::new(
                RejectReason::InvalidField,
                Some("id"),
                "id is empty",
            ));
        }
        if id.chars().any(char::is_control) {
            return Err(Reject::new(
                RejectReason::InvalidField,
                Some("id"),
                "id contains control characters",
            ));
        }

        let text = required_str(&value, &f.text, "text")?;
        check_len(text, limits.max_text_bytes, "text")?;
        if text.trim().is_empty() {
            return Err(Reject::new(
                RejectReason::EmptyText,
                Some("text"),
                "text is empty",
            ));
        }

        let raw_time = required_str(&value, &f.published_at, "published_at")?;
        check_len(raw_time, 64, "published_at")?;
        let published_at = DateTime::parse_from_rfc3339(raw_time.trim())
            .map_err(|e| {
                Reject::new(
                    RejectReason::InvalidTimestamp,
                    Some("published_at"),
                    format!("{raw_time:?} is not an RFC 3339 date-time: {e}"),
                )
            })?
            .with_timezone(&Utc);
        if published_at < limits.min_published_at {
            return Err(Reject::new(
                RejectReason::TimestampOutOfRange,
                Some("published_at"),
                format!(
                    "{raw_time} is before the earliest accepted time {}",
                    crate::report::format_time(&limits.min_published_at)
                ),
            ));
        }
        if let Some(now) = now {
            if published_at > now + limits.max_future_skew {
                return Err(Reject::new(
                    RejectReason::TimestampOutOfRange,
                    Some("published_at"),
                    format!("{raw_time} is in the future"),
                ));
            }
        }

        let title = optional_str(&value, &f.title, "title", limits.max_field_bytes)?;
        let source = optional_str(&value, &f.source, "source", limits.max_field_bytes)?;
        let url = optional_str(&value, &f.url, "url", limits.max_field_bytes)?;
        let lang = optional_str(&value, &f.lang, "lang", limits.max_field_bytes)?
            .map(|l| normalise_lang(&l))
            .transpose()?;

        Ok(Report {
            id: id.to_owned(),
            text: text.to_owned(),
            published_at,
            title,
            source,
            url,
            lang,
        })
    }
}

fn lookup<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    value.pointer(pointer).filter(|v| !v.is_null())
}

fn required_str<'v>(
    value: &'v Value,
    pointer: &str,
    field: &'static str,
) -> Result<&'v str, Reject> {
    match lookup(value, pointer) {
        None => Err(Reject::new(
            RejectReason::MissingField,
            Some(field),
            format!("required field `{field}` (at {pointer}) is missing"),
        )),
        Some(Value::String(s)) => Ok(s),
        Some(other) => Err(Reject::new(
            RejectReason::WrongType,
            Some(field),
            format!("`{field}` must be a string, found {}", type_name(other)),
        )),
    }
}

fn optional_str(
    value: &Value,
    pointer: &str,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, Reject> {
    if pointer.is_empty() {
        return Ok(None);
    }
    match lookup(value, pointer) {
        None => Ok(None),
        Some(Value::String(s)) => {
            check_len(s, max, field)?;
            Ok(Some(s.clone()))
        }
        Some(other) => Err(Reject::new(
            RejectReason::WrongType,
            Some(field),
            format!("`{field}` must be a string, found {}", type_name(other)),
        )),
    }
}

fn check_len(s: &str, max: usize, field: &'static str) -> Result<(), Reject> {
    if s.len() > max {
        return Err(Reject::new(
            RejectReason::FieldTooLong,
            Some(field),
            format!("`{field}` is {} bytes, the limit is {max}", s.len()),
        ));
    }
    Ok(())
}

/// Accepts `en`, `EN`, `en-GB`, `en_US`; keeps the two-letter ISO 639-1 code in lower case.
fn normalise_lang(raw: &str) -> Result<String, Reject> {
    let primary = raw.split(['-', '_']).next().unwrap_or("").trim();
    if primary.len() == 2 && primary.chars().all(|c| c.is_ascii_alphabetic()) {
        Ok(primary.to_ascii_lowercase())
    } else {
        Err(Reject::new(
            RejectReason::InvalidField,
            Some("lang"),
            format!("{raw:?} is not an ISO 639-1 language code"),
        ))
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// A JSON value parsed with every object's keys required to be unique.
///
/// `serde_json::Value` keeps the last of two equal keys, while other parsers keep the first: a message
/// with `"text"` twice would be read differently by us and by any filter in front of us. RFC 8259 leaves
/// the outcome undefined, so such messages are rejected as invalid JSON.
struct UniqueKeys(Value);

impl<'de> Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(UniqueKeysVisitor).map(UniqueKeys)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        // serde_json never hands over a non-finite number; `Null` keeps this total regardless.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        UniqueKeys::deserialize(d).map(|v| v.0)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(UniqueKeys(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut obj = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            let UniqueKeys(v) = map.next_value()?;
            if obj.contains_key(&key) {
                return Err(serde::de::Error::custom(format_args!(
                    "duplicate key {key:?} in an object"
                )));
            }
            obj.insert(key, v);
        }
        Ok(Value::Object(obj))
    }
}

/// Maximum nesting depth of arrays/objects, scanning outside strings. Runs before the JSON parser so
/// that hostile nesting is rejected without recursion.
fn json_depth(s: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for b in s.bytes() {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn decode(s: &str) -> Result<Report, Reject> {
        Decoder::default().decode(s.as_bytes(), None)
    }

    fn reason(s: &[u8]) -> RejectReason {
        Decoder::default().decode(s, None).unwrap_err().reason
    }

    const GOOD: &str = r#"{"id":"r1","text":"Gunmen killed 12 villagers.","published_at":"2024-03-01T10:00:00+01:00","source":"x","lang":"EN-gb","extra":{"a":1}}"#;

    #[test]
    fn decodes_a_good_report_and_ignores_unknown_fields() {
        let r = decode(GOOD).unwrap();
        assert_eq!(r.id, "r1");
        assert_eq!(r.lang.as_deref(), Some("en"));
        assert_eq!(
            crate::report::format_time(&r.published_at),
            "2024-03-01T09:00:00Z"
        );
        assert_eq!(r.title, None);
    }

    #[test]
    fn each_malformation_has_its_reason() {
        let cases: &[(&[u8], RejectReason)] = &[
            (b"\xff\xfe{}", RejectReason::InvalidUtf8),
            (b"{\"id\":", RejectReason::InvalidJson),
            (b"{} {}", RejectReason::InvalidJson),
            (b"[1,2]", RejectReason::NotAnObject),
            (b"\"text\"", RejectReason::NotAnObject),
            (
                br#"{"text":"a","published_at":"2024-01-01T00:00:00Z"}"#,
                RejectReason::MissingField,
            ),
            (
                br#"{"id":null,"text":"a","published_at":"2024-01-01T00:00:00Z"}"#,
                RejectReason::MissingField,
            ),
            (
                br#"{"id":7,"text":"a","published_at":"2024-01-01T00:00:00Z"}"#,
                RejectReason::WrongType,
            ),
            (
                br#"{"id":"a","text":["a"],"published_at":"2024-01-01T00:00:00Z"}"#,
                RejectReason::WrongType,
            ),
            (
                br#"{"id":"a","text":"  ","published_at":"2024-01-01T00:00:00Z"}"#,
                RejectReason::EmptyText,
            ),
            (
                br#"{"id":"","text":"a","published_at":"2024-01-01T00:00:00Z"}"#,
                RejectReason::InvalidField,
            ),
            (
                br#"{"id":"a\u0000b","text":"a","published_at":"2024-01-01T00:00:00Z"}"#,
                RejectReason::InvalidField,
            ),
            (
                br#"{"id":"a","text":"a","published_at":"yesterday"}"#,
                RejectReason::InvalidTimestamp,
            ),
            (
                br#"{"id":"a","text":"a","published_at":"2024-01-01"}"#,
                RejectReason::InvalidTimestamp,
            ),
            (
                br#"{"id":"a","text":"a","published_at":"1066-10-14T09:00:00Z"}"#,
                RejectReason::TimestampOutOfRange,
            ),
            (
                br#"{"id":"a","text":"a","published_at":"2024-01-01T00:00:00Z","lang":"english"}"#,
                RejectReason::InvalidField,
            ),
            (
                br#"{"id":"a","text":"a","published_at":"2024-01-01T00:00:00Z","source":5}"#,
                RejectReason::WrongType,
            ),
            (
                br#"{"id":"a","text":"a","published_at":"2024-01-01T00:00:00Z","n":1e999}"#,
                RejectReason::InvalidJson,
            ),
            (
                br#"{"id":"a","text":"a","text":"b","published_at":"2024-01-01T00:00:00Z"}"#,
                RejectReason::InvalidJson,
            ),
            (
                br#"{"id":"a","text":"a","published_at":"2024-01-01T00:00:00Z","m":[{"k":1,"k":1}]}"#,
                RejectReason::InvalidJson,
            ),
            (
                br#"{"id":"a","text":"bad \ud800","published_at":"2024-01-01T00:00:00Z"}"#,
                RejectReason::InvalidJson,
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                reason(input),
                *want,
                "input {:?}",
                String::from_utf8_lossy(input)
            );
        }
    }

    #[test]
    fn limits_are_enforced() {
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(reason(deep.as_bytes()), RejectReason::TooDeep);
        // Brackets inside strings do not count.
        let in_string = format!(
            r#"{{"id":"a","text":"{}","published_at":"2024-01-01T00:00:00Z"}}"#,
            "[".repeat(100)
        );
        assert!(decode(&in_string).is_ok());

        let big = vec![b' '; (1 << 20) + 1];
        assert_eq!(reason(&big), RejectReason::TooLarge);

        let long_id = format!(
            r#"{{"id":"{}","text":"a","published_at":"2024-01-01T00:00:00Z"}}"#,
            "x".repeat(300)
        );
        assert_eq!(reason(long_id.as_bytes()), RejectReason::FieldTooLong);
    }

    #[test]
    fn duplicate_keys_are_named_and_distinct_keys_still_parse_fully() {
        let err =
            reason_of(br#"{"id":"a","id":"b","text":"a","published_at":"2024-01-01T00:00:00Z"}"#);
        assert_eq!(err.reason, RejectReason::InvalidJson);
        assert!(
            err.detail.contains("duplicate key \"id\""),
            "{}",
            err.detail
        );
        // The same key in sibling objects is not a duplicate; every JSON type survives the parse.
        let r = decode(
            r#"{"id":"a","text":"t","published_at":"2024-01-01T00:00:00Z","x":[{"k":1},{"k":-2.5}],"y":{"k":null,"b":true,"u":18446744073709551615}}"#,
        )
        .unwrap();
        assert_eq!(r.id, "a");
        let v = serde_json::from_str::<UniqueKeys>(r#"[1,-2,2.5,"s",null,true,{"a":{"a":[]}}]"#)
            .unwrap()
            .0;
        assert_eq!(
            v,
            serde_json::json!([1, -2, 2.5, "s", null, true, {"a": {"a": []}}])
        );
    }

    fn reason_of(s: &[u8]) -> Reject {
        Decoder::default().decode(s, None).unwrap_err()
    }

    #[test]
    fn future_times_are_rejected_only_when_now_is_given() {
        let msg = br#"{"id":"a","text":"a","published_at":"2030-01-01T00:00:00Z"}"#;
        let now = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        let d = Decoder::default();
        assert_eq!(
            d.decode(msg, Some(now)).unwrap_err().reason,
            RejectReason::TimestampOutOfRange
        );
        assert!(d.decode(msg, None).is_ok());
    }

    #[test]
    fn field_map_reads_other_feed_layouts() {
        let fields = FieldMap {
            id: "/guid".into(),
            text: "/body/content".into(),
            published_at: "/meta/date".into(),
            title: "/headline".into(),
            source: String::new(),
            ..FieldMap::default()
        };
        let d = Decoder::new(Limits::default(), fields);
        let r = d
            .decode(
                br#"{"guid":"g1","headline":"H","source":"ignored","body":{"content":"x"},"meta":{"date":"2024-01-01T00:00:00Z"}}"#,
                None,
            )
            .unwrap();
        assert_eq!((r.id.as_str(), r.text.as_str()), ("g1", "x"));
        assert_eq!(r.title.as_deref(), Some("H"));
        assert_eq!(r.source, None);
    }

    #[test]
    fn reason_codes_are_unique_and_snake_case() {
        let mut codes: Vec<_> = RejectReason::ALL.iter().map(|r| r.as_str()).collect();
        for c in &codes {
            assert!(
                c.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
                "{c}"
            );
            let json = serde_json::to_string(
                &RejectReason::ALL[codes.iter().position(|x| x == c).unwrap()],
            )
            .unwrap();
            assert_eq!(json, format!("\"{c}\""));
        }
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), RejectReason::ALL.len());
    }

    proptest! {
        #[test]
        fn decoder_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            let _ = Decoder::default().decode(&bytes, None);
        }

        #[test]
        fn any_json_text_round_trips(text in "\\PC{1,200}", id in "[a-zA-Z0-9:_-]{1,40}") {
            prop_assume!(!text.trim().is_empty());
            let msg = serde_json::json!({"id": id, "text": text, "published_at": "2024-01-01T00:00:00Z"});
            let r = Decoder::default().decode(msg.to_string().as_bytes(), None).unwrap();
            prop_assert_eq!(r.text, text);
            prop_assert_eq!(r.id, id);
        }
    }
}
