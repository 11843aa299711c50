//! Chapter 04's exercises (`notebooks/04-coroutines-gevent.ipynb`, seed §3
//! gevent): greenlets that take strict turns, and green downloads.
//!
//! The reference solutions, `notebooks/solutions/04-coroutines-gevent.rs`,
//! pass:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-04.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/04-coroutines-gevent.rs")]
//! assert!(check_take_turns(take_turns).passed);
//! assert!(check_green_fetch(fetch_all).passed);
//! ```

use super::verdict::page_server;
use super::{Exercise, Level, Verdict};
use crate::web::PAGES;

const CHAPTER: &str = "04-coroutines-gevent";

/// `take_turns(names, rounds)`: gevent's `sleep(0)`.
pub const TAKE_TURNS: Exercise = Exercise {
    id: "04-take-turns",
    chapter: CHAPTER,
    level: Level::WarmUp,
    title: "take_turns(names, rounds): one greenlet per name, taking strict turns",
    hints: &[
        "Keep the log in an `Rc<RefCell<Vec<String>>>`: greenlets share one thread, so no lock is needed.",
        "Spawn one `Greenlet::spawn(move || for i in 0..rounds { …push(format!(\"{name} {i}\")); greenlet::sleep(0.0); })` per name.",
        "`greenlet::joinall(&gs)`, then take the log out: `log.borrow().clone()`.",
    ],
};

/// `fetch_all(urls)`: IO that switches greenlets by itself.
pub const GREEN_FETCH: Exercise = Exercise {
    id: "04-green-fetch",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "fetch_all(urls): every URL fetched in a greenlet of its own, sizes in the URLs' order",
    hints: &[
        "`greenlet::net::http_get(&url)` lets the other greenlets run while it waits.",
        "Spawn all the greenlets first (`Greenlet::spawn(move || http_get(&url).unwrap().len())`), then `get()` each in order.",
    ],
};

/// Checks `take_turns` ([`TAKE_TURNS`]), prints the verdict, records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-turns.txt")) };
/// use multitask::prelude::*;
/// // Each name's rounds one after another: no turns taken.
/// fn take_turns(names: Vec<&'static str>, rounds: usize) -> Vec<String> {
///     names.iter().flat_map(|name| (0..rounds).map(move |i| format!("{name} {i}"))).collect()
/// }
/// assert!(!check_take_turns(take_turns).passed);
/// ```
pub fn check_take_turns(take_turns: fn(Vec<&'static str>, usize) -> Vec<String>) -> Verdict {
    TAKE_TURNS.judge(move || {
        let got = take_turns(vec!["a", "b", "c"], 3);
        let expected: Vec<String> = (0..3)
            .flat_map(|i| ["a", "b", "c"].map(|name| format!("{name} {i}")))
            .collect();
        if got != expected {
            return Err(format!(
                "take_turns([a, b, c], 3) gave {got:?}; strict turns give {expected:?}"
            ));
        }
        let one = take_turns(vec!["solo"], 2);
        if one != ["solo 0", "solo 1"] {
            return Err(format!("take_turns([solo], 2) gave {one:?}"));
        }
        Ok("a 0, b 0, c 0, a 1, …: strict turns, as gevent's sleep(0) gives".into())
    })
}

/// Checks `fetch_all` ([`GREEN_FETCH`]) against a
/// [`PageServer`](crate::web::PageServer) it starts, prints the verdict,
/// records a pass.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-fetch.txt")) };
/// use multitask::prelude::*;
/// fn fetch_all(urls: Vec<String>) -> Vec<usize> { vec![0; urls.len()] }
/// assert!(!check_green_fetch(fetch_all).passed);
/// ```
pub fn check_green_fetch(fetch_all: fn(Vec<String>) -> Vec<usize>) -> Verdict {
    GREEN_FETCH.judge(move || {
        let server = page_server()?;
        let urls = PAGES.iter().map(|(path, ..)| server.url(path)).collect();
        let start = std::time::Instant::now();
        let got = fetch_all(urls);
        let took = start.elapsed().as_secs_f64();
        let sizes: Vec<usize> = PAGES.iter().map(|&(_, _, size)| size).collect();
        if got != sizes {
            return Err(format!(
                "the sizes came back as {got:?}, expected {sizes:?} (the URLs' order)"
            ));
        }
        let sum: f64 = PAGES.iter().map(|&(_, delay, _)| delay).sum();
        // Together they take about the longest delay (0.6 s of 1.2 s).
        if took >= 0.75 * sum {
            return Err(format!(
                "it took {took:.2} s, about the sum of the delays ({sum:.1} s): the fetches waited one after another"
            ));
        }
        Ok(format!(
            "three pages in {took:.2} s (the delays add up to {sum:.1} s), sizes in order"
        ))
    })
}
