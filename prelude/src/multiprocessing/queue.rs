//! [`Queue`]: a first-in first-out queue that many processes put into and get
//! from, like Python's `multiprocessing.Queue`.
//!
//! It is a `pipe(2)` carrying length-framed `postcard` messages, with two
//! cross-process [`Lock`]s: one so that writers' frames never interleave, one
//! so that a reader takes a whole frame. Python's queue has a feeder thread
//! so that `put` never blocks; here `put` blocks while the pipe is full
//! (1 MiB where the system allows, 64 KiB otherwise) — join a child only
//! after taking what it put, as Python's documentation also advises.

use std::borrow::Borrow;
use std::fmt;
use std::fs::File;
use std::io::{self, Read, Write};
use std::marker::PhantomData;
use std::os::fd::{AsFd, AsRawFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Serialize;
use serde::de::DeserializeOwned;

use super::error::{Error, Result};
use super::pipe::{closed_if_broken, encode, frame_len, wait_readable};
use super::sync::Lock;

/// A queue shared by the processes forked after it was made.
///
/// ```
/// use multitask::multiprocessing::{Process, Queue};
///
/// let q = Queue::<String>::new()?;
/// let workers: Vec<Process> = ["A", "B", "C"]
///     .into_iter()
///     .map(|name| {
///         let q = q.clone();
///         Process::new(move || q.put(format!("hello from {name}")).unwrap())
///     })
///     .collect();
/// for w in &workers { w.start()?; }
/// let mut got: Vec<String> = (0..3).map(|_| q.get()).collect::<Result<_, _>>()?;
/// for w in &workers { w.join()?; }
/// got.sort();
/// assert_eq!(got, ["hello from A", "hello from B", "hello from C"]);
/// # Ok::<(), multitask::multiprocessing::Error>(())
/// ```
pub struct Queue<T> {
    inner: Arc<Inner>,
    _type: PhantomData<fn(T) -> T>,
}

struct Inner {
    read: File,
    write: File,
    readers: Lock,
    writers: Lock,
}

impl<T> Clone for Queue<T> {
    fn clone(&self) -> Self {
        Queue {
            inner: Arc::clone(&self.inner),
            _type: PhantomData,
        }
    }
}

impl<T: Serialize + DeserializeOwned> Queue<T> {
    /// An empty queue.
    ///
    /// # Errors
    /// [`Error::Os`] if the system has no file descriptors or shared memory left.
    pub fn new() -> Result<Queue<T>> {
        let (read, write) = io::pipe()?;
        // A bigger pipe lets more be put before `put` blocks; best effort.
        // SAFETY: fcntl on a descriptor we own, with an integer argument.
        unsafe { libc::fcntl(write.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20) };
        Ok(Queue {
            inner: Arc::new(Inner {
                read: File::from(std::os::fd::OwnedFd::from(read)),
                write: File::from(std::os::fd::OwnedFd::from(write)),
                readers: Lock::new()?,
                writers: Lock::new()?,
            }),
            _type: PhantomData,
        })
    }

    /// Puts a value at the back of the queue.
    ///
    /// # Errors
    /// [`Error::Codec`] if the value cannot be encoded.
    pub fn put(&self, value: impl Borrow<T>) -> Result<()> {
        let frame = encode(value.borrow())?;
        crate::probe::queue_put();
        let _held = self.inner.writers.acquire();
        (&self.inner.write)
            .write_all(&frame)
            .map_err(closed_if_broken)
    }

    /// Takes the value at the front, waiting for one.
    ///
    /// # Errors
    /// [`Error::Codec`] if the bytes are not a `T`.
    pub fn get(&self) -> Result<T> {
        let _traced = crate::trace::during(crate::trace::State::Waiting, format_args!("queue"));
        let _waiting = crate::probe::waiting_on_queue();
        self.take(None)
    }

    /// Takes the value at the front, waiting at most `timeout`
    /// (Python's `get(timeout=…)`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use multitask::multiprocessing::{Error, Queue};
    /// let q = Queue::<u8>::new()?;
    /// assert!(matches!(q.get_timeout(Duration::from_millis(10)), Err(Error::Empty)));
    /// q.put(1)?;
    /// assert_eq!(q.get_timeout(Duration::from_millis(10))?, 1);
    /// # Ok::<(), Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::Empty`] if nothing came in time.
    pub fn get_timeout(&self, timeout: Duration) -> Result<T> {
        self.take(Some(timeout))
    }

    /// Takes the value at the front if there is one now (Python's `get_nowait`).
    ///
    /// # Errors
    /// [`Error::Empty`] if the queue is empty.
    pub fn get_nowait(&self) -> Result<T> {
        self.take(Some(Duration::ZERO))
    }

    /// Is the queue empty right now? (Another process may put or get the next
    /// moment, so this is a hint, as in Python.)
    pub fn empty(&self) -> bool {
        !wait_readable(self.inner.read.as_fd(), Some(Duration::ZERO)).unwrap_or(false)
    }

    fn take(&self, timeout: Option<Duration>) -> Result<T> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let left = || deadline.map(|d| d.saturating_duration_since(Instant::now()));
        let _held = match left() {
            None => self.inner.readers.acquire(),
            Some(t) => self.inner.readers.acquire_timeout(t).ok_or(Error::Empty)?,
        };
        let ready = crate::interrupt::blocking(|slice| {
            let wait = crate::interrupt::shorter(left(), slice);
            match wait_readable(self.inner.read.as_fd(), wait) {
                Ok(false) if left().is_none_or(|left| !left.is_zero()) => None,
                other => Some(other),
            }
        })?;
        if !ready {
            return Err(Error::Empty);
        }
        let mut header = [0; 4];
        read_exact(&self.inner.read, &mut header)?;
        let mut body = vec![0; frame_len(header)];
        read_exact(&self.inner.read, &mut body)?;
        Ok(postcard::from_bytes(&body)?)
    }
}

fn read_exact(mut file: &File, buf: &mut [u8]) -> Result<()> {
    file.read_exact(buf).map_err(|e| match e.kind() {
        io::ErrorKind::UnexpectedEof => Error::Closed,
        _ => Error::Os(e),
    })
}

impl<T> fmt::Debug for Queue<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "<Queue fd={}>", self.inner.read.as_raw_fd())
    }
}
