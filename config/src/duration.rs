use std::fmt;
use std::time::Duration;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A duration written the human way in config: `"90s"`, `"10m"`, `"24h"`, `"7d"`, `"1h 30m"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Dur(pub Duration);

impl Dur {
    pub const fn secs(s: u64) -> Self {
        Dur(Duration::from_secs(s))
    }
    pub const fn hours(h: u64) -> Self {
        Dur(Duration::from_secs(h * 3600))
    }
    pub fn as_std(self) -> Duration {
        self.0
    }
    pub fn as_secs(self) -> u64 {
        self.0.as_secs()
    }
    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
    /// As a chrono duration, for event-time arithmetic.
    pub fn as_chrono(self) -> chrono::Duration {
        chrono::Duration::from_std(self.0).unwrap_or(chrono::Duration::MAX)
    }
}

impl fmt::Display for Dur {
    /// The way an operator writes it: one unit when the duration is a whole number of it (`"48h"`,
    /// `"7d"`, `"10m"`, `"5s"`), else the full breakdown (`"1h 30m"`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const DAY: u64 = 86_400;
        let d = self.0;
        let s = d.as_secs();
        if d.subsec_nanos() != 0 || s == 0 {
            return write!(f, "{}", humantime::format_duration(d));
        }
        if s % DAY == 0 && s > 3 * DAY {
            write!(f, "{}d", s / DAY)
        } else if s % 3600 == 0 {
            write!(f, "{}h", s / 3600)
        } else if s % 60 == 0 && s < 3600 {
            write!(f, "{}m", s / 60)
        } else if s < 60 {
            write!(f, "{s}s")
        } else {
            write!(f, "{}", humantime::format_duration(d))
        }
    }
}

impl std::str::FromStr for Dur {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        humantime::parse_duration(s.trim()).map(Dur).map_err(|e| {
            format!("{s:?} is not a duration such as \"30s\", \"10m\", \"24h\" or \"7d\": {e}")
        })
    }
}

impl Serialize for Dur {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl<'de> Deserialize<'de> for Dur {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_prints() {
        assert_eq!("24h".parse::<Dur>().unwrap(), Dur::hours(24));
        assert_eq!("7d".parse::<Dur>().unwrap(), Dur::hours(168));
        assert_eq!("1h 30m".parse::<Dur>().unwrap().as_secs(), 5400);
        for (written, shown) in [
            ("48h", "48h"),
            ("2d", "48h"),
            ("7d", "7d"),
            ("10m", "10m"),
            ("5s", "5s"),
            ("90m", "1h 30m"),
            ("90s", "1m 30s"),
        ] {
            let d: Dur = written.parse().unwrap();
            assert_eq!(d.to_string(), shown, "{written}");
            assert_eq!(shown.parse::<Dur>().unwrap(), d, "{shown} reads back");
        }
        assert!("soon".parse::<Dur>().is_err());
        assert_eq!(Dur::hours(24).to_string(), "24h");
    }
}
