//! asyncio's costs: a task switch (two tasks taking turns with `sleep(0)`)
//! and spawn + join of 10,000 tasks, on the prelude's one-thread loop.
//! `compare_asyncio.py` beside this file runs these and CPython's asyncio
//! doing the same, and prints one table.

use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use multitask::asyncio::{self, sleep, spawn};

/// Two tasks taking turns with `sleep(0)`: `n` switches in all.
fn switches(n: u64) -> Duration {
    let per = n / 2;
    asyncio::run(async move {
        let turns = || async move {
            for _ in 0..per {
                sleep(0.0).await;
            }
        };
        let start = Instant::now();
        let (a, b) = (spawn(turns()), spawn(turns()));
        a.await.unwrap();
        b.await.unwrap();
        start.elapsed()
    })
}

fn asyncio_costs(c: &mut Criterion) {
    let mut g = c.benchmark_group("asyncio");
    g.bench_function("switch via sleep(0)", |b| {
        b.iter_custom(|iters| switches(iters.max(2)))
    });
    g.sample_size(20);
    g.bench_function("spawn + join 10k", |b| {
        b.iter(|| {
            asyncio::run(async {
                let tasks: Vec<_> = (0..10_000u32).map(|i| spawn(async move { i })).collect();
                for t in tasks {
                    t.await.unwrap();
                }
            })
        })
    });
    g.finish();
}

criterion_group!(benches, asyncio_costs);
criterion_main!(benches);
