//! The `multitask` binary's library: a thin `main` over these modules.
//!
//! - [`session`]: one learner's evcxr context with the prelude loaded, our
//!   colon commands and crash bookkeeping; every front end goes through it.
//! - [`background`]: a session starting and warming up behind a front end.
//! - [`terminal`]: the rustyline REPL.
//! - [`kernel`]: the Jupyter kernel, and its kernelspec installer.
//! - [`input`]: whether typed input is a whole cell yet.
//! - [`build_dir`]: the persistent, locked folder evcxr compiles in.
//! - [`progress`]: the first start's progress bar.

pub mod background;
pub mod build_dir;
pub mod input;
pub mod kernel;
pub mod progress;
pub mod session;
pub mod terminal;
