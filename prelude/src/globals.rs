//! Statics that every copy of this crate in a process shares.
//!
//! The REPL (on evcxr) compiles each cell into a shared object of its own,
//! and each one carries its own copy of this crate — with its own statics. A
//! counter, a book of child processes or a registry of threads would then
//! start afresh in every cell. So the crate's process-wide state lives in one
//! registry per process: the `multitask` binary exports
//! [`multitask_globals_v1`] (see `repl/build.rs`), every copy finds it with
//! `dlsym`, and a copy that finds none (a test, a program of your own) uses
//! its own.
//!
//! Values are created by the first copy that asks, and only ever used by code
//! compiled from this same source, so their layout agrees.

use std::collections::BTreeMap;
use std::ffi::c_void;
use std::ptr;
use std::sync::{Mutex, OnceLock};

/// The process's registry: a name, and the address of the value under it.
/// `candidate` null only looks; otherwise the first candidate for a name wins
/// and the winner is returned.
///
/// # Safety
/// `name` points to `len` readable bytes. The registry keeps addresses, not
/// values: whoever registers one must keep it alive for the rest of the
/// process, and whoever reads one must know its type — this crate's copies
/// agree on both, through [`global`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn multitask_globals_v1(
    name: *const u8,
    len: usize,
    candidate: *mut c_void,
) -> *mut c_void {
    static REGISTRY: Mutex<BTreeMap<Vec<u8>, usize>> = Mutex::new(BTreeMap::new());
    // SAFETY: the caller passes `len` readable bytes (the contract above).
    let name = unsafe { std::slice::from_raw_parts(name, len) };
    let mut registry = REGISTRY.lock().unwrap_or_else(|p| p.into_inner());
    if candidate.is_null() {
        return registry
            .get(name)
            .map_or(ptr::null_mut(), |&p| p as *mut c_void);
    }
    *registry.entry(name.to_vec()).or_insert(candidate as usize) as *mut c_void
}

type Registry = unsafe extern "C" fn(*const u8, usize, *mut c_void) -> *mut c_void;

/// The registry the binary exports, or this copy's own.
fn registry() -> Registry {
    static FOUND: OnceLock<Registry> = OnceLock::new();
    *FOUND.get_or_init(|| {
        // SAFETY: a lookup by a NUL-terminated name.
        let symbol = unsafe { libc::dlsym(libc::RTLD_DEFAULT, c"multitask_globals_v1".as_ptr()) };
        if symbol.is_null() {
            multitask_globals_v1
        } else {
            // SAFETY: the symbol is `multitask_globals_v1` of some copy of
            // this crate, which has this signature.
            unsafe { std::mem::transmute::<*mut c_void, Registry>(symbol) }
        }
    })
}

/// The process-wide value named `name`, made by `init` on first use.
pub(crate) fn global<T: Send + Sync + 'static>(name: &str, init: impl FnOnce() -> T) -> &'static T {
    let registry = registry();
    // SAFETY: `name` is `len` bytes; a lookup registers nothing.
    let found = unsafe { registry(name.as_ptr(), name.len(), ptr::null_mut()) };
    if !found.is_null() {
        // SAFETY: registered under this name by `global::<T>` below: names are
        // unique per type (see `shared!`), and values are never freed.
        return unsafe { &*found.cast::<T>() };
    }
    let candidate = Box::into_raw(Box::new(init()));
    // SAFETY: `name` is `len` bytes; `candidate` is leaked (lives for the
    // process) unless another wins, and every reader of the name takes it
    // as a `T` (names are unique per type).
    let chosen = unsafe { registry(name.as_ptr(), name.len(), candidate.cast()) };
    if chosen != candidate.cast() {
        // Another thread registered first: ours was never shared.
        // SAFETY: `candidate` came from `Box::into_raw` just above.
        drop(unsafe { Box::from_raw(candidate) });
    }
    // SAFETY: as above.
    unsafe { &*chosen.cast::<T>() }
}

/// `shared!(fn name() -> Type = init;)` defines a function returning the
/// process-wide `&'static Type`, shared by every copy of the crate.
macro_rules! shared {
    ($(#[$attr:meta])* $vis:vis fn $name:ident() -> $t:ty = $init:expr;) => {
        $(#[$attr])*
        $vis fn $name() -> &'static $t {
            static CELL: ::std::sync::OnceLock<&'static $t> = ::std::sync::OnceLock::new();
            CELL.get_or_init(|| {
                $crate::globals::global(
                    concat!(env!("CARGO_PKG_VERSION"), " ", module_path!(), "::", stringify!($name)),
                    || $init,
                )
            })
        }
    };
}
pub(crate) use shared;
