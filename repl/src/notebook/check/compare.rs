//! A cell's outputs as `check` compares them: in nbformat's order as they
//! are stored, and as one text per cell, sanitized, to compare.

use super::sanitize::Sanitizer;
use crate::notebook::Output;
use crate::session::output::Stream;
use crate::session::reply::Reply;

/// A cell's outputs in nbformat's order: what it printed (runs of one stream
/// joined), then its value or its error.
pub fn outputs_of(lines: Vec<(Stream, String)>, reply: &Reply) -> Vec<Output> {
    let mut outputs: Vec<Output> = Vec::new();
    let mut push = |name: &str, text: String| match outputs.last_mut() {
        Some(Output::Stream {
            name: last,
            text: all,
        }) if last == name => all.push_str(&text),
        _ => outputs.push(Output::Stream {
            name: name.to_string(),
            text,
        }),
    };
    for (stream, line) in lines {
        let name = match stream {
            Stream::Stdout => "stdout",
            Stream::Stderr => "stderr",
        };
        push(name, format!("{line}\n"));
    }
    match reply {
        Reply::Value(output) if !output.values.is_empty() => {
            let mut values = output.values.clone();
            crate::session::picture::add_png(&mut values);
            outputs.push(Output::Result {
                data: values
                    .into_iter()
                    .map(|(mime, text)| (mime, text.into()))
                    .collect(),
            });
        }
        Reply::Text(text) => push("stdout", format!("{text}\n")),
        other => {
            if let Some(shown) = other.shown_beside_failure() {
                outputs.push(Output::Display {
                    data: shown
                        .into_iter()
                        .map(|(mime, text)| (mime, text.into()))
                        .collect(),
                });
            }
            if let Some(failure) = other.failure() {
                outputs.push(Output::Error {
                    ename: failure.ename,
                    evalue: failure.evalue,
                    traceback: failure.traceback,
                });
            }
        }
    }
    outputs
}

/// Outputs as the text that is compared: kind, then sanitized text.
///
/// Stdout and stderr arrive through two pipes, so how a cell's lines on one
/// interleave with lines on the other changes from run to run (a child
/// process that panics between two lines of its parent, say). Each stream is
/// compared whole, in its own order: first all of stdout, then all of stderr,
/// then the value or error.
pub(super) fn comparable(outputs: &[Output], sanitizer: &Sanitizer) -> String {
    let stream = |wanted: &str| -> String {
        outputs
            .iter()
            .filter(|o| matches!(o, Output::Stream { name, .. } if name == wanted))
            .map(Output::text)
            .collect()
    };
    let mut parts: Vec<(String, String)> = ["stdout", "stderr"]
        .into_iter()
        .map(|name| (name.to_string(), stream(name)))
        .filter(|(_, text)| !text.is_empty())
        .collect();
    parts.extend(
        outputs
            .iter()
            .filter(|o| !matches!(o, Output::Stream { .. }))
            .map(|o| (o.kind().to_string(), o.text())),
    );
    parts
        .iter()
        .map(|(label, text)| {
            let text = sanitizer.apply(text);
            format!("[{label}]\n{}\n", text.trim_end_matches('\n'))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::reply::Evaluated;

    #[test]
    fn printed_lines_come_before_the_value_and_runs_are_joined() {
        let lines = vec![
            (Stream::Stdout, "a".to_string()),
            (Stream::Stdout, "b".to_string()),
            (Stream::Stderr, "warn".to_string()),
        ];
        let reply = Reply::Value(Evaluated {
            values: [("text/plain".to_string(), "2".to_string())].into(),
            timing: None,
        });
        let outputs = outputs_of(lines, &reply);
        let texts: Vec<(&str, String)> = outputs.iter().map(|o| (o.kind(), o.text())).collect();
        assert_eq!(
            texts,
            [
                ("stream", "a\nb\n".to_string()),
                ("stream", "warn\n".to_string()),
                ("execute_result", "2".to_string())
            ]
        );
    }

    #[test]
    fn streams_compare_whole_whatever_their_interleaving() {
        let sanitizer = Sanitizer::parse("").unwrap();
        let stream = |name: &str, text: &str| Output::Stream {
            name: name.into(),
            text: text.into(),
        };
        let one = [
            stream("stdout", "a\n"),
            stream("stderr", "oops\n"),
            stream("stdout", "b\n"),
        ];
        let other = [stream("stdout", "a\nb\n"), stream("stderr", "oops\n")];
        assert_eq!(comparable(&one, &sanitizer), comparable(&other, &sanitizer));
        let reordered = [stream("stdout", "b\na\n"), stream("stderr", "oops\n")];
        assert_ne!(
            comparable(&one, &sanitizer),
            comparable(&reordered, &sanitizer)
        );
    }

    #[test]
    fn a_failed_cell_ends_with_its_error() {
        let outputs = outputs_of(Vec::new(), &Reply::Error("bad".into()));
        assert_eq!(outputs.last().unwrap().text(), "Error: bad");
    }
}
