//! What a notebook's pictures must show: `pictures.toml` beside the
//! notebooks says, for each trace picture, what its text tells the learner
//! they will see — each lane's states, the labels written on it, what it
//! holds — and `check` holds every picture to it, the one stored in the
//! notebook (what a learner opens) and the one this run draws.
//!
//! ```toml
//! [02-threads.c03]
//! says = "MainThread waits in join while LoopThread sleeps five times"
//! states = { MainThread = ["waiting"], LoopThread = ["sleeping", "running"] }
//! labels = { MainThread = ["join LoopThread"] }
//! holds = { A = ["lock"] }
//! ```
//!
//! A claim is a lower bound: the lane must show at least these. A lane named
//! `ForkPoolWorker-*` is any lane of that prefix (names with a pid in them).
//! A picture with no claim, or a claim with no picture, is a problem too.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::LazyLock;

use anyhow::{Context as _, Result};
use regex::Regex;
use serde::Deserialize;

use crate::notebook::Output;

/// The file, beside the notebooks.
pub const FILE: &str = "pictures.toml";

/// What one picture must show.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// The sentence of the notebook the claim stands for.
    pub says: String,
    /// Lane → states it must be drawn in.
    #[serde(default)]
    pub states: BTreeMap<String, Vec<String>>,
    /// Lane → labels written on or under it.
    #[serde(default)]
    pub labels: BTreeMap<String, Vec<String>>,
    /// Lane → what it must be drawn holding.
    #[serde(default)]
    pub holds: BTreeMap<String, Vec<String>>,
}

/// The claims of one notebook, by cell id.
pub type Claims = BTreeMap<String, Claim>;

/// The claims for `notebook` (by its file stem) in the `pictures.toml` beside
/// it; `None` if there is no such file (a notebook of the learner's own:
/// its pictures are not held to anything).
pub fn beside(notebook: &Path) -> Result<Option<Claims>> {
    let file = notebook.parent().unwrap_or(Path::new(".")).join(FILE);
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Ok(None);
    };
    let mut all: BTreeMap<String, Claims> =
        toml::from_str(&text).with_context(|| format!("in {}", file.display()))?;
    let stem = notebook
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(Some(all.remove(&stem).unwrap_or_default()))
}

/// What a picture shows, read from its SVG's `data-` attributes.
#[derive(Debug, Default, PartialEq)]
pub struct Shown {
    states: BTreeMap<String, BTreeSet<String>>,
    labels: BTreeMap<String, BTreeSet<String>>,
    holds: BTreeMap<String, BTreeSet<String>>,
}

/// The SVG among a cell's outputs, if it shows one.
pub fn svg_of(outputs: &[Output]) -> Option<String> {
    outputs.iter().find_map(|output| match output {
        Output::Result { data } => data.get("image/svg+xml").map(crate::notebook::multiline),
        _ => None,
    })
}

/// Whether a cell's outputs carry the PNG copy of their picture.
pub fn has_png(outputs: &[Output]) -> bool {
    outputs
        .iter()
        .any(|o| matches!(o, Output::Result { data } if data.contains_key("image/png")))
}

/// Reads what `svg` draws.
pub fn shown(svg: &str) -> Shown {
    static BAR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"data-lane="([^"]*)" data-(state|holds)="([^"]*)""#).expect("a regex")
    });
    static LABEL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"<text class="label" data-lane="([^"]*)"[^>]*>([^<]*)</text>"#)
            .expect("a regex")
    });
    let mut shown = Shown::default();
    for found in BAR.captures_iter(svg) {
        let into = if &found[2] == "state" {
            &mut shown.states
        } else {
            &mut shown.holds
        };
        into.entry(unescape(&found[1]))
            .or_default()
            .insert(unescape(&found[3]));
    }
    for found in LABEL.captures_iter(svg) {
        shown
            .labels
            .entry(unescape(&found[1]))
            .or_default()
            .insert(unescape(&found[2]));
    }
    shown
}

/// What of `claim` the picture does not show, one line each.
pub fn missing(claim: &Claim, shown: &Shown) -> Vec<String> {
    let mut missing = Vec::new();
    for (what, wanted, drawn) in [
        ("drawn", &claim.states, &shown.states),
        ("labelled", &claim.labels, &shown.labels),
        ("drawn holding", &claim.holds, &shown.holds),
    ] {
        for (lane, items) in wanted {
            // `ForkPoolWorker-*`: any lane of that prefix.
            let has: BTreeSet<&String> = match lane.strip_suffix('*') {
                Some(prefix) => drawn
                    .iter()
                    .filter(|(name, _)| name.starts_with(prefix))
                    .flat_map(|(_, items)| items)
                    .collect(),
                None => drawn.get(lane).into_iter().flatten().collect(),
            };
            for item in items {
                if !has.contains(item) {
                    missing.push(format!("{lane} is not {what} \"{item}\""));
                }
            }
        }
    }
    missing
}

fn unescape(text: &str) -> String {
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

#[cfg(test)]
mod tests {
    use super::*;

    const SVG: &str = r#"<svg><rect x="1" data-lane="A" data-state="sleeping"><title>x</title></rect>
<rect data-lane="A" data-holds="lock"/>
<text class="label" data-lane="B" x="1" y="2" font-size="10" fill="&#333">join A &amp; B</text></svg>"#;

    #[test]
    fn a_picture_is_read_by_lane() {
        let shown = shown(SVG);
        assert!(shown.states["A"].contains("sleeping"));
        assert!(shown.holds["A"].contains("lock"));
        assert!(shown.labels["B"].contains("join A & B"));
        let claim: Claim = toml::from_str(
            "says = \"\"\nstates = { \"A*\" = [\"sleeping\"] }\nlabels = { \"B*\" = [\"x\"] }",
        )
        .unwrap();
        assert_eq!(missing(&claim, &shown), ["B* is not labelled \"x\""]);
    }

    #[test]
    fn what_a_claim_wants_and_the_picture_lacks_is_named() {
        let claim: Claim = toml::from_str(
            r#"says = "A sleeps holding the lock; B waits"
states = { A = ["sleeping"], B = ["waiting"] }
labels = { B = ["join A & B", "lock"] }
holds = { A = ["lock"] }"#,
        )
        .unwrap();
        assert_eq!(
            missing(&claim, &shown(SVG)),
            ["B is not drawn \"waiting\"", "B is not labelled \"lock\""]
        );
    }
}
