//! `tocsin replay` and `tocsin enrich`: the stages in-process over archived NDJSON feeds.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use ingest::{DeadLetter, NdjsonReader, Origin};
use serde::Serialize;

use crate::cli::{EnrichArgs, ReplayArgs};
use crate::pipeline::{self, IngestStage, Totals};
use crate::setup::{self, UsageError};

/// An NDJSON output: a file, or stdout for `-`.
pub struct NdjsonOut {
    path: PathBuf,
    w: BufWriter<Box<dyn Write>>,
}

impl NdjsonOut {
    pub fn create(path: &Path) -> anyhow::Result<Self> {
        let w: Box<dyn Write> = if path == Path::new("-") {
            Box::new(io::stdout().lock())
        } else {
            Box::new(File::create(path).with_context(|| format!("cannot create {}", path.display()))?)
        };
        Ok(NdjsonOut {
            path: path.to_path_buf(),
            w: BufWriter::with_capacity(1 << 16, w),
        })
    }

    pub fn write<T: Serialize>(&mut self, value: &T) -> anyhow::Result<()> {
        serde_json::to_writer(&mut self.w, value)
            .and_then(|()| self.w.write_all(b"\n").map_err(serde_json::Error::io))
            .with_context(|| format!("writing {}", self.path.display()))
    }

    pub fn finish(mut self) -> anyhow::Result<()> {
        self.w
            .flush()
            .with_context(|| format!("writing {}", self.path.display()))
    }
}

/// The dead-letter file, created on the first rejection.
pub struct DlqFile {
    path: PathBuf,
    out: Option<NdjsonOut>,
    count: u64,
}

impl DlqFile {
    pub fn new(path: &Path) -> Self {
        DlqFile {
            path: path.to_path_buf(),
            out: None,
            count: 0,
        }
    }

    pub fn write(&mut self, dl: &DeadLetter) -> anyhow::Result<()> {
        if self.out.is_none() {
            self.out = Some(NdjsonOut::create(&self.path)?);
        }
        self.count += 1;
        self.out.as_mut().expect("just created").write(dl)
    }

    pub fn finish(self) -> anyhow::Result<Option<(PathBuf, u64)>> {
        match self.out {
            Some(o) => {
                o.finish()?;
                Ok(Some((self.path, self.count)))
            }
            None => Ok(None),
        }
    }
}

fn parse_bound(name: &str, v: &Option<String>) -> anyhow::Result<Option<DateTime<Utc>>> {
    v.as_ref()
        .map(|s| {
            DateTime::parse_from_rfc3339(s)
                .map(|t| t.with_timezone(&Utc))
                .map_err(|e| UsageError(format!("--{name} {s:?} is not an RFC 3339 time: {e}")).into())
        })
        .transpose()
}

/// Event-time pacing for `--speed`: `None` is as fast as possible.
fn parse_speed(s: &str) -> anyhow::Result<Option<f64>> {
    if s == "max" {
        return Ok(None);
    }
    let n = s.strip_suffix('x').unwrap_or(s);
    match n.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(Some(v)),
        _ => Err(UsageError(format!("--speed {s:?}: use `max` or a speed-up such as `1x` or `60x`")).into()),
    }
}

struct Pacer {
    speed: Option<f64>,
    start: Option<(DateTime<Utc>, Instant)>,
}

impl Pacer {
    fn wait(&mut self, event_time: DateTime<Utc>) {
        let Some(speed) = self.speed else { return };
        let (t0, w0) = *self.start.get_or_insert((event_time, Instant::now()));
        let ahead = (event_time - t0).to_std().unwrap_or_default().div_f64(speed);
        if let Some(d) = ahead.checked_sub(w0.elapsed()) {
            std::thread::sleep(d);
        }
    }
}

/// Reads every line of the inputs through the ingest stage, calling `on_report` for accepted reports.
fn for_each_report(
    files: &[PathBuf],
    ingest: &mut IngestStage,
    totals: &mut Totals,
    dlq: &mut DlqFile,
    mut on_report: impl FnMut(ingest::Report, &mut Totals, &mut DlqFile) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let files = ingest::expand_inputs(files).context("listing inputs")?;
    for path in &files {
        let mut reader = NdjsonReader::open(path, ingest.max_line())?;
        while let Some(line) = reader.next_line()? {
            totals.messages += 1;
            totals.bytes += line.len + 1;
            let origin = Origin::File {
                file: reader.name().to_owned(),
                line: line.number,
            };
            match ingest.accept(&line.bytes, line.len, origin, None) {
                Ok(report) => on_report(report, totals, dlq)?,
                Err(dl) => {
                    totals.reject(dl.reason);
                    dlq.write(&dl)?;
                }
            }
        }
    }
    Ok(())
}

fn report_dlq(dlq: DlqFile, quiet: bool) -> anyhow::Result<()> {
    if let Some((path, n)) = dlq.finish()? {
        if !quiet {
            eprintln!("tocsin: {n} rejected messages written to {}", path.display());
        }
    }
    Ok(())
}

pub fn replay(global: &crate::cli::Global, args: &ReplayArgs) -> anyhow::Result<()> {
    let loaded = setup::load_config(global.config.as_deref())?;
    let cfg = &loaded.config;
    let from = parse_bound("from", &args.from)?;
    let to = parse_bound("to", &args.to)?;
    let mut pacer = Pacer {
        speed: parse_speed(&args.speed)?,
        start: None,
    };
    let enricher = setup::enricher(&loaded)?;
    let mut engine = setup::engine(cfg)?;
    let mut ingest = IngestStage::new(setup::decoder(cfg), cfg.ingest.dlq_max_payload_bytes);
    let dlq_max = cfg.ingest.dlq_max_payload_bytes;

    let started = Instant::now();
    let mut out = NdjsonOut::create(&args.out)?;
    let mut enriched_out = args.enriched.as_deref().map(NdjsonOut::create).transpose()?;
    let mut records_out = args.indicators.as_deref().map(NdjsonOut::create).transpose()?;
    let mut dlq = DlqFile::new(&args.dlq);
    let mut totals = Totals::default();

    for_each_report(&args.files, &mut ingest, &mut totals, &mut dlq, |report, totals, dlq| {
        if from.is_some_and(|f| report.published_at < f) || to.is_some_and(|t| report.published_at >= t) {
            totals.filtered += 1;
            return Ok(());
        }
        pacer.wait(report.published_at);
        totals.reports += 1;
        let e = pipeline::enrich(&enricher, &report);
        totals.indicators += e.report.indicators.len() as u64;
        if e.report.focus.is_none() && !e.report.indicators.is_empty() {
            totals.unlocated += 1;
        }
        if let Some(o) = enriched_out.as_mut() {
            o.write(&e.report)?;
        }
        for rec in &e.records {
            totals.records += 1;
            if let Some(o) = records_out.as_mut() {
                o.write(rec)?;
            }
            match engine.process(rec) {
                Ok(alerts) => {
                    for a in &alerts {
                        out.write(a)?;
                    }
                    totals.alerts += alerts.len() as u64;
                }
                Err(e @ (alerting::AlertingError::Late { .. } | alerting::AlertingError::BadTime { .. })) => {
                    let dl = pipeline::late_indicator(
                        rec,
                        e.to_string(),
                        Origin::File {
                            file: "indicators".into(),
                            line: totals.records,
                        },
                        dlq_max,
                    );
                    totals.reject(dl.reason);
                    dlq.write(&dl)?;
                }
                Err(e) => return Err(e.into()),
            }
        }
        Ok(())
    })?;
    for a in engine.flush() {
        out.write(&a)?;
        totals.alerts += 1;
    }
    out.finish()?;
    if let Some(o) = enriched_out {
        o.finish()?;
    }
    if let Some(o) = records_out {
        o.finish()?;
    }
    if !args.quiet {
        eprintln!("tocsin replay: {}", totals.summary(started.elapsed()));
    }
    report_dlq(dlq, args.quiet)
}

pub fn enrich(global: &crate::cli::Global, args: &EnrichArgs) -> anyhow::Result<()> {
    let loaded = setup::load_config(global.config.as_deref())?;
    let cfg = &loaded.config;
    let enricher = setup::enricher(&loaded)?;
    let mut ingest = IngestStage::new(setup::decoder(cfg), cfg.ingest.dlq_max_payload_bytes);
    let started = Instant::now();
    let mut out = NdjsonOut::create(&args.out)?;
    let mut dlq = DlqFile::new(&args.dlq);
    let mut totals = Totals::default();
    for_each_report(&args.files, &mut ingest, &mut totals, &mut dlq, |report, totals, _| {
        totals.reports += 1;
        let e = enricher.enrich(&report);
        totals.indicators += e.indicators.len() as u64;
        if e.focus.is_none() && !e.indicators.is_empty() {
            totals.unlocated += 1;
        }
        out.write(&e)
    })?;
    out.finish()?;
    if !args.quiet {
        eprintln!("tocsin enrich: {}", totals.summary(started.elapsed()));
    }
    report_dlq(dlq, args.quiet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn speed_parses() {
        assert_eq!(parse_speed("max").unwrap(), None);
        assert_eq!(parse_speed("60x").unwrap(), Some(60.0));
        assert!(parse_speed("fast").is_err());
        assert!(parse_speed("0x").is_err());
    }
}
