//! The tutorial's three-site download, made offline: a slow HTTP server on
//! 127.0.0.1 that serves the tutorial's three pages (same sizes) after different
//! delays, and the little HTTP/1.0 both `http_get`s speak — the green one
//! ([`greenlet::net::http_get`](crate::greenlet::net::http_get)) and the
//! tokio one ([`asyncio::http_get`](crate::asyncio::http_get)).
//!
//! Notebooks `notebooks/04-coroutines-gevent.ipynb` and `05-async-tokio.ipynb`;
//! tests: `seed_three_downloads_switch_by_themselves` in
//! `tests/greenlet_vs_gevent.rs`.
//!
//! ```
//! use multitask::web::PageServer;
//! let server = PageServer::start()?;
//! let body = multitask::greenlet::net::http_get(&server.url("/github"))?;
//! assert_eq!(body.len(), 14823);
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, BufRead, BufReader, Write};
use std::time::Duration;

use crate::multiprocessing::{Process, Value};

/// The tutorial's pages: path, delay in seconds, size in bytes.
pub const PAGES: [(&str, f64, usize); 3] = [
    ("/python", 0.6, 45661),
    ("/github", 0.2, 14823),
    ("/yahoo", 0.4, 304034),
];

/// One of [`PAGES`] by its path: the path, its delay and its size.
///
/// ```
/// assert_eq!(multitask::web::page("/github"), ("/github", 0.2, 14823));
/// ```
///
/// # Panics
/// When `path` is not one of [`PAGES`] (a mistake in the caller's code).
pub fn page(path: &str) -> (&'static str, f64, usize) {
    PAGES
        .into_iter()
        .find(|&(p, ..)| p == path)
        .unwrap_or_else(|| panic!("{path} is not one of web::PAGES"))
}

/// A slow HTTP server in a child process (a daemonic [`Process`]): each of
/// [`PAGES`] after its delay, one thread per request. It counts how many
/// requests it served at once (in shared memory, so the parent reads it).
/// Stopped when dropped.
pub struct PageServer {
    process: Process,
    port: u16,
    load: Load,
}

/// Requests being served now, and the most there were at once.
#[derive(Clone)]
struct Load {
    now: Value<i64>,
    most: Value<i64>,
}

impl Load {
    fn new() -> io::Result<Load> {
        let value = || Value::new(0_i64).map_err(io::Error::other);
        Ok(Load {
            now: value()?,
            most: value()?,
        })
    }

    /// One more request in flight, until the guard is dropped.
    fn enter(&self) -> InFlight<'_> {
        let _held = self.now.get_lock().acquire();
        let now = self.now.get() + 1;
        self.now.set(now);
        self.most.set(self.most.get().max(now));
        InFlight(self)
    }
}

struct InFlight<'a>(&'a Load);

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        let _held = self.0.now.get_lock().acquire();
        self.0.now.set(self.0.now.get() - 1);
    }
}

impl PageServer {
    /// Starts it on a free port of 127.0.0.1.
    ///
    /// # Errors
    /// When no port can be bound or the process cannot start.
    pub fn start() -> io::Result<PageServer> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let load = Load::new()?;
        let counted = load.clone();
        let process = Process::new(move || {
            for conn in listener.incoming().flatten() {
                let load = counted.clone();
                std::thread::spawn(move || serve(conn, &load));
            }
        })
        .with_name("PageServer")
        .daemon(true);
        process.start().map_err(io::Error::other)?;
        Ok(PageServer {
            process,
            port,
            load,
        })
    }

    /// The most requests it was serving at one time, since it started:
    /// what a limit on concurrent downloads is checked by.
    ///
    /// ```
    /// use multitask::web::PageServer;
    /// let server = PageServer::start()?;
    /// multitask::greenlet::net::http_get(&server.url("/github"))?;
    /// assert_eq!(server.most_at_once(), 1);
    /// # Ok::<(), std::io::Error>(())
    /// ```
    pub fn most_at_once(&self) -> usize {
        usize::try_from(self.load.most.get()).unwrap_or(0)
    }

    /// Its port.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of `path` on it (`http://127.0.0.1:PORT/path`).
    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }
}

impl Drop for PageServer {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.join();
    }
}

/// Serves one request. It counts as served (the guard dropped) before the
/// connection closes, so a client that saw the end of its page and asks
/// for the next is never counted twice.
///
/// The whole request is read, to its blank line, before the answer: a
/// socket closed with bytes unread is reset, not closed, and a reset can
/// throw away the part of the page the client has not read yet. A client
/// that never ends its request is answered after a second without it.
fn serve(mut conn: std::net::TcpStream, load: &Load) {
    let _in_flight = load.enter();
    let _ = conn.set_read_timeout(Some(Duration::from_secs(1)));
    let mut request = BufReader::new(&conn);
    let mut line = String::new();
    if request.read_line(&mut line).is_err() {
        return;
    }
    let mut header = String::new();
    loop {
        header.clear();
        match request.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header.trim_end().is_empty() => break,
            Ok(_) => {}
        }
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/");
    let (status, delay, size) = match PAGES.iter().find(|(p, ..)| *p == path) {
        Some(&(_, delay, size)) => ("200 OK", delay, size),
        None => ("404 Not Found", 0.0, 0),
    };
    std::thread::sleep(Duration::from_secs_f64(delay));
    let _ = write!(conn, "HTTP/1.0 {status}\r\nContent-Length: {size}\r\n\r\n");
    let _ = conn.write_all(&vec![b'x'; size]);
}

/// `http://host:port/path` → the address to connect to and the request to send.
pub(crate) fn request(url: &str) -> io::Result<(String, String)> {
    let rest = url
        .strip_prefix("http://")
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "only http:// URLs"))?;
    let (host, path) = rest.split_once('/').map_or((rest, ""), |(h, p)| (h, p));
    Ok((
        host.to_string(),
        format!("GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n"),
    ))
}

/// The body of a whole HTTP response (what follows the blank line).
pub(crate) fn body(mut response: Vec<u8>) -> Vec<u8> {
    let start = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map_or(0, |at| at + 4);
    response.split_off(start)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// A client that sends its request in pieces and reads the answer only
    /// after the server is done still gets the whole page: the server reads
    /// the request to its blank line before it answers and closes (a socket
    /// closed with unread bytes is reset, and the reset can throw away the
    /// page the client has not read yet).
    #[test]
    fn a_request_sent_in_pieces_gets_the_whole_page() {
        let server = PageServer::start().unwrap();
        let (_, delay, size) = page("/github");
        let mut conn = std::net::TcpStream::connect(("127.0.0.1", server.port())).unwrap();
        conn.write_all(b"GET /github HTTP/1.0\r\n").unwrap();
        std::thread::sleep(Duration::from_millis(50));
        conn.write_all(b"Host: 127.0.0.1\r\n\r\n").unwrap();
        std::thread::sleep(Duration::from_secs_f64(delay + 0.3));
        let mut all = Vec::new();
        conn.read_to_end(&mut all).unwrap();
        assert_eq!(body(all).len(), size);
    }
}
