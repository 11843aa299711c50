//! Greenlet costs: a switch through the hub (`sleep(0)`), and spawn + join
//! of 10,000; tokio's `yield_now` between two tasks and spawn + join of
//! 10,000 tasks for reference. `compare_greenlets.py` beside this file runs
//! these and gevent's equivalents (and measures memory per idle greenlet).

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use multitask::greenlet::{Greenlet, joinall, sleep};

/// Two greenlets taking turns: `n` switches in all.
fn switches(n: u64) -> Duration {
    let per = n / 2;
    let gs: Vec<Greenlet> = (0..2)
        .map(|_| {
            Greenlet::spawn(move || {
                for _ in 0..per {
                    sleep(0.0);
                }
            })
        })
        .collect();
    let start = Instant::now();
    joinall(&gs).unwrap();
    start.elapsed()
}

/// Two tokio tasks on one thread taking turns with `yield_now`: `n` switches.
fn tokio_switches(rt: &tokio::runtime::Runtime, n: u64) -> Duration {
    let per = n / 2;
    rt.block_on(async {
        let start = Instant::now();
        let turns = || async move {
            for _ in 0..per {
                tokio::task::yield_now().await;
            }
        };
        let (a, b) = tokio::join!(tokio::spawn(turns()), tokio::spawn(turns()));
        a.unwrap();
        b.unwrap();
        start.elapsed()
    })
}

fn greenlets(c: &mut Criterion) {
    let mut g = c.benchmark_group("greenlets");
    g.bench_function("switch via sleep(0)", |b| {
        b.iter_custom(|iters| switches(iters.max(2)))
    });
    g.sample_size(20);
    g.bench_function("spawn + join 10k", |b| {
        b.iter(|| {
            let gs: Vec<Greenlet<u32>> = (0..10_000).map(|i| Greenlet::spawn(move || i)).collect();
            joinall(&gs).unwrap();
        })
    });
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    g.sample_size(100);
    g.bench_function("tokio yield_now", |b| {
        b.iter_custom(|iters| tokio_switches(&rt, iters.max(2)))
    });
    g.sample_size(20);
    g.bench_function("tokio spawn + join 10k", |b| {
        b.iter(|| {
            rt.block_on(async {
                let tasks: Vec<_> = (0..10_000u32)
                    .map(|i| tokio::spawn(async move { i }))
                    .collect();
                for t in tasks {
                    t.await.unwrap();
                }
            })
        })
    });
    g.finish();
}

criterion_group!(benches, greenlets);
criterion_main!(benches);
