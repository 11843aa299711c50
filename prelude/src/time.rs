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
