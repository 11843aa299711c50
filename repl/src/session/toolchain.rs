//! The Rust toolchain a session compiles with, as far as a learner needs to
//! know it: rustc's sysroot, and whether rustup's optional `rust-src`
//! component is in it (rust-analyzer, in a build with `--features analyzer`,
//! reads std's source for Tab, Shift-Tab and some type inference).

use std::path::{Path, PathBuf};

/// What a learner is told, in the REPL's start and in a notebook's first
/// cell, when `rust-src` is missing.
pub const MISSING_RUST_SRC: &str = "note: rustup's rust-src component is missing, so Tab and \
     Shift-Tab know the prelude but not std's types, and some type inference will not work: \
     `rustup component add rust-src` adds it.";

/// rustc's sysroot (`rustc --print sysroot`); `None` when rustc does not
/// run (the session's start says so in its own words).
pub fn sysroot() -> Option<PathBuf> {
    std::process::Command::new("rustc")
        .args(["--print", "sysroot"])
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
}

/// Whether std's sources (`rust-src`) are under `sysroot`.
pub fn has_rust_src(sysroot: &Path) -> bool {
    sysroot.join("lib/rustlib/src/rust/library").is_dir()
}

/// [`MISSING_RUST_SRC`] when this build has rust-analyzer (`--features
/// analyzer`; only it reads `rust-src`), rustc runs and its sysroot has no
/// `rust-src`. Asked once a process (the start-up and the kernel both want
/// it).
pub fn missing_rust_src() -> Option<&'static str> {
    static MISSING: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    MISSING
        .get_or_init(|| {
            cfg!(feature = "analyzer") && sysroot().is_some_and(|sysroot| !has_rust_src(&sysroot))
        })
        .then_some(MISSING_RUST_SRC)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_src_is_the_library_folder_under_the_sysroot() {
        let sysroot = std::env::temp_dir().join(format!("toolchain-{}", std::process::id()));
        assert!(!has_rust_src(&sysroot));
        std::fs::create_dir_all(sysroot.join("lib/rustlib/src/rust/library")).unwrap();
        assert!(has_rust_src(&sysroot));
        std::fs::remove_dir_all(&sysroot).unwrap();
    }
}
