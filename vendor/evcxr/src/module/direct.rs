// multitask patch 18: compile cells with rustc directly once cargo has shown how.
//
// A cell's crate changes only in `src/lib.rs` from one cell to the next, yet
// every cell ran `cargo build`: cargo reads the manifest and the lock file,
// checks every dependency's fingerprint, then runs rustc through our wrapper —
// about 50 ms on a 2-core machine before rustc even starts. When cargo runs the
// wrapper for the cell's crate, the wrapper records the exact rustc command and
// environment. Later cells whose manifest, cargo config and cargo command are
// unchanged run that command directly. Anything else (a `:dep`, `:opt`, a new
// linker) changes the key and goes through cargo again, which records afresh.

use std::ffi::OsString;
use std::fs;
use std::path::Path;
use std::path::PathBuf;
use std::process::Command;

use serde::Deserialize;
use serde::Serialize;

/// Set on cargo's command: where the wrapper records the cell crate's rustc command.
pub(crate) const RECORD_ENV: &str = "EVCXR_RECORD_RUSTC_COMMAND";

/// The rustc command cargo ran for the cell's crate.
#[derive(Serialize, Deserialize, Debug, Clone, PartialEq)]
pub(crate) struct Recorded {
    program: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    cwd: String,
}

impl Recorded {
    /// Called in the rustc wrapper for the cell's crate: writes `command` (and
    /// the environment cargo gave the wrapper) where cargo's caller asked.
    pub(crate) fn record(command: &Command) {
        let Some(path) = std::env::var_os(RECORD_ENV) else {
            return;
        };
        let text = |s: &std::ffi::OsStr| s.to_str().map(str::to_owned);
        let recorded = (|| {
            Some(Recorded {
                program: text(command.get_program())?,
                args: command.get_args().map(text).collect::<Option<_>>()?,
                env: std::env::vars_os()
                    .filter(|(key, _)| key.to_str().is_some_and(is_build_variable))
                    .map(|(key, value)| Some((text(&key)?, text(&value)?)))
                    .collect::<Option<_>>()?,
                cwd: text(std::env::current_dir().ok()?.as_os_str())?,
            })
        })();
        // No record (a non-UTF-8 path) only means the next cell uses cargo.
        if let Some(json) = recorded.and_then(|r| serde_json::to_string(&r).ok()) {
            let _ = write_private(Path::new(&path), &json);
        }
    }

    /// Reads what the wrapper recorded during the last cargo run, if anything.
    pub(crate) fn load(path: &Path) -> Option<Recorded> {
        serde_json::from_str(&fs::read_to_string(path).ok()?).ok()
    }

    /// The recorded command, ready to run: this process's environment (the
    /// one cargo inherited) with what cargo set for rustc on top.
    pub(crate) fn command(&self) -> Command {
        let mut command = Command::new(&self.program);
        command
            .args(&self.args)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .current_dir(&self.cwd);
        command
    }

    /// The recorded command changed to type-check the cell and nothing more
    /// (no code generated, nothing linked), writing into `out_dir`, with
    /// types in messages written as full paths (`std::collections::HashMap`,
    /// not `HashMap`): the type probe reads them as the types of new
    /// variables. `-Z trim-diagnostic-paths` is unstable, hence
    /// `RUSTC_BOOTSTRAP` for this one throwaway check; if rustc refuses it,
    /// the probe finds no types and rust-analyzer answers instead.
    pub(crate) fn probe_command(&self, out_dir: &Path) -> Command {
        self.checking_command(out_dir, &["--emit=metadata", "-Ztrim-diagnostic-paths=false"])
    }

    /// The recorded command changed to print the cell's MIR on stdout
    /// (`-Zunpretty=mir`), which holds the type of every local once
    /// inference is done. (multitask patch 35)
    pub(crate) fn mir_command(&self, out_dir: &Path) -> Command {
        self.checking_command(out_dir, &["-Zunpretty=mir"])
    }

    /// The recorded command as a library that emits only what `emit` asks
    /// for, into `out_dir`. (multitask patch 35)
    fn checking_command(&self, out_dir: &Path, emit: &[&str]) -> Command {
        let mut args = Vec::with_capacity(self.args.len() + 8);
        let mut recorded = self.args.iter();
        while let Some(arg) = recorded.next() {
            match arg.as_str() {
                "--crate-type" | "--out-dir" | "--emit" => {
                    recorded.next();
                }
                arg if arg.starts_with("--emit=") => {}
                arg => args.push(arg.to_owned()),
            }
        }
        args.extend(["--crate-type", "lib"].map(str::to_owned));
        args.extend(emit.iter().map(|arg| (*arg).to_owned()));
        let mut probe = Command::new(&self.program);
        probe
            .args(&args)
            .arg("--out-dir")
            .arg(out_dir)
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .env("RUSTC_BOOTSTRAP", "1")
            .current_dir(&self.cwd);
        probe
    }

    /// Where rustc writes the cell's shared object.
    pub(crate) fn so_path(&self, so_name: &str) -> Option<PathBuf> {
        let out_dir = self
            .args
            .iter()
            .position(|arg| arg == "--out-dir")
            .and_then(|i| self.args.get(i + 1))?;
        Some(Path::new(out_dir).join(so_name))
    }
}

/// Whether cargo sets `key` for rustc (`CARGO_PKG_NAME`, `CARGO_MANIFEST_DIR`,
/// …, read by `env!`) or evcxr's wrapper reads it. Only these are recorded:
/// the rest of the environment is the session's own, which may hold tokens,
/// and the recorded command runs with it anyway. Cargo's jobserver pipes are
/// gone once cargo exits: rustc run later must not look for them.
fn is_build_variable(key: &str) -> bool {
    let jobserver = matches!(key, "CARGO_MAKEFLAGS" | "MAKEFLAGS" | "MFLAGS");
    let ours = key == RECORD_ENV;
    let build = key.starts_with("CARGO")
        || key.starts_with("EVCXR_")
        || key.starts_with("RUSTC")
        || matches!(key, "OUT_DIR" | "LD_LIBRARY_PATH" | "RUSTFLAGS");
    build && !jobserver && !ours
}

/// Writes `contents` to `path`, readable by its owner only.
fn write_private(path: &Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options.open(path)?.write_all(contents.as_bytes())
}

/// What decides whether a recorded command still applies: cargo's command
/// line and environment, the manifest and cargo's config.
pub(crate) fn key(cargo: &Command, crate_dir: &Path) -> OsString {
    let mut key = OsString::from(format!("{cargo:?}"));
    for file in ["Cargo.toml", ".cargo/config.toml", "Cargo.lock"] {
        key.push("\0");
        key.push(fs::read_to_string(crate_dir.join(file)).unwrap_or_default());
    }
    key
}
