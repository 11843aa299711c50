//! Chapter 06's exercises (`notebooks/06-examples.ipynb`, seed 示例): waiting
//! on many things at once with a thread pool (warm-up), the same with
//! greenlets on one thread (combine, chapter 04), a Master–Worker word count
//! over a process pool (combine, chapter 01), and results as they finish
//! rather than in order (challenge).
//!
//! The reference solutions, `notebooks/solutions/06-examples.rs`, pass:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-06.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/06-examples.rs")]
//! assert!(check_io_map(wait_all).passed);
//! assert!(check_green_map(green_wait_all).passed);
//! assert!(check_word_count(count_words).passed);
//! assert!(check_as_they_finish(as_they_finish).passed);
//! ```

use std::collections::{BTreeMap, BTreeSet};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::{Exercise, Level, Verdict, stuck};

const CHAPTER: &str = "06-examples";

/// `wait_all(delays)`: `ThreadPool::map` over waits.
pub const IO_MAP: Exercise = Exercise {
    id: "06-io-map",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "wait_all(delays): run slow waits concurrently, results in order, fast",
    hints: &[
        "Each item is a wait: `std::thread::sleep(Duration::from_millis(ms))`, then return `ms`.",
        "Waiting is not computing: a `ThreadPool::new(64)` waits on 64 items at once.",
        "`ThreadPool::new(64).unwrap().map(|ms: u64| { …; ms }, delays).unwrap()`.",
    ],
};

/// `green_wait_all(delays)`: the waits again, in greenlets on one thread.
pub const GREEN_MAP: Exercise = Exercise {
    id: "06-green-map",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "green_wait_all(delays): the same waits, each in a greenlet, all on this one thread",
    hints: &[
        "A greenlet waits with `greenlet::sleep(secs)` — it gives the thread to the other greenlets meanwhile; `std::thread::sleep` would not.",
        "Spawn them all first: `Greenlet::spawn(move || { greenlet::sleep(ms as f64 / 1000.0); ms })`, then `get()` each in order.",
    ],
};

/// `count_words(text, workers)`: Master–Worker over a process pool.
pub const WORD_COUNT: Exercise = Exercise {
    id: "06-word-count",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "count_words(text, workers): split the text, count each part's words in a process Pool, add the counts up",
    hints: &[
        "Split between lines (`text.lines()`), never at a byte offset: a cut there can fall inside a word, or inside a character such as 生.",
        "Make `workers` chunks of lines (`lines.chunks(size)`, `size = lines.len().div_ceil(workers).max(1)`), each a `Vec<String>`; `Pool::new(workers).map(count_chunk, chunks)`.",
        "Each worker returns a `BTreeMap<String, usize>` of `split_whitespace()` words; the master adds the maps: `*total.entry(word).or_insert(0) += n`.",
    ],
};

/// `as_they_finish(delays)`: results in the order they are ready.
pub const AS_THEY_FINISH: Exercise = Exercise {
    id: "06-as-they-finish",
    chapter: CHAPTER,
    level: Level::Challenge,
    title: "as_they_finish(delays): wait on every delay at once, give the results in the order they finish",
    hints: &[
        "`pool.map` keeps the order of the items; here the first result out is the first ready (Python's `imap_unordered`).",
        "One thread per delay, each sending its delay down a channel when its wait ends: `let (send, results) = std::sync::mpsc::channel();`.",
        "Move a clone of `send` into each thread, drop the original, then `results.iter().collect()` ends when the last thread's sender is gone; join the threads.",
    ],
};

/// Checks `wait_all` ([`IO_MAP`]): 100 waits of 10–30 ms must come back in
/// order, in well under the 2 s they take one after another.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-io.txt")) };
/// use multitask::prelude::*;
/// // Out of order.
/// fn wait_all(delays: Vec<u64>) -> Vec<u64> { delays.into_iter().rev().collect() }
/// assert!(!check_io_map(wait_all).passed);
/// ```
pub fn check_io_map(wait_all: fn(Vec<u64>) -> Vec<u64>) -> Verdict {
    IO_MAP.judge(move || {
        let delays: Vec<u64> = (0..100).map(|i| 10 + (i * 7) % 21).collect();
        let start = std::time::Instant::now();
        let got = wait_all(delays.clone());
        let took = start.elapsed();
        if got != delays {
            return Err("the results must be the delays, in the order given".into());
        }
        let sequential: u64 = delays.iter().sum();
        if took.as_millis() as u64 * 4 > sequential {
            return Err(format!(
                "it took {} ms; one after another takes {sequential} ms — wait on many at once",
                took.as_millis()
            ));
        }
        Ok(format!(
            "100 waits ({sequential} ms one after another) came back in order, concurrently"
        ))
    })
}

/// The threads that appear while `f` runs, sampled every millisecond by a
/// watcher thread started first (which does not count).
fn threads_started_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    let seen = Arc::new(Mutex::new(BTreeSet::<u32>::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let (watching, watches) = std::sync::mpsc::channel();
    let watcher = std::thread::spawn({
        let (seen, stop) = (Arc::clone(&seen), Arc::clone(&stop));
        move || {
            let me = stuck::this_thread();
            let _ = watching.send(());
            while !stop.load(Ordering::SeqCst) {
                let new = stuck::threads_since(me)
                    .into_iter()
                    .filter(|&tid| tid != me);
                seen.lock().unwrap_or_else(|p| p.into_inner()).extend(new);
                std::thread::sleep(Duration::from_millis(1));
            }
        }
    });
    let _ = watches.recv();
    let result = f();
    stop.store(true, Ordering::SeqCst);
    let _ = watcher.join();
    let started = seen.lock().unwrap_or_else(|p| p.into_inner()).len();
    (result, started)
}

/// Checks `green_wait_all` ([`GREEN_MAP`]): 100 waits in order, together,
/// and no thread started for them.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-green-map.txt")) };
/// use multitask::prelude::*;
/// // Concurrent, but on threads.
/// fn green_wait_all(delays: Vec<u64>) -> Vec<u64> {
///     ThreadPool::new(100).unwrap().map(|ms: u64| {
///         std::thread::sleep(std::time::Duration::from_millis(ms));
///         ms
///     }, delays).unwrap()
/// }
/// assert!(!check_green_map(green_wait_all).passed);
/// ```
pub fn check_green_map(green_wait_all: fn(Vec<u64>) -> Vec<u64>) -> Verdict {
    GREEN_MAP.judge(move || {
        let delays: Vec<u64> = (0..100).map(|i| 10 + (i * 7) % 21).collect();
        let start = Instant::now();
        let (got, threads) = threads_started_during(|| green_wait_all(delays.clone()));
        let took = start.elapsed();
        if got != delays {
            return Err("the results must be the delays, in the order given".into());
        }
        let sequential: u64 = delays.iter().sum();
        if took.as_millis() as u64 * 4 > sequential {
            return Err(format!(
                "it took {} ms; one after another takes {sequential} ms — spawn every greenlet before waiting for any",
                took.as_millis()
            ));
        }
        if threads > 0 {
            return Err(format!(
                "{threads} thread(s) were started for it: greenlets share the one thread that spawns them"
            ));
        }
        Ok(format!(
            "100 waits ({sequential} ms one after another) in {} ms, on this one thread",
            took.as_millis()
        ))
    })
}

/// A text whose words are easy to cut: long ones, and Chinese ones whose
/// characters take three bytes each.
fn words_text() -> String {
    let words = [
        "multitasking",
        "生成器",
        "greenlet",
        "协程",
        "process",
        "thread",
        "yield",
    ];
    (0..240)
        .map(|line| {
            (0..(line % 7 + 1))
                .map(|i| words[(line * 3 + i * 5) % words.len()])
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Checks `count_words` ([`WORD_COUNT`]) against a count made here, with
/// one worker, four workers, and no text.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-words.txt")) };
/// use multitask::prelude::*;
/// use std::collections::BTreeMap;
/// // Only the first line counted.
/// fn count_words(text: String, _workers: usize) -> BTreeMap<String, usize> {
///     let mut counts = BTreeMap::new();
///     for word in text.lines().next().unwrap_or("").split_whitespace() {
///         *counts.entry(word.to_string()).or_insert(0) += 1;
///     }
///     counts
/// }
/// assert!(!check_word_count(count_words).passed);
/// ```
pub fn check_word_count(count_words: fn(String, usize) -> BTreeMap<String, usize>) -> Verdict {
    WORD_COUNT.judge(move || {
        let text = words_text();
        let mut want: BTreeMap<String, usize> = BTreeMap::new();
        for word in text.split_whitespace() {
            *want.entry(word.to_string()).or_insert(0) += 1;
        }
        for workers in [4, 1] {
            let got = count_words(text.clone(), workers);
            if got == want {
                continue;
            }
            if let Some(stranger) = got.keys().find(|w| !want.contains_key(*w)) {
                return Err(format!(
                    "with {workers} workers it counted {stranger:?}, which is not a word of the text: \
                     a cut fell inside a word — split between lines"
                ));
            }
            let (word, n) = want
                .iter()
                .find(|(w, n)| got.get(*w) != Some(n))
                .map(|(w, n)| (w.clone(), *n))
                .unwrap_or_default();
            return Err(format!(
                "with {workers} workers {word:?} was counted {} times, expected {n}",
                got.get(&word).copied().unwrap_or(0)
            ));
        }
        let none = count_words(String::new(), 3);
        if !none.is_empty() {
            return Err(format!("an empty text gave {none:?}, expected no words"));
        }
        Ok(format!(
            "{} words of {} kinds counted right by 4 workers and by 1",
            want.values().sum::<usize>(),
            want.len()
        ))
    })
}

/// Checks `as_they_finish` ([`AS_THEY_FINISH`]): six waits 50 ms apart
/// come back shortest first, together, and leave no thread behind.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-finish.txt")) };
/// use multitask::prelude::*;
/// // In the order given, as map would.
/// fn as_they_finish(delays: Vec<u64>) -> Vec<u64> {
///     ThreadPool::new(8).unwrap().map(|ms: u64| {
///         std::thread::sleep(std::time::Duration::from_millis(ms));
///         ms
///     }, delays).unwrap()
/// }
/// assert!(!check_as_they_finish(as_they_finish).passed);
/// ```
pub fn check_as_they_finish(as_they_finish: fn(Vec<u64>) -> Vec<u64>) -> Verdict {
    AS_THEY_FINISH.judge(move || {
        let delays = vec![300, 100, 200, 0, 250, 50];
        let before = crate::threading::active_count();
        let start = Instant::now();
        let got = as_they_finish(delays.clone());
        let took = start.elapsed();
        let mut want = delays.clone();
        want.sort_unstable();
        if got.len() != delays.len() {
            return Err(format!("it gave {} results for {} delays: {got:?}", got.len(), delays.len()));
        }
        if got == delays {
            return Err(format!(
                "it gave {got:?}, the order of the delays: that is map's order — give each as it finishes, {want:?}"
            ));
        }
        if got != want {
            return Err(format!("it gave {got:?}; in the order they finish they are {want:?}"));
        }
        if took > Duration::from_millis(450) {
            return Err(format!(
                "it took {} ms; waiting on all at once takes about 300 ms (the longest)",
                took.as_millis()
            ));
        }
        let after = crate::threading::active_count();
        if after > before {
            return Err(format!("{} thread(s) still run after it returned: join them", after - before));
        }
        Ok(format!("{want:?}, shortest first, all in {} ms", took.as_millis()))
    })
}
