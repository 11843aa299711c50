//! Statics that every copy of this crate in a process shares, made so that a
//! fork never finds one half made.
//!
//! The REPL (on evcxr) compiles each cell into a shared object of its own,
//! and each one carries its own copy of this crate — with its own statics. A
//! counter, a book of child processes or a registry of threads would then
//! start afresh in every cell. So the crate's process-wide state lives in one
//! [`Registry`] per process: the `multitask` binary exports
//! [`multitask_registry_v2`] (see `repl/build.rs`), every copy finds it with
//! `dlsym`, and a copy that finds none (a test, a program of your own) uses
//! its own.
//!
//! Values are made by the first copy that asks, and only ever used by code
//! compiled from this same source, so their layout agrees. Making one is a
//! *first use*: one thread at a time makes values (a value made while making
//! another is part of the same first use), and [`hold_for_fork`] waits until
//! no first use is under way and keeps new ones out while it forks. A fork
//! from another thread can therefore never leave a child waiting for a value
//! that a thread it did not copy was making.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicPtr, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex, MutexGuard};

/// The process's shared values, by name, and who is making values now.
pub struct Registry {
    state: Mutex<State>,
    /// Notified when a first use ends.
    made: Condvar,
}

struct State {
    /// A name, and the address of its value (leaked: it lives for the process).
    values: BTreeMap<Vec<u8>, usize>,
    /// The thread (by kernel id: each copy of the crate has its own
    /// `std`, and so its own `ThreadId`s) making values now, and how deep.
    maker: Option<(libc::pid_t, usize)>,
}

/// Defines the function the binary exports the registry through, and
/// [`REGISTRY_SYMBOL`], its name, from the same identifier.
macro_rules! exported {
    ($name:ident) => {
        /// The registry of whichever copy of this crate the binary holds;
        /// `dlsym` finds it from every other copy.
        // SAFETY (`no_mangle`): the name is versioned and this crate's own;
        // no other symbol in a process that links it has it (the copies'
        // duplicates are never looked up but through `dlsym`, which takes
        // the first).
        #[unsafe(no_mangle)]
        pub extern "C" fn $name() -> &'static Registry {
            static REGISTRY: Registry = Registry {
                state: Mutex::new(State {
                    values: BTreeMap::new(),
                    maker: None,
                }),
                made: Condvar::new(),
            };
            &REGISTRY
        }

        /// The symbol the `multitask` binary exports for every copy of the
        /// prelude to find the registry by (`repl/build.rs` names it; a test
        /// there checks it still does).
        pub const REGISTRY_SYMBOL: &str = stringify!($name);
    };
}
exported!(multitask_registry_v2);

/// The process's registry: the binary's if it exports one, else this copy's.
fn registry() -> &'static Registry {
    // Not a `OnceLock`: its initialisation would be a moment a fork could
    // copy half done. Two threads may both look the symbol up; they find
    // the same one.
    static FOUND: AtomicUsize = AtomicUsize::new(0);
    let found = FOUND.load(Ordering::Acquire);
    let found: extern "C" fn() -> &'static Registry = if found == 0 {
        let name = std::ffi::CString::new(REGISTRY_SYMBOL).expect("an identifier has no NUL");
        // SAFETY: a lookup by a NUL-terminated name.
        let symbol = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
        let function = if symbol.is_null() {
            multitask_registry_v2
        } else {
            // SAFETY: the symbol is the registry function of some copy of
            // this crate (see `exported!`), which has this signature.
            unsafe {
                std::mem::transmute::<*mut libc::c_void, extern "C" fn() -> &'static Registry>(
                    symbol,
                )
            }
        };
        FOUND.store(function as usize, Ordering::Release);
        function
    } else {
        // SAFETY: stored just above, from a function of this signature.
        unsafe { std::mem::transmute::<usize, extern "C" fn() -> &'static Registry>(found) }
    };
    found()
}

fn tid() -> libc::pid_t {
    nix::unistd::gettid().as_raw()
}

impl Registry {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Waits until no other thread is making values; `state` is then ours
    /// to change.
    fn wait_for_makers<'a>(&'a self, mut state: MutexGuard<'a, State>) -> MutexGuard<'a, State> {
        let me = tid();
        while state.maker.is_some_and(|(maker, _)| maker != me) {
            state = self.made.wait(state).unwrap_or_else(|p| p.into_inner());
        }
        state
    }

    /// Runs `make` as a first use: no other thread makes a value meanwhile,
    /// and no fork happens until it returns.
    fn first_use<R>(&self, make: impl FnOnce() -> R) -> R {
        let mut state = self.wait_for_makers(self.lock());
        let (_, depth) = state.maker.get_or_insert((tid(), 0));
        *depth += 1;
        drop(state);
        /// Ends the first use, even if `make` panicked.
        struct Done<'a>(&'a Registry);
        impl Drop for Done<'_> {
            fn drop(&mut self) {
                let mut state = self.0.lock();
                if let Some((_, depth)) = &mut state.maker {
                    *depth -= 1;
                    if *depth == 0 {
                        state.maker = None;
                    }
                }
                drop(state);
                self.0.made.notify_all();
            }
        }
        let _done = Done(self);
        make()
    }

    /// The value named `name`, made by `init` if nobody made it yet.
    fn value<T: Send + Sync + 'static>(&self, name: &str, init: impl FnOnce() -> T) -> &'static T {
        let found = |state: &State| {
            // SAFETY: registered under this name by `value::<T>` below: names
            // are unique per type (see `shared!`), and values are never freed.
            state
                .values
                .get(name.as_bytes())
                .map(|&p| unsafe { &*(p as *const T) })
        };
        if let Some(value) = found(&self.lock()) {
            return value;
        }
        self.first_use(|| {
            // Someone may have made it while we waited for our turn.
            if let Some(value) = found(&self.lock()) {
                return value;
            }
            let value: &'static T = Box::leak(Box::new(init()));
            self.lock()
                .values
                .insert(name.as_bytes().to_vec(), value as *const T as usize);
            value
        })
    }
}

/// The process-wide value named `name`, made by `init` on first use.
pub(crate) fn global<T: Send + Sync + 'static>(name: &str, init: impl FnOnce() -> T) -> &'static T {
    registry().value(name, init)
}

/// The value `cell` caches (a copy's own pointer to a shared value), made
/// by `make` on first use. An atomic pointer, not a `OnceLock`, for the same
/// reason as in [`registry`].
pub(crate) fn cached<T>(cell: &AtomicPtr<T>, make: impl FnOnce() -> &'static T) -> &'static T {
    let found = cell.load(Ordering::Acquire);
    if !found.is_null() {
        // SAFETY: only ever set below, to a `&'static T`.
        return unsafe { &*found };
    }
    let made = make();
    cell.store(std::ptr::from_ref(made).cast_mut(), Ordering::Release);
    made
}

/// Runs `make` as a first use (see the module docs): for a value of a
/// shared value's own made on its first use, such as a `OnceLock` inside it.
pub(crate) fn first_use<R>(make: impl FnOnce() -> R) -> R {
    registry().first_use(make)
}

/// Runs `f` once per `once`, as a first use: a fork never copies it half
/// done (a `Once` being run is a `Once` the child would wait on for ever).
pub(crate) fn once(once: &std::sync::Once, f: impl FnOnce()) {
    if !once.is_completed() {
        first_use(|| once.call_once(f));
    }
}

/// Held by a fork from just before to just after it: no first use is under
/// way meanwhile (unless the forking thread's own).
pub(crate) struct HeldForFork {
    state: MutexGuard<'static, State>,
}

/// Waits for the first uses under way in other threads to end and keeps new
/// ones out until the returned guard is dropped. Take it last, right before
/// the fork: while it is held, a first use waits.
pub(crate) fn hold_for_fork() -> HeldForFork {
    let registry = registry();
    HeldForFork {
        state: registry.wait_for_makers(registry.lock()),
    }
}

impl HeldForFork {
    /// In the child: the forking thread, if it was making a value (a fork
    /// inside an initialiser), has a new kernel id.
    pub(crate) fn in_child(&mut self) {
        if let Some((maker, _)) = &mut self.state.maker {
            *maker = tid();
        }
    }
}

/// `shared!(fn name() -> Type = init;)` defines a function returning the
/// process-wide `&'static Type`, shared by every copy of the crate.
macro_rules! shared {
    ($(#[$attr:meta])* $vis:vis fn $name:ident() -> $t:ty = $init:expr;) => {
        $(#[$attr])*
        $vis fn $name() -> &'static $t {
            static CELL: ::std::sync::atomic::AtomicPtr<$t> =
                ::std::sync::atomic::AtomicPtr::new(::std::ptr::null_mut());
            $crate::globals::cached(&CELL, || {
                $crate::globals::global(
                    concat!(env!("CARGO_PKG_VERSION"), " ", module_path!(), "::", stringify!($name)),
                    || $init,
                )
            })
        }
    };
}
pub(crate) use shared;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::multiprocessing::fork;
    use std::sync::mpsc;
    use std::time::{Duration, Instant};

    #[test]
    fn a_fork_waits_for_a_first_use_under_way() {
        // The child asks for the value a thread was making as it forked: it
        // must find it made, not wait for ever for a maker that did not come
        // along.
        for round in 0..200u64 {
            let cell: &'static AtomicPtr<u64> =
                Box::leak(Box::new(AtomicPtr::new(std::ptr::null_mut())));
            let name: &'static str = Box::leak(format!("fork race {round}").into_boxed_str());
            fork_while_under_way(
                round,
                move |slowly| {
                    let made = *cached(cell, || {
                        global(name, || {
                            slowly();
                            round
                        })
                    });
                    assert_eq!(made, round);
                },
                move || *cached(cell, || global(name, || u64::MAX)) == round,
            );
        }
    }

    #[test]
    fn a_fork_waits_for_a_one_time_registration_under_way() {
        // As above, for `once`: the child must find the step done, not wait
        // on it.
        for round in 0..200 {
            let step: &'static std::sync::Once = Box::leak(Box::new(std::sync::Once::new()));
            fork_while_under_way(
                round,
                move |slowly| once(step, slowly),
                move || {
                    once(step, || {});
                    step.is_completed()
                },
            );
        }
    }

    /// Forks while a thread runs `under_way`, half way through its 5 ms
    /// `slowly()` (the fork waits for it to begin), and wants the child's
    /// `child()` to say yes within 10 s.
    fn fork_while_under_way(
        round: u64,
        under_way: impl FnOnce(&dyn Fn()) + Send + 'static,
        child: impl FnOnce() -> bool,
    ) {
        let (started, begun) = mpsc::channel();
        let thread = std::thread::spawn(move || {
            under_way(&|| {
                started.send(()).unwrap();
                std::thread::sleep(Duration::from_millis(5));
            })
        });
        begun.recv().unwrap();
        let pid = fork::spawn("race", false, || i32::from(!child())).unwrap();
        let status = wait_at_most(pid, Duration::from_secs(10));
        thread.join().unwrap();
        assert_eq!(
            status,
            Some(0),
            "round {round}: the child (None: stuck, killed) did not find it done"
        );
    }

    /// The child's exit code, or `None` if it did not end in `limit` (then
    /// it is killed and reaped).
    fn wait_at_most(pid: i32, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        loop {
            if let Some(code) = fork::wait(pid, false).unwrap() {
                return Some(code);
            }
            if start.elapsed() > limit {
                // SAFETY: killing our own child.
                unsafe { libc::kill(pid, libc::SIGKILL) };
                fork::wait(pid, true).unwrap();
                return None;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}
