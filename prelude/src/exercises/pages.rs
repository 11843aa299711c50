//! The tutorial's pages for the download exercises: a server per check, and the
//! one check chapters 04 and 05 share — at most N downloads at once, by
//! greenlets or by tokio tasks.

use std::time::Instant;

use super::{census, words};
use crate::web::{PAGES, PageServer};

/// The tutorial's pages, served for a check.
pub(super) fn page_server() -> Result<PageServer, String> {
    PageServer::start().map_err(|e| format!("cannot start the page server: {e}"))
}

/// Runs `download_at_most(urls, 2)` on the tutorial's three pages twice over,
/// against a server that counts the requests it serves at once: the sizes
/// must come back in the URLs' order, never more than two served at once —
/// and two, not one. `workers` names what should download side by side
/// (`greenlets`, `tasks`), `most_alive` says how many of them were alive at
/// one time, `threads` how many threads the answer started.
pub(super) fn at_most_two(
    download_at_most: fn(Vec<String>, usize) -> Vec<usize>,
    workers: &str,
    most_alive: impl FnOnce() -> u64,
) -> Result<String, String> {
    let server = page_server()?;
    let pages = || PAGES.iter().chain(PAGES.iter());
    let urls = pages().map(|(path, ..)| server.url(path)).collect();
    let start = Instant::now();
    let (got, threads) = census::threads_during(|| download_at_most(urls, 2));
    let took = start.elapsed().as_secs_f64();
    let sizes: Vec<usize> = pages().map(|&(_, _, size)| size).collect();
    if got != sizes {
        return Err(format!(
            "the sizes came back as {}, expected {} (the URLs' order)",
            words::brief(&got),
            words::brief(&sizes)
        ));
    }
    if threads.started > 0 {
        return Err(words::threads_not_green(threads.started, workers));
    }
    let most = server.most_at_once();
    if most > 2 {
        return Err(format!(
            "the server was serving {most} downloads at once; the limit is 2 — hold the \
             semaphore's guard for the whole download (`let _place = …acquire…`; with `let _ =` \
             it is given back at once)"
        ));
    }
    if most < 2 && most_alive() < 2 {
        return Err(words::one_at_a_time(workers));
    }
    if most < 2 {
        return Err(format!(
            "never more than {most} download at a time: with n = 2, two should run together"
        ));
    }
    let sum: f64 = pages().map(|&(_, delay, _)| delay).sum();
    Ok(format!(
        "six pages in {took:.2} s (one after another: {sum:.1} s), never more than 2 at once"
    ))
}
