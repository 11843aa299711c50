//! The kernel's five sockets, bound as [`jupyter_zmq_client`] binds them,
//! with two things its helpers leave out:
//!
//! - **a size limit**: no peer may send a message larger than
//!   [`MAX_MESSAGE_SIZE`]. Its frame header is refused before anything is
//!   allocated for it, that peer is dropped, the others are served (our
//!   `zeromq` patch, `vendor/zeromq/PATCHES.md`). Without it one header
//!   claiming 2^62 bytes, sent by anyone who can reach a port, aborted the
//!   kernel: no key is needed to send a frame header.
//! - **the connection file's `signature_scheme`**: messages are signed and
//!   checked with the hash it names (see [`signing_key`]).

use jupyter_protocol::ConnectionInfo;
use jupyter_zmq_client::{
    Connection, KernelControlConnection, KernelHeartbeatConnection, KernelIoPubConnection,
    KernelShellConnection, KernelStdinConnection,
};
use ring::hmac;
use zeromq::{PubSocket, RepSocket, RouterSocket, Socket as _, SocketOptions};

/// The largest message a peer may send the kernel: 256 MiB, far above any
/// real one (a cell's code, a widget's buffers) and far below what would
/// hurt the machine.
pub const MAX_MESSAGE_SIZE: usize = 256 * 1024 * 1024;

/// A `signature_scheme` this kernel does not sign with.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SchemeError {
    /// Not `hmac-` and a hash: no scheme Jupyter defines.
    #[error(
        "the connection file's signature_scheme {0:?} is not a scheme Jupyter defines \
         (\"hmac-\" and a hash, e.g. \"hmac-sha256\")"
    )]
    NotHmac(String),
    /// `hmac-` and a hash this kernel cannot compute.
    #[error(
        "the connection file's signature_scheme {0:?} names a hash this kernel does not \
         compute: use hmac-sha256 (Jupyter's default), hmac-sha384, hmac-sha512 or hmac-sha1"
    )]
    UnknownHash(String),
}

/// The key messages are signed with: the connection file's `key` under its
/// `signature_scheme`; `None` when the key is empty (the protocol's "no
/// signing"; the kernel warns about it in its log).
///
/// ```
/// use jupyter_protocol::ConnectionInfo;
/// use multitask_repl::kernel::sockets::{SchemeError, signing_key};
///
/// let mut info: ConnectionInfo = serde_json::from_value(serde_json::json!({
///     "ip": "127.0.0.1", "transport": "tcp", "shell_port": 1, "iopub_port": 2,
///     "stdin_port": 3, "control_port": 4, "hb_port": 5,
///     "key": "secret", "signature_scheme": "hmac-sha512",
/// })).unwrap();
/// assert!(signing_key(&info).unwrap().is_some());
/// info.signature_scheme = "rot13".into();
/// assert_eq!(signing_key(&info).err(), Some(SchemeError::NotHmac("rot13".into())));
/// ```
pub fn signing_key(info: &ConnectionInfo) -> Result<Option<hmac::Key>, SchemeError> {
    let scheme = info.signature_scheme.as_str();
    let hash = scheme
        .strip_prefix("hmac-")
        .filter(|hash| !hash.is_empty())
        .ok_or_else(|| SchemeError::NotHmac(scheme.to_string()))?;
    let algorithm = match hash {
        "sha256" => hmac::HMAC_SHA256,
        "sha384" => hmac::HMAC_SHA384,
        "sha512" => hmac::HMAC_SHA512,
        "sha1" => hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY,
        _ => return Err(SchemeError::UnknownHash(scheme.to_string())),
    };
    Ok((!info.key.is_empty()).then(|| hmac::Key::new(algorithm, info.key.as_bytes())))
}

/// The kernel's sockets, bound.
pub struct Sockets {
    /// Requests that run cells, complete and inspect code.
    pub shell: KernelShellConnection,
    /// Interrupts, shutdowns and `kernel_info`, answered while a cell runs.
    pub control: KernelControlConnection,
    /// Where the kernel asks the front end for a line of input.
    pub stdin: KernelStdinConnection,
    /// Outputs and status, to every front end.
    pub iopub: KernelIoPubConnection,
    /// Pings, echoed.
    pub heartbeat: KernelHeartbeatConnection,
}

/// Binds the five sockets `info` names, each refusing messages larger than
/// [`MAX_MESSAGE_SIZE`], signing with [`signing_key`].
pub async fn bind(info: &ConnectionInfo, session_id: &str) -> anyhow::Result<Sockets> {
    let mac = signing_key(info)?;
    if mac.is_none() {
        eprintln!(
            "multitask kernel: warning: the connection file's key is empty, so messages are \
             not signed: anyone who can reach these ports can run code here"
        );
    }
    let mut shell = RouterSocket::with_options(options());
    shell.bind(&info.shell_url()).await?;
    let mut control = RouterSocket::with_options(options());
    control.bind(&info.control_url()).await?;
    let mut stdin = RouterSocket::with_options(options());
    stdin.bind(&info.stdin_url()).await?;
    let mut iopub = PubSocket::with_options(options());
    iopub.bind(&info.iopub_url()).await?;
    let mut heartbeat = RepSocket::with_options(options());
    heartbeat.bind(&info.hb_url()).await?;
    Ok(Sockets {
        shell: connection(shell, &mac, session_id),
        control: connection(control, &mac, session_id),
        stdin: connection(stdin, &mac, session_id),
        iopub: connection(iopub, &mac, session_id),
        heartbeat: KernelHeartbeatConnection { socket: heartbeat },
    })
}

fn connection<S>(socket: S, mac: &Option<hmac::Key>, session_id: &str) -> Connection<S> {
    Connection {
        socket,
        mac: mac.clone(),
        session_id: session_id.to_string(),
    }
}

fn options() -> SocketOptions {
    let mut options = SocketOptions::default();
    options.max_message_size(MAX_MESSAGE_SIZE);
    options
}
