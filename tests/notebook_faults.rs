//! The real notebooks, broken on purpose (issue 13): each mutation goes
//! through `multitask check` and `multitask step`, which must answer with one
//! clear line (or run what still reads) — never a panic, a signal or a hang.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Duration;

use multitask_tests::{multitask_bin, scratch_dir, wait_or_kill};
use serde_json::{Value, json};

/// The first cells of each notebook are kept: enough to meet every kind of
/// cell, few enough that a notebook that still reads runs in seconds.
const CELLS_KEPT: usize = 4;

/// How long one run may take before it counts as a hang.
const HANG: Duration = Duration::from_secs(120);

/// A mutation, and whether the notebook must then be refused.
struct Mutation {
    name: &'static str,
    refused: bool,
    apply: fn(&mut Value, &mut Rng),
}

const MUTATIONS: &[Mutation] = &[
    Mutation {
        name: "source removed",
        refused: true,
        apply: |nb, rng| {
            cell(nb, rng).as_object_mut().map(|c| c.remove("source"));
        },
    },
    Mutation {
        name: "source is a number",
        refused: true,
        apply: |nb, rng| cell(nb, rng)["source"] = json!(7),
    },
    Mutation {
        name: "a line of source is a number",
        refused: true,
        apply: |nb, rng| cell(nb, rng)["source"] = json!(["x", 1]),
    },
    Mutation {
        name: "cell_type removed",
        refused: true,
        apply: |nb, rng| {
            cell(nb, rng).as_object_mut().map(|c| c.remove("cell_type"));
        },
    },
    Mutation {
        name: "a cell is null",
        refused: true,
        apply: |nb, rng| *cell(nb, rng) = Value::Null,
    },
    Mutation {
        name: "cells is an object",
        refused: true,
        apply: |nb, _| nb["cells"] = json!({"0": {}}),
    },
    Mutation {
        name: "nbformat 3",
        refused: true,
        apply: |nb, _| nb["nbformat"] = json!(3),
    },
    Mutation {
        name: "outputs is text",
        refused: false,
        apply: |nb, rng| cell(nb, rng)["outputs"] = json!("text"),
    },
    Mutation {
        name: "an output of no known type",
        refused: false,
        apply: |nb, rng| {
            cell(nb, rng)["outputs"] = json!([{"output_type": "hologram"}, {"name": 3}])
        },
    },
    Mutation {
        name: "tags is a number",
        refused: false,
        apply: |nb, rng| cell(nb, rng)["metadata"]["tags"] = json!(7),
    },
    Mutation {
        name: "metadata removed",
        refused: false,
        apply: |nb, rng| {
            cell(nb, rng).as_object_mut().map(|c| c.remove("metadata"));
        },
    },
    Mutation {
        name: "an unknown cell_type",
        refused: false,
        apply: |nb, rng| cell(nb, rng)["cell_type"] = json!("kode"),
    },
];

/// Text-level mutations: whether the result still reads is up to chance.
/// A mutation of a notebook's bytes.
type TextMutation = fn(&mut Vec<u8>, &mut Rng);

const TEXT_MUTATIONS: &[(&str, TextMutation)] = &[
    ("cut short", |text, rng| {
        let at = rng.below(text.len());
        text.truncate(at);
    }),
    ("a byte changed", |text, rng| {
        let at = rng.below(text.len());
        let bytes = b" {}[],:\"\\0x7";
        text[at] = bytes[rng.below(bytes.len())];
    }),
    ("a stretch deleted", |text, rng| {
        let at = rng.below(text.len());
        let end = (at + 1 + rng.below(40)).min(text.len());
        text.drain(at..end);
    }),
];

/// A small deterministic generator (xorshift64): the same mutations every run.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % n.max(1) as u64) as usize
    }
}

fn cell<'a>(notebook: &'a mut Value, rng: &mut Rng) -> &'a mut Value {
    let cells = notebook["cells"].as_array_mut().expect("cells");
    let at = rng.below(cells.len());
    &mut cells[at]
}

/// The notebooks of the course, each cut to its first cells.
fn real_notebooks() -> Vec<(String, Value)> {
    let folder = Path::new(env!("CARGO_MANIFEST_DIR")).join("../notebooks");
    let mut found: Vec<PathBuf> = std::fs::read_dir(&folder)
        .expect("the notebooks folder")
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| path.extension().is_some_and(|e| e == "ipynb"))
        .collect();
    found.sort();
    found
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("read a notebook");
            let mut notebook: Value = serde_json::from_str(&text).expect("a notebook is JSON");
            notebook["cells"]
                .as_array_mut()
                .expect("cells")
                .truncate(CELLS_KEPT);
            let name = path.file_stem().unwrap().to_string_lossy().into_owned();
            (name, notebook)
        })
        .collect()
}

/// Runs `multitask ARGS… FILE` to its end (or kills it after [`HANG`]).
fn run(args: &[&str], file: &Path) -> (Output, bool) {
    let mut child = Command::new(multitask_bin())
        .env("MULTITASK_CACHE", multitask_tests::shared_cache())
        .args(args)
        .arg(file)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start multitask");
    let hung = wait_or_kill(&mut child, HANG).is_none();
    (child.wait_with_output().expect("its output"), hung)
}

/// What is wrong with one run, if anything.
fn judge(run: &(Output, bool), refused: Option<bool>) -> Option<String> {
    let (output, hung) = run;
    let stderr = String::from_utf8_lossy(&output.stderr);
    let said: Vec<&str> = stderr
        .lines()
        .filter(|line| !line.trim().is_empty() && !line.starts_with("Another multitask"))
        .collect();
    if *hung {
        return Some("hung".into());
    }
    if output.status.code().is_none() {
        return Some(format!("died of a signal: {}", output.status));
    }
    if stderr.contains("panicked at") || output.status.code() == Some(101) {
        return Some(format!("panicked:\n{stderr}"));
    }
    let failed = !output.status.success();
    if refused == Some(true) && !failed {
        return Some("was not refused".into());
    }
    let refusal = said
        .iter()
        .filter(|line| line.starts_with("multitask: "))
        .count();
    if refusal > 0 && said.len() > 1 + refusal {
        return Some(format!("refused in more than one line:\n{stderr}"));
    }
    if refused == Some(true) && refusal != 1 {
        return Some(format!("refused without a `multitask:` line:\n{stderr}"));
    }
    None
}

#[test]
fn broken_notebooks_get_one_line_from_check_and_step_never_a_panic_or_hang() {
    let _one_at_a_time = multitask_tests::one_at_a_time();
    let folder = scratch_dir("notebook-faults");
    let mut rng = Rng(0x13_13_13_13);
    let mut problems = Vec::new();
    let mut tried = 0;
    for (name, notebook) in real_notebooks() {
        let mut cases: Vec<(String, Vec<u8>, Option<bool>)> = MUTATIONS
            .iter()
            .map(|mutation| {
                let mut broken = notebook.clone();
                (mutation.apply)(&mut broken, &mut rng);
                let text = serde_json::to_vec_pretty(&broken).expect("serialize");
                (mutation.name.to_string(), text, Some(mutation.refused))
            })
            .collect();
        let text = serde_json::to_vec_pretty(&notebook).expect("serialize");
        for (what, mutate) in TEXT_MUTATIONS {
            let mut broken = text.clone();
            mutate(&mut broken, &mut rng);
            cases.push((what.to_string(), broken, None));
        }
        for (index, (what, text, refused)) in cases.into_iter().enumerate() {
            let file = folder.join(format!("{name}-{index}.ipynb"));
            std::fs::write(&file, text).expect("write the broken notebook");
            for args in [&["check", "--timeout", "60"][..], &["step"][..]] {
                tried += 1;
                if let Some(problem) = judge(&run(args, &file), refused) {
                    problems.push(format!("{name} ({what}), `{}`: {problem}", args[0]));
                }
            }
        }
    }
    assert!(tried >= 100, "{tried}");
    assert!(
        problems.is_empty(),
        "{} of {tried}:\n{}",
        problems.len(),
        problems.join("\n")
    );
}
