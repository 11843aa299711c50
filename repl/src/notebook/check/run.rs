//! One notebook run in a session: each code cell executed (stopped if it
//! runs past the timeout), its outputs compared with the stored ones or
//! written over them.

use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::Result;

use super::compare::{comparable, outputs_of};
use super::pictures;
use super::sanitize::Sanitizer;
use super::{IGNORE_OUTPUT, RAISES};
use crate::notebook::{Notebook, Output};
use crate::session::Session;
use crate::session::output::Stream;
use crate::session::reply::Reply;

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
    let mut claims = pictures::beside(path)?;
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
        let wrong = match claims.as_mut() {
            Some(claims) => held_to_claims(&cell, &outputs, claims, update),
            None => Vec::new(),
        };
        problems.extend(wrong.into_iter().map(|what| Problem {
            cell: Some(index),
            what,
            diff: String::new(),
        }));
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
    if !problems.iter().any(|p| p.what.starts_with("timed out")) {
        problems.extend(claims.iter().flat_map(|c| c.keys()).map(|id| Problem {
            cell: None,
            what: format!(
                "has no picture in a cell `{id}`, which {} makes claims for",
                pictures::FILE
            ),
            diff: String::new(),
        }));
    }
    if update {
        notebook.write(path)?;
    }
    Ok(problems)
}

/// What is wrong with the picture of `cell` (stored: unless `update`
/// replaces it) and the one it drew this run (`outputs`), against its claim
/// (taken out of `claims`).
fn held_to_claims(
    cell: &crate::notebook::Cell,
    outputs: &[Output],
    claims: &mut pictures::Claims,
    update: bool,
) -> Vec<String> {
    let stored = (!update).then(|| pictures::svg_of(&cell.outputs)).flatten();
    let drawn = pictures::svg_of(outputs);
    if stored.is_none() && drawn.is_none() {
        return Vec::new();
    }
    let Some(claim) = claims.remove(&cell.id) else {
        return vec![format!(
            "draws a picture that {} says nothing of (its cell id: `{}`)",
            pictures::FILE,
            cell.id
        )];
    };
    let mut wrong = Vec::new();
    for (which, svg) in [("stored", stored), ("drawn this run", drawn)] {
        if let Some(svg) = svg {
            let missing = pictures::missing(&claim, &pictures::shown(&svg));
            if !missing.is_empty() {
                wrong.push(format!(
                    "has a picture ({which}) that does not show what its text says ({}): {}",
                    claim.says,
                    missing.join("; ")
                ));
            }
        }
    }
    if !update && pictures::svg_of(&cell.outputs).is_some() && !pictures::has_png(&cell.outputs) {
        wrong.push(
            "has a stored picture with no PNG copy (a notebook not yet trusted shows none); \
             `multitask check --update --all` draws one"
                .to_string(),
        );
    }
    wrong
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
