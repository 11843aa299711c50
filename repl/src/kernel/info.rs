//! What the kernel says about itself (`kernel_info_reply`).

use jupyter_protocol::{CodeMirrorMode, KernelInfoReply, LanguageInfo, ReplyStatus};

/// What the kernel says about itself.
pub(super) fn kernel_info() -> KernelInfoReply {
    KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: "5.3".to_string(),
        implementation: "multitask".to_string(),
        implementation_version: env!("CARGO_PKG_VERSION").to_string(),
        language_info: language_info(),
        banner: format!(
            "multitask {}: Rust {} with the multitask prelude (Python's multitasking, the Rust way)",
            env!("CARGO_PKG_VERSION"),
            rustc_version()
        ),
        help_links: Vec::new(),
        debugger: false,
        error: None,
    }
}

/// The language the kernel speaks, as JupyterLab stores it in each
/// notebook's `metadata.language_info` — so it must not change from machine
/// to machine, or every notebook would open as changed: `version` is the
/// edition cells are compiled in, not the compiler's version (the banner
/// has that). `multitask check` holds the notebooks to it.
pub fn language_info() -> LanguageInfo {
    LanguageInfo {
        name: "rust".to_string(),
        version: "2024".to_string(),
        mimetype: Some("text/rust".to_string()),
        file_extension: Some(".rs".to_string()),
        pygments_lexer: Some("rust".to_string()),
        codemirror_mode: Some(CodeMirrorMode::Simple("rust".to_string())),
        nbconvert_exporter: Some("rust".to_string()),
    }
}

/// [`language_info`] as the notebook's JSON holds it.
pub fn language_info_json() -> serde_json::Value {
    serde_json::to_value(language_info()).expect("language_info serializes")
}

/// The compiler's version, e.g. `1.95.0`, asked once.
fn rustc_version() -> String {
    static VERSION: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    VERSION
        .get_or_init(|| {
            std::process::Command::new("rustc")
                .arg("--version")
                .output()
                .ok()
                .and_then(|out| String::from_utf8(out.stdout).ok())
                .and_then(|text| text.split_whitespace().nth(1).map(str::to_string))
                .unwrap_or_else(|| "unknown".to_string())
        })
        .clone()
}
