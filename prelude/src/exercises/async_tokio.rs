//! Chapter 05's exercises (`notebooks/05-async-tokio.ipynb`, seed §3, async
//! IO): many sleeping tasks at once, and a deadline with `wait_for`.
//!
//! The reference solutions, `notebooks/solutions/05-async-tokio.rs`, pass:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-05.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/05-async-tokio.rs")]
//! assert!(check_sleep_all(sleep_all).passed);
//! assert!(check_deadline(fetch_within).passed);
//! ```

use super::verdict::page_server;
use super::{Exercise, Level, Verdict};
use crate::asyncio::TimeoutError;
use crate::web;

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

/// Checks `sleep_all` ([`SLEEP_ALL`]), prints the verdict, records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-sleep-all.txt")) };
/// use multitask::prelude::*;
/// // The delays back at once, without sleeping.
/// fn sleep_all(delays: Vec<f64>) -> Vec<f64> { delays }
/// assert!(!check_sleep_all(sleep_all).passed);
/// ```
pub fn check_sleep_all(sleep_all: fn(Vec<f64>) -> Vec<f64>) -> Verdict {
    SLEEP_ALL.judge(move || {
        let delays: Vec<f64> = (0..200).map(|i| 0.05 + f64::from(i % 5) * 0.02).collect();
        let start = std::time::Instant::now();
        let got = sleep_all(delays.clone());
        let took = start.elapsed().as_secs_f64();
        if got != delays {
            return Err("the results must be the delays, in the order given".into());
        }
        if took < 0.13 {
            return Err(format!(
                "it took {took:.3} s, less than the longest delay (0.13 s): does it sleep?"
            ));
        }
        if took > 1.0 {
            return Err(format!(
                "it took {took:.2} s; 200 sleepers of at most 0.13 s at once take about 0.13 s — spawn them all before awaiting"
            ));
        }
        Ok(format!(
            "200 sleepers finished together in {took:.2} s, results in order"
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
/// assert!(!check_deadline(fetch_within).passed);
/// ```
pub fn check_deadline(fetch_within: fn(String, f64) -> Result<usize, TimeoutError>) -> Verdict {
    DEADLINE.judge(move || {
        let server = page_server()?;
        let (fast, fast_delay, size) = web::page("/github");
        let (slow, slow_delay, _) = web::page("/python");
        let (generous, short) = (2.0, 0.2);
        let got = fetch_within(server.url(fast), generous);
        if got != Ok(size) {
            return Err(format!(
                "{fast} ({fast_delay} s, {size} bytes) within {generous} s gave {got:?}, expected Ok({size})"
            ));
        }
        let start = std::time::Instant::now();
        let got = fetch_within(server.url(slow), short);
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
