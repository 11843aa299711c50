//! The first start's progress bar: the prelude's dependencies compile once,
//! into the persistent build folder, and the learner sees them go by.

use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

/// A progress bar that counts compiled crates until [`FirstStart::finish`].
pub struct FirstStart {
    bar: ProgressBar,
    done: Arc<AtomicBool>,
    watcher: Option<JoinHandle<()>>,
}

impl FirstStart {
    /// Starts watching `build_dir` fill up while the prelude at `prelude` compiles.
    pub fn watch(build_dir: &Path, prelude: Option<&Path>) -> FirstStart {
        let expected = prelude.map_or(1, expected_crates);
        let bar = ProgressBar::new(expected);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} compiling the prelude (first start only) [{bar:30}] {pos}/{len} crates, {elapsed}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(120));
        let done = Arc::new(AtomicBool::new(false));
        let target = build_dir.join("target");
        let watcher = {
            let (bar, done) = (bar.clone(), done.clone());
            std::thread::spawn(move || {
                while !done.load(Ordering::SeqCst) {
                    let count = compiled(&target);
                    if count > bar.length().unwrap_or(0) {
                        bar.set_length(count);
                    }
                    bar.set_position(count);
                    std::thread::sleep(Duration::from_millis(200));
                }
            })
        };
        FirstStart {
            bar,
            done,
            watcher: Some(watcher),
        }
    }

    /// Stops the bar, saying "ready" on success.
    pub fn finish(mut self, ok: bool) {
        self.done.store(true, Ordering::SeqCst);
        if let Some(watcher) = self.watcher.take() {
            let _ = watcher.join();
        }
        if ok {
            self.bar.finish_and_clear();
            println!("ready");
        } else {
            self.bar.abandon();
        }
    }
}

/// How many of the prelude's crates are compiled under `target`: the
/// libraries in `target/<triple>/debug/deps` (evcxr builds for an explicit
/// target, so they land there), and the proc-macros, which are built for
/// the host, in `target/debug/deps`. (Counting only `target/debug/deps`
/// found the 8 crates build scripts need and stood at 8 for the rest.)
fn compiled(target: &Path) -> u64 {
    let count = |deps: &Path, extension: &str| -> u64 {
        std::fs::read_dir(deps)
            .map(|entries| {
                entries
                    .filter_map(Result::ok)
                    .filter(|e| e.path().extension().is_some_and(|x| x == extension))
                    .filter(|e| !e.file_name().to_string_lossy().starts_with("libcode_"))
                    .count() as u64
            })
            .unwrap_or(0)
    };
    let Ok(entries) = std::fs::read_dir(target) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| {
            let deps = entry.path().join("debug").join("deps");
            if entry.file_name() == "debug" {
                count(&entry.path().join("deps"), "so")
            } else {
                count(&deps, "rlib")
            }
        })
        .sum()
}

/// How many library crates the prelude needs (itself included), from
/// `cargo metadata`; a guess when cargo cannot tell.
fn expected_crates(prelude: &Path) -> u64 {
    let output = std::process::Command::new("cargo")
        .args(["metadata", "--format-version", "1", "--manifest-path"])
        .arg(prelude.join("Cargo.toml"))
        .output();
    let Ok(output) = output else { return 20 };
    let Ok(metadata) = serde_json::from_slice::<serde_json::Value>(&output.stdout) else {
        return 20;
    };
    let nodes = metadata["resolve"]["nodes"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let root = metadata["packages"]
        .as_array()
        .and_then(|packages| packages.iter().find(|p| p["name"] == "multitask"))
        .and_then(|p| p["id"].as_str())
        .map(str::to_owned);
    let Some(root) = root else { return 20 };
    // Walk the normal (not dev, not build) dependencies from the prelude.
    let mut seen = std::collections::BTreeSet::from([root.clone()]);
    let mut queue = vec![root];
    while let Some(id) = queue.pop() {
        let Some(node) = nodes.iter().find(|n| n["id"] == id.as_str()) else {
            continue;
        };
        for dep in node["deps"].as_array().into_iter().flatten() {
            let normal = dep["dep_kinds"]
                .as_array()
                .is_some_and(|kinds| kinds.iter().any(|k| k["kind"].is_null()));
            if let Some(pkg) = dep["pkg"].as_str()
                && normal
                && seen.insert(pkg.to_owned())
            {
                queue.push(pkg.to_owned());
            }
        }
    }
    seen.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_crates_built_for_the_target_and_the_hosts_proc_macros_count() {
        let target =
            std::env::temp_dir().join(format!("multitask-progress-{}", std::process::id()));
        let host = target.join("debug/deps");
        let cross = target.join("x86_64-unknown-linux-gnu/debug/deps");
        std::fs::create_dir_all(&host).unwrap();
        std::fs::create_dir_all(&cross).unwrap();
        for file in ["libsyn-1.rlib", "libquote-2.rlib", "libthiserror_impl-3.so"] {
            std::fs::write(host.join(file), "").unwrap();
        }
        for file in [
            "libtokio-4.rlib",
            "libtokio-4.rmeta",
            "libmultitask-5.rlib",
            "libcode_7.rlib",
        ] {
            std::fs::write(cross.join(file), "").unwrap();
        }
        // tokio, multitask, and the proc-macro: not the build scripts' syn
        // and quote, not a cell's code.
        assert_eq!(compiled(&target), 3);
        std::fs::remove_dir_all(target).unwrap();
    }
}
