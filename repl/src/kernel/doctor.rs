//! `multitask kernel doctor`: what is wrong with an installed kernel, in
//! words a learner can act on — the kernelspec Jupyter will use, the binary
//! and the prelude it names, and what the kernel needs around it (cargo,
//! rustc's sources for completion). `kernel install` runs the same checks on
//! what it wrote.

use std::path::{Path, PathBuf};

use super::install::KERNEL_NAME;
use crate::session::toolchain;

/// One thing checked.
#[derive(Debug, Clone, PartialEq)]
pub struct Finding {
    /// Whether it is as it should be.
    pub ok: bool,
    /// What was checked and found.
    pub what: String,
    /// What to do about it (for a finding that is not ok).
    pub fix: Option<String>,
}

impl Finding {
    fn ok(what: impl Into<String>) -> Finding {
        Finding {
            ok: true,
            what: what.into(),
            fix: None,
        }
    }

    fn wrong(what: impl Into<String>, fix: impl Into<String>) -> Finding {
        Finding {
            ok: false,
            what: what.into(),
            fix: Some(fix.into()),
        }
    }
}

impl std::fmt::Display for Finding {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let mark = if self.ok { '✓' } else { '✗' };
        write!(f, "{mark} {}", self.what)?;
        if let Some(fix) = &self.fix {
            write!(f, "\n    → {fix}")?;
        }
        Ok(())
    }
}

const REINSTALL: &str = "run `cargo run --release -- kernel install` in the checkout";

/// The folders Jupyter looks for kernelspecs in, in its order (jupyter_core's
/// `jupyter_path`): `JUPYTER_PATH`, the user's data folder, the active
/// environment's, the system's.
pub fn search_path() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::env::var_os("JUPYTER_PATH")
        .map(|paths| {
            std::env::split_paths(&paths)
                .filter(|p| !p.as_os_str().is_empty())
                .collect()
        })
        .unwrap_or_default();
    match std::env::var_os("JUPYTER_DATA_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => dirs.push(dir.into()),
        None => dirs.extend(dirs::data_dir().map(|d| d.join("jupyter"))),
    }
    for env in ["VIRTUAL_ENV", "CONDA_PREFIX"] {
        if let Some(prefix) = std::env::var_os(env).filter(|p| !p.is_empty()) {
            dirs.push(PathBuf::from(prefix).join("share/jupyter"));
        }
    }
    dirs.push("/usr/local/share/jupyter".into());
    dirs.push("/usr/share/jupyter".into());
    dirs.into_iter()
        .map(|d| d.join("kernels").join(KERNEL_NAME))
        .collect()
}

/// Every check of the kernelspec Jupyter would use (the first found along
/// `folders`), and of what it names.
pub fn examine(folders: &[PathBuf]) -> Vec<Finding> {
    let found: Vec<&PathBuf> = folders
        .iter()
        .filter(|f| f.join("kernel.json").is_file())
        .collect();
    let Some(first) = found.first() else {
        let looked: Vec<String> = folders.iter().map(|f| f.display().to_string()).collect();
        return vec![Finding::wrong(
            format!(
                "no kernelspec \"{KERNEL_NAME}\" (looked in {})",
                looked.join(", ")
            ),
            REINSTALL,
        )];
    };
    let mut findings = vec![Finding::ok(format!(
        "Jupyter uses the kernelspec in {}",
        first.display()
    ))];
    for shadowed in &found[1..] {
        findings.push(Finding::ok(format!(
            "(another, which Jupyter does not use, is in {})",
            shadowed.display()
        )));
    }
    findings.extend(check_spec(first));
    findings.extend(toolchain());
    findings
}

/// The checks of the kernelspec in `folder`: what it runs and names.
pub fn check_spec(folder: &Path) -> Vec<Finding> {
    let file = folder.join("kernel.json");
    let spec: serde_json::Value = match std::fs::read_to_string(&file)
        .map_err(|e| e.to_string())
        .and_then(|text| serde_json::from_str(&text).map_err(|e| e.to_string()))
    {
        Ok(spec) => spec,
        Err(e) => {
            return vec![Finding::wrong(
                format!("{} does not read: {e}", file.display()),
                REINSTALL,
            )];
        }
    };
    let argv: Vec<&str> = spec["argv"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let mut findings = Vec::new();
    findings.push(binary(argv.first().copied()));
    if !(argv.contains(&"kernel") && argv.contains(&"{connection_file}")) {
        findings.push(Finding::wrong(
            "the kernelspec does not start `multitask kernel --connection-file {connection_file}`",
            REINSTALL,
        ));
    }
    if spec["interrupt_mode"] != "message" {
        findings.push(Finding::wrong(
            "the kernelspec does not ask for interrupts as messages (the stop button would kill \
             the kernel's process group)",
            REINSTALL,
        ));
    }
    findings.push(prelude_at(option(&argv, "--prelude")));
    if let Some(shared) = option(&argv, "--shared-build") {
        findings.push(shared_build_at(shared));
    }
    findings
}

/// The value that follows `--name` in `argv`.
fn option<'a>(argv: &[&'a str], name: &str) -> Option<&'a str> {
    let at = argv.iter().position(|a| *a == name)?;
    argv.get(at + 1).copied()
}

/// The shared build (`multitask warm`) the kernelspec seeds sessions from.
fn shared_build_at(dir: &str) -> Finding {
    match crate::session::shared_build::SharedBuild::new(dir).stamp() {
        Some(_) => Finding::ok(format!("sessions start from the shared build in {dir}")),
        None => Finding::wrong(
            format!(
                "the shared build the kernelspec names, {dir}, is not finished: every session \
                 would compile the prelude itself"
            ),
            format!("run `multitask warm {dir}` as the user who may write there"),
        ),
    }
}

/// The binary the kernelspec runs.
fn binary(argv0: Option<&str>) -> Finding {
    let Some(argv0) = argv0 else {
        return Finding::wrong("the kernelspec runs nothing (its argv is empty)", REINSTALL);
    };
    let path = Path::new(argv0);
    if !path.is_absolute() {
        return Finding::wrong(
            format!(
                "the kernelspec runs `{argv0}`, a relative path: Jupyter starts kernels in the notebook's folder, where it is not"
            ),
            REINSTALL,
        );
    }
    let runs = std::fs::metadata(path).is_ok_and(|m| {
        use std::os::unix::fs::PermissionsExt as _;
        m.is_file() && m.permissions().mode() & 0o111 != 0
    });
    if !runs {
        return Finding::wrong(
            format!(
                "the kernelspec runs {argv0}, which is not there (moved, or removed by `cargo clean`)"
            ),
            format!("build it again (`cargo build --release`) or {REINSTALL}"),
        );
    }
    let this = std::env::current_exe()
        .ok()
        .and_then(|e| e.canonicalize().ok());
    match (path.canonicalize().ok(), this) {
        (Some(theirs), Some(ours)) if theirs != ours => Finding::ok(format!(
            "the kernelspec runs {argv0}, another multitask binary than this one ({})",
            ours.display()
        )),
        _ => Finding::ok(format!("the kernelspec runs {argv0}, this binary")),
    }
}

/// The prelude the kernelspec points the kernel at.
fn prelude_at(prelude: Option<&str>) -> Finding {
    let Some(prelude) = prelude else {
        return Finding::wrong("the kernelspec names no prelude (`--prelude`)", REINSTALL);
    };
    let dir = Path::new(prelude);
    if !crate::session::locate::is_prelude(dir) {
        return Finding::wrong(
            format!(
                "the prelude the kernelspec names, {prelude}, is not there (the checkout moved?)"
            ),
            REINSTALL,
        );
    }
    match workspace_version(dir) {
        Some(version) if version != env!("CARGO_PKG_VERSION") => Finding::wrong(
            format!(
                "the prelude at {prelude} is version {version}, this binary {}",
                env!("CARGO_PKG_VERSION")
            ),
            REINSTALL,
        ),
        _ => Finding::ok(format!("the prelude is at {prelude}")),
    }
}

/// The version in the `Cargo.toml` of the workspace around `prelude`.
fn workspace_version(prelude: &Path) -> Option<String> {
    let text = std::fs::read_to_string(prelude.join("../Cargo.toml")).ok()?;
    let toml: toml::Table = toml::from_str(&text).ok()?;
    Some(
        toml.get("workspace")?
            .get("package")?
            .get("version")?
            .as_str()?
            .to_string(),
    )
}

/// What the kernel needs at run time: cargo and rustc, and rustc's sources
/// for completion and Shift-Tab on std.
pub fn toolchain() -> Vec<Finding> {
    let sysroot = toolchain::sysroot();
    let cargo = std::process::Command::new("cargo")
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success());
    let mut findings = Vec::new();
    match (&sysroot, cargo) {
        (Some(_), true) => findings.push(Finding::ok("cargo and rustc are on the PATH")),
        _ => findings.push(Finding::wrong(
            "cargo or rustc is not on the PATH: the kernel compiles every cell with them",
            "install Rust with rustup (https://rustup.rs) and start Jupyter from a shell that has it",
        )),
    }
    // Only rust-analyzer reads std's sources (`--features analyzer`).
    if let Some(sysroot) = sysroot.filter(|_| cfg!(feature = "analyzer")) {
        findings.push(if toolchain::has_rust_src(&sysroot) {
            Finding::ok("rustc's sources (rust-src) are there, for completion of std")
        } else {
            Finding::wrong(
                "rustc's sources (rust-src) are missing: Tab and Shift-Tab know the prelude but \
                 not std's types",
                "rustup component add rust-src",
            )
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(folder: &Path, argv: &[&str]) {
        std::fs::create_dir_all(folder).unwrap();
        let json = serde_json::json!({"argv": argv, "interrupt_mode": "message"});
        std::fs::write(folder.join("kernel.json"), json.to_string()).unwrap();
    }

    #[test]
    fn a_missing_binary_and_prelude_are_named() {
        let root = std::env::temp_dir().join(format!("multitask-doctor-{}", std::process::id()));
        let folder = root.join("kernels/multitask");
        spec(
            &folder,
            &[
                "/nowhere/multitask",
                "--prelude",
                "/nowhere/prelude",
                "kernel",
                "--connection-file",
                "{connection_file}",
            ],
        );
        let findings = examine(std::slice::from_ref(&folder));
        let wrong: Vec<&str> = findings
            .iter()
            .filter(|f| !f.ok)
            .map(|f| f.what.as_str())
            .collect();
        assert!(
            wrong
                .iter()
                .any(|w| w.contains("/nowhere/multitask, which is not there")),
            "{wrong:?}"
        );
        assert!(
            wrong
                .iter()
                .any(|w| w.contains("/nowhere/prelude, is not there")),
            "{wrong:?}"
        );
        std::fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_relative_binary_and_no_spec_are_named() {
        let root =
            std::env::temp_dir().join(format!("multitask-doctor-rel-{}", std::process::id()));
        let folder = root.join("kernels/multitask");
        let none = examine(std::slice::from_ref(&folder));
        assert!(
            !none[0].ok && none[0].what.starts_with("no kernelspec"),
            "{none:?}"
        );
        spec(
            &folder,
            &[
                "multitask",
                "kernel",
                "--connection-file",
                "{connection_file}",
            ],
        );
        let findings = check_spec(&folder);
        assert!(
            findings
                .iter()
                .any(|f| !f.ok && f.what.contains("a relative path")),
            "{findings:?}"
        );
        std::fs::remove_dir_all(root).unwrap();
    }
}
