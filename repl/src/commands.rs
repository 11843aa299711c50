//! The colon commands a learner can type — ours and the evcxr ones we
//! offer — and `:help`, which lists them.

/// Our own colon commands, with one line of help each.
pub const OUR_COMMANDS: &[(&str, &str)] = &[
    (":help", "this list"),
    (":vars", "the variables defined so far, with their types"),
    (
        ":exercises",
        "the exercises: the ones you passed ticked, the next one marked",
    ),
    (
        ":time CODE",
        "run CODE (it keeps what it binds) and say how long it took",
    ),
    (
        ":timeit EXPR",
        "time EXPR as IPython's %timeit: optimised, mean ± std. dev. of 7 runs",
    ),
    (":quit", "leave (Ctrl-D does the same)"),
];

/// evcxr's commands that a learner may use, with one line of help each.
const EVCXR_COMMANDS: &[(&str, &str)] = &[
    (":dep NAME = …", "add a crate, as in Cargo.toml"),
    (":opt [0|1|2]", "rustc's optimisation level for cells"),
    (":type EXPR", "the type of an expression (also `:t`)"),
    (":clear", "forget every variable and item"),
    (":timing", "print how long each cell takes"),
    (":explain", "explain the last compile error"),
    (
        ":last_error_json",
        "the last compile error, as rustc's JSON",
    ),
    (":efmt FORMAT", "how values are shown (default {:?})"),
    (":fmt FORMAT", "how values are shown for this session"),
];

/// The optimisation levels rustc knows, for `:opt`.
pub const OPT_LEVELS: &[&str] = &["0", "1", "2", "3", "s", "z"];

/// `:help`: what to type, and every command with its line of help.
pub fn help() -> String {
    let mut text = String::from("Type Rust; the prelude (`multitask::prelude::*`) is in scope.\n");
    text += "An unclosed {, ( or [ continues on the next line; Ctrl-C stops a running cell\n";
    text += "and keeps your variables (press it twice for code that never checks).\n\n";
    text += "Our commands:\n";
    for (name, what) in OUR_COMMANDS {
        text += &format!("  {name:<18} {what}\n");
    }
    text += "evcxr's commands:\n";
    for (name, what) in EVCXR_COMMANDS {
        text += &format!("  {name:<18} {what}\n");
    }
    text.trim_end().to_string()
}
