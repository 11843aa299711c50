//! `multitask kernel install`: the kernelspec that lets Jupyter start us.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

/// The kernel's name in Jupyter (`--kernel multitask`, `"name"` in notebooks).
pub const KERNEL_NAME: &str = "multitask";

/// Where the kernelspec goes: `<prefix>/share/jupyter/kernels/multitask` with
/// a prefix, else under `JUPYTER_DATA_DIR`, else under the first folder of
/// `JUPYTER_PATH`, else under the user's Jupyter data folder
/// (`~/.local/share/jupyter`), as `jupyter kernelspec install --user` does.
pub fn kernel_dir(prefix: Option<&Path>) -> Result<PathBuf> {
    let data_dir = if let Some(prefix) = prefix {
        prefix.join("share").join("jupyter")
    } else if let Some(dir) = std::env::var_os("JUPYTER_DATA_DIR").filter(|d| !d.is_empty()) {
        PathBuf::from(dir)
    } else if let Some(first) = std::env::var_os("JUPYTER_PATH")
        .and_then(|paths| std::env::split_paths(&paths).find(|p| !p.as_os_str().is_empty()))
    {
        first
    } else {
        dirs::data_dir()
            .context("no data folder for this user; pass --prefix")?
            .join("jupyter")
    };
    Ok(data_dir.join("kernels").join(KERNEL_NAME))
}

/// The kernelspec's `kernel.json`: Jupyter runs `exe kernel --connection-file
/// …`, with the prelude found now so the kernel does not have to look, and
/// the shared build (`multitask warm`) its build folders start from, if any.
pub fn kernel_json(exe: &Path, prelude: &Path, shared: Option<&Path>) -> serde_json::Value {
    let mut argv = vec![
        exe.display().to_string(),
        "--prelude".to_string(),
        prelude.display().to_string(),
    ];
    if let Some(shared) = shared {
        argv.extend(["--shared-build".to_string(), shared.display().to_string()]);
    }
    argv.extend(["kernel", "--connection-file", "{connection_file}"].map(String::from));
    serde_json::json!({
        "argv": argv,
        "display_name": "Rust (multitask)",
        "language": "rust",
        "interrupt_mode": "message",
        "metadata": { "debugger": false },
    })
}

/// The logos Jupyter shows for the kernel (the launcher, the notebook's
/// corner), by the file names a kernelspec gives them; drawn by
/// `repl/assets/make_logos.py`.
const LOGOS: [(&str, &[u8]); 3] = [
    (
        "logo-32x32.png",
        include_bytes!("../../assets/logo-32x32.png"),
    ),
    (
        "logo-64x64.png",
        include_bytes!("../../assets/logo-64x64.png"),
    ),
    ("logo-svg.svg", include_bytes!("../../assets/logo-svg.svg")),
];

/// Writes the kernelspec; returns the folder it went to.
pub fn install(prefix: Option<&Path>, prelude: &Path, shared: Option<&Path>) -> Result<PathBuf> {
    let dir = kernel_dir(prefix)?;
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create {}", dir.display()))?;
    let exe = std::env::current_exe().context("cannot find this program's path")?;
    let json = serde_json::to_string_pretty(&kernel_json(&exe, prelude, shared))?;
    let file = dir.join("kernel.json");
    std::fs::write(&file, json + "\n")
        .with_context(|| format!("cannot write {}", file.display()))?;
    for (name, bytes) in LOGOS {
        let file = dir.join(name);
        std::fs::write(&file, bytes).with_context(|| format!("cannot write {}", file.display()))?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_logos_are_what_their_names_say() {
        for (name, bytes) in LOGOS {
            if name.ends_with(".png") {
                assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "{name}");
                let width = u32::from_be_bytes(bytes[16..20].try_into().unwrap());
                assert!(name.starts_with(&format!("logo-{width}x{width}")), "{name}");
            } else {
                assert!(bytes.starts_with(b"<svg"), "{name}");
            }
        }
    }

    #[test]
    fn a_prefix_puts_the_kernelspec_under_share_jupyter() {
        let dir = kernel_dir(Some(Path::new("/opt/env"))).unwrap();
        assert_eq!(dir, Path::new("/opt/env/share/jupyter/kernels/multitask"));
    }

    #[test]
    fn the_kernelspec_runs_this_binary_with_the_connection_file() {
        let json = kernel_json(Path::new("/bin/multitask"), Path::new("/src/prelude"), None);
        let argv: Vec<&str> = json["argv"]
            .as_array()
            .unwrap()
            .iter()
            .map(|a| a.as_str().unwrap())
            .collect();
        assert_eq!(
            argv,
            [
                "/bin/multitask",
                "--prelude",
                "/src/prelude",
                "kernel",
                "--connection-file",
                "{connection_file}"
            ]
        );
        assert_eq!(json["interrupt_mode"], "message");
        assert_eq!(json["language"], "rust");
    }

    #[test]
    fn a_shared_build_is_named_before_the_kernel_command() {
        let json = kernel_json(
            Path::new("/bin/multitask"),
            Path::new("/src/prelude"),
            Some(Path::new("/opt/multitask/shared")),
        );
        let argv = json["argv"].as_array().unwrap();
        assert_eq!(argv[3], "--shared-build");
        assert_eq!(argv[4], "/opt/multitask/shared");
        assert_eq!(argv[5], "kernel");
    }
}
