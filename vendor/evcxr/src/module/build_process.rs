//! The compiler running for the current cell, so that another thread can
//! stop it: an interrupt while a cell compiles stops the compile, not the
//! runtime and its variables. (multitask patch 13)
//!
//! Each build runs in a process group of its own: a terminal's Ctrl-C
//! reaches only the front end, which decides what to stop, and [`stop`]
//! ends cargo together with the rustc processes it started.

use std::io;
use std::os::unix::process::CommandExt as _;
use std::process::{Child, Command, Output, Stdio};
use std::sync::Mutex;

/// The process group of the build that runs, if one does.
static RUNNING: Mutex<Option<u32>> = Mutex::new(None);

/// A build, registered as running until dropped.
pub(crate) struct Running {
    child: Option<Child>,
}

impl Running {
    pub(crate) fn child(&mut self) -> &mut Child {
        self.child.as_mut().expect("the build's process")
    }

    /// Waits for the build's end, with what it printed.
    pub(crate) fn wait_with_output(mut self) -> io::Result<Output> {
        self.child.take().expect("the build's process").wait_with_output()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        *RUNNING.lock().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// Starts `command` as the running build, in a process group of its own.
pub(crate) fn spawn(command: &mut Command) -> io::Result<Running> {
    command.process_group(0);
    let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    let child = command.spawn()?;
    *running = Some(child.id());
    Ok(Running { child: Some(child) })
}

/// [`Command::output`], as the running build.
pub(crate) fn output(command: &mut Command) -> io::Result<Output> {
    command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    spawn(command)?.wait_with_output()
}

/// Stops the running build (cargo and every rustc it started): `true` when
/// one was running.
pub fn stop() -> bool {
    let running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    let Some(group) = *running else {
        return false;
    };
    // SAFETY: kill(2) has no memory effects; a negative pid names the group.
    unsafe { libc::kill(-(group as i32), libc::SIGKILL) };
    true
}
