// Copyright 2020 The Evcxr Authors.
//
// Licensed under the Apache License, Version 2.0 <LICENSE or
// https://www.apache.org/licenses/LICENSE-2.0> or the MIT license <LICENSE
// or https://opensource.org/licenses/MIT>, at your option. This file may not be
// copied, modified, or distributed except according to those terms.

use crate::errors::Error;
use crate::errors::bail;
use crate::runtime;
use std::io::Read;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::process;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::atomic::{AtomicI32, Ordering};

pub(crate) struct ChildProcess {
    process_handle: Arc<Mutex<std::process::Child>>,
    /// Whether cleanup of `process_handle` is the responsibility of another
    /// instance.
    process_disowned: bool,
    /// evcxr's protocol lines from the runtime, with the content blocks a
    /// cell printed on stdout (a thread reads both pipes all the time; the
    /// rest of stdout goes straight to `idle_stdout`). (multitask patch 28, after 11)
    stdout: crossbeam_channel::Receiver<std::io::Result<String>>,
    route: Arc<Mutex<Route>>,
    idle_stdout: crossbeam_channel::Sender<String>,
    /// The write end of the protocol's pipe for the runtime being started,
    /// which the runtime finds on [`PROTOCOL_FD`]. (multitask patch 28)
    protocol_end: Arc<AtomicI32>,
    // Only none while in drop.
    stdin: Option<std::process::ChildStdin>,
    command: Arc<Mutex<process::Command>>,
    stderr_sender: Arc<Mutex<crossbeam_channel::Sender<String>>>,
}

/// Where the runtime's stdout lines go. (multitask patch 28, after 11)
#[derive(Clone, Copy, PartialEq, Eq)]
enum Route {
    /// A cell runs: its output to the output channel, and the content
    /// blocks it prints (evcxr's way for a type to show itself,
    /// `EVCXR_BEGIN_CONTENT` … `EVCXR_END_CONTENT`) to `recv_line`;
    /// `in_content` while one is being printed.
    Cell { in_content: bool },
    /// No cell runs: every line, printed by threads or child processes a
    /// cell started, straight to the output channel, so they show at once
    /// instead of with the next cell.
    Idle,
}

/// Where the runtime finds the protocol's pipe. (multitask patch 28)
const PROTOCOL_FD: libc::c_int = 3;

/// What the learner is told when a cell closed the runtime's stdout.
/// (multitask patch 28)
const STDOUT_CLOSED: &str = "[a cell closed the runtime's stdout: what is printed there from now \
     on is lost; `:clear` starts a new runtime, and forgets every variable]";

/// The longest line passed on whole: a longer one (a flood printed without
/// line breaks) is passed on in pieces, so that memory stays bounded.
/// (multitask patch 28)
const LONGEST_LINE: usize = 64 * 1024;

impl ChildProcess {
    pub(crate) fn new(
        mut command: std::process::Command,
        stderr_sender: crossbeam_channel::Sender<String>,
        idle_stdout: crossbeam_channel::Sender<String>,
    ) -> Result<ChildProcess, Error> {
        // Avoid a fork bomb. We could call runtime_hook here but then all the work that we did up
        // to this point would be wasted. Also, it's possible that we could already have started
        // threads, which could get messy.
        if std::env::var(runtime::EVCXR_IS_RUNTIME_VAR).is_ok() {
            bail!("Our current binary doesn't call runtime_hook()");
        }
        // All arguments after -- get passed to the subprocess, which the user can then access via
        // std::env::args.
        let user_args = std::env::args().skip_while(|arg| arg != "--").skip(1);
        command
            .args(user_args)
            .env(runtime::EVCXR_IS_RUNTIME_VAR, "1")
            .env("RUST_BACKTRACE", "1")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        // multitask patch 13: a process group of its own, so that a terminal's
        // Ctrl-C reaches only the front end, which stops what is running (a
        // compile, or the cell) and nothing else: the runtime, its
        // variables and the processes its cells started stay.
        std::os::unix::process::CommandExt::process_group(&mut command, 0);
        // multitask patch 28: the protocol's pipe, made anew for each runtime
        // (`new_internal`), goes to the runtime on PROTOCOL_FD.
        let protocol_end = Arc::new(AtomicI32::new(-1));
        command.env(
            crate::evcxr_internal_runtime::PROTOCOL_FD_VAR,
            PROTOCOL_FD.to_string(),
        );
        let end = Arc::clone(&protocol_end);
        // SAFETY: between fork and exec the closure only loads an atomic and
        // calls dup2 and fcntl, which are async-signal-safe.
        unsafe {
            std::os::unix::process::CommandExt::pre_exec(&mut command, move || {
                let fd = end.load(Ordering::SeqCst);
                let done = if fd == PROTOCOL_FD {
                    libc::fcntl(fd, libc::F_SETFD, 0)
                } else {
                    libc::dup2(fd, PROTOCOL_FD)
                };
                if done < 0 {
                    return Err(std::io::Error::last_os_error());
                }
                Ok(())
            })
        };
        ChildProcess::new_internal(
            Arc::new(Mutex::new(command)),
            None,
            Arc::new(Mutex::new(stderr_sender)),
            idle_stdout,
            protocol_end,
        )
    }

    fn new_internal(
        command: Arc<Mutex<std::process::Command>>,
        process_handle: Option<Arc<Mutex<std::process::Child>>>,
        stderr_sender: Arc<Mutex<crossbeam_channel::Sender<String>>>,
        idle_stdout: crossbeam_channel::Sender<String>,
        protocol_end: Arc<AtomicI32>,
    ) -> Result<ChildProcess, Error> {
        let (protocol, protocol_write) = protocol_pipe()?;
        let process = {
            let mut command = command.lock().unwrap();
            protocol_end.store(protocol_write.as_raw_fd(), Ordering::SeqCst);
            let process = command.spawn();
            // Only the runtime writes to it from now on.
            drop(protocol_write);
            process
        };
        let mut process = match process {
            Ok(c) => c,
            Err(error) => bail!("Failed to run '{:?}': {:?}", command, error),
        };

        end_group_with(process.id());
        let stdin = process.stdin.take();
        // Handle stderr by patching it through to a channel in our output struct.
        let child_stderr = process.stderr.take().unwrap();
        let child_stdout = process.stdout.take().unwrap();

        // If we already have an Arc<Mutex<>> wrapping an old process, then
        // reuse it, putting our new process into it. If we don't, then create a
        // new Arc<Mutex<>>. It's important to reuse an existing Arc<Mutex<>>,
        // in order to uphold the guarantees of the process_handle method.
        let process_handle = match process_handle {
            Some(handle) => {
                core::mem::swap(&mut *handle.lock().unwrap(), &mut process);
                // Ensure the old process is properly cleaned up.
                let _ = process.wait();
                handle
            }
            None => Arc::new(Mutex::new(process)),
        };

        std::thread::spawn({
            let stderr_sender = Arc::clone(&stderr_sender);
            move || {
                let stderr_sender = stderr_sender.lock().unwrap();
                // multitask patch 28: any bytes, shown with replacement
                // characters where they are not UTF-8 (a stream that stopped
                // at the first such line left the runtime's stderr without a
                // reader: every later write to it failed).
                read_lines(child_stderr, |line| {
                    // Ignore errors, since it just means that the user of the library has dropped the receive end.
                    let _ = stderr_sender.send(line);
                });
            }
        });

        // Route stdout by whether a cell runs. The lock is held while a line is
        // routed, so a line is never sent the old way after the route changed.
        let route = Arc::new(Mutex::new(Route::Idle));
        let (cell_sender, stdout) = crossbeam_channel::unbounded();
        std::thread::spawn({
            let route = Arc::clone(&route);
            let idle_stdout = idle_stdout.clone();
            move || {
                let stdout_line = |line: String| {
                    let mut route = route.lock().unwrap();
                    // Send errors only mean the receiving end is gone.
                    match &mut *route {
                        Route::Cell { in_content } if *in_content => {
                            *in_content = line != "EVCXR_END_CONTENT";
                            let _ = cell_sender.send(Ok(line));
                        }
                        Route::Cell { in_content } if line.starts_with("EVCXR_BEGIN_CONTENT ") => {
                            *in_content = true;
                            let _ = cell_sender.send(Ok(line));
                        }
                        _ => {
                            let _ = idle_stdout.send(line);
                        }
                    }
                };
                let protocol_line = |line: String| {
                    let _ = cell_sender.send(Ok(line));
                };
                read_runtime(child_stdout, protocol, stdout_line, protocol_line);
            }
        });

        Ok(ChildProcess {
            process_handle,
            process_disowned: false,
            stdout,
            route,
            idle_stdout,
            protocol_end,
            stdin,
            command,
            stderr_sender,
        })
    }

    /// Returns a handle to our subprocess. This handle may be used to terminate
    /// the subprocess. The returned handle is valid across restarts. i.e. if
    /// restart is called, then there is no need to call this method again to
    /// get a fresh handle - the previously returned handle will work for the
    /// new subprocess.
    pub(crate) fn process_handle(&self) -> Arc<Mutex<std::process::Child>> {
        self.process_handle.clone()
    }

    /// Terminates this process if it hasn't already, then restarts
    pub(crate) fn restart(&mut self) -> Result<ChildProcess, Error> {
        // If the process hasn't already terminated for some reason, kill it.
        let mut process = self.process_handle.lock().unwrap();
        if let Ok(None) = process.try_wait() {
            let _ = process.kill();
            let _ = process.wait();
        }
        end_group(process.id());
        self.process_disowned = true;
        // Unlock mutex, since ChildProcess::new_internal will need to lock it
        // again.
        drop(process);
        ChildProcess::new_internal(
            Arc::clone(&self.command),
            Some(self.process_handle.clone()),
            Arc::clone(&self.stderr_sender),
            self.idle_stdout.clone(),
            Arc::clone(&self.protocol_end),
        )
    }

    /// A cell starts: stdout lines go to `recv_line`. (multitask patch 11)
    pub(crate) fn begin_cell(&self) {
        *self.route.lock().unwrap() = Route::Cell { in_content: false };
    }

    /// The cell has finished: later lines go straight to the output, and so do
    /// any that arrived after the cell's last protocol line. (multitask patch 11)
    pub(crate) fn end_cell(&self) {
        let mut route = self.route.lock().unwrap();
        while let Ok(Ok(line)) = self.stdout.try_recv() {
            let _ = self.idle_stdout.send(line);
        }
        *route = Route::Idle;
    }

    pub(crate) fn send(&mut self, command: &str) -> Result<(), Error> {
        use std::io::Write;
        writeln!(self.stdin.as_mut().unwrap(), "{command}")
            .map_err(|_| self.get_termination_error())?;
        self.stdin.as_mut().unwrap().flush()?;
        Ok(())
    }

    pub(crate) fn recv_line(&mut self) -> Result<String, Error> {
        match self.stdout.recv() {
            Ok(line) => Ok(line?),
            Err(_) => Err(self.get_termination_error()),
        }
    }

    fn get_termination_error(&mut self) -> Error {
        // Wait until the stderr handling thread has released its lock on stderr_sender, which it
        // will do when there's nothing more to read from stderr. We don't need to keep the lock,
        // just wait until we can aquire it, then drop it straight away.
        std::mem::drop(self.stderr_sender.lock().unwrap());
        let mut content = String::new();
        while let Ok(Ok(line)) = self.stdout.recv() {
            content.push_str(&line);
            content.push('\n');
        }
        Error::SubprocessTerminated(match self.process_handle.lock().unwrap().wait() {
            Ok(exit_status) => {
                #[cfg(target_os = "macos")]
                {
                    use std::os::unix::process::ExitStatusExt;
                    if Some(9) == exit_status.signal() {
                        return Error::SubprocessTerminated(
                            "Subprocess terminated with signal 9. This is known \
                            to happen when evcxr is installed via a Homebrew shell \
                            under emulation. Try installing rustup and evcxr without \
                            using Homebrew and see if that helps."
                                .to_owned(),
                        );
                    }
                }
                format!("{content}Subprocess terminated with status: {exit_status}",)
            }
            Err(wait_error) => format!("Subprocess didn't start: {wait_error}"),
        })
    }
}

/// Ends what is left of the runtime's process group (`pid` leads it: the
/// runtime is started in a group of its own): the processes its cells
/// started, however the runtime itself ended. A child left running would
/// outlive its session, and hold the runtime's stdout open, so that its end
/// is never seen. (multitask patch 26)
fn end_group(pid: u32) {
    // SAFETY: kill(2) has no memory effects; a negative pid names the group.
    unsafe { libc::kill(-(pid as libc::pid_t), libc::SIGKILL) };
}

/// Ends the runtime's process group as soon as the runtime `pid` ends
/// (killed, crashed, exited), without reaping it: the one who waits for it
/// still finds its status, and its pid cannot be taken by another process
/// before the group is ended. (multitask patch 26)
fn end_group_with(pid: u32) {
    let watch = move || {
        // SAFETY: siginfo_t is plain data, for which all zeros is a value.
        let mut info: libc::siginfo_t = unsafe { std::mem::zeroed() };
        loop {
            // SAFETY: waitid writes only `info`; WNOWAIT leaves the child
            // waitable, so no other wait loses its status.
            let waited = unsafe {
                libc::waitid(
                    libc::P_PID,
                    pid as libc::id_t,
                    &mut info,
                    libc::WEXITED | libc::WNOWAIT,
                )
            };
            if waited == 0 {
                break end_group(pid);
            }
            if std::io::Error::last_os_error().kind() != std::io::ErrorKind::Interrupted {
                // Reaped already: whoever reaped it ends the group.
                break;
            }
        }
    };
    let _ = std::thread::Builder::new()
        .name("evcxr-runtime-end".into())
        .spawn(watch);
}

impl Drop for ChildProcess {
    fn drop(&mut self) {
        // Drop child_stdin before we wait. Our subprocess uses stdin being
        // closed to know that it's time to terminate.
        self.stdin.take();
        if !self.process_disowned {
            // Wait for our subprocess to terminate. Otherwise we'll be left
            // with zombie processes.
            let mut process = self.process_handle.lock().unwrap();
            let _ = process.wait();
            end_group(process.id());
        }
    }
}

/// A pipe for evcxr's protocol: the end the front end reads, and the end
/// the runtime writes, both closed on exec (the runtime's is given to it by
/// `dup2`). (multitask patch 28)
fn protocol_pipe() -> std::io::Result<(std::fs::File, OwnedFd)> {
    let mut ends = [0; 2];
    // SAFETY: pipe2 writes two new descriptors into `ends`, each owned once
    // below.
    if unsafe { libc::pipe2(ends.as_mut_ptr(), libc::O_CLOEXEC) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both descriptors are new and owned by nobody else.
    unsafe {
        Ok((
            std::fs::File::from(OwnedFd::from_raw_fd(ends[0])),
            OwnedFd::from_raw_fd(ends[1]),
        ))
    }
}

/// Bytes cut into lines, each passed on as text: bytes that are not UTF-8
/// become replacement characters, and a line longer than [`LONGEST_LINE`] is
/// passed on in pieces. (multitask patch 28)
#[derive(Default)]
struct Lines {
    partial: Vec<u8>,
}

impl Lines {
    fn push(&mut self, bytes: &[u8], each: &mut impl FnMut(String)) {
        self.partial.extend_from_slice(bytes);
        let mut start = 0;
        while let Some(end) = self.partial[start..].iter().position(|&b| b == b'\n') {
            each(String::from_utf8_lossy(&self.partial[start..start + end]).into_owned());
            start += end + 1;
        }
        self.partial.drain(..start);
        if self.partial.len() >= LONGEST_LINE {
            self.finish(each);
        }
    }

    /// Passes on what waits for its line break.
    fn finish(&mut self, each: &mut impl FnMut(String)) {
        if !self.partial.is_empty() {
            each(String::from_utf8_lossy(&self.partial).into_owned());
            self.partial.clear();
        }
    }
}

/// Reads `from` to its end, passing on each line. (multitask patch 28)
fn read_lines(mut from: impl Read, mut each: impl FnMut(String)) {
    let mut lines = Lines::default();
    let mut buffer = vec![0; LONGEST_LINE];
    loop {
        match from.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => lines.push(&buffer[..n], &mut each),
            Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
            Err(_) => break,
        }
    }
    lines.finish(&mut each);
}

/// Reads the runtime's stdout and its protocol pipe until the protocol pipe
/// ends (the runtime ended), passing on each line of each. A protocol
/// message is passed on only after every line the runtime printed before it
/// (it wrote them first, so once the message is read they are in the stdout
/// pipe; what waits there is read before the message is passed on), so a
/// cell's output always comes before its end. Text printed without a line
/// break before a message is passed on as a line. (multitask patch 28)
fn read_runtime(
    stdout: std::process::ChildStdout,
    mut protocol: std::fs::File,
    mut stdout_line: impl FnMut(String),
    mut protocol_line: impl FnMut(String),
) {
    // SAFETY: fcntl on our own read end only changes its flags.
    unsafe { libc::fcntl(stdout.as_raw_fd(), libc::F_SETFL, libc::O_NONBLOCK) };
    let mut stdout = Some(stdout);
    let (mut printed, mut said) = (Lines::default(), Lines::default());
    let mut buffer = vec![0; LONGEST_LINE];
    let mut told_closed = false;
    // Reads what stdout holds now; `false` when it has ended.
    fn drain(
        stdout: &mut std::process::ChildStdout,
        printed: &mut Lines,
        buffer: &mut [u8],
        each: &mut impl FnMut(String),
    ) -> bool {
        loop {
            match stdout.read(buffer) {
                Ok(0) => break,
                Ok(n) => printed.push(&buffer[..n], each),
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                Err(error) if error.kind() == std::io::ErrorKind::WouldBlock => return true,
                Err(_) => break,
            }
        }
        printed.finish(each);
        false
    }
    loop {
        let mut fds = [
            libc::pollfd {
                fd: protocol.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            },
            libc::pollfd {
                fd: stdout.as_ref().map_or(-1, |s| s.as_raw_fd()),
                events: libc::POLLIN,
                revents: 0,
            },
        ];
        // SAFETY: poll reads and writes only the two entries of `fds`; a
        // negative descriptor is skipped.
        let ready = unsafe { libc::poll(fds.as_mut_ptr(), 2, -1) };
        if ready < 0 {
            if std::io::Error::last_os_error().kind() == std::io::ErrorKind::Interrupted {
                continue;
            }
            break;
        }
        if fds[0].revents == 0 {
            if let Some(out) = &mut stdout
                && !drain(out, &mut printed, &mut buffer, &mut stdout_line)
            {
                stdout = None;
            }
            continue;
        }
        let n = loop {
            match protocol.read(&mut buffer) {
                Err(error) if error.kind() == std::io::ErrorKind::Interrupted => {}
                other => break other.unwrap_or(0),
            }
        };
        let message = buffer[..n].to_vec();
        if let Some(out) = &mut stdout {
            if !drain(out, &mut printed, &mut buffer, &mut stdout_line) {
                stdout = None;
            }
            printed.finish(&mut stdout_line);
        }
        if n == 0 {
            break;
        }
        if stdout.is_none() && !told_closed {
            // The runtime talks on: its stdout was closed, not ended with it.
            told_closed = true;
            stdout_line(STDOUT_CLOSED.to_owned());
        }
        said.push(&message, &mut protocol_line);
    }
    said.finish(&mut protocol_line);
}
