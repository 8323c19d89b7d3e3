//! The command line. Every option also has a config key and a `TOCSIN_...` environment variable
//! (see `docs/configuration.md`); the command line wins.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "tocsin",
    version,
    about = "Early warning of mass atrocities from open-source reports on Kafka",
    long_about = "tocsin reads open-source reports (news, NGO and UN reports, field messages) from \
Kafka or NDJSON files, extracts indicators of atrocity risk with their casualty counts and evidence, \
geocodes the places they name, aggregates them per region in event-time windows, and publishes \
alerts when rules fire.\n\nExit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.",
    after_help = "Quick start: `tocsin run --replay data/sample/feed.ndjson` runs the whole pipeline \
on an embedded broker and prints the alerts."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct Global {
    /// Configuration file (TOML). Default: the built-in configuration (config/tocsin.toml).
    #[arg(long, short = 'c', global = true, env = "TOCSIN_CONFIG")]
    pub config: Option<PathBuf>,
    /// Log format on stderr: `text` (for terminals) or `json` (for log shippers).
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Text, env = "TOCSIN_LOG_FORMAT")]
    pub log_format: LogFormat,
    /// Log filter, e.g. `info` or `tocsin=debug,rdkafka=warn` (RUST_LOG syntax).
    #[arg(long, global = true, default_value = "info", env = "TOCSIN_LOG")]
    pub log: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the continuous service on Kafka: consume `reports`, publish `indicators`, `alerts` and
    /// dead letters. With no brokers configured, starts an embedded broker (for demos and tests) and
    /// prints its address.
    Run(RunArgs),
    /// Feed archived reports (NDJSON, .ndjson.gz, or - for stdin) into a topic. Each line is
    /// validated; rejected lines go to the dead-letter topic with their reason.
    Produce(ProduceArgs),
    /// Run the whole pipeline in-process on archived feeds, without a broker, and write alerts as
    /// NDJSON. Same input and config, byte-identical output.
    Replay(ReplayArgs),
    /// Enrich archived reports: one enriched report (indicators, locations, focus, fatalities) per
    /// input line, as NDJSON, in input order.
    Enrich(EnrichArgs),
    /// Print the places found in a text, for a quick look.
    Geocode(GeocodeArgs),
    /// Validate a configuration file and its lexicons; list every problem with file:line:column.
    CheckConfig(CheckConfigArgs),
    /// Gazetteer tools.
    #[command(subcommand)]
    Gazetteer(GazetteerCommand),
    /// Feed UCDP GED events through the alert rules and score them against episodes of violence
    /// against civilians.
    Backtest(BacktestArgs),
    /// Quality reports against labelled data (indicators and geocoding).
    #[command(subcommand)]
    Eval(EvalCommand),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Kafka bootstrap servers (overrides `kafka.brokers`). Without any, an embedded broker is started.
    #[arg(long, env = "TOCSIN_KAFKA__BROKERS")]
    pub brokers: Option<String>,
    /// Run only one stage: `enrich` or `alert` (default: both, in one process).
    #[arg(long, value_enum)]
    pub stage: Option<Stage>,
    /// Address of the HTTP listener for /metrics, /healthz and /readyz (overrides `metrics.addr`;
    /// port 0 picks a free port, printed at start).
    #[arg(long, env = "TOCSIN_METRICS__ADDR")]
    pub metrics_addr: Option<String>,
    /// Also feed this NDJSON file into the input topic at start (for demos).
    #[arg(long)]
    pub replay: Option<PathBuf>,
    /// Print each alert as a JSON line on stdout as it is published.
    #[arg(long)]
    pub print_alerts: bool,
    /// Exit once the input has been idle for `alerting.idle_timeout` after the --replay file was
    /// fed and its alerts were published (for demos and scripts).
    #[arg(long, requires = "replay")]
    pub exit_when_idle: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Stage {
    Both,
    Enrich,
    Alert,
}

#[derive(Debug, Args)]
pub struct ProduceArgs {
    /// Input files (NDJSON or .ndjson.gz; `-` for stdin).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Kafka bootstrap servers (overrides `kafka.brokers`).
    #[arg(long, env = "TOCSIN_KAFKA__BROKERS")]
    pub brokers: Option<String>,
    /// Topic to produce to (default: `kafka.topics.reports`).
    #[arg(long)]
    pub topic: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReplayArgs {
    /// Input files or folders (NDJSON or .ndjson.gz; `-` for stdin), read in the order given.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write alerts (NDJSON; `-` for stdout).
    #[arg(long, short = 'o', default_value = "-")]
    pub out: PathBuf,
    /// Also write enriched reports (NDJSON) here.
    #[arg(long)]
    pub enriched: Option<PathBuf>,
    /// Also write indicator records (the `indicators` topic's content, NDJSON) here.
    #[arg(long)]
    pub indicators: Option<PathBuf>,
    /// Where rejected input goes (NDJSON dead letters). Created only if something is rejected.
    #[arg(long, default_value = "reports.dlq.ndjson")]
    pub dlq: PathBuf,
    /// Pace: `max` (as fast as possible), or a speed-up of event time such as `1x` or `60x`.
    #[arg(long, default_value = "max")]
    pub speed: String,
    /// Only reports published at or after this time (RFC 3339).
    #[arg(long)]
    pub from: Option<String>,
    /// Only reports published before this time (RFC 3339).
    #[arg(long)]
    pub to: Option<String>,
    /// Worker threads for the enrich stage (default: the number of cores). The output is the same
    /// for any number.
    #[arg(long, env = "TOCSIN_THREADS")]
    pub threads: Option<std::num::NonZeroUsize>,
    /// Reports held back to restore event-time order: each report goes to the stages once this
    /// many later-read ones are waiting, earliest `published_at` first (ties in input order). An
    /// archive whose disorder stays within this many lines is replayed in time order, and its
    /// indicators do not fall behind `alerting.allowed_lateness`. 0: input order. Memory grows
    /// with it (about the size of that many reports).
    #[arg(long, default_value_t = 50_000, env = "TOCSIN_REPLAY_REORDER")]
    pub reorder: usize,
    /// Do not print the summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct EnrichArgs {
    /// Input files (NDJSON or .ndjson.gz; `-` for stdin).
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Where to write enriched reports (`-` for stdout).
    #[arg(long, short = 'o', default_value = "-")]
    pub out: PathBuf,
    /// Where rejected input goes (NDJSON dead letters). Created only if something is rejected.
    #[arg(long, default_value = "reports.dlq.ndjson")]
    pub dlq: PathBuf,
    /// Worker threads for the enrich stage (default: the number of cores). The output is the same
    /// for any number.
    #[arg(long, env = "TOCSIN_THREADS")]
    pub threads: Option<std::num::NonZeroUsize>,
    /// Do not print the summary on stderr.
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

#[derive(Debug, Args)]
pub struct GeocodeArgs {
    /// The text to geocode (`-` reads stdin).
    pub text: String,
    /// The report's title, as in its `title` field (countries and outlets it names are hints).
    #[arg(long)]
    pub title: Option<String>,
    /// The report's source, as in its `source` field ("Radio Okapi").
    #[arg(long)]
    pub source: Option<String>,
    /// The report's address, as in its `url` field (a country-code domain is a hint).
    #[arg(long)]
    pub url: Option<String>,
    /// Least score of a place listed, 0 to 1 (default: `enrich.min_location_score` of the
    /// configuration, else 0.5); 0 lists every place found.
    #[arg(long, value_parser = parse_share)]
    pub min_score: Option<f64>,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// A number from 0 to 1.
fn parse_share(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("{s:?} is not a number from 0 to 1")),
    }
}

#[derive(Debug, Args)]
pub struct CheckConfigArgs {
    /// The configuration file to check.
    pub file: PathBuf,
}

#[derive(Debug, Subcommand)]
pub enum GazetteerCommand {
    /// Build a gazetteer index from GeoNames dump files (cities500/allCountries, admin1CodesASCII,
    /// admin2Codes, countryInfo, nationalities; country-points.txt, else the built-in World
    /// Factbook points; admin2-points.txt, else the built-in US county centres).
    Build {
        /// Folder with the GeoNames files.
        #[arg(long)]
        geonames: PathBuf,
        /// The index file to write; gzip-compressed when its name ends in `.gz` (as the committed
        /// `data/gazetteer.bin.gz`).
        #[arg(long)]
        out: PathBuf,
    },
}

#[derive(Debug, Args)]
pub struct BacktestArgs {
    /// UCDP GED events (CSV with a header row).
    #[arg(long)]
    pub ucdp: PathBuf,
    /// A configuration file whose `[[rules]]` (and `[alerting]`) are tested (default: the
    /// configuration in use).
    #[arg(long)]
    pub rules: Option<PathBuf>,
    /// One-sided-violence deaths in a region-week that make an episode.
    #[arg(long, default_value_t = 25)]
    pub episode_deaths: u64,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum EvalCommand {
    /// Fatality counts against ACLED-coded gold data.
    Indicators {
        /// Reports (NDJSON).
        #[arg(long)]
        reports: PathBuf,
        /// Gold CSV (id, fatalities, ...).
        #[arg(long)]
        gold: PathBuf,
    },
    /// Focus location against ACLED-coded gold data, and toponyms against geoparsing corpora.
    Geocoding {
        /// ACLED-format reports (NDJSON).
        #[arg(long)]
        reports: PathBuf,
        /// ACLED-format gold CSV.
        #[arg(long)]
        gold: PathBuf,
        /// Geoparsing corpus (JSONL with gold toponym spans).
        #[arg(long)]
        geoparsing: PathBuf,
        /// Also write every miss (wrong focus, false, missed or distant toponym) to this file,
        /// one JSON object a line with a `kind`, the report id, the expected and the found.
        #[arg(long)]
        misses: Option<PathBuf>,
    },
}
