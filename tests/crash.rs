//! Nothing lost, nothing counted twice: `tocsin run` killed with SIGKILL at random points and
//! restarted, and an alerting instance leaving its group mid-stream, must publish the same alert
//! emissions as an uninterrupted run. Runs against the broker in `TOCSIN_TEST_BROKERS` (CI starts
//! tansu), or else against the embedded mock cluster held by this test.

mod common;

use std::time::Duration;

use common::broker::*;

/// A small deterministic generator for the kill times.
fn pauses(n: usize) -> Vec<Duration> {
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            Duration::from_millis(1500 + x % 3500)
        })
        .collect()
}

#[test]
fn crashes_and_rebalances_neither_lose_nor_double_count() {
    let broker = Broker::get();
    let quiet = Duration::from_secs(8);
    let within = Duration::from_secs(300);

    // The reference: one uninterrupted run.
    let feed = long_feed(10);
    let a = setup(&broker, "steady", (1, 3), Extra::default());
    produce(&broker.brokers, &a.reports, &feed, None);
    let run = start(&a, &[], "steady.log");
    let (want, _) = alerts(&broker.brokers, &a.alerts, quiet, within);
    let st = stop(run, "-TERM");
    assert!(
        st.success(),
        "uninterrupted run exited with {st:?}\n{}",
        log_of(&a, "steady.log")
    );
    assert!(
        want.len() > 50,
        "the long feed raises many alert emissions: {}",
        want.len()
    );

    // Killed with SIGKILL ten times at random points, restarted each time.
    let b = setup(&broker, "crash", (1, 3), Extra::default());
    produce(&broker.brokers, &b.reports, &feed, None);
    for (i, pause) in pauses(10).into_iter().enumerate() {
        let child = start(&b, &[], &format!("crash-{i}.log"));
        std::thread::sleep(pause);
        stop(child, "-KILL");
    }
    let last = start(&b, &[], "crash-final.log");
    let (got, total) = alerts(&broker.brokers, &b.alerts, quiet, within);
    let st = stop(last, "-TERM");
    assert!(
        st.success(),
        "final run exited with {st:?}\n{}",
        log_of(&b, "crash-final.log")
    );
    assert_same(
        "after 10 crashes",
        &want,
        &got,
        &log_of(&b, "crash-final.log"),
    );
    eprintln!(
        "crash test: {} emissions, {} messages on the alerts topic (re-emissions after crashes included)",
        got.len(),
        total
    );

    // Two alerting instances in one group; one leaves mid-stream, the survivor takes over.
    let c = setup(&broker, "rebalance", (1, 3), Extra::default());
    produce(&broker.brokers, &c.reports, &feed, None);
    let enrich = start(&c, &["--stage", "enrich"], "enrich.log");
    let alert1 = start(&c, &["--stage", "alert"], "alert1.log");
    let alert2 = start(&c, &["--stage", "alert"], "alert2.log");
    std::thread::sleep(Duration::from_secs(8));
    stop(alert2, "-KILL");
    let (got, _) = alerts(&broker.brokers, &c.alerts, quiet, within);
    for (child, log) in [(alert1, "alert1.log"), (enrich, "enrich.log")] {
        let st = stop(child, "-TERM");
        assert!(st.success(), "{log}: {st:?}\n{}", log_of(&c, log));
    }
    assert_same("after a rebalance", &want, &got, &log_of(&c, "alert1.log"));
    drop(broker);
}
