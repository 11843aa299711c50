//! What the kernel says about itself (`kernel_info_reply`).

use jupyter_protocol::{CodeMirrorMode, KernelInfoReply, LanguageInfo, ReplyStatus};

/// What the kernel says about itself.
pub(super) fn kernel_info() -> KernelInfoReply {
    KernelInfoReply {
        status: ReplyStatus::Ok,
        protocol_version: "5.3".to_string(),
        implementation: "multitask".to_string(),
        implementation_version: env!("CARGO_PKG_VERSION").to_string(),
        language_info: LanguageInfo {
            name: "rust".to_string(),
            version: rustc_version(),
            mimetype: Some("text/rust".to_string()),
            file_extension: Some(".rs".to_string()),
            pygments_lexer: Some("rust".to_string()),
            codemirror_mode: Some(CodeMirrorMode::Simple("rust".to_string())),
            nbconvert_exporter: Some("rust".to_string()),
        },
        banner: "multitask: Rust with the multitask prelude (Python's multitasking, the Rust way)"
            .to_string(),
        help_links: Vec::new(),
        debugger: false,
        error: None,
    }
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
