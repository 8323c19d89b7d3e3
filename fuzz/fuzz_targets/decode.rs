//! Fuzzes the report decoder (`ingest::Decoder::decode`) on arbitrary bytes, with and without a
//! "now": it must never panic, and an accepted report must satisfy the limits it was checked against.
#![no_main]

use chrono::{DateTime, Utc};
use ingest::{Decoder, FieldMap, Limits};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let small = Limits {
        max_message_bytes: 2048,
        max_text_bytes: 1024,
        max_id_bytes: 32,
        max_field_bytes: 64,
        max_depth: 8,
        ..Limits::default()
    };
    let nested = FieldMap {
        id: "/meta/id".into(),
        text: "/body/0".into(),
        ..FieldMap::default()
    };
    let now = DateTime::parse_from_rfc3339("2026-03-01T00:00:00Z")
        .map(|t| t.with_timezone(&Utc))
        .ok();
    for (decoder, limits) in [
        (Decoder::default(), Limits::default()),
        (Decoder::new(small.clone(), FieldMap::default()), small.clone()),
        (Decoder::new(small.clone(), nested.clone()), small.clone()),
    ] {
        for at in [None, now] {
            if let Ok(r) = decoder.decode(data, at) {
                assert!(data.len() <= limits.max_message_bytes);
                assert!(!r.id.trim().is_empty() && r.id.len() <= limits.max_id_bytes);
                assert!(!r.id.chars().any(char::is_control));
                assert!(!r.text.trim().is_empty() && r.text.len() <= limits.max_text_bytes);
                assert!(r.published_at >= limits.min_published_at);
                if let Some(now) = at {
                    assert!(r.published_at <= now + limits.max_future_skew);
                }
                if let Some(lang) = &r.lang {
                    assert!(lang.len() == 2 && lang.bytes().all(|b| b.is_ascii_lowercase()));
                }
            }
        }
    }
});
