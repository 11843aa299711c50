//! `multitask kernel install` checks what it wrote, and `multitask kernel
//! doctor` says what is wrong with an installed kernel: a binary or prelude
//! that moved, a kernelspec Jupyter finds along `JUPYTER_PATH`.

use std::path::Path;
use std::process::{Command, Output};

use multitask_tests::{multitask_bin, scratch_dir};

fn multitask(args: &[&str], env: &[(&str, &Path)]) -> (Output, String) {
    let mut command = Command::new(multitask_bin());
    command.args(args);
    for (name, value) in env {
        command.env(name, value);
    }
    let output = command.output().expect("multitask runs");
    let said = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output, said)
}

/// A kernelspec installed under a new scratch prefix: the prefix, and what
/// `kernel install` said.
fn installed(name: &str) -> (std::path::PathBuf, String) {
    let prefix = scratch_dir(name);
    let (done, said) = multitask(
        &["kernel", "install", "--prefix", prefix.to_str().unwrap()],
        &[],
    );
    assert!(done.status.success(), "{said}");
    (prefix, said)
}

#[test]
fn install_checks_what_it_wrote_and_doctor_finds_it_along_jupyter_path() {
    let (prefix, said) = installed("kernel-doctor-install");
    let prefix_arg = prefix.to_str().unwrap();
    assert!(
        said.contains("✓ the kernelspec runs") && said.contains("this binary"),
        "{said}"
    );
    assert!(said.contains("✓ the prelude is at"), "{said}");

    let (_, said) = multitask(&["kernel", "doctor", "--prefix", prefix_arg], &[]);
    assert!(said.contains("✓ Jupyter uses the kernelspec in"), "{said}");
    // Found without --prefix too, where Jupyter looks.
    let empty = prefix.join("empty");
    let (_, said) = multitask(
        &["kernel", "doctor"],
        &[
            ("JUPYTER_PATH", &prefix.join("share/jupyter")),
            ("JUPYTER_DATA_DIR", &empty),
        ],
    );
    assert!(
        said.contains(&format!(
            "✓ Jupyter uses the kernelspec in {}",
            prefix.join("share/jupyter/kernels/multitask").display()
        )),
        "{said}"
    );
    for line in said.lines().filter(|l| l.starts_with('✗')) {
        assert!(
            !line.contains("kernelspec") && !line.contains("prelude"),
            "{said}"
        );
    }
}

#[test]
fn doctor_names_a_binary_and_a_prelude_that_are_gone() {
    let (prefix, _) = installed("kernel-doctor-moved");
    let prefix_arg = prefix.to_str().unwrap();
    let spec = prefix.join("share/jupyter/kernels/multitask/kernel.json");
    let mut json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&spec).unwrap()).unwrap();
    json["argv"][0] = "/gone/multitask".into();
    json["argv"][2] = "/gone/prelude".into();
    std::fs::write(&spec, json.to_string()).unwrap();

    let (doctor, said) = multitask(&["kernel", "doctor", "--prefix", prefix_arg], &[]);
    assert!(!doctor.status.success(), "{said}");
    assert!(
        said.contains("✗ the kernelspec runs /gone/multitask, which is not there"),
        "{said}"
    );
    assert!(said.contains("→ build it again"), "{said}");
    assert!(
        said.contains("✗ the prelude the kernelspec names, /gone/prelude, is not there"),
        "{said}"
    );
}
