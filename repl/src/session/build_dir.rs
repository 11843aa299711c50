//! Where evcxr compiles: a folder in the user's cache that outlives the
//! session, so the second start reuses the compiled prelude and its
//! dependencies instead of building them again. Each folder is held with a
//! file lock: a second REPL or kernel started meanwhile takes the next
//! folder instead of corrupting the first one's build — and, if that folder
//! has never been built in, it starts as a copy of one that has, so it
//! compiles no dependency again (cargo keeps a build valid when it moves).

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// How many REPLs may run at once, each with a build folder of its own.
const MAX_FOLDERS: usize = 16;

/// The marker that says a session has started in a folder: the prelude and
/// its dependencies are compiled there.
const READY_MARKER: &str = ".multitask-ready";

/// What a copy leaves out: the lock, the cell's source and evcxr's record of
/// its rustc command (both name the folder they were made in), and the
/// cells' shared objects (each session numbers its own).
fn left_out(name: &str) -> bool {
    matches!(
        name,
        ".lock" | "src" | ".evcxr-rustc-command" | "evcxr-probe"
    ) || name.starts_with("libcode_")
}

/// A build folder, locked for as long as this value lives.
#[derive(Debug)]
pub struct BuildDir {
    path: PathBuf,
    _lock: File,
}

impl BuildDir {
    /// Locks the first free folder under `root`: `build`, else `build-1`, ….
    pub fn acquire(root: &Path) -> io::Result<BuildDir> {
        for n in 0..MAX_FOLDERS {
            let path = match n {
                0 => root.join("build"),
                n => root.join(format!("build-{n}")),
            };
            create_private_dir(&path)?;
            let lock = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path.join(".lock"))?;
            match lock.try_lock() {
                Ok(()) => {
                    if !is_ready(&path)
                        && let Some(warm) = warm_folder(root, n)
                    {
                        // A failed copy only means a cold build.
                        let _ = copy_folder(&warm, &path).and_then(|()| mark_ready(&path));
                    }
                    return Ok(BuildDir { path, _lock: lock });
                }
                Err(TryLockError::WouldBlock) => continue,
                Err(TryLockError::Error(e)) => return Err(e),
            }
        }
        Err(io::Error::other(format!(
            "all {MAX_FOLDERS} build folders under {} are in use by other multitask sessions",
            root.display()
        )))
    }

    /// The folder itself.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether a session has started here before (or the folder is a copy
    /// of one where it had): the prelude's dependencies are compiled.
    pub fn is_ready(&self) -> bool {
        is_ready(&self.path)
    }

    /// Is this the first folder, the one a lone REPL always uses?
    pub fn is_primary(&self) -> bool {
        self.path.file_name().is_some_and(|name| name == "build")
    }
}

/// Makes `folder` (and what is missing above it) readable by its owner
/// only: cells' sources and evcxr's records live there.
fn create_private_dir(folder: &Path) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt as _, PermissionsExt as _};
    fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(folder)?;
    fs::set_permissions(folder, fs::Permissions::from_mode(0o700))
}

/// Whether `folder` has the prelude compiled in it.
fn is_ready(folder: &Path) -> bool {
    folder.join(READY_MARKER).exists()
}

/// Marks `folder` as having the prelude compiled in it (after a session's
/// successful start).
pub fn mark_ready(folder: &Path) -> io::Result<()> {
    fs::write(folder.join(READY_MARKER), "")
}

/// A folder under `root` other than number `taken` with the prelude
/// compiled in it, the first folder preferred.
fn warm_folder(root: &Path, taken: usize) -> Option<PathBuf> {
    (0..MAX_FOLDERS)
        .filter(|&n| n != taken)
        .map(|n| match n {
            0 => root.join("build"),
            n => root.join(format!("build-{n}")),
        })
        .find(|folder| is_ready(folder))
}

/// Copies `from` into `to`, files with their modification times, leaving
/// out what [`left_out`] names. `from`
/// may be in use meanwhile: what a running session rewrites there is the
/// cell crate's, which the next build remakes anyway.
fn copy_folder(from: &Path, to: &Path) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        if name.to_str().is_some_and(left_out) {
            continue;
        }
        let target = to.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_folder(&entry.path(), &target)?;
        } else if kind.is_file() {
            // With its time: cargo takes an output newer than what depends
            // on it for a rebuilt dependency, and would rebuild them all.
            fs::copy(entry.path(), &target)?;
            let modified = entry.metadata()?.modified()?;
            File::options()
                .write(true)
                .open(&target)?
                .set_modified(modified)?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_holder_gets_its_own_folder_and_the_first_is_reused_after() {
        let root = std::env::temp_dir().join(format!("multitask-build-dir-{}", std::process::id()));
        let first = BuildDir::acquire(&root).unwrap();
        let second = BuildDir::acquire(&root).unwrap();
        assert!(first.is_primary());
        assert!(!second.is_primary());
        assert_ne!(first.path(), second.path());
        drop(first);
        let again = BuildDir::acquire(&root).unwrap();
        assert!(again.is_primary());
        drop((second, again));
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_second_folder_starts_as_a_copy_of_a_warm_one() {
        let root =
            std::env::temp_dir().join(format!("multitask-build-seed-{}", std::process::id()));
        let first = BuildDir::acquire(&root).unwrap();
        let deps = first.path().join("target/debug/deps");
        fs::create_dir_all(&deps).unwrap();
        fs::write(deps.join("libtokio-1.rlib"), "compiled").unwrap();
        fs::write(deps.join("libcode_3.so"), "a cell").unwrap();
        fs::create_dir_all(first.path().join("src")).unwrap();
        mark_ready(first.path()).unwrap();
        let second = BuildDir::acquire(&root).unwrap();
        let copied = second.path().join("target/debug/deps");
        assert_eq!(
            fs::read_to_string(copied.join("libtokio-1.rlib")).unwrap(),
            "compiled"
        );
        assert!(!copied.join("libcode_3.so").exists());
        assert!(!second.path().join("src").exists());
        assert!(second.is_ready());
        drop((first, second));
        fs::remove_dir_all(root).unwrap();
    }
}
