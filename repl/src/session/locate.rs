//! Where the prelude crate is, for the session to preload.

use std::path::{Path, PathBuf};

use anyhow::{Result, bail};

/// Whether `dir` is the multitask prelude crate.
pub fn is_prelude(dir: &Path) -> bool {
    dir.join("Cargo.toml").is_file() && dir.join("src/prelude.rs").is_file()
}

/// The prelude crate to preload: `--prelude`/`MULTITASK_PRELUDE` if given,
/// else the `prelude/` folder of the workspace this binary was built in or
/// installed beside.
pub fn find_prelude(explicit: Option<PathBuf>) -> Result<PathBuf> {
    if let Some(dir) = explicit {
        if is_prelude(&dir) {
            return Ok(dir.canonicalize()?);
        }
        bail!(
            "{} is not the multitask prelude crate (no Cargo.toml and src/prelude.rs)",
            dir.display()
        );
    }
    let exe = std::env::current_exe().ok();
    let candidates = exe
        .iter()
        .flat_map(|exe| exe.ancestors().skip(1))
        .map(|dir| dir.join("prelude"))
        .chain(std::iter::once(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("..")
                .join("prelude"),
        ));
    for dir in candidates {
        if is_prelude(&dir) {
            return Ok(dir.canonicalize()?);
        }
    }
    bail!("cannot find the multitask prelude; pass --prelude PATH or set MULTITASK_PRELUDE")
}
