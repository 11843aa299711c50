//! A note in the cell that defines a `static`: it starts over in each cell.
//!
//! evcxr compiles every cell anew, with the items of earlier cells compiled
//! again into it, so each cell has its own copy of a `static` — a
//! `static COUNTER: AtomicUsize` counts 1, then 1 again in the next cell,
//! where a Python global keeps its value. Variables bound with `let` are
//! what the session keeps, so the note says to use one. It is printed on
//! stderr when the cell runs, from a statement put right after the item.

use ra_ap_syntax::ast::{self, HasName};
use ra_ap_syntax::{AstNode, SyntaxKind};

use crate::cell::syntax;

/// For each top-level item of `code` that defines `static`s (outside an
/// `extern` block, whose statics are the C library's): the offset right
/// after the item, and the note to print there, ascending.
pub fn notes(code: &str) -> Vec<(usize, String)> {
    let Some(parsed) = syntax::parse(code) else {
        return Vec::new();
    };
    let Some(body) = parsed.descendants().find_map(ast::StmtList::cast) else {
        return Vec::new();
    };
    body.statements()
        .filter_map(|statement| match statement {
            ast::Stmt::Item(item) => Some(item),
            _ => None,
        })
        .filter_map(|item| {
            let names: Vec<String> = item
                .syntax()
                .descendants()
                .filter(|node| node.kind() == SyntaxKind::STATIC)
                .filter(|node| {
                    !node
                        .ancestors()
                        .any(|a| a.kind() == SyntaxKind::EXTERN_ITEM_LIST)
                })
                .filter_map(ast::Static::cast)
                .filter_map(|s| Some(s.name()?.text().to_string()))
                .collect();
            if names.is_empty() {
                return None;
            }
            let end = usize::from(item.syntax().text_range().end()) - syntax::WRAP.len();
            Some((end, note(&names)))
        })
        .collect()
}

/// The statement that prints the note for statics named `names`.
fn note(names: &[String]) -> String {
    let named = names
        .iter()
        .map(|name| format!("`static {name}`"))
        .collect::<Vec<_>>()
        .join(", ");
    let (it, them) = if names.len() == 1 {
        ("starts", "it")
    } else {
        ("start", "them")
    };
    format!(
        "\n::std::eprintln!(\"note: {named} {it} over in every later cell: each cell is \
         compiled anew, with its own copy of {them} (a Python global keeps its value). To \
         keep a value from cell to cell, bind it with `let`, e.g. `let counter = \
         AtomicUsize::new(0);`, and use that variable in later cells.\");"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_top_level_static_gets_a_note_after_it() {
        let cell =
            "use std::sync::atomic::*;\nstatic COUNTER: AtomicUsize = AtomicUsize::new(0);\n1";
        let notes = notes(cell);
        assert_eq!(notes.len(), 1, "{notes:?}");
        let (at, note) = &notes[0];
        assert_eq!(
            &cell[..*at],
            "use std::sync::atomic::*;\nstatic COUNTER: AtomicUsize = AtomicUsize::new(0);"
        );
        assert!(note.contains("`static COUNTER` starts over"), "{note}");
    }

    #[test]
    fn statics_in_a_module_are_named_together() {
        let cell = "mod m { pub static A: i32 = 1; pub static mut B: i32 = 2; }";
        let notes = notes(cell);
        assert_eq!(notes.len(), 1);
        assert_eq!(notes[0].0, cell.len());
        assert!(
            notes[0].1.contains("`static A`, `static B` start over"),
            "{notes:?}"
        );
    }

    #[test]
    fn foreign_statics_and_cells_without_statics_get_none() {
        for cell in [
            "unsafe extern \"C\" { static environ: *const *const u8; }",
            "let x = 1; x + 1",
            "const N: usize = 3;",
            "let s = \"static X: i32 = 1;\";",
            "static BROKEN: i32 =",
        ] {
            assert_eq!(notes(cell), Vec::new(), "{cell}");
        }
    }
}
