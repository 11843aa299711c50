//! The `multitask` binary's library: a thin `main` over these modules.
//!
//! - [`session`]: one learner's evcxr context with the prelude loaded, our
//!   colon commands and crash bookkeeping; every front end goes through it.
//! - [`reply`]: what became of a cell, in the learner's words (every front end renders it).
//! - [`commands`]: our colon commands and `:help`.
//! - [`completion`]: completions as a learner types them, and a session's quick first answer.
//! - [`locate`]: where the prelude crate is.
//! - [`contract`]: every prelude path the REPL writes into code, each checked by the compiler.
//! - [`interrupt`]: stopping the current cell from another thread, at any moment.
//! - [`background`]: a session starting behind a front end.
//! - [`terminal`]: the rustyline REPL.
//! - [`kernel`]: the Jupyter kernel, and its kernelspec installer.
//! - [`notebook`]: nbformat 4 notebooks, read and written as Jupyter does.
//! - [`check`]: `multitask check`, notebooks run and compared with their stored outputs.
//! - [`step`]: `multitask step`, a notebook walked in the terminal.
//! - [`rewrite`]: what a cell becomes before it compiles, and offsets back.
//! - [`reserved`]: `gen` (reserved in Rust 2024) as a learner's name.
//! - [`loop_checks`]: a check for an interrupt at the top of each loop body.
//! - [`input`]: whether typed input is a whole cell yet.
//! - [`output`]: the runtime's output lines, taken off evcxr's channels as they come.
//! - [`build_dir`]: the persistent, locked folder evcxr compiles in.
//! - [`progress`]: the first start's progress bar.

pub mod background;
pub mod build_dir;
pub mod check;
pub mod commands;
pub mod completion;
pub mod contract;
pub mod habits;
pub mod input;
pub mod interrupt;
pub mod kernel;
pub mod locate;
pub mod loop_checks;
pub mod notebook;
pub mod output;
pub mod progress;
pub mod reply;
pub mod reserved;
pub mod rewrite;
pub mod session;
pub mod step;
pub mod terminal;
