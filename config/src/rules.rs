//! `[[rules]]`: when a region's indicators raise an alert.
//!
//! Four rule types share one table shape: `count` and `sum` compare a window's value with a fixed
//! `threshold`; `surge` compares it with the region's own baseline (the preceding windows of the same
//! length) using a Poisson upper bound, with `threshold` as the least absolute value; `composite` adds
//! up the distinct reports of several kinds with per-kind `weights`. Fields that only some types use
//! have defaults, so older files stay valid.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::Dur;

/// The kind of test a rule applies to its window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleType {
    /// Number of indicators (or distinct reports, see `count_of`) in the window >= `threshold`.
    Count,
    /// Sum of a measure (see `measure`) over distinct reports in the window >= `threshold`.
    Sum,
    /// The window's value (see `surge_of`) is improbably high against the region's baseline: the mean
    /// of the `baseline_windows` preceding windows of the same length. Fires when the value reaches
    /// the Poisson upper bound of the baseline at level `alpha`, `min_ratio` times the baseline, and
    /// `threshold` (the least absolute value, so that 0 -> 1 is not a surge).
    Surge,
    /// Weighted score: the sum over `weights` of weight x distinct reports of that kind >= `threshold`.
    Composite,
}

/// What a `surge` rule measures in each window.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SurgeOf {
    /// Indicator records (one per report, region and kind).
    Indicators,
    /// Distinct reports.
    #[default]
    Reports,
    /// People reported killed (distinct reports).
    Fatalities,
}

/// What a `count` rule counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum CountOf {
    /// Indicator records (one per report, region and kind).
    #[default]
    Indicators,
    /// Distinct reports.
    Reports,
}

/// What a `sum` rule adds up.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// People reported killed.
    #[default]
    Fatalities,
}

/// One alert rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Rule {
    /// Unique name; part of every alert id the rule raises.
    pub name: String,
    /// The test: `count`, `sum`, `surge` or `composite`.
    #[serde(rename = "type")]
    pub rule_type: RuleType,
    /// Indicator kinds the rule looks at. Empty: every kind (`composite` rules take theirs from
    /// `weights` and leave this empty).
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Length of the sliding event-time window.
    pub window: Dur,
    /// The value at or above which the rule fires (`surge`: the least absolute value that can fire).
    pub threshold: f64,
    /// For `count` rules: count `indicators` or distinct `reports`.
    #[serde(default)]
    pub count_of: CountOf,
    /// For `sum` rules: the measure to add up.
    #[serde(default)]
    pub measure: Measure,
    /// Least number of distinct sources in the window.
    #[serde(default = "one")]
    pub min_sources: u32,
    /// For `surge` rules: what each window measures, `reports` (default), `indicators` or
    /// `fatalities`.
    #[serde(default)]
    pub surge_of: SurgeOf,
    /// For `surge` rules: how many preceding windows of the same length form the baseline.
    #[serde(default = "d_baseline_windows")]
    pub baseline_windows: u32,
    /// For `surge` rules: the Poisson tail probability at which a value counts as a surge.
    #[serde(default = "d_alpha")]
    pub alpha: f64,
    /// For `surge` rules: the least ratio of the value to the baseline (1 = no extra condition). Useful
    /// for `fatalities`, which vary far more than a Poisson count.
    #[serde(default = "d_min_ratio")]
    pub min_ratio: f64,
    /// For `composite` rules: weight of each indicator kind, e.g. `{ killing = 3, displacement = 1 }`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub weights: BTreeMap<String, f64>,
}

fn one() -> u32 {
    1
}
fn d_baseline_windows() -> u32 {
    4
}
fn d_alpha() -> f64 {
    0.01
}
fn d_min_ratio() -> f64 {
    1.0
}

fn is_kind(k: &str) -> bool {
    !k.is_empty() && k.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// The rules used when a configuration declares none.
pub fn default_rules() -> Vec<Rule> {
    crate::parse("built-in", crate::DEFAULT_TOML, Vec::new())
        .map(|c| c.rules)
        .unwrap_or_default()
}

pub(crate) fn validate(rules: &[Rule], bad: &mut impl FnMut(&str, String)) {
    let mut names = BTreeSet::new();
    for (i, r) in rules.iter().enumerate() {
        if r.name.trim().is_empty() {
            bad(&format!("rules.{i}.name"), "must not be empty".into());
        } else if !names.insert(r.name.as_str()) {
            bad(
                &format!("rules.{i}.name"),
                format!("duplicate rule name {:?}", r.name),
            );
        }
        if r.window.is_zero() {
            bad(
                &format!("rules.{i}.window"),
                "must be greater than 0".into(),
            );
        }
        if !(r.threshold.is_finite() && r.threshold > 0.0) {
            bad(
                &format!("rules.{i}.threshold"),
                format!("must be a number greater than 0, not {}", r.threshold),
            );
        }
        if r.min_sources == 0 {
            bad(
                &format!("rules.{i}.min_sources"),
                "must be at least 1".into(),
            );
        }
        for (j, k) in r.kinds.iter().enumerate() {
            if !is_kind(k) {
                bad(
                    &format!("rules.{i}.kinds.{j}"),
                    format!("{k:?} is not an indicator kind (snake_case)"),
                );
            }
        }
        if r.rule_type == RuleType::Surge {
            if !(1..=520).contains(&r.baseline_windows) {
                bad(
                    &format!("rules.{i}.baseline_windows"),
                    format!("must be between 1 and 520, not {}", r.baseline_windows),
                );
            }
            if !(r.alpha > 0.0 && r.alpha < 0.5) {
                bad(
                    &format!("rules.{i}.alpha"),
                    format!("must be a probability in (0, 0.5), not {}", r.alpha),
                );
            }
            if !(r.min_ratio.is_finite() && r.min_ratio >= 0.0) {
                bad(
                    &format!("rules.{i}.min_ratio"),
                    format!("must be a number >= 0, not {}", r.min_ratio),
                );
            }
        }
        if r.rule_type == RuleType::Composite {
            if r.weights.is_empty() {
                bad(
                    &format!("rules.{i}.type"),
                    "a composite rule needs `weights`, e.g. { killing = 3, displacement = 1 }"
                        .into(),
                );
            }
            if !r.kinds.is_empty() {
                bad(
                    &format!("rules.{i}.kinds"),
                    "a composite rule takes its kinds from `weights`; leave `kinds` out".into(),
                );
            }
            for (k, w) in &r.weights {
                if !is_kind(k) {
                    bad(
                        &format!("rules.{i}.weights.{k}"),
                        format!("{k:?} is not an indicator kind (snake_case)"),
                    );
                } else if !(w.is_finite() && *w > 0.0) {
                    bad(
                        &format!("rules.{i}.weights.{k}"),
                        format!("must be a number greater than 0, not {w}"),
                    );
                }
            }
        } else if !r.weights.is_empty() {
            bad(
                &format!("rules.{i}.weights"),
                "only composite rules take `weights`".into(),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(src: &str) -> String {
        match crate::parse("r.toml", src, Vec::new()) {
            Ok(_) => String::new(),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn surge_and_composite_rules_parse_with_defaults() {
        let src = r#"
[[rules]]
name = "s"
type = "surge"
window = "7d"
threshold = 3

[[rules]]
name = "c"
type = "composite"
window = "7d"
threshold = 6
weights = { killing = 3, displacement = 1 }
"#;
        let c = crate::parse("r.toml", src, Vec::new()).unwrap();
        assert_eq!(c.rules[0].rule_type, RuleType::Surge);
        assert_eq!(c.rules[0].surge_of, SurgeOf::Reports);
        assert_eq!(c.rules[0].baseline_windows, 4);
        assert_eq!(c.rules[0].alpha, 0.01);
        assert_eq!(c.rules[1].weights.get("killing"), Some(&3.0));
    }

    #[test]
    fn bad_surge_and_composite_fields_are_located() {
        let src = r#"
[[rules]]
name = "s"
type = "surge"
window = "7d"
threshold = 3
alpha = 0.9
baseline_windows = 0

[[rules]]
name = "c"
type = "composite"
kinds = ["killing"]
window = "7d"
threshold = 6
weights = { killing = -1, Bad = 2 }

[[rules]]
name = "n"
type = "count"
window = "1d"
threshold = 6
weights = { killing = 1 }
"#;
        let e = problems(src);
        assert!(e.contains("r.toml:7:"), "alpha: {e}");
        assert!(e.contains("r.toml:8:"), "baseline_windows: {e}");
        assert!(e.contains("r.toml:13:"), "kinds of a composite rule: {e}");
        assert!(e.contains("rules.1.weights.killing"), "{e}");
        assert!(e.contains("rules.1.weights.Bad"), "{e}");
        assert!(e.contains("only composite rules take `weights`"), "{e}");
    }

    #[test]
    fn a_composite_rule_needs_weights() {
        let src = "[[rules]]\nname = \"c\"\ntype = \"composite\"\nwindow = \"7d\"\nthreshold = 1\n";
        assert!(problems(src).contains("needs `weights`"));
    }

    #[test]
    fn the_hop_may_not_exceed_the_shortest_window() {
        let src = "[alerting]\nhop = \"2d\"\n\n[[rules]]\nname = \"k\"\ntype = \"sum\"\nwindow = \"1d\"\nthreshold = 1\n";
        assert!(problems(src).contains("alerting.hop"), "{}", problems(src));
    }
}
