//! The engine: per-region windows, the alert lifecycle, the watermark, and snapshots.
//!
//! ## Lifecycle of one alert (one per rule and region)
//! - `new` when a record makes the rule fire (the window holding the region's latest event time
//!   reaches the threshold and `min_sources`). The alert id is `<rule>:<region>:<opened>` with the
//!   event time it opened in compact form, e.g. `killings-24h:SY.09:20160101T000000Z`.
//! - `escalated` as soon as a record raises the severity above the last emitted one.
//! - `updated` when a record changes the value, reports, sources, fatalities or severity (downwards);
//!   at most one per `update_interval` of event time after the previous emission. A change held back
//!   is emitted, with the latest content, when the interval has passed (stamped at that time), or is
//!   dropped if the alert resolves first or the content returns to what was last emitted.
//! - `resolved` once the value has been below the threshold for `quiet_period`: each firing
//!   evaluation computes the window end at which, with the records held, the value drops below the
//!   threshold (the surge threshold held at its last firing value); the alert resolves
//!   `quiet_period` after that, stamped at that time, unless a record makes it fire again first.
//!
//! ## Determinism
//! A region's emissions depend only on its own records, in their arrival order, and on event time.
//! Time-driven transitions (held-back updates, resolutions) due strictly before an event time `t` are
//! applied to a region before its record at `t` is counted; the global watermark (latest event time
//! minus `allowed_lateness`) applies the same transitions, with the same content and stamps, to
//! regions that receive nothing. Records older than the watermark are rejected
//! ([`AlertingError::Late`]). `flush` applies every transition due before the latest event time.

use std::collections::BTreeMap;

use config::{AlertingConfig, Rule};
use enrich::{IndicatorRecord, Region};
use serde::{Deserialize, Serialize};

use crate::rule::{self, Compiled, Eval};
use crate::time::{self, Ts};
use crate::window::{self, Rec, Store};
use crate::{Alert, AlertingError, Severity, Status, Window};

/// Version of the [`Snapshot`] format.
pub const SNAPSHOT_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy)]
struct Params {
    lateness: Ts,
    hop: Ts,
    quiet: Ts,
    update: Ts,
    max_evidence: usize,
}

/// An open alert's state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Open {
    alert_id: String,
    opened: Ts,
    version: u32,
    /// The last emission.
    last: Alert,
    last_emit: Ts,
    /// A change held back by `update_interval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending: Option<Alert>,
    /// The threshold at the last firing evaluation.
    threshold: f64,
    /// Window end at which the value falls below `threshold` with the records held.
    cool_at: Ts,
}

/// One region's records and open alerts (by rule name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct RegionState {
    region: Region,
    /// Latest event time counted in this region.
    clock: Ts,
    store: Store,
    alerts: BTreeMap<String, Open>,
}

/// The whole state of an [`Engine`], to checkpoint with the input offsets it reflects.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Format version ([`SNAPSHOT_VERSION`]).
    pub version: u32,
    max_time: Option<Ts>,
    watermark: Option<Ts>,
    swept: Option<Ts>,
    regions: BTreeMap<String, RegionState>,
}

/// Gauges for metrics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct EngineStats {
    /// Regions with state.
    pub regions: usize,
    /// (rule, region) windows maintained: regions x rules.
    pub windows: usize,
    /// Indicator records held.
    pub records: usize,
    pub open_alerts: usize,
    /// Open alerts per severity of their last emission.
    pub open_by_severity: std::collections::BTreeMap<Severity, usize>,
    /// The watermark (RFC 3339), once any record was counted.
    pub watermark: Option<String>,
}

/// The alerting engine: all windows and open alerts of the regions this instance owns. Pure and
/// synchronous: it never reads the clock.
#[derive(Debug, Clone)]
pub struct Engine {
    p: Params,
    rules: Vec<Compiled>,
    max_horizon: Ts,
    regions: BTreeMap<String, RegionState>,
    max_time: Option<Ts>,
    watermark: Option<Ts>,
    /// Watermark of the last sweep over all regions.
    swept: Option<Ts>,
}

impl Engine {
    pub fn new(cfg: &AlertingConfig, rules: &[Rule]) -> Result<Self, AlertingError> {
        let bad = |key: &str, message: &str| AlertingError::Config {
            key: key.to_owned(),
            message: message.to_owned(),
        };
        let p = Params {
            lateness: time::secs(cfg.allowed_lateness),
            hop: time::secs(cfg.hop),
            quiet: time::secs(cfg.quiet_period),
            update: time::secs(cfg.update_interval),
            max_evidence: cfg.max_evidence,
        };
        if p.hop <= 0 {
            return Err(bad("alerting.hop", "must be at least 1s"));
        }
        if p.quiet <= 0 {
            return Err(bad("alerting.quiet_period", "must be at least 1s"));
        }
        if p.max_evidence == 0 {
            return Err(bad("alerting.max_evidence", "must be at least 1"));
        }
        let compiled = rules
            .iter()
            .map(Compiled::new)
            .collect::<Result<Vec<_>, _>>()?;
        for (i, r) in compiled.iter().enumerate() {
            if compiled[..i].iter().any(|o| o.name == r.name) {
                return Err(AlertingError::Rule {
                    rule: r.name.clone(),
                    message: "the name is used by two rules".into(),
                });
            }
        }
        let max_horizon = compiled.iter().map(Compiled::horizon).max().unwrap_or(0);
        Ok(Engine {
            p,
            rules: compiled,
            max_horizon,
            regions: BTreeMap::new(),
            max_time: None,
            watermark: None,
            swept: None,
        })
    }

    /// Counts one indicator record; returns the alert emissions it causes (its region's, and those
    /// of other regions that the advancing watermark makes due), ordered by region id, rule, event
    /// time and version. A (report, kind) already counted is absorbed without effect.
    pub fn process(&mut self, rec: &IndicatorRecord) -> Result<Vec<Alert>, AlertingError> {
        let t = time::parse(&rec.published_at).ok_or_else(|| AlertingError::BadTime {
            report_id: rec.report_id.clone(),
            value: rec.published_at.clone(),
        })?;
        if let Some(w) = self.watermark {
            if t < w {
                return Err(AlertingError::Late {
                    report_id: rec.report_id.clone(),
                    kind: rec.kind.clone(),
                    event_time: time::format(t),
                    watermark: time::format(w),
                });
            }
        }
        let mut out = Vec::new();
        let p = self.p;
        if !self.regions.contains_key(&rec.region.id) {
            self.regions.insert(
                rec.region.id.clone(),
                RegionState {
                    region: rec.region.clone(),
                    clock: Ts::MIN,
                    store: Store::default(),
                    alerts: BTreeMap::new(),
                },
            );
        }
        let Some(state) = self.regions.get_mut(&rec.region.id) else {
            unreachable!("inserted above");
        };
        state.advance(&self.rules, &p, t, &mut out);
        let fresh = state.store.insert(Rec {
            t,
            report_id: rec.report_id.clone(),
            kind: rec.kind.clone(),
            source: rec.source.clone(),
            count: rec.count,
            fatalities: rec.fatalities,
            evidence: rec.evidence.clone(),
            fingerprint: rec.text_fingerprint.clone(),
        });
        if fresh {
            state.clock = state.clock.max(t);
            for rule in self.rules.iter().filter(|r| r.matches(&rec.kind)) {
                state.evaluate(rule, &p, &mut out);
            }
        }
        let max_time = self.max_time.map_or(t, |m| m.max(t));
        self.max_time = Some(max_time);
        let w = max_time.saturating_sub(p.lateness);
        self.watermark = Some(self.watermark.map_or(w, |old| old.max(w)));
        if self.swept.is_none_or(|s| w >= s.saturating_add(p.hop)) {
            self.sweep(w, &mut out);
        }
        sort(&mut out);
        Ok(out)
    }

    /// The input is complete up to the latest event time seen (end of a replay, or the live stream
    /// idle): applies every region's time-driven transitions up to it and emits what that causes.
    /// Alerts whose quiet period has not elapsed by then stay open. The lateness watermark is left
    /// where it is, so a pause in a live feed does not turn the next slightly older report into a
    /// late one.
    pub fn flush(&mut self) -> Vec<Alert> {
        let mut out = Vec::new();
        if let Some(m) = self.max_time {
            self.sweep(m, &mut out);
        }
        sort(&mut out);
        out
    }

    /// Applies the time-driven transitions due before `until` to every region, then forgets records
    /// no future window can hold.
    fn sweep(&mut self, until: Ts, out: &mut Vec<Alert>) {
        let p = self.p;
        for state in self.regions.values_mut() {
            state.advance(&self.rules, &p, until, out);
        }
        // Records a window may still need: an indicator can arrive as old as the lateness watermark,
        // even after a flush has applied transitions beyond it.
        let keep_from = self.watermark.map_or(until, |w| w.min(until));
        let forget = keep_from
            .saturating_sub(self.max_horizon)
            .saturating_sub(p.hop);
        for state in self.regions.values_mut() {
            state.store.drop_through(forget);
        }
        self.regions
            .retain(|_, s| !s.store.is_empty() || !s.alerts.is_empty());
        self.swept = Some(until);
    }

    /// The state, to checkpoint together with the input offsets it reflects.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            version: SNAPSHOT_VERSION,
            max_time: self.max_time,
            watermark: self.watermark,
            swept: self.swept,
            regions: self.regions.clone(),
        }
    }

    /// An engine that continues from `snap`. Open alerts of rules no longer configured are dropped.
    pub fn restore(
        cfg: &AlertingConfig,
        rules: &[Rule],
        snap: Snapshot,
    ) -> Result<Self, AlertingError> {
        if snap.version != SNAPSHOT_VERSION {
            return Err(AlertingError::Snapshot(format!(
                "format version {} is not the supported {SNAPSHOT_VERSION}",
                snap.version
            )));
        }
        let mut e = Engine::new(cfg, rules)?;
        e.max_time = snap.max_time;
        e.watermark = snap.watermark;
        e.swept = snap.swept;
        e.regions = snap.regions;
        let names: Vec<String> = e.rules.iter().map(|r| r.name.clone()).collect();
        for s in e.regions.values_mut() {
            s.alerts.retain(|rule, _| names.contains(rule));
        }
        Ok(e)
    }

    /// Gauges for metrics.
    pub fn stats(&self) -> EngineStats {
        EngineStats {
            regions: self.regions.len(),
            windows: self.regions.len() * self.rules.len(),
            records: self.regions.values().map(|s| s.store.len()).sum(),
            open_alerts: self.regions.values().map(|s| s.alerts.len()).sum(),
            open_by_severity: self.regions.values().flat_map(|s| s.alerts.values()).fold(
                std::collections::BTreeMap::new(),
                |mut m, a| {
                    *m.entry(a.last.severity).or_insert(0) += 1;
                    m
                },
            ),
            watermark: self.watermark.map(time::format),
        }
    }

    /// The value of `rule` for `region` over the window ending at `end` (RFC 3339, rounded up to the
    /// hop grid), from the records held; `None` for an unknown rule, region or time.
    pub fn value_at(&self, rule: &str, region: &str, end: &str) -> Option<f64> {
        let r = self.rules.iter().find(|r| r.name == rule)?;
        let s = self.regions.get(region)?;
        let end = time::ceil_grid(time::parse(end)?, self.p.hop);
        Some(r.evaluate(&s.store, end, 0).value)
    }
}

impl RegionState {
    fn make(
        &self,
        rule: &Compiled,
        e: Eval,
        head: (&str, Ts, Status, Severity),
        emitted: Ts,
        version: u32,
    ) -> Alert {
        let (alert_id, opened, status, severity) = head;
        Alert {
            alert_id: alert_id.to_owned(),
            rule: rule.name.clone(),
            status,
            severity,
            region: self.region.clone(),
            kind: e.kind,
            window: Window {
                start: time::format(e.end - rule.window),
                end: time::format(e.end),
            },
            value: e.value,
            threshold: e.threshold,
            baseline: e.baseline,
            reports: e.reports,
            sources: e.sources,
            fatalities: e.fatalities,
            evidence: e.evidence,
            first_seen: time::format(opened),
            emitted_at: time::format(emitted),
            version,
        }
    }

    /// Applies the held-back updates and resolutions due strictly before `until`.
    fn advance(&mut self, rules: &[Compiled], p: &Params, until: Ts, out: &mut Vec<Alert>) {
        if self.alerts.is_empty() {
            return;
        }
        for rule in rules {
            let Some(open) = self.alerts.get_mut(&rule.name) else {
                continue;
            };
            let resolve_at = open.cool_at.saturating_add(p.quiet);
            let due = open.last_emit.saturating_add(p.update);
            if due < until && due < resolve_at {
                if let Some(mut a) = open.pending.take() {
                    open.version += 1;
                    a.version = open.version;
                    a.emitted_at = time::format(due);
                    open.last = a.clone();
                    open.last_emit = due;
                    out.push(a);
                }
            }
            if resolve_at < until {
                if let Some(open) = self.alerts.remove(&rule.name) {
                    let e = rule.evaluate(
                        &self.store,
                        time::ceil_grid(resolve_at, p.hop),
                        p.max_evidence,
                    );
                    let head = (
                        open.alert_id.as_str(),
                        open.opened,
                        Status::Resolved,
                        open.last.severity,
                    );
                    out.push(self.make(rule, e, head, resolve_at, open.version + 1));
                }
            }
        }
    }

    /// Evaluates `rule` at the region's clock after a new record, and moves its alert along.
    fn evaluate(&mut self, rule: &Compiled, p: &Params, out: &mut Vec<Alert>) {
        let now = self.clock;
        let end = time::ceil_grid(now, p.hop);
        let partial = rule.partial(&self.store, end);
        if rule.cannot_fire(&partial) && !self.alerts.contains_key(&rule.name) {
            // Nothing to open and nothing to update: the baseline and evidence are not needed.
            return;
        }
        let (mut e, canonical) = rule.complete_lazy(&self.store, partial);
        let fires = rule.fires(&e);
        let sev = rule::severity(e.value, e.threshold);
        let threshold = e.threshold;
        let Some(open) = self.alerts.get(&rule.name) else {
            if fires {
                e.evidence = window::evidence(canonical, p.max_evidence);
                let id = format!("{}:{}:{}", rule.name, self.region.id, time::compact(now));
                let a = self.make(rule, e, (&id, now, Status::New, sev), now, 1);
                let open = Open {
                    alert_id: id,
                    opened: now,
                    version: 1,
                    last: a.clone(),
                    last_emit: now,
                    pending: None,
                    threshold,
                    cool_at: rule.cools_at(&self.store, end, threshold, p.hop),
                };
                self.alerts.insert(rule.name.clone(), open);
                out.push(a);
            }
            return;
        };
        let changed = e.value != open.last.value
            || e.reports != open.last.reports
            || e.sources != open.last.sources
            || e.fatalities != open.last.fatalities
            || sev != open.last.severity;
        // The emission or held-back update this evaluation makes, if any (the evidence is
        // gathered only then).
        let a = changed.then(|| {
            e.evidence = window::evidence(canonical, p.max_evidence);
            let head = (open.alert_id.as_str(), open.opened, Status::Updated, sev);
            self.make(rule, e, head, now, 0)
        });
        let cool_at = fires.then(|| rule.cools_at(&self.store, end, threshold, p.hop));
        let Some(open) = self.alerts.get_mut(&rule.name) else {
            return;
        };
        if let Some(c) = cool_at {
            open.threshold = threshold;
            open.cool_at = c;
        }
        let Some(mut a) = a else {
            open.pending = None;
            return;
        };
        if sev > open.last.severity || now >= open.last_emit.saturating_add(p.update) {
            if sev > open.last.severity {
                a.status = Status::Escalated;
            }
            open.version += 1;
            a.version = open.version;
            open.last = a.clone();
            open.last_emit = now;
            open.pending = None;
            out.push(a);
        } else if changed {
            open.pending = Some(a);
        } else {
            open.pending = None;
        }
    }
}

/// The order of emissions within one call: region id, rule, event time, version. Callers that merge
/// the emissions of several engines use it too.
pub fn sort_emissions(out: &mut [Alert]) {
    sort(out)
}

fn sort(out: &mut [Alert]) {
    out.sort_by(|a, b| {
        (&a.region.id, &a.rule, &a.emitted_at, a.version).cmp(&(
            &b.region.id,
            &b.rule,
            &b.emitted_at,
            b.version,
        ))
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use enrich::Evidence;
    use proptest::prelude::*;

    const RULES: &str = r#"
[[rules]]
name = "killings"
type = "sum"
kinds = ["killing"]
window = "24h"
threshold = 10

[[rules]]
name = "reports"
type = "count"
count_of = "reports"
window = "24h"
threshold = 3

[[rules]]
name = "surge"
type = "surge"
kinds = ["killing"]
window = "24h"
threshold = 2
baseline_windows = 3
"#;

    fn setup(alerting: &str, rules: &str) -> (AlertingConfig, Vec<Rule>) {
        let c = config::parse("t.toml", &format!("{alerting}\n{rules}"), Vec::new()).unwrap();
        (c.alerting, c.rules)
    }

    fn engine(alerting: &str, rules: &str) -> Engine {
        let (a, r) = setup(alerting, rules);
        Engine::new(&a, &r).unwrap()
    }

    fn record(t: &str, region: &str, kind: &str, fat: u64, id: &str) -> IndicatorRecord {
        IndicatorRecord {
            report_id: id.into(),
            source: Some(format!("outlet-{}", id.len() % 3)),
            published_at: t.into(),
            region: Region {
                id: region.into(),
                country: region[..2].into(),
                admin1: Some(region.into()),
                name: format!("Region {region}"),
                lat: 1.0,
                lon: 2.0,
            },
            kind: kind.into(),
            risk_factor: "RF11".into(),
            count: Some(fat),
            fatalities: Some(fat),
            evidence: vec![Evidence {
                report_id: id.into(),
                start: 0,
                end: 6,
                text: format!("{fat} killed"),
            }],
            text_fingerprint: format!("fp-{id}"),
        }
    }

    /// Runs a fixture of `time region kind fatalities report` lines, then flush; one line per emission.
    fn run(e: &mut Engine, fixture: &str) -> String {
        let mut out = Vec::new();
        for line in fixture.lines().map(str::trim) {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let f: Vec<&str> = line.split_whitespace().collect();
            let fat = f[3].parse().unwrap();
            match e.process(&record(f[0], f[1], f[2], fat, f[4])) {
                Ok(a) => out.extend(a),
                Err(err) => out.push(Alert {
                    alert_id: format!("error: {err}"),
                    ..blank()
                }),
            }
        }
        out.extend(e.flush());
        out.iter().map(describe).collect::<Vec<_>>().join("\n")
    }

    fn blank() -> Alert {
        serde_json::from_str(r#"{"alert_id":"","rule":"","status":"new","severity":"low","region":{"id":"","country":"","admin1":null,"name":"","lat":0,"lon":0},"kind":"","window":{"start":"","end":""},"value":0,"threshold":0,"baseline":null,"reports":0,"sources":0,"fatalities":0,"evidence":[],"first_seen":"","emitted_at":"","version":0}"#).unwrap()
    }

    fn describe(a: &Alert) -> String {
        if a.alert_id.starts_with("error") {
            return a.alert_id.clone();
        }
        format!(
            "{} {:?} v{} value={} sev={:?} at={} window={}..{}",
            a.alert_id,
            a.status,
            a.version,
            a.value,
            a.severity,
            a.emitted_at,
            a.window.start,
            a.window.end
        )
        .to_lowercase()
    }

    const ONE_RULE: &str = r#"
[[rules]]
name = "killings"
type = "sum"
kinds = ["killing"]
window = "24h"
threshold = 10
"#;

    const TIMING: &str = "[alerting]\nhop = \"1h\"\nquiet_period = \"72h\"\nupdate_interval = \"1h\"\nallowed_lateness = \"48h\"\n";

    #[test]
    fn golden_new_updated_escalated_resolved() {
        let mut e = engine(TIMING, ONE_RULE);
        let got = run(
            &mut e,
            "
            # 6 dead: below 10
            2016-01-01T00:00:00Z SY.09 killing 6  r1
            # 11 in 24h: new
            2016-01-01T02:00:00Z SY.09 killing 5  r2
            # 13, within the update interval: held back
            2016-01-01T02:30:00Z SY.09 killing 2  r3
            # the held-back update goes out at 03:00, then 14 at 04:00
            2016-01-01T04:00:00Z SY.09 killing 1  r4
            # 44 = 4.4 x threshold: escalated at once
            2016-01-01T04:10:00Z SY.09 killing 30 r5
            # a duplicate delivery is absorbed
            2016-01-01T04:10:00Z SY.09 killing 30 r5
            # another region moves the watermark: below 10 from 2016-01-02T05:00, resolved 72h later
            2016-01-06T00:00:00Z SY.13 killing 1  r6
            2016-01-08T00:00:00Z SY.13 killing 1  r7
            # older than the watermark (2016-01-06T00:00:00Z)
            2016-01-05T00:00:00Z SY.09 killing 50 r8
            ",
        );
        let want = "\
killings:sy.09:20160101t020000z new v1 value=11 sev=low at=2016-01-01t02:00:00z window=2015-12-31t02:00:00z..2016-01-01t02:00:00z
killings:sy.09:20160101t020000z updated v2 value=13 sev=low at=2016-01-01t03:00:00z window=2015-12-31t03:00:00z..2016-01-01t03:00:00z
killings:sy.09:20160101t020000z updated v3 value=14 sev=low at=2016-01-01t04:00:00z window=2015-12-31t04:00:00z..2016-01-01t04:00:00z
killings:sy.09:20160101t020000z escalated v4 value=44 sev=high at=2016-01-01t04:10:00z window=2015-12-31t05:00:00z..2016-01-01t05:00:00z
killings:sy.09:20160101t020000z resolved v5 value=0 sev=high at=2016-01-05t05:00:00z window=2016-01-04t05:00:00z..2016-01-05t05:00:00z
error: indicator r8/killing at 2016-01-05T00:00:00Z is later than the allowed lateness (watermark 2016-01-06T00:00:00Z)";
        assert_eq!(got, want, "\n{got}");
    }

    #[test]
    fn golden_resolution_before_a_record_then_reopening() {
        // A record at 00:30 counts in the window ending at 01:00 on the hop grid.
        let mut e = engine(TIMING, ONE_RULE);
        let got = run(
            &mut e,
            "
            2016-01-01T00:30:00Z SY.09 killing 10 a1
            # below 10 from 2016-01-02T01:00, resolved at 2016-01-05T01:00 before this record counts
            2016-01-06T00:00:00Z SY.09 killing 12 a2
            ",
        );
        let want = "\
killings:sy.09:20160101t003000z new v1 value=10 sev=low at=2016-01-01t00:30:00z window=2015-12-31t01:00:00z..2016-01-01t01:00:00z
killings:sy.09:20160101t003000z resolved v2 value=0 sev=low at=2016-01-05t01:00:00z window=2016-01-04t01:00:00z..2016-01-05t01:00:00z
killings:sy.09:20160106t000000z new v1 value=12 sev=low at=2016-01-06t00:00:00z window=2016-01-05t00:00:00z..2016-01-06t00:00:00z";
        assert_eq!(got, want, "\n{got}");
        assert_eq!(e.stats().open_alerts, 1, "flush does not resolve early");
    }

    #[test]
    fn fatalities_of_one_report_count_once_across_kinds_and_copies() {
        let rules = "[[rules]]\nname = \"k\"\ntype = \"sum\"\nwindow = \"24h\"\nthreshold = 1000\n";
        let mut e = engine(TIMING, rules);
        let mut a = record("2016-01-01T00:00:00Z", "SY.09", "killing", 40, "x");
        e.process(&a).unwrap();
        a.kind = "massacre".into();
        e.process(&a).unwrap();
        a.report_id = "x-copy".into();
        e.process(&a).unwrap();
        assert_eq!(e.value_at("k", "SY.09", "2016-01-01T00:00:00Z"), Some(40.0));
    }

    #[test]
    fn bad_times_and_settings_are_errors() {
        let mut e = engine(TIMING, ONE_RULE);
        let r = record("noon", "SY.09", "killing", 1, "x");
        assert!(matches!(e.process(&r), Err(AlertingError::BadTime { .. })));
        let (mut a, rules) = setup(TIMING, ONE_RULE);
        a.hop = config::Dur::secs(0);
        assert!(matches!(
            Engine::new(&a, &rules),
            Err(AlertingError::Config { .. })
        ));
    }

    fn assert_send<T: Send>() {}

    #[test]
    fn the_engine_is_send() {
        assert_send::<Engine>();
    }

    /// Per-region streams: (gap in minutes, kind, fatalities).
    fn streams() -> impl Strategy<Value = Vec<Vec<(i64, u8, u64)>>> {
        prop::collection::vec(
            prop::collection::vec((0i64..(40 * 60), 0u8..3, 0u64..9), 1..25),
            1..4,
        )
    }

    fn build(streams: &[Vec<(i64, u8, u64)>]) -> Vec<(usize, Ts, IndicatorRecord)> {
        let kinds = ["killing", "arson", "massacre"];
        let base = time::parse("2016-03-01T00:00:00Z").unwrap_or(0);
        let mut out = Vec::new();
        for (ri, s) in streams.iter().enumerate() {
            let mut t = base;
            for (i, &(gap, k, fat)) in s.iter().enumerate() {
                t += gap * 60;
                let region = format!("SY.{ri:02}");
                let id = format!("r{ri}-{i}");
                out.push((
                    ri,
                    t,
                    record(&time::format(t), &region, kinds[k as usize], fat, &id),
                ));
            }
        }
        out
    }

    fn all_alerts(e: &mut Engine, recs: &[IndicatorRecord]) -> Vec<Alert> {
        let mut out = Vec::new();
        for r in recs {
            out.extend(e.process(r).expect("no record is late"));
        }
        out.extend(e.flush());
        out
    }

    fn as_set(mut v: Vec<Alert>) -> Vec<String> {
        v.sort_by(|a, b| (&a.alert_id, a.version).cmp(&(&b.alert_id, b.version)));
        v.iter()
            .map(|a| serde_json::to_string(a).unwrap())
            .collect()
    }

    const PROP_TIMING: &str = "[alerting]\nhop = \"1h\"\nquiet_period = \"12h\"\nupdate_interval = \"3h\"\nallowed_lateness = \"48h\"\n";

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        /// Regions consumed in any interleaving (each region's records in order, none late) emit
        /// the same set of alerts as the time-ordered replay.
        #[test]
        fn interleaving_of_regions_does_not_change_the_alerts(
            s in streams(),
            jitter in prop::collection::vec(0i64..(24 * 3600), 80),
        ) {
            let recs = build(&s);
            let mut replay: Vec<_> = recs.clone();
            replay.sort_by_key(|(ri, t, _)| (*t, *ri));
            // Live: each region's records keep their order but are delayed by up to 24h relative to
            // the other regions (less than half the allowed lateness, so none is late).
            let mut last_key = vec![Ts::MIN; s.len()];
            let mut live: Vec<(Ts, usize, usize, IndicatorRecord)> = Vec::new();
            for (i, (ri, t, r)) in recs.into_iter().enumerate() {
                let key = last_key[ri].max(t + jitter[i % jitter.len()]);
                last_key[ri] = key;
                live.push((key, ri, i, r));
            }
            live.sort_by_key(|(k, ri, i, _)| (*k, *ri, *i));
            let mut a = engine(PROP_TIMING, RULES);
            let mut b = engine(PROP_TIMING, RULES);
            let x = all_alerts(&mut a, &replay.into_iter().map(|(_, _, r)| r).collect::<Vec<_>>());
            let y = all_alerts(&mut b, &live.into_iter().map(|(_, _, _, r)| r).collect::<Vec<_>>());
            prop_assert_eq!(as_set(x), as_set(y));
        }

        /// Window totals are the same whatever the arrival order within the allowed lateness.
        #[test]
        fn window_totals_do_not_depend_on_arrival_order(
            s in streams(),
            jitter in prop::collection::vec(0i64..(24 * 3600), 80),
        ) {
            let recs = build(&s);
            let mut ordered = recs.clone();
            ordered.sort_by_key(|(ri, t, _)| (*t, *ri));
            let mut shuffled: Vec<_> = recs.iter().enumerate()
                .map(|(i, (_, t, r))| (t + jitter[i % jitter.len()], i, r.clone()))
                .collect();
            shuffled.sort_by_key(|(k, i, _)| (*k, *i));
            let mut a = engine(PROP_TIMING, RULES);
            let mut b = engine(PROP_TIMING, RULES);
            for (_, _, r) in &ordered { a.process(r).expect("in order"); }
            for (_, _, r) in &shuffled { b.process(r).expect("within the lateness"); }
            let last = recs.iter().map(|(_, t, _)| *t).max().unwrap_or(0);
            for back in [0, 3600 * 5, 3600 * 20] {
                let end = time::format(last - back);
                for ri in 0..s.len() {
                    let region = format!("SY.{ri:02}");
                    for rule in ["killings", "reports", "surge"] {
                        prop_assert_eq!(a.value_at(rule, &region, &end), b.value_at(rule, &region, &end));
                    }
                }
            }
        }

        /// The same input twice gives identical alerts, and a snapshot taken half-way (through
        /// JSON) continues exactly like the uninterrupted run.
        #[test]
        fn runs_repeat_and_snapshots_resume_exactly(s in streams(), cut in 0usize..60) {
            let mut recs = build(&s);
            recs.sort_by_key(|(ri, t, _)| (*t, *ri));
            let recs: Vec<_> = recs.into_iter().map(|(_, _, r)| r).collect();
            let whole = all_alerts(&mut engine(PROP_TIMING, RULES), &recs);
            prop_assert_eq!(&whole, &all_alerts(&mut engine(PROP_TIMING, RULES), &recs));
            let cut = cut.min(recs.len());
            let mut first = engine(PROP_TIMING, RULES);
            let mut out = Vec::new();
            for r in &recs[..cut] { out.extend(first.process(r).expect("in order")); }
            let json = serde_json::to_string(&first.snapshot()).expect("serialisable");
            let snap: Snapshot = serde_json::from_str(&json).expect("readable");
            let (a, r) = setup(PROP_TIMING, RULES);
            let mut second = Engine::restore(&a, &r, snap).expect("restorable");
            for r in &recs[cut..] { out.extend(second.process(r).expect("in order")); }
            out.extend(second.flush());
            prop_assert_eq!(whole, out);
        }
    }

    #[test]
    fn snapshots_of_another_version_are_refused() {
        let e = engine(TIMING, ONE_RULE);
        let mut s = e.snapshot();
        s.version = 99;
        let (a, r) = setup(TIMING, ONE_RULE);
        let err = Engine::restore(&a, &r, s).unwrap_err().to_string();
        assert!(err.contains("99"), "{err}");
    }
}
