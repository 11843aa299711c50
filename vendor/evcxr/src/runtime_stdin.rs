//! The runtime's own stdin. (multitask patch 14)
//!
//! evcxr sent its commands on the runtime's stdin, so a cell that read stdin
//! waited for ever, and a thread that read it took the next command
//! (`LOAD_AND_RUN …`): the next cell then hung for good. Now the commands
//! come on a descriptor of their own, and stdin is a pipe this module feeds.
//! While a cell runs, a watcher looks for a thread blocked reading stdin
//! (Linux says so in `/proc/self/task/*/syscall`); when it finds one, it asks
//! the front end for a line through evcxr's input protocol (an
//! `EVCXR_INPUT_REQUEST` line, which becomes a Jupyter `input_request` or a
//! line typed in the terminal) and writes the answer into the pipe. Between
//! cells nobody is asked: a reading thread waits, and takes nothing.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::os::fd::{FromRawFd, OwnedFd};
use std::sync::{Arc, Mutex, OnceLock};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// How often the watcher looks for a reader while a cell runs.
const LOOK_EVERY: Duration = Duration::from_millis(50);

/// Whether a cell runs; changed and read under [`SAYING`] (see
/// [`Cell::end`]).
static CELL_RUNS: AtomicBool = AtomicBool::new(false);

/// Held while the runtime sends a line of evcxr's protocol.
static SAYING: Mutex<()> = Mutex::new(());

/// The runtime's process id (a forked copy has another).
static RUNTIME: OnceLock<u32> = OnceLock::new();

/// evcxr's commands, as the runtime's main loop reads them.
pub(crate) struct Commands {
    lines: mpsc::Receiver<String>,
}

impl Iterator for Commands {
    type Item = String;

    fn next(&mut self) -> Option<String> {
        self.lines.recv().ok()
    }
}

/// Moves evcxr's commands off stdin and gives stdin a pipe of its own.
pub(crate) fn take_over() -> io::Result<Commands> {
    let _ = RUNTIME.set(std::process::id());
    // multitask patch 28: the protocol's channel is not handed on to the
    // programs a cell starts.
    if let Some(fd) = crate::evcxr_internal_runtime::protocol_fd() {
        // SAFETY: fcntl on a descriptor number only changes its flags.
        cvt(unsafe { libc::fcntl(fd, libc::F_SETFD, libc::FD_CLOEXEC) })?;
    }
    // SAFETY: plain descriptor calls; each new descriptor is owned once.
    let (commands, feed) = unsafe {
        let commands = cvt(libc::fcntl(0, libc::F_DUPFD_CLOEXEC, 3))?;
        let mut ends = [0; 2];
        cvt(libc::pipe2(ends.as_mut_ptr(), libc::O_CLOEXEC))?;
        // The read end becomes stdin (dup2 clears close-on-exec for it).
        cvt(libc::dup2(ends[0], 0))?;
        libc::close(ends[0]);
        (
            File::from(OwnedFd::from_raw_fd(commands)),
            File::from(OwnedFd::from_raw_fd(ends[1])),
        )
    };
    let awaiting = Arc::new(AtomicBool::new(false));
    let (sender, lines) = mpsc::channel();
    std::thread::Builder::new()
        .name("evcxr-commands".into())
        .spawn({
            let awaiting = awaiting.clone();
            move || route(BufReader::new(commands), feed, &awaiting, &sender)
        })?;
    std::thread::Builder::new()
        .name("evcxr-stdin".into())
        .spawn(move || watch(&awaiting))?;
    Ok(Commands { lines })
}

/// A cell runs from this value's making to [`Cell::end`].
pub(crate) struct Cell(());

impl Cell {
    pub(crate) fn begin() -> Cell {
        CELL_RUNS.store(true, Ordering::SeqCst);
        Cell(())
    }

    /// Ends the cell and sends `last` (evcxr's end-of-cell line): under
    /// [`SAYING`], so no request for input can come after it.
    ///
    /// A copy of the runtime made by a raw `fork()` in the cell ends here,
    /// without a word: it would otherwise tell evcxr of a second end and
    /// then wait for commands for ever. (multitask patch 28)
    pub(crate) fn end(self, last: &str) {
        if RUNTIME.get().is_some_and(|&pid| pid != std::process::id()) {
            // SAFETY: _exit ends this process at once; nothing after it runs.
            unsafe { libc::_exit(0) };
        }
        let _saying = SAYING.lock().unwrap_or_else(|e| e.into_inner());
        CELL_RUNS.store(false, Ordering::SeqCst);
        crate::evcxr_internal_runtime::send_protocol(&format!("{last}\n"));
    }
}

/// Hands each line from evcxr to the main loop, or, when input was asked
/// for, to stdin.
fn route(
    commands: BufReader<File>,
    mut feed: File,
    awaiting: &AtomicBool,
    sender: &mpsc::Sender<String>,
) {
    for line in commands.lines() {
        let Ok(line) = line else { break };
        // evcxr's only command; anything else answers a request for input.
        if line.starts_with("LOAD_AND_RUN ") {
            if sender.send(line).is_err() {
                break;
            }
        } else {
            let _ = writeln!(feed, "{line}");
            awaiting.store(false, Ordering::SeqCst);
        }
    }
}

/// While a cell runs, asks for a line whenever a thread waits on stdin.
fn watch(awaiting: &AtomicBool) {
    loop {
        std::thread::sleep(LOOK_EVERY);
        if awaiting.load(Ordering::SeqCst) || !CELL_RUNS.load(Ordering::SeqCst) {
            continue;
        }
        // A line already in the pipe is the reader's next: nothing to ask.
        if unread_stdin() > 0 || !a_thread_reads_stdin() {
            continue;
        }
        let _saying = SAYING.lock().unwrap_or_else(|e| e.into_inner());
        if CELL_RUNS.load(Ordering::SeqCst) {
            awaiting.store(true, Ordering::SeqCst);
            crate::evcxr_internal_runtime::send_protocol(&format!("{}:\n", evcxr_input::GET_CMD));
        }
    }
}

/// Whether a thread of this process is blocked in `read(0, …)`.
fn a_thread_reads_stdin() -> bool {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return false;
    };
    tasks.flatten().any(|task| {
        std::fs::read_to_string(task.path().join("syscall")).is_ok_and(|call| {
            let mut fields = call.split_whitespace();
            let number = fields.next().and_then(|n| n.parse::<libc::c_long>().ok());
            matches!(number, Some(libc::SYS_read | libc::SYS_readv)) && fields.next() == Some("0x0")
        })
    })
}

/// How many bytes wait in the stdin pipe.
fn unread_stdin() -> libc::c_int {
    let mut unread: libc::c_int = 0;
    // SAFETY: FIONREAD writes one int.
    unsafe { libc::ioctl(0, libc::FIONREAD, &mut unread) };
    unread
}

fn cvt(result: libc::c_int) -> io::Result<libc::c_int> {
    if result < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(result)
    }
}
