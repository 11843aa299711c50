//! A table of results that shows as a table: HTML in Jupyter, aligned
//! columns in the terminal — where `println!("| … |")` lines would be
//! monospace text, misaligned by every Chinese character.
//!
//! Notebooks `notebooks/01-processes.ipynb` and `02-threads.ipynb` (the
//! measured comparisons); tests: this module's own, and the kernel's
//! `text/html` results in `tests/kernel_jupyter.rs`.
//!
//! ```
//! use multitask::table::Table;
//! let table = Table::new(["模式 mode", "a crash takes down"])
//!     .row(["多进程 processes", "one process"])
//!     .row(["多线程 threads", "the whole process"]);
//! assert_eq!(
//!     table.to_string(),
//!     "模式 mode         a crash takes down\n\
//!      ────────────────  ──────────────────\n\
//!      多进程 processes  one process\n\
//!      多线程 threads    the whole process"
//! );
//! assert!(table.to_html().starts_with("<table>"));
//! ```
//!
//! As a cell's last expression it is shown by its `evcxr_display`: both
//! forms, and Jupyter picks the HTML.

use std::fmt;

use unicode_width::UnicodeWidthStr;

/// Rows of text under a header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Table {
    header: Vec<String>,
    rows: Vec<Vec<String>>,
}

impl Table {
    /// A table with these column headings and no rows yet.
    pub fn new(header: impl IntoIterator<Item = impl fmt::Display>) -> Table {
        Table {
            header: header.into_iter().map(|h| h.to_string()).collect(),
            rows: Vec::new(),
        }
    }

    /// The table with one more row (cells past the header's count are kept;
    /// missing ones are blank).
    #[must_use = "row returns the table with the row added"]
    pub fn row(mut self, cells: impl IntoIterator<Item = impl fmt::Display>) -> Table {
        self.rows
            .push(cells.into_iter().map(|c| c.to_string()).collect());
        self
    }

    /// The rows, as given.
    pub fn rows(&self) -> &[Vec<String>] {
        &self.rows
    }

    /// The table as HTML (`<table>` with a `<thead>`), every cell escaped;
    /// a column of numbers aligned right, any other left (JupyterLab would
    /// align every cell right).
    pub fn to_html(&self) -> String {
        let align: Vec<&str> = (0..self.header.len())
            .map(|column| {
                let mut cells = self
                    .rows
                    .iter()
                    .filter_map(|row| row.get(column))
                    .filter(|cell| !cell.is_empty())
                    .peekable();
                if cells.peek().is_some() && cells.all(|cell| is_number(cell)) {
                    "right"
                } else {
                    "left"
                }
            })
            .collect();
        let mut html = String::from("<table>\n<thead><tr>");
        for (heading, align) in self.header.iter().zip(&align) {
            html += &format!("<th style=\"text-align:{align}\">{}</th>", escape(heading));
        }
        html += "</tr></thead>\n<tbody>\n";
        for row in &self.rows {
            html += "<tr>";
            for (cell, align) in row.iter().zip(&align) {
                html += &format!("<td style=\"text-align:{align}\">{}</td>", escape(cell));
            }
            html += "</tr>\n";
        }
        html + "</tbody>\n</table>"
    }

    /// How evcxr shows it as a cell's value: the text for the terminal, the
    /// HTML for Jupyter.
    pub fn evcxr_display(&self) {
        crate::shown::show(&[
            ("text/plain", &self.to_string()),
            ("text/html", &self.to_html()),
        ]);
    }

    fn columns(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain([self.header.len()])
            .max()
            .unwrap_or(0)
    }
}

/// Aligned columns (by display width: a Chinese character takes two), two
/// spaces apart, the header underlined.
impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let columns = self.columns();
        let cell = |row: &[String], i: usize| row.get(i).map_or("", String::as_str).to_string();
        let mut widths = vec![0; columns];
        for row in std::iter::once(&self.header).chain(&self.rows) {
            for (i, width) in widths.iter_mut().enumerate() {
                *width = (*width).max(cell(row, i).width());
            }
        }
        let line = |row: &[String]| {
            let cells: Vec<String> = (0..columns)
                .map(|i| {
                    let text = cell(row, i);
                    let pad = widths[i] - text.width();
                    text + &" ".repeat(pad)
                })
                .collect();
            cells.join("  ").trim_end().to_string()
        };
        let rule: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
        let mut lines = vec![line(&self.header), rule.join("  ")];
        lines.extend(self.rows.iter().map(|row| line(row)));
        f.write_str(&lines.join("\n"))
    }
}

pub(crate) fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A number as a table shows one: `42`, `-1.5`, `1,000`, `10_000`.
fn is_number(cell: &str) -> bool {
    let digits = cell.trim().trim_start_matches(['-', '+']);
    !digits.is_empty()
        && digits.starts_with(|c: char| c.is_ascii_digit())
        && digits
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_columns_align_left_and_number_columns_right() {
        let html = Table::new(["mode", "n"])
            .row(["threads", "2"])
            .row(["processes", "1,000"])
            .to_html();
        assert!(
            html.contains("<th style=\"text-align:left\">mode</th>"),
            "{html}"
        );
        assert!(
            html.contains("<td style=\"text-align:left\">threads</td>"),
            "{html}"
        );
        assert!(
            html.contains("<th style=\"text-align:right\">n</th>"),
            "{html}"
        );
        assert!(
            html.contains("<td style=\"text-align:right\">1,000</td>"),
            "{html}"
        );
    }

    #[test]
    fn cells_are_escaped_in_html() {
        let html = Table::new(["a<b"]).row(["x & \"y\""]).to_html();
        assert!(html.contains(">a&lt;b</th>"), "{html}");
        assert!(html.contains(">x &amp; &quot;y&quot;</td>"), "{html}");
    }

    #[test]
    fn a_short_row_leaves_its_last_cells_blank() {
        let text = Table::new(["one", "two"]).row(["1"]).to_string();
        assert_eq!(text, "one  two\n───  ───\n1");
    }

    #[test]
    fn evcxr_sees_both_forms() {
        // What evcxr reads from a value's display: each form between markers.
        let table = Table::new(["h"]).row(["v"]);
        let plain = format!("EVCXR_BEGIN_CONTENT text/plain\n{table}\nEVCXR_END_CONTENT");
        assert!(plain.contains("h\n─\nv"));
    }
}
