//! `multitask check`: run notebooks cell by cell in a fresh session and
//! compare every output with the one stored in the file, as nbval does.
//!
//! Before comparing, both sides go through the rules of `sanitize.cfg` in the
//! notebook's folder (nbval's format: sections of `regex:` / `replace:`
//! pairs), which blank out what changes from run to run (pids, addresses,
//! durations, temporary paths, the bars of a `trace` chart). Only the
//! `text/plain` of a value is compared — a `trace::Timeline`'s is its lanes
//! and its summary (each lane's states in order), not its SVG, whose widths
//! are timings. `--update` rewrites only the cells whose outputs differ
//! (`--update --all` every one).
//! Cell tags, also nbval's:
//! - `raises-exception`: the cell must fail (a compile error shown on purpose);
//! - `nbval-ignore-output`: the cell only has to run.
//!
//! evcxr allows one context per process, so each notebook runs in a process
//! of its own (`multitask check --single`), which dies with `check` itself.
//! A cell that runs longer than the timeout (`--timeout SECS`, as nbval and
//! nbclient have one) is stopped and fails; the cells after it do not run.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use regex::Regex;

use crate::notebook::{Notebook, Output};
use crate::output::Stream;
use crate::reply::Reply;
use crate::session::{Hooks, Options, Session};

/// The tag of a cell that must fail.
pub const RAISES: &str = "raises-exception";
/// The tag of a cell whose output is not compared.
pub const IGNORE_OUTPUT: &str = "nbval-ignore-output";

/// Regex/replacement pairs applied to outputs before they are compared.
#[derive(Debug, Default)]
pub struct Sanitizer {
    rules: Vec<(Regex, String)>,
}

impl Sanitizer {
    /// Parses nbval's format: `[section]` headers, each with a `regex:` line
    /// and a `replace:` line. Lines starting with `#` are comments.
    pub fn parse(text: &str) -> Result<Sanitizer> {
        let mut rules = Vec::new();
        let mut pattern: Option<Regex> = None;
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(regex) = line.strip_prefix("regex:") {
                let regex = Regex::new(regex.trim())
                    .with_context(|| format!("line {}: bad regex", number + 1))?;
                pattern = Some(regex);
            } else if let Some(replace) = line.strip_prefix("replace:") {
                let Some(regex) = pattern.take() else {
                    bail!(
                        "line {}: `replace:` without a `regex:` before it",
                        number + 1
                    );
                };
                rules.push((regex, python_backrefs(replace.trim())));
            }
        }
        if pattern.is_some() {
            bail!("a `regex:` has no `replace:`");
        }
        Ok(Sanitizer { rules })
    }

    /// The rules of `sanitize.cfg` beside `notebook`, or none.
    pub fn beside(notebook: &Path) -> Result<Sanitizer> {
        let file = notebook
            .parent()
            .unwrap_or(Path::new("."))
            .join("sanitize.cfg");
        match std::fs::read_to_string(&file) {
            Ok(text) => Sanitizer::parse(&text).with_context(|| format!("in {}", file.display())),
            Err(_) => Ok(Sanitizer::default()),
        }
    }

    /// `text` with every rule applied, in order.
    pub fn apply(&self, text: &str) -> String {
        self.rules
            .iter()
            .fold(text.to_string(), |text, (regex, replace)| {
                regex.replace_all(&text, replace.as_str()).into_owned()
            })
    }
}

/// nbval's files are Python's: `\1` in a replacement is group 1, which the
/// regex crate writes `${1}`.
fn python_backrefs(replace: &str) -> String {
    let backref = Regex::new(r"\\(\d+)").expect("a valid regex");
    backref.replace_all(replace, "$${$1}").into_owned()
}

/// The notebooks under `paths`: files as given, folders' `*.ipynb` sorted.
pub fn notebooks(paths: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            let mut inside: Vec<PathBuf> = std::fs::read_dir(path)
                .with_context(|| format!("cannot list {}", path.display()))?
                .filter_map(|entry| entry.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "ipynb"))
                .collect();
            inside.sort();
            found.extend(inside);
        } else {
            found.push(path.clone());
        }
    }
    Ok(found)
}

/// What went wrong in one cell.
#[derive(Debug)]
pub struct Problem {
    /// The cell's index in the notebook (0-based); `None` for the notebook
    /// as a whole (its metadata).
    pub cell: Option<usize>,
    /// What is wrong, in a sentence.
    pub what: String,
    /// Expected against actual, as a unified diff (may be empty).
    pub diff: String,
}

/// How a notebook is checked.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// Rewrite the stored outputs that differ instead of comparing.
    pub update: bool,
    /// With `update`, rewrite every output, also those that compare equal.
    pub all: bool,
    /// How long one cell may run before it is stopped and fails.
    pub timeout: Duration,
}

/// Runs every code cell of `notebook` (read from `path`) in `session`;
/// compares or (with `update`) rewrites the outputs. Returns the problems
/// found.
pub fn check(
    path: &Path,
    mut notebook: Notebook,
    session: &mut Session,
    streamed: &Arc<Mutex<Vec<(Stream, String)>>>,
    settings: Settings,
) -> Result<Vec<Problem>> {
    let update = settings.update;
    let sanitizer = Sanitizer::beside(path)?;
    let mut problems = Vec::new();
    let kernel_language = crate::kernel::info::language_info_json();
    if update {
        notebook.set_language_info(kernel_language);
    } else if notebook.language_info() != Some(&kernel_language) {
        problems.push(Problem {
            cell: None,
            what: "has a metadata.language_info the kernel does not send (JupyterLab \
                   would mark it changed as it opens); `--update` writes the kernel's"
                .to_string(),
            diff: format!(
                "stored:    {}\nthe kernel: {kernel_language}\n",
                notebook.language_info().unwrap_or(&serde_json::Value::Null)
            ),
        });
    }
    let mut count = 0;
    for (index, cell) in notebook.cells().into_iter().enumerate() {
        if cell.kind != "code" {
            continue;
        }
        count += 1;
        streamed.lock().unwrap_or_else(|e| e.into_inner()).clear();
        let (reply, timed_out) = run_with_timeout(session, &cell.source, settings.timeout);
        let lines = std::mem::take(&mut *streamed.lock().unwrap_or_else(|e| e.into_inner()));
        let outputs = outputs_of(lines, &reply);
        if timed_out {
            problems.push(Problem {
                cell: Some(index),
                what: format!(
                    "timed out after {} s and was stopped; the cells after it were not run",
                    settings.timeout.as_secs_f64()
                ),
                diff: outputs.iter().map(Output::text).collect(),
            });
            break;
        }

        let failed = outputs.iter().any(|o| matches!(o, Output::Error { .. }));
        let raises = cell.tags.iter().any(|t| t == RAISES);
        if raises && !failed {
            problems.push(Problem {
                cell: Some(index),
                what: format!("is tagged `{RAISES}` but ran without an error"),
                diff: String::new(),
            });
        } else if failed && !raises {
            problems.push(Problem {
                cell: Some(index),
                what: format!("failed, and is not tagged `{RAISES}`"),
                diff: outputs.iter().map(Output::text).collect(),
            });
        }
        let expected = comparable(&cell.outputs, &sanitizer);
        let actual = comparable(&outputs, &sanitizer);
        if update {
            // What compares equal stays as stored: a picture redrawn with
            // other timings is no change, and an up-to-date notebook is
            // left byte for byte.
            let kept = if expected == actual && !settings.all {
                &cell.outputs
            } else {
                &outputs
            };
            notebook.set_outputs(index, kept, Some(count));
        } else if !cell.tags.iter().any(|t| t == IGNORE_OUTPUT) && expected != actual {
            problems.push(Problem {
                cell: Some(index),
                what: "has different outputs".to_string(),
                diff: similar::TextDiff::from_lines(&expected, &actual)
                    .unified_diff()
                    .header("stored", "this run")
                    .to_string(),
            });
        }
    }
    if update {
        notebook.write(path)?;
    }
    Ok(problems)
}

/// Runs `code`, stopping it (as an interrupt does) if it takes longer than
/// `timeout`: the reply, and whether it was stopped for that.
fn run_with_timeout(session: &mut Session, code: &str, timeout: Duration) -> (Reply, bool) {
    let interrupter = session.interrupter().clone();
    let _current = interrupter.cell();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let watchdog = {
        let interrupter = interrupter.clone();
        std::thread::spawn(move || {
            let late = matches!(
                finished.recv_timeout(timeout),
                Err(std::sync::mpsc::RecvTimeoutError::Timeout)
            );
            if late {
                interrupter.interrupt();
            }
            late
        })
    };
    let reply = session.execute(code);
    let _ = done.send(());
    let timed_out = watchdog.join().unwrap_or(false);
    (reply, timed_out)
}

/// A cell's outputs in nbformat's order: what it printed (runs of one stream
/// joined), then its value or its error.
pub fn outputs_of(lines: Vec<(Stream, String)>, reply: &Reply) -> Vec<Output> {
    let mut outputs: Vec<Output> = Vec::new();
    let mut push = |name: &str, text: String| match outputs.last_mut() {
        Some(Output::Stream {
            name: last,
            text: all,
        }) if last == name => all.push_str(&text),
        _ => outputs.push(Output::Stream {
            name: name.to_string(),
            text,
        }),
    };
    for (stream, line) in lines {
        let name = match stream {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        };
        push(name, format!("{line}\n"));
    }
    match reply {
        Reply::Value(output) if !output.values.is_empty() => {
            outputs.push(Output::Result {
                data: output
                    .values
                    .iter()
                    .map(|(mime, text)| (mime.clone(), text.clone().into()))
                    .collect(),
            });
        }
        Reply::Text(text) => push("stdout", format!("{text}\n")),
        other => {
            if let Some(failure) = other.failure() {
                outputs.push(Output::Error {
                    ename: failure.ename,
                    evalue: failure.evalue,
                    traceback: failure.traceback,
                });
            }
        }
    }
    outputs
}

/// Outputs as the text that is compared: kind, then sanitized text.
///
/// Stdout and stderr arrive through two pipes, so how a cell's lines on one
/// interleave with lines on the other changes from run to run (a child
/// process that panics between two lines of its parent, say). Each stream is
/// compared whole, in its own order: first all of stdout, then all of stderr,
/// then the value or error.
fn comparable(outputs: &[Output], sanitizer: &Sanitizer) -> String {
    let stream = |wanted: &str| -> String {
        outputs
            .iter()
            .filter(|o| matches!(o, Output::Stream { name, .. } if name == wanted))
            .map(Output::text)
            .collect()
    };
    let mut parts: Vec<(String, String)> = ["stdout", "stderr"]
        .into_iter()
        .map(|name| (name.to_string(), stream(name)))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    parts.extend(
        outputs
            .iter()
            .filter(|o| !matches!(o, Output::Stream { .. }))
            .map(|o| (o.kind().to_string(), o.text())),
    );
    parts
        .iter()
        .map(|(label, text)| {
            let text = sanitizer.apply(text);
            format!("[{label}]\n{}\n", text.trim_end_matches('\n'))
        })
        .collect()
}

/// `multitask check --single PATH`: one notebook in this process's session.
/// Prints the problems; `Ok(false)` when there were any.
pub fn run_single(path: &Path, options: &Options, settings: Settings) -> Result<bool> {
    // `check` itself started this process: it ends with it (its runtime
    // follows, see `main`'s die_with_parent), never spinning on alone.
    let _ = nix::sys::prctl::set_pdeathsig(nix::sys::signal::Signal::SIGKILL);
    // A notebook that does not read is said at once, before a session starts.
    let notebook = Notebook::read(path)?;
    // Exercise checks and hints record progress: in a file of this run, not
    // the learner's (and so hints start from the first, every run).
    let progress = std::env::temp_dir().join(format!("multitask-check-{}.txt", std::process::id()));
    let _ = std::fs::remove_file(&progress);
    // SAFETY: no other thread runs yet; the runtime process inherits this.
    unsafe { std::env::set_var("MULTITASK_PROGRESS", &progress) };
    let streamed: Arc<Mutex<Vec<(Stream, String)>>> = Arc::default();
    let sink = streamed.clone();
    let mut session = Session::start(
        options,
        Hooks::output(move |stream, line| {
            sink.lock()
                .unwrap_or_else(|e| e.into_inner())
                .push((stream, line))
        }),
    )?;
    let problems = check(path, notebook, &mut session, &streamed, settings);
    let _ = std::fs::remove_file(&progress);
    let problems = problems?;
    for problem in &problems {
        match problem.cell {
            Some(cell) => println!("{}: cell {cell} {}", path.display(), problem.what),
            None => println!("{}: {}", path.display(), problem.what),
        }
        for line in problem.diff.lines() {
            println!("    {line}");
        }
    }
    Ok(problems.is_empty())
}

/// `multitask check PATH…`: each notebook in a process of its own (evcxr
/// allows one context per process). `Ok(false)` when any failed.
pub fn run_all(paths: &[PathBuf], forwarded_args: &[String], settings: Settings) -> Result<bool> {
    let update = settings.update;
    let notebooks = notebooks(paths)?;
    if notebooks.is_empty() {
        bail!("no notebooks found in {paths:?}");
    }
    let exe = std::env::current_exe().context("cannot find this program's path")?;
    let mut all_passed = true;
    for notebook in &notebooks {
        let started = std::time::Instant::now();
        let mut command = std::process::Command::new(&exe);
        command
            .args(forwarded_args)
            .arg("check")
            .arg("--single")
            .arg("--timeout")
            .arg(settings.timeout.as_secs_f64().to_string());
        if update {
            command.arg("--update");
        }
        if settings.all {
            command.arg("--all");
        }
        let status = command
            .arg(notebook)
            .status()
            .with_context(|| format!("cannot run the check of {}", notebook.display()))?;
        let verdict = match (status.success(), update) {
            (true, true) => "updated",
            (true, false) => "ok",
            (false, _) => {
                all_passed = false;
                "FAILED"
            }
        };
        println!(
            "{} {verdict} ({:.1} s)",
            notebook.display(),
            started.elapsed().as_secs_f64()
        );
    }
    Ok(all_passed)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reply::Evaluated;

    #[test]
    fn sanitize_rules_apply_in_order() {
        let sanitizer = Sanitizer::parse(
            "# pids change from run to run\n[pids]\nregex: pid \\d+\nreplace: pid <PID>\n\n\
             [addresses]\nregex: 0x[0-9a-f]+\nreplace: 0x<ADDR>\n",
        )
        .unwrap();
        assert_eq!(
            sanitizer.apply("pid 4242 at 0x7ffd12"),
            "pid <PID> at 0x<ADDR>"
        );
    }

    #[test]
    fn python_backreferences_work() {
        let sanitizer = Sanitizer::parse("regex: (pid) \\d+\nreplace: \\1 <PID>\n").unwrap();
        assert_eq!(
            sanitizer.apply("pid 12 and pid 7"),
            "pid <PID> and pid <PID>"
        );
    }

    #[test]
    fn a_replace_needs_a_regex() {
        assert!(Sanitizer::parse("replace: x\n").is_err());
        assert!(Sanitizer::parse("regex: (\n replace: x\n").is_err());
    }

    #[test]
    fn printed_lines_come_before_the_value_and_runs_are_joined() {
        let lines = vec![
            (Stream::Stdout, "a".to_string()),
            (Stream::Stdout, "b".to_string()),
            (Stream::Stderr, "warn".to_string()),
        ];
        let reply = Reply::Value(Evaluated {
            values: [("text/plain".to_string(), "2".to_string())].into(),
            timing: None,
        });
        let outputs = outputs_of(lines, &reply);
        let texts: Vec<(&str, String)> = outputs.iter().map(|o| (o.kind(), o.text())).collect();
        assert_eq!(
            texts,
            [
                ("stream", "a\nb\n".to_string()),
                ("stream", "warn\n".to_string()),
                ("execute_result", "2".to_string())
            ]
        );
    }

    #[test]
    fn streams_compare_whole_whatever_their_interleaving() {
        let sanitizer = Sanitizer::parse("").unwrap();
        let stream = |name: &str, text: &str| Output::Stream {
            name: name.into(),
            text: text.into(),
        };
        let one = [
            stream("stdout", "a\n"),
            stream("stderr", "oops\n"),
            stream("stdout", "b\n"),
        ];
        let other = [stream("stdout", "a\nb\n"), stream("stderr", "oops\n")];
        assert_eq!(comparable(&one, &sanitizer), comparable(&other, &sanitizer));
        let reordered = [stream("stdout", "b\na\n"), stream("stderr", "oops\n")];
        assert_ne!(
            comparable(&one, &sanitizer),
            comparable(&reordered, &sanitizer)
        );
    }

    #[test]
    fn a_failed_cell_ends_with_its_error() {
        let outputs = outputs_of(Vec::new(), &Reply::Error("bad".into()));
        assert_eq!(outputs.last().unwrap().text(), "Error: bad");
    }
}
