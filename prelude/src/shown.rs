//! How the prelude's values show themselves as a cell's value: evcxr's
//! content blocks (`EVCXR_BEGIN_CONTENT <mime>` … `EVCXR_END_CONTENT`), one
//! per form — text for the terminal, HTML or SVG for Jupyter.
//!
//! In the REPL's runtime the blocks go on evcxr's protocol channel, the
//! descriptor `EVCXR_PROTOCOL_FD` names (see `vendor/evcxr/PATCHES.md`,
//! "give-evcxrs-protocol-a-channel-of-its-own"), so they show even after a cell closed its stdout;
//! anywhere else, on stdout, as evcxr documents for a type's own
//! `evcxr_display`.

use std::io::Write;

/// The variable that names the protocol's descriptor in evcxr's runtime.
const PROTOCOL_FD_VAR: &str = "EVCXR_PROTOCOL_FD";

/// One content block per `(mime type, text)` form, as one write.
pub(crate) fn show(forms: &[(&str, &str)]) {
    let message: String = forms
        .iter()
        .map(|(mime, text)| format!("EVCXR_BEGIN_CONTENT {mime}\n{text}\nEVCXR_END_CONTENT\n"))
        .collect();
    // Opened anew through /proc: the same pipe on a descriptor of our own,
    // closed after, so the runtime's is never taken over.
    let channel = std::env::var(PROTOCOL_FD_VAR).ok().and_then(|fd| {
        std::fs::OpenOptions::new()
            .write(true)
            .open(format!("/proc/self/fd/{fd}"))
            .ok()
    });
    match channel {
        Some(mut channel) => {
            let _ = std::io::stdout().flush();
            let _ = channel.write_all(message.as_bytes());
        }
        None => print!("{message}"),
    }
}
