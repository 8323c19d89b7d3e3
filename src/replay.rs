//! `tocsin replay` and `tocsin enrich`: the stages in-process over archived NDJSON feeds.
//!
//! The work is split the way the service splits it, inside one process:
//!
//! ```text
//!  reader thread          worker threads (--threads)          calling thread
//!  read lines, ingest ──► enrich, derive records, ──► reorder ──► alerting, outputs, DLQ,
//!  (decode, duplicates,   serialise enriched JSON     by batch    pacing, progress bar
//!   --from/--to)                                      number
//! ```
//!
//! Lines travel in numbered batches through bounded channels; a fixed number of batch tokens
//! bounds the batches in flight (and so the memory), whatever the speed of each stage. The calling
//! thread takes the batches back in input order, so alerting sees exactly the sequence a
//! single-threaded run sees and every output is byte-identical for any number of threads.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::fs::File;
use std::io::{self, BufWriter, IsTerminal as _, Write};
use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use anyhow::Context as _;
use chrono::{DateTime, Utc};
use enrich::{Enricher, IndicatorRecord};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ingest::{DeadLetter, NdjsonReader, Origin, Report};
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
            Box::new(
                File::create(path).with_context(|| format!("cannot create {}", path.display()))?,
            )
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

    /// Writes lines serialised elsewhere (each already ends with a newline).
    pub fn write_raw(&mut self, lines: &[u8]) -> anyhow::Result<()> {
        self.w
            .write_all(lines)
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
                .map_err(|e| {
                    UsageError(format!("--{name} {s:?} is not an RFC 3339 time: {e}")).into()
                })
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
        _ => Err(UsageError(format!(
            "--speed {s:?}: use `max` or a speed-up such as `1x` or `60x`"
        ))
        .into()),
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
        let ahead = (event_time - t0)
            .to_std()
            .unwrap_or_default()
            .div_f64(speed);
        if let Some(d) = ahead.checked_sub(w0.elapsed()) {
            std::thread::sleep(d);
        }
    }
}

/// Worker threads: the `--threads` value, or one per core.
fn thread_count(arg: Option<NonZeroUsize>) -> usize {
    arg.or_else(|| std::thread::available_parallelism().ok())
        .map_or(1, NonZeroUsize::get)
}

fn threads_label(threads: usize) -> String {
    match threads {
        1 => "1 thread".to_owned(),
        n => format!("{n} threads"),
    }
}

/// Batches in flight per worker thread: enough to keep every worker busy while the slowest batch
/// of a round is finished, few enough to keep memory flat.
const BATCHES_PER_THREAD: usize = 4;

/// Runs `work` over the items `produce` yields, on `threads` worker threads, and hands the results
/// to `consume` in the order `produce` yielded them. `produce` runs on a thread of its own and
/// `consume` on the calling thread; at most `threads * BATCHES_PER_THREAD` items are in flight. With
/// one thread everything runs on the calling thread, one item after the other.
///
/// Stops at the first error of `produce` or `consume` and returns it (the results of the items
/// produced before a `produce` error are consumed first, as a sequential loop would).
fn ordered_parallel<In, Out, E>(
    threads: usize,
    mut produce: impl FnMut() -> Result<Option<In>, E> + Send,
    work: impl Fn(In) -> Out + Sync,
    mut consume: impl FnMut(Out) -> Result<(), E>,
) -> Result<(), E>
where
    In: Send,
    Out: Send,
    E: Send,
{
    if threads <= 1 {
        while let Some(item) = produce()? {
            consume(work(item))?;
        }
        return Ok(());
    }
    let depth = threads * BATCHES_PER_THREAD;
    // Every send below first takes a token, so no channel ever holds more than `depth` items and
    // no send blocks: a stage that stops cannot leave another one waiting forever.
    let (token_tx, token_rx) = sync_channel::<()>(depth);
    for _ in 0..depth {
        token_tx.send(()).expect("the receiver is alive");
    }
    let (work_tx, work_rx) = sync_channel::<(u64, In)>(depth);
    let (done_tx, done_rx) = sync_channel::<(u64, Out)>(depth);
    let work_rx = Mutex::new(work_rx);
    let work = &work;
    std::thread::scope(|s| {
        let producer = s.spawn(move || -> Result<(), E> {
            let mut seq = 0u64;
            while token_rx.recv().is_ok() {
                let Some(item) = produce()? else { break };
                if work_tx.send((seq, item)).is_err() {
                    break;
                }
                seq += 1;
            }
            Ok(())
        });
        for _ in 0..threads {
            let done_tx = done_tx.clone();
            let work_rx = &work_rx;
            s.spawn(move || worker_loop(work_rx, &done_tx, work));
        }
        drop(done_tx);
        let consumed = consume_in_order(done_rx, &token_tx, &mut consume);
        drop(token_tx);
        let produced = producer
            .join()
            .unwrap_or_else(|p| std::panic::resume_unwind(p));
        consumed.and(produced)
    })
}

fn worker_loop<In, Out>(
    work_rx: &Mutex<Receiver<(u64, In)>>,
    done_tx: &SyncSender<(u64, Out)>,
    work: &impl Fn(In) -> Out,
) {
    loop {
        // The lock is held only while waiting for the next batch, never while working on one.
        let next = match work_rx.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok((seq, item)) = next else { return };
        if done_tx.send((seq, work(item))).is_err() {
            return;
        }
    }
}

/// Receives numbered results in any order and consumes them in sequence, returning a token for
/// each one consumed.
fn consume_in_order<Out, E>(
    done_rx: Receiver<(u64, Out)>,
    token_tx: &SyncSender<()>,
    consume: &mut impl FnMut(Out) -> Result<(), E>,
) -> Result<(), E> {
    // Slot `i` holds result `next + i`; never longer than the in-flight bound.
    let mut pending: VecDeque<Option<Out>> = VecDeque::new();
    let mut next = 0u64;
    for (seq, out) in done_rx {
        let slot = (seq - next) as usize;
        if pending.len() <= slot {
            pending.resize_with(slot + 1, || None);
        }
        pending[slot] = Some(out);
        while let Some(Some(out)) = pending.front_mut().map(Option::take) {
            pending.pop_front();
            next += 1;
            consume(out)?;
            // The producer may have stopped already; a missing receiver is not an error here.
            let _ = token_tx.send(());
        }
    }
    Ok(())
}

/// What became of one input line, in input order.
enum Item<T> {
    /// An accepted report, or what the workers made of it.
    Report(T),
    /// Outside `--from`/`--to`.
    Filtered,
    /// Rejected by the ingest stage.
    Rejected(Box<DeadLetter>),
}

/// A run of consecutive input lines.
struct Batch<T> {
    items: Vec<Item<T>>,
    /// Lines and bytes (with their newlines) read for this batch.
    messages: u64,
    bytes: u64,
}

impl<T> Batch<T> {
    fn map<U>(self, mut f: impl FnMut(T) -> U) -> Batch<U> {
        Batch {
            items: self
                .items
                .into_iter()
                .map(|i| match i {
                    Item::Report(r) => Item::Report(f(r)),
                    Item::Filtered => Item::Filtered,
                    Item::Rejected(d) => Item::Rejected(d),
                })
                .collect(),
            messages: self.messages,
            bytes: self.bytes,
        }
    }
}

/// A batch is closed after this many reports or this many bytes, whichever comes first: large
/// enough that channel and reordering costs vanish, small enough that the workers share the load
/// evenly and a batch's outputs stay in the cache.
const BATCH_REPORTS: usize = 64;
const BATCH_BYTES: u64 = 256 << 10;

/// A report held back for event-time order: earliest time first, then input order.
struct Held {
    report: Report,
    seq: u64,
}

impl Held {
    fn key(&self) -> (DateTime<Utc>, u64) {
        (self.report.published_at, self.seq)
    }
}

impl PartialEq for Held {
    fn eq(&self, other: &Self) -> bool {
        self.key() == other.key()
    }
}

impl Eq for Held {}

impl PartialOrd for Held {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Held {
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        self.key().cmp(&other.key())
    }
}

/// Restores event-time order within a bounded window of reports (`--reorder`). Deterministic: the
/// order out depends only on the order in and the bound.
struct Reorder {
    heap: BinaryHeap<Reverse<Held>>,
    bound: usize,
    seq: u64,
}

impl Reorder {
    fn new(bound: usize) -> Self {
        Reorder {
            heap: BinaryHeap::new(),
            bound,
            seq: 0,
        }
    }

    /// Takes a report in; gives back the earliest one held once more than `bound` are waiting.
    fn push(&mut self, report: Report) -> Option<Report> {
        if self.bound == 0 {
            return Some(report);
        }
        self.heap.push(Reverse(Held {
            report,
            seq: self.seq,
        }));
        self.seq += 1;
        if self.heap.len() > self.bound {
            self.pop()
        } else {
            None
        }
    }

    /// The earliest report held, at the end of the input.
    fn pop(&mut self) -> Option<Report> {
        self.heap.pop().map(|Reverse(h)| h.report)
    }
}

/// Reads the input files line by line through the ingest stage, in numbered batches.
struct BatchReader<'a> {
    files: std::vec::IntoIter<PathBuf>,
    reader: Option<NdjsonReader>,
    ingest: &'a mut IngestStage,
    keep: &'a (dyn Fn(&Report) -> bool + Sync),
    reorder: Reorder,
}

impl<'a> BatchReader<'a> {
    fn new(
        files: &[PathBuf],
        ingest: &'a mut IngestStage,
        keep: &'a (dyn Fn(&Report) -> bool + Sync),
        reorder: usize,
    ) -> anyhow::Result<Self> {
        let files = ingest::expand_inputs(files).context("listing inputs")?;
        Ok(BatchReader {
            files: files.into_iter(),
            reader: None,
            ingest,
            keep,
            reorder: Reorder::new(reorder),
        })
    }

    fn next_batch(&mut self) -> anyhow::Result<Option<Batch<Report>>> {
        let mut batch = Batch {
            items: Vec::with_capacity(BATCH_REPORTS),
            messages: 0,
            bytes: 0,
        };
        while batch.items.len() < BATCH_REPORTS && batch.bytes < BATCH_BYTES {
            let reader = match &mut self.reader {
                Some(r) => r,
                None => match self.files.next() {
                    Some(path) => self
                        .reader
                        .insert(NdjsonReader::open(&path, self.ingest.max_line())?),
                    None => {
                        // End of the input: what the reorder window still holds, in time order.
                        match self.reorder.pop() {
                            Some(report) => {
                                batch.items.push(Item::Report(report));
                                continue;
                            }
                            None => break,
                        }
                    }
                },
            };
            let Some(line) = reader.next_line()? else {
                self.reader = None;
                continue;
            };
            batch.messages += 1;
            batch.bytes += line.len + 1;
            let origin = || Origin::File {
                file: reader.name().to_owned(),
                line: line.number,
            };
            let item = match self.ingest.accept(&line.bytes, line.len, origin, None) {
                Ok(report) if (self.keep)(&report) => match self.reorder.push(report) {
                    Some(report) => Item::Report(report),
                    None => continue,
                },
                Ok(_) => Item::Filtered,
                Err(dl) => Item::Rejected(dl),
            };
            batch.items.push(item);
        }
        Ok((batch.messages > 0 || !batch.items.is_empty()).then_some(batch))
    }
}

/// Total size of the inputs when every one is a plain file (for the progress bar's ETA).
fn input_size(files: &[PathBuf]) -> Option<u64> {
    files.iter().try_fold(0u64, |sum, f| {
        let plain = f != Path::new("-") && f.extension().is_none_or(|e| e != "gz");
        let meta = std::fs::metadata(f).ok().filter(|_| plain)?;
        Some(sum + meta.len())
    })
}

/// A progress bar with rate and ETA on stderr, drawn only when stderr is a terminal.
fn progress_bar(files: &[PathBuf], quiet: bool) -> ProgressBar {
    if quiet || !io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let (bar, template) = match input_size(files) {
        Some(total) => (
            ProgressBar::with_draw_target(Some(total), ProgressDrawTarget::stderr()),
            "{spinner} [{elapsed_precise}] [{wide_bar}] {binary_bytes}/{binary_total_bytes} \
             {binary_bytes_per_sec} ETA {eta} {msg}",
        ),
        None => (
            ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
            "{spinner} [{elapsed_precise}] {binary_bytes} {binary_bytes_per_sec} {msg}",
        ),
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// Runs `reader` (the ingest stage) on a thread of its own, `work` over each accepted report on
/// `threads` workers, and `consume` over each line's outcome in input order.
fn run_stages<T: Send>(
    mut reader: BatchReader<'_>,
    threads: usize,
    work: impl Fn(Report) -> T + Sync,
    mut consume: impl FnMut(Item<T>) -> anyhow::Result<()>,
    totals: &mut Totals,
    bar: &ProgressBar,
) -> anyhow::Result<()> {
    ordered_parallel(
        threads,
        || reader.next_batch(),
        |batch: Batch<Report>| batch.map(&work),
        |batch: Batch<T>| {
            totals.messages += batch.messages;
            totals.bytes += batch.bytes;
            for item in batch.items {
                consume(item)?;
            }
            bar.inc(batch.bytes);
            Ok(())
        },
    )
}

fn report_dlq(dlq: DlqFile, quiet: bool) -> anyhow::Result<()> {
    if let Some((path, n)) = dlq.finish()? {
        if !quiet {
            eprintln!(
                "tocsin: {n} rejected messages written to {}",
                path.display()
            );
        }
    }
    Ok(())
}

/// What the workers make of one report for `tocsin replay`.
struct Processed {
    published_at: DateTime<Utc>,
    indicators: u64,
    unlocated: bool,
    /// The enriched report as an NDJSON line, when `--enriched` is asked for.
    enriched_json: Vec<u8>,
    records: Vec<IndicatorRecord>,
    /// The records as NDJSON lines, when `--indicators` is asked for.
    records_json: Vec<u8>,
}

fn process(enricher: &Enricher, report: Report, enriched: bool, records: bool) -> Processed {
    let e = pipeline::enrich(enricher, &report);
    let mut p = Processed {
        published_at: report.published_at,
        indicators: e.report.indicators.len() as u64,
        unlocated: e.report.focus.is_none() && !e.report.indicators.is_empty(),
        enriched_json: Vec::new(),
        records: e.records,
        records_json: Vec::new(),
    };
    if enriched {
        json_line(&mut p.enriched_json, &e.report);
    }
    if records {
        for r in &p.records {
            json_line(&mut p.records_json, r);
        }
    }
    p
}

/// Appends `value` as one NDJSON line. The values serialised here are plain structs of strings and
/// numbers, which serde_json always serialises.
fn json_line<T: Serialize>(buf: &mut Vec<u8>, value: &T) {
    if serde_json::to_writer(&mut *buf, value).is_ok() {
        buf.push(b'\n');
    }
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
    let threads = thread_count(args.threads);
    let enricher = setup::enricher(&loaded)?;
    let mut engine = setup::engine(cfg)?;
    let mut ingest = IngestStage::new(setup::decoder(cfg), cfg.ingest.dlq_max_payload_bytes);
    let dlq_max = cfg.ingest.dlq_max_payload_bytes;

    let started = Instant::now();
    let mut out = NdjsonOut::create(&args.out)?;
    let mut enriched_out = args
        .enriched
        .as_deref()
        .map(NdjsonOut::create)
        .transpose()?;
    let mut records_out = args
        .indicators
        .as_deref()
        .map(NdjsonOut::create)
        .transpose()?;
    let mut dlq = DlqFile::new(&args.dlq);
    let mut totals = Totals::default();
    let bar = progress_bar(&args.files, args.quiet);
    let keep = |r: &Report| {
        !(from.is_some_and(|f| r.published_at < f) || to.is_some_and(|t| r.published_at >= t))
    };
    let (want_enriched, want_records) = (enriched_out.is_some(), records_out.is_some());
    // The counters the consumer keeps, apart from the per-batch ones `run_stages` adds.
    let mut counts = Totals::default();

    run_stages(
        BatchReader::new(&args.files, &mut ingest, &keep, args.reorder)?,
        threads,
        |report| process(&enricher, report, want_enriched, want_records),
        |item| {
            let p = match item {
                Item::Report(p) => p,
                Item::Filtered => {
                    counts.filtered += 1;
                    return Ok(());
                }
                Item::Rejected(dl) => {
                    counts.reject(dl.reason);
                    return dlq.write(&dl);
                }
            };
            pacer.wait(p.published_at);
            counts.reports += 1;
            counts.indicators += p.indicators;
            counts.unlocated += u64::from(p.unlocated);
            if let Some(o) = enriched_out.as_mut() {
                o.write_raw(&p.enriched_json)?;
            }
            if let Some(o) = records_out.as_mut() {
                o.write_raw(&p.records_json)?;
            }
            for rec in &p.records {
                counts.records += 1;
                match engine.process(rec) {
                    Ok(alerts) => {
                        for a in &alerts {
                            out.write(a)?;
                        }
                        counts.alerts += alerts.len() as u64;
                    }
                    Err(
                        e @ (alerting::AlertingError::Late { .. }
                        | alerting::AlertingError::BadTime { .. }),
                    ) => {
                        let dl = pipeline::late_indicator(
                            rec,
                            e.to_string(),
                            Origin::File {
                                file: "indicators".into(),
                                line: counts.records,
                            },
                            dlq_max,
                        );
                        counts.reject(dl.reason);
                        dlq.write(&dl)?;
                    }
                    Err(e) => return Err(e.into()),
                }
            }
            Ok(())
        },
        &mut totals,
        &bar,
    )?;
    for a in engine.flush() {
        out.write(&a)?;
        counts.alerts += 1;
    }
    out.finish()?;
    if let Some(o) = enriched_out {
        o.finish()?;
    }
    if let Some(o) = records_out {
        o.finish()?;
    }
    bar.finish_and_clear();
    counts.messages = totals.messages;
    counts.bytes = totals.bytes;
    if !args.quiet {
        eprintln!(
            "tocsin replay ({}): {}",
            threads_label(threads),
            counts.summary(started.elapsed())
        );
        let late = counts
            .rejected
            .get(&ingest::RejectReason::LateIndicator)
            .copied()
            .unwrap_or(0);
        if late > 0 {
            eprintln!(
                "tocsin: {late} indicators came more than alerting.allowed_lateness ({}) behind the \
                 latest event time: the input is out of event-time order beyond --reorder {}",
                cfg.alerting.allowed_lateness, args.reorder
            );
        }
    }
    report_dlq(dlq, args.quiet)
}

/// What the workers make of one report for `tocsin enrich`.
struct EnrichedLine {
    indicators: u64,
    unlocated: bool,
    json: Vec<u8>,
}

pub fn enrich(global: &crate::cli::Global, args: &EnrichArgs) -> anyhow::Result<()> {
    let loaded = setup::load_config(global.config.as_deref())?;
    let cfg = &loaded.config;
    let threads = thread_count(args.threads);
    let enricher = setup::enricher(&loaded)?;
    let mut ingest = IngestStage::new(setup::decoder(cfg), cfg.ingest.dlq_max_payload_bytes);
    let started = Instant::now();
    let mut out = NdjsonOut::create(&args.out)?;
    let mut dlq = DlqFile::new(&args.dlq);
    let mut totals = Totals::default();
    let mut counts = Totals::default();
    let bar = progress_bar(&args.files, args.quiet);
    run_stages(
        BatchReader::new(&args.files, &mut ingest, &|_| true, 0)?,
        threads,
        |report| {
            let e = enricher.enrich(&report);
            let mut json = Vec::new();
            json_line(&mut json, &e);
            EnrichedLine {
                indicators: e.indicators.len() as u64,
                unlocated: e.focus.is_none() && !e.indicators.is_empty(),
                json,
            }
        },
        |item| match item {
            Item::Report(e) => {
                counts.reports += 1;
                counts.indicators += e.indicators;
                counts.unlocated += u64::from(e.unlocated);
                out.write_raw(&e.json)
            }
            Item::Filtered => Ok(()),
            Item::Rejected(dl) => {
                counts.reject(dl.reason);
                dlq.write(&dl)
            }
        },
        &mut totals,
        &bar,
    )?;
    out.finish()?;
    bar.finish_and_clear();
    counts.messages = totals.messages;
    counts.bytes = totals.bytes;
    if !args.quiet {
        eprintln!(
            "tocsin enrich ({}): {}",
            threads_label(threads),
            counts.summary(started.elapsed())
        );
    }
    report_dlq(dlq, args.quiet)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(id: &str, minute: u32) -> Report {
        let line =
            format!(r#"{{"id":"{id}","text":"x","published_at":"2024-01-01T00:{minute:02}:00Z"}}"#);
        ingest::Decoder::default()
            .decode(line.as_bytes(), None)
            .unwrap()
    }

    #[test]
    fn reorder_gives_time_order_within_its_bound_and_input_order_for_ties() {
        let mut r = Reorder::new(2);
        let mut out = Vec::new();
        for (id, minute) in [("a", 5), ("b", 3), ("c", 5), ("d", 1), ("e", 9), ("f", 0)] {
            out.extend(r.push(report(id, minute)).map(|r| r.id));
        }
        while let Some(rep) = r.pop() {
            out.push(rep.id);
        }
        // "f" overtakes the two reports still held ("c", "e"), not "a", released before it came.
        assert_eq!(out, ["b", "d", "a", "f", "c", "e"]);
        let mut none = Reorder::new(0);
        assert_eq!(
            none.push(report("x", 7)).map(|r| r.id).as_deref(),
            Some("x")
        );
        assert!(none.pop().is_none());
    }

    #[test]
    fn speed_parses() {
        assert_eq!(parse_speed("max").unwrap(), None);
        assert_eq!(parse_speed("60x").unwrap(), Some(60.0));
        assert!(parse_speed("fast").is_err());
        assert!(parse_speed("0x").is_err());
    }

    /// Work whose duration varies a lot from item to item, so that results come back out of order.
    fn uneven(i: u64) -> u64 {
        let spins = (i * 7919) % 50_000;
        let mut h = i;
        for _ in 0..spins {
            h = h.wrapping_mul(6364136223846793005).wrapping_add(1);
        }
        std::hint::black_box(h);
        i * 10
    }

    fn run(threads: usize, n: u64) -> Result<Vec<u64>, String> {
        let mut next = 0u64;
        let mut got = Vec::new();
        ordered_parallel(
            threads,
            || {
                next += 1;
                Ok((next <= n).then_some(next))
            },
            uneven,
            |v| {
                got.push(v);
                Ok::<(), String>(())
            },
        )?;
        Ok(got)
    }

    #[test]
    fn results_come_out_in_input_order_for_any_thread_count() {
        let want: Vec<u64> = (1..=500).map(|i| i * 10).collect();
        for threads in [1, 2, 3, 8] {
            assert_eq!(run(threads, 500).unwrap(), want, "{threads} threads");
        }
        assert_eq!(run(4, 0).unwrap(), Vec::<u64>::new());
    }

    #[test]
    fn a_producer_error_comes_after_the_results_before_it() {
        for threads in [1, 4] {
            let mut next = 0u64;
            let mut got = Vec::new();
            let r = ordered_parallel(
                threads,
                || {
                    next += 1;
                    if next == 40 {
                        Err(format!("bad line {next}"))
                    } else {
                        Ok(Some(next))
                    }
                },
                uneven,
                |v| {
                    got.push(v);
                    Ok(())
                },
            );
            assert_eq!(r, Err("bad line 40".to_string()));
            assert_eq!(got, (1..40).map(|i| i * 10).collect::<Vec<_>>());
        }
    }

    #[test]
    fn a_consumer_error_stops_every_stage() {
        for threads in [1, 4] {
            let mut produced = 0u64;
            let mut got = 0u64;
            let r = ordered_parallel(
                threads,
                || {
                    produced += 1;
                    Ok(Some(produced))
                },
                uneven,
                |v| {
                    got += 1;
                    if v == 100 {
                        Err("disk full")
                    } else {
                        Ok(())
                    }
                },
            );
            assert_eq!(r, Err("disk full"));
            assert_eq!(got, 10);
            // The producer stopped within the in-flight bound instead of reading on forever.
            assert!(
                produced <= 10 + (threads * BATCHES_PER_THREAD) as u64 + 1,
                "{produced}"
            );
        }
    }

    #[test]
    fn plain_inputs_have_a_size_and_compressed_ones_do_not() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("a.ndjson");
        let b = dir.path().join("b.ndjson.gz");
        std::fs::write(&a, b"12345\n").unwrap();
        std::fs::write(&b, b"xx").unwrap();
        assert_eq!(input_size(std::slice::from_ref(&a)), Some(6));
        assert_eq!(input_size(&[a.clone(), a.clone()]), Some(12));
        assert_eq!(input_size(&[a, b]), None);
        assert_eq!(input_size(&[PathBuf::from("-")]), None);
    }
}
