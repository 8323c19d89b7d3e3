//! Throughput and memory figures of tocsin on real text, printed (never asserted).
//!
//! `cargo bench --bench throughput` measures, on the evaluation reports in `../shared/data/eval`
//! (or `$TOCSIN_BENCH_DATA`), with the full built-in gazetteer and every lexicon:
//!
//! 1. gazetteer and lexicon load time, and the memory the gazetteer takes;
//! 2. enrich throughput on one core (and extraction and geocoding apart), over the texts repeated to
//!    at least `$TOCSIN_BENCH_MB` (default 100) MB, then on every core;
//! 3. `tocsin replay` end to end, as a subprocess of the release binary on a generated feed of the
//!    same size: reports/s, MB/s and peak resident memory, with one thread and with every core;
//! 4. the same texts through the Python `geotext` library (place names only), as a peer.
//!
//! Each part is skipped with a message when what it needs is missing. See `docs/performance.md`.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use enrich::extract::Extractor;
use enrich::gazetteer::Gazetteer;
use enrich::geocode::Geocoder;
use enrich::lexicon::Lexicons;
use enrich::Enricher;
use ingest::{Decoder, Report};

/// The allocator of the `tocsin` binary, so that the in-process figures match it.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

const CORPORA: [&str; 2] = ["acled-dev.reports.ndjson", "geoparsing-dev.reports.ndjson"];

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not supported and ignored.
    let data = std::env::var_os("TOCSIN_BENCH_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/eval"));
    let target_mb: f64 = std::env::var("TOCSIN_BENCH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100.0);
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    println!("tocsin throughput benchmark ({cores} cores)");

    let corpora: Vec<(&str, Vec<Vec<u8>>)> = CORPORA
        .iter()
        .filter_map(|name| {
            let path = data.join(name);
            match std::fs::read(&path) {
                Ok(bytes) => Some((*name, lines(&bytes))),
                Err(e) => {
                    println!("skipping {}: {e}", path.display());
                    None
                }
            }
        })
        .collect();

    let (gaz, lex) = loading();
    let enricher = Enricher::new(&lex, Arc::clone(&gaz));

    if corpora.is_empty() {
        println!(
            "no evaluation reports in {} (set TOCSIN_BENCH_DATA): throughput parts skipped",
            data.display()
        );
        return;
    }
    let decoder = Decoder::default();
    let mut all: Vec<(Report, usize)> = Vec::new();
    for (name, ls) in &corpora {
        let reports: Vec<(Report, usize)> = ls
            .iter()
            .filter_map(|l| decoder.decode(l, None).ok().map(|r| (r, l.len() + 1)))
            .collect();
        println!("\n## enrich, {name}: {} reports", reports.len());
        enrich_one_core(&enricher, &lex, &gaz, &reports, target_mb);
        all.extend(reports);
    }
    println!("\n## enrich, both corpora: {} reports", all.len());
    let single = enrich_one_core(&enricher, &lex, &gaz, &all, target_mb);
    if cores > 1 {
        enrich_all_cores(&enricher, &all, target_mb, cores, single);
    }

    let lines_all: Vec<&[u8]> = corpora
        .iter()
        .flat_map(|(_, ls)| ls.iter().map(Vec::as_slice))
        .collect();
    replay_end_to_end(&lines_all, target_mb, cores);
    geotext_peer(&all, single);
}

/// The non-blank lines of an NDJSON file.
fn lines(bytes: &[u8]) -> Vec<Vec<u8>> {
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(<[u8]>::to_vec)
        .collect()
}

/// Resident memory of this process now, and its peak, in bytes (Linux).
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| status_field(&status, name).unwrap_or(0);
    (field("VmRSS:"), field("VmHWM:"))
}

/// A memory field of a `/proc/PID/status` text (`VmRSS:`, `VmHWM:`), in bytes.
fn status_field(status: &str, name: &str) -> Option<u64> {
    status
        .lines()
        .find_map(|l| l.strip_prefix(name))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map(|kb| kb * 1024)
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// Part 1: load times and the gazetteer's memory.
fn loading() -> (Arc<Gazetteer>, Lexicons) {
    let cache = std::env::temp_dir().join("tocsin-bench-cache");
    println!("\n## loading (gazetteer cache {})", cache.display());
    // First use on a machine: no cache yet, so the committed index is decompressed and cached.
    let _ = std::fs::remove_dir_all(&cache);
    let t = Instant::now();
    let first = Gazetteer::load_or_build_builtin(&cache).expect("loading the built-in gazetteer");
    println!(
        "gazetteer first use (committed index decompressed, then cached): {:.0} ms",
        t.elapsed().as_secs_f64() * 1e3
    );
    drop(first);
    let (before, _) = rss();
    let mut times = Vec::new();
    let mut gaz = None;
    for _ in 0..5 {
        let t = Instant::now();
        let g = Gazetteer::load_or_build_builtin(&cache).expect("loading the cached gazetteer");
        times.push(t.elapsed());
        if gaz.is_none() {
            gaz = Some(g);
        }
    }
    let gaz = gaz.expect("loaded five times");
    let (after, _) = rss();
    let st = gaz.stats();
    println!(
        "gazetteer load from cache: median {:.0} ms of 5; resident +{:.1} MB; {} places, {} names, {} postings, {} admin1, {} admin2, {} countries",
        median(times).as_secs_f64() * 1e3,
        mb(after.saturating_sub(before)),
        st.places,
        st.names,
        st.postings,
        st.admin1,
        st.admin2,
        st.countries
    );
    let t = Instant::now();
    let lex = Lexicons::builtin().expect("loading the built-in lexicons");
    println!(
        "lexicons (all languages): {:.0} ms, {} languages",
        t.elapsed().as_secs_f64() * 1e3,
        lex.langs().len()
    );
    (Arc::new(gaz), lex)
}

/// Runs `f` over the reports in a loop until `target_mb` of input lines went through; returns
/// (reports, line bytes, text bytes, elapsed).
fn repeat_until(
    reports: &[(Report, usize)],
    target_mb: f64,
    mut f: impl FnMut(&Report),
) -> (u64, u64, u64, Duration) {
    let (mut n, mut bytes, mut text) = (0u64, 0u64, 0u64);
    let t = Instant::now();
    while mb(bytes) < target_mb {
        for (r, len) in reports {
            f(r);
            n += 1;
            bytes += *len as u64;
            text += r.text.len() as u64;
        }
    }
    (n, bytes, text, t.elapsed())
}

fn print_rate(what: &str, (n, bytes, text, el): (u64, u64, u64, Duration)) -> f64 {
    let s = el.as_secs_f64();
    println!(
        "{what}: {n} reports, {:.1} MB in {s:.2}s: {:.0} reports/s, {:.1} MB/s of NDJSON ({:.1} MB/s of text)",
        mb(bytes),
        n as f64 / s,
        mb(bytes) / s,
        mb(text) / s
    );
    n as f64 / s
}

/// Part 2a: one core. Returns reports/s of the whole enrich stage.
fn enrich_one_core(
    enricher: &Enricher,
    lex: &Lexicons,
    gaz: &Arc<Gazetteer>,
    reports: &[(Report, usize)],
    target_mb: f64,
) -> f64 {
    // Warm up the thread's scratch buffers and the caches.
    for (r, _) in reports.iter().take(200) {
        std::hint::black_box(enricher.enrich(r));
    }
    let rate = print_rate(
        "enrich, 1 core",
        repeat_until(reports, target_mb, |r| {
            std::hint::black_box(enricher.enrich(r));
        }),
    );
    let part = target_mb / 4.0;
    let extractor = Extractor::new(lex);
    print_rate(
        "  of which extraction alone",
        repeat_until(reports, part, |r| {
            std::hint::black_box(extractor.extract(&r.text, r.lang.as_deref()));
        }),
    );
    let geocoder = Geocoder::new(Arc::clone(gaz));
    print_rate(
        "  of which geocoding alone",
        repeat_until(reports, part, |r| {
            std::hint::black_box(geocoder.geocode(&r.text));
        }),
    );
    rate
}

/// Part 2b: every core, each thread over the whole set.
fn enrich_all_cores(
    enricher: &Enricher,
    reports: &[(Report, usize)],
    target_mb: f64,
    cores: usize,
    single: f64,
) {
    let per_thread = target_mb / cores as f64;
    let t = Instant::now();
    let results: Vec<(u64, u64, u64, Duration)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..cores)
            .map(|_| {
                s.spawn(|| {
                    repeat_until(reports, per_thread, |r| {
                        std::hint::black_box(enricher.enrich(r));
                    })
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().expect("bench thread"))
            .collect()
    });
    let el = t.elapsed();
    let sum = results
        .iter()
        .fold((0, 0, 0), |a, r| (a.0 + r.0, a.1 + r.1, a.2 + r.2));
    let rate = print_rate(&format!("enrich, {cores} cores"), (sum.0, sum.1, sum.2, el));
    println!("  scaling: {:.2}x one core", rate / single);
}

/// Writes a feed of at least `target_mb` from `lines`: copies with fresh ids, and event times
/// spread evenly (5 minutes apart, in the order of the original times) so that the alert windows
/// move forward as in a real archive.
fn generate_feed(path: &Path, lines: &[&[u8]], target_mb: f64) -> std::io::Result<(u64, u64)> {
    let mut values: Vec<serde_json::Value> = lines
        .iter()
        .filter_map(|l| serde_json::from_slice(l).ok())
        .collect();
    values.sort_by(|a, b| a["published_at"].as_str().cmp(&b["published_at"].as_str()));
    let t0 = chrono::DateTime::parse_from_rfc3339("2020-01-01T00:00:00Z")
        .expect("a valid time")
        .with_timezone(&chrono::Utc);
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    let (mut bytes, mut n) = (0u64, 0u64);
    let mut copy = 0;
    while mb(bytes) < target_mb {
        for v in &values {
            let mut v = v.clone();
            let id = format!("{}~{copy}", v["id"].as_str().unwrap_or("r"));
            v["id"] = id.into();
            let t = t0 + chrono::Duration::minutes(5 * n as i64);
            v["published_at"] = ingest::format_time(&t).into();
            let line = serde_json::to_vec(&v).map_err(std::io::Error::other)?;
            w.write_all(&line)?;
            w.write_all(b"\n")?;
            bytes += line.len() as u64 + 1;
            n += 1;
        }
        copy += 1;
    }
    w.flush()?;
    Ok((n, bytes))
}

/// Peak resident memory (`VmHWM`) of process `pid` so far, in bytes; `None` once it has exited.
fn peak_rss_of(pid: libc::pid_t) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_field(&status, "VmHWM:")
}

/// Runs a command to completion; returns its stderr, wall time and peak resident memory (bytes).
///
/// The peak is the child's own `VmHWM`, sampled every 10 ms while it runs: `ru_maxrss` from
/// `wait4` would also count this (much bigger) process, whose memory a child started with
/// `vfork` semantics shares until it executes the binary.
fn run_measured(cmd: &mut Command) -> std::io::Result<(String, Duration, u64, bool)> {
    let t = Instant::now();
    let child = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).spawn()?;
    let pid = child.id() as libc::pid_t;
    let mut stderr = child.stderr.expect("piped");
    let reader = std::thread::spawn(move || {
        let mut s = String::new();
        let _ = std::io::Read::read_to_string(&mut stderr, &mut s);
        s
    });
    let sampler = std::thread::spawn(move || {
        let mut peak = 0;
        while let Some(p) = peak_rss_of(pid) {
            peak = peak.max(p);
            std::thread::sleep(Duration::from_millis(10));
        }
        peak
    });
    let mut status = 0;
    // SAFETY: pid is our child, not yet waited for; status is a live local, rusage not asked for.
    let r = unsafe { libc::wait4(pid, &mut status, 0, std::ptr::null_mut()) };
    let el = t.elapsed();
    if r < 0 {
        return Err(std::io::Error::last_os_error());
    }
    let ok = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    let err = reader.join().unwrap_or_default();
    let peak = sampler.join().unwrap_or_default();
    Ok((err, el, peak, ok))
}

/// Part 3: the release binary end to end.
fn replay_end_to_end(lines: &[&[u8]], target_mb: f64, cores: usize) {
    println!("\n## tocsin replay end to end (release binary, subprocess)");
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_tocsin"));
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return println!("skipped: no temporary folder: {e}"),
    };
    let feed = dir.path().join("feed.ndjson");
    let (n, bytes) = match generate_feed(&feed, lines, target_mb) {
        Ok(x) => x,
        Err(e) => return println!("skipped: cannot write {}: {e}", feed.display()),
    };
    println!(
        "generated feed: {n} reports, {:.1} MB ({})",
        mb(bytes),
        bin.display()
    );
    let mut thread_counts = vec![1];
    if cores > 1 {
        thread_counts.push(cores);
    }
    for threads in thread_counts {
        let mut cmd = Command::new(&bin);
        cmd.arg("replay")
            .arg(&feed)
            .arg("--out")
            .arg(dir.path().join("alerts.ndjson"))
            .arg("--dlq")
            .arg(dir.path().join("dlq.ndjson"))
            .arg("--threads")
            .arg(threads.to_string())
            .env(
                "TOCSIN_CACHE_DIR",
                std::env::temp_dir().join("tocsin-bench-cache"),
            );
        match run_measured(&mut cmd) {
            Ok((err, el, peak, ok)) => {
                let s = el.as_secs_f64();
                if !ok {
                    println!("replay failed: {err}");
                    continue;
                }
                println!(
                    "replay --threads {threads}: {:.2}s wall, {:.0} reports/s, {:.1} MB/s, peak RSS {:.0} MB",
                    s,
                    n as f64 / s,
                    mb(bytes) / s,
                    mb(peak)
                );
                println!("  summary: {}", err.trim());
            }
            Err(e) => println!("replay could not run: {e}"),
        }
    }
}

/// Part 4: Python `geotext` (place names by dictionary lookup) on the same texts.
fn geotext_peer(reports: &[(Report, usize)], tocsin_rate: f64) {
    println!("\n## peer: Python geotext (place names only) on the same texts");
    let script = r#"
import json, sys, time
from geotext import GeoText
texts = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
rounds = int(sys.argv[2])
GeoText(texts[0])
t = time.perf_counter()
found = 0
for _ in range(rounds):
    for x in texts:
        g = GeoText(x)
        found += len(g.cities) + len(g.countries)
el = time.perf_counter() - t
print(len(texts) * rounds, el, found)
"#;
    let dir = match tempfile::tempdir() {
        Ok(d) => d,
        Err(e) => return println!("skipped: no temporary folder: {e}"),
    };
    let texts = dir.path().join("texts.ndjson");
    let written = (|| -> std::io::Result<()> {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&texts)?);
        for (r, _) in reports {
            serde_json::to_writer(&mut w, &r.text).map_err(std::io::Error::other)?;
            w.write_all(b"\n")?;
        }
        w.flush()
    })();
    if let Err(e) = written {
        return println!("skipped: cannot write {}: {e}", texts.display());
    }
    let out = Command::new("python3")
        .arg("-c")
        .arg(script)
        .arg(&texts)
        .arg("2")
        .output();
    let out = match out {
        Ok(o) if o.status.success() => o,
        Ok(o) => {
            return println!(
                "skipped: geotext did not run (pip install geotext): {}",
                String::from_utf8_lossy(&o.stderr)
                    .lines()
                    .last()
                    .unwrap_or("")
            )
        }
        Err(e) => return println!("skipped: python3 not available: {e}"),
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let mut it = stdout.split_whitespace();
    let (Some(n), Some(el), Some(found)) = (
        it.next().and_then(|v| v.parse::<f64>().ok()),
        it.next().and_then(|v| v.parse::<f64>().ok()),
        it.next(),
    ) else {
        return println!("skipped: unexpected geotext output {stdout:?}");
    };
    let rate = n / el.max(1e-9);
    println!("geotext: {n:.0} reports in {el:.2}s: {rate:.0} reports/s ({found} names found)");
    println!(
        "tocsin enrich (extraction + geocoding, 1 core) / geotext (places only, 1 core): {:.1}x reports/s",
        tocsin_rate / rate
    );
}
