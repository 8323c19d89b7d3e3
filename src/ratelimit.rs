//! Rate-limited logging of repeated errors: a broker that goes away makes every poll fail, and one
//! line per failure would bury everything else. The first occurrence is logged; after that, at most
//! one line per interval, carrying how many were left out in between.

use std::time::{Duration, Instant};

/// Decides when a repeated event may be logged. The caller passes the time, so tests drive it.
#[derive(Debug)]
pub struct RateLimit {
    interval: Duration,
    last: Option<Instant>,
    suppressed: u64,
}

impl RateLimit {
    pub fn new(interval: Duration) -> Self {
        RateLimit {
            interval,
            last: None,
            suppressed: 0,
        }
    }

    /// `Some(n)` when the event at `now` may be logged, `n` being the events left out since the last
    /// line; `None` when it is to be left out (and counted).
    pub fn check(&mut self, now: Instant) -> Option<u64> {
        match self.last {
            Some(t) if now.saturating_duration_since(t) < self.interval => {
                self.suppressed += 1;
                None
            }
            _ => {
                self.last = Some(now);
                Some(std::mem::take(&mut self.suppressed))
            }
        }
    }
}

/// Logs a consume error of `stage` through `limit` (10 s between lines).
pub fn consume_error(limit: &mut RateLimit, stage: &str, error: &dyn std::fmt::Display) {
    if let Some(suppressed) = limit.check(Instant::now()) {
        tracing::warn!(stage, error = %error, suppressed, "consume error");
    }
}

/// The interval of [`consume_error`].
pub const CONSUME_ERRORS: Duration = Duration::from_secs(10);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn first_then_one_per_interval_with_the_count_left_out() {
        let t0 = Instant::now();
        let s = Duration::from_secs;
        let mut r = RateLimit::new(s(10));
        assert_eq!(r.check(t0), Some(0));
        assert_eq!(r.check(t0 + s(1)), None);
        assert_eq!(r.check(t0 + s(9)), None);
        assert_eq!(r.check(t0 + s(10)), Some(2));
        assert_eq!(r.check(t0 + s(11)), None);
        assert_eq!(r.check(t0 + s(60)), Some(1));
        assert_eq!(r.check(t0 + s(61)), None);
    }
}
