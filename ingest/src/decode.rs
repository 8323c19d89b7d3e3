//! Decoding and validation of untrusted report bytes.

use std::borrow::Cow;
use std::collections::HashSet;

use chrono::{DateTime, Duration, Utc};
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
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

    /// Each field's name and pointer, in the order the decoder checks them.
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
        self.decode_with(bytes, now, true)
    }

    /// [`Decoder::decode`]; `streaming: false` always builds the whole document (for tests that
    /// compare the two ways).
    fn decode_with(
        &self,
        bytes: &[u8],
        now: Option<DateTime<Utc>>,
        streaming: bool,
    ) -> Result<Report, Reject> {
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
        match self.top_level_names().filter(|_| streaming) {
            // Every field is a member of the top-level object (the usual case): read those members
            // while parsing, without building the document.
            Some(names) => {
                let fields = top_level_fields(s, &names)?;
                self.validate(fields, now)
            }
            None => {
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
                let fields =
                    self.fields
                        .entries()
                        .map(|(_, pointer)| match lookup(&value, pointer) {
                            None => Found::Missing,
                            Some(Value::String(s)) => Found::Str(Cow::Borrowed(s.as_str())),
                            Some(other) => Found::Other(type_name(other)),
                        });
                self.validate(fields, now)
            }
        }
    }

    /// The member names of the field map when every pointer names a member of the top-level
    /// object (`/name`, without escapes), or is empty for an optional field.
    fn top_level_names(&self) -> Option<[Option<&str>; 7]> {
        let mut names = [None; 7];
        for (i, (field, pointer)) in self.fields.entries().into_iter().enumerate() {
            let required = matches!(field, "id" | "text" | "published_at");
            if pointer.is_empty() && !required {
                continue;
            }
            let name = pointer.strip_prefix('/')?;
            if name.contains(['/', '~']) {
                return None;
            }
            names[i] = Some(name);
        }
        Some(names)
    }

    /// The checks on the fields found (in the order of [`FieldMap::entries`]), and the report.
    fn validate(
        &self,
        fields: [Found<'_>; 7],
        now: Option<DateTime<Utc>>,
    ) -> Result<Report, Reject> {
        let limits = &self.limits;
        let f = &self.fields;
        let [id, text, published_at, title, source, url, lang] = fields;

        let id = required_str(id, &f.id, "id")?;
        check_len(&id, limits.max_id_bytes, "id")?;
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

        let text = required_str(text, &f.text, "text")?;
        check_len(&text, limits.max_text_bytes, "text")?;
        if text.trim().is_empty() {
            return Err(Reject::new(
                RejectReason::EmptyText,
                Some("text"),
                "text is empty",
            ));
        }

        let raw_time = required_str(published_at, &f.published_at, "published_at")?;
        check_len(&raw_time, 64, "published_at")?;
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

        let title = optional_str(title, &f.title, "title", limits.max_field_bytes)?;
        let source = optional_str(source, &f.source, "source", limits.max_field_bytes)?;
        let url = optional_str(url, &f.url, "url", limits.max_field_bytes)?;
        let lang = optional_str(lang, &f.lang, "lang", limits.max_field_bytes)?
            .map(|l| normalise_lang(&l))
            .transpose()?;

        Ok(Report {
            id: id.into_owned(),
            text: text.into_owned(),
            published_at,
            title,
            source,
            url,
            lang,
        })
    }
}

/// A report field as found in a message: absent (or `null`), a string, or a value of another type
/// (named for error messages).
#[derive(Debug, Clone)]
enum Found<'a> {
    Missing,
    Str(Cow<'a, str>),
    Other(&'static str),
}

fn lookup<'v>(value: &'v Value, pointer: &str) -> Option<&'v Value> {
    value.pointer(pointer).filter(|v| !v.is_null())
}

fn required_str<'a>(
    found: Found<'a>,
    pointer: &str,
    field: &'static str,
) -> Result<Cow<'a, str>, Reject> {
    match found {
        Found::Missing => Err(Reject::new(
            RejectReason::MissingField,
            Some(field),
            format!("required field `{field}` (at {pointer}) is missing"),
        )),
        Found::Str(s) => Ok(s),
        Found::Other(type_name) => Err(Reject::new(
            RejectReason::WrongType,
            Some(field),
            format!("`{field}` must be a string, found {type_name}"),
        )),
    }
}

fn optional_str(
    found: Found<'_>,
    pointer: &str,
    field: &'static str,
    max: usize,
) -> Result<Option<String>, Reject> {
    if pointer.is_empty() {
        return Ok(None);
    }
    match found {
        Found::Missing => Ok(None),
        Found::Str(s) => {
            check_len(&s, max, field)?;
            Ok(Some(s.into_owned()))
        }
        Found::Other(type_name) => Err(Reject::new(
            RejectReason::WrongType,
            Some(field),
            format!("`{field}` must be a string, found {type_name}"),
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

/// Reads the members `names` of the top-level object of the JSON text `s` while parsing it, without
/// building the document. Parsing is exactly [`UniqueKeys`]'s: the same errors at the same
/// positions, duplicate keys rejected in every object.
fn top_level_fields<'s>(s: &'s str, names: &[Option<&str>; 7]) -> Result<[Found<'s>; 7], Reject> {
    let mut de = serde_json::Deserializer::from_str(s);
    let root = Root { names }
        .deserialize(&mut de)
        .and_then(|root| de.end().map(|()| root))
        .map_err(|e| Reject::new(RejectReason::InvalidJson, None, e.to_string()))?;
    match root {
        Top::Object(found) => Ok(found),
        Top::Other(type_name) => Err(Reject::new(
            RejectReason::NotAnObject,
            None,
            format!("expected a JSON object, found {type_name}"),
        )),
    }
}

/// The top-level value: the wanted members of an object, or the type of anything else.
enum Top<'de> {
    Object([Found<'de>; 7]),
    Other(&'static str),
}

/// Reads the top-level value, keeping the members named in `names` (by position).
struct Root<'n> {
    names: &'n [Option<&'n str>; 7],
}

impl<'de> DeserializeSeed<'de> for Root<'_> {
    type Value = Top<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Top<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Root<'_> {
    type Value = Top<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Top<'de>, E> {
        Ok(Top::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Top<'de>, E> {
        Ok(Top::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Top<'de>, E> {
        Ok(Top::Other("a number"))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Top<'de>, E> {
        // As `UniqueKeys`: a non-finite number (never handed over by serde_json) would be null.
        Ok(Top::Other(if v.is_finite() { "a number" } else { "null" }))
    }

    fn visit_str<E>(self, _: &str) -> Result<Top<'de>, E> {
        Ok(Top::Other("a string"))
    }

    fn visit_unit<E>(self) -> Result<Top<'de>, E> {
        Ok(Top::Other("null"))
    }

    fn visit_none<E>(self) -> Result<Top<'de>, E> {
        Ok(Top::Other("null"))
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Top<'de>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Top<'de>, A::Error> {
        skip_seq(seq)?;
        Ok(Top::Other("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top<'de>, A::Error> {
        let mut found: [Found<'de>; 7] = std::array::from_fn(|_| Found::Missing);
        let mut keys = KeySet::default();
        while let Some(key) = map.next_key_seed(Key)? {
            let wanted = self.names.iter().any(|n| *n == Some(key.as_ref()));
            let value = if wanted {
                map.next_value_seed(Capture)?
            } else {
                map.next_value_seed(Skip)?;
                Found::Missing
            };
            if wanted {
                for (slot, name) in found.iter_mut().zip(self.names) {
                    if *name == Some(key.as_ref()) {
                        *slot = value.clone();
                    }
                }
            }
            keys.insert(key)?;
        }
        Ok(Top::Object(found))
    }
}

/// An object key, borrowed from the input unless it holds escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Cow<'de, str>, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Cow<'de, str>, E> {
        Ok(Cow::Owned(v))
    }
}

/// The keys of one object so far, to reject a duplicate.
#[derive(Default)]
struct KeySet<'de> {
    /// Linear search while the object is small...
    few: Vec<Cow<'de, str>>,
    /// ...and hashing once it is not.
    many: HashSet<Cow<'de, str>>,
}

impl<'de> KeySet<'de> {
    const FEW: usize = 16;

    /// Adds `key`, or fails as [`UniqueKeys`] does when the object already has it.
    fn insert<E: serde::de::Error>(&mut self, key: Cow<'de, str>) -> Result<(), E> {
        let present = if self.many.is_empty() && self.few.len() < Self::FEW {
            self.few.contains(&key)
        } else {
            self.many.extend(self.few.drain(..));
            self.many.contains(&key)
        };
        if present {
            return Err(E::custom(format_args!(
                "duplicate key {:?} in an object",
                key.as_ref()
            )));
        }
        if self.many.is_empty() && self.few.len() < Self::FEW {
            self.few.push(key);
        } else {
            self.many.insert(key);
        }
        Ok(())
    }
}

/// Parses any value and keeps nothing of it (duplicate keys are still rejected).
struct Skip;

impl<'de> DeserializeSeed<'de> for Skip {
    type Value = ();

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skip {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_none<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<(), A::Error> {
        skip_seq(seq)
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<(), A::Error> {
        skip_map(map)
    }
}

fn skip_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element_seed(Skip)?.is_some() {}
    Ok(())
}

fn skip_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    let mut keys = KeySet::default();
    while let Some(key) = map.next_key_seed(Key)? {
        map.next_value_seed(Skip)?;
        keys.insert(key)?;
    }
    Ok(())
}

/// Parses a member's value and keeps what the field checks need: the string, or the type.
struct Capture;

impl<'de> DeserializeSeed<'de> for Capture {
    type Value = Found<'de>;

    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Found<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Capture {
    type Value = Found<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Found<'de>, E> {
        Ok(Found::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Found<'de>, E> {
        Ok(Found::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Found<'de>, E> {
        Ok(Found::Other("a number"))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Found<'de>, E> {
        // As `UniqueKeys`: a non-finite number would be null, which counts as missing.
        Ok(if v.is_finite() {
            Found::Other("a number")
        } else {
            Found::Missing
        })
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Found<'de>, E> {
        Ok(Found::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Found<'de>, E> {
        Ok(Found::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E>(self, v: String) -> Result<Found<'de>, E> {
        Ok(Found::Str(Cow::Owned(v)))
    }

    fn visit_unit<E>(self) -> Result<Found<'de>, E> {
        Ok(Found::Missing)
    }

    fn visit_none<E>(self) -> Result<Found<'de>, E> {
        Ok(Found::Missing)
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Found<'de>, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Found<'de>, A::Error> {
        skip_seq(seq)?;
        Ok(Found::Other("an array"))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Found<'de>, A::Error> {
        skip_map(map)?;
        Ok(Found::Other("an object"))
    }
}

/// Maximum nesting depth of arrays/objects, scanning outside strings. Runs before the JSON parser so
/// that hostile nesting is rejected without recursion.
fn json_depth(s: &str) -> usize {
    let b = s.as_bytes();
    let (mut depth, mut max, mut i) = (0usize, 0usize, 0usize);
    while i < b.len() {
        match b[i] {
            b'"' => {
                // Jump to the closing quote: only quotes and backslashes matter inside a string
                // (a backslash hides the byte after it). An unterminated string runs to the end.
                i += 1;
                loop {
                    let Some(j) = b
                        .get(i..)
                        .and_then(|rest| memchr::memchr2(b'"', b'\\', rest))
                    else {
                        return max;
                    };
                    if b[i + j] == b'"' {
                        i += j + 1;
                        break;
                    }
                    i += j + 2;
                }
                continue;
            }
            b'[' | b'{' => {
                depth += 1;
                max = max.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    max
}

/// The scan [`json_depth`] replaces, byte by byte (kept to test it against).
#[cfg(test)]
fn json_depth_bytewise(s: &str) -> usize {
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

    /// Member names: the report fields (often), others, and escaped forms of them.
    fn member_name() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("\"id\"".to_owned()),
            Just("\"text\"".to_owned()),
            Just("\"published_at\"".to_owned()),
            Just("\"title\"".to_owned()),
            Just("\"source\"".to_owned()),
            Just("\"lang\"".to_owned()),
            Just("\"url\"".to_owned()),
            Just("\"i\\u0064\"".to_owned()),
            Just("\"extra\"".to_owned()),
            "\"[a-z]{0,3}\"",
        ]
    }

    /// Member values: strings of each field's kind, other JSON types, nested values with and without
    /// duplicate keys, and malformed text.
    fn member_value() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("\"2024-01-01T00:00:00Z\"".to_owned()),
            Just("\"2030-01-01T00:00:00+02:00\"".to_owned()),
            Just("\"1066-01-01T00:00:00Z\"".to_owned()),
            Just("\"EN-gb\"".to_owned()),
            Just("\"english\"".to_owned()),
            Just("\"Gunmen killed 12 \\\"villagers\\\"\\n\"".to_owned()),
            Just("\"  \"".to_owned()),
            Just("\"\"".to_owned()),
            Just("\"a\\u0000b\"".to_owned()),
            Just("\"bad \\ud800\"".to_owned()),
            Just("null".to_owned()),
            Just("true".to_owned()),
            Just("-2.5e3".to_owned()),
            Just("1e999".to_owned()),
            Just("[1,{\"k\":1,\"k\":2}]".to_owned()),
            Just("{\"k\":[null],\"j\":{}}".to_owned()),
            Just("{\"k\":1,\"k\":1}".to_owned()),
            Just("[1,".to_owned()),
            "\"[ -~]{0,12}\"",
        ]
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

        /// Reading the top-level members while parsing decides exactly as building the document.
        #[test]
        fn streaming_and_whole_document_decoding_agree(
            members in prop::collection::vec((member_name(), member_value()), 0..8),
            cut in 0usize..400,
            now in prop::option::of(0i64..2_000_000_000),
        ) {
            let body = members
                .iter()
                .map(|(k, v)| format!("{k}:{v}"))
                .collect::<Vec<_>>()
                .join(",");
            let text = format!("{{{body}}}");
            let now = now.and_then(|t| DateTime::<Utc>::from_timestamp(t, 0));
            let d = Decoder::default();
            let mut cut = cut.min(text.len());
            while !text.is_char_boundary(cut) {
                cut -= 1;
            }
            for input in [text.as_str(), &text[..cut]] {
                let fast = d.decode_with(input.as_bytes(), now, true);
                let whole = d.decode_with(input.as_bytes(), now, false);
                prop_assert_eq!(fast, whole, "{}", input);
            }
        }

        #[test]
        fn the_depth_scan_matches_the_bytewise_one(s in "[\\[\\]{}\"\\\\a-z ]{0,60}") {
            prop_assert_eq!(json_depth(&s), json_depth_bytewise(&s));
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
