//! What `check` blanks before it compares: the rules of `sanitize.cfg` in
//! the notebook's folder, in nbval's format (sections of `regex:` /
//! `replace:` pairs), which blank out what changes from run to run (pids,
//! addresses, durations, temporary paths, the bars of a `trace` chart).

use std::path::Path;

use anyhow::{Context as _, Result, bail};
use regex::Regex;

/// Regex/replacement pairs applied to outputs before they are compared.
#[derive(Debug, Default)]
pub struct Sanitizer {
    rules: Vec<(Regex, String)>,
}

impl Sanitizer {
    /// Parses nbval's format: `[section]` headers, each with a `regex:` line
    /// and a `replace:` line. Lines starting with `#` are comments.
    pub fn parse(text: &str) -> Result<Sanitizer> {
        let mut rules = Vec::new();
        let mut pattern: Option<Regex> = None;
        for (number, line) in text.lines().enumerate() {
            let line = line.trim();
            if let Some(regex) = line.strip_prefix("regex:") {
                let regex = Regex::new(regex.trim())
                    .with_context(|| format!("line {}: bad regex", number + 1))?;
                pattern = Some(regex);
            } else if let Some(replace) = line.strip_prefix("replace:") {
                let Some(regex) = pattern.take() else {
                    bail!(
                        "line {}: `replace:` without a `regex:` before it",
                        number + 1
                    );
                };
                rules.push((regex, python_backrefs(replace.trim())));
            }
        }
        if pattern.is_some() {
            bail!("a `regex:` has no `replace:`");
        }
        Ok(Sanitizer { rules })
    }

    /// The rules of `sanitize.cfg` beside `notebook`, or none.
    pub fn beside(notebook: &Path) -> Result<Sanitizer> {
        let file = notebook
            .parent()
            .unwrap_or(Path::new("."))
            .join("sanitize.cfg");
        match std::fs::read_to_string(&file) {
            Ok(text) => Sanitizer::parse(&text).with_context(|| format!("in {}", file.display())),
            Err(_) => Ok(Sanitizer::default()),
        }
    }

    /// `text` with every rule applied, in order.
    pub fn apply(&self, text: &str) -> String {
        self.rules
            .iter()
            .fold(text.to_string(), |text, (regex, replace)| {
                regex.replace_all(&text, replace.as_str()).into_owned()
            })
    }
}

/// nbval's files are Python's: `\1` in a replacement is group 1, which the
/// regex crate writes `${1}`.
fn python_backrefs(replace: &str) -> String {
    let backref = Regex::new(r"\\(\d+)").expect("a valid regex");
    backref.replace_all(replace, "$${$1}").into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_rules_apply_in_order() {
        let sanitizer = Sanitizer::parse(
            "# pids change from run to run\n[pids]\nregex: pid \\d+\nreplace: pid <PID>\n\n\
             [addresses]\nregex: 0x[0-9a-f]+\nreplace: 0x<ADDR>\n",
        )
        .unwrap();
        assert_eq!(
            sanitizer.apply("pid 4242 at 0x7ffd12"),
            "pid <PID> at 0x<ADDR>"
        );
    }

    #[test]
    fn python_backreferences_work() {
        let sanitizer = Sanitizer::parse("regex: (pid) \\d+\nreplace: \\1 <PID>\n").unwrap();
        assert_eq!(
            sanitizer.apply("pid 12 and pid 7"),
            "pid <PID> and pid <PID>"
        );
    }

    #[test]
    fn a_replace_needs_a_regex() {
        assert!(Sanitizer::parse("replace: x\n").is_err());
        assert!(Sanitizer::parse("regex: (\n replace: x\n").is_err());
    }
}
