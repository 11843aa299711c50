//! Jupyter notebooks (nbformat 4), read and written the way Jupyter does, so
//! that `multitask check --update` changes only the outputs it reran.
//!
//! The notebook stays a JSON tree: fields this module does not know survive
//! a round trip untouched.

use std::path::Path;

use anyhow::{Context as _, Result, bail};
use serde::Serialize as _;
use serde_json::{Map, Value, json};

/// A notebook file.
#[derive(Debug, Clone, PartialEq)]
pub struct Notebook {
    json: Value,
}

/// One cell, as the checker and the stepper see it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    /// Its id (nbformat 4.5), or empty.
    pub id: String,
    /// `code`, `markdown` or `raw`.
    pub kind: String,
    /// The cell's text.
    pub source: String,
    /// The tags in its metadata (`raises-exception`, `nbval-ignore-output`, …).
    pub tags: Vec<String>,
    /// Its stored outputs (code cells).
    pub outputs: Vec<Output>,
}

/// A code cell's output, the three kinds a Rust cell produces.
#[derive(Debug, Clone, PartialEq)]
pub enum Output {
    /// Text printed on `stdout` or `stderr`.
    Stream {
        /// `stdout` or `stderr`.
        name: String,
        /// The text, newlines included.
        text: String,
    },
    /// The value of the cell's last expression, by MIME type.
    Result {
        /// `text/plain`, `text/html`, …
        data: Map<String, Value>,
    },
    /// Something shown beside the cell's value, by MIME type (a compile
    /// error's HTML, before the error itself).
    Display {
        /// `text/plain`, `text/html`, …
        data: Map<String, Value>,
    },
    /// The cell failed.
    Error {
        /// `CompileError`, `RuntimeCrashed`, …
        ename: String,
        /// The message in one line.
        evalue: String,
        /// The long form.
        traceback: Vec<String>,
    },
}

impl Output {
    /// The text a reader compares: the stream's text, the value's plain text,
    /// or the error's name and message.
    pub fn text(&self) -> String {
        match self {
            Output::Stream { text, .. } => text.clone(),
            Output::Result { data } | Output::Display { data } => {
                data.get("text/plain").map(multiline).unwrap_or_default()
            }
            Output::Error { ename, evalue, .. } => format!("{ename}: {evalue}"),
        }
    }

    /// What kind of output this is, as nbformat names it.
    pub fn kind(&self) -> &'static str {
        match self {
            Output::Stream { .. } => "stream",
            Output::Result { .. } => "execute_result",
            Output::Display { .. } => "display_data",
            Output::Error { .. } => "error",
        }
    }

    fn to_json(&self, count: Option<u64>) -> Value {
        match self {
            Output::Stream { name, text } => json!({
                "name": name,
                "output_type": "stream",
                "text": split_lines(text),
            }),
            Output::Result { data } => json!({
                "data": stored(data),
                "execution_count": count,
                "metadata": {},
                "output_type": "execute_result",
            }),
            Output::Display { data } => json!({
                "data": stored(data),
                "metadata": {},
                "output_type": "display_data",
            }),
            Output::Error {
                ename,
                evalue,
                traceback,
            } => json!({
                "ename": ename,
                "evalue": evalue,
                "output_type": "error",
                "traceback": traceback,
            }),
        }
    }

    fn from_json(json: &Value) -> Option<Output> {
        match json.get("output_type")?.as_str()? {
            "stream" => Some(Output::Stream {
                name: json.get("name")?.as_str()?.to_string(),
                text: multiline(json.get("text")?),
            }),
            kind @ ("execute_result" | "display_data") => {
                let data = json
                    .get("data")?
                    .as_object()?
                    .iter()
                    .map(|(mime, value)| match value {
                        Value::Array(_) => (mime.clone(), Value::String(multiline(value))),
                        other => (mime.clone(), other.clone()),
                    })
                    .collect();
                Some(if kind == "display_data" {
                    Output::Display { data }
                } else {
                    Output::Result { data }
                })
            }
            "error" => Some(Output::Error {
                ename: json.get("ename")?.as_str()?.to_string(),
                evalue: json.get("evalue")?.as_str()?.to_string(),
                traceback: json
                    .get("traceback")?
                    .as_array()?
                    .iter()
                    .filter_map(|line| line.as_str().map(str::to_string))
                    .collect(),
            }),
            _ => None,
        }
    }
}

/// A bundle's text as nbformat stores it: a list of lines (JSON left whole).
fn stored(data: &Map<String, Value>) -> Map<String, Value> {
    data.iter()
        .map(|(mime, value)| match value {
            Value::String(text) if !mime.ends_with("json") => (mime.clone(), split_lines(text)),
            other => (mime.clone(), other.clone()),
        })
        .collect()
}

impl Notebook {
    /// Reads a notebook file.
    pub fn read(path: &Path) -> Result<Notebook> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        Notebook::parse(&text).with_context(|| format!("{} is not a notebook", path.display()))
    }

    /// Parses a notebook's JSON.
    pub fn parse(text: &str) -> Result<Notebook> {
        let json: Value = serde_json::from_str(text)?;
        if json.get("nbformat").and_then(Value::as_u64) != Some(4) {
            bail!("only nbformat 4 notebooks are supported");
        }
        let Some(cells) = json.get("cells").and_then(Value::as_array) else {
            bail!("no cells");
        };
        for (index, cell) in cells.iter().enumerate() {
            check_cell(index, cell)?;
        }
        Ok(Notebook { json })
    }

    /// The cells, in order.
    pub fn cells(&self) -> Vec<Cell> {
        self.cell_values()
            .iter()
            .map(|cell| Cell {
                id: cell["id"].as_str().unwrap_or_default().to_string(),
                kind: cell["cell_type"].as_str().unwrap_or("raw").to_string(),
                source: multiline(&cell["source"]),
                tags: cell["metadata"]["tags"]
                    .as_array()
                    .map(|tags| {
                        tags.iter()
                            .filter_map(|t| t.as_str().map(str::to_string))
                            .collect()
                    })
                    .unwrap_or_default(),
                outputs: cell["outputs"]
                    .as_array()
                    .map(|outputs| outputs.iter().filter_map(Output::from_json).collect())
                    .unwrap_or_default(),
            })
            .collect()
    }

    /// What the notebook says its kernel's language is
    /// (`metadata.language_info`), if it says.
    pub fn language_info(&self) -> Option<&Value> {
        self.json.get("metadata")?.get("language_info")
    }

    /// Replaces `metadata.language_info`.
    pub fn set_language_info(&mut self, info: Value) {
        if !self.json["metadata"].is_object() {
            self.json["metadata"] = json!({});
        }
        self.json["metadata"]["language_info"] = info;
    }

    /// Replaces the outputs and execution count of code cell `index`.
    pub fn set_outputs(&mut self, index: usize, outputs: &[Output], count: Option<u64>) {
        let Some(cell) = self.json["cells"].get_mut(index) else {
            return;
        };
        cell["outputs"] = Value::Array(outputs.iter().map(|o| o.to_json(count)).collect());
        cell["execution_count"] = count.map_or(Value::Null, Value::from);
    }

    /// The notebook as Jupyter writes it: sorted keys, one-space indent,
    /// UTF-8 left as is, a newline at the end.
    pub fn to_jupyter_string(&self) -> String {
        let mut bytes = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(
            &mut bytes,
            serde_json::ser::PrettyFormatter::with_indent(b" "),
        );
        self.json
            .serialize(&mut serializer)
            .expect("a JSON value serializes");
        String::from_utf8(bytes).expect("serde_json writes UTF-8") + "\n"
    }

    /// Writes the notebook back.
    pub fn write(&self, path: &Path) -> Result<()> {
        std::fs::write(path, self.to_jupyter_string())
            .with_context(|| format!("cannot write {}", path.display()))
    }

    fn cell_values(&self) -> &[Value] {
        self.json["cells"].as_array().map_or(&[], Vec::as_slice)
    }
}

/// A cell as nbformat requires one: a `cell_type`, and a `source` that is
/// text or a list of lines. Anything else is named, never run as nothing.
fn check_cell(index: usize, cell: &Value) -> Result<()> {
    let Some(kind) = cell.get("cell_type").and_then(Value::as_str) else {
        bail!("cell {index} is malformed: it has no cell_type");
    };
    let what = |value: &Value| match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list with something other than text in it",
        Value::Object(_) => "an object",
    };
    match cell.get("source") {
        Some(Value::String(_)) => Ok(()),
        Some(Value::Array(lines)) if lines.iter().all(Value::is_string) => Ok(()),
        None => bail!("cell {index} (a {kind} cell) is malformed: it has no source"),
        Some(other) => bail!(
            "cell {index} (a {kind} cell) is malformed: its source is {}, not text or a list of lines",
            what(other)
        ),
    }
}

/// nbformat's "multiline string": a string, or a list of lines to join.
pub fn multiline(value: &Value) -> String {
    match value {
        Value::String(text) => text.clone(),
        Value::Array(lines) => lines.iter().filter_map(Value::as_str).collect(),
        _ => String::new(),
    }
}

/// A text as nbformat stores it: a list of lines, each with its newline.
fn split_lines(text: &str) -> Value {
    Value::Array(
        text.split_inclusive('\n')
            .map(|line| Value::String(line.to_string()))
            .collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "metadata": {},
   "source": [
    "# 标题 Title\n",
    "text"
   ]
  },
  {
   "cell_type": "code",
   "execution_count": 1,
   "metadata": {
    "tags": [
     "raises-exception"
    ]
   },
   "outputs": [
    {
     "name": "stdout",
     "output_type": "stream",
     "text": [
      "a\n",
      "b\n"
     ]
    },
    {
     "data": {
      "text/plain": [
       "2"
      ]
     },
     "execution_count": 1,
     "metadata": {},
     "output_type": "execute_result"
    }
   ],
   "source": [
    "1 + 1"
   ]
  }
 ],
 "metadata": {
  "kernelspec": {
   "display_name": "Rust (multitask)",
   "language": "rust",
   "name": "multitask"
  }
 },
 "nbformat": 4,
 "nbformat_minor": 5
}
"##;

    #[test]
    fn a_cell_without_source_or_with_a_number_for_one_is_named() {
        let without = SAMPLE.replacen("\"source\": [\n    \"1 + 1\"\n   ]", "\"x\": 1", 1);
        let error = Notebook::parse(&without).unwrap_err().to_string();
        assert_eq!(error, "cell 1 (a code cell) is malformed: it has no source");
        let number = SAMPLE.replacen("\"source\": [\n    \"1 + 1\"\n   ]", "\"source\": 7", 1);
        let error = Notebook::parse(&number).unwrap_err().to_string();
        assert!(error.contains("cell 1 (a code cell) is malformed: its source is a number"));
    }

    #[test]
    fn a_notebook_round_trips_byte_for_byte() {
        let notebook = Notebook::parse(SAMPLE).unwrap();
        assert_eq!(notebook.to_jupyter_string(), SAMPLE);
    }

    #[test]
    fn cells_carry_source_tags_and_outputs() {
        let cells = Notebook::parse(SAMPLE).unwrap().cells();
        assert_eq!(cells[0].source, "# 标题 Title\ntext");
        assert_eq!(cells[1].tags, ["raises-exception"]);
        assert_eq!(cells[1].outputs[0].text(), "a\nb\n");
        assert_eq!(cells[1].outputs[1].text(), "2");
    }

    #[test]
    fn rewriting_the_same_outputs_changes_nothing() {
        let mut notebook = Notebook::parse(SAMPLE).unwrap();
        let outputs = notebook.cells()[1].outputs.clone();
        notebook.set_outputs(1, &outputs, Some(1));
        assert_eq!(notebook.to_jupyter_string(), SAMPLE);
    }
}
