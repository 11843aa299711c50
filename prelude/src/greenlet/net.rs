//! IO that switches by itself: gevent's monkey-patched sockets, the Rust
//! way. A [`TcpStream`] or [`TcpListener`] from here is non-blocking
//! underneath; when it would block inside a greenlet, the greenlet waits on
//! the hub's poller and the others run meanwhile. On the main stack they
//! simply block.
//!
//! Notebook `notebooks/04-coroutines-gevent.ipynb` (遇到 IO 自动切换); tests:
//! `seed_three_downloads_switch_by_themselves` in
//! `tests/greenlet_vs_gevent.rs`.
//!
//! ```
//! use std::io::{Read, Write};
//! use multitask::greenlet::{net, Greenlet};
//!
//! let listener = net::TcpListener::bind("127.0.0.1:0")?;
//! let addr = listener.local_addr()?;
//! let server = Greenlet::spawn(move || {
//!     let (mut conn, _) = listener.accept().unwrap();
//!     conn.write_all(b"hello").unwrap();
//! });
//! let client = Greenlet::spawn(move || {
//!     let mut conn = net::TcpStream::connect(addr).unwrap();
//!     let mut text = String::new();
//!     conn.read_to_string(&mut text).unwrap();
//!     text
//! });
//! assert_eq!(client.get(), Ok("hello".to_string()));
//! server.join().unwrap();
//! # Ok::<(), std::io::Error>(())
//! ```

use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::AsFd;

use super::wait_fd;

/// Retries `op` after waiting for `fd` whenever it would block.
fn green<T>(
    fd: std::os::fd::BorrowedFd<'_>,
    writable: bool,
    mut op: impl FnMut() -> io::Result<T>,
) -> io::Result<T> {
    loop {
        match op() {
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => wait_fd(fd, writable)?,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            other => return other,
        }
    }
}

/// A TCP connection whose reads and writes let other greenlets run.
#[derive(Debug)]
pub struct TcpStream {
    inner: std::net::TcpStream,
}

impl TcpStream {
    /// Connects (the connect itself blocks briefly; then the stream is green).
    pub fn connect(addr: impl ToSocketAddrs) -> io::Result<TcpStream> {
        TcpStream::from_std(std::net::TcpStream::connect(addr)?)
    }

    fn from_std(inner: std::net::TcpStream) -> io::Result<TcpStream> {
        inner.set_nonblocking(true)?;
        Ok(TcpStream { inner })
    }
}

impl Read for TcpStream {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let fd = self.inner.as_fd();
        green(fd, false, || (&self.inner).read(buf))
    }
}

impl Write for TcpStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let fd = self.inner.as_fd();
        green(fd, true, || (&self.inner).write(buf))
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A TCP listener whose `accept` lets other greenlets run.
#[derive(Debug)]
pub struct TcpListener {
    inner: std::net::TcpListener,
}

impl TcpListener {
    /// Binds to `addr`.
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<TcpListener> {
        let inner = std::net::TcpListener::bind(addr)?;
        inner.set_nonblocking(true)?;
        Ok(TcpListener { inner })
    }

    /// The address it listens on.
    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.inner.local_addr()
    }

    /// Waits for a connection.
    pub fn accept(&self) -> io::Result<(TcpStream, SocketAddr)> {
        let (conn, addr) = green(self.inner.as_fd(), false, || self.inner.accept())?;
        Ok((TcpStream::from_std(conn)?, addr))
    }
}

/// `GET url` over HTTP/1.0 (`http://host:port/path`, no TLS); the body's
/// bytes. Green: inside a greenlet, waiting for the answer lets others run.
pub fn http_get(url: &str) -> io::Result<Vec<u8>> {
    let (host, request) = crate::web::request(url)?;
    let mut conn = TcpStream::connect(host)?;
    conn.write_all(request.as_bytes())?;
    let mut response = Vec::new();
    conn.read_to_end(&mut response)?;
    Ok(crate::web::body(response))
}
