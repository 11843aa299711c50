//! [`Pool`]: Master–Worker over forked worker processes, like Python's
//! `multiprocessing.Pool().map`.
//!
//! Python sends a pickled function to workers that already run. Rust cannot
//! send a closure to another process, so the workers are forked at each
//! [`Pool::map`], carrying the closure and the items with them; after that the
//! master hands out chunks of item numbers and collects results through one
//! pipe per worker, as `postcard` messages.

use std::fmt;
use std::os::fd::AsFd;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::signal::Signal;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::error::{Error, Result};
use super::fork;
use super::pipe::{Connection, duplex};
use super::process::{become_child, next_child};

/// From the master to a worker.
#[derive(Serialize, Deserialize)]
enum Task {
    /// Run the items with these numbers.
    Run { start: usize, end: usize },
    /// No more work: leave.
    Stop,
}

/// From a worker to the master.
#[derive(Serialize, Deserialize)]
enum Reply<R> {
    Done(Vec<R>),
    Panicked(String),
}

/// A pool of worker processes.
///
/// ```
/// use multitask::multiprocessing::Pool;
///
/// let pool = Pool::new(2);
/// let squares = pool.map(|x: u64| x * x, 0..10)?;
/// assert_eq!(squares, [0, 1, 4, 9, 16, 25, 36, 49, 64, 81]); // in order
/// pool.close();
/// pool.join();
/// # Ok::<(), multitask::multiprocessing::Error>(())
/// ```
///
/// A task that panics, or a worker that dies, is an error — never a hang:
///
/// ```
/// use multitask::multiprocessing::{Error, Pool};
///
/// let pool = Pool::new(2);
/// let r = pool.map(|x: i32| if x == 3 { panic!("no threes") } else { x }, 0..8);
/// assert!(matches!(r, Err(Error::TaskPanicked { message, .. }) if message == "no threes"));
/// let r = pool.map(|x: i32| if x == 3 { std::process::abort() } else { x }, 0..8);
/// assert!(matches!(r, Err(Error::WorkerDied { exitcode: -6, .. })));
/// ```
pub struct Pool {
    /// Each worker's place in the process tree and name, given once, as
    /// Python names its long-lived workers (`ForkPoolWorker-1`, …).
    workers: Vec<(Vec<u32>, String)>,
    closed: AtomicBool,
}

impl Pool {
    /// A pool of `processes` workers; `None` means one per CPU, as in Python.
    pub fn new(processes: impl Into<Option<usize>>) -> Pool {
        let processes = processes
            .into()
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
            .max(1);
        Pool {
            workers: (0..processes)
                .map(|_| next_child("ForkPoolWorker"))
                .collect(),
            closed: AtomicBool::new(false),
        }
    }

    /// How many workers a `map` uses at most.
    pub fn processes(&self) -> usize {
        self.workers.len()
    }

    /// `f` applied to every item, in the items' order, computed in worker
    /// processes. Items go to the workers in chunks (Python's default size:
    /// the items over four times the workers, rounded up); a worker that
    /// finishes a chunk gets the next.
    ///
    /// # Errors
    /// [`Error::TaskPanicked`] if `f` panicked, [`Error::WorkerDied`] if a
    /// worker ended early (killed, aborted), [`Error::PoolNotRunning`] after
    /// [`close`](Pool::close), [`Error::Os`] if forking failed.
    pub fn map<T, R>(
        &self,
        f: impl Fn(T) -> R,
        items: impl IntoIterator<Item = T>,
    ) -> Result<Vec<R>>
    where
        R: Serialize + DeserializeOwned,
    {
        if self.closed.load(Ordering::Relaxed) {
            return Err(Error::PoolNotRunning);
        }
        let mut items: Vec<Option<T>> = items.into_iter().map(Some).collect();
        let n = items.len();
        if n == 0 {
            return Ok(Vec::new());
        }
        let chunk = n.div_ceil(self.processes() * 4);
        let mut chunks = (0..n)
            .step_by(chunk)
            .map(|start| (start, (start + chunk).min(n)));
        let mut workers = Vec::new();
        let started = (|| {
            for identity in self.workers.iter().take(n.div_ceil(chunk)) {
                workers.push(Worker::fork(identity, &f, &mut items)?);
            }
            Ok::<_, Error>(())
        })();
        let mut results: Vec<Option<R>> = (0..n).map(|_| None).collect();
        // An interrupt unwinds out of `master`: the workers end first.
        let run = panic::catch_unwind(AssertUnwindSafe(|| {
            started.and_then(|()| master(&mut workers, &mut chunks, &mut results))
        }));
        let (outcome, unwinding) = match run {
            Ok(outcome) => (outcome, None),
            Err(payload) => (Ok(()), Some(payload)),
        };
        for w in &workers {
            if outcome.is_err() || unwinding.is_some() {
                let _ = fork::signal(w.pid, Signal::SIGKILL);
            }
        }
        for w in &workers {
            let _ = fork::wait(w.pid, true);
        }
        if let Some(payload) = unwinding {
            panic::resume_unwind(payload);
        }
        outcome?;
        Ok(results
            .into_iter()
            .map(|r| r.expect("every chunk answered"))
            .collect())
    }

    /// No more `map`s (Python's `close()`).
    pub fn close(&self) {
        self.closed.store(true, Ordering::Relaxed);
    }

    /// Stops the pool at once (Python's `terminate()`); here the same as
    /// `close`, since no worker outlives its `map`.
    pub fn terminate(&self) {
        self.close();
    }

    /// Waits for the workers to leave (Python's `join()`): they already have,
    /// at the end of each `map`.
    pub fn join(&self) {}
}

impl fmt::Debug for Pool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.closed.load(Ordering::Relaxed) {
            "CLOSE"
        } else {
            "RUN"
        };
        write!(f, "<Pool state={state} pool_size={}>", self.processes())
    }
}

/// The master's side of one worker.
struct Worker<R> {
    name: String,
    pid: i32,
    conn: Connection<Task, Reply<R>>,
    busy: bool,
}

impl<R: Serialize + DeserializeOwned> Worker<R> {
    fn fork<T>(
        (path, name): &(Vec<u32>, String),
        f: &impl Fn(T) -> R,
        items: &mut [Option<T>],
    ) -> Result<Worker<R>> {
        let (conn, theirs) = duplex::<Task, Reply<R>>()?;
        let (path, name, worker_name) = (path.clone(), name.clone(), name.clone());
        let pid = fork::spawn(&name, false, move || {
            become_child(&worker_name, path, false);
            // The master reports a panic; the worker stays quiet about it.
            panic::set_hook(Box::new(|_| {}));
            serve(f, items, &theirs)
        })?;
        Ok(Worker {
            name,
            pid,
            conn,
            busy: false,
        })
    }
}

/// A worker's life: take a chunk, answer, until told to stop.
fn serve<T, R: Serialize>(
    f: &impl Fn(T) -> R,
    items: &mut [Option<T>],
    conn: &Connection<Reply<R>, Task>,
) -> i32 {
    loop {
        let lane = crate::trace::here();
        if let Some(lane) = lane {
            let what = format_args!("next chunk");
            crate::trace::mark(lane, crate::trace::State::Waiting, what);
        }
        let task = conn.recv();
        if let (Some(lane), Ok(Task::Run { start, end })) = (lane, &task) {
            let what = format_args!("items {start}..{end}");
            crate::trace::mark(lane, crate::trace::State::Running, what);
        }
        let reply = match task {
            Ok(Task::Run { start, end }) => panic::catch_unwind(AssertUnwindSafe(|| {
                items[start..end]
                    .iter_mut()
                    .map(|item| f(item.take().expect("each item is run once")))
                    .collect()
            }))
            .map_or_else(
                |p| Reply::Panicked(crate::panics::message(&*p)),
                Reply::Done,
            ),
            Ok(Task::Stop) => return 0,
            Err(_) => return 1,
        };
        if conn.send(&reply).is_err() {
            return 1;
        }
    }
}

/// The master's loop: keep every worker busy, collect results in place.
fn master<R: Serialize + DeserializeOwned>(
    workers: &mut [Worker<R>],
    chunks: &mut impl Iterator<Item = (usize, usize)>,
    results: &mut [Option<R>],
) -> Result<()> {
    let mut pending = vec![None; workers.len()];
    for (w, slot) in workers.iter_mut().zip(&mut pending) {
        give(w, slot, chunks)?;
    }
    // Where an interrupt may come, the wait is in slices.
    let timeout = if crate::interrupt::watching() {
        PollTimeout::try_from(crate::interrupt::SLICE).unwrap_or(PollTimeout::MAX)
    } else {
        PollTimeout::NONE
    };
    // A recording sees one wait for results until one comes, however many
    // slices it takes.
    let mut waiting = None;
    while workers.iter().any(|w| w.busy) {
        crate::interrupt::check();
        // Only the busy ones: an idle worker told to stop has hung up, and
        // its end would wake every poll at once.
        let busy: Vec<usize> = (0..workers.len()).filter(|&i| workers[i].busy).collect();
        let mut fds: Vec<PollFd<'_>> = busy
            .iter()
            .map(|&i| PollFd::new(workers[i].conn.as_fd(), PollFlags::POLLIN))
            .collect();
        if waiting.is_none() {
            waiting = crate::trace::during(crate::trace::State::Waiting, format_args!("results"));
        }
        match poll(&mut fds, timeout) {
            Ok(0) | Err(nix::errno::Errno::EINTR) => {}
            Ok(_) => waiting = None,
            Err(e) => return Err(e.into()),
        }
        let mut ready = vec![false; workers.len()];
        for (&i, fd) in busy.iter().zip(&fds) {
            ready[i] = fd.any().unwrap_or(false);
        }
        drop(fds);
        for (i, w) in workers.iter_mut().enumerate() {
            if !ready[i] || !w.busy {
                continue;
            }
            match w.conn.recv() {
                Ok(Reply::Done(values)) => {
                    let (start, _) = pending[i].take().expect("a busy worker has a chunk");
                    for (slot, value) in results[start..].iter_mut().zip(values) {
                        *slot = Some(value);
                    }
                    w.busy = false;
                    give(w, &mut pending[i], chunks)?;
                }
                Ok(Reply::Panicked(message)) => {
                    return Err(Error::TaskPanicked {
                        worker: w.name.clone(),
                        message,
                    });
                }
                Err(Error::Closed) => {
                    let exitcode = fork::wait(w.pid, true)?.unwrap_or(1);
                    return Err(Error::WorkerDied {
                        worker: w.name.clone(),
                        pid: w.pid,
                        exitcode,
                    });
                }
                Err(e) => return Err(e),
            }
        }
    }
    Ok(())
}

/// The next chunk for a free worker, or its leave.
fn give<R>(
    w: &mut Worker<R>,
    slot: &mut Option<(usize, usize)>,
    chunks: &mut impl Iterator<Item = (usize, usize)>,
) -> Result<()> {
    match chunks.next() {
        Some((start, end)) => {
            *slot = Some((start, end));
            w.busy = true;
            send_or_died(w, &Task::Run { start, end })
        }
        None => send_or_died(w, &Task::Stop),
    }
}

fn send_or_died<R>(w: &Worker<R>, task: &Task) -> Result<()> {
    match w.conn.send(task) {
        Err(Error::Closed) => Err(Error::WorkerDied {
            worker: w.name.clone(),
            pid: w.pid,
            exitcode: fork::wait(w.pid, true)?.unwrap_or(1),
        }),
        other => other,
    }
}
