//! Completions: what rust-analyzer offers, as a learner types it, and the
//! quick answer for a session's first Tab.
//!
//! rust-analyzer's first analysis of a session takes seconds (std and every
//! dependency of the prelude), and JupyterLab gives a completion one second
//! before it shows nothing. So the first Tab is answered at once from the
//! names a learner most likely means — the prelude's and the session's
//! variables — and the front end then lets rust-analyzer warm up
//! ([`Session::warm_up_completions`](crate::session::Session::warm_up_completions))
//! for every Tab after.

/// One completion: the text to insert, what it is, and its one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Completion {
    /// What to insert (`jumping_range(`).
    pub text: String,
    /// Jupyter's name for what it is: `function`, `struct`, `module`, …
    /// (`<unknown>` for a quick answer).
    pub kind: &'static str,
    /// Its signature or type (`fn(n: i64) -> Generator<i64, i64>`).
    pub detail: Option<String>,
}

/// A completion as a learner types it: `jumping_range(n)` (rust-analyzer's
/// snippet, with a placeholder for the argument) becomes `jumping_range(`;
/// `next()`, which takes none, stays whole.
pub fn without_placeholders(code: &str) -> String {
    match code.find('(') {
        Some(open) if !code[open..].starts_with("()") => code[..=open].to_string(),
        _ => code.to_string(),
    }
}

/// The prelude's source, whose `pub use` lines name what is in scope.
const PRELUDE: &str = include_str!("../../../prelude/src/prelude.rs");

/// The names `use multitask::prelude::*` brings in, read from its
/// `pub use` lines (`self` stands for the module's own name).
pub fn prelude_names() -> Vec<String> {
    let mut names = Vec::new();
    let mut statement = String::new();
    for line in PRELUDE.lines().map(str::trim) {
        if line.starts_with("pub use ") || !statement.is_empty() {
            statement.push_str(line);
            statement.push(' ');
            if line.ends_with(';') {
                names.extend(used_names(&statement));
                statement.clear();
            }
        }
    }
    names.sort();
    names.dedup();
    names
}

/// The names one `pub use path::{a, b as c, self};` brings in.
fn used_names(statement: &str) -> Vec<String> {
    let body = statement
        .trim()
        .trim_start_matches("pub use ")
        .trim_end_matches(';')
        .trim();
    let (path, items) = match body.split_once('{') {
        Some((path, items)) => (path.trim_end_matches("::"), items.trim_end_matches('}')),
        None => match body.rsplit_once("::") {
            Some((path, item)) => (path, item),
            None => ("", body),
        },
    };
    items
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| match item.split_once(" as ") {
            Some((_, alias)) => alias.trim().to_string(),
            None if item == "self" => path.rsplit("::").next().unwrap_or(path).to_string(),
            None => item.rsplit("::").next().unwrap_or(item).to_string(),
        })
        .collect()
}

/// The quick answer at byte offset `position`: the names among `known`
/// that start with the identifier being typed there. Where the completion
/// starts, and the matches; nothing after a `.` or `::` (a method or a path:
/// only rust-analyzer knows those).
pub fn quick(source: &str, position: usize, known: &[String]) -> (usize, Vec<Completion>) {
    let before = &source[..position];
    let start = before
        .rfind(|c: char| !(c.is_alphanumeric() || c == '_'))
        .map_or(0, |at| {
            at + before[at..].chars().next().map_or(1, char::len_utf8)
        });
    let prefix = &before[start..];
    let after_path = before[..start].ends_with('.') || before[..start].ends_with("::");
    if prefix.is_empty() || after_path {
        return (position, Vec::new());
    }
    let matches = known
        .iter()
        .filter(|name| name.starts_with(prefix))
        .map(|name| Completion {
            text: name.clone(),
            kind: "<unknown>",
            detail: None,
        })
        .collect();
    (start, matches)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn completions_leave_the_arguments_to_the_learner() {
        assert_eq!(without_placeholders("jumping_range(n)"), "jumping_range(");
        assert_eq!(without_placeholders("next()"), "next()");
        assert_eq!(without_placeholders("Generator"), "Generator");
    }

    #[test]
    fn the_preludes_names_come_from_its_pub_use_lines() {
        let names = prelude_names();
        for name in [
            "jumping_range",
            "Generator",
            "greenlet",
            "spawn",
            "tokio",
            "Table",
        ] {
            assert!(names.iter().any(|n| n == name), "{name} in {names:?}");
        }
        assert!(
            !names.iter().any(|n| n == "self" || n.contains("::")),
            "{names:?}"
        );
    }

    #[test]
    fn a_quick_answer_completes_the_identifier_being_typed() {
        let known = vec!["jumping_range".to_string(), "join".to_string()];
        let source = "let 生成器 = jumping_";
        let (start, found) = quick(source, source.len(), &known);
        assert_eq!(&source[start..], "jumping_");
        let texts: Vec<&str> = found.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["jumping_range"]);
        assert!(
            quick("g.jo", 4, &known).1.is_empty(),
            "a method is rust-analyzer's"
        );
        assert!(quick("x ", 2, &known).1.is_empty());
    }
}
