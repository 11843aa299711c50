//! How much memory the runtime held while a cell ran, so that a runtime
//! that runs out of it is told in the learner's words: what the cell held,
//! not the last small allocation that failed.
//!
//! A watcher reads the runtime's resident size (`/proc/PID/statm`) every
//! [`EVERY`] while the cell runs and keeps the largest; a process that has
//! died has no size left to read, so it must be read before.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// How often the watcher reads the runtime's size.
const EVERY: Duration = Duration::from_millis(50);

/// Watches one process until stopped.
pub struct Watch {
    stop: Arc<AtomicBool>,
    peak: Arc<AtomicU64>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Watch {
    /// Starts watching process `pid`.
    pub fn start(pid: u32) -> Watch {
        let stop = Arc::new(AtomicBool::new(false));
        let peak = Arc::new(AtomicU64::new(resident(pid).unwrap_or(0)));
        let thread = std::thread::Builder::new()
            .name("runtime-memory".into())
            .spawn({
                let (stop, peak) = (stop.clone(), peak.clone());
                move || {
                    while !stop.load(Ordering::Relaxed) {
                        // Woken at once by `stop`: the cell's reply waits for it.
                        std::thread::park_timeout(EVERY);
                        match resident(pid) {
                            Some(bytes) => peak.fetch_max(bytes, Ordering::Relaxed),
                            None => break,
                        };
                    }
                }
            })
            .ok();
        Watch { stop, peak, thread }
    }

    /// Stops watching: the most the process held meanwhile, in bytes.
    pub fn stop(mut self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(thread) = self.thread.take() {
            thread.thread().unpark();
            let _ = thread.join();
        }
        self.peak.load(Ordering::Relaxed)
    }
}

/// The resident size of process `pid` in bytes, while it lives.
fn resident(pid: u32) -> Option<u64> {
    let statm = std::fs::read_to_string(format!("/proc/{pid}/statm")).ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * page_size())
}

fn page_size() -> u64 {
    // SAFETY: sysconf only reads a system constant.
    let size = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    u64::try_from(size).unwrap_or(4096)
}

/// The machine's memory in bytes (`MemTotal` of `/proc/meminfo`).
pub fn machine() -> Option<u64> {
    let meminfo = std::fs::read_to_string("/proc/meminfo").ok()?;
    let line = meminfo.lines().find(|l| l.starts_with("MemTotal:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// How much memory a session's processes may use: the machine's, or less
/// where their memory cgroup has a limit (a class's hub sets one for each
/// learner).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Allowance {
    /// The machine's memory, in bytes.
    Machine(u64),
    /// The cgroup's limit, in bytes (below the machine's memory).
    Limit(u64),
}

impl Allowance {
    /// What this process may use now (the runtime shares its cgroup).
    pub fn now() -> Option<Allowance> {
        let machine = machine()?;
        Some(match cgroup_limit() {
            Some(limit) if limit < machine => Allowance::Limit(limit),
            _ => Allowance::Machine(machine),
        })
    }

    /// In bytes.
    pub fn bytes(self) -> u64 {
        match self {
            Allowance::Machine(bytes) | Allowance::Limit(bytes) => bytes,
        }
    }
}

impl std::fmt::Display for Allowance {
    /// `the machine's 24 GB`, `the 1.0 GB this session may use`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Allowance::Machine(bytes) => write!(f, "the machine's {}", size(bytes)),
            Allowance::Limit(bytes) => write!(f, "the {} this session may use", size(bytes)),
        }
    }
}

/// The memory limit of this process's cgroup, if one is set (cgroup v1's
/// `memory.limit_in_bytes`, v2's `memory.max`).
fn cgroup_limit() -> Option<u64> {
    let own = std::fs::read_to_string("/proc/self/cgroup").ok()?;
    own.lines().find_map(|line| {
        let mut parts = line.splitn(3, ':');
        let (number, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let file = if controllers.split(',').any(|c| c == "memory") {
            format!("/sys/fs/cgroup/memory{path}/memory.limit_in_bytes")
        } else if number == "0" && controllers.is_empty() {
            format!("/sys/fs/cgroup{path}/memory.max")
        } else {
            return None;
        };
        std::fs::read_to_string(file).ok()?.trim().parse().ok()
    })
}

/// `bytes` as a learner reads a size: `1.5 GB`, `310 MB`, `10 MB`, `8.5 MB`
/// (a tenth shown below 100 of a unit when there is one; gigabytes and up
/// always with a tenth).
///
/// ```
/// use multitask_repl::session::memory::size;
///
/// assert_eq!(size(1_610_612_736), "1.5 GB");
/// assert_eq!(size(325_058_560), "310 MB");
/// assert_eq!(size(10 << 20), "10 MB");
/// assert_eq!(size(8_912_896), "8.5 MB");
/// assert_eq!(size(1536), "1.5 KB");
/// assert_eq!(size(u64::MAX / 2), "8.0 EB");
/// ```
pub fn size(bytes: u64) -> String {
    const UNITS: [&str; 6] = ["KB", "MB", "GB", "TB", "PB", "EB"];
    let mut value = bytes as f64 / 1024.0;
    let mut unit = 0;
    while value >= 1024.0 && unit + 1 < UNITS.len() {
        value /= 1024.0;
        unit += 1;
    }
    let tenth = unit >= 2 || (value < 100.0 && (value * 10.0).round() % 10.0 != 0.0);
    if tenth {
        format!("{value:.1} {}", UNITS[unit])
    } else {
        format!("{value:.0} {}", UNITS[unit])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_peak_of_a_process_that_grows_is_seen() {
        let mut child = std::process::Command::new("python3")
            .args([
                "-c",
                "import time; b = bytearray(64 << 20); time.sleep(0.5)",
            ])
            .spawn()
            .expect("python3");
        let watch = Watch::start(child.id());
        child.wait().expect("wait");
        let peak = watch.stop();
        assert!(peak >= 64 << 20, "{}", size(peak));
    }

    #[test]
    fn a_limit_is_named_as_the_sessions_and_the_machine_as_the_machines() {
        assert_eq!(
            Allowance::Limit(1 << 30).to_string(),
            "the 1.0 GB this session may use"
        );
        assert_eq!(
            Allowance::Machine(24 << 30).to_string(),
            "the machine's 24.0 GB"
        );
        let now = Allowance::now().expect("a Linux machine");
        assert!(now.bytes() <= machine().unwrap());
    }
}
