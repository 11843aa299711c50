//! `multitask step FILE`: walk a notebook in the terminal. Markdown cells are
//! printed readably; each code cell is shown and runs on Enter, can be edited
//! first, skipped, or left for the REPL (with all the state so far) and come
//! back to with `:back`.

use std::path::Path;

use anyhow::Result;

use crate::notebook::Notebook;
use crate::session::Options;
use crate::terminal::{Leave, Terminal};

const BACK: &str = ":back";

/// Steps through the notebook at `path`.
pub fn run(path: &Path, options: Options, build_dir: &Path, first_start: bool) -> Result<()> {
    let cells = Notebook::read(path)?.cells();
    let mut terminal = Terminal::open(options, build_dir, first_start)?;
    let total = cells.len();
    for (index, cell) in cells.iter().enumerate() {
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
    fn code_is_framed_with_line_numbers() {
        let shown = frame("let a = 1;\na + 1");
        assert!(shown.contains("│  1\x1b[0m let a = 1;"));
        assert!(shown.contains("│  2\x1b[0m a + 1"));
    }
}
