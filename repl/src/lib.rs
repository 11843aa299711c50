//! The `multitask` binary's library: a thin `main` over these rooms. Front
//! ends call the session core; the core never calls a front end back.
//!
//! - [`session`]: the core — one learner's evcxr context with the prelude
//!   loaded, our colon commands, what became of a cell ([`session::reply`]),
//!   the runtime's output, interrupts, completions, hints for Python habits,
//!   the build folders, a session starting in the background.
//! - [`cell`]: what a cell becomes before it compiles — `gen` as a name,
//!   interrupt checks in loops, offsets mapped back — whether typed input is
//!   a whole cell yet, and every prelude path written into code
//!   ([`cell::contract`]).
//! - [`terminal`]: the rustyline REPL (a front end).
//! - [`kernel`]: the Jupyter kernel and its kernelspec installer (a front end).
//! - [`notebook`]: notebooks — the nbformat 4 file, `multitask check` (run
//!   and compare) and `multitask step` (a front end that walks one).

pub mod cell;
pub mod kernel;
pub mod notebook;
pub mod session;
pub mod terminal;
