//! One learner's session: the evcxr context with the prelude loaded, our own
//! colon commands, and the bookkeeping that lets a crash say what it lost.
//!
//! Every front end (the terminal, the Jupyter kernel, the notebook stepper)
//! hands cells to [`Session::execute`] and renders the [`Reply`]; none talks to
//! evcxr directly, so they all behave alike.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use evcxr::{CommandContext, CompilationError, EvalCallbacks};

use crate::interrupt::{Ended, Interrupter};
use crate::output::{self, Forwarded, Stream};
use crate::reserved;
use crate::rewrite::{self, Checks, Rewritten};

/// How to set a session up.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `prelude/` crate to preload; `None` runs plain evcxr (for comparisons).
    pub prelude: Option<PathBuf>,
    /// rustc's optimisation level for cells ("0", "1", "2", …); `None` keeps evcxr's.
    pub opt_level: Option<String>,
    /// The build folder evcxr compiles in (see [`crate::build_dir`]), marked
    /// ready once a session has started there.
    pub build_dir: Option<PathBuf>,
    /// Stops the front end's current cell (see [`crate::interrupt`]); made
    /// before the session starts, so an interrupt is never too early.
    pub interrupter: Interrupter,
}

/// What became of one cell.
#[derive(Debug)]
pub enum Reply {
    /// The cell ran.
    Value(Output),
    /// Text from one of our own commands (`:help`, `:vars`, …).
    Text(String),
    /// The cell panicked: this is the message (printed already, by
    /// [`PANIC_HOOK`], in order with the cell's output). Variables from
    /// before the cell are kept, as after a Python exception.
    Panicked(String),
    /// rustc refused the cell; nothing ran and every variable is kept.
    CompileErrors {
        /// rustc's errors, their spans in `cell.code`.
        errors: Vec<CompilationError>,
        /// The cell as compiled (reserved names made raw) and how it maps
        /// back to what the learner typed.
        cell: Rewritten,
    },
    /// The runtime process died (abort, segfault, `exit`) or was stopped by an
    /// interrupt (Ctrl-C, Jupyter's interrupt). It has been restarted with the
    /// prelude; these variables were lost.
    Crashed {
        /// Why: the signal and what it usually means, or that it was interrupted.
        reason: String,
        /// Whether an [`Interrupter`] stopped it (rather than a crash).
        interrupted: bool,
        /// The variables that existed before the cell, now gone.
        lost: Vec<String>,
    },
    /// An interrupt came before the cell ran (the session was still
    /// starting, or the cell compiling): it did not run, and nothing was
    /// lost.
    NotRun,
    /// An interrupt stopped the running cell where it waited or looped
    /// (Python's `KeyboardInterrupt`, see [`crate::interrupt`]); the runtime
    /// lives on.
    KeyboardInterrupt {
        /// Variables from before the cell that are gone: those it moved.
        lost: Vec<String>,
    },
    /// A command was wrong (unknown name, bad argument): one line saying why.
    Error(String),
    /// The learner asked to leave.
    Quit,
}

/// A cell's failure as Jupyter shows one: an error name, a one-line value and
/// the lines of a traceback (rustc's rendered messages, in colour).
#[derive(Debug, Clone, PartialEq)]
pub struct Failure {
    /// `Panic`, `CompileError`, `RuntimeCrashed`, `Interrupted` or `Error`.
    pub ename: String,
    /// What went wrong, in one line.
    pub evalue: String,
    /// The long form; Jupyter prints these lines.
    pub traceback: Vec<String>,
}

impl Reply {
    /// The failure in this reply, if the cell failed.
    pub fn failure(&self) -> Option<Failure> {
        let (ename, evalue, traceback) = match self {
            Reply::CompileErrors { errors, .. } => {
                let traceback = errors
                    .iter()
                    .map(|error| {
                        let mut text = clean(&error.rendered());
                        if let Some(hint) = hint(error) {
                            text += &format!("\x1b[36mhint:\x1b[0m {hint}\n");
                        }
                        text
                    })
                    .collect();
                let evalue = errors
                    .iter()
                    .map(|e| clean(&e.message()))
                    .collect::<Vec<_>>()
                    .join("; ");
                ("CompileError", evalue, traceback)
            }
            Reply::Crashed {
                reason,
                interrupted,
                lost,
            } => {
                let lost = if lost.is_empty() {
                    "No variables were lost.".to_string()
                } else {
                    format!("Lost variables: {}.", lost.join(", "))
                };
                let evalue = format!(
                    "the runtime stopped: {reason}. It has been restarted with the prelude. {lost}"
                );
                let ename = if *interrupted {
                    "Interrupted"
                } else {
                    "RuntimeCrashed"
                };
                (ename, evalue, Vec::new())
            }
            Reply::Panicked(message) => ("Panic", message.clone(), Vec::new()),
            Reply::KeyboardInterrupt { lost } => ("KeyboardInterrupt", stopped(lost), Vec::new()),
            Reply::NotRun => ("Interrupted", NOT_RUN.to_string(), Vec::new()),
            Reply::Error(message) => ("Error", message.clone(), Vec::new()),
            Reply::Value(_) | Reply::Text(_) | Reply::Quit => return None,
        };
        let traceback = if traceback.is_empty() {
            vec![format!("\x1b[91m{ename}\x1b[0m: {evalue}")]
        } else {
            traceback
        };
        Some(Failure {
            ename: ename.to_string(),
            evalue,
            traceback,
        })
    }
}

/// What a cell that ran gives back.
#[derive(Debug, Default)]
pub struct Output {
    /// The value of the cell's last expression, by MIME type (empty when the
    /// cell ends with a statement).
    pub values: HashMap<String, String>,
    /// How long the cell took, when `:timing` is on.
    pub timing: Option<Timing>,
}

/// How long a cell took, and in which phases.
#[derive(Debug, Clone, PartialEq)]
pub struct Timing {
    /// From the cell's arrival to its last output.
    pub total: Duration,
    /// evcxr's phases in order ("Type inference", "Final compile", "Execution", …).
    pub phases: Vec<(String, Duration)>,
}

impl std::fmt::Display for Timing {
    /// `took 0.123 s (Final compile 0.101 s, Execution 0.012 s)`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "took {:.3} s", self.total.as_secs_f64())?;
        if !self.phases.is_empty() {
            let phases: Vec<String> = self
                .phases
                .iter()
                .map(|(name, took)| format!("{name} {:.3} s", took.as_secs_f64()))
                .collect();
            write!(f, " ({})", phases.join(", "))?;
        }
        Ok(())
    }
}

/// Our own colon commands, with one line of help each.
pub const OUR_COMMANDS: &[(&str, &str)] = &[
    (":help", "this list"),
    (":vars", "the variables defined so far, with their types"),
    (
        ":exercises",
        "the exercises, with the ones you passed ticked",
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

/// Run in the runtime process: a panic prints one line, `panicked: message`,
/// to stdout, where it lands in order with the cell's own output (stderr is
/// another pipe, read by another thread) and without a backtrace of evcxr's
/// runtime frames or a location in code the learner never saw.
pub const PANIC_HOOK: &str = r#"std::panic::set_hook(Box::new(|info| {
    let payload = info.payload();
    let message = payload.downcast_ref::<&str>().map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a non-text panic payload)".to_string());
    match std::thread::current().name() {
        None | Some("main") => println!("panicked: {message}"),
        Some(name) => println!("thread '{name}' panicked: {message}"),
    }
}));"#;

/// What a cell stopped by an interrupt says, naming the variables it had
/// moved (the others from before it are kept; those it was defining are
/// dropped, as after a panic).
pub fn stopped(lost: &[String]) -> String {
    let kept = if lost.is_empty() {
        "the variables from before it are kept".to_string()
    } else {
        format!(
            "the variables from before it are kept, but for {}, which it had moved",
            lost.join(", ")
        )
    };
    format!("the cell was interrupted and stopped; {kept}")
}

/// Why the runtime was killed when a cell did not stop by itself.
pub const DID_NOT_STOP: &str = "interrupted, and the cell did not stop by itself (code outside the \
     prelude, such as std::thread::sleep, cannot be stopped any other way)";

/// What a cell interrupted before it ran says.
pub const NOT_RUN: &str =
    "interrupted before it ran: the cell did not run, and no variable was lost";

/// A session: evcxr's context with the prelude in scope.
pub struct Session {
    context: CommandContext,
    interrupter: Interrupter,
    /// The runtime's output on its way to the front end.
    forwarded: Arc<Forwarded>,
    /// Answers a cell that reads stdin (see [`Hooks::input`]).
    input: Input,
    /// Whether loops check for an interrupt (they can with the prelude).
    checks: Checks,
}

/// A line for a cell that reads stdin, given the prompt evcxr passes on.
pub type Input = Box<dyn FnMut(&str) -> String + Send>;

/// How a front end hears from its session.
pub struct Hooks {
    /// Each of cargo's "Compiling …" lines, as they come: while the
    /// session starts (a first start compiles every dependency of the
    /// prelude: minutes) and in a cell's `:dep`.
    pub build: Box<dyn FnMut(&str) + Send>,
    /// Each line the runtime prints once the session is up: a cell's, or a
    /// thread's or a child process's at any time, in order per stream.
    pub output: Box<dyn FnMut(Stream, String) + Send>,
    /// A line for the cell that runs, when it (or a thread of it) reads
    /// stdin: typed in the terminal, or a Jupyter `input_request`.
    pub input: Input,
}

impl Hooks {
    /// Hooks that print cargo's lines on stderr and hand the runtime's to
    /// `output`.
    pub fn output(output: impl FnMut(Stream, String) + Send + 'static) -> Hooks {
        Hooks {
            build: Box::new(|line| eprintln!("{line}")),
            output: Box::new(output),
            input: Box::new(|_| {
                eprintln!(
                    "(a cell read stdin, which nobody types into here: it got an empty line)"
                );
                String::new()
            }),
        }
    }
}

impl Session {
    /// Starts evcxr's runtime and preloads the prelude, telling `hooks` what
    /// comes: slow the first time (the prelude's dependencies compile),
    /// about a second later on. The one start-up every front end uses.
    ///
    /// evcxr reads `EVCXR_TMPDIR` for its build folder: set it first (see
    /// [`crate::build_dir`]) or every start compiles everything again.
    pub fn start(options: &Options, hooks: Hooks) -> Result<Session> {
        let Hooks {
            build,
            output,
            input,
        } = hooks;
        evcxr::set_build_line_sink(build);
        let (context, outputs) = CommandContext::new().context("cannot start evcxr")?;
        options.interrupter.attach(context.process_handle());
        let mut session = Session {
            context,
            interrupter: options.interrupter.clone(),
            forwarded: output::forward(outputs, output),
            input,
            checks: match options.prelude {
                Some(_) => Checks::Loops,
                None => Checks::None,
            },
        };
        session.set_up(options)?;
        if let Some(folder) = &options.build_dir {
            // A later start here, or a copy of this folder, compiles nothing.
            let _ = crate::build_dir::mark_ready(folder);
        }
        Ok(session)
    }

    fn set_up(&mut self, options: &Options) -> Result<()> {
        if let Some(level) = &options.opt_level {
            self.context
                .set_opt_level(level)
                .context("bad optimisation level")?;
        }
        if let Some(prelude) = &options.prelude {
            // Measured on trivial cells (2 cores, opt-level 0): one codegen unit
            // and no incremental cache compile 20–30 % faster than evcxr's 16
            // units with incremental on. Cargo's environment overrides the
            // profile evcxr writes into the cell crate's Cargo.toml.
            for setting in ["CARGO_INCREMENTAL=0", "CARGO_PROFILE_DEV_CODEGEN_UNITS=1"] {
                self.context
                    .execute(&format!(":build_env {setting}"))
                    .context("cannot set up the build environment")?;
            }
            self.preload(prelude)?;
        }
        Ok(())
    }

    fn preload(&mut self, prelude: &Path) -> Result<()> {
        let path = prelude
            .display()
            .to_string()
            .replace('\\', "\\\\")
            .replace('"', "\\\"");
        let dep = format!(":dep multitask = {{ path = \"{path}\" }}");
        // A cell that awaits runs on the prelude's tokio runtime (see
        // vendor/evcxr/PATCHES.md), not on a tokio evcxr would add.
        self.context
            .set_async_runner("multitask::asyncio::run_cell");
        let load = format!("{dep}\nuse multitask::prelude::*;\n{PANIC_HOOK}");
        if let Err(e) = self.context.execute(&load) {
            bail!(
                "cannot load the prelude from {}: {}",
                prelude.display(),
                describe(&e)
            );
        }
        Ok(())
    }

    /// Runs one cell (code, colon commands, or both). Returns once the
    /// runtime's output of the cell has reached the front end's hook.
    pub fn execute(&mut self, cell: &str) -> Reply {
        let reply = self.run(cell);
        // (After a crash, `run` has waited for the runtime's last words.)
        self.forwarded.settle(false);
        reply
    }

    fn run(&mut self, cell: &str) -> Reply {
        let trimmed = cell.trim();
        match trimmed {
            ":help" | ":h" => return Reply::Text(help()),
            ":quit" | ":q" | ":exit" => return Reply::Quit,
            ":vars" => return Reply::Text(self.vars_text()),
            ":exercises" => return Reply::Text(multitask::exercises::progress::listing()),
            _ => {}
        }
        // evcxr takes any level and the next cell fails in cargo: check first.
        if let Some(level) = trimmed.strip_prefix(":opt ").map(str::trim)
            && !OPT_LEVELS.contains(&level)
        {
            return Reply::Error(format!(
                "no optimisation level {level}: use one of {}",
                OPT_LEVELS.join(", ")
            ));
        }
        let before: Vec<String> = self.variables().into_iter().map(|(name, _)| name).collect();
        let rewritten = rewrite::rewrite(cell, self.checks);
        if !self.interrupter.begin() {
            return Reply::NotRun;
        }
        let _ = self.forwarded.take_last_words();
        let input = std::sync::Mutex::new(&mut self.input);
        let reader = |request: evcxr::InputRequest| {
            (input.lock().unwrap_or_else(|e| e.into_inner()))(&request.prompt)
        };
        let result = self.context.execute_with_callbacks(
            &rewritten.code,
            &mut EvalCallbacks {
                input_reader: &reader,
            },
        );
        let interrupted = match self.interrupter.end() {
            // Whatever the stopped compile said, the cell did not run (if
            // the compile ended on its own just before, the cell ran).
            Ended::CompileStopped if result.is_err() => return Reply::NotRun,
            Ended::CompileStopped | Ended::Normally => None,
            Ended::Interrupted { killed } => Some(killed),
        };
        let lost = |session: &Session| -> Vec<String> {
            let after: Vec<String> = session.variables().into_iter().map(|(n, _)| n).collect();
            before
                .iter()
                .filter(|v| !after.contains(v))
                .cloned()
                .collect()
        };
        match result {
            // The interrupt's unwinding (it carries no message).
            Ok(evcxr::EvalOutputs { panic: Some(_), .. }) if interrupted.is_some() => {
                Reply::KeyboardInterrupt { lost: lost(self) }
            }
            Ok(evcxr::EvalOutputs {
                panic: Some(message),
                ..
            }) => Reply::Panicked(message),
            Ok(outputs) => {
                let mut values = outputs.content_by_mime_type;
                if let Some(text) = values.get_mut("text/plain") {
                    *text = text.trim_end_matches('\n').to_string();
                }
                let timing = outputs.timing.map(|total| Timing {
                    total,
                    phases: outputs
                        .phases
                        .into_iter()
                        .map(|phase| (phase.name, phase.duration))
                        .collect(),
                });
                Reply::Value(Output { values, timing })
            }
            Err(evcxr::Error::CompilationErrors(errors)) => {
                if errors
                    .iter()
                    .any(|e| e.message().starts_with("Unrecognised command"))
                {
                    let name = trimmed.split_whitespace().next().unwrap_or(trimmed);
                    return Reply::Error(format!("unknown command {name}; :help lists them"));
                }
                if errors.len() == 1 && cell.trim_start().starts_with(':') {
                    return Reply::Error(clean(&errors[0].message()));
                }
                Reply::CompileErrors {
                    errors,
                    cell: rewritten,
                }
            }
            Err(evcxr::Error::SubprocessTerminated(status)) => {
                // The runtime's last words on stderr may say more than its
                // signal does.
                self.forwarded.settle(true);
                let reason = match interrupted {
                    Some(true) => DID_NOT_STOP.to_string(),
                    Some(false) => "interrupted, the cell was stopped".to_string(),
                    None => match self.forwarded.take_last_words() {
                        Some(words) => {
                            format!("{words} [{}]", signal_of(&status).unwrap_or("abort"))
                        }
                        None => crash_reason(&status),
                    },
                };
                let lost = lost(self);
                // The new runtime process has the prelude's items but not our hook.
                let _ = self.context.execute(PANIC_HOOK);
                Reply::Crashed {
                    reason,
                    interrupted: interrupted.is_some(),
                    lost,
                }
            }
            Err(e) => Reply::Error(describe(&e)),
        }
    }

    /// What stops this session's current cell.
    pub fn interrupter(&self) -> &Interrupter {
        &self.interrupter
    }

    /// The variables defined so far and their types, sorted by name.
    pub fn variables(&self) -> Vec<(String, String)> {
        let mut vars: Vec<(String, String)> = self
            .context
            .variables_and_types()
            .map(|(name, ty)| (reserved::unraw(name), reserved::unraw(ty)))
            .collect();
        vars.sort();
        vars
    }

    fn vars_text(&self) -> String {
        let vars = self.variables();
        if vars.is_empty() {
            return "no variables yet".into();
        }
        vars.iter()
            .map(|(name, ty)| format!("{name}: {ty}"))
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// Completions at byte offset `position` of `source`: where the replaced
    /// text starts, and the candidates.
    pub fn completions(&mut self, source: &str, position: usize) -> (usize, Vec<String>) {
        let rewritten = rewrite::rewrite(source, Checks::None);
        match self
            .context
            .completions(&rewritten.code, rewritten.to_code(position))
        {
            Ok(found) => (
                rewritten.to_learner(found.start_offset),
                found
                    .completions
                    .into_iter()
                    .map(|c| without_placeholders(&reserved::unraw(&c.code)))
                    .collect(),
            ),
            Err(_) => (position, Vec::new()),
        }
    }
}

/// A completion as a learner types it: `jumping_range(n)` (rust-analyzer's
/// snippet, with a placeholder for the argument) becomes `jumping_range(`;
/// `next()`, which takes none, stays whole.
fn without_placeholders(code: &str) -> String {
    match code.find('(') {
        Some(open) if !code[open..].starts_with("()") => code[..=open].to_string(),
        _ => code.to_string(),
    }
}

fn help() -> String {
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

/// The signal's name in a runtime's exit status (`SIGABRT`), if it died of one.
fn signal_of(status: &str) -> Option<&'static str> {
    CRASH_SIGNALS
        .iter()
        .map(|(signal, _)| *signal)
        .find(|signal| status.contains(signal))
}

/// A crash, in the learner's words: the signal's name and what it usually means.
fn crash_reason(status: &str) -> String {
    for (signal, meaning) in CRASH_SIGNALS {
        if status.contains(signal) {
            return format!("{meaning} [{signal}]");
        }
    }
    status.trim().to_string()
}

/// Signals a runtime dies of, and what each usually means.
const CRASH_SIGNALS: [(&str, &str); 6] = [
    (
        "SIGABRT",
        "the process aborted (std::process::abort, a crash signal, or a panic while panicking)",
    ),
    ("SIGSEGV", "a segmentation fault (invalid memory access)"),
    ("SIGINT", "interrupted (Ctrl-C)"),
    ("SIGKILL", "killed"),
    ("SIGBUS", "a bus error (invalid memory access)"),
    ("SIGILL", "an illegal instruction"),
];

/// An evcxr error as one readable message.
pub fn describe(error: &evcxr::Error) -> String {
    match error {
        evcxr::Error::CompilationErrors(errors) => errors
            .iter()
            .map(|e| clean(&e.rendered()))
            .collect::<Vec<_>>()
            .join("\n"),
        other => other.to_string(),
    }
}

/// Takes evcxr's insides out of a message: the hidden variable store that
/// follows the learner's code shows up as "the end of the cell", and `r#gen`
/// (see [`reserved`]) as the `gen` the learner typed.
pub fn clean(message: &str) -> String {
    reserved::unraw(
        &message
            .replace("`evcxr_variable_store`", "the end of the cell")
            .replace("evcxr_variable_store", "the end of the cell"),
    )
}

/// A line of advice for a compile error a learner of this tutorial is likely
/// to meet, beyond what rustc says.
pub fn hint(error: &CompilationError) -> Option<&'static str> {
    let message = error.message();
    if message.contains("cannot borrow") && message.contains("as mutable") {
        return Some(
            "generators and iterators from the prelude are resumed with `&self`; plain iterators need `let mut`.",
        );
    }
    None
}

/// Drops the noise from the runtime's stderr: panic backtraces (runtime
/// frames, none of them the learner's).
#[derive(Debug, Default)]
pub struct StderrFilter {
    in_backtrace: bool,
}

impl StderrFilter {
    /// The line to show for `line`, if any.
    pub fn filter(&mut self, line: &str) -> Option<String> {
        let trimmed = line.trim_start();
        if trimmed == "stack backtrace:" {
            self.in_backtrace = true;
            return None;
        }
        if self.in_backtrace && trimmed.is_empty() {
            return None;
        }
        if trimmed.starts_with("note: Some details are omitted")
            || trimmed.starts_with("note: run with `RUST_BACKTRACE")
        {
            self.in_backtrace = false;
            return None;
        }
        let frame = trimmed
            .split_once(':')
            .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
            || trimmed.starts_with("at ");
        if self.in_backtrace && frame {
            return None;
        }
        self.in_backtrace = false;
        if let Some(rest) = line.strip_prefix("thread '") {
            // thread '<unnamed>' panicked at src/lib.rs:12:5:  →  panicked:
            if let Some((thread, _)) = rest.split_once("' panicked at ") {
                return Some(match thread {
                    "<unnamed>" | "main" => "panicked:".to_string(),
                    name => format!("thread '{name}' panicked:"),
                });
            }
        }
        Some(clean(line))
    }
}

/// The prelude crate to preload: `--prelude`/`MULTITASK_PRELUDE` if given,
/// else the `prelude/` folder of the workspace this binary was built in or
/// installed beside.
pub fn find_prelude(explicit: Option<PathBuf>) -> Result<PathBuf> {
    let is_prelude =
        |dir: &Path| dir.join("Cargo.toml").is_file() && dir.join("src/prelude.rs").is_file();
    if let Some(dir) = explicit {
        if is_prelude(&dir) {
            return Ok(dir.canonicalize()?);
        }
        bail!(
            "{} is not the multitask prelude crate (no Cargo.toml and src/prelude.rs)",
            dir.display()
        );
    }
    let exe = std::env::current_exe().ok();
    let candidates = exe
        .iter()
        .flat_map(|exe| exe.ancestors().skip(1))
        .map(|dir| dir.join("prelude"))
        .chain(std::iter::once(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("prelude"),
        ));
    for dir in candidates {
        if is_prelude(&dir) {
            return Ok(dir.canonicalize()?);
        }
    }
    bail!("cannot find the multitask prelude; pass --prelude PATH or set MULTITASK_PRELUDE")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backtraces_are_dropped_and_the_message_kept() {
        let mut filter = StderrFilter::default();
        let lines = [
            "thread '<unnamed>' panicked at src/lib.rs:42:5:",
            "boom",
            "stack backtrace:",
            "   0: rust_begin_unwind",
            "             at /rustc/abc/library/std/src/panicking.rs:665:5",
            "  12: ctx::run_user_code_3",
            "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.",
            "after",
        ];
        let shown: Vec<String> = lines.iter().filter_map(|l| filter.filter(l)).collect();
        assert_eq!(shown, ["panicked:", "boom", "after"]);
    }

    #[test]
    fn named_threads_keep_their_name() {
        let mut filter = StderrFilter::default();
        assert_eq!(
            filter
                .filter("thread 'worker' panicked at src/lib.rs:1:1:")
                .as_deref(),
            Some("thread 'worker' panicked:")
        );
    }

    #[test]
    fn the_variable_store_reads_as_the_end_of_the_cell() {
        assert_eq!(
            clean("expected `;`, found `evcxr_variable_store`"),
            "expected `;`, found the end of the cell"
        );
    }

    #[test]
    fn completions_leave_the_arguments_to_the_learner() {
        assert_eq!(without_placeholders("jumping_range(n)"), "jumping_range(");
        assert_eq!(without_placeholders("next()"), "next()");
        assert_eq!(without_placeholders("Generator"), "Generator");
    }

    #[test]
    fn timing_lists_the_phases_in_order() {
        let timing = Timing {
            total: Duration::from_millis(130),
            phases: vec![
                ("Final compile".into(), Duration::from_millis(110)),
                ("Execution".into(), Duration::from_millis(20)),
            ],
        };
        assert_eq!(
            timing.to_string(),
            "took 0.130 s (Final compile 0.110 s, Execution 0.020 s)"
        );
    }

    #[test]
    fn crash_reasons_name_the_signal() {
        assert!(crash_reason("signal: 6 (SIGABRT) (core dumped)").contains("aborted"));
        assert!(crash_reason("signal: 11 (SIGSEGV)").contains("segmentation fault"));
        assert_eq!(crash_reason("exit status: 3"), "exit status: 3");
    }
}
