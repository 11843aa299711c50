//! `multitask step FILE` (or `multitask step --exercise ID`, from that
//! exercise on): walk a notebook in the terminal. Markdown cells are
//! printed readably; each code cell is shown and runs on Enter, can be edited
//! first, skipped, or left for the REPL (with all the state so far) and come
//! back to with `:back`.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use crate::notebook::{Cell, Notebook};
use crate::session::Options;
use crate::terminal::{Leave, Terminal};

const BACK: &str = ":back";

/// The chapter notebook that holds exercise `id`, in the `notebooks/` beside
/// the `prelude` crate.
pub fn exercise_notebook(prelude: &Path, id: &str) -> Result<PathBuf> {
    let Some(exercise) = multitask::exercises::find(id) else {
        bail!("no exercise {id}; `multitask exercises` lists them");
    };
    let notebook = prelude
        .join("../notebooks")
        .join(format!("{}.ipynb", exercise.chapter));
    if !notebook.is_file() {
        bail!(
            "exercise {id} is in {}, which is not there",
            notebook.display()
        );
    }
    Ok(notebook)
}

/// Where exercise `id` begins among `cells`: its TODO cell (tagged
/// `todo:ID`), or the text just before it.
fn exercise_start(cells: &[Cell], id: &str) -> Option<usize> {
    let todo = cells
        .iter()
        .position(|c| c.tags.iter().any(|t| t.strip_prefix("todo:") == Some(id)))?;
    let before = todo.checked_sub(1).filter(|&i| cells[i].kind == "markdown");
    Some(before.unwrap_or(todo))
}

/// Steps through the notebook at `path` — from exercise `at`, if given,
/// once the code cells before it have run.
pub fn run(
    path: &Path,
    at: Option<&str>,
    options: Options,
    build_dir: &Path,
    first_start: bool,
) -> Result<()> {
    let cells = Notebook::read(path)?.cells();
    let start = match at {
        Some(id) => exercise_start(&cells, id)
            .with_context(|| format!("no cell tagged todo:{id} in {}", path.display()))?,
        None => 0,
    };
    let mut terminal = Terminal::open(options, build_dir, first_start)?;
    let total = cells.len();
    if let Some(id) = at {
        let earlier = cells[..start].iter().filter(|c| c.kind == "code").count();
        println!(
            "Exercise {id} is cell {} of {total} in {}; the {earlier} code cells before it run first.",
            start + 1,
            path.display()
        );
        for cell in cells[..start].iter().filter(|c| c.kind == "code") {
            if terminal.run_cell(&cell.source)? {
                return Ok(());
            }
        }
    }
    for (index, cell) in cells.iter().enumerate().skip(start) {
        let place = format!("[{}/{total}]", index + 1);
        if cell.kind == "markdown" {
            println!("\n{}", render_markdown(&cell.source));
            match terminal.read(&format!("{place} Enter: next · q: quit > "), "")? {
                Some(answer) if answer.trim() == "q" => return Ok(()),
                None => return Ok(()),
                Some(_) => continue,
            }
        }
        if cell.kind != "code" {
            continue;
        }
        println!("\n{}", frame(&cell.source));
        loop {
            let prompt = format!("{place} Enter: run · e: edit · s: skip · r: REPL · q: quit > ");
            let Some(answer) = terminal.read(&prompt, "")? else {
                return Ok(());
            };
            match answer.trim() {
                "" => {
                    if terminal.run_cell(&cell.source)? {
                        return Ok(());
                    }
                    break;
                }
                "e" => {
                    let Some(edited) = terminal.read(">> ", &cell.source)? else {
                        return Ok(());
                    };
                    if terminal.run_cell(&edited)? {
                        return Ok(());
                    }
                    break;
                }
                "s" => break,
                "r" => {
                    println!("The REPL, with everything so far. `{BACK}` returns to the notebook.");
                    if terminal.repl(Some(BACK))? == Leave::Quit {
                        return Ok(());
                    }
                    println!("\n{}", frame(&cell.source));
                }
                "q" => return Ok(()),
                other => println!(
                    "`{other}`? Enter runs the cell; e edits it, s skips it, r opens the REPL, q quits."
                ),
            }
        }
    }
    println!("\nThe end of {}.", path.display());
    Ok(())
}

/// Markdown for a terminal: headings bold, the rest as written.
fn render_markdown(source: &str) -> String {
    source
        .lines()
        .map(|line| {
            let trimmed = line.trim_start();
            if trimmed.starts_with('#') {
                let title = trimmed.trim_start_matches('#').trim();
                format!("\x1b[1;36m{title}\x1b[0m")
            } else {
                line.replace("**", "")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// A code cell in a frame, with line numbers.
fn frame(source: &str) -> String {
    let mut text = String::from("\x1b[2m┌── code\x1b[0m\n");
    for (number, line) in source.lines().enumerate() {
        text += &format!("\x1b[2m│{:>3}\x1b[0m {line}\n", number + 1);
    }
    text + "\x1b[2m└──\x1b[0m"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headings_are_bold_and_emphasis_marks_go() {
        let shown = render_markdown("## 1.1 可迭代 Iterable\nA **lazy** iterator");
        assert_eq!(
            shown,
            "\x1b[1;36m1.1 可迭代 Iterable\x1b[0m\nA lazy iterator"
        );
    }

    #[test]
    fn an_exercise_starts_at_the_text_before_its_todo_cell() {
        let cell = |kind: &str, tags: &[&str]| Cell {
            id: String::new(),
            kind: kind.into(),
            source: String::new(),
            tags: tags.iter().map(|t| t.to_string()).collect(),
            outputs: Vec::new(),
        };
        let cells = [
            cell("code", &[]),
            cell("markdown", &[]),
            cell("code", &["todo:02-a"]),
            cell("code", &["todo:02-b"]),
        ];
        assert_eq!(exercise_start(&cells, "02-a"), Some(1));
        assert_eq!(exercise_start(&cells, "02-b"), Some(3));
        assert_eq!(exercise_start(&cells, "02-c"), None);
    }

    #[test]
    fn code_is_framed_with_line_numbers() {
        let shown = frame("let a = 1;\na + 1");
        assert!(shown.contains("│  1\x1b[0m let a = 1;"));
        assert!(shown.contains("│  2\x1b[0m a + 1"));
    }
}
