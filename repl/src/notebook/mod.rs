//! Notebooks: the file, and the two commands that run them.
//!
//! - [`format`]: nbformat 4, read and written the way Jupyter does.
//! - [`check`]: `multitask check`, notebooks run and compared with their
//!   stored outputs.
//! - [`step`]: `multitask step`, a notebook walked in the terminal.

pub mod check;
pub mod format;
pub mod step;

pub use format::{Cell, Notebook, Output, multiline};
