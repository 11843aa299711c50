//! Chapter 01's exercises (`notebooks/01-processes.ipynb`, tutorial §1.1 进程): a
//! process `Pool` (warm-up), a child that answers down a pipe (warm-up), a
//! counter shared by processes that loses no update (combine), and workers
//! fed by a queue that all stop cleanly (challenge).
//!
//! The reference solutions, `notebooks/solutions/01-processes.rs`, pass:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-01.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/01-processes.rs")]
//! assert!(exercises::check_lossless_counter(count_in_processes).passed);
//! assert!(exercises::check_pool_squares(squares_in_pool).passed);
//! assert!(exercises::check_pipe_doubler(doubled_by_child).passed);
//! assert!(exercises::check_queue_workers(sum_with_workers).passed);
//! ```

use std::collections::BTreeSet;
use std::time::Duration;

use std::sync::atomic::Ordering::SeqCst;

use super::{Exercise, Level, Verdict, census, stuck, words};
use crate::multiprocessing::getpid;
use crate::probe::Probe;

const CHAPTER: &str = "01-processes";

/// `count_in_processes(procs, each)`: shared memory and a process lock.
pub const LOSSLESS_COUNTER: Exercise = Exercise {
    id: "01-lossless-counter",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "count_in_processes(procs, each): a shared counter that loses no update",
    hints: &[
        "Make a `multiprocessing::Value::new(0_i64)?` before starting the processes; give each a clone.",
        "Each process adds 1, `each` times. Hold `value.get_lock().acquire()` around `value.set(value.get() + 1)`.",
        "Start all processes first, then join them all, then return `value.get()`.",
    ],
};

/// `squares_in_pool(numbers)`: Master–Worker with a process `Pool`.
pub const POOL_SQUARES: Exercise = Exercise {
    id: "01-pool-squares",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "squares_in_pool(numbers): x² of each, computed by a process Pool, in order",
    hints: &[
        "`Pool::new(2)` makes the pool; `pool.map(f, items)` returns `Result<Vec<_>, _>`.",
        "`pool.map(|x: i64| x * x, numbers).unwrap()` — map keeps the order of the items.",
    ],
};

/// `doubled_by_child(numbers)`: a child process that answers down a pipe.
pub const PIPE_DOUBLER: Exercise = Exercise {
    id: "01-pipe-doubler",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "doubled_by_child(numbers): one child doubles each number sent down a pipe, with its pid",
    hints: &[
        "`multiprocessing::duplex::<Option<i64>, (i32, i64)>()` gives two ends: the first sends `Option<i64>` and receives `(i32, i64)`; move the second into the `Process`.",
        "In the child: `while let Ok(Some(x)) = end.recv() { end.send((getpid(), 2 * x)).unwrap(); }` — `None` says there is no more.",
        "In the parent: send each `Some(x)` and `recv()` its answer, then send `None` and `join()` the child.",
    ],
};

/// `sum_with_workers(numbers, workers)`: Master–Worker over queues.
pub const QUEUE_WORKERS: Exercise = Exercise {
    id: "01-queue-workers",
    chapter: CHAPTER,
    level: Level::Challenge,
    title: "sum_with_workers(numbers, workers): worker processes sum what a queue hands out, then all stop",
    hints: &[
        "Two queues: `Queue::<Option<i64>>::new()` for the work and `Queue::<i64>::new()` for the answers; each worker gets a clone of both.",
        "A worker loops `while let Ok(Some(x)) = work.get() { sum += x }`, then puts its `sum` on the answers queue.",
        "A worker stops only at a `None`, and each `None` stops one worker: after the numbers, put one `None` per worker.",
        "Take exactly `workers` answers from the answers queue, then `join()` every worker.",
    ],
};

/// Checks `count_in_processes` ([`LOSSLESS_COUNTER`]): processes that share a
/// counter must lose no update, and must run side by side.
///
/// While it runs, a child's read of a shared value waits half a millisecond
/// before going on ([`crate::probe`]): a read-then-write without the lock
/// then lets the other processes in every time, not once in a while.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-lossless.txt")) };
/// use multitask::prelude::*;
/// fn count_in_processes(_procs: usize, _each: usize) -> i64 { 0 }
/// assert!(!exercises::check_lossless_counter(count_in_processes).passed);
/// ```
pub fn check_lossless_counter(count_in_processes: fn(usize, usize) -> i64) -> Verdict {
    LOSSLESS_COUNTER.judge(move || {
        let probe = super::probe();
        probe.slow_shared_reads_us.store(500, SeqCst);
        for (procs, each) in [(4, 200), (2, 50), (1, 10)] {
            probe.most_processes_alive.store(0, SeqCst);
            let started = probe.processes_started.load(SeqCst);
            let (got, threads) = census::threads_during(|| count_in_processes(procs, each));
            let started = probe.processes_started.load(SeqCst) - started;
            let call = format!("count_in_processes({procs}, {each})");
            if started == 0 {
                return Err(words::no_process(threads.started));
            }
            not_joined(probe, "the counting processes")?;
            let want = (procs * each) as i64;
            if got != want && probe.locks_made_in_children.load(SeqCst) > 0 {
                return Err(format!(
                    "{call} gave {got}, expected {want}: each process made a Lock of its own, so \
                     none ever waited for another — make one lock before starting them \
                     (value.get_lock() is one) and share it"
                ));
            }
            if got < want && got > 0 {
                return Err(format!(
                    "{} — hold value.get_lock() around both the get and the set (`let _held = \
                     …acquire();` — with `let _ =` the guard is dropped at once)",
                    words::lost_updates(&call, got, want, "processes")
                ));
            }
            if got != want {
                return Err(format!("{call} gave {got}, expected {want}"));
            }
            if procs > 1 && probe.most_processes_alive.load(SeqCst) < 2 {
                return Err(words::one_at_a_time("processes"));
            }
        }
        Ok("4 processes × 200 slowed increments give exactly 800, side by side".into())
    })
}

/// Checks `squares_in_pool` ([`POOL_SQUARES`]): the squares in order,
/// computed by a few worker processes.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-squares.txt")) };
/// use multitask::prelude::*;
/// // The numbers back, not squared.
/// fn squares_in_pool(numbers: Vec<i64>) -> Vec<i64> { numbers }
/// assert!(!exercises::check_pool_squares(squares_in_pool).passed);
/// ```
pub fn check_pool_squares(squares_in_pool: fn(Vec<i64>) -> Vec<i64>) -> Verdict {
    POOL_SQUARES.judge(move || {
        let probe = super::probe();
        for numbers in [
            vec![3, -1, 4, 1, -5, 9, 2, 6],
            vec![],
            (0..1000).rev().collect(),
        ] {
            let want: Vec<i64> = numbers.iter().map(|x| x * x).collect();
            let started = probe.processes_started.load(SeqCst);
            let (got, threads) = census::threads_during(|| squares_in_pool(numbers.clone()));
            let started = probe.processes_started.load(SeqCst) - started;
            let of = format!("for {} numbers starting {}", numbers.len(), words::brief(&numbers[..numbers.len().min(4)]));
            if got != want {
                let (mut sorted, mut wanted) = (got.clone(), want.clone());
                sorted.sort_unstable();
                wanted.sort_unstable();
                let order = if sorted == wanted {
                    " — the right squares in another order: Pool's map gives them in the order of the numbers"
                } else {
                    ""
                };
                return Err(format!("{of}, {}{order}", words::first_difference(&got, &want)));
            }
            if !numbers.is_empty() && started == 0 {
                return Err(words::no_process(threads.started));
            }
            not_joined(probe, "its processes")?;
            if started > 64 {
                return Err(format!(
                    "it started {started} processes for {} numbers, one a number: a Pool keeps a \
                     few worker processes and hands each of them many numbers",
                    numbers.len()
                ));
            }
        }
        Ok("squares in the order of the numbers, by a few worker processes, also for none and for 1000".into())
    })
}

/// Checks `doubled_by_child` ([`PIPE_DOUBLER`]): the answers, in order, all
/// from one other process, which is gone afterwards.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-pipe.txt")) };
/// use multitask::prelude::*;
/// // Doubled, but by the parent itself.
/// fn doubled_by_child(numbers: Vec<i64>) -> Vec<(i32, i64)> {
///     numbers.into_iter().map(|x| (getpid(), 2 * x)).collect()
/// }
/// assert!(!exercises::check_pipe_doubler(doubled_by_child).passed);
/// ```
pub fn check_pipe_doubler(doubled_by_child: fn(Vec<i64>) -> Vec<(i32, i64)>) -> Verdict {
    PIPE_DOUBLER.judge_within(Duration::from_secs(5), move || {
        let probe = super::probe();
        for numbers in [vec![1, 2, 3], vec![], (-100..100).collect()] {
            let got = doubled_by_child(numbers.clone());
            let doubled: Vec<i64> = got.iter().map(|&(_, x)| x).collect();
            let want: Vec<i64> = numbers.iter().map(|x| 2 * x).collect();
            if doubled != want {
                return Err(format!(
                    "for {}, {}",
                    words::brief(&numbers),
                    words::first_difference(&doubled, &want)
                ));
            }
            let pids: Vec<i32> = got
                .iter()
                .map(|&(pid, _)| pid)
                .collect::<BTreeSet<i32>>()
                .into_iter()
                .collect();
            if pids.contains(&getpid()) {
                return Err(format!(
                    "the doubling was done by this process (pid {}): send the numbers to a child",
                    getpid()
                ));
            }
            if pids.len() > 1 {
                return Err(format!(
                    "{} processes did the doubling (pids {}): one child should answer them all",
                    pids.len(),
                    words::brief(&pids)
                ));
            }
            not_joined(probe, "the child")?;
        }
        Ok("one child doubled every number sent to it, in order, and was joined".into())
    })
}

/// Checks `sum_with_workers` ([`QUEUE_WORKERS`]): one partial sum per
/// worker, adding up, and every worker gone when it returns.
///
/// While it runs, each `put` of this process waits 0.3 ms first
/// ([`crate::probe`]): a worker that stops when the queue looks empty then
/// finds it empty before the master is done, every time.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-queue.txt")) };
/// use multitask::prelude::*;
/// // The right total, but no workers.
/// fn sum_with_workers(numbers: Vec<i64>, _workers: usize) -> Vec<i64> {
///     vec![numbers.iter().sum()]
/// }
/// assert!(!exercises::check_queue_workers(sum_with_workers).passed);
/// ```
pub fn check_queue_workers(sum_with_workers: fn(Vec<i64>, usize) -> Vec<i64>) -> Verdict {
    QUEUE_WORKERS.judge_within(Duration::from_secs(10), move || {
        let probe = super::probe();
        probe.slow_puts_us.store(300, SeqCst);
        for (numbers, workers) in [((1..=1000).collect(), 4), (vec![], 3), (vec![7], 1)] {
            probe.most_processes_alive.store(0, SeqCst);
            let started = probe.processes_started.load(SeqCst);
            let (sums, threads) = census::threads_during(|| sum_with_workers(numbers.clone(), workers));
            let started = probe.processes_started.load(SeqCst) - started;
            let numbers: Vec<i64> = numbers;
            if started == 0 {
                return Err(words::no_process(threads.started));
            }
            not_joined(probe, "workers")?;
            let want: i64 = numbers.iter().sum();
            if sums.len() != workers {
                return Err(format!(
                    "with {workers} workers it gave {} partial sums ({}): each worker puts one sum, when it stops",
                    sums.len(),
                    words::brief(&sums)
                ));
            }
            let total: i64 = sums.iter().sum();
            if total < want {
                return Err(format!(
                    "the partial sums {} add up to {total}, expected {want}: some numbers were never \
                     taken — a worker that stops when the queue looks empty can stop before the \
                     master has put them all; stop at a None",
                    words::brief(&sums)
                ));
            }
            if total != want {
                return Err(format!(
                    "the partial sums {} add up to {total}, expected {want} ({} numbers, {workers} workers)",
                    words::brief(&sums),
                    numbers.len()
                ));
            }
        }
        Ok("4 workers summed 1..=1000 to 500500, and every worker stopped and was joined".into())
    })
}

/// `Err` if a process started under the check's watch was not joined: still
/// running (the judge stops it), or dropped unjoined.
fn not_joined(probe: &Probe, who: &str) -> Result<(), String> {
    let running = stuck::still_running(&crate::probe::processes());
    let dropped = probe.processes_not_joined.load(SeqCst);
    if running.is_empty() && dropped == 0 {
        return Ok(());
    }
    Err(words::processes_left(&running, dropped, who))
}
