//! Where evcxr compiles: a folder in the user's cache that outlives the
//! session, so the second start reuses the compiled prelude and its
//! dependencies instead of building them again. Each folder is held with a
//! file lock: a second REPL started meanwhile takes the next folder instead
//! of corrupting the first one's build.

use std::fs::{self, File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

/// How many REPLs may run at once, each with a build folder of its own.
const MAX_FOLDERS: usize = 16;

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
            fs::create_dir_all(&path)?;
            let lock = OpenOptions::new()
                .create(true)
                .truncate(false)
                .write(true)
                .open(path.join(".lock"))?;
            match lock.try_lock() {
                Ok(()) => return Ok(BuildDir { path, _lock: lock }),
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

    /// Is this the first folder, the one a lone REPL always uses?
    pub fn is_primary(&self) -> bool {
        self.path.file_name().is_some_and(|name| name == "build")
    }
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
}
