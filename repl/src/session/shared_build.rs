//! A warm build every learner of a machine shares (a class on one
//! JupyterHub): the admin's `multitask warm DIR` compiles the prelude once,
//! into `DIR/build`, from its dependencies' sources vendored into
//! `DIR/vendor`, and leaves it readable by all and writable by none of them.
//! A session started with `--shared-build DIR` seeds its own build folder
//! from it ([`super::build_dir`]): links to what rustc built, copies of
//! cargo's small records, and `.cargo/config.toml` beside its folders so that
//! its cargo takes the same vendored sources (and needs no network, no
//! registry of its own). So no learner compiles the prelude, and none can
//! change what another uses.
//!
//! ```text
//! DIR/
//!   .cargo/config.toml   crates.io → DIR/vendor
//!   vendor/              the prelude's dependencies, as `cargo vendor` left them
//!   build/               the warm build folder; its .multitask-ready holds the stamp
//! ```

use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

use anyhow::{Context as _, Result, bail};

use super::build_dir::{self, Copy, READY_MARKER};

/// What a finished shared build's marker starts with, before its stamp.
const STAMP_PREFIX: &str = "shared build ";

/// The shared build under a folder (the admin's `DIR`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SharedBuild {
    root: PathBuf,
}

impl SharedBuild {
    /// The shared build in `root` (made by `multitask warm root`, or not yet).
    pub fn new(root: impl Into<PathBuf>) -> SharedBuild {
        SharedBuild { root: root.into() }
    }

    /// The folder given to `multitask warm`.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The build folder the admin's session compiled in.
    pub fn build_folder(&self) -> PathBuf {
        self.root.join("build")
    }

    fn vendor(&self) -> PathBuf {
        self.root.join("vendor")
    }

    fn cargo_config(&self) -> PathBuf {
        self.root.join(".cargo").join("config.toml")
    }

    /// What tells this build from the one before it, once `multitask warm`
    /// has finished it; `None` before (or while it builds again).
    pub fn stamp(&self) -> Option<String> {
        let marker = fs::read_to_string(self.build_folder().join(READY_MARKER)).ok()?;
        marker.strip_prefix(STAMP_PREFIX).map(str::to_string)
    }

    /// Seeds `folder` (empty, locked by the caller) from this build stamped
    /// `stamp`, and points cargo beside it at the vendored sources.
    pub(crate) fn seed(&self, folder: &Path, stamp: &str) -> io::Result<()> {
        build_dir::copy_folder(&self.build_folder(), folder, Copy::Links)?;
        if let Some(root) = folder.parent() {
            fs::create_dir_all(root.join(".cargo"))?;
            fs::copy(self.cargo_config(), root.join(".cargo").join("config.toml"))?;
        }
        build_dir::mark_seeded(folder, stamp)
    }

    /// Vendors the dependencies of the prelude at `prelude` into
    /// `DIR/vendor` and has cargo under `DIR` take them from there: the
    /// first step of `multitask warm`, before its session builds.
    pub fn vendor_sources(&self, prelude: &Path) -> Result<()> {
        let manifest_dir = self.root.join("vendor-manifest");
        fs::create_dir_all(&manifest_dir)
            .with_context(|| format!("cannot create {}", manifest_dir.display()))?;
        let prelude = prelude.display().to_string().replace('"', "\\\"");
        // The same dependency as the session's build folder has: the prelude;
        // a workspace of its own, wherever DIR is.
        fs::write(
            manifest_dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"multitask-warm\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\n\
                 [lib]\npath = \"lib.rs\"\n\n[dependencies]\nmultitask = {{ path = \"{prelude}\" }}\n\n\
                 [workspace]\n"
            ),
        )?;
        fs::write(manifest_dir.join("lib.rs"), "")?;
        let status = Command::new("cargo")
            .arg("vendor")
            .arg("--quiet")
            .arg("--manifest-path")
            .arg(manifest_dir.join("Cargo.toml"))
            .arg(self.vendor())
            .stdout(std::process::Stdio::null())
            .status()
            .context("cannot run cargo")?;
        if !status.success() {
            bail!("`cargo vendor` failed ({status}): see its words above");
        }
        fs::remove_dir_all(&manifest_dir)?;
        let vendor = self.vendor().display().to_string().replace('"', "\\\"");
        fs::create_dir_all(self.root.join(".cargo"))?;
        fs::write(
            self.cargo_config(),
            format!(
                "# Written by `multitask warm`: builds under this folder, and learners'\n\
                 # folders seeded from it, take crates.io's crates from {vendor}.\n\
                 [source.crates-io]\nreplace-with = \"multitask-vendored\"\n\n\
                 [source.multitask-vendored]\ndirectory = \"{vendor}\"\n"
            ),
        )?;
        Ok(())
    }

    /// Stamps the build as finished (after its session has answered a cell)
    /// and makes all of `DIR` readable, and none of it writable, by others.
    pub fn finish(&self) -> Result<String> {
        let since = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default();
        let stamp = format!("{}.{:09}", since.as_secs(), since.subsec_nanos());
        fs::write(
            self.build_folder().join(READY_MARKER),
            format!("{STAMP_PREFIX}{stamp}"),
        )?;
        open_to_all(&self.root)
            .with_context(|| format!("cannot open {} to other users", self.root.display()))?;
        Ok(stamp)
    }
}

/// Gives others read (and, for folders and programs, search and run) access
/// to `path` and all under it, and takes away their write access.
fn open_to_all(path: &Path) -> io::Result<()> {
    use std::os::unix::fs::PermissionsExt as _;
    let meta = fs::symlink_metadata(path)?;
    if meta.file_type().is_symlink() {
        return Ok(());
    }
    let mode = meta.permissions().mode();
    let mut open = (mode | 0o444) & !0o022;
    if meta.is_dir() || mode & 0o100 != 0 {
        open |= 0o111;
    }
    fs::set_permissions(path, fs::Permissions::from_mode(open))?;
    if meta.is_dir() {
        for entry in fs::read_dir(path)? {
            open_to_all(&entry?.path())?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::build_dir::BuildDir;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("multitask-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    /// A shared build with one compiled dependency and cargo's records of it.
    fn made_shared_build(root: &Path) -> SharedBuild {
        let shared = SharedBuild::new(root);
        let deps = shared.build_folder().join("target/debug/deps");
        fs::create_dir_all(&deps).unwrap();
        fs::write(deps.join("libtokio-1.rlib"), "compiled").unwrap();
        fs::write(deps.join("tokio-1.d"), "dep-info").unwrap();
        let fingerprint = shared
            .build_folder()
            .join("target/debug/.fingerprint/tokio-1");
        fs::create_dir_all(&fingerprint).unwrap();
        fs::write(fingerprint.join("lib-tokio"), "hash").unwrap();
        fs::create_dir_all(root.join(".cargo")).unwrap();
        fs::write(shared.cargo_config(), "[source.crates-io]\n").unwrap();
        shared
    }

    #[test]
    fn a_learners_folder_links_what_rustc_built_and_copies_cargos_records() {
        let root = temp("shared-seed");
        let shared = made_shared_build(&root.join("shared"));
        let cache = root.join("learner");
        // Not finished yet: nothing to seed from.
        assert_eq!(shared.stamp(), None);
        let cold = BuildDir::acquire(&cache, Some(&shared)).unwrap();
        assert!(!cold.is_ready());
        assert!(cold.unseeded().unwrap().contains("not finished"));
        drop(cold);

        let stamp = shared.finish().unwrap();
        let seeded = BuildDir::acquire(&cache, Some(&shared)).unwrap();
        assert!(seeded.is_ready());
        assert_eq!(seeded.unseeded(), None);
        let deps = seeded.path().join("target/debug/deps");
        let rlib = fs::symlink_metadata(deps.join("libtokio-1.rlib")).unwrap();
        assert!(rlib.file_type().is_symlink());
        assert_eq!(
            fs::read_to_string(deps.join("libtokio-1.rlib")).unwrap(),
            "compiled"
        );
        for copied in [
            deps.join("tokio-1.d"),
            seeded
                .path()
                .join("target/debug/.fingerprint/tokio-1/lib-tokio"),
        ] {
            assert!(
                fs::symlink_metadata(&copied).unwrap().is_file(),
                "{copied:?}"
            );
        }
        assert!(cache.join(".cargo/config.toml").is_file());
        // A session's start keeps the stamp it was seeded from.
        build_dir::mark_ready(seeded.path()).unwrap();
        drop(seeded);

        // Built again by the admin: the learner's folder starts over from it.
        fs::write(deps_of(&shared).join("libtokio-1.rlib"), "rebuilt").unwrap();
        fs::remove_file(deps_of(&shared).join("tokio-1.d")).unwrap();
        let restamped = shared.finish().unwrap();
        assert_ne!(stamp, restamped);
        let again = BuildDir::acquire(&cache, Some(&shared)).unwrap();
        let deps = again.path().join("target/debug/deps");
        assert_eq!(
            fs::read_to_string(deps.join("libtokio-1.rlib")).unwrap(),
            "rebuilt"
        );
        assert!(!deps.join("tokio-1.d").exists());
        drop(again);
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_seed_that_fails_leaves_an_empty_folder_and_says_why() {
        let root = temp("shared-broken");
        let shared = made_shared_build(&root.join("shared"));
        shared.finish().unwrap();
        // Half made: no cargo config to point the learner's cargo at.
        fs::remove_file(shared.cargo_config()).unwrap();
        let taken = BuildDir::acquire(&root.join("learner"), Some(&shared)).unwrap();
        assert!(taken.unseeded().is_some());
        assert!(!taken.is_ready());
        let left: Vec<_> = fs::read_dir(taken.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, [".lock"]);
        drop(taken);
        fs::remove_dir_all(root).unwrap();
    }

    fn deps_of(shared: &SharedBuild) -> PathBuf {
        shared.build_folder().join("target/debug/deps")
    }

    #[test]
    fn finishing_opens_the_build_to_others_for_reading_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let root = temp("shared-open");
        let shared = made_shared_build(&root);
        let deps = deps_of(&shared);
        fs::set_permissions(&deps, fs::Permissions::from_mode(0o700)).unwrap();
        fs::set_permissions(
            deps.join("libtokio-1.rlib"),
            fs::Permissions::from_mode(0o666),
        )
        .unwrap();
        shared.finish().unwrap();
        let mode = |path: &Path| fs::metadata(path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&deps), 0o755);
        assert_eq!(mode(&deps.join("libtokio-1.rlib")), 0o644);
        fs::remove_dir_all(root).unwrap();
    }
}
