//! Shift-Tab in a build without rust-analyzer: for the name at the cursor,
//! what the prelude's source says of it ([`PreludeIndex`]) — where it lives,
//! its signature, its docs — or a variable's type and what that type's docs
//! say. As text and as HTML, as rust-analyzer's hover is.

use std::sync::LazyLock;

use regex::Regex;

use super::completion::{After, identifier_end, typed};
use super::prelude_index::{Item, PreludeIndex};

/// What to show for the name around byte offset `position` of `source`,
/// given the session's variables and their types and, when the session
/// has the prelude, its `index`; `None` when it is not a name this build
/// knows.
///
/// ```
/// use multitask_repl::session::inspection::describe;
/// use multitask_repl::session::prelude_index::PreludeIndex;
/// let index = Some(PreludeIndex::get());
/// let (plain, html) = describe("let g = jumping_range(5);", 10, &[], index).unwrap();
/// assert!(plain.contains("pub fn jumping_range(n: i64) -> Generator<i64, i64>"));
/// assert!(html.contains("<code>"));
/// ```
pub fn describe(
    source: &str,
    position: usize,
    variables: &[(String, String)],
    index: Option<&PreludeIndex>,
) -> Option<(String, String)> {
    let typed = typed(source, position);
    let name = &source[typed.start..identifier_end(source, position)];
    if name.is_empty() {
        return None;
    }
    let type_of = |variable: &str| {
        variables
            .iter()
            .find(|(n, _)| n == variable)
            .map(|(_, ty)| ty.as_str())
    };
    match typed.after {
        After::Path(mut path) => {
            path.push(name);
            index?.resolve(&path).map(|item| shown(&item))
        }
        After::Method(value) => index?
            .methods_of(type_of(value)?)
            .into_iter()
            .find(|m| m.name == name)
            .map(|item| shown(&item)),
        After::Expression => None,
        After::Nothing => match type_of(name) {
            Some(ty) => Some(variable(name, ty, index)),
            None => index?.resolve(&[name]).map(|item| shown(&item)),
        },
    }
}

/// A variable: `let gen: Generator<i64, i64>`, then its type's own docs
/// when the prelude declares it.
fn variable(name: &str, ty: &str, index: Option<&PreludeIndex>) -> (String, String) {
    let declaration = format!("let {name}: {ty}");
    let of_type = super::prelude_index::type_name(ty).and_then(|t| index?.resolve(&[&t]));
    match of_type {
        Some(item) => {
            let (plain, html) = shown(&item);
            (
                format!("{declaration}\n\n{plain}"),
                format!("{}{html}", code_block(&declaration)),
            )
        }
        None => (declaration.clone(), code_block(&declaration)),
    }
}

/// An item: where it lives and its signature, then its docs.
fn shown(item: &Item) -> (String, String) {
    let head = format!("{}\n{}", item.home, item.signature);
    let docs = for_learner(&item.docs);
    let plain = if docs.is_empty() {
        head.clone()
    } else {
        format!("{head}\n\n{docs}")
    };
    let mut html = code_block(&head);
    if !docs.is_empty() {
        html.push_str("<hr>\n");
        pulldown_cmark::html::push_html(&mut html, pulldown_cmark::Parser::new(&docs));
    }
    (plain, html)
}

/// `<pre><code>…</code></pre>`, escaped.
fn code_block(code: &str) -> String {
    let escaped = code
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!("<pre><code>{escaped}</code></pre>\n")
}

/// Docs as a learner reads them, as rustdoc shows them: a Rust example
/// without its hidden `# ` lines, and links into the crate as plain words
/// (``[`Generator`]``, ``[`send`](Self::send)`` read `Generator`, `send`).
pub fn for_learner(docs: &str) -> String {
    static LINK: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\[([^\[\]]+)\](\(([^()\s]*)\))?").expect("a valid pattern"));
    let mut lines = Vec::new();
    // Inside a fenced block: `Some(true)` for Rust.
    let mut block: Option<bool> = None;
    for line in docs.lines() {
        let trimmed = line.trim_start();
        if let Some(fence) = trimmed.strip_prefix("```") {
            match block {
                None if fence.is_empty() || fence.starts_with("rust") => {
                    block = Some(true);
                    lines.push("```rust".to_string());
                }
                None => {
                    block = Some(false);
                    lines.push(line.to_string());
                }
                Some(_) => {
                    block = None;
                    lines.push(line.to_string());
                }
            }
            continue;
        }
        match block {
            Some(true) if trimmed == "#" || trimmed.starts_with("# ") => {}
            Some(_) => lines.push(line.to_string()),
            None => {
                let linked = LINK.replace_all(line, |c: &regex::Captures<'_>| match c.get(3) {
                    Some(target) if target.as_str().contains("://") => c[0].to_string(),
                    _ => c[1].to_string(),
                });
                lines.push(linked.into_owned());
            }
        }
    }
    lines.join("\n").trim().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The prelude's index, as a session with the prelude has it.
    fn prelude() -> Option<&'static PreludeIndex> {
        Some(PreludeIndex::get())
    }

    #[test]
    fn without_the_prelude_only_variables_are_described() {
        let vars = [("n".to_string(), "i64".to_string())];
        assert!(describe("jumping_range", 3, &vars, None).is_none());
        let (plain, _) = describe("n", 0, &vars, None).unwrap();
        assert_eq!(plain, "let n: i64");
    }

    #[test]
    fn a_name_shows_its_home_signature_and_docs() {
        let source = "// 生成器\nlet g = jumping_range(5);";
        let at = source.find("jumping_range").unwrap() + 4;
        let (plain, html) = describe(source, at, &[], prelude()).unwrap();
        assert!(
            plain.starts_with("multitask::tutorial\npub fn jumping_range"),
            "{plain}"
        );
        assert!(plain.contains("send"), "{plain}");
        assert!(html.contains("<pre><code>multitask::tutorial"), "{html}");
        assert!(describe("   ", 1, &[], prelude()).is_none());
        assert!(describe("no_such_name", 3, &[], prelude()).is_none());
    }

    #[test]
    fn a_method_of_a_variable_is_found_by_its_type() {
        let vars = [(
            "gen".to_string(),
            "multitask::generator::Generator<i64, i64>".to_string(),
        )];
        let (plain, _) = describe("gen.send(2)", 5, &vars, prelude()).unwrap();
        assert!(
            plain.starts_with("multitask::generator::Generator\npub fn send(&self"),
            "{plain}"
        );
        let (plain, _) = describe("gen", 1, &vars, prelude()).unwrap();
        assert!(
            plain.starts_with("let gen: multitask::generator::Generator<i64, i64>"),
            "{plain}"
        );
        assert!(plain.contains("pub struct Generator"), "{plain}");
    }

    #[test]
    fn a_path_is_followed() {
        let (plain, _) = describe("threading::Lock::new()", 17, &[], prelude()).unwrap();
        assert!(plain.contains("pub fn new"), "{plain}");
    }

    #[test]
    fn docs_lose_hidden_lines_and_crate_links() {
        let docs = "See [`Generator`] and [`send`](Self::send), [web](https://x.org).\n\n\
                    ```\n# use multitask::prelude::*;\nlet g = fib();\n```\n\n```text\n# kept\n```";
        assert_eq!(
            for_learner(docs),
            "See `Generator` and `send`, [web](https://x.org).\n\n\
             ```rust\nlet g = fib();\n```\n\n```text\n# kept\n```"
        );
    }
}
