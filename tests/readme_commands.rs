//! The README's first screen gives a fresh machine exactly two commands,
//! and CI runs the second: what a new user types is what CI checks.

use multitask_tests::tests_dir;

/// The commands of the README's first `sh` block, comments taken off.
fn readme_commands() -> Vec<String> {
    let readme = std::fs::read_to_string(tests_dir().join("../README.md")).unwrap();
    let block = readme
        .split("```sh\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("a ```sh block in the README");
    block
        .lines()
        .map(|line| line.split('#').next().unwrap().trim().to_string())
        .filter(|line| !line.is_empty())
        .collect()
}

#[test]
fn the_readme_gives_two_commands_and_ci_runs_its_test_command() {
    let commands = readme_commands();
    assert_eq!(
        commands,
        ["cargo run --release", "tests/run"],
        "{commands:?}"
    );
    let ci = std::fs::read_to_string(tests_dir().join("../.ci/run")).unwrap();
    let runs: Vec<&str> = ci
        .lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#') && !line.starts_with("step "))
        .collect();
    assert!(
        runs.contains(&commands[1].as_str()),
        ".ci/run does not run the README's `{}` as it stands:\n{ci}",
        commands[1]
    );
}

/// The dev container (Codespaces) greets its user with the README's two
/// commands and builds what the first one runs.
#[test]
fn the_dev_container_uses_the_readmes_commands() {
    let text = std::fs::read_to_string(tests_dir().join("../.devcontainer/devcontainer.json"))
        .expect(".devcontainer/devcontainer.json");
    // JSON with comments: whole-line `//` comments, as the file writes them.
    let json: String = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n");
    let container: serde_json::Value = serde_json::from_str(&json).expect("devcontainer.json");
    let greeting = container["postAttachCommand"].as_str().unwrap_or_default();
    for command in readme_commands() {
        assert!(greeting.contains(&command), "{command} in {greeting}");
    }
    let built = container["postCreateCommand"].as_str().unwrap_or_default();
    assert!(built.contains("cargo build --release"), "{built}");
}
