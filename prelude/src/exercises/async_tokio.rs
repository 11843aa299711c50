//! Chapter 05's exercises (`notebooks/05-async-tokio.ipynb`, tutorial §3, async
//! IO): many sleeping tasks at once (warm-up), a deadline with `wait_for`
//! and the first of several downloads, the rest cancelled (combine), and at
//! most N downloads at once with tokio's semaphore (challenge; chapter 04's
//! limit in tokio's terms).
//!
//! The reference solutions, `notebooks/solutions/05-async-tokio.rs`, pass:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-05.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/05-async-tokio.rs")]
//! assert!(exercises::check_sleep_all(sleep_all).passed);
//! assert!(exercises::check_deadline(fetch_within).passed);
//! assert!(exercises::check_fastest(fastest).passed);
//! assert!(exercises::check_download_at_most(download_at_most).passed);
//! ```

use std::sync::atomic::Ordering::SeqCst;
use std::time::Instant;

use super::pages::{self, page_server};
use super::{Exercise, Level, Verdict, census, words};
use crate::asyncio::TimeoutError;
use crate::web::{self, PAGES};

const CHAPTER: &str = "05-async-tokio";

/// `sleep_all(delays)`: spawn every task before awaiting any.
pub const SLEEP_ALL: Exercise = Exercise {
    id: "05-sleep-all",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "sleep_all(delays): one task per delay, all sleeping at once; the delays back in order",
    hints: &[
        "`asyncio::run(async { … })` runs async code from a plain function.",
        "Spawn first: `let tasks: Vec<_> = delays.into_iter().map(|d| asyncio::spawn(async move { asyncio::sleep(d).await; d })).collect();`",
        "Then await each in order: `for t in tasks { out.push(t.await.unwrap()); }`.",
    ],
};

/// `fetch_within(url, secs)`: `asyncio::wait_for`.
pub const DEADLINE: Exercise = Exercise {
    id: "05-deadline",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "fetch_within(url, secs): the body's size, or TimeoutError when it takes longer",
    hints: &[
        "`asyncio::http_get(&url)` is a future; `asyncio::wait_for(future, secs)` gives up after `secs`.",
        "`asyncio::run(async { asyncio::wait_for(asyncio::http_get(&url), secs).await.map(|body| body.unwrap().len()) })`",
    ],
};

/// `fastest(urls)`: the first download to end; the others cancelled.
pub const FASTEST: Exercise = Exercise {
    id: "05-fastest",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "fastest(urls): start every download, keep the first that ends (its index and size), cancel the rest",
    hints: &[
        "Spawn one task per URL: `asyncio::spawn(async move { asyncio::http_get(&url).await.unwrap().len() })`, collected in a `Vec`.",
        "`let (index, size, rest) = asyncio::first_completed(tasks).await;` gives the first to end and the others; `task.cancel()` cancels each of the rest (dropping a task does not).",
        "Wrap it in `asyncio::run(async move { … })`; do not await the others — the slowest page takes 0.6 s.",
    ],
};

/// `download_at_most(urls, n)`: tokio's semaphore around downloads.
pub const DOWNLOAD_AT_MOST: Exercise = Exercise {
    id: "05-download-at-most",
    chapter: CHAPTER,
    level: Level::Challenge,
    title: "download_at_most(urls, n): a task per URL, at most n downloading at once, sizes in the URLs' order",
    hints: &[
        "`tokio::sync::Semaphore::new(n)` in an `Rc`, a clone moved into each task: a task must own what it uses, and every task runs on the loop's one thread, so `Rc` (not `Arc`) will do.",
        "In each task: `let _place = places.acquire().await.unwrap();` then `asyncio::http_get(&url).await.unwrap().len()`; the place is given back when `_place` is dropped.",
        "Spawn every task first (`asyncio::spawn`), then await each in order.",
    ],
};

/// Checks `sleep_all` ([`SLEEP_ALL`]), prints the verdict, records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-sleep-all.txt")) };
/// use multitask::prelude::*;
/// // The delays back at once, without sleeping.
/// fn sleep_all(delays: Vec<f64>) -> Vec<f64> { delays }
/// assert!(!exercises::check_sleep_all(sleep_all).passed);
/// ```
pub fn check_sleep_all(sleep_all: fn(Vec<f64>) -> Vec<f64>) -> Verdict {
    SLEEP_ALL.judge(move || {
        let probe = super::probe();
        let delays: Vec<f64> = (0..50).map(|i| 0.03 + f64::from(i % 5) * 0.01).collect();
        let start = std::time::Instant::now();
        let (got, threads) = census::threads_during(|| sleep_all(delays.clone()));
        let took = start.elapsed().as_secs_f64();
        if got != delays {
            return Err(format!(
                "the results must be the delays, in the order given: {}",
                words::first_difference(&got, &delays)
            ));
        }
        if threads.started > 0 {
            return Err(words::threads_not_green(threads.started, "tasks"));
        }
        if took < 0.07 {
            return Err(format!(
                "it took {took:.3} s, less than the longest delay (0.07 s): does it sleep, and \
                 wait for its tasks?"
            ));
        }
        if probe.tasks_spawned.load(SeqCst) >= 2 && probe.most_tasks_alive.load(SeqCst) < 2 {
            return Err(words::one_at_a_time("tasks"));
        }
        if probe.asyncio_sleeps.load(SeqCst) < 50 && took > 0.5 {
            return Err(format!(
                "it took {took:.2} s, the delays one after another: std::thread::sleep blocks \
                 the loop's one thread — asyncio::sleep(d).await lets the other tasks run"
            ));
        }
        if took > 0.5 {
            return Err(format!(
                "it took {took:.2} s; 50 sleepers of at most 0.07 s at once take about 0.07 s — \
                 the sleeps ran one after another: spawn (or gather) them all before awaiting"
            ));
        }
        Ok(format!(
            "50 sleepers finished together in {took:.2} s, results in order"
        ))
    })
}

/// Checks `fetch_within` ([`DEADLINE`]) against a
/// [`PageServer`](crate::web::PageServer) it starts: a fast page within a
/// generous limit, a slow one within a short limit. Prints the verdict,
/// records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-deadline.txt")) };
/// use multitask::prelude::*;
/// fn fetch_within(_url: String, _secs: f64) -> Result<usize, asyncio::TimeoutError> { Ok(0) }
/// assert!(!exercises::check_deadline(fetch_within).passed);
/// ```
pub fn check_deadline(fetch_within: fn(String, f64) -> Result<usize, TimeoutError>) -> Verdict {
    DEADLINE.judge(move || {
        let server = page_server()?;
        let (fast, fast_delay, size) = web::page("/github");
        let (slow, slow_delay, _) = web::page("/python");
        let (generous, short) = (2.0, 0.2);
        let call = |url: String, secs: f64| {
            super::unless_todo(|| fetch_within(url, secs)).map_err(|what| {
                let advice = if what.contains("TimeoutError") {
                    ": a timeout is a value here — return the Err(TimeoutError), do not unwrap it"
                } else {
                    ""
                };
                format!("fetch_within panicked ({what}){advice}")
            })
        };
        let got = call(server.url(fast), generous)?;
        if got != Ok(size) {
            return Err(format!(
                "{fast} ({fast_delay} s, {size} bytes) within {generous} s gave {got:?}, expected Ok({size})"
            ));
        }
        let start = std::time::Instant::now();
        let got = call(server.url(slow), short)?;
        let took = start.elapsed().as_secs_f64();
        if got != Err(TimeoutError) {
            return Err(format!(
                "{slow} ({slow_delay} s) within {short} s gave {got:?}, expected Err(TimeoutError)"
            ));
        }
        if took > short + 0.3 {
            return Err(format!(
                "giving up took {took:.2} s: it should stop waiting at {short} s"
            ));
        }
        Ok(format!(
            "Ok({size}) in time, Err(TimeoutError) after {short} s when the page takes {slow_delay} s"
        ))
    })
}

/// Checks `fastest` ([`FASTEST`]) against a
/// [`PageServer`](crate::web::PageServer): of the three pages (0.6, 0.2 and
/// 0.4 s) the second ends first, and nobody waits for the others.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-fastest.txt")) };
/// use multitask::prelude::*;
/// // The first URL, not the first to answer.
/// fn fastest(urls: Vec<String>) -> (usize, usize) {
///     (0, asyncio::run(asyncio::http_get(&urls[0])).unwrap().len())
/// }
/// assert!(!exercises::check_fastest(fastest).passed);
///
/// // The right one, but the others dropped, not cancelled: they run on.
/// fn dropping(urls: Vec<String>) -> (usize, usize) {
///     asyncio::run(async move {
///         let downloads: Vec<_> = urls
///             .into_iter()
///             .map(|url| asyncio::spawn(async move { asyncio::http_get(&url).await.unwrap().len() }))
///             .collect();
///         let (index, size, _rest) = asyncio::first_completed(downloads).await;
///         (index, size.unwrap())
///     })
/// }
/// let verdict = exercises::check_fastest(dropping);
/// assert!(!verdict.passed);
/// assert!(verdict.message.contains("still running"), "{}", verdict.message);
/// ```
pub fn check_fastest(fastest: fn(Vec<String>) -> (usize, usize)) -> Verdict {
    FASTEST.judge(move || {
        let server = page_server()?;
        let urls = PAGES.iter().map(|(path, ..)| server.url(path)).collect();
        let (winner, delay, size) = web::page("/github");
        let index = PAGES.iter().position(|&(path, ..)| path == winner).unwrap_or_default();
        let probe = super::probe();
        let start = Instant::now();
        let got = fastest(urls);
        let took = start.elapsed().as_secs_f64();
        let left = crate::asyncio::stop_leftovers();
        if probe.tasks_spawned.load(SeqCst) >= 2 && probe.most_tasks_alive.load(SeqCst) < 2 {
            return Err(words::one_at_a_time("tasks"));
        }
        if got != (index, size) {
            return Err(format!(
                "it gave {got:?}; {winner} (index {index}, {size} bytes) answers first, after {delay} s"
            ));
        }
        let second = PAGES.iter().map(|&(_, d, _)| d).filter(|&d| d > delay).fold(f64::MAX, f64::min);
        if took >= second {
            return Err(format!(
                "it took {took:.2} s: it waited for more downloads than the first (the next \
                 ends at {second} s) — take the first to end, and cancel the rest"
            ));
        }
        if left > 0 {
            return Err(format!(
                "it returned with {left} of the other downloads still running: dropping a Task does not stop it (in Python neither) — call cancel() on each of the rest"
            ));
        }
        Ok(format!("{winner} won in {took:.2} s, and the slower downloads were not waited for"))
    })
}

/// Checks `download_at_most` ([`DOWNLOAD_AT_MOST`]) against a
/// [`PageServer`](crate::web::PageServer) that counts the requests it serves
/// at once: six pages, at most two at a time — and two at a time, not one.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-at-most.txt")) };
/// use multitask::prelude::*;
/// // One at a time: within the limit, but slow.
/// fn download_at_most(urls: Vec<String>, _n: usize) -> Vec<usize> {
///     urls.iter().map(|url| asyncio::run(asyncio::http_get(url)).unwrap().len()).collect()
/// }
/// assert!(!exercises::check_download_at_most(download_at_most).passed);
/// ```
pub fn check_download_at_most(download_at_most: fn(Vec<String>, usize) -> Vec<usize>) -> Verdict {
    DOWNLOAD_AT_MOST.judge(move || {
        pages::at_most_two(download_at_most, "tasks", || {
            super::probe().most_tasks_alive.load(SeqCst)
        })
    })
}
