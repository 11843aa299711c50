//! How many threads fit: the system's limits, and a probe that starts
//! threads until the system refuses or a cap is reached.

use std::fmt;
use std::sync::{Arc, Barrier};
use std::time::{Duration, Instant};

/// The system's limits on threads, read from `/proc` and `getrlimit`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SystemLimits {
    /// `/proc/sys/kernel/threads-max`: threads in the whole system.
    pub threads_max: Option<u64>,
    /// `RLIMIT_NPROC`: processes and threads of this user (`None`: unlimited).
    pub nproc: Option<u64>,
    /// `/proc/sys/vm/max_map_count`: memory mappings per process; every
    /// thread stack takes two (the stack and its guard page).
    pub max_map_count: Option<u64>,
    /// Rust's default stack for a new thread, in bytes.
    pub default_stack: usize,
}

/// Reads the system's limits.
///
/// ```
/// let l = multitask::threading::limits::system();
/// assert!(l.threads_max.unwrap() > 0);
/// assert_eq!(l.default_stack, 2 * 1024 * 1024);
/// ```
pub fn system() -> SystemLimits {
    let read = |path: &str| std::fs::read_to_string(path).ok()?.trim().parse().ok();
    let nproc = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NPROC)
        .ok()
        .map(|(soft, _)| soft)
        .filter(|&soft| soft != libc::RLIM_INFINITY);
    SystemLimits {
        threads_max: read("/proc/sys/kernel/threads-max"),
        nproc,
        max_map_count: read("/proc/sys/vm/max_map_count"),
        default_stack: std::env::var("RUST_MIN_STACK")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(2 * 1024 * 1024),
    }
}

/// What [`probe`] found.
#[derive(Clone, Debug)]
pub struct Probe {
    /// Threads running at once, at the end.
    pub started: usize,
    /// The cap asked for.
    pub cap: usize,
    /// The stack size each thread had.
    pub stack_size: usize,
    /// Why it stopped before the cap, if it did.
    pub refused: Option<String>,
    /// Time to start them all.
    pub elapsed: Duration,
    /// This process's resident memory growth while they all ran, in KiB.
    pub rss_growth_kib: u64,
}

impl fmt::Display for Probe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} threads with {} KiB stacks in {:.1} ms, +{} KiB resident",
            self.started,
            self.stack_size / 1024,
            self.elapsed.as_secs_f64() * 1e3,
            self.rss_growth_kib
        )?;
        match &self.refused {
            Some(why) => write!(f, " (then refused: {why})"),
            None => write!(f, " (the cap; the system did not refuse)"),
        }
    }
}

/// Starts up to `cap` threads with `stack_size`-byte stacks that all wait,
/// stops at the first refusal, then lets them all end. The cap keeps the
/// machine safe: never ask for more than a few thousand.
///
/// ```
/// let p = multitask::threading::limits::probe(50, 64 * 1024);
/// assert_eq!(p.started, 50);
/// assert!(p.refused.is_none());
/// ```
pub fn probe(cap: usize, stack_size: usize) -> Probe {
    let release = Arc::new(Barrier::new(1));
    let gate = Arc::new(std::sync::RwLock::new(()));
    let closed = gate.write().unwrap_or_else(|p| p.into_inner());
    let rss_before = resident_kib();
    let start = Instant::now();
    let mut handles = Vec::new();
    let mut refused = None;
    while handles.len() < cap {
        let gate = Arc::clone(&gate);
        let spawned = std::thread::Builder::new()
            .stack_size(stack_size)
            .spawn(move || drop(gate.read()));
        match spawned {
            Ok(h) => handles.push(h),
            Err(e) => {
                refused = Some(e.to_string());
                break;
            }
        }
    }
    let elapsed = start.elapsed();
    let rss_growth_kib = resident_kib().saturating_sub(rss_before);
    drop(closed);
    let started = handles.len();
    for h in handles {
        let _ = h.join();
    }
    release.wait();
    Probe {
        started,
        cap,
        stack_size,
        refused,
        elapsed,
        rss_growth_kib,
    }
}

/// This process's resident memory (`VmRSS`), in KiB.
pub fn resident_kib() -> u64 {
    status_field("VmRSS:").unwrap_or(0)
}

/// The kernel's page tables for this process (`VmPTE`), in KiB: memory that
/// [`resident_kib`] leaves out (a greenlet's stack, a mapping of its own,
/// adds to them).
///
/// ```
/// assert!(multitask::threading::limits::page_tables_kib() > 0);
/// ```
pub fn page_tables_kib() -> u64 {
    status_field("VmPTE:").unwrap_or(0)
}

/// How many OS threads this process has (`Threads:` in `/proc/self/status`).
///
/// ```
/// assert!(multitask::threading::limits::os_threads() >= 1);
/// ```
pub fn os_threads() -> u64 {
    status_field("Threads:").unwrap_or(1)
}

fn status_field(name: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}
