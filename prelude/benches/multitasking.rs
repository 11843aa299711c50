//! Processes, threads, pipes, queues and pools, per operation.
//! `compare_multitasking.py` beside this file runs these and CPython's
//! equivalents (multiprocessing with fork, threading, multiprocessing.dummy).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use multitask::multiprocessing::{Pool, Process, Queue, pipe_oneway};
use multitask::threading::{Thread, ThreadPool};

/// Messages per measured batch: enough that the fork is a small part.
const MESSAGES: u64 = 200_000;

fn processes(c: &mut Criterion) {
    let mut g = c.benchmark_group("multitasking");
    g.sample_size(20);
    g.bench_function("process start+join", |b| {
        b.iter(|| {
            let p = Process::new(|| {});
            p.start().unwrap();
            black_box(p.join().unwrap())
        })
    });
    // The floors: a bare fork + _exit + waitpid, and std's spawn + join.
    g.bench_function("raw fork+waitpid", |b| {
        b.iter(|| {
            // SAFETY: the child only calls `_exit`.
            match unsafe { libc::fork() } {
                // SAFETY: `_exit` ends the child at once.
                0 => unsafe { libc::_exit(0) },
                pid => {
                    let mut status = 0;
                    // SAFETY: our own child; `status` is a valid out pointer.
                    unsafe { libc::waitpid(pid, &mut status, 0) };
                    black_box(status)
                }
            }
        })
    });
    g.bench_function("raw std spawn+join", |b| {
        b.iter(|| black_box(std::thread::spawn(|| 1).join().unwrap()))
    });
    g.bench_function("thread start+join", |b| {
        b.iter(|| {
            let t = Thread::new(|| 1);
            t.start().unwrap();
            black_box(t.join().unwrap())
        })
    });
    // Per message, received in the parent from a child that sends a batch.
    g.bench_function("pipe message", |b| {
        b.iter_custom(|iters| per_message(iters, pipe_batch))
    });
    g.bench_function("pipe message, sent in batches of 1000", |b| {
        b.iter_custom(|iters| per_message(iters, pipe_batch_many))
    });
    g.bench_function("queue message", |b| {
        b.iter_custom(|iters| per_message(iters, queue_batch))
    });
    let pool = ThreadPool::new(None).unwrap();
    g.bench_function("thread pool map 1M squares", |b| {
        b.iter(|| black_box(pool.map(|x: i64| x * x, 0..1_000_000).unwrap()))
    });
    let pool = Pool::new(None);
    g.bench_function("process pool map 200 sums", |b| {
        b.iter(|| {
            black_box(
                pool.map(
                    |_: u32| (0..100_000_u64).map(black_box).sum::<u64>(),
                    0..200,
                )
                .unwrap(),
            )
        })
    });
    g.finish();
}

/// Time per message over `iters` messages, sent in batches of `MESSAGES`.
fn per_message(iters: u64, batch: fn(u64) -> Duration) -> Duration {
    let mut total = Duration::ZERO;
    let mut left = iters * MESSAGES;
    while left > 0 {
        let n = left.min(MESSAGES);
        total += batch(n);
        left -= n;
    }
    total / u32::try_from(MESSAGES).unwrap()
}

fn pipe_batch(n: u64) -> Duration {
    let start = Instant::now();
    let (r, w) = pipe_oneway::<u64>().unwrap();
    let p = Process::new(move || {
        for i in 0..n {
            w.send(i).unwrap();
        }
    });
    p.start().unwrap();
    for _ in 0..n {
        black_box(r.recv().unwrap());
    }
    p.join().unwrap();
    start.elapsed()
}

fn pipe_batch_many(n: u64) -> Duration {
    let start = Instant::now();
    let (r, w) = pipe_oneway::<u64>().unwrap();
    let p = Process::new(move || {
        let mut i = 0;
        while i < n {
            let end = (i + 1000).min(n);
            w.send_many(i..end).unwrap();
            i = end;
        }
    });
    p.start().unwrap();
    for _ in 0..n {
        black_box(r.recv().unwrap());
    }
    p.join().unwrap();
    start.elapsed()
}

fn queue_batch(n: u64) -> Duration {
    let start = Instant::now();
    let q = Queue::<u64>::new().unwrap();
    let child = q.clone();
    let p = Process::new(move || {
        for i in 0..n {
            child.put(i).unwrap();
        }
    });
    p.start().unwrap();
    for _ in 0..n {
        black_box(q.get().unwrap());
    }
    p.join().unwrap();
    start.elapsed()
}

criterion_group!(benches, processes);
criterion_main!(benches);
