//! [`Daemon`]: a real Unix daemon — the other meaning of the word.
//!
//! Python's `daemon=True` ([`Process::daemon`](super::Process::daemon)) only
//! means "kill this child when the parent ends". A Unix *daemon* is a process
//! that leaves its parent and terminal behind to serve in the background: it
//! forks twice (so it is nobody's child and can never take a terminal), starts
//! a session of its own (`setsid`), moves to `/`, points stdin at `/dev/null`
//! and stdout/stderr at a log file, writes its pid file, and runs until a
//! signal asks it to stop.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{SaFlags, SigAction, SigHandler, SigSet, Signal, sigaction};
use nix::sys::stat::{Mode, umask};
use nix::unistd::{ForkResult, Pid, fork, setsid};

use super::error::Result;
use super::fork;
use super::process::getpid;
use crate::globals::shared;

shared! {
    fn stop_requested() -> AtomicBool = AtomicBool::new(false);
}

extern "C" fn on_sigterm(_: libc::c_int) {
    // Only an atomic store: `stop_requested` was looked up before the handler
    // was installed.
    stop_requested().store(true, Ordering::SeqCst);
}

/// What a daemon's body is told: has someone asked it to stop (`SIGTERM`)?
#[derive(Debug)]
pub struct StopFlag(());

impl StopFlag {
    /// Was `SIGTERM` received?
    pub fn is_set(&self) -> bool {
        stop_requested().load(Ordering::SeqCst)
    }

    /// Sleeps up to `d`, waking early if asked to stop; `true` means "go on".
    pub fn sleep(&self, d: Duration) -> bool {
        let end = Instant::now() + d;
        while !self.is_set() && Instant::now() < end {
            std::thread::sleep(Duration::from_millis(5).min(end - Instant::now()));
        }
        !self.is_set()
    }
}

/// A daemon started by [`Daemon::start`]; stop it with [`Daemon::stop`].
///
/// ```
/// use std::time::Duration;
/// use multitask::multiprocessing::daemon::Daemon;
///
/// let dir = std::env::temp_dir().join(format!("daemon-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let d = Daemon::start(dir.join("tick.pid"), dir.join("tick.log"), |stop| {
///     while stop.sleep(Duration::from_millis(10)) {}
/// })?;
/// assert!(d.is_running());
/// let pid: i32 = std::fs::read_to_string(dir.join("tick.pid"))?.trim().parse().unwrap();
/// assert_eq!(pid, d.pid());
/// assert!(d.stop(Duration::from_secs(5))?);
/// assert!(!dir.join("tick.pid").exists()); // removed on the way out
/// let log = std::fs::read_to_string(dir.join("tick.log"))?;
/// assert!(log.contains("started") && log.contains("stopping on SIGTERM"), "{log}");
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Daemon {
    pid: i32,
    pidfile: PathBuf,
}

impl Daemon {
    /// Detaches `body` as a daemon writing its pid to `pidfile` and its
    /// output to `logfile` (appended), and returns once the daemon runs.
    ///
    /// # Errors
    /// [`Error::Os`](super::Error::Os) if forking fails, or if the daemon
    /// could not write its pid file or open its log.
    pub fn start(
        pidfile: impl AsRef<Path>,
        logfile: impl AsRef<Path>,
        body: impl FnOnce(&StopFlag),
    ) -> Result<Daemon> {
        // The daemon moves to `/`: make the paths absolute first.
        let pidfile = std::path::absolute(pidfile)?;
        let logfile = std::path::absolute(logfile)?;
        let (mut report_r, report_w) = io::pipe()?;
        let first = fork::spawn("daemon (first fork)", false, || {
            if setsid().is_err() {
                return 1;
            }
            // SAFETY: this process has one thread (it was just forked).
            match unsafe { fork() } {
                Ok(ForkResult::Parent { .. }) => 0,
                Ok(ForkResult::Child) => {
                    let code = match serve(&pidfile, &logfile, report_w, body) {
                        Ok(()) => 0,
                        Err(e) => {
                            eprintln!("daemon: {e}");
                            1
                        }
                    };
                    fork::exit_child(code)
                }
                Err(_) => 1,
            }
        })?;
        fork::wait(first, true)?;
        let mut pid = [0; 4];
        report_r.read_exact(&mut pid).map_err(|_| {
            io::Error::other(format!(
                "the daemon did not start; see {}",
                logfile.display()
            ))
        })?;
        Ok(Daemon {
            pid: i32::from_le_bytes(pid),
            pidfile,
        })
    }

    /// The daemon's process id.
    pub fn pid(&self) -> i32 {
        self.pid
    }

    /// Is it still running? (Its process exists and is not a zombie.)
    pub fn is_running(&self) -> bool {
        let stat = fs::read_to_string(format!("/proc/{}/stat", self.pid)).unwrap_or_default();
        // The state is the field after the name in parentheses.
        stat.rsplit_once(") ")
            .is_some_and(|(_, rest)| !rest.starts_with('Z') && !rest.starts_with('X'))
    }

    /// Sends `SIGTERM` and waits up to `timeout` for it to leave; `true` if it did.
    ///
    /// # Errors
    /// [`Error::Os`](super::Error::Os) if the signal cannot be sent.
    pub fn stop(&self, timeout: Duration) -> Result<bool> {
        if self.is_running() {
            fork::signal(self.pid, Signal::SIGTERM)?;
        }
        let end = Instant::now() + timeout;
        loop {
            // If we are its reaper (a subreaper above it), do not leave a zombie.
            let _ = nix::sys::wait::waitpid(
                Pid::from_raw(self.pid),
                Some(nix::sys::wait::WaitPidFlag::WNOHANG),
            );
            if !self.is_running() {
                return Ok(true);
            }
            if Instant::now() >= end {
                return Ok(false);
            }
            std::thread::sleep(Duration::from_millis(5));
        }
    }

    /// Where its pid is written.
    pub fn pidfile(&self) -> &Path {
        &self.pidfile
    }
}

/// The daemon itself, in the grandchild.
fn serve(
    pidfile: &Path,
    logfile: &Path,
    mut report: io::PipeWriter,
    body: impl FnOnce(&StopFlag),
) -> io::Result<()> {
    umask(Mode::from_bits_truncate(0o022));
    std::env::set_current_dir("/")?;
    let null = File::open("/dev/null")?;
    let log = OpenOptions::new().create(true).append(true).open(logfile)?;
    nix::unistd::dup2_stdin(&null)?;
    nix::unistd::dup2_stdout(&log)?;
    nix::unistd::dup2_stderr(&log)?;
    stop_requested().store(false, Ordering::SeqCst);
    let stop = SigAction::new(
        SigHandler::Handler(on_sigterm),
        SaFlags::SA_RESTART,
        SigSet::empty(),
    );
    // SAFETY: the handler only stores to an atomic.
    unsafe { sigaction(Signal::SIGTERM, &stop) }?;
    let pid = getpid();
    fs::write(pidfile, format!("{pid}\n"))?;
    println!("daemon {pid} started");
    report.write_all(&pid.to_le_bytes())?;
    drop(report);
    body(&StopFlag(()));
    let why = if stop_requested().load(Ordering::SeqCst) {
        "on SIGTERM"
    } else {
        "(its work is done)"
    };
    println!("daemon {pid} stopping {why}");
    fs::remove_file(pidfile)?;
    Ok(())
}
