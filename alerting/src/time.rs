//! Event time as whole seconds since the Unix epoch (UTC), the hop grid, and the RFC 3339 form every
//! alert carries. Sub-second digits of `published_at` are dropped: windows are far coarser.

use chrono::{DateTime, SecondsFormat, Utc};

/// Event time: seconds since 1970-01-01T00:00:00Z.
pub type Ts = i64;

/// Parses an RFC 3339 time (any offset) to event time.
pub fn parse(s: &str) -> Option<Ts> {
    DateTime::parse_from_rfc3339(s.trim())
        .ok()
        .map(|d| d.timestamp())
}

fn utc(t: Ts) -> DateTime<Utc> {
    DateTime::<Utc>::from_timestamp(t, 0).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// RFC 3339 in UTC with `Z` and no sub-second digits, e.g. `2016-01-01T00:00:00Z`.
pub fn format(t: Ts) -> String {
    utc(t).to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// The compact form used inside alert ids, e.g. `20160101T000000Z`.
pub fn compact(t: Ts) -> String {
    utc(t).format("%Y%m%dT%H%M%SZ").to_string()
}

/// `t` rounded up to the grid of step `hop` (aligned on the epoch): the end of the window that
/// holds `t`. A time on the grid is its own end.
pub fn ceil_grid(t: Ts, hop: Ts) -> Ts {
    let r = t.rem_euclid(hop);
    if r == 0 {
        t
    } else {
        t.saturating_add(hop - r)
    }
}

/// A configured duration in whole seconds, saturated so that event-time arithmetic cannot overflow.
pub fn secs(d: config::Dur) -> Ts {
    i64::try_from(d.as_secs()).unwrap_or(i64::MAX).min(MAX_SPAN)
}

/// Longest span used in event-time arithmetic (about 10,000 years).
pub const MAX_SPAN: Ts = 10_000 * 366 * 86_400;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_offsets_and_formats_in_utc() {
        let t = parse("2016-01-01T02:30:00+02:00").unwrap();
        assert_eq!(format(t), "2016-01-01T00:30:00Z");
        assert_eq!(compact(t), "20160101T003000Z");
        assert_eq!(
            parse("2016-01-01T00:00:00.75Z"),
            parse("2016-01-01T00:00:00Z")
        );
        assert_eq!(parse("yesterday"), None);
    }

    #[test]
    fn rounds_up_to_the_grid() {
        assert_eq!(ceil_grid(0, 3600), 0);
        assert_eq!(ceil_grid(1, 3600), 3600);
        assert_eq!(ceil_grid(3600, 3600), 3600);
        assert_eq!(ceil_grid(-1, 3600), 0);
        assert_eq!(ceil_grid(-3601, 3600), -3600);
    }

    #[test]
    fn durations_saturate() {
        assert_eq!(secs(config::Dur::hours(2)), 7200);
        assert_eq!(
            secs(config::Dur(std::time::Duration::from_secs(u64::MAX))),
            MAX_SPAN
        );
    }
}
