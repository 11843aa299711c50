//! The session core: one learner's session — the evcxr context with the
//! prelude loaded, our own colon commands, and the bookkeeping that lets a
//! crash say what it lost (the [`Reply`] it gives is in [`reply`]).
//!
//! Every front end (the terminal, the Jupyter kernel, the notebook stepper)
//! hands cells to [`Session::execute`] and renders the [`Reply`]; none talks to
//! evcxr directly, so they all behave alike.
//!
//! - [`commands`]: our colon commands, parsed in one place, and `:help`.
//! - [`reply`]: what became of a cell, in the learner's words.
//! - [`output`]: the runtime's output lines, taken off evcxr's channels as they come.
//! - [`interrupt`]: stopping the current cell from another thread, at any moment.
//! - [`completion`]: completions as a learner types them, and the answer
//!   that needs no rust-analyzer.
//! - [`prelude_index`]: the prelude's names, signatures, docs and methods,
//!   read from its source (Tab and Shift-Tab without rust-analyzer).
//! - [`inspection`]: Shift-Tab without rust-analyzer.
//! - [`habits`]: hints under the compile errors of Python habits.
//! - [`background`]: a session starting behind a front end.
//! - [`build_dir`]: the persistent, locked folders evcxr compiles in.
//! - [`shared_build`]: one warm build for every learner of a machine
//!   (`multitask warm`), which their folders are seeded from.
//! - [`build_progress`]: the first start's progress bar.
//! - [`locate`]: where the prelude crate is.
//! - [`memory`]: how much memory the runtime held while a cell ran.
//! - [`toolchain`]: rustc's sysroot, and whether `rust-src` is in it.

pub mod background;
pub mod build_dir;
pub mod build_progress;
pub mod commands;
pub mod completion;
pub mod error_html;
pub mod habits;
pub mod inspection;
pub mod interrupt;
pub mod locate;
pub mod memory;
pub mod output;
pub mod picture;
pub mod prelude_index;
pub mod reply;
pub mod shared_build;
pub mod toolchain;
pub mod unhelpful;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use anyhow::{Context as _, Result, bail};
use evcxr::{CommandContext, EvalCallbacks};

use crate::cell::contract;
use crate::cell::reserved;
use crate::cell::rewrite::{self, Checks};
use commands::{Command, OPT_LEVELS};
use completion::{After, Completion, Notice, without_placeholders};
use interrupt::{Ended, Interrupter};
use output::{Forwarded, Stream};
use prelude_index::PreludeIndex;
use reply::{
    DID_NOT_STOP, Evaluated, Reply, Timing, clean, crash_reason, describe, signal_of, without_paths,
};

/// How to set a session up.
#[derive(Debug, Clone)]
pub struct Options {
    /// The `prelude/` crate to preload; `None` runs plain evcxr (for comparisons).
    pub prelude: Option<PathBuf>,
    /// rustc's optimisation level for cells ("0", "1", "2", …); `None` keeps evcxr's.
    pub opt_level: Option<String>,
    /// The build folder evcxr compiles in (see [`crate::session::build_dir`]), marked
    /// ready once a session has started there.
    pub build_dir: Option<PathBuf>,
    /// Stops the front end's current cell (see [`crate::session::interrupt`]); made
    /// before the session starts, so an interrupt is never too early.
    pub interrupter: Interrupter,
}

/// Run in the runtime process: a panic prints one line, `panicked: message`,
/// to stdout, where it lands in order with the cell's own output (stderr is
/// another pipe, read by another thread) and without a backtrace of evcxr's
/// runtime frames or a location in code the learner never saw. A panic the
/// REPL makes likely (tokio's "no reactor") gets a second line, `hint: …`.
pub fn panic_hook() -> String {
    const HOOK: &str = r#"std::panic::set_hook(Box::new(|info| {
    let payload = info.payload();
    let message = payload.downcast_ref::<&str>().map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a non-text panic payload)".to_string());
    match std::thread::current().name() {
        None | Some("main") => println!("panicked: {message}"),
        Some(name) => println!("thread '{name}' panicked: {message}"),
    }
    if let Some(advice) = PANIC_ADVICE(&message) {
        println!("hint: {advice}");
    }
}));"#;
    HOOK.replace("PANIC_ADVICE", contract::PANIC_ADVICE)
}

/// What brings the prelude into a session's scope.
pub fn prelude_use() -> String {
    format!("use {}::*;", contract::PRELUDE)
}

/// What `:timeit EXPR` runs: the prelude's timeit, optimised at
/// [`TIMED_AT`]. In parentheses: a cell that starts with `:` is a command.
pub fn timeit_cell(expr: &str) -> String {
    format!("({}({TIMED_AT:?}, || {{ {expr}\n}}))", contract::TIMEIT)
}

/// The opt-level `:timeit` compiles at.
const TIMED_AT: &str = "2";

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
    /// The cell running now was typed as `:time CODE`: its timing is shown.
    timed: bool,
    /// rust-analyzer has analysed this session once (its first analysis
    /// takes seconds; see [`completion`](crate::session::completion)).
    analysed: bool,
    /// Variables that a cell which ran moved (and so took out of the
    /// session), until a cell defines them again: for the hint on a later
    /// "cannot find value" (see [`crate::session::habits`]).
    moved: BTreeSet<String>,
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
    /// [`crate::session::build_dir`]) or every start compiles everything again.
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
            timed: false,
            analysed: false,
            moved: BTreeSet::new(),
        };
        session.set_up(options)?;
        if let Some(folder) = &options.build_dir {
            // A later start here, or a copy of this folder, compiles nothing.
            let _ = crate::session::build_dir::mark_ready(folder);
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
        // A cell that awaits runs on the prelude's asyncio loop, over its
        // tokio (see vendor/evcxr/PATCHES.md), not on a tokio evcxr would add.
        self.context.set_async_runner(contract::ASYNC_RUNNER);
        let load = format!("{dep}\n{}\n{}", prelude_use(), panic_hook());
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

    /// `:time CODE`: runs `CODE` as a cell of its own (what it binds
    /// stays) and shows how long it took, phase by phase.
    fn time(&mut self, code: &str) -> Reply {
        self.timed = true;
        let reply = self.run(code);
        self.timed = false;
        reply
    }

    /// `:timeit EXPR`: IPython's `%timeit`, by the prelude's
    /// [`timeit`](multitask::timeit::timeit), in a cell compiled at
    /// opt-level 2 (then the level goes back to what it was).
    fn timeit(&mut self, expr: &str) -> Reply {
        if self.checks == Checks::None {
            return Reply::Error(":timeit needs the prelude (not loaded in this session)".into());
        }
        let level = self.context.opt_level();
        if let Err(e) = self.context.set_opt_level(TIMED_AT) {
            return Reply::Error(format!("cannot compile optimised: {e}"));
        }
        let reply = self.run(&timeit_cell(expr));
        if let Err(e) = self.context.set_opt_level(&level) {
            return Reply::Error(format!("cannot go back to opt-level {level}: {e}"));
        }
        reply
    }

    fn run(&mut self, cell: &str) -> Reply {
        match commands::parse(cell) {
            Some(Command::Help) => return Reply::Text(commands::help()),
            Some(Command::Quit) => return Reply::Quit,
            Some(Command::Vars) => return Reply::Text(self.vars_text()),
            Some(Command::Exercises) => return exercises(),
            Some(Command::Time(code)) => return self.time(code),
            Some(Command::Timeit(expr)) => return self.timeit(expr),
            Some(Command::UnknownOptLevel(level)) => {
                return Reply::Error(format!(
                    "no optimisation level {level}: use one of {}",
                    OPT_LEVELS.join(", ")
                ));
            }
            None => {}
        }
        let trimmed = cell.trim();
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
        let started = Instant::now();
        let runtime = self.context.process_handle();
        let watch = memory::Watch::start(runtime.lock().unwrap_or_else(|e| e.into_inner()).id());
        let result = self.context.execute_with_callbacks(
            &rewritten.code,
            &mut EvalCallbacks {
                input_reader: &reader,
            },
        );
        let held = watch.stop();
        let interrupted = match self.interrupter.end() {
            // Whatever the stopped compile said, the cell did not run (if
            // the compile ended on its own just before, the cell ran and
            // was asked to stop as a running cell is).
            Ended::CompileStopped { killed: false } if result.is_err() => return Reply::NotRun,
            Ended::Normally => None,
            Ended::CompileStopped { killed } | Ended::Interrupted { killed } => Some(killed),
        };
        let lost = |session: &Session| -> Vec<String> {
            let after: Vec<String> = session.variables().into_iter().map(|(n, _)| n).collect();
            before
                .iter()
                .filter(|v| !after.contains(v))
                .cloned()
                .collect()
        };
        if interrupted == Some(true) && result.is_ok() {
            // The runtime was killed after the grace while its last output
            // (the cell's end among it) was still being read: it is gone, and
            // every variable with it. The next call notices and starts a new
            // one; the one after gives it our panic hook.
            let _ = self.context.execute(&panic_hook());
            let _ = self.context.execute(&panic_hook());
            return Reply::Crashed {
                reason: DID_NOT_STOP.to_string(),
                interrupted: true,
                lost: lost(self),
            };
        }
        match result {
            // The interrupt's unwinding (it carries no message).
            Ok(evcxr::EvalOutputs { panic: Some(_), .. }) if interrupted.is_some() => {
                Reply::KeyboardInterrupt { lost: lost(self) }
            }
            Ok(evcxr::EvalOutputs {
                panic: Some(message),
                ..
            }) => Reply::Panicked(message),
            Ok(evcxr::EvalOutputs {
                user_error: Some(error),
                ..
            }) => Reply::Raised {
                ename: without_paths(&error.type_name),
                message: error.message,
            },
            Ok(outputs) => {
                let after: BTreeSet<String> =
                    self.variables().into_iter().map(|(n, _)| n).collect();
                self.moved.retain(|name| !after.contains(name));
                self.moved
                    .extend(before.iter().filter(|v| !after.contains(*v)).cloned());
                let mut values = outputs.content_by_mime_type;
                if let Some(text) = values.get_mut("text/plain") {
                    *text = text.trim_end_matches('\n').to_string();
                }
                let shown = outputs.timing.is_some() || self.timed;
                let timing = shown.then(|| Timing {
                    total: outputs.timing.unwrap_or_else(|| started.elapsed()),
                    phases: outputs
                        .phases
                        .into_iter()
                        .map(|phase| (phase.name, phase.duration))
                        .collect(),
                });
                Reply::Value(Evaluated { values, timing })
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
                // A warning about an earlier cell's code (its `fn`s are
                // compiled again with every cell) has no span in this cell:
                // it was shown with that cell, not again with each later one.
                let errors: Vec<_> = errors
                    .into_iter()
                    .filter(|e| {
                        e.level() != "warning"
                            || e.spanned_messages().iter().any(|m| m.span.is_some())
                    })
                    .collect();
                let errors: Vec<_> = errors.iter().map(unhelpful::without_unhelpful).collect();
                let hints = habits::hints(&errors, &self.moved);
                Reply::CompileErrors {
                    errors,
                    typed: cell.to_string(),
                    cell: rewritten,
                    hints,
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
                        Some(words) => format!(
                            "{} [{}]",
                            words.reason(held),
                            signal_of(&status).unwrap_or("abort")
                        ),
                        None => crash_reason(&status, held),
                    },
                };
                let lost = lost(self);
                // The new runtime process has the prelude's items but not our hook.
                let _ = self.context.execute(&panic_hook());
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
    /// text starts, and the candidates. With rust-analyzer (`--features
    /// analyzer`) its answer, which waits for its first analysis (seconds);
    /// without, [what this build knows](Self::known_completions).
    pub fn completions(&mut self, source: &str, position: usize) -> (usize, Vec<Completion>) {
        if cfg!(feature = "analyzer") {
            self.analyzer_completions(source, position)
        } else {
            self.known_completions(source, position, Notice::NoAnalyzer)
        }
    }

    /// rust-analyzer's completions (none in a build without it).
    fn analyzer_completions(&mut self, source: &str, position: usize) -> (usize, Vec<Completion>) {
        self.analysed = true;
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
                    .map(|c| Completion {
                        text: without_placeholders(&reserved::unraw(&c.code)),
                        kind: c.kind,
                        detail: c.detail,
                    })
                    .collect(),
            ),
            Err(_) => (position, Vec::new()),
        }
    }

    /// [`completions`](Self::completions), at once: rust-analyzer's if it is
    /// ready, else [what this build knows](Self::known_completions) (then
    /// call [`warm_up_completions`](Self::warm_up_completions) once replied).
    pub fn completions_now(&mut self, source: &str, position: usize) -> (usize, Vec<Completion>) {
        if cfg!(feature = "analyzer") && self.analysed {
            return self.analyzer_completions(source, position);
        }
        let notice = if cfg!(feature = "analyzer") {
            Notice::WarmingUp
        } else {
            Notice::NoAnalyzer
        };
        self.known_completions(source, position, notice)
    }

    /// What is known without rust-analyzer: the prelude's names (in
    /// rust-analyzer's words), the variables with their types, and what the
    /// prelude's source says follows a path (`threading::`) or a variable
    /// of one of its types (`gen.`); elsewhere after a `.` or `::`, one
    /// entry that says why there is nothing (`notice`).
    fn known_completions(
        &self,
        source: &str,
        position: usize,
        notice: Notice,
    ) -> (usize, Vec<Completion>) {
        let prelude = self.checks == Checks::Loops;
        let variables = self.variables();
        let mut known: Vec<Completion> = if prelude {
            completion::prelude_completions()
                .values()
                .cloned()
                .collect()
        } else {
            Vec::new()
        };
        known.extend(variables.iter().map(|(name, ty)| Completion {
            text: name.clone(),
            kind: "instance",
            detail: Some(ty.clone()),
        }));
        let members = |after: &After<'_>| {
            let index = PreludeIndex::get();
            let items = match after {
                After::Path(path) if prelude => index.members(path),
                After::Method(value) if prelude => variables
                    .iter()
                    .find(|(name, _)| name == value)
                    .map(|(_, ty)| index.methods_of(ty))
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            items.iter().map(Completion::from).collect()
        };
        completion::quick(source, position, &known, members, notice)
    }

    /// Has rust-analyzer make its first analysis (seconds), if this build
    /// has it and it has not.
    pub fn warm_up_completions(&mut self) {
        if cfg!(feature = "analyzer") && !self.analysed {
            let _ = self.analyzer_completions("", 0);
        }
    }

    /// What is known of the name at `position` (a byte offset): its
    /// signature and docs, as plain text and as HTML — what Jupyter's
    /// Shift-Tab shows. rust-analyzer's hover with `--features analyzer`,
    /// else [what the prelude's source says](inspection::describe). `None`
    /// when there is nothing there to describe.
    pub fn inspect(&mut self, source: &str, position: usize) -> Option<(String, String)> {
        if !cfg!(feature = "analyzer") {
            let variables = self.variables();
            let prelude = (self.checks == Checks::Loops).then(PreludeIndex::get);
            return inspection::describe(source, position, &variables, prelude);
        }
        // The whole name under the cursor, and a call's `(` if one follows:
        // rust-analyzer describes the code up to that point.
        let mut end = completion::identifier_end(source, position);
        if source[end..].starts_with('(') {
            end += 1;
        }
        self.analysed = true;
        let rewritten = rewrite::rewrite(source, Checks::None);
        let (plain, html) = self
            .context
            .hover_at(&rewritten.code, rewritten.to_code(end))
            .ok()?;
        (plain.trim() != "No documentation found" && !plain.trim().is_empty())
            .then_some((reserved::unraw(&plain), html))
    }
}

/// `:exercises`: the table of exercises with the next one marked, as text
/// and (for Jupyter) as HTML, and what to do next.
fn exercises() -> Reply {
    use multitask::exercises::progress;
    let values = [
        ("text/plain", progress::listing()),
        ("text/html", progress::listing_html()),
    ];
    Reply::Value(Evaluated {
        values: values
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
        timing: None,
    })
}
