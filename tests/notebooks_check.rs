//! The notebooks: `multitask check` passes on them, fails with a diff when a
//! stored output is changed, and `--update` rewrites nothing that did not
//! change; a real Jupyter client (nbclient) running them through the kernel
//! gets the outputs they store.

use std::path::PathBuf;
use std::process::{Command, Output};

use multitask_tests::{children_of, multitask_bin, proc_stat, scratch_dir, tests_dir};

fn notebooks_dir() -> PathBuf {
    tests_dir().join("..").join("notebooks")
}

const CHAPTER_03: &str = "03-iterators-generators.ipynb";

/// `multitask check ARGS…` with the tests' shared build cache, one at a time.
pub(crate) fn check(args: &[&std::ffi::OsStr]) -> Output {
    let _one_at_a_time = multitask_tests::one_at_a_time();
    Command::new(multitask_bin())
        .env("MULTITASK_CACHE", multitask_tests::shared_cache())
        .arg("check")
        .args(args)
        .output()
        .expect("run multitask check")
}

/// A copy of a notebook (and the sanitize rules) in a scratch folder.
fn copy_of(name: &str, test: &str) -> PathBuf {
    let dir = scratch_dir(test);
    for file in [name, "sanitize.cfg"] {
        std::fs::copy(notebooks_dir().join(file), dir.join(file)).expect("copy");
    }
    dir.join(name)
}

/// Every notebook passes, run under a subreaper that then counts what was
/// left behind: no child process of any cell may outlive its session, running
/// or as a zombie.
#[test]
fn every_notebook_passes_its_check_and_leaves_no_process_behind() {
    let _one_at_a_time = multitask_tests::one_at_a_time();
    let output = Command::new(env!("CARGO_BIN_EXE_process-scenarios"))
        .env("MULTITASK_CACHE", multitask_tests::shared_cache())
        .arg("--reap-after")
        .arg(multitask_bin())
        .arg("check")
        .arg(notebooks_dir())
        .output()
        .expect("run multitask check under a subreaper");
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let notebooks = std::fs::read_dir(notebooks_dir()).unwrap();
    for notebook in notebooks
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
    {
        if notebook.ends_with(".ipynb") {
            assert!(stdout.contains(&format!("{notebook} ok")), "{stdout}");
        }
    }
    assert!(stdout.contains("left behind: []"), "{stdout}");
}

/// A notebook of these code cells, written in a scratch folder.
fn notebook_of(cells: &[&str], test: &str) -> PathBuf {
    let cells: Vec<serde_json::Value> = cells
        .iter()
        .map(|source| {
            serde_json::json!({
                "cell_type": "code", "execution_count": null, "metadata": {},
                "outputs": [], "source": [source],
            })
        })
        .collect();
    let notebook = serde_json::json!({
        "cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5,
    });
    let path = scratch_dir(test).join("cells.ipynb");
    std::fs::write(&path, notebook.to_string()).expect("write the notebook");
    path
}

#[test]
fn a_cell_that_runs_too_long_is_stopped_and_fails() {
    let notebook = notebook_of(&["let kept = 1;", "loop {}", "kept + 1"], "check-timeout");
    let output = check(&["--timeout".as_ref(), "3".as_ref(), notebook.as_os_str()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout.contains(
            "cell 1 timed out after 3 s and was stopped; the cells after it were not run"
        ),
        "{stdout}"
    );
    assert!(
        !stdout.contains("cell 2"),
        "a cell ran after the timeout: {stdout}"
    );
}

#[test]
fn a_killed_check_leaves_no_notebook_running() {
    let notebook = notebook_of(&["loop {}"], "check-killed");
    let _one_at_a_time = multitask_tests::one_at_a_time();
    let mut check = Command::new(multitask_bin())
        .env("MULTITASK_CACHE", multitask_tests::shared_cache())
        .arg("check")
        .arg(&notebook)
        .stdout(std::process::Stdio::null())
        .spawn()
        .expect("start multitask check");
    // The notebook's process (`check --single`) and its runtime, spinning.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(240);
    let family = loop {
        let singles = children_of(check.id() as i32);
        let runtimes: Vec<i32> = singles
            .iter()
            .flat_map(|&(single, _)| children_of(single))
            .filter(|&(pid, state)| {
                let comm = std::fs::read_to_string(format!("/proc/{pid}/comm"));
                state == 'R' && comm.is_ok_and(|name| name.trim() == "multitask")
            })
            .map(|(pid, _)| pid)
            .collect();
        if !runtimes.is_empty() {
            break [singles.iter().map(|&(pid, _)| pid).collect(), runtimes].concat();
        }
        assert!(std::time::Instant::now() < deadline, "the cell never ran");
        std::thread::sleep(std::time::Duration::from_millis(200));
    };
    check.kill().expect("kill check");
    check.wait().expect("reap check");
    let gone = |pid: i32| proc_stat(pid).is_none_or(|(state, _)| state == 'Z');
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while !family.iter().all(|&pid| gone(pid)) {
        assert!(
            std::time::Instant::now() < deadline,
            "still running after check was killed: {:?}",
            family.iter().filter(|&&pid| !gone(pid)).collect::<Vec<_>>()
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
}

#[test]
fn a_changed_output_fails_with_a_diff_naming_the_cell() {
    let notebook = copy_of(CHAPTER_03, "check-changed");
    let text = std::fs::read_to_string(&notebook).unwrap();
    let changed = text.replacen("my state is GEN_RUNNING", "my state is GEN_WRONG", 1);
    assert_ne!(text, changed, "the notebook shows GEN_RUNNING somewhere");
    std::fs::write(&notebook, changed).unwrap();

    let output = check(&[notebook.as_os_str()]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(stdout.contains("has different outputs"), "{stdout}");
    assert!(
        stdout.contains("-inside the body, my state is GEN_WRONG"),
        "{stdout}"
    );
    assert!(
        stdout.contains("+inside the body, my state is GEN_RUNNING"),
        "{stdout}"
    );
    assert!(stdout.contains("FAILED"), "{stdout}");
}

#[test]
fn update_leaves_an_up_to_date_notebook_byte_for_byte() {
    let notebook = copy_of(CHAPTER_03, "check-update");
    let before = std::fs::read(&notebook).unwrap();
    let output = check(&["--update".as_ref(), notebook.as_os_str()]);
    assert!(output.status.success(), "{output:?}");
    assert_eq!(std::fs::read(&notebook).unwrap(), before);
}

#[test]
fn jupyter_runs_the_notebook_through_the_kernel_with_the_stored_outputs() {
    let notebook = notebooks_dir().join(CHAPTER_03);
    let report = multitask_tests::jupyter_report("run_notebook.py", &[notebook.as_os_str()]);
    assert!(report["code_cells"].as_u64().unwrap() > 10, "{report}");
    assert_eq!(report["mismatches"], serde_json::json!([]), "{report:#}");
}

/// The chapters link to each other (`[02-threads](02-threads.ipynb)`): each
/// such link leads to a notebook that is there, and every chapter after the
/// map ends with a link onwards or back.
#[test]
fn links_between_notebooks_lead_somewhere_and_every_chapter_ends_with_one() {
    use multitask_repl::notebook::Notebook;
    for path in notebook_files() {
        let cells = Notebook::read(&path).unwrap().cells();
        for cell in cells.iter().filter(|c| c.kind == "markdown") {
            for target in notebook_links(&cell.source) {
                assert!(
                    notebooks_dir().join(&target).is_file(),
                    "{} links to {target}, which is not there",
                    path.display()
                );
            }
        }
        let last = cells.iter().rev().find(|c| c.kind == "markdown").unwrap();
        let links = notebook_links(&last.source);
        assert!(
            !links.is_empty(),
            "{} does not end with a link to another chapter",
            path.display()
        );
        // Its first link is the next chapter, if there is one.
        let name = path.file_name().unwrap().to_string_lossy();
        let number: u32 = name[..2].parse().unwrap();
        let next = format!("{:02}-", number + 1);
        let has_next = std::fs::read_dir(notebooks_dir())
            .unwrap()
            .any(|e| e.unwrap().file_name().to_string_lossy().starts_with(&next));
        if has_next {
            assert!(
                links[0].starts_with(&next),
                "{name} leads on to {}, not to the next chapter ({next}…)",
                links[0]
            );
        }
    }
}

/// The notebooks in `notebooks/`.
fn notebook_files() -> Vec<PathBuf> {
    std::fs::read_dir(notebooks_dir())
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "ipynb"))
        .collect()
}

/// The targets of the Markdown links `](NAME.ipynb)` in a text.
fn notebook_links(text: &str) -> Vec<String> {
    text.split("](")
        .skip(1)
        .filter_map(|rest| rest.split_once(')'))
        .map(|(target, _)| target.to_string())
        .filter(|target| target.ends_with(".ipynb"))
        .collect()
}

/// Every duration a notebook shows is written one way — `2.30 ms`, a space
/// before the unit — never as `{:.2?}` writes it (`2.30ms`, `308.00ns`).
#[test]
fn durations_are_written_one_way_in_every_output() {
    use multitask_repl::notebook::Notebook;
    for path in notebook_files() {
        for (index, cell) in Notebook::read(&path).unwrap().cells().iter().enumerate() {
            for output in &cell.outputs {
                let text = output.text();
                for word in text.split(|c: char| c.is_whitespace() || "()[],;:".contains(c)) {
                    let digits = word.trim_end_matches(|c: char| c.is_alphabetic() || c == 'µ');
                    let unit = &word[digits.len()..];
                    let number = !digits.is_empty()
                        && digits.ends_with(|c: char| c.is_ascii_digit())
                        && digits.chars().all(|c| c.is_ascii_digit() || c == '.');
                    assert!(
                        !(number && ["ns", "µs", "us", "ms", "s"].contains(&unit)),
                        "{} cell {index} writes `{word}` (a duration is `2.30 ms`: \
                         time::format_duration): {text}",
                        path.display()
                    );
                }
            }
        }
    }
}
