//! What a cell becomes before it compiles, and what the REPL writes into it.
//!
//! - [`input`]: whether typed input is a whole cell yet (an unclosed `{`
//!   continues on the next line).
//! - [`rewrite`]: the cell as it compiles, and offsets mapped back to what
//!   the learner typed.
//! - [`reserved`]: `gen` (reserved in Rust 2024) as a learner's name.
//! - [`loop_checks`]: a check for an interrupt at the top of each loop body.
//! - [`statics`]: a note in a cell that defines a `static`, which starts
//!   over in every later cell.
//! - [`syntax`]: a cell parsed as evcxr parses it.
//! - [`contract`]: every prelude path the REPL writes into code, each
//!   checked by the compiler.

pub mod contract;
pub mod input;
pub mod loop_checks;
pub mod reserved;
pub mod rewrite;
pub mod statics;
pub mod syntax;
