//! Rules compiled for evaluation, and the value of a rule over one window of a region.
//!
//! | type        | value of the window `(end - window, end]`                   | fires when                          |
//! |-------------|-------------------------------------------------------------|-------------------------------------|
//! | `count`     | indicator records, or distinct reports (`count_of`)         | value >= `threshold`                |
//! | `sum`       | people killed over distinct reports                          | value >= `threshold`                |
//! | `surge`     | reports, indicators or fatalities (`surge_of`)              | value >= max(`threshold`, Poisson upper bound of the baseline at `alpha`, `min_ratio` x baseline) |
//! | `composite` | sum over `weights` of weight x distinct reports of the kind | value >= `threshold`                |
//!
//! Every rule also needs `min_sources` distinct sources in the window. The surge baseline is the mean
//! value of the `baseline_windows` windows of the same length just before the current one.

use std::collections::{BTreeSet, HashMap};
use std::sync::Mutex;

use config::{CountOf, Rule, RuleType, SurgeOf};
use enrich::Evidence;

use crate::time::{self, Ts};
use crate::window::{self, Agg, Rec, Store};
use crate::{AlertingError, Severity};

/// A rule ready for evaluation (durations in seconds, kinds as a set).
#[derive(Debug, Clone)]
pub struct Compiled {
    pub name: String,
    pub rule_type: RuleType,
    kinds: BTreeSet<String>,
    pub window: Ts,
    pub threshold: f64,
    count_of: CountOf,
    surge_of: SurgeOf,
    pub min_sources: u64,
    baseline_windows: i64,
    alpha: f64,
    min_ratio: f64,
    weights: Vec<(String, f64)>,
    poisson: PoissonMemo,
}

/// A rule's value over one window, with what an alert reports about it.
#[derive(Debug, Clone, PartialEq)]
pub struct Eval {
    pub end: Ts,
    pub value: f64,
    /// The value at which the rule fires (for `surge`, from the baseline).
    pub threshold: f64,
    pub baseline: Option<f64>,
    pub reports: u64,
    pub sources: u64,
    pub fatalities: u64,
    /// The single kind behind the value, or `mixed`.
    pub kind: String,
    pub evidence: Vec<Evidence>,
}

impl Compiled {
    pub fn new(r: &Rule) -> Result<Self, AlertingError> {
        let bad = |message: String| AlertingError::Rule {
            rule: r.name.clone(),
            message,
        };
        if r.name.trim().is_empty() {
            return Err(bad("the name is empty".into()));
        }
        let window = time::secs(r.window);
        if window <= 0 {
            return Err(bad("the window must be longer than 0s".into()));
        }
        if !(r.threshold.is_finite() && r.threshold > 0.0) {
            return Err(bad(format!("threshold {} is not > 0", r.threshold)));
        }
        if r.min_sources == 0 {
            return Err(bad("min_sources must be at least 1".into()));
        }
        let mut kinds: BTreeSet<String> = r.kinds.iter().cloned().collect();
        let mut weights = Vec::new();
        match r.rule_type {
            RuleType::Surge => {
                if r.baseline_windows == 0 {
                    return Err(bad("baseline_windows must be at least 1".into()));
                }
                if !(r.alpha > 0.0 && r.alpha < 0.5) {
                    return Err(bad(format!("alpha {} is not in (0, 0.5)", r.alpha)));
                }
                if !(r.min_ratio.is_finite() && r.min_ratio >= 0.0) {
                    return Err(bad(format!("min_ratio {} is not >= 0", r.min_ratio)));
                }
            }
            RuleType::Composite => {
                if r.weights.is_empty() || !r.kinds.is_empty() {
                    return Err(bad("a composite rule needs `weights` and no `kinds`".into()));
                }
                for (k, w) in &r.weights {
                    if !(w.is_finite() && *w > 0.0) {
                        return Err(bad(format!("weight {w} of {k} is not > 0")));
                    }
                    weights.push((k.clone(), *w));
                }
                kinds = r.weights.keys().cloned().collect();
            }
            RuleType::Count | RuleType::Sum => {}
        }
        Ok(Compiled {
            name: r.name.clone(),
            rule_type: r.rule_type,
            kinds,
            window,
            threshold: r.threshold,
            count_of: r.count_of,
            surge_of: r.surge_of,
            min_sources: u64::from(r.min_sources),
            baseline_windows: i64::from(r.baseline_windows),
            alpha: r.alpha,
            min_ratio: r.min_ratio,
            weights,
            poisson: PoissonMemo::default(),
        })
    }

    /// Does the rule look at this kind?
    pub fn matches(&self, kind: &str) -> bool {
        self.kinds.is_empty() || self.kinds.contains(kind)
    }

    /// How far back from a window's end the rule reads records (its window, plus the baseline).
    pub fn horizon(&self) -> Ts {
        match self.rule_type {
            RuleType::Surge => self.window.saturating_mul(1 + self.baseline_windows),
            _ => self.window,
        }
    }

    fn measure(&self, a: &Agg<'_>) -> f64 {
        match self.rule_type {
            RuleType::Count => match self.count_of {
                CountOf::Indicators => a.indicators as f64,
                CountOf::Reports => a.reports as f64,
            },
            RuleType::Sum => a.fatalities as f64,
            RuleType::Surge => match self.surge_of {
                SurgeOf::Indicators => a.indicators as f64,
                SurgeOf::Reports => a.reports as f64,
                SurgeOf::Fatalities => a.fatalities as f64,
            },
            RuleType::Composite => self
                .weights
                .iter()
                .map(|(k, w)| w * a.per_kind.get(k.as_str()).copied().unwrap_or(0) as f64)
                .sum(),
        }
    }

    /// The value of the window ending at `end` and the aggregate behind it; with `canonical`, also
    /// the canonical records (for evidence).
    fn current<'a>(
        &self,
        store: &'a Store,
        end: Ts,
        canonical: Option<&mut Vec<&'a Rec>>,
    ) -> (f64, Agg<'a>) {
        let agg = store.aggregate(end - self.window, end, |k| self.matches(k), canonical);
        (self.measure(&agg), agg)
    }

    /// The firing threshold at `end` and the baseline it came from.
    fn threshold_at(&self, store: &Store, end: Ts) -> (f64, Option<f64>) {
        if self.rule_type != RuleType::Surge {
            return (self.threshold, None);
        }
        let mut total = 0.0;
        for k in 1..=self.baseline_windows {
            let e = end - k * self.window;
            let agg = store.aggregate(e - self.window, e, |kind| self.matches(kind), None);
            total += self.measure(&agg);
        }
        let baseline = total / self.baseline_windows as f64;
        let t = self
            .threshold
            .max(self.poisson.upper(baseline, self.alpha) as f64)
            .max(self.min_ratio * baseline);
        (t, Some(baseline))
    }

    /// The first half of [`Compiled::evaluate`]: the window ending at `end` alone, without the
    /// baseline and the evidence.
    pub(crate) fn partial<'a>(&self, store: &'a Store, end: Ts) -> Partial<'a> {
        let mut canonical = Vec::new();
        let (value, agg) = self.current(store, end, Some(&mut canonical));
        Partial {
            end,
            value,
            agg,
            canonical,
        }
    }

    /// True when the window cannot fire whatever its baseline: its value is below the rule's own
    /// threshold (which every firing threshold is at least) or it has too few sources.
    pub(crate) fn cannot_fire(&self, p: &Partial<'_>) -> bool {
        !(p.value >= self.threshold && p.agg.sources >= self.min_sources)
    }

    /// The second half of [`Compiled::evaluate`]: the threshold (from the baseline) and the
    /// evidence, when `max_evidence > 0`.
    pub(crate) fn complete(&self, store: &Store, p: Partial<'_>, max_evidence: usize) -> Eval {
        let (mut e, canonical) = self.complete_lazy(store, p);
        if max_evidence > 0 {
            e.evidence = window::evidence(canonical, max_evidence);
        }
        e
    }

    /// [`Compiled::complete`] without the evidence, and the canonical records to take it from
    /// ([`window::evidence`]) when it is needed.
    pub(crate) fn complete_lazy<'a>(&self, store: &Store, p: Partial<'a>) -> (Eval, Vec<&'a Rec>) {
        let (threshold, baseline) = self.threshold_at(store, p.end);
        let mut kinds = p.agg.per_kind.keys();
        let kind = match (kinds.next(), kinds.next()) {
            (Some(one), None) => (*one).to_owned(),
            (None, _) if self.kinds.len() == 1 => {
                self.kinds.iter().next().cloned().unwrap_or_default()
            }
            _ => "mixed".to_owned(),
        };
        let e = Eval {
            end: p.end,
            value: p.value,
            threshold,
            baseline,
            reports: p.agg.reports,
            sources: p.agg.sources,
            fatalities: p.agg.fatalities,
            kind,
            evidence: Vec::new(),
        };
        (e, p.canonical)
    }

    /// The rule over the window ending at `end`; evidence only when `max_evidence > 0`.
    pub fn evaluate(&self, store: &Store, end: Ts, max_evidence: usize) -> Eval {
        self.complete(store, self.partial(store, end), max_evidence)
    }

    /// Does an evaluation fire?
    pub fn fires(&self, e: &Eval) -> bool {
        e.value >= e.threshold && e.sources >= self.min_sources
    }

    /// The first window end after `end` at which, with the records held now and the threshold held at
    /// `threshold`, the rule stops firing. The current window only loses records as it slides, so
    /// its value and sources only fall: a binary search over the ends where a record leaves.
    pub fn cools_at(&self, store: &Store, end: Ts, threshold: f64, hop: Ts) -> Ts {
        let mut ends: Vec<Ts> = store
            .range(end - self.window, end)
            .filter(|r| self.matches(&r.kind))
            .map(|r| time::ceil_grid(r.t + self.window, hop))
            .filter(|&e| e > end)
            .collect();
        ends.dedup();
        let still = |e: Ts| {
            let (value, agg) = self.current(store, e, None);
            value >= threshold && agg.sources >= self.min_sources
        };
        // The last end always empties the window; find the first end that does not fire.
        let (mut lo, mut hi) = (0usize, ends.len());
        while lo < hi {
            let mid = (lo + hi) / 2;
            if still(ends[mid]) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        ends.get(lo)
            .copied()
            .unwrap_or_else(|| time::ceil_grid(end + 1, hop))
    }
}

/// The current window of a rule, evaluated up to the point where the baseline is needed.
pub(crate) struct Partial<'a> {
    end: Ts,
    value: f64,
    agg: Agg<'a>,
    canonical: Vec<&'a Rec>,
}

/// A memo of [`poisson_upper`] at one `alpha`, by the baseline's bits: baselines take few distinct
/// values, and the exact tail sum costs hundreds of `exp` and `ln`.
#[derive(Default)]
struct PoissonMemo(Mutex<HashMap<u64, u64>>);

impl PoissonMemo {
    /// Entries kept at most; the memo starts over beyond.
    const CAPACITY: usize = 4096;

    fn upper(&self, lambda: f64, alpha: f64) -> u64 {
        let key = lambda.to_bits();
        if let Some(&v) = self.0.lock().ok().as_ref().and_then(|m| m.get(&key)) {
            return v;
        }
        let v = poisson_upper(lambda, alpha);
        if let Ok(mut m) = self.0.lock() {
            if m.len() >= Self::CAPACITY {
                m.clear();
            }
            m.insert(key, v);
        }
        v
    }
}

impl Clone for PoissonMemo {
    fn clone(&self) -> Self {
        PoissonMemo::default()
    }
}

impl std::fmt::Debug for PoissonMemo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PoissonMemo")
    }
}

/// Severity from the value over the threshold: below 2x `low`, below 4x `medium`, below 8x `high`,
/// else `critical`.
pub fn severity(value: f64, threshold: f64) -> Severity {
    let ratio = if threshold > 0.0 {
        value / threshold
    } else {
        0.0
    };
    if ratio < 2.0 {
        Severity::Low
    } else if ratio < 4.0 {
        Severity::Medium
    } else if ratio < 8.0 {
        Severity::High
    } else {
        Severity::Critical
    }
}

/// ln(k!), exact below 30 and by Stirling's series above.
fn ln_factorial(k: u64) -> f64 {
    if k < 30 {
        (2..=k).map(|i| (i as f64).ln()).sum()
    } else {
        let x = k as f64;
        x * x.ln() - x + 0.5 * (2.0 * std::f64::consts::PI * x).ln() + 1.0 / (12.0 * x)
            - 1.0 / (360.0 * x.powi(3))
            + 1.0 / (1260.0 * x.powi(5))
    }
}

/// The smallest `x` with P(X >= x) <= `alpha` for X ~ Poisson(`lambda`): a value at or above it is
/// improbably high for a region whose usual value is `lambda`. Exact (sums the upper tail), so it
/// suits the small counts of sparse regions; 1 when `lambda` is 0.
pub fn poisson_upper(lambda: f64, alpha: f64) -> u64 {
    if lambda.is_nan() || lambda <= 0.0 || !lambda.is_finite() {
        return 1;
    }
    let top = (lambda + 40.0 * lambda.sqrt() + 40.0).ceil() as u64;
    let ln_l = lambda.ln();
    let mut tail = 0.0;
    let mut k = top;
    loop {
        tail += (-lambda + k as f64 * ln_l - ln_factorial(k)).exp();
        if tail > alpha {
            return k + 1;
        }
        if k == 0 {
            return 0;
        }
        k -= 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::window::Rec;

    fn rule(toml_rule: &str) -> Compiled {
        let src = format!("[[rules]]\nname = \"r\"\n{toml_rule}\n");
        let c = config::parse("t.toml", &src, Vec::new()).unwrap();
        Compiled::new(&c.rules[0]).unwrap()
    }

    fn rec(t: Ts, id: &str, kind: &str, fat: u64) -> Rec {
        Rec {
            t,
            report_id: id.into(),
            kind: kind.into(),
            source: None,
            count: Some(fat),
            fatalities: Some(fat),
            evidence: Vec::new(),
            fingerprint: id.into(),
        }
    }

    const DAY: Ts = 86_400;

    #[test]
    fn poisson_bounds_match_tables() {
        // P(X >= 4 | 0.5) = 0.00175, P(X >= 3 | 0.5) = 0.0144.
        assert_eq!(poisson_upper(0.5, 0.01), 4);
        // P(X >= 9 | 3) = 0.0038, P(X >= 8 | 3) = 0.0119.
        assert_eq!(poisson_upper(3.0, 0.01), 9);
        assert_eq!(poisson_upper(0.0, 0.01), 1);
        // Large means: about lambda + 2.33 sqrt(lambda).
        let big = poisson_upper(10_000.0, 0.01);
        assert!((10_225..=10_245).contains(&big), "{big}");
    }

    #[test]
    fn severity_bands() {
        assert_eq!(severity(10.0, 10.0), Severity::Low);
        assert_eq!(severity(20.0, 10.0), Severity::Medium);
        assert_eq!(severity(79.0, 10.0), Severity::High);
        assert_eq!(severity(80.0, 10.0), Severity::Critical);
    }

    #[test]
    fn sum_rules_fire_and_cool_when_records_leave_the_window() {
        let r = rule("type = \"sum\"\nkinds = [\"killing\"]\nwindow = \"2d\"\nthreshold = 10");
        let mut s = Store::default();
        s.insert(rec(0, "a", "killing", 6));
        s.insert(rec(DAY, "b", "killing", 6));
        s.insert(rec(DAY, "c", "arson", 60));
        let e = r.evaluate(&s, DAY, 5);
        assert_eq!((e.value, e.reports, e.kind.as_str()), (12.0, 2, "killing"));
        assert!(r.fires(&e));
        // "a" leaves the window (end - 2d, end] at end = 2d: 6 < 10.
        assert_eq!(r.cools_at(&s, DAY, 10.0, 3600), 2 * DAY);
        assert_eq!(r.cools_at(&s, DAY, 6.0, 3600), 3 * DAY);
    }

    #[test]
    fn surges_need_more_than_the_baseline_and_the_minimum() {
        let r = rule(
            "type = \"surge\"\nkinds = [\"killing\"]\nwindow = \"1d\"\nthreshold = 3\nbaseline_windows = 4",
        );
        let mut s = Store::default();
        // Baseline: 2 reports a day for 4 days (days 0..=3), then 5 on day 4.
        let mut n = 0;
        for day in 0..4 {
            for _ in 0..2 {
                n += 1;
                s.insert(rec(day * DAY + 60, &format!("b{n}"), "killing", 1));
            }
        }
        for i in 0..5 {
            s.insert(rec(4 * DAY + 60 + i, &format!("s{i}"), "killing", 1));
        }
        let e = r.evaluate(&s, 5 * DAY, 0);
        assert_eq!(e.baseline, Some(2.0));
        // P(X >= 7 | 2) = 0.0045 <= 0.01 < P(X >= 6 | 2) = 0.0166.
        assert_eq!(e.threshold, 7.0);
        assert!(!r.fires(&e), "5 against a baseline of 2 is not improbable");
        for i in 0..3 {
            s.insert(rec(4 * DAY + 100 + i, &format!("t{i}"), "killing", 1));
        }
        assert!(r.fires(&r.evaluate(&s, 5 * DAY, 0)));
        // A quiet region: one report is not a surge (threshold 3 is the least absolute value).
        let mut q = Store::default();
        q.insert(rec(4 * DAY + 60, "x", "killing", 1));
        let e = r.evaluate(&q, 5 * DAY, 0);
        assert_eq!((e.value, e.threshold), (1.0, 3.0));
        assert!(!r.fires(&e));
    }

    #[test]
    fn composite_scores_weigh_distinct_reports_per_kind() {
        let r = rule(
            "type = \"composite\"\nwindow = \"7d\"\nthreshold = 7\nweights = { killing = 3, displacement = 1 }",
        );
        let mut s = Store::default();
        s.insert(rec(10, "a", "killing", 1));
        s.insert(rec(10, "a", "displacement", 1));
        s.insert(rec(20, "b", "killing", 1));
        s.insert(rec(20, "b", "hate_speech", 1));
        let e = r.evaluate(&s, DAY, 0);
        assert_eq!((e.value, e.kind.as_str()), (7.0, "mixed"));
        assert!(r.fires(&e));
    }

    #[test]
    fn min_sources_is_required() {
        let r = rule("type = \"count\"\nwindow = \"1d\"\nthreshold = 1\nmin_sources = 2");
        let mut s = Store::default();
        s.insert(rec(10, "a", "killing", 1));
        s.insert(rec(20, "b", "killing", 1));
        assert!(
            !r.fires(&r.evaluate(&s, DAY, 0)),
            "two reports without a source are one source"
        );
    }
}
