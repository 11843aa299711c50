//! The end-to-end test crate: one binary, a module per area.

mod asyncio_vs_cpython;
mod console_pty;
mod exercises;
mod explore_vs_python;
mod generator_vs_cpython;
mod greenlet_vs_gevent;
mod jupyterlab_browser;
mod kernel_analyzer;
mod kernel_doctor;
mod kernel_faults;
mod kernel_jupyter;
mod notebook_faults;
mod notebooks_check;
mod process_vs_cpython;
mod readme_commands;
mod repl_pty;
mod trace_formats;
mod trace_lanes;
mod vendor_queue;
