//! [`pipe`]: two connected ends that carry typed messages between processes,
//! like Python's `multiprocessing.Pipe()`.
//!
//! A message is any `serde` value, encoded with `postcard` and framed by its
//! length (4 bytes, little-endian). The duplex pipe is a Unix socket pair (as
//! in Python); the one-way pipe is a real `pipe(2)`.

use std::borrow::Borrow;
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::marker::PhantomData;
use std::os::fd::{AsFd, AsRawFd, BorrowedFd, OwnedFd};
use std::os::unix::net::UnixStream;
use std::sync::{Mutex, MutexGuard};
use std::time::Duration;

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{Error, Result};

/// The length prefix of a frame.
const HEADER: usize = 4;

/// A duplex pipe: what one end sends, the other receives, both ways.
///
/// ```
/// use multitask::multiprocessing::{pipe, Process};
///
/// let (parent, child) = pipe::<String>()?;
/// let p = Process::new(move || {
///     let question = child.recv().unwrap();
///     child.send(format!("{question}? 42")).unwrap();
/// });
/// p.start()?;
/// parent.send("the answer".to_string())?;
/// assert_eq!(parent.recv()?, "the answer? 42");
/// p.join()?;
/// # Ok::<(), multitask::multiprocessing::Error>(())
/// ```
///
/// # Errors
/// [`Error::Os`] if the system has no file descriptors left.
pub fn pipe<T>() -> Result<(Connection<T>, Connection<T>)> {
    duplex()
}

/// A duplex pipe whose two directions carry different types: the first end
/// sends `A` and receives `B`.
///
/// ```
/// use multitask::multiprocessing::duplex;
/// let (ask, answer) = duplex::<u32, String>()?;
/// ask.send(7)?;
/// answer.send(answer.recv()?.to_string())?;
/// assert_eq!(ask.recv()?, "7");
/// # Ok::<(), multitask::multiprocessing::Error>(())
/// ```
///
/// # Errors
/// [`Error::Os`] if the system has no file descriptors left.
pub fn duplex<A, B>() -> Result<(Connection<A, B>, Connection<B, A>)> {
    let (a, b) = UnixStream::pair()?;
    Ok((
        Connection::new(a.into(), true, true),
        Connection::new(b.into(), true, true),
    ))
}

/// A one-way pipe, Python's `Pipe(duplex=False)`: `(receiving end, sending
/// end)` over a real `pipe(2)`.
///
/// ```
/// use multitask::multiprocessing::pipe_oneway;
/// let (r, w) = pipe_oneway::<i64>()?;
/// w.send(-1)?;
/// assert_eq!(r.recv()?, -1);
/// assert!(r.send(1).is_err()); // the receiving end cannot send
/// drop(w);
/// assert!(r.recv().is_err());  // nothing left, and no writer: EOF
/// # Ok::<(), multitask::multiprocessing::Error>(())
/// ```
///
/// # Errors
/// [`Error::Os`] if the system has no file descriptors left.
pub fn pipe_oneway<T>() -> Result<(Connection<T>, Connection<T>)> {
    let (r, w) = io::pipe()?;
    Ok((
        Connection::new(r.into(), true, false),
        Connection::new(w.into(), false, true),
    ))
}

/// One end of a pipe: sends `S`, receives `R` (the same type unless made by
/// [`duplex`]).
///
/// After a fork both processes hold this end; let only one of them read from
/// it (received bytes are buffered in the reading process).
pub struct Connection<S, R = S> {
    file: File,
    readable: bool,
    writable: bool,
    buffer: Mutex<Buffer>,
    _types: PhantomData<fn(S) -> R>,
}

/// Bytes read but not yet decoded.
#[derive(Default)]
struct Buffer {
    bytes: Vec<u8>,
    start: usize,
}

impl Buffer {
    /// The next whole frame's body, if it has arrived.
    fn frame(&self) -> Option<std::ops::Range<usize>> {
        let pending = &self.bytes[self.start..];
        let header: [u8; HEADER] = pending.get(..HEADER)?.try_into().ok()?;
        let len = u32::from_le_bytes(header) as usize;
        (pending.len() >= HEADER + len).then(|| self.start + HEADER..self.start + HEADER + len)
    }
}

impl<S, R> Connection<S, R> {
    fn new(fd: OwnedFd, readable: bool, writable: bool) -> Self {
        Connection {
            file: File::from(fd),
            readable,
            writable,
            buffer: Mutex::default(),
            _types: PhantomData,
        }
    }

    /// Sends one message. Blocks while the pipe is full (about 64 KiB that
    /// nobody has read yet).
    ///
    /// # Errors
    /// [`Error::Closed`] if the other end is gone, [`Error::Os`] on a
    /// receiving-only end, [`Error::Codec`] if the value cannot be encoded.
    pub fn send(&self, value: impl Borrow<S>) -> Result<()>
    where
        S: Serialize,
    {
        if !self.writable {
            return Err(read_only());
        }
        let frame = encode(value.borrow())?;
        (&self.file).write_all(&frame).map_err(closed_if_broken)
    }

    /// Sends several messages with one write: the same frames `send` would
    /// write one by one, for a fraction of the system calls. (A Rust extra:
    /// Python sends one message per call.)
    ///
    /// ```
    /// let (r, w) = multitask::multiprocessing::pipe_oneway::<u32>()?;
    /// w.send_many(0..100)?;
    /// assert_eq!((0..100).map(|_| r.recv()).collect::<Result<Vec<_>, _>>()?, (0..100).collect::<Vec<_>>());
    /// # Ok::<(), multitask::multiprocessing::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`send`](Connection::send).
    pub fn send_many<B: Borrow<S>>(&self, values: impl IntoIterator<Item = B>) -> Result<()>
    where
        S: Serialize,
    {
        if !self.writable {
            return Err(read_only());
        }
        let mut frames = Vec::new();
        for value in values {
            frames = encode_onto(frames, value.borrow())?;
        }
        (&self.file).write_all(&frames).map_err(closed_if_broken)
    }

    /// Waits for the next message.
    ///
    /// # Errors
    /// [`Error::Closed`] when the other end is closed and everything sent was
    /// received (Python's `EOFError`); [`Error::Codec`] if the bytes are not
    /// an `R`.
    pub fn recv(&self) -> Result<R>
    where
        R: DeserializeOwned,
    {
        if !self.readable {
            return Err(Error::Os(io::Error::new(
                io::ErrorKind::Unsupported,
                "connection is write-only",
            )));
        }
        let mut buffer = self.buffer();
        loop {
            if let Some(body) = buffer.frame() {
                let value = postcard::from_bytes(&buffer.bytes[body.clone()]);
                buffer.start = body.end;
                if buffer.start == buffer.bytes.len() {
                    buffer.bytes.clear();
                    buffer.start = 0;
                }
                return Ok(value?);
            }
            let Buffer { bytes, start } = &mut *buffer;
            bytes.drain(..*start);
            *start = 0;
            let len = bytes.len();
            bytes.resize(len + 64 * 1024, 0);
            // Where an interrupt may come, wait for bytes first, in slices.
            if crate::interrupt::watching() {
                crate::interrupt::blocking(|slice| {
                    wait_readable(self.file.as_fd(), slice)
                        .map_or(Some(()), |ready| ready.then_some(()))
                });
            }
            let n = loop {
                match (&self.file).read(&mut bytes[len..]) {
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    other => break other,
                }
            };
            bytes.truncate(len + *n.as_ref().unwrap_or(&0));
            match n? {
                0 => return Err(Error::Closed),
                _ => continue,
            }
        }
    }

    /// Is a message waiting? Waits up to `timeout` for one to start arriving
    /// (Python's `poll(timeout)`; `Duration::ZERO` just looks).
    ///
    /// ```
    /// use std::time::Duration;
    /// let (a, b) = multitask::multiprocessing::pipe::<u8>()?;
    /// assert!(!b.poll(Duration::ZERO)?);
    /// a.send(1)?;
    /// assert!(b.poll(Duration::from_secs(1))?);
    /// # Ok::<(), multitask::multiprocessing::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Os`] if `poll(2)` fails.
    pub fn poll(&self, timeout: Duration) -> Result<bool> {
        if self.buffer().frame().is_some() {
            return Ok(true);
        }
        Ok(wait_readable(self.file.as_fd(), Some(timeout))?)
    }

    fn buffer(&self) -> MutexGuard<'_, Buffer> {
        self.buffer.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// Encodes `value` as one frame: length, then postcard bytes.
pub(crate) fn encode<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>> {
    encode_onto(Vec::new(), value)
}

/// Appends `value`'s frame to `bytes`.
fn encode_onto<T: Serialize + ?Sized>(mut bytes: Vec<u8>, value: &T) -> Result<Vec<u8>> {
    let at = bytes.len();
    bytes.extend_from_slice(&[0; HEADER]);
    let mut bytes = postcard::to_extend(value, bytes)?;
    let len = u32::try_from(bytes.len() - at - HEADER)
        .map_err(|_| io::Error::new(io::ErrorKind::InvalidInput, "message over 4 GiB"))?;
    bytes[at..at + HEADER].copy_from_slice(&len.to_le_bytes());
    Ok(bytes)
}

/// Reads a frame's length, if the next bytes are one.
pub(crate) fn frame_len(header: [u8; HEADER]) -> usize {
    u32::from_le_bytes(header) as usize
}

/// Waits until `fd` has something to read (or its writers are gone).
pub(crate) fn wait_readable(fd: BorrowedFd<'_>, timeout: Option<Duration>) -> io::Result<bool> {
    use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
    let timeout = match timeout {
        None => PollTimeout::NONE,
        Some(t) => PollTimeout::try_from(t).unwrap_or(PollTimeout::MAX),
    };
    let mut fds = [PollFd::new(fd, PollFlags::POLLIN)];
    loop {
        match poll(&mut fds, timeout) {
            Ok(n) => return Ok(n > 0),
            Err(nix::errno::Errno::EINTR) => continue,
            Err(e) => return Err(e.into()),
        }
    }
}

/// A broken pipe means the other end closed: Python's `EOFError`/`BrokenPipeError`.
pub(crate) fn closed_if_broken(e: io::Error) -> Error {
    if e.kind() == io::ErrorKind::BrokenPipe {
        Error::Closed
    } else {
        Error::Os(e)
    }
}

fn read_only() -> Error {
    Error::Os(io::Error::new(
        io::ErrorKind::Unsupported,
        "connection is read-only",
    ))
}

impl<S, R> AsRawFd for Connection<S, R> {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.file.as_raw_fd()
    }
}

impl<S, R> AsFd for Connection<S, R> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.file.as_fd()
    }
}

impl<S, R> fmt::Debug for Connection<S, R> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match (self.readable, self.writable) {
            (true, true) => "duplex",
            (true, false) => "read-only",
            _ => "write-only",
        };
        write!(f, "<Connection fd={} {kind}>", self.file.as_raw_fd())
    }
}
