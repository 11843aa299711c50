//! The terminal front end: rustyline line editing over a [`Session`].
//!
//! The prompt shows at once while the session starts in the background; lines
//! printed by the runtime (threads, child processes) appear above the prompt;
//! history is appended to its file after every line, so no way out loses it.

use std::borrow::Cow;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use evcxr::{CompilationError, Theme};
use rustyline::completion::Completer;
use rustyline::error::ReadlineError;
use rustyline::highlight::{CmdKind, Highlighter};
use rustyline::hint::Hinter;
use rustyline::history::DefaultHistory;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{CompletionType, Config, Editor, ExternalPrinter, Helper};

use crate::cell::input::{Completeness, completeness};
use crate::cell::rewrite::Rewritten;
use crate::session::background::Background;
use crate::session::build_progress;
use crate::session::interrupt::Interrupter;
use crate::session::output::Stream;
use crate::session::reply::{self, Reply};
use crate::session::{Hooks, Options, Session};

const PROMPT: &str = ">> ";

struct LineHelper {
    shared: Arc<Background>,
}

impl Completer for LineHelper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _ctx: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        // Tab waits for the session if it is still starting (a second at
        // most), and with rust-analyzer the first Tab of a session for its
        // first analysis (seconds). A notice has nothing to insert, and a
        // terminal no column to show it in.
        let Ok(mut session) = self.shared.session() else {
            return Ok((pos, Vec::new()));
        };
        let (start, found) = session.completions(line, pos);
        let texts = found.into_iter().filter(|c| !c.is_notice()).map(|c| c.text);
        Ok((start, texts.collect()))
    }
}

impl Hinter for LineHelper {
    type Hint = String;
}

impl Highlighter for LineHelper {
    fn highlight_prompt<'b, 's: 'b, 'p: 'b>(
        &'s self,
        prompt: &'p str,
        _default: bool,
    ) -> Cow<'b, str> {
        Cow::Owned(format!("\x1b[33m{prompt}\x1b[0m"))
    }

    fn highlight_char(&self, _line: &str, _pos: usize, _kind: CmdKind) -> bool {
        false
    }
}

impl Validator for LineHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        let input = ctx.input();
        // An empty line after an unfinished one runs it anyway: rustc will
        // explain better than a prompt that never ends.
        if input.starts_with(':') || input.ends_with("\n\n") {
            return Ok(ValidationResult::Valid(None));
        }
        Ok(match completeness(input) {
            Completeness::Incomplete => ValidationResult::Incomplete,
            Completeness::Complete | Completeness::Invalid => ValidationResult::Valid(None),
        })
    }
}

impl Helper for LineHelper {}

/// Where the history lives: the user's data folder.
fn history_file() -> Option<PathBuf> {
    let dir = dirs::data_dir()?.join("multitask");
    std::fs::create_dir_all(&dir).ok()?;
    Some(dir.join("history.txt"))
}

/// How a REPL loop ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leave {
    /// `:quit` or Ctrl-D: the learner is done.
    Quit,
    /// `:back`: return to whoever opened the REPL (the stepper).
    Back,
}

/// The terminal: a line editor over a session that starts in the background.
pub struct Terminal {
    editor: Editor<LineHelper, DefaultHistory>,
    shared: Arc<Background>,
    interrupter: Interrupter,
    history: Option<PathBuf>,
}

/// Runs the REPL until `:quit` or Ctrl-D.
pub fn run(options: Options, build_dir: &Path, first_start: bool) -> Result<()> {
    let mut terminal = Terminal::open(options, build_dir, first_start)?;
    terminal.repl(None)?;
    Ok(())
}

impl Terminal {
    /// Opens the terminal and starts the session behind it (in the
    /// foreground, with a progress bar, on the first start).
    pub fn open(options: Options, build_dir: &Path, first_start: bool) -> Result<Terminal> {
        let config = Config::builder()
            .auto_add_history(false)
            .completion_type(CompletionType::List)
            .bracketed_paste(true)
            .max_history_size(10_000)?
            .build();
        let mut editor: Editor<LineHelper, DefaultHistory> =
            Editor::with_config(config).context("cannot open the terminal")?;
        let mut printer = || -> Option<Box<dyn ExternalPrinter + Send>> {
            let printer = editor.create_external_printer().ok()?;
            Some(Box::new(printer))
        };
        let (mut stdout, mut stderr) = (printer(), printer());
        let prelude = options.prelude.clone();
        let interrupter = options.interrupter.clone();

        // cargo's "Compiling …" lines go to stderr (Hooks::output), as evcxr
        // printed them: above the progress bar on a first start, and for a
        // cell's `:dep`.
        let start = move || {
            let mut hooks = Hooks::output(move |stream, line| {
                let (printer, text) = match stream {
                    Stream::Stdout => (&mut stdout, line),
                    Stream::Stderr => (&mut stderr, format!("\x1b[91m{line}\x1b[0m")),
                };
                // Above the prompt when there is a terminal; plainly when not.
                let printed = printer
                    .as_mut()
                    .is_some_and(|p| p.print(format!("{text}\n")).is_ok());
                if !printed {
                    let _ = writeln!(std::io::stdout(), "{text}");
                }
            });
            // A cell that reads stdin reads what is typed here, after a
            // prompt that says it waits (a bare read_line shows none).
            hooks.input = Box::new(|prompt| {
                if prompt.is_empty() {
                    print!("{STDIN_PROMPT}");
                } else {
                    print!("{prompt}");
                }
                let _ = std::io::stdout().flush();
                let mut line = String::new();
                let _ = std::io::stdin().read_line(&mut line);
                line.trim_end_matches(['\r', '\n']).to_string()
            });
            Session::start(&options, hooks)
        };

        println!(
            "multitask {} — Rust, with the prelude in scope. :help lists the commands.",
            env!("CARGO_PKG_VERSION")
        );
        let shared = if first_start {
            // The first start compiles the prelude's dependencies: show it, then the prompt.
            let watcher = build_progress::FirstStart::watch(build_dir, prelude.as_deref());
            let started = start();
            watcher.finish(started.is_ok());
            Background::started(started)
        } else {
            Background::spawn(start, &interrupter)
        };
        editor.set_helper(Some(LineHelper {
            shared: shared.clone(),
        }));

        // Ctrl-C while a cell runs (or waits for the session) stops it; at
        // the prompt, rustyline sees it as a key and clears the line.
        let stopper = interrupter.clone();
        let _ = ctrlc::set_handler(move || stopper.interrupt());

        let history = history_file();
        if let Some(path) = &history {
            let _ = editor.load_history(path);
        }
        Ok(Terminal {
            editor,
            shared,
            interrupter,
            history,
        })
    }

    /// Reads one input; `initial` is put in the line to edit. `None` on Ctrl-D.
    /// Ctrl-C clears the line and asks again.
    pub fn read(&mut self, prompt: &str, initial: &str) -> Result<Option<String>> {
        loop {
            return match self.editor.readline_with_initial(prompt, (initial, "")) {
                Ok(line) => Ok(Some(line)),
                Err(ReadlineError::Interrupted) => continue,
                Err(ReadlineError::Eof) => Ok(None),
                Err(e) => Err(e).context("cannot read the terminal"),
            };
        }
    }

    /// The REPL loop, until `:quit` or Ctrl-D — or, when `back` says so,
    /// until the learner types that command.
    pub fn repl(&mut self, back: Option<&str>) -> Result<Leave> {
        loop {
            let Some(line) = self.read(PROMPT, "")? else {
                return Ok(Leave::Quit);
            };
            if line.trim().is_empty() {
                continue;
            }
            if back.is_some_and(|back| line.trim() == back) {
                return Ok(Leave::Back);
            }
            if self.run_cell(&line)? {
                return Ok(Leave::Quit);
            }
        }
    }

    /// Runs one cell, output and value shown; `true` when it was `:quit`.
    pub fn run_cell(&mut self, code: &str) -> Result<bool> {
        let _ = self.editor.add_history_entry(code);
        if let Some(path) = &self.history {
            let _ = self.editor.append_history(path);
        }
        let _current = self.interrupter.cell();
        let reply = match self.shared.session_for(&self.interrupter) {
            Ok(Some(mut session)) => session.execute(code),
            Ok(None) => Reply::NotRun,
            Err(why) => {
                eprintln!("\x1b[91mthe session could not start: {why}\x1b[0m");
                return Err(anyhow::anyhow!("the session could not start: {why}"));
            }
        };
        Ok(render(reply))
    }
}

/// What the terminal shows while a cell waits for a line from stdin.
pub const STDIN_PROMPT: &str = "\x1b[2mstdin>\x1b[0m ";

/// Prints a reply; `true` when the learner asked to quit.
fn render(reply: Reply) -> bool {
    match reply {
        Reply::Value(output) => {
            if let Some(text) = output.values.get("text/plain") {
                println!("{text}");
            }
            if let Some(timing) = output.timing.filter(|t| !t.phases.is_empty()) {
                println!("\x1b[2m{timing}\x1b[0m");
            }
        }
        Reply::Text(text) => println!("{text}"),
        // Its message is printed already, in order with the cell's output.
        Reply::Panicked(_) => {}
        Reply::Raised { ename, message } => println!("\x1b[91m{ename}: {message}\x1b[0m"),
        Reply::CompileErrors {
            errors,
            typed,
            cell,
            hints,
        } => print_compile_errors(&typed, &cell, &errors, &hints),
        Reply::Crashed { reason, lost, .. } => {
            println!("\x1b[91mthe runtime stopped: {reason}.\x1b[0m");
            println!("It has been restarted with the prelude.");
            if lost.is_empty() {
                println!("No variables were lost.");
            } else {
                println!("Lost variables: {}", lost.join(", "));
            }
        }
        Reply::NotRun => println!("\x1b[91m{}.\x1b[0m", reply::NOT_RUN),
        Reply::KeyboardInterrupt { lost } => {
            println!(
                "\x1b[91mKeyboardInterrupt: {}.\x1b[0m",
                reply::stopped(&lost)
            )
        }
        Reply::Error(message) => println!("\x1b[91merror: {message}\x1b[0m"),
        Reply::Quit => return true,
    }
    false
}

fn print_compile_errors(
    typed: &str,
    cell: &Rewritten,
    errors: &[CompilationError],
    hints: &[Option<String>],
) {
    for (error, hint) in errors.iter().zip(hints) {
        print!(
            "{}",
            reply::render_compile_error(error, hint.as_deref(), typed, cell, Theme::Dark)
        );
    }
    let _ = std::io::stdout().flush();
}
