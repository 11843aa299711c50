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
//!
//! Pictures are held to what the notebook's text says they show: each
//! trace picture, stored and drawn anew, must show the lanes' states, labels
//! and holds that `pictures.toml` beside the notebooks lists for its cell, and
//! a stored one must carry its PNG copy (what an untrusted notebook shows).
//!
//! Inside: `files.rs` finds the notebooks, `run.rs` runs one in a session,
//! `compare.rs` makes a cell's outputs comparable, `sanitize.rs` reads the
//! rules, `pictures.rs` the pictures' claims; this file is the command, a
//! process per notebook.

mod compare;
mod files;
pub mod pictures;
mod run;
mod sanitize;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result, bail};

pub use compare::outputs_of;
pub use files::notebooks;
pub use run::{Problem, Settings, check};
pub use sanitize::Sanitizer;

use crate::notebook::Notebook;
use crate::session::output::Stream;
use crate::session::{Hooks, Options, Session};

/// The tag of a cell that must fail.
pub const RAISES: &str = "raises-exception";
/// The tag of a cell whose output is not compared.
pub const IGNORE_OUTPUT: &str = "nbval-ignore-output";

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
