//! A check for an interrupt at the top of every loop body of a cell, so that
//! Ctrl-C stops `loop {}` and keeps the variables (see
//! `multitask::interrupt`).
//!
//! The cell is parsed (rust-analyzer's parser, as evcxr splits cells with
//! it) and [`check`] goes right after the `{` of each `loop`, `while` and
//! `for` body. Loops that run at compile time are left alone (a `const`
//! item, a `static`, a `const fn`, a `const` block, an array length or a
//! const generic argument: a call to a non-`const` function is an error
//! there), and so are `extern` functions, which must not unwind, and code
//! inside macro calls, which is not parsed until it is expanded. A cell that does not parse is left as typed: rustc explains
//! it better without our changes.

use ra_ap_syntax::ast::{self, HasLoopBody};
use ra_ap_syntax::{AstNode, SyntaxKind, SyntaxNode};

use crate::cell::syntax;

/// What goes at the top of each loop body: a call of
/// [`contract::INTERRUPT_CHECK`](crate::cell::contract::INTERRUPT_CHECK).
pub fn check() -> &'static str {
    static CHECK: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    CHECK.get_or_init(|| format!("{}();", crate::cell::contract::INTERRUPT_CHECK))
}

/// The byte offsets of `code` right after the `{` of each loop body that
/// gets a [`check`], ascending. Lines of colon commands are not code.
pub fn loop_bodies(code: &str) -> Vec<usize> {
    let Some(parsed) = syntax::parse(code) else {
        return Vec::new();
    };
    let mut offsets: Vec<usize> = parsed
        .descendants()
        .filter_map(|node| body_of(&node))
        .filter(|body| !in_const_context(body.syntax()))
        .filter_map(|body| body.stmt_list()?.l_curly_token())
        .map(|curly| usize::from(curly.text_range().end()) - syntax::WRAP.len())
        .collect();
    offsets.sort_unstable();
    offsets
}

fn body_of(node: &SyntaxNode) -> Option<ast::BlockExpr> {
    match node.kind() {
        SyntaxKind::LOOP_EXPR => ast::LoopExpr::cast(node.clone())?.loop_body(),
        SyntaxKind::WHILE_EXPR => ast::WhileExpr::cast(node.clone())?.loop_body(),
        SyntaxKind::FOR_EXPR => ast::ForExpr::cast(node.clone())?.loop_body(),
        _ => None,
    }
}

/// Whether `node` is evaluated by the compiler rather than run.
fn in_const_context(node: &SyntaxNode) -> bool {
    node.ancestors().any(|ancestor| match ancestor.kind() {
        SyntaxKind::CONST
        | SyntaxKind::STATIC
        | SyntaxKind::CONST_ARG
        | SyntaxKind::CONST_PARAM
        | SyntaxKind::ARRAY_TYPE
        | SyntaxKind::VARIANT => true,
        // An `extern "C" fn` must not unwind (it would abort the runtime).
        SyntaxKind::FN => {
            ast::Fn::cast(ancestor).is_some_and(|f| f.const_token().is_some() || f.abi().is_some())
        }
        SyntaxKind::BLOCK_EXPR => {
            ast::BlockExpr::cast(ancestor).is_some_and(|b| b.const_token().is_some())
        }
        // `[x; N]`: the length (after the `;`) is a constant.
        SyntaxKind::ARRAY_EXPR => ancestor
            .children_with_tokens()
            .find(|child| child.kind() == SyntaxKind::SEMICOLON)
            .is_some_and(|semicolon| semicolon.text_range().end() <= node.text_range().start()),
        _ => false,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `code` with `@` where the checks go.
    fn marked(code: &str) -> String {
        let mut out = code.to_string();
        for at in loop_bodies(code).into_iter().rev() {
            out.insert(at, '@');
        }
        out
    }

    #[test]
    fn every_kind_of_loop_body_gets_a_check() {
        assert_eq!(
            marked(
                "let mut n = 0;\nloop { n += 1; if n > 3 { break } }\nwhile n > 0 { n -= 1 }\n'outer: for i in 0..3 { for j in 0..i {} }"
            ),
            "let mut n = 0;\nloop {@ n += 1; if n > 3 { break } }\nwhile n > 0 {@ n -= 1 }\n'outer: for i in 0..3 {@ for j in 0..i {@} }"
        );
        assert_eq!(
            marked("fn spin() { loop {} }\nlet f = || while true {};\nasync { loop {} };"),
            "fn spin() { loop {@} }\nlet f = || while true {@};\nasync { loop {@} };"
        );
        // A block in the condition is not the body.
        assert_eq!(
            marked("while { n -= 1; n > 0 } {}"),
            "while { n -= 1; n > 0 } {@}"
        );
    }

    #[test]
    fn compile_time_loops_macros_and_commands_are_left_alone() {
        for code in [
            "const N: u32 = { let mut i = 0; while i < 3 { i += 1 } i };",
            "static S: u32 = { loop { break 1 } };",
            "const fn f() -> u32 { loop { break 1 } }",
            "extern \"C\" fn f() { loop {} }",
            "let x = const { let mut i = 0; while i < 3 { i += 1 } i };",
            "let a = [0u8; { let mut i = 0; while i < 3 { i += 1 } i }];",
            "let a: [u8; { loop { break 2 } }] = [0, 0];",
            "println!(\"{}\", loop { break 1 });",
            ":dep foo = { version = \"1\" }\n:t loop {}",
        ] {
            assert_eq!(marked(code), code, "{code}");
        }
        assert_eq!(
            marked("let v = [loop { break 1 }; 3];"),
            "let v = [loop {@ break 1 }; 3];"
        );
    }

    #[test]
    fn a_cell_that_does_not_parse_is_left_as_typed() {
        assert_eq!(loop_bodies("loop { let = ; }"), Vec::<usize>::new());
    }
}
