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
    // Every alert carries several times: years 0 to 9999 are written directly, the rest by chrono.
    let days = t.div_euclid(86_400);
    let secs = t.rem_euclid(86_400);
    let (y, m, d) = civil_from_days(days);
    if !(0..=9999).contains(&y) {
        return utc(t).to_rfc3339_opts(SecondsFormat::Secs, true);
    }
    let mut b = *b"0000-00-00T00:00:00Z";
    let mut put = |at: usize, v: i64, width: usize| {
        let mut v = v;
        for i in (at..at + width).rev() {
            b[i] = b'0' + (v % 10) as u8;
            v /= 10;
        }
    };
    put(0, y, 4);
    put(5, m, 2);
    put(8, d, 2);
    put(11, secs / 3600, 2);
    put(14, secs / 60 % 60, 2);
    put(17, secs % 60, 2);
    b.iter().map(|&c| char::from(c)).collect()
}

/// (year, month, day) of the proleptic Gregorian calendar for days since 1970-01-01 (H. Hinnant's
/// `civil_from_days`).
fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
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
    fn direct_formatting_matches_chrono() {
        let chrono = |t: Ts| utc(t).to_rfc3339_opts(SecondsFormat::Secs, true);
        let mut t: Ts = -62_167_219_200 - 86_400 * 400; // before year 0
        let end: Ts = 253_402_300_800 + 86_400 * 400; // after year 9999
        while t < end {
            assert_eq!(format(t), chrono(t), "{t}");
            t += 86_399 * 7 + 3_617;
        }
        for t in [
            -1,
            0,
            1,
            951_782_400,
            4_107_542_399,
            253_402_300_799,
            253_402_300_800,
        ] {
            assert_eq!(format(t), chrono(t), "{t}");
        }
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
