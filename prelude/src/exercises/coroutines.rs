//! Chapter 04's exercises (`notebooks/04-coroutines-gevent.ipynb`, tutorial §3
//! gevent): greenlets that take strict turns (warm-up), green downloads
//! (combine), slow work that leaves the hub free — by yielding, or on a
//! thread of chapter 02 (combine) — and at most N downloads at once with a
//! semaphore (challenge).
//!
//! The reference solutions, `notebooks/solutions/04-coroutines-gevent.rs`,
//! pass:
//!
//! ```
//! # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-04.txt")) };
//! use multitask::prelude::*;
#![doc = include_str!("../../../notebooks/solutions/04-coroutines-gevent.rs")]
//! assert!(exercises::check_take_turns(take_turns).passed);
//! assert!(exercises::check_green_fetch(fetch_all).passed);
//! assert!(exercises::check_keep_hub_free(run_steps).passed);
//! assert!(exercises::check_limit_downloads(fetch_at_most).passed);
//! ```

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::atomic::Ordering::SeqCst;
use std::time::{Duration, Instant};

use super::pages::{self, page_server};
use super::{Exercise, Level, Verdict, census, words};
use crate::greenlet::{self, Ending, Greenlet};
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
        "`greenlet::joinall(&gs).unwrap()`, then take the log out: `log.borrow().clone()`.",
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

/// `run_steps(steps, step)`: slow work in a greenlet that leaves the hub free.
pub const KEEP_HUB_FREE: Exercise = Exercise {
    id: "04-keep-hub-free",
    chapter: CHAPTER,
    level: Level::Combine,
    title: "run_steps(steps, step): sum step(0..steps) in a greenlet without keeping the other greenlets waiting",
    hints: &[
        "A greenlet runs until it waits: while it computes, no other greenlet of its thread runs — gevent cannot take the turn away.",
        "Give the turn back after every step: `greenlet::sleep(0.0)` lets every waiting greenlet run once.",
        "Or, with chapter 02: run the loop on a `Thread` and wait for it with `while t.is_alive() { greenlet::sleep(0.001) }`, then `t.join()`.",
    ],
};

/// `fetch_at_most(urls, n)`: a semaphore around green downloads.
pub const LIMIT_DOWNLOADS: Exercise = Exercise {
    id: "04-limit-downloads",
    chapter: CHAPTER,
    level: Level::Challenge,
    title: "fetch_at_most(urls, n): a greenlet per URL, at most n downloading at once, sizes in the URLs' order",
    hints: &[
        "`greenlet::Semaphore::new(n)` has n places; `let _place = places.acquire();` waits for one and gives it back when `_place` is dropped.",
        "Clone the semaphore into each greenlet: `let places = places.clone(); Greenlet::spawn(move || { let _place = places.acquire(); … })`.",
        "Take the place around the download only: `greenlet::net::http_get(&url).unwrap().len()`; then `get()` each greenlet in order.",
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
/// assert!(!exercises::check_take_turns(take_turns).passed);
/// ```
pub fn check_take_turns(take_turns: fn(Vec<&'static str>, usize) -> Vec<String>) -> Verdict {
    TAKE_TURNS.judge(move || {
        let probe = super::probe();
        let (got, threads) = census::threads_during(|| take_turns(vec!["a", "b", "c"], 3));
        let expected: Vec<String> = (0..3)
            .flat_map(|i| ["a", "b", "c"].map(|name| format!("{name} {i}")))
            .collect();
        if threads.started > 0 {
            return Err(words::threads_not_green(threads.started, "greenlets"));
        }
        if probe.greenlets_spawned.load(SeqCst) == 0 {
            return Err(
                "no greenlet was spawned: spawn one for each name (Greenlet::spawn)".into(),
            );
        }
        if got.len() < expected.len() {
            return Err(format!(
                "take_turns([a, b, c], 3) gave {} lines of 9: it returned before the greenlets \
                 were done — join them all (greenlet::joinall) before reading the log",
                got.len()
            ));
        }
        if got.len() == expected.len() && got[..3].iter().all(|line| line.starts_with("a ")) {
            return Err(format!(
                "take_turns([a, b, c], 3) gave {}: each greenlet ran all its rounds before the \
                 next began — give the turn away after each line with greenlet::sleep(0.0) \
                 (std::thread::sleep does not switch greenlets)",
                words::brief(&got)
            ));
        }
        if got != expected {
            return Err(format!(
                "take_turns([a, b, c], 3): {}; strict turns give a 0, b 0, c 0, a 1, …",
                words::first_difference(&got, &expected)
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
/// assert!(!exercises::check_green_fetch(fetch_all).passed);
/// ```
pub fn check_green_fetch(fetch_all: fn(Vec<String>) -> Vec<usize>) -> Verdict {
    GREEN_FETCH.judge(move || {
        let probe = super::probe();
        let server = page_server()?;
        let urls = PAGES.iter().map(|(path, ..)| server.url(path)).collect();
        let start = std::time::Instant::now();
        let (got, threads) = census::threads_during(|| fetch_all(urls));
        let took = start.elapsed().as_secs_f64();
        let sizes: Vec<usize> = PAGES.iter().map(|&(_, _, size)| size).collect();
        if got != sizes {
            return Err(format!(
                "the sizes came back as {got:?}, expected {sizes:?} (the URLs' order)"
            ));
        }
        if threads.started > 0 {
            return Err(words::threads_not_green(threads.started, "greenlets"));
        }
        if probe.greenlets_spawned.load(SeqCst) < 3 {
            return Err(
                "each URL should be fetched in a greenlet of its own (Greenlet::spawn)".into(),
            );
        }
        if server.most_at_once() < 2 {
            if probe.most_greenlets_alive.load(SeqCst) < 2 {
                return Err(words::one_at_a_time("greenlets"));
            }
            return Err(
                "the server got one request at a time, though the greenlets were all \
                        alive: the download blocked the thread — greenlet::net::http_get lets the \
                        other greenlets run while it waits"
                    .into(),
            );
        }
        let sum: f64 = PAGES.iter().map(|&(_, delay, _)| delay).sum();
        Ok(format!(
            "three pages in {took:.2} s (the delays add up to {sum:.1} s), sizes in order"
        ))
    })
}

/// A step of slow work: 2 ms of computing, then `i * i`.
fn slow_step(i: u64) -> u64 {
    let until = Instant::now() + Duration::from_millis(2);
    while Instant::now() < until {
        std::hint::spin_loop();
    }
    i * i
}

/// Checks `run_steps` ([`KEEP_HUB_FREE`]): run in a greenlet beside a
/// heartbeat greenlet that wants a turn every 5 ms, 100 slow steps (200 ms
/// of computing) must give the sum and leave no gap of 50 ms in the beats.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-hub.txt")) };
/// use multitask::prelude::*;
/// // Right sum, but the hub waits 200 ms for it.
/// fn run_steps(steps: u64, step: fn(u64) -> u64) -> u64 {
///     (0..steps).map(step).sum()
/// }
/// assert!(!exercises::check_keep_hub_free(run_steps).passed);
/// ```
pub fn check_keep_hub_free(run_steps: fn(u64, fn(u64) -> u64) -> u64) -> Verdict {
    KEEP_HUB_FREE.judge(move || {
        /// Stops the heartbeat when the work ends, also by a panic.
        struct Done(Rc<Cell<bool>>);
        impl Drop for Done {
            fn drop(&mut self) {
                self.0.set(true);
            }
        }
        let beats = Rc::new(RefCell::new(Vec::new()));
        let done = Rc::new(Cell::new(false));
        let heartbeat = Greenlet::spawn({
            let (beats, done) = (Rc::clone(&beats), Rc::clone(&done));
            move || {
                while !done.get() {
                    beats.borrow_mut().push(Instant::now());
                    greenlet::sleep(0.005);
                }
            }
        });
        let work = Greenlet::spawn({
            let done = Done(Rc::clone(&done));
            move || {
                let _done = done;
                let started = Instant::now();
                (run_steps(100, slow_step), started, Instant::now())
            }
        });
        let (ran, threads) = census::threads_during(|| work.get());
        let _ = heartbeat.join();
        let (sum, started, ended) = match ran {
            Ok(done) => done,
            Err(Ending::Panicked(exception)) => {
                let what = exception.to_string();
                // The TODO's todo!(), in its greenlet: on to the judge, which
                // tells it as it does for every exercise.
                if let Some(at) = what.find("not yet implemented") {
                    std::panic::resume_unwind(Box::new(what[at..].to_string()));
                }
                return Err(format!("run_steps panicked ({what})"));
            }
            Err(_) => return Err("run_steps did not return: its greenlet was killed".into()),
        };
        let want: u64 = (0..100).map(|i| i * i).sum();
        if sum != want {
            return Err(format!("run_steps(100, step) gave {sum}, expected {want}"));
        }
        // The longest the heartbeat went without a turn while the work ran.
        let mut times: Vec<Instant> = beats.borrow().iter().copied().filter(|t| *t >= started).collect();
        times.insert(0, started);
        times.push(ended);
        let gap = times.windows(2).map(|w| w[1] - w[0]).max().unwrap_or_default();
        let took = ended - started;
        if took < Duration::from_millis(190) {
            return Err(format!("it took {} ms; 100 steps of 2 ms take 200: call step for each", took.as_millis()));
        }
        if gap > Duration::from_millis(50) && threads.started > 0 {
            return Err(format!(
                "the heartbeat greenlet got no turn for {} ms while run_steps ran: waiting for a \
                 thread with join() blocks the hub too — poll it: while t.is_alive() \
                 {{ greenlet::sleep(0.001) }}",
                gap.as_millis()
            ));
        }
        if gap > Duration::from_millis(50) {
            return Err(format!(
                "the heartbeat greenlet got no turn for {} ms while run_steps ran: a greenlet that computes \
                 without waiting keeps its whole hub waiting",
                gap.as_millis()
            ));
        }
        Ok(format!(
            "sum {want} in {} ms, and the heartbeat never waited more than {} ms",
            took.as_millis(),
            gap.as_millis()
        ))
    })
}

/// Checks `fetch_at_most` ([`LIMIT_DOWNLOADS`]) against a
/// [`PageServer`](crate::web::PageServer) that counts the requests it serves
/// at once: six pages, at most two at a time — and two at a time, not one.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-limit.txt")) };
/// use multitask::prelude::*;
/// // All at once: no limit.
/// fn fetch_at_most(urls: Vec<String>, _n: usize) -> Vec<usize> {
///     let gs: Vec<Greenlet<usize>> = urls
///         .into_iter()
///         .map(|url| Greenlet::spawn(move || greenlet::net::http_get(&url).unwrap().len()))
///         .collect();
///     gs.iter().map(|g| g.get().unwrap()).collect()
/// }
/// assert!(!exercises::check_limit_downloads(fetch_at_most).passed);
/// ```
pub fn check_limit_downloads(fetch_at_most: fn(Vec<String>, usize) -> Vec<usize>) -> Verdict {
    LIMIT_DOWNLOADS.judge(move || {
        pages::at_most_two(fetch_at_most, "greenlets", || {
            super::probe().most_greenlets_alive.load(SeqCst)
        })
    })
}
