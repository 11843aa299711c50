//! A cell parsed as evcxr parses it: the body of a function, by
//! rust-analyzer's parser, with the lines of colon commands blanked (they
//! are not code). Offsets in the tree are the cell's own plus [`WRAP`]'s
//! length.

use ra_ap_syntax::{Edition, SourceFile, SyntaxNode};

/// What goes before the cell for it to parse as a function's body.
pub const WRAP: &str = "fn f(){";

/// The cell's syntax tree (under [`WRAP`]), or `None` if it does not parse:
/// then rustc explains it better than any change of ours would.
pub fn parse(code: &str) -> Option<SyntaxNode> {
    let blanked: String = code
        .split_inclusive('\n')
        .map(|line| {
            if line.trim_start().starts_with(':') {
                line.chars()
                    .map(|c| if c == '\n' { c } else { ' ' })
                    .collect()
            } else {
                line.to_string()
            }
        })
        .collect();
    let parsed = SourceFile::parse(&format!("{WRAP}{blanked}\n}}"), Edition::Edition2024);
    parsed.errors().is_empty().then(|| parsed.syntax_node())
}
