//! The seed's pages for the download exercises: a server per check, and the
//! one check chapters 04 and 05 share — at most N downloads at once, by
//! greenlets or by tokio tasks.

use std::time::Instant;

use crate::web::{PAGES, PageServer};

/// The seed's pages, served for a check.
pub(super) fn page_server() -> Result<PageServer, String> {
    PageServer::start().map_err(|e| format!("cannot start the page server: {e}"))
}

/// Runs `download_at_most(urls, 2)` on the seed's three pages twice over,
/// against a server that counts the requests it serves at once: the sizes
/// must come back in the URLs' order, never more than two served at once —
/// and two, not one, so it is faster than one after another.
pub(super) fn at_most_two(
    download_at_most: fn(Vec<String>, usize) -> Vec<usize>,
) -> Result<String, String> {
    let server = page_server()?;
    let pages = || PAGES.iter().chain(PAGES.iter());
    let urls = pages().map(|(path, ..)| server.url(path)).collect();
    let start = Instant::now();
    let got = download_at_most(urls, 2);
    let took = start.elapsed().as_secs_f64();
    let sizes: Vec<usize> = pages().map(|&(_, _, size)| size).collect();
    if got != sizes {
        return Err(format!(
            "the sizes came back as {got:?}, expected {sizes:?} (the URLs' order)"
        ));
    }
    let most = server.most_at_once();
    if most > 2 {
        return Err(format!(
            "the server was serving {most} downloads at once; the limit is 2"
        ));
    }
    let sum: f64 = pages().map(|&(_, delay, _)| delay).sum();
    if most < 2 || took >= 0.75 * sum {
        return Err(format!(
            "it took {took:.2} s, never more than {most} download at a time: with n = 2, two should run together"
        ));
    }
    Ok(format!(
        "six pages in {took:.2} s (one after another: {sum:.1} s), never more than 2 at once"
    ))
}
