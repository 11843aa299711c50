//! Python's `time.sleep`, spelled `time::sleep(1.0)` as the tutorial writes it.
//!
//! Notebook `notebooks/00-start-here.ipynb`; tests `tests/repl_pty.rs`
//! (`ctrl_c_stops_the_preludes_waits_and_keeps_every_variable`).
//!
//! Unlike `std::thread::sleep`, this sleep can be interrupted in the REPL:
//! Ctrl-C (or Jupyter's interrupt) stops the cell and keeps every variable
//! (see [`interrupt`](crate::interrupt)).

use std::time::Duration;

/// Waits `secs` seconds (Python's `time.sleep(secs)`); nothing for zero or
/// less. In the REPL an interrupt stops it.
///
/// ```
/// let start = std::time::Instant::now();
/// multitask::time::sleep(0.01);
/// assert!(start.elapsed().as_secs_f64() >= 0.01);
/// ```
pub fn sleep(secs: f64) {
    if secs > 0.0 {
        let _traced = crate::trace::during(crate::trace::State::Sleeping, format_args!(""));
        crate::interrupt::sleep(Duration::from_secs_f64(secs));
    }
}

/// A duration as the prelude writes every one: three significant digits in
/// the largest unit that keeps the number at least 1, a space before the
/// unit — `1.23 s`, `456 ms`, `7.89 µs`, `12.3 ns` — where `{:.2?}` writes
/// `1.23s`, `456.00ms`, `7.89µs`, `12.30ns`.
///
/// ```
/// use std::time::Duration;
/// use multitask::time::format_duration;
/// assert_eq!(format_duration(Duration::from_micros(2300)), "2.30 ms");
/// assert_eq!(format_duration(Duration::from_nanos(308)), "308 ns");
/// assert_eq!(format_duration(Duration::from_secs(2)), "2.00 s");
/// ```
pub fn format_duration(duration: Duration) -> String {
    crate::timeit::seconds(duration.as_secs_f64())
}
