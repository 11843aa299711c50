//! The vendored crates' patch queues (`vendor/README.md`): the patches apply
//! to the published crates and give exactly the trees cargo builds.

use std::path::Path;
use std::process::{Command, Output};

use multitask_tests::tests_dir;

/// The workspace's root.
fn root() -> &'static Path {
    tests_dir().parent().expect("tests/ is in the workspace")
}

fn queue_check(root: &Path) -> Output {
    Command::new("python3")
        .arg(root.join("vendor/queue"))
        .arg("check")
        .output()
        .expect("python3 runs vendor/queue")
}

#[test]
fn the_patch_queues_apply_and_give_the_trees() {
    let output = queue_check(root());
    let said = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(said.contains("evcxr: 36 patches apply"), "{said}");
    assert!(said.contains("zeromq: 4 patches apply"), "{said}");
}

/// A copy of `vendor/` (and the lock file the queue reads) to break.
fn copy_of_vendor(name: &str) -> std::path::PathBuf {
    let copy = multitask_tests::scratch_dir(name);
    let status = Command::new("cp")
        .arg("-r")
        .arg(root().join("vendor"))
        .arg(root().join("Cargo.lock"))
        .arg(&copy)
        .status()
        .unwrap();
    assert!(status.success());
    copy
}

#[test]
fn a_tree_edited_without_its_patch_fails_the_check() {
    let copy = copy_of_vendor("vendor-queue");
    let edited = copy.join("vendor/evcxr/src/runtime.rs");
    let text = std::fs::read_to_string(&edited).unwrap();
    std::fs::write(&edited, text.replacen("(self.hooks.begin)();", "", 1)).unwrap();

    let output = queue_check(&copy);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{said}");
    assert!(said.contains("tree/src/runtime.rs"), "{said}");
    assert!(
        said.contains("-            (self.hooks.begin)();"),
        "{said}"
    );
}

/// A patch that makes a file the series does not take (a check build's
/// `Cargo.lock` committed by mistake) fails, though the tree is unchanged.
#[test]
fn a_patch_that_makes_a_file_the_series_does_not_take_fails_the_check() {
    let copy = copy_of_vendor("vendor-queue-stray");
    let patches = copy.join("vendor/evcxr/patches");
    let last = std::fs::read_dir(&patches)
        .unwrap()
        .flatten()
        .map(|entry| entry.path())
        .filter(|path| path.extension().is_some_and(|e| e == "patch"))
        .max()
        .expect("a patch");
    let mut text = std::fs::read_to_string(&last).unwrap();
    text.push_str(
        "diff --git a/Cargo.lock b/Cargo.lock\nnew file mode 100644\n--- /dev/null\n\
         +++ b/Cargo.lock\n@@ -0,0 +1 @@\n+# a stray lock file\n",
    );
    std::fs::write(&last, text).unwrap();

    let output = queue_check(&copy);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{said}");
    assert!(
        said.contains("Cargo.lock: made by a patch, but the files line does not take it"),
        "{said}"
    );
}
