//! The `multitask` binary's library: a thin `main` over these modules.
//!
//! - [`session`]: one learner's evcxr context with the prelude loaded, our
//!   colon commands and crash bookkeeping; every front end goes through it.
//! - [`terminal`]: the rustyline REPL.
//! - [`input`]: whether typed input is a whole cell yet.
//! - [`build_dir`]: the persistent, locked folder evcxr compiles in.
//! - [`progress`]: the first start's progress bar.

pub mod build_dir;
pub mod input;
pub mod progress;
pub mod session;
pub mod terminal;
