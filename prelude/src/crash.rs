//! Crashes on purpose, for demonstrations: what a crash takes down (a child
//! process, a thread's whole process) is a lesson of its own.
//!
//! Notebooks `notebooks/01-processes.ipynb` and `06-examples.ipynb`; tests
//! `tests/repl_pty.rs` (`a_segfault_restarts_the_runtime_without_a_backtrace`).

/// A real segmentation fault: reads a page mapped without access rights.
/// The process dies of `SIGSEGV` (Python's exit code −11).
///
/// ```
/// use multitask::multiprocessing::Process;
/// let p = Process::new(|| multitask::crash::segfault());
/// p.start().unwrap();
/// assert_eq!(p.join().unwrap(), -11);
/// ```
pub fn segfault() -> ! {
    // SAFETY: a fresh anonymous mapping with no access; reading it faults,
    // which is the point. Nothing after the read runs.
    unsafe {
        let page = libc::mmap(
            std::ptr::null_mut(),
            4096,
            libc::PROT_NONE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
            -1,
            0,
        );
        std::ptr::read_volatile(page.cast::<u8>());
    }
    unreachable!("reading a page without access rights faults")
}
