//! A cell's [`Reply`] as Jupyter has it: outputs on iopub (`execute_result`,
//! `stream`, `error`) and the `execute_reply` for the shell.

use std::collections::HashMap;

use jupyter_protocol::{
    DisplayData, ErrorOutput, ExecuteReply, ExecuteResult, ExecutionCount, JupyterMessage, Media,
    ReplyError, ReplyStatus, StreamContent,
};

use super::Kernel;
use crate::session::picture;
use crate::session::reply::{Failure, Reply};

/// Turns a cell's [`Reply`] into iopub messages and the shell's reply.
pub(super) fn result(
    kernel: &Kernel,
    parent: &JupyterMessage,
    reply: Reply,
    count: ExecutionCount,
) -> ExecuteReply {
    let stream = |text: String| {
        let _ = kernel
            .iopub
            .send(StreamContent::stdout(&text).as_child_of(parent));
    };
    match reply {
        Reply::Value(mut output) => {
            if !output.values.is_empty() {
                picture::add_png(&mut output.values);
                match media(&output.values) {
                    Ok(data) => {
                        let result = ExecuteResult::new(count, data);
                        let _ = kernel.iopub.send(result.as_child_of(parent));
                    }
                    Err(e) => stream(format!("(a value that cannot be shown: {e})\n")),
                }
            }
            if let Some(timing) = output.timing.filter(|t| !t.phases.is_empty()) {
                stream(format!("{timing}\n"));
            }
            ExecuteReply {
                execution_count: count,
                ..ExecuteReply::default()
            }
        }
        Reply::Text(text) => {
            stream(format!("{text}\n"));
            ExecuteReply {
                execution_count: count,
                ..ExecuteReply::default()
            }
        }
        failed @ (Reply::Panicked(_)
        | Reply::Raised { .. }
        | Reply::KeyboardInterrupt { .. }
        | Reply::CompileErrors { .. }
        | Reply::Crashed { .. }
        | Reply::NotRun
        | Reply::Error(_)) => {
            if let Some(shown) = failed.shown_beside_failure() {
                match media(&shown) {
                    Ok(data) => {
                        let display = DisplayData::new(data);
                        let _ = kernel.iopub.send(display.as_child_of(parent));
                    }
                    Err(e) => stream(format!("(the error cannot be shown: {e})\n")),
                }
            }
            let failed = failed.failure().expect("a failed reply");
            failure(kernel, parent, failed, count)
        }
        Reply::Quit => {
            stream("To stop this kernel, use Jupyter's own shutdown or restart.\n".into());
            ExecuteReply {
                execution_count: count,
                ..ExecuteReply::default()
            }
        }
    }
}

/// The `error` output of a cell and its failed reply.
pub(super) fn failure(
    kernel: &Kernel,
    parent: &JupyterMessage,
    failed: Failure,
    count: ExecutionCount,
) -> ExecuteReply {
    let output = ErrorOutput {
        ename: failed.ename.clone(),
        evalue: failed.evalue.clone(),
        traceback: failed.traceback.clone(),
    };
    let _ = kernel.iopub.send(output.as_child_of(parent));
    ExecuteReply {
        status: ReplyStatus::Error,
        execution_count: count,
        payload: Vec::new(),
        user_expressions: None,
        error: Some(Box::new(ReplyError {
            ename: failed.ename,
            evalue: failed.evalue,
            traceback: failed.traceback,
        })),
    }
}

/// evcxr's values by MIME type as Jupyter media.
fn media(values: &HashMap<String, String>) -> Result<Media, serde_json::Error> {
    let map: serde_json::Map<String, serde_json::Value> = values
        .iter()
        .map(|(mime, data)| {
            let value = if mime.ends_with("json") {
                serde_json::from_str(data).unwrap_or_else(|_| data.clone().into())
            } else {
                data.clone().into()
            };
            (mime.clone(), value)
        })
        .collect();
    serde_json::from_value(serde_json::Value::Object(map))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_become_media_by_mime_type() {
        let values = HashMap::from([
            ("text/plain".to_string(), "2".to_string()),
            ("text/html".to_string(), "<b>2</b>".to_string()),
        ]);
        let media = serde_json::to_value(media(&values).unwrap()).unwrap();
        assert_eq!(media["text/plain"], "2");
        assert_eq!(media["text/html"], "<b>2</b>");
    }
}
