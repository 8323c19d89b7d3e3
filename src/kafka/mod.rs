//! The Kafka edges: client configuration, the embedded broker, topic creation, producing with
//! acknowledgement tracking, and the two stage shells (`enrich` and `alert`).
//!
//! Offsets are never auto-stored: each consumed message's offset is stored only after everything
//! produced from it has been acknowledged by the brokers (see [`acks`]); librdkafka then commits the
//! stored offsets. Between the consumer and the producer, every queue is bounded, so a slow broker
//! pauses consumption instead of filling memory.

pub mod acks;
pub mod checkpoint;
mod produce;
mod service;
mod stages;

pub use produce::produce_files;
pub use service::run;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use config::KafkaConfig;
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::ClientContext;
use rdkafka::client::DefaultClientContext;
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance, StreamConsumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::mocking::MockCluster;
use rdkafka::producer::{DefaultProducerContext, DeliveryFuture, FutureProducer, FutureRecord};

/// The consumer context of a stage: feeds librdkafka statistics (consumer lag) into the metrics and
/// tracks partition assignment for readiness.
pub struct StageContext {
    pub stage: &'static str,
    pub metrics: Arc<crate::metrics::Metrics>,
    /// Readiness. Set on assignment unless the stage must first restore state (`stateful`), in which
    /// case the stage sets it once restored.
    pub assigned: Arc<AtomicBool>,
    pub stateful: bool,
    /// Assignment changes, for the stage to act on (restore or drop partition state).
    pub events: Arc<std::sync::Mutex<Vec<Assignment>>>,
}

/// A change of a stage's partition assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assignment {
    Assigned(Vec<(String, i32)>),
    Revoked(Vec<(String, i32)>),
}

fn partitions(tpl: &rdkafka::TopicPartitionList) -> Vec<(String, i32)> {
    tpl.elements()
        .iter()
        .map(|e| (e.topic().to_owned(), e.partition()))
        .collect()
}

impl StageContext {
    fn push(&self, a: Assignment) {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(a);
    }
}

impl ClientContext for StageContext {
    fn stats_raw(&self, statistics: &[u8]) {
        self.metrics.record_statistics(self.stage, statistics);
    }
}

impl ConsumerContext for StageContext {
    fn pre_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            tracing::info!(
                stage = self.stage,
                partitions = tpl.count(),
                "partitions revoked"
            );
            self.assigned.store(false, Ordering::Relaxed);
            for e in tpl.elements() {
                self.metrics
                    .forget_lag(self.stage, e.topic(), e.partition());
            }
            self.push(Assignment::Revoked(partitions(tpl)));
        }
    }

    fn post_rebalance(&self, _: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        match rebalance {
            Rebalance::Assign(tpl) => {
                tracing::info!(
                    stage = self.stage,
                    partitions = tpl.count(),
                    "partitions assigned"
                );
                self.push(Assignment::Assigned(partitions(tpl)));
                if !self.stateful {
                    self.assigned.store(true, Ordering::Relaxed);
                }
            }
            Rebalance::Revoke(_) => {}
            Rebalance::Error(e) => {
                tracing::warn!(stage = self.stage, error = %e, "rebalance error")
            }
        }
    }
}

/// A stage's consumer.
pub type StageConsumer = StreamConsumer<StageContext>;

/// Where the brokers are: a configured cluster, or the embedded mock cluster this process started.
pub struct Bus {
    pub brokers: String,
    pub kafka: KafkaConfig,
    /// The `[kafka.secrets]` properties with their values, read once at start.
    secrets: Vec<(String, String)>,
    mock: Option<MockCluster<'static, DefaultProducerContext>>,
}

/// Reads every `[kafka.secrets]` value; the error names the property and the source, never a value.
fn read_secrets(kafka: &KafkaConfig) -> anyhow::Result<Vec<(String, String)>> {
    kafka
        .secrets
        .iter()
        .map(|(key, source)| {
            let value = config::SecretSource::parse(source)
                .ok_or_else(|| format!("{source:?} is not env:NAME or file:PATH"))
                .and_then(|s| s.read())
                .map_err(|e| crate::setup::UsageError(format!("kafka.secrets.{key}: {e}")))?;
            Ok((key.clone(), value))
        })
        .collect()
}

impl Bus {
    /// Uses `brokers` (or `kafka.brokers`); with neither, starts the embedded broker.
    pub fn connect(kafka: &KafkaConfig, brokers: Option<&str>) -> anyhow::Result<Bus> {
        let configured = brokers.unwrap_or(&kafka.brokers).trim().to_owned();
        let secrets = read_secrets(kafka)?;
        if configured.is_empty() {
            let mock = MockCluster::new(1).context("starting the embedded broker")?;
            let brokers = mock.bootstrap_servers();
            Ok(Bus {
                brokers,
                kafka: kafka.clone(),
                secrets,
                mock: Some(mock),
            })
        } else {
            Ok(Bus {
                brokers: configured,
                kafka: kafka.clone(),
                secrets,
                mock: None,
            })
        }
    }

    pub fn is_embedded(&self) -> bool {
        self.mock.is_some()
    }

    /// Configuration shared by every client: brokers, client id, pass-through properties.
    pub fn client_config(&self) -> ClientConfig {
        let mut c = ClientConfig::new();
        c.set("bootstrap.servers", &self.brokers)
            .set("client.id", &self.kafka.client_id);
        for (k, v) in &self.kafka.properties {
            c.set(k, v);
        }
        for (k, v) in &self.secrets {
            c.set(k, v);
        }
        // Statistics feed the consumers' lag metrics only (see `consumer`); other clients would
        // log them.
        c.set("statistics.interval.ms", "0");
        c
    }

    /// An idempotent producer (acks=all, ordered retries).
    pub fn producer(&self) -> anyhow::Result<FutureProducer> {
        let mut c = self.client_config();
        c.set("enable.idempotence", "true")
            .set("acks", "all")
            .set("linger.ms", "5");
        c.create().context("creating the Kafka producer")
    }

    /// A consumer in `group` with auto offset *store* disabled: offsets are stored by the stage only
    /// once its outputs are durable, and librdkafka auto-commits what was stored.
    pub fn consumer(&self, group: &str, context: StageContext) -> anyhow::Result<StageConsumer> {
        let mut c = self.client_config();
        c.set("group.id", group)
            .set("statistics.interval.ms", "5000")
            .set("enable.auto.commit", "true")
            .set("auto.commit.interval.ms", "1000")
            .set("enable.auto.offset.store", "false")
            .set("auto.offset.reset", "earliest")
            .set("enable.partition.eof", "false")
            // librdkafka prefetches up to 64 MB by default; 16 MB is thousands of reports ahead
            // and bounds the memory a backlog can take (`kafka.properties` may change it).
            .set("queued.max.messages.kbytes", "16384");
        if self.is_embedded() {
            // The mock cluster waits a whole session timeout on rebalances.
            c.set("session.timeout.ms", "6000");
        }
        for (k, v) in &self.kafka.properties {
            c.set(k, v);
        }
        c.create_with_context(context)
            .context("creating the Kafka consumer")
    }

    /// Creates the topics tocsin uses when they are missing (if `kafka.create_topics`).
    pub async fn ensure_topics(&self) -> anyhow::Result<()> {
        if !self.kafka.create_topics {
            return Ok(());
        }
        let t = &self.kafka.topics;
        let names = [&t.reports, &t.indicators, &t.alerts, &t.dlq];
        if let Some(mock) = &self.mock {
            for name in names {
                // One process consumes everything on the embedded broker: one `reports` partition
                // keeps the feed in the order it was produced, as `tocsin replay` reads it. Several
                // partitions would be consumed one fetch after the other, and a feed spanning
                // weeks would reach the windows out of order by more than the allowed lateness.
                let partitions = if name == &t.reports {
                    1
                } else {
                    self.kafka.partitions
                };
                mock.create_topic(name, partitions, 1)
                    .with_context(|| format!("creating topic {name} on the embedded broker"))?;
            }
            mock.create_topic(&t.checkpoints, 1, 1).with_context(|| {
                format!("creating topic {} on the embedded broker", t.checkpoints)
            })?;
            return Ok(());
        }
        let admin: AdminClient<DefaultClientContext> = self
            .client_config()
            .create()
            .context("creating the Kafka admin client")?;
        let topics: Vec<NewTopic<'_>> = names
            .iter()
            .map(|n| {
                NewTopic::new(
                    n,
                    self.kafka.partitions,
                    TopicReplication::Fixed(self.kafka.replication_factor),
                )
            })
            .chain(std::iter::once(
                NewTopic::new(
                    &t.checkpoints,
                    1,
                    TopicReplication::Fixed(self.kafka.replication_factor),
                )
                .set("cleanup.policy", "compact"),
            ))
            .collect();
        let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
        let results = admin
            .create_topics(topics.iter(), &opts)
            .await
            .context("creating topics")?;
        for r in results {
            match r {
                Ok(name) => tracing::info!(topic = %name, "created topic"),
                Err((_, RDKafkaErrorCode::TopicAlreadyExists)) => {}
                Err((name, code)) => anyhow::bail!("cannot create topic {name}: {code}"),
            }
        }
        Ok(())
    }
}

/// Queues one message, waiting (asynchronously) while the producer's queue is full. Returns the
/// delivery future that resolves once the brokers acknowledge it.
pub async fn send(
    producer: &FutureProducer,
    topic: &str,
    key: Option<&str>,
    payload: &[u8],
) -> Result<DeliveryFuture, KafkaError> {
    let mut record = FutureRecord::<str, [u8]>::to(topic).payload(payload);
    if let Some(k) = key {
        record = record.key(k);
    }
    loop {
        match producer.send_result(record) {
            Ok(f) => return Ok(f),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                record = r;
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
            Err((e, _)) => return Err(e),
        }
    }
}
