//! The colon commands a learner can type — ours, parsed here into a
//! [`Command`], and the evcxr ones we offer — and `:help`, which lists them.

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

/// A cell that is one of our colon commands (evcxr's are left to evcxr).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command<'a> {
    /// `:help` (`:h`).
    Help,
    /// `:quit` (`:q`, `:exit`).
    Quit,
    /// `:vars`.
    Vars,
    /// `:exercises`.
    Exercises,
    /// `:time CODE`.
    Time(&'a str),
    /// `:timeit EXPR`.
    Timeit(&'a str),
    /// `:opt LEVEL` with a level rustc does not know: evcxr would take it,
    /// and the next cell would fail in cargo.
    UnknownOptLevel(&'a str),
}

/// The command `cell` is, if it is one of ours.
pub fn parse(cell: &str) -> Option<Command<'_>> {
    let trimmed = cell.trim();
    match trimmed {
        ":help" | ":h" => return Some(Command::Help),
        ":quit" | ":q" | ":exit" => return Some(Command::Quit),
        ":vars" => return Some(Command::Vars),
        ":exercises" => return Some(Command::Exercises),
        _ => {}
    }
    match trimmed.split_once(char::is_whitespace) {
        Some((":time", code)) => Some(Command::Time(code)),
        Some((":timeit", expr)) => Some(Command::Timeit(expr)),
        Some((":opt", level)) if !OPT_LEVELS.contains(&level.trim()) => {
            Some(Command::UnknownOptLevel(level.trim()))
        }
        _ => None,
    }
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn our_commands_are_parsed_and_evcxrs_left_alone() {
        assert_eq!(parse(" :h "), Some(Command::Help));
        assert_eq!(parse(":exit"), Some(Command::Quit));
        assert_eq!(parse(":time let x = 1;"), Some(Command::Time("let x = 1;")));
        assert_eq!(parse(":timeit 2 + 2"), Some(Command::Timeit("2 + 2")));
        assert_eq!(parse(":opt 7"), Some(Command::UnknownOptLevel("7")));
        assert_eq!(parse(":opt 2"), None, "evcxr's, with a level it knows");
        assert_eq!(parse(":dep rand = \"0.8\""), None);
        assert_eq!(parse("let time = 1;"), None);
    }

    #[test]
    fn help_lists_every_command_of_ours() {
        let help = help();
        for (name, _) in OUR_COMMANDS {
            assert!(help.contains(name), "{name}");
        }
    }
}
