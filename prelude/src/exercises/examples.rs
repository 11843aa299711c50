//! Chapter 06's exercises (`notebooks/06-examples.ipynb`, tutorial 示例): waiting
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
//! assert!(exercises::check_io_map(wait_all).passed);
//! assert!(exercises::check_green_map(green_wait_all).passed);
//! assert!(exercises::check_word_count(count_words).passed);
//! assert!(exercises::check_as_they_finish(as_they_finish).passed);
//! ```

use std::collections::BTreeMap;
use std::sync::atomic::Ordering::SeqCst;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::{Exercise, Level, Verdict, census, words};

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
    title: "as_they_finish(delays): wait on every delay at once, hand each result on down a channel as soon as it is ready",
    hints: &[
        "`pool.map` keeps the order of the items and gives them all at the end; here the first result out is the first ready, at once (Python's `imap_unordered`, which is an iterator).",
        "One thread per delay, each sending its delay down a channel when its wait ends: `let (send, results) = std::sync::mpsc::channel();` — return `results` right away.",
        "Move a clone of `send` into each thread and drop the original: the receiving end's `iter()` ends when the last thread's sender is gone.",
    ],
};

/// Checks `wait_all` ([`IO_MAP`]): 100 waits of 10–30 ms must come back in
/// order, in well under the 2 s they take one after another, waited on by
/// threads of this process.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-io.txt")) };
/// use multitask::prelude::*;
/// // Out of order.
/// fn wait_all(delays: Vec<u64>) -> Vec<u64> { delays.into_iter().rev().collect() }
/// assert!(!exercises::check_io_map(wait_all).passed);
/// ```
pub fn check_io_map(wait_all: fn(Vec<u64>) -> Vec<u64>) -> Verdict {
    IO_MAP.judge(move || {
        let probe = super::probe();
        let delays: Vec<u64> = (0..100).map(|i| 10 + (i * 7) % 21).collect();
        let start = Instant::now();
        let (got, threads) = census::threads_during(|| wait_all(delays.clone()));
        let took = start.elapsed();
        if got != delays {
            return Err(format!(
                "the results must be the delays, in the order given: {}",
                words::first_difference(&got, &delays)
            ));
        }
        let processes = probe.processes_started.load(SeqCst);
        if processes > 0 {
            return Err(format!(
                "{processes} processes were started: waiting needs no process of its own — the \
                 threads of a ThreadPool wait on many things at once, here in this process"
            ));
        }
        let sequential: u64 = delays.iter().sum();
        let ms = took.as_millis() as u64;
        if ms * 4 > sequential && (1..=8).contains(&threads.started) {
            return Err(format!(
                "it took {ms} ms: only {} thread(s) waited — waiting is not computing, so a pool \
                 of many more threads than cores (64, say) waits on that many at once",
                threads.started
            ));
        }
        if ms * 4 > sequential {
            return Err(format!(
                "it took {ms} ms; one after another takes {sequential} ms — wait on many at once"
            ));
        }
        Ok(format!(
            "100 waits ({sequential} ms one after another) came back in order, concurrently"
        ))
    })
}

/// Checks `green_wait_all` ([`GREEN_MAP`]): 100 waits in order, together,
/// each in a greenlet, and no thread started for them.
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
/// assert!(!exercises::check_green_map(green_wait_all).passed);
/// ```
pub fn check_green_map(green_wait_all: fn(Vec<u64>) -> Vec<u64>) -> Verdict {
    GREEN_MAP.judge(move || {
        let probe = super::probe();
        let delays: Vec<u64> = (0..100).map(|i| 10 + (i * 7) % 21).collect();
        let start = Instant::now();
        let (got, threads) = census::threads_during(|| green_wait_all(delays.clone()));
        let took = start.elapsed();
        if got != delays {
            return Err(format!(
                "the results must be the delays, in the order given: {}",
                words::first_difference(&got, &delays)
            ));
        }
        if threads.started > 0 {
            return Err(words::threads_not_green(threads.started, "greenlets"));
        }
        if probe.greenlets_spawned.load(SeqCst) < 100 {
            return Err("each wait should be a greenlet of its own (Greenlet::spawn)".into());
        }
        if probe.most_greenlets_alive.load(SeqCst) < 2 {
            return Err(words::one_at_a_time("greenlets"));
        }
        let sequential: u64 = delays.iter().sum();
        let ms = took.as_millis() as u64;
        if ms * 4 > sequential {
            return Err(format!(
                "it took {ms} ms, about the {sequential} ms of the waits one after another, though \
                 the greenlets were alive together: std::thread::sleep blocks the thread — \
                 greenlet::sleep lets the others run while it waits"
            ));
        }
        Ok(format!(
            "100 waits ({sequential} ms one after another) in {ms} ms, on this one thread"
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
/// four workers, one, and no text; the counting must be done by worker
/// processes.
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
/// assert!(!exercises::check_word_count(count_words).passed);
/// ```
pub fn check_word_count(count_words: fn(String, usize) -> BTreeMap<String, usize>) -> Verdict {
    WORD_COUNT.judge(move || {
        let probe = super::probe();
        let text = words_text();
        let mut want: BTreeMap<String, usize> = BTreeMap::new();
        for word in text.split_whitespace() {
            *want.entry(word.to_string()).or_insert(0) += 1;
        }
        let count = |text: String, workers: usize| {
            let call = if text.is_empty() {
                format!("count_words(\"\", {workers})")
            } else {
                format!("count_words(text, {workers})")
            };
            let counted = super::unless_todo(|| census::threads_during(|| count_words(text, workers)));
            counted.map_err(|what| {
                let why = if what.contains("char boundary") {
                    ": a cut fell inside a character (生 takes three bytes) — split between lines"
                } else if what.contains("chunk size must be non-zero") {
                    ": there are no lines to share out — make the chunk size at least 1"
                } else {
                    ""
                };
                format!("{call} panicked ({what}){why}")
            })
        };
        for workers in [4, 1] {
            let (got, threads) = count(text.clone(), workers)?;
            if got == want {
                if probe.processes_started.load(SeqCst) == 0 {
                    return Err(words::no_process(threads.started));
                }
                continue;
            }
            if let Some(stranger) = got.keys().find(|w| !want.contains_key(*w)) {
                if stranger.is_empty() || stranger.chars().any(char::is_whitespace) {
                    return Err(format!(
                        "with {workers} workers it counted {stranger:?} as a word: split on all \
                         whitespace (split_whitespace), not on ' ' only"
                    ));
                }
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
            let short = want.iter().all(|(w, n)| got.get(w).is_none_or(|g| g <= n));
            let advice = if short && workers > 1 {
                " — add each part's count to the total (+=), do not replace it"
            } else {
                ""
            };
            return Err(format!(
                "with {workers} workers {word:?} was counted {} times, expected {n}{advice}",
                got.get(&word).copied().unwrap_or(0)
            ));
        }
        let (none, _) = count(String::new(), 3)?;
        if !none.is_empty() {
            return Err(format!("an empty text gave {none:?}, expected no words"));
        }
        Ok(format!(
            "{} words of {} kinds counted right by 4 worker processes and by 1",
            want.values().sum::<usize>(),
            want.len()
        ))
    })
}

/// Checks `as_they_finish` ([`AS_THEY_FINISH`]): six waits of 0 to 300 ms
/// must come down the channel shortest first, each about when its wait ends
/// (the first long before the last), and the channel must close after the
/// sixth.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-finish.txt")) };
/// use multitask::prelude::*;
/// use std::sync::mpsc::{Receiver, channel};
/// // Waited on together, but sorted once all were done.
/// fn as_they_finish(delays: Vec<u64>) -> Receiver<u64> {
///     let mut done = ThreadPool::new(8).unwrap().map(|ms: u64| {
///         std::thread::sleep(std::time::Duration::from_millis(ms));
///         ms
///     }, delays).unwrap();
///     done.sort();
///     let (send, results) = channel();
///     for ms in done { send.send(ms).unwrap(); }
///     results
/// }
/// let verdict = exercises::check_as_they_finish(as_they_finish);
/// assert!(verdict.message.contains("before handing any on"), "{}", verdict.message);
/// ```
pub fn check_as_they_finish(as_they_finish: fn(Vec<u64>) -> Receiver<u64>) -> Verdict {
    AS_THEY_FINISH.judge(move || {
        let delays = vec![300, 100, 200, 0, 250, 50];
        let mut want = delays.clone();
        want.sort_unstable();
        let start = Instant::now();
        let (results, threads) = census::threads_during(|| {
            let results = as_they_finish(delays.clone());
            let mut got = Vec::new();
            while got.len() < delays.len() {
                match results.recv_timeout(Duration::from_secs(3)) {
                    Ok(ms) => got.push((ms, start.elapsed())),
                    Err(_) => break,
                }
            }
            let closed = results.recv_timeout(Duration::from_secs(1));
            (got, closed)
        });
        let (got, closed) = results;
        let values: Vec<u64> = got.iter().map(|&(ms, _)| ms).collect();
        if values.len() < delays.len() {
            return Err(format!(
                "only {} result(s) came down the channel ({values:?}) of {}: each wait must send \
                 its delay when it ends",
                values.len(),
                delays.len()
            ));
        }
        if values == delays {
            return Err(format!(
                "it gave {values:?}, the order of the delays: that is map's order — give each as it finishes, {want:?}"
            ));
        }
        if values != want {
            return Err(format!("it gave {values:?}; in the order they finish they are {want:?}"));
        }
        let first = got[0].1;
        let last = got[got.len() - 1].1;
        if first > Duration::from_millis(150) {
            return Err(format!(
                "the first result (0 ms) came after {} ms, when all the waits were done: it waited \
                 for every delay before handing any on — send each down the channel as it finishes",
                first.as_millis()
            ));
        }
        if last > Duration::from_millis(450) {
            return Err(format!(
                "the last result came after {} ms; waiting on all at once takes about 300 ms (the longest)",
                last.as_millis()
            ));
        }
        if closed.is_err_and(|e| e == RecvTimeoutError::Timeout) {
            return Err("all 6 results came, but the channel stayed open: drop the original \
                        sender, so that the receiving end knows no more will come"
                .into());
        }
        if threads.still_running > 0 {
            return Err(words::threads_left(threads.still_running));
        }
        Ok(format!(
            "{want:?}, each as it finished (the first after {} ms), all in {} ms",
            first.as_millis(),
            last.as_millis()
        ))
    })
}
