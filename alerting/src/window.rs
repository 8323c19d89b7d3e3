//! A region's indicator records in event time, and the aggregate of a window over them.
//!
//! The [`Store`] keeps one [`Rec`] per (report, kind), ordered by event time; a second copy of a
//! (report, kind) is absorbed, so duplicates after a crash are never counted twice. [`aggregate`]
//! reads the records of a window `(end - length, end]` and counts what the rules need, treating
//! syndicated copies (same text fingerprint, different report ids) as one report: the canonical copy
//! is the earliest (then smallest report id) in the window. Everything is ordered by keys, never by
//! arrival, so a window's aggregate does not depend on the order its records came in.

use std::collections::{BTreeMap, BTreeSet};

use enrich::Evidence;
use serde::{Deserialize, Serialize};

use crate::time::Ts;

/// One indicator record as the engine keeps it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rec {
    pub t: Ts,
    pub report_id: String,
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub count: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fatalities: Option<u64>,
    pub evidence: Vec<Evidence>,
    pub fingerprint: String,
}

impl Rec {
    /// The key that groups syndicated copies: the text fingerprint, or the report id without one.
    fn story(&self) -> &str {
        if self.fingerprint.is_empty() {
            &self.report_id
        } else {
            &self.fingerprint
        }
    }
}

type Key = (Ts, String, String);

/// A region's records, by (event time, report id, kind). Serialised as the list of records.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(from = "Vec<Rec>", into = "Vec<Rec>")]
pub struct Store {
    recs: BTreeMap<Key, Rec>,
    /// (report id, kind) of every record held, for de-duplication.
    seen: BTreeSet<(String, String)>,
}

impl From<Vec<Rec>> for Store {
    fn from(v: Vec<Rec>) -> Self {
        let mut s = Store::default();
        for r in v {
            s.insert(r);
        }
        s
    }
}

impl From<Store> for Vec<Rec> {
    fn from(s: Store) -> Self {
        s.recs.into_values().collect()
    }
}

impl Store {
    /// Adds a record; `false` when its (report id, kind) is already held.
    pub fn insert(&mut self, r: Rec) -> bool {
        if !self.seen.insert((r.report_id.clone(), r.kind.clone())) {
            return false;
        }
        self.recs
            .insert((r.t, r.report_id.clone(), r.kind.clone()), r);
        true
    }

    /// Records with event time in `(lo, hi]`, in key order.
    pub fn range(&self, lo: Ts, hi: Ts) -> impl Iterator<Item = &Rec> {
        let from = (lo.saturating_add(1), String::new(), String::new());
        let to = (hi.saturating_add(1), String::new(), String::new());
        let empty = from >= to;
        self.recs
            .range(if empty { to.clone()..to } else { from..to })
            .map(|(_, r)| r)
    }

    /// Forgets every record with event time `<= t`.
    pub fn drop_through(&mut self, t: Ts) {
        let keep = self
            .recs
            .split_off(&(t.saturating_add(1), String::new(), String::new()));
        for r in std::mem::replace(&mut self.recs, keep).into_values() {
            self.seen.remove(&(r.report_id, r.kind));
        }
    }

    pub fn len(&self) -> usize {
        self.recs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.recs.is_empty()
    }
}

/// What a window holds, for the records a rule looks at.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Agg {
    /// Distinct (story, kind) pairs.
    pub indicators: u64,
    /// Distinct stories (syndicated copies once).
    pub reports: u64,
    /// People killed, over distinct stories (the largest figure among a story's copies).
    pub fatalities: u64,
    /// Distinct sources of the canonical copies (a missing source counts as one unnamed source).
    pub sources: u64,
    /// Distinct stories per kind.
    pub per_kind: BTreeMap<String, u64>,
}

/// Aggregates the records of `recs` (one window, in key order) whose kind passes `wanted`.
/// Also returns the canonical records (one per story and kind), for evidence.
pub fn aggregate<'a>(
    recs: impl Iterator<Item = &'a Rec>,
    wanted: impl Fn(&str) -> bool,
) -> (Agg, Vec<&'a Rec>) {
    // story -> (canonical record's source, largest fatalities)
    let mut stories: BTreeMap<&str, (Option<&str>, u64)> = BTreeMap::new();
    let mut pairs: BTreeSet<(&str, &str)> = BTreeSet::new();
    let mut canonical = Vec::new();
    for r in recs.filter(|r| wanted(&r.kind)) {
        let e = stories.entry(r.story()).or_insert((r.source.as_deref(), 0));
        e.1 = e.1.max(r.fatalities.unwrap_or(0));
        if pairs.insert((r.story(), &r.kind)) {
            canonical.push(r);
        }
    }
    let mut agg = Agg {
        indicators: pairs.len() as u64,
        reports: stories.len() as u64,
        ..Agg::default()
    };
    let mut sources = BTreeSet::new();
    for (src, fat) in stories.values() {
        agg.fatalities = agg.fatalities.saturating_add(*fat);
        sources.insert(*src);
    }
    agg.sources = sources.len() as u64;
    for (_, kind) in pairs {
        *agg.per_kind.entry(kind.to_owned()).or_insert(0) += 1;
    }
    (agg, canonical)
}

/// Evidence behind a window, at most `max` items: records with the largest counts first, then the
/// earliest, then by report id and kind; each record's spans in their order.
pub fn evidence(mut recs: Vec<&Rec>, max: usize) -> Vec<Evidence> {
    recs.sort_by(|a, b| {
        b.count
            .unwrap_or(0)
            .cmp(&a.count.unwrap_or(0))
            .then(a.t.cmp(&b.t))
            .then_with(|| a.report_id.cmp(&b.report_id))
            .then_with(|| a.kind.cmp(&b.kind))
    });
    let mut out: Vec<Evidence> = Vec::new();
    for r in recs {
        for e in &r.evidence {
            if out.len() == max {
                return out;
            }
            if !out.contains(e) {
                out.push(e.clone());
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    pub(crate) fn rec(t: Ts, id: &str, kind: &str, fp: &str, fat: Option<u64>) -> Rec {
        Rec {
            t,
            report_id: id.into(),
            kind: kind.into(),
            source: Some(format!("src-{id}")),
            count: fat,
            fatalities: fat,
            evidence: vec![Evidence {
                report_id: id.into(),
                start: 0,
                end: 4,
                text: format!("{kind} in {id}"),
            }],
            fingerprint: fp.into(),
        }
    }

    fn all(_: &str) -> bool {
        true
    }

    #[test]
    fn fatalities_count_once_per_report_and_per_story() {
        let mut s = Store::default();
        // One report with two kinds: its 12 dead count once.
        assert!(s.insert(rec(10, "a", "killing", "fa", Some(12))));
        assert!(s.insert(rec(10, "a", "massacre", "fa", Some(12))));
        // A syndicated copy of it (other id, same fingerprint): once.
        assert!(s.insert(rec(20, "a-copy", "killing", "fa", Some(12))));
        // Another story.
        assert!(s.insert(rec(30, "b", "killing", "fb", Some(3))));
        // A duplicate delivery of (a, killing) is absorbed.
        assert!(!s.insert(rec(10, "a", "killing", "fa", Some(12))));
        let (agg, canon) = aggregate(s.range(0, 100), all);
        assert_eq!(agg.fatalities, 15);
        assert_eq!(agg.reports, 2);
        assert_eq!(agg.indicators, 3);
        assert_eq!(agg.per_kind.get("killing"), Some(&2));
        assert_eq!(agg.sources, 2, "the copy's source is not corroboration");
        assert_eq!(canon.len(), 3);
        let (k, _) = aggregate(s.range(0, 100), |k| k == "killing");
        assert_eq!((k.reports, k.fatalities), (2, 15));
    }

    #[test]
    fn windows_are_open_at_the_start_and_closed_at_the_end() {
        let mut s = Store::default();
        for t in [10, 20, 30] {
            s.insert(rec(t, &format!("r{t}"), "killing", "", Some(1)));
        }
        assert_eq!(s.range(10, 30).count(), 2);
        assert_eq!(s.range(9, 30).count(), 3);
        assert_eq!(s.range(30, 10).count(), 0);
        s.drop_through(20);
        assert_eq!(s.len(), 1);
        assert!(
            s.insert(rec(10, "r10", "killing", "", Some(1))),
            "forgotten"
        );
    }

    #[test]
    fn evidence_prefers_large_counts_then_early_reports() {
        let mut s = Store::default();
        s.insert(rec(30, "late-big", "killing", "", Some(50)));
        s.insert(rec(10, "early-small", "killing", "", Some(2)));
        s.insert(rec(20, "mid-small", "killing", "", Some(2)));
        let (_, canon) = aggregate(s.range(0, 100), all);
        let ev = evidence(canon, 2);
        let ids: Vec<_> = ev.iter().map(|e| e.report_id.as_str()).collect();
        assert_eq!(ids, ["late-big", "early-small"]);
    }

    #[test]
    fn a_store_survives_serialisation() {
        let mut s = Store::default();
        s.insert(rec(10, "a", "killing", "f", Some(1)));
        s.insert(rec(5, "b", "arson", "g", None));
        let json = serde_json::to_string(&s).unwrap();
        let back: Store = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
    }

    proptest! {
        /// Whatever order the records arrive in (duplicates included), every window holds the same.
        #[test]
        fn window_totals_do_not_depend_on_arrival_order(
            raw in prop::collection::vec((0u8..24, 0u8..3), 1..40),
            seed in any::<u64>(),
            ends in prop::collection::vec(0i64..260, 1..6),
        ) {
            let kinds = ["killing", "arson", "displacement"];
            // A report id always comes with the same time and fatalities; pairs of ids share a
            // fingerprint (syndicated copies).
            let recs: Vec<Rec> = raw.iter().map(|&(id, k)| {
                let t = i64::from(id) * 37 % 200;
                rec(t, &format!("r{id}"), kinds[k as usize], &format!("f{}", id / 2), Some(u64::from(id % 7)))
            }).collect();
            let mut shuffled = recs.clone();
            // A deterministic shuffle driven by the seed.
            let mut x = seed | 1;
            for i in (1..shuffled.len()).rev() {
                x ^= x << 13; x ^= x >> 7; x ^= x << 17;
                shuffled.swap(i, (x % (i as u64 + 1)) as usize);
            }
            let (mut a, mut b) = (Store::default(), Store::default());
            for r in recs { a.insert(r); }
            for r in shuffled { b.insert(r); }
            for end in ends {
                let (x, _) = aggregate(a.range(end - 50, end), all);
                let (y, _) = aggregate(b.range(end - 50, end), all);
                prop_assert_eq!(x, y);
            }
        }
    }
}
