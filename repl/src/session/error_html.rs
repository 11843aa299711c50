//! A compile error as HTML, for Jupyter: what the terminal draws with
//! box-drawing characters sized for its width, laid out so that nothing
//! depends on a line fitting the output area.
//!
//! - The message and every label, note and help are prose in paragraphs:
//!   they wrap where the browser likes.
//! - The cell's lines are a `<pre>` that never wraps (a long line scrolls),
//!   the text each label points at marked in the label's colour; the labels
//!   follow as a list, each beside the marked text it is about.
//! - rustc's suggested edit is a diff of the line: `-` as typed, `+` as
//!   suggested.
//! - Each note once, with no level written twice ("note: note:").

use std::fmt::Write as _;

use evcxr::CompilationError;

use crate::cell::rewrite::Rewritten;
use crate::session::reply::clean;

/// The marks' colours, in the order labels take them.
const MARKS: [&str; 4] = ["#ffcdd2", "#ffe0b2", "#c8e6c9", "#bbdefb"];

const PRE: &str = "white-space:pre;overflow-x:auto;margin:4px 0;padding:4px 8px;\
                   background:#f7f7f7;border-left:3px solid #ccc;font-size:90%";

/// `error` (rustc's spans in `cell.code`) shown on the cell as the learner
/// `typed` it, with the session's `hint` under it.
pub fn render(
    error: &CompilationError,
    hint: Option<&str>,
    typed: &str,
    cell: &Rewritten,
) -> String {
    let (word, colour) = match error.level() {
        "warning" => ("warning", "#e65100"),
        _ => ("error", "#b71c1c"),
    };
    let mut html = String::from(
        "<div class=\"multitask-compile-error\" style=\"line-height:1.45;margin:2px 0 8px\">\n",
    );
    let code = error.code().map(|c| format!("[{c}]")).unwrap_or_default();
    let place = error
        .primary_spanned_message()
        .and_then(|m| m.span.as_ref())
        .map(|span| {
            format!(
                " <span style=\"color:#666\">(line {}, column {})</span>",
                span.start_line, span.start_column
            )
        })
        .unwrap_or_default();
    let _ = writeln!(
        html,
        "<p style=\"margin:0\"><b style=\"color:{colour}\">{word}{code}</b>: {}{place}</p>",
        prose(&error.message())
    );

    // What points at the cell: the error's own labels, then notes and helps
    // that point at it without suggesting an edit.
    let pointing: Vec<(&str, std::ops::Range<usize>)> = error
        .spanned_messages()
        .iter()
        .chain(
            error
                .help_spanned()
                .iter()
                .filter(|h| h.replacement.is_none()),
        )
        .filter_map(|m| {
            let span = m.span.as_ref()?;
            let at = (
                span.start_line,
                span.start_column,
                span.end_line,
                span.end_column,
            );
            Some((m.label.as_str(), typed_range(at, cell, typed)?))
        })
        .collect();
    if !pointing.is_empty() {
        html += &excerpt(typed, &pointing);
        html += "<ul style=\"margin:2px 0 4px 1.4em;padding:0\">\n";
        for (index, (label, range)) in pointing.iter().enumerate() {
            let label = without_level(label);
            if label.is_empty() {
                continue;
            }
            let _ = writeln!(
                html,
                "<li><mark style=\"background:{}\"><code>{}</code></mark> {}</li>",
                MARKS[index % MARKS.len()],
                escape(&typed[range.clone()]),
                prose(label)
            );
        }
        html += "</ul>\n";
    }

    // Notes and helps that point nowhere in the cell, each once.
    let mut said: Vec<String> = Vec::new();
    for child in error.json["children"].as_array().into_iter().flatten() {
        let (Some(level), Some(message)) = (child["level"].as_str(), child["message"].as_str())
        else {
            continue;
        };
        let message = clean(message);
        let suggests = error.help_spanned().iter().any(|h| {
            h.replacement.is_some() && without_level(&h.label).starts_with(message.as_str())
        });
        if message.is_empty() || suggests || said.contains(&message) {
            continue;
        }
        if pointing
            .iter()
            .any(|(label, _)| without_level(label) == message)
        {
            continue;
        }
        let _ = writeln!(
            html,
            "<p style=\"margin:2px 0\"><b>{}</b>: {}</p>",
            escape(level),
            prose(&message)
        );
        said.push(message);
    }

    // Suggested edits, as a diff of the lines they change.
    for (what, edits) in suggestions(error, cell, typed) {
        let _ = writeln!(
            html,
            "<p style=\"margin:2px 0\"><b style=\"color:#1565c0\">help</b>: {}</p>",
            prose(&what)
        );
        html += &diff(typed, &edits);
    }

    if let Some(hint) = hint {
        let _ = writeln!(
            html,
            "<p style=\"margin:2px 0\"><b style=\"color:#00838f\">hint</b>: {}</p>",
            prose(hint)
        );
    }
    html + "</div>"
}

/// The lines of `typed` the ranges fall on, each range marked — a range
/// inside another (rustc's `v` inside the call it is borrowed by) as a mark
/// inside the other's; one that crosses another's edge is left unmarked.
fn excerpt(typed: &str, pointing: &[(&str, std::ops::Range<usize>)]) -> String {
    let first = line_of(
        typed,
        pointing.iter().map(|(_, r)| r.start).min().unwrap_or(0),
    );
    let last = line_of(
        typed,
        pointing.iter().map(|(_, r)| r.end).max().unwrap_or(0),
    );
    // Outer before inner: by start, the longer first.
    let mut marks: Vec<(usize, std::ops::Range<usize>)> = pointing
        .iter()
        .enumerate()
        .map(|(index, (_, range))| (index, range.clone()))
        .collect();
    marks.sort_by_key(|(_, r)| (r.start, std::cmp::Reverse(r.end)));
    let mut kept: Vec<(usize, std::ops::Range<usize>)> = Vec::new();
    for (index, range) in marks {
        let crosses = kept.iter().any(|(_, k)| {
            range.start < k.end
                && k.start < range.end
                && !(k.start <= range.start && range.end <= k.end)
                && !(range.start <= k.start && k.end <= range.end)
        });
        if !crosses && !kept.iter().any(|(_, k)| *k == range) {
            kept.push((index, range));
        }
    }
    let mut pre = format!("<pre style=\"{PRE}\">");
    let mut at = line_start(typed, first);
    for number in first..=last {
        let end = typed[at..].find('\n').map_or(typed.len(), |n| at + n);
        let _ = write!(pre, "<span style=\"color:#999\">{number:>3} │ </span>");
        // Where marks open and close on this line, in order.
        let mut edges: Vec<(usize, bool, usize)> = Vec::new();
        for (index, range) in kept.iter().filter(|(_, r)| r.start < end && r.end > at) {
            let (start, stop) = (range.start.max(at), range.end.min(end));
            if start < stop {
                // Closing before opening at one offset; inner closes first.
                edges.push((start, true, *index));
                edges.push((stop, false, *index));
            }
        }
        edges.sort_by_key(|&(offset, opens, _)| (offset, opens));
        let mut from = at;
        for (offset, opens, index) in edges {
            pre += &escape(&typed[from..offset]);
            if opens {
                let _ = write!(
                    pre,
                    "<mark style=\"background:{}\">",
                    MARKS[index % MARKS.len()]
                );
            } else {
                pre += "</mark>";
            }
            from = offset;
        }
        pre += &escape(&typed[from..end]);
        pre.push('\n');
        at = (end + 1).min(typed.len());
    }
    pre + "</pre>\n"
}

/// An edit of the learner's text: what to replace, and with what.
type Edit = (std::ops::Range<usize>, String);

/// Each suggestion rustc makes on the cell: what it says, and the edits
/// (range of `typed`, new text).
fn suggestions(
    error: &CompilationError,
    cell: &Rewritten,
    typed: &str,
) -> Vec<(String, Vec<Edit>)> {
    let mut found: Vec<(String, Vec<Edit>)> = Vec::new();
    for help in error.help_spanned() {
        let (Some(replacement), Some(span)) = (&help.replacement, help.span.as_ref()) else {
            continue;
        };
        let at = (
            span.start_line,
            span.start_column,
            span.end_line,
            span.end_column,
        );
        let Some(range) = typed_range(at, cell, typed) else {
            continue;
        };
        let what = without_level(&help.label);
        let what = what
            .strip_suffix(&format!(": `{replacement}`"))
            .unwrap_or(what)
            .to_string();
        let edit = (range, crate::cell::reserved::unraw(replacement));
        match found.iter_mut().find(|(w, _)| *w == what) {
            Some((_, edits)) => edits.push(edit),
            None => found.push((what, vec![edit])),
        }
    }
    found
}

/// The lines the edits touch, before and after.
fn diff(typed: &str, edits: &[Edit]) -> String {
    let first = line_of(typed, edits.iter().map(|(r, _)| r.start).min().unwrap_or(0));
    let last = line_of(typed, edits.iter().map(|(r, _)| r.end).max().unwrap_or(0));
    let start = line_start(typed, first);
    let end = typed[line_start(typed, last)..]
        .find('\n')
        .map_or(typed.len(), |n| line_start(typed, last) + n);
    let mut after = String::new();
    let mut from = start;
    let mut sorted: Vec<&Edit> = edits.iter().collect();
    sorted.sort_by_key(|(r, _)| r.start);
    for (range, text) in sorted {
        if range.start < from {
            continue;
        }
        after += &typed[from..range.start];
        after += text;
        from = range.end;
    }
    after += &typed[from..end];
    let mut pre = format!("<pre style=\"{PRE}\">");
    for line in typed[start..end].lines() {
        let _ = writeln!(
            pre,
            "<span style=\"color:#b71c1c\">- {}</span>",
            escape(line)
        );
    }
    for line in after.lines() {
        let _ = writeln!(
            pre,
            "<span style=\"color:#2e7d32\">+ {}</span>",
            escape(line)
        );
    }
    pre + "</pre>\n"
}

/// A span of `cell.code` — start line and column, end line and column,
/// 1-based, columns in characters — as a byte range of what the learner
/// typed.
fn typed_range(
    (start_line, start_column, end_line, end_column): (usize, usize, usize, usize),
    cell: &Rewritten,
    typed: &str,
) -> Option<std::ops::Range<usize>> {
    let offset = |line: usize, column: usize| -> Option<usize> {
        let start = line_start(&cell.code, line.max(1));
        let text = cell.code.get(start..)?.split('\n').next().unwrap_or("");
        Some(
            start
                + text
                    .char_indices()
                    .nth(column.checked_sub(1)?)
                    .map_or(text.len(), |(at, _)| at),
        )
    };
    let from = cell.to_learner(offset(start_line, start_column)?);
    let to = cell.to_learner(offset(end_line, end_column)?);
    (from <= to && to <= typed.len() && typed.is_char_boundary(from) && typed.is_char_boundary(to))
        .then_some(from..to)
}

/// The 1-based line `offset` is on.
fn line_of(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// Where 1-based line `line` starts.
fn line_start(text: &str, line: usize) -> usize {
    text.split_inclusive('\n')
        .take(line - 1)
        .map(str::len)
        .sum()
}

/// A label without the level evcxr puts before a child's message.
fn without_level(label: &str) -> &str {
    ["note: ", "help: ", "warning: "]
        .iter()
        .find_map(|level| label.strip_prefix(level))
        .unwrap_or(label)
}

/// Text as HTML, with rustc's `code` in backticks set as code.
fn prose(text: &str) -> String {
    let escaped = escape(&clean(text));
    let mut html = String::new();
    for (index, part) in escaped.split('`').enumerate() {
        if index % 2 == 1 {
            let _ = write!(html, "<code>{part}</code>");
        } else {
            html += part;
        }
    }
    html
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TYPED: &str = "let mut v = vec![1];\nlet t = spawn(|| v.push(4));";

    fn range_of(what: &str) -> std::ops::Range<usize> {
        let at = TYPED.rfind(what).unwrap();
        at..at + what.len()
    }

    #[test]
    fn a_mark_inside_another_is_drawn_inside_it_on_its_line_only() {
        let pointing = [
            ("`v` is borrowed here", range_of("v.push")),
            ("requires `'static`", range_of("spawn(|| v.push(4))")),
        ];
        let pre = excerpt(TYPED, &pointing);
        assert_eq!(pre.matches("<mark").count(), 2, "{pre}");
        assert!(pre.contains("  2 │ </span>let t = <mark"), "{pre}");
        assert!(
            pre.contains("<mark style=\"background:#ffcdd2\">v.push</mark>"),
            "{pre}"
        );
        assert!(!pre.contains("  1 │"), "only the lines pointed at: {pre}");
    }

    #[test]
    fn a_suggested_edit_is_a_diff_of_its_line() {
        let edits = [(range_of("||"), "move ||".to_string())];
        let pre = diff(TYPED, &edits);
        assert!(pre.contains("- let t = spawn(|| v.push(4));"), "{pre}");
        assert!(pre.contains("+ let t = spawn(move || v.push(4));"), "{pre}");
        assert_eq!(pre.matches('\n').count(), 3, "{pre}");
    }

    #[test]
    fn prose_sets_rusts_backticks_as_code_and_escapes_the_rest() {
        assert_eq!(
            prose("cannot borrow `v` as <mutable>"),
            "cannot borrow <code>v</code> as &lt;mutable&gt;"
        );
        assert_eq!(without_level("note: x"), "x");
    }
}
