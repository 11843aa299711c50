//! The kernel leaves with its front end, as ipykernel does: a Jupyter server
//! or console that dies (killed, crashed) without asking the kernel to shut
//! down would otherwise leave it — and its runtime — running for ever.
//!
//! The front end is the process that started the kernel, and, when Jupyter
//! names one in `JPY_PARENT_PID` (jupyter_client sets it to the launching
//! process), that one too. Either gone — the kernel's parent changed (it was
//! handed to a reaper) or the named process no longer exists — ends the
//! kernel as a shutdown request would.

use std::time::Duration;

/// How often the kernel looks.
const EVERY: Duration = Duration::from_secs(1);

/// Resolves when the kernel's front end is gone; never when it lives.
pub(super) async fn gone() {
    let parent = nix::unistd::getppid();
    let named = std::env::var("JPY_PARENT_PID")
        .ok()
        .and_then(|pid| pid.parse::<i32>().ok())
        .filter(|&pid| pid > 1)
        .map(nix::unistd::Pid::from_raw);
    loop {
        tokio::time::sleep(EVERY).await;
        if nix::unistd::getppid() != parent {
            eprintln!("multitask kernel: the process that started it is gone; leaving");
            return;
        }
        // Signal 0 only asks whether the process exists.
        if let Some(pid) = named
            && nix::sys::signal::kill(pid, None) == Err(nix::errno::Errno::ESRCH)
        {
            eprintln!("multitask kernel: its front end (JPY_PARENT_PID {pid}) is gone; leaving");
            return;
        }
    }
}
