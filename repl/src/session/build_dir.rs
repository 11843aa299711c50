//! Where evcxr compiles: a folder in the user's cache that outlives the
//! session, so the second start reuses the compiled prelude and its
//! dependencies instead of building them again. Each folder is held with a
//! file lock: a second REPL or kernel started meanwhile takes the next
//! folder instead of corrupting the first one's build — and, if that folder
//! has never been built in, it starts as a copy of one that has, so it
//! compiles no dependency again (cargo keeps a build valid when it moves).
//!
//! On a machine many learners share (a class on one JupyterHub), the admin
//! builds the prelude once with `multitask warm` ([`SharedBuild`]); each
//! learner's folder then starts as links to that build instead of a copy
//! (a few MB of cargo's records of their own, not 145 MB), and starts over
//! from it when the admin builds it again.
//!
//! Folders do not pile up: besides the first, at most one folder no session
//! holds is kept (the spare the next second session starts in). A session
//! whose folder is not the first removes it as it ends when a spare is there
//! already, and each start removes the spares beyond one that sessions
//! killed before they could clean up left behind. A folder is only removed
//! by whoever holds its lock; a session that locked a folder just as it was
//! removed sees that its lock file is gone and takes another.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use super::shared_build::SharedBuild;

/// How many REPLs may run at once, each with a build folder of its own.
const MAX_FOLDERS: usize = 16;

/// The marker that says a session has started in a folder: the prelude and
/// its dependencies are compiled there. A folder seeded from a shared build
/// holds that build's stamp in it.
pub(crate) const READY_MARKER: &str = ".multitask-ready";

/// What a copy leaves out: the lock, the cell's source and evcxr's record of
/// its rustc command (both name the folder they were made in), the cells'
/// shared objects (each session numbers its own), and rustc's incremental
/// caches (of the cell crate, remade by the next build).
fn left_out(name: &str) -> bool {
    matches!(
        name,
        ".lock" | "src" | ".evcxr-rustc-command" | "evcxr-probe" | "incremental"
    ) || name.starts_with("libcode_")
}

/// Whether a seed links `file` to the shared build rather than copying it:
/// what rustc and the linker built for a dependency (libraries and build
/// scripts), which a fresh build only reads and a rebuild replaces. Cargo's
/// records (fingerprints, build-script output, dep-info, which cargo and
/// rustc write in place) are copied.
fn linked(file: &str) -> bool {
    let compiled = [".rlib", ".rmeta", ".so", ".a"]
        .iter()
        .any(|ext| file.ends_with(ext));
    compiled || file.starts_with("build-script-") || file.starts_with("build_script_")
}

/// A build folder, locked for as long as this value lives.
#[derive(Debug)]
pub struct BuildDir {
    path: PathBuf,
    /// Which folder it is: 0 for `build`, n for `build-n`.
    number: usize,
    /// Why the folder did not start from the shared build it was to start
    /// from (that build is not finished, or linking failed and the folder
    /// starts empty: a cold build).
    unseeded: Option<String>,
    _lock: File,
}

impl BuildDir {
    /// Locks the first free folder under `root`: `build`, else `build-1`, ….
    /// A folder not yet built in is seeded from `shared` when given (and
    /// re-seeded when `shared` was built again since), else copied from a
    /// warm folder of this user's.
    pub fn acquire(root: &Path, shared: Option<&SharedBuild>) -> io::Result<BuildDir> {
        let mut n = 0;
        while n < MAX_FOLDERS {
            let path = folder(root, n);
            create_private_dir(&path)?;
            let lock = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path.join(".lock"))?;
            match lock.try_lock() {
                // Locked just as its holder removed the folder: try again.
                Ok(()) if !still_there(&lock, &path) => continue,
                Ok(()) => {
                    let unseeded = fill(&path, root, n, shared)?;
                    let taken = BuildDir {
                        path,
                        number: n,
                        unseeded,
                        _lock: lock,
                    };
                    remove_spares(root, n, 1);
                    return Ok(taken);
                }
                Err(TryLockError::WouldBlock) => n += 1,
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
        self.number == 0
    }

    /// Why this folder did not start from the shared build it was given,
    /// in words that follow "not starting from the shared build: ".
    pub fn unseeded(&self) -> Option<&str> {
        self.unseeded.as_deref()
    }
}

impl Drop for BuildDir {
    /// A folder other than the first is removed as its session ends when
    /// another spare is there already.
    fn drop(&mut self) {
        let Some(root) = self.path.parent() else {
            return;
        };
        if !self.is_primary() && spare_of(root, self.number).is_some() {
            // Still locked by us: nobody else is in it.
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Fills folder number `n` under `root` (`path`, just locked) if it needs
/// it: from `shared` when that is finished (again when the folder was seeded
/// from an older build), else from a warm folder of this user's. Returns why
/// the folder did not start from `shared`, if it was given and did not.
fn fill(
    path: &Path,
    root: &Path,
    n: usize,
    shared: Option<&SharedBuild>,
) -> io::Result<Option<String>> {
    let Some(shared) = shared else {
        copy_warm(path, root, n);
        return Ok(None);
    };
    let Some(stamp) = shared.stamp() else {
        copy_warm(path, root, n);
        return Ok(Some(
            "it is not finished (`multitask warm` has not run there)".into(),
        ));
    };
    if is_ready(path) && is_seeded(path).is_none_or(|seeded| seeded == stamp) {
        return Ok(None);
    }
    empty_folder(path)?;
    match shared.seed(path, &stamp) {
        Ok(()) => Ok(None),
        Err(e) => {
            // Half a seed would mislead cargo: start empty.
            empty_folder(path)?;
            Ok(Some(format!("it could not be linked from ({e})")))
        }
    }
}

/// Copies a warm folder of this user's into `path` (folder number `n` under
/// `root`) if `path` has nothing compiled yet; a failed copy only means a
/// cold build.
fn copy_warm(path: &Path, root: &Path, n: usize) {
    if !is_ready(path)
        && let Some(warm) = warm_folder(root, n)
    {
        let _ = copy_folder(&warm, path, Copy::Files).and_then(|()| mark_ready(path));
    }
}

/// Folder number `n` under `root`: `build`, `build-1`, ….
fn folder(root: &Path, n: usize) -> PathBuf {
    match n {
        0 => root.join("build"),
        n => root.join(format!("build-{n}")),
    }
}

/// Whether the lock file `lock` (locked) is still the one at `path`'s
/// `.lock`: not removed with its folder meanwhile.
fn still_there(lock: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt as _;
    match (lock.metadata(), fs::metadata(path.join(".lock"))) {
        (Ok(held), Ok(now)) => held.ino() == now.ino() && held.dev() == now.dev(),
        _ => false,
    }
}

/// The first folder other than the first and `except` that exists and that
/// no session holds.
fn spare_of(root: &Path, except: usize) -> Option<usize> {
    (1..MAX_FOLDERS)
        .filter(|&n| n != except)
        .find(|&n| free(&folder(root, n)).is_some())
}

/// The folder's lock, taken, if the folder exists and no session holds it.
fn free(path: &Path) -> Option<File> {
    let lock = File::options().write(true).open(path.join(".lock")).ok()?;
    (lock.try_lock().is_ok() && still_there(&lock, path)).then_some(lock)
}

/// Removes the folders (other than the first and `except`) that no session
/// holds, beyond the first `keep` of them.
fn remove_spares(root: &Path, except: usize, keep: usize) {
    let mut kept = 0;
    for n in (1..MAX_FOLDERS).filter(|&n| n != except) {
        let path = folder(root, n);
        let Some(lock) = free(&path) else {
            continue;
        };
        if kept < keep {
            kept += 1;
            continue;
        }
        // Removed while its lock is held: a session opening it now finds
        // its lock file gone (`still_there`) and moves on.
        let _ = fs::remove_dir_all(&path);
        drop(lock);
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
/// successful start). A folder seeded from a shared build keeps its stamp.
pub fn mark_ready(folder: &Path) -> io::Result<()> {
    if is_seeded(folder).is_some() {
        return Ok(());
    }
    fs::write(folder.join(READY_MARKER), "")
}

/// What a marker of a folder seeded from a shared build starts with,
/// followed by the shared build's stamp.
const SEEDED_FROM: &str = "seeded from ";

/// Marks `folder` as seeded from the shared build stamped `stamp`.
pub(crate) fn mark_seeded(folder: &Path, stamp: &str) -> io::Result<()> {
    fs::write(folder.join(READY_MARKER), format!("{SEEDED_FROM}{stamp}"))
}

/// The stamp of the shared build `folder` was seeded from, if it was.
fn is_seeded(folder: &Path) -> Option<String> {
    let marker = fs::read_to_string(folder.join(READY_MARKER)).ok()?;
    marker.strip_prefix(SEEDED_FROM).map(str::to_string)
}

/// Removes everything in `folder` (locked by us) but its lock.
fn empty_folder(folder: &Path) -> io::Result<()> {
    for entry in fs::read_dir(folder)? {
        let entry = entry?;
        if entry.file_name() == ".lock" {
            continue;
        }
        if entry.file_type()?.is_dir() {
            fs::remove_dir_all(entry.path())?;
        } else {
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

/// A folder under `root` other than number `taken` with the prelude
/// compiled in it, the first folder preferred.
fn warm_folder(root: &Path, taken: usize) -> Option<PathBuf> {
    (0..MAX_FOLDERS)
        .filter(|&n| n != taken)
        .map(|n| folder(root, n))
        .find(|folder| is_ready(folder))
}

/// How [`copy_folder`] makes each file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Copy {
    /// Every file copied.
    Files,
    /// What [`linked`] names as a symbolic link to the original (which must
    /// stay where it is), the rest copied.
    Links,
}

/// Copies `from` into `to`, files with their modification times, leaving
/// out what [`left_out`] names; symbolic links are copied as links. `from`
/// may be in use meanwhile: what a running session rewrites there is the
/// cell crate's, which the next build remakes anyway.
pub(crate) fn copy_folder(from: &Path, to: &Path, how: Copy) -> io::Result<()> {
    fs::create_dir_all(to)?;
    for entry in fs::read_dir(from)? {
        let entry = entry?;
        let name = entry.file_name();
        let Some(text) = name.to_str() else {
            continue;
        };
        if left_out(text) {
            continue;
        }
        let target = to.join(&name);
        let kind = entry.file_type()?;
        if kind.is_dir() {
            copy_folder(&entry.path(), &target, how)?;
        } else if kind.is_symlink() {
            std::os::unix::fs::symlink(fs::read_link(entry.path())?, &target)?;
        } else if kind.is_file() && how == Copy::Links && linked(text) {
            // Cargo reads the original's time through the link.
            std::os::unix::fs::symlink(entry.path(), &target)?;
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
        let first = BuildDir::acquire(&root, None).unwrap();
        let second = BuildDir::acquire(&root, None).unwrap();
        assert!(first.is_primary());
        assert!(!second.is_primary());
        assert_ne!(first.path(), second.path());
        drop(first);
        let again = BuildDir::acquire(&root, None).unwrap();
        assert!(again.is_primary());
        drop((second, again));
        fs::remove_dir_all(root).unwrap();
    }

    fn folders(root: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(root)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }

    #[test]
    fn ended_sessions_leave_the_first_folder_and_at_most_one_spare() {
        let root =
            std::env::temp_dir().join(format!("multitask-build-spares-{}", std::process::id()));
        let sessions: Vec<BuildDir> = (0..4)
            .map(|_| BuildDir::acquire(&root, None).unwrap())
            .collect();
        assert_eq!(folders(&root), ["build", "build-1", "build-2", "build-3"]);
        drop(sessions);
        assert_eq!(folders(&root), ["build", "build-1"]);
        // Sessions killed before they could remove theirs: the next start
        // removes what is beyond one spare.
        for n in 2..5 {
            create_private_dir(&folder(&root, n)).unwrap();
            fs::write(folder(&root, n).join(".lock"), "").unwrap();
        }
        let next = BuildDir::acquire(&root, None).unwrap();
        assert!(next.is_primary());
        assert_eq!(folders(&root), ["build", "build-1"]);
        // A folder in use is never removed.
        let second = BuildDir::acquire(&root, None).unwrap();
        let third = BuildDir::acquire(&root, None).unwrap();
        assert_eq!(folders(&root), ["build", "build-1", "build-2"]);
        drop(second);
        assert!(third.path().exists());
        drop((next, third));
        fs::remove_dir_all(root).unwrap();
    }

    #[test]
    fn a_second_folder_starts_as_a_copy_of_a_warm_one() {
        let root =
            std::env::temp_dir().join(format!("multitask-build-seed-{}", std::process::id()));
        let first = BuildDir::acquire(&root, None).unwrap();
        let deps = first.path().join("target/debug/deps");
        fs::create_dir_all(&deps).unwrap();
        fs::write(deps.join("libtokio-1.rlib"), "compiled").unwrap();
        fs::write(deps.join("libcode_3.so"), "a cell").unwrap();
        fs::create_dir_all(first.path().join("src")).unwrap();
        mark_ready(first.path()).unwrap();
        let second = BuildDir::acquire(&root, None).unwrap();
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
