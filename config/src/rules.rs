//! `[[rules]]`: when a region's indicators raise an alert.

use std::collections::BTreeSet;

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
    /// The test: `count` or `sum`.
    #[serde(rename = "type")]
    pub rule_type: RuleType,
    /// Indicator kinds the rule looks at. Empty: every kind.
    #[serde(default)]
    pub kinds: Vec<String>,
    /// Length of the sliding event-time window.
    pub window: Dur,
    /// The value at or above which the rule fires.
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
}

fn one() -> u32 {
    1
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
            if k.is_empty() || !k.chars().all(|c| c.is_ascii_lowercase() || c == '_') {
                bad(
                    &format!("rules.{i}.kinds.{j}"),
                    format!("{k:?} is not an indicator kind (snake_case)"),
                );
            }
        }
    }
}
