//! Generator costs, per operation: `send` round trip, `next` per item,
//! create + first resume + close, and `yield_from` per item.
//! `compare_cpython.py` beside this file runs these and CPython's equivalents.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use multitask::prelude::*;

/// An endless counter: `while True: yield n; n += 1`.
fn counter() -> Generator<u64> {
    Generator::new(|co| {
        let mut n = 0u64;
        loop {
            co.yield_(n)?;
            n += 1;
        }
    })
}

/// An endless jumping_range: `while True: jump = yield i; i += jump or 1`.
fn jumper() -> Generator<i64, i64> {
    Generator::new(|co| {
        let mut index = 0i64;
        loop {
            let jump = co.yield_(index)?;
            index = index.wrapping_add(jump.unwrap_or(1));
        }
    })
}

fn generator(c: &mut Criterion) {
    // The floor: corosensei's own resume + suspend, with nothing of ours around it.
    let mut raw = corosensei::Coroutine::new(|yielder: &corosensei::Yielder<u64, u64>, mut n| {
        loop {
            n = yielder.suspend(n + 1);
        }
    });
    c.bench_function("raw corosensei round trip", |b| {
        b.iter(|| raw.resume(black_box(1)))
    });

    let g = jumper();
    g.next().unwrap();
    c.bench_function("send round trip", |b| {
        b.iter(|| g.send(black_box(1)).unwrap())
    });

    let g = counter();
    c.bench_function("next per item", |b| b.iter(|| g.next().unwrap()));

    c.bench_function("create + first resume + close", |b| {
        b.iter(|| {
            let g = counter();
            black_box(g.next().unwrap());
            g.close().unwrap();
        })
    });

    let outer: Generator<u64> = Generator::new(|co| co.yield_from(counter()));
    c.bench_function("yield_from per item", |b| b.iter(|| outer.next().unwrap()));
}

criterion_group!(benches, generator);
criterion_main!(benches);
