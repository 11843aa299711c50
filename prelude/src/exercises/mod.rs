//! Exercises for self-study: each chapter notebook ends with four, by
//! [`Level`] — warm-ups, ones that combine the chapter's ideas, a challenge.
//! A learner writes the TODO cell, then runs the check cell, which calls a
//! checker from here; it prints ✓, or ✗ with what exactly is wrong and a
//! hint.
//!
//! One module a chapter holds that chapter's exercises — each one's id,
//! title and hints as an [`Exercise`] constant, written once, and its checker
//! beside it — and runs the chapter's reference solutions
//! (`notebooks/solutions/*.rs`) as its example:
//!
//! | chapter (notebook) | module |
//! |---|---|
//! | `01-processes` | [`processes`] |
//! | `02-threads` | [`threads`], and [`explored`] for the two on [`explore`](crate::explore) |
//! | `03-iterators-generators` | [`generators`] |
//! | `04-coroutines-gevent` | [`coroutines`] |
//! | `05-async-tokio` | [`async_tokio`] |
//! | `06-examples` | [`examples`] |
//!
//! Progress (passed exercises, hints taken) is kept per user by [`progress`].
//! `tests/exercises.rs` proves, in a real session, that every TODO cell fails
//! its check and every reference solution passes it, and that each classic
//! mistake of the chapter's catalogue (`notebooks/mistakes/*.rs`, the wrong
//! answers learners really write, with what their ✗ must say) fails every
//! time.
//!
//! A check decides by what the answer *did*, not by luck: while it runs, the
//! prelude counts what was started and joined and slows the steps where a
//! race hides ([`crate::probe`]), a census counts the threads
//! (`census.rs`), and the same mistake is told in the same words in every
//! chapter (`words.rs`).

pub mod async_tokio;
mod census;
pub mod coroutines;
pub mod examples;
pub mod explored;
pub mod generators;
mod pages;
pub mod processes;
pub mod progress;
mod stuck;
pub mod threads;
mod verdict;
mod words;

pub use async_tokio::{check_deadline, check_download_at_most, check_fastest, check_sleep_all};
pub use coroutines::{
    check_green_fetch, check_keep_hub_free, check_limit_downloads, check_take_turns,
};
pub use examples::{check_as_they_finish, check_green_map, check_io_map, check_word_count};
pub use explored::{check_no_deadlock, check_no_lost_update};
pub use generators::{check_chain_all, check_countdown, check_round_robin, check_running_total};
pub use processes::{
    check_lossless_counter, check_pipe_doubler, check_pool_squares, check_queue_workers,
};
pub use threads::{check_daemon_exit, check_named_threads, check_safe_counter, check_two_locks};
pub use verdict::Verdict;

/// One exercise of a chapter.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Exercise {
    /// Stable id, `chapter-name` (`03-countdown`).
    pub id: &'static str,
    /// The notebook it ends.
    pub chapter: &'static str,
    /// How hard it is, in the chapter's order of warm-up, combine, challenge.
    pub level: Level,
    /// What to do, in one line.
    pub title: &'static str,
    /// Hints, from a nudge to nearly the answer; [`hint`] gives one at a time.
    pub hints: &'static [&'static str],
}

/// How an exercise stands in its chapter: each chapter has a warm-up or
/// two, one or two that combine the chapter with what came before, and a
/// challenge.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// The chapter's own example again, with a twist.
    WarmUp,
    /// The chapter together with an earlier one (or two of its ideas).
    Combine,
    /// A small program of its own, of the kind that goes wrong in real code.
    Challenge,
}

impl Level {
    /// Its name in the listing: `warm-up`, `combine`, `challenge`.
    ///
    /// ```
    /// assert_eq!(multitask::exercises::Level::WarmUp.name(), "warm-up");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Level::WarmUp => "warm-up",
            Level::Combine => "combine",
            Level::Challenge => "challenge",
        }
    }
}

/// Every exercise, in the order of the chapters and, in each, from the
/// warm-ups to the challenge: the order `next` follows.
///
/// ```
/// use multitask::exercises::{ALL, Level};
/// assert!(ALL.iter().any(|e| e.id == "03-countdown"));
/// // Four or more a chapter, each ending with a challenge.
/// for chapter in ["01", "02", "03", "04", "05", "06"] {
///     let levels: Vec<Level> = ALL.iter().filter(|e| e.id.starts_with(chapter)).map(|e| e.level).collect();
///     assert!(levels.len() >= 4 && levels.is_sorted(), "{chapter}: {levels:?}");
///     assert_eq!(levels.last(), Some(&Level::Challenge));
/// }
/// ```
pub const ALL: &[Exercise] = &[
    processes::POOL_SQUARES,
    processes::PIPE_DOUBLER,
    processes::LOSSLESS_COUNTER,
    processes::QUEUE_WORKERS,
    threads::NAMED_THREADS,
    threads::SAFE_COUNTER,
    threads::DAEMON_EXIT,
    explored::NO_LOST_UPDATE,
    explored::NO_DEADLOCK,
    threads::TWO_LOCKS,
    generators::COUNTDOWN,
    generators::RUNNING_TOTAL,
    generators::CHAIN_ALL,
    generators::ROUND_ROBIN,
    coroutines::TAKE_TURNS,
    coroutines::GREEN_FETCH,
    coroutines::KEEP_HUB_FREE,
    coroutines::LIMIT_DOWNLOADS,
    async_tokio::SLEEP_ALL,
    async_tokio::DEADLINE,
    async_tokio::FASTEST,
    async_tokio::DOWNLOAD_AT_MOST,
    examples::IO_MAP,
    examples::GREEN_MAP,
    examples::WORD_COUNT,
    examples::AS_THEY_FINISH,
];

/// The probe of the check that is running: checks only run under a
/// [`judge`](Exercise::judge), which watches.
fn probe() -> &'static crate::probe::Probe {
    crate::probe::watching().expect("a check runs under its judge's watch")
}

/// Runs `f`, a panic turned into its message — all but the TODO's
/// `todo!()`, which goes on to the judge, which tells it as such.
fn unless_todo<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|payload| {
        let what = crate::panics::message(&*payload);
        if what.starts_with("not yet implemented") {
            std::panic::resume_unwind(payload)
        }
        what
    })
}

/// Looks an exercise up by id.
///
/// ```
/// assert_eq!(multitask::exercises::find("03-countdown").unwrap().chapter, "03-iterators-generators");
/// ```
pub fn find(id: &str) -> Option<&'static Exercise> {
    ALL.iter().find(|e| e.id == id)
}

/// Prints the next hint for exercise `id` (one more each call) and remembers
/// how many were taken.
///
/// ```
/// # unsafe { std::env::set_var("MULTITASK_PROGRESS", std::env::temp_dir().join("doc-hint.txt")) };
/// multitask::exercises::hint("03-countdown");
/// ```
pub fn hint(id: &str) {
    let Some(exercise) = find(id) else {
        println!("no exercise {id}; `multitask exercises` lists them");
        return;
    };
    let taken = progress::hints_taken(id);
    match exercise.hints.get(taken) {
        Some(text) => {
            println!("hint {}/{}: {text}", taken + 1, exercise.hints.len());
            progress::record(&format!("hint {id}"));
        }
        None => {
            println!("no more hints for {id}; the reference solution is in notebooks/solutions/")
        }
    }
}
