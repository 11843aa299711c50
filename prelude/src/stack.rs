//! Coroutine stacks — a generator's, a greenlet's — each a mapping of its
//! own with a guard page, kept in a per-thread pool.
//!
//! Mapping a fresh guard-paged stack costs about 10 µs; taking one from the
//! pool costs nanoseconds, which is what makes a generator as cheap to create
//! as CPython's. Only the pages a coroutine touches cost memory.
//!
//! A stack is two mappings (the guard page, and the rest), and Linux allows a
//! process `vm.max_map_count` mappings (65,530 by default). A stack that would
//! leave fewer than [`SPARE_MAPS`] of them for everything else the process
//! maps (its heap, threads, libraries) is refused with [`StackLimit`], which
//! names the limit and the count, instead of mapping until `malloc` fails
//! somewhere else.

use std::cell::RefCell;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use corosensei::stack::{DefaultStack, StackPointer};

use crate::globals::shared;

/// Each stack reserves this much address space; only touched pages cost memory.
const STACK_SIZE: usize = 1 << 20;

/// At most this many idle stacks stay mapped per thread.
const POOL_LIMIT: usize = 64;

/// Mappings a process keeps for everything but coroutine stacks.
const SPARE_MAPS: usize = 2_000;

/// Mappings one stack takes: its guard page, and the rest.
const MAPS_PER_STACK: usize = 2;

thread_local! {
    static POOL: RefCell<Vec<Stack>> = const { RefCell::new(Vec::new()) };
}

shared! {
    /// Coroutine stacks mapped in this process now, pooled ones included.
    fn mapped() -> AtomicUsize = AtomicUsize::new(0);
}
shared! {
    /// What the last look at the limit found.
    fn room() -> Mutex<Room> = Mutex::new(Room::default());
}

/// What the last look at the limit found.
#[derive(Default)]
struct Room {
    /// Stacks that surely fit: up to this count, no need to look.
    fits: usize,
    /// The count at which a stack was refused (0: none was): refused again
    /// without looking, until stacks are given back.
    full_at: usize,
    /// Mappings and `vm.max_map_count` at the last look.
    maps: usize,
    limit: usize,
}

/// A coroutine's stack: a mapping with a guard page, counted while it lives.
pub(crate) struct Stack(DefaultStack);

// SAFETY: the bounds are those of the `DefaultStack` it owns (guard page
// included, `STACK_SIZE` usable), mapped for as long as it lives.
unsafe impl corosensei::stack::Stack for Stack {
    fn base(&self) -> StackPointer {
        self.0.base()
    }
    fn limit(&self) -> StackPointer {
        self.0.limit()
    }
}

impl Drop for Stack {
    fn drop(&mut self) {
        mapped().fetch_sub(1, Ordering::Relaxed);
    }
}

/// No new stack: the process is near the system's limit on mappings, or the
/// system refused one.
#[derive(Debug, thiserror::Error)]
pub(crate) enum StackLimit {
    /// Near `vm.max_map_count`.
    #[error(
        "no stack for another coroutine: this process has {maps} memory mappings, \
         {stacks} of its coroutines' stacks take {MAPS_PER_STACK} each, and Linux allows \
         {limit} (vm.max_map_count); {SPARE_MAPS} are kept for everything else. \
         Fewer greenlets or generators alive at once will do"
    )]
    NearMapLimit {
        /// Mappings the process has.
        maps: usize,
        /// Coroutine stacks mapped now.
        stacks: usize,
        /// `vm.max_map_count`.
        limit: usize,
    },
    /// `mmap` or `mprotect` failed.
    #[error("the system refused a stack for another coroutine: {0}")]
    Refused(#[from] std::io::Error),
}

/// A stack from this thread's pool, or a freshly mapped one.
///
/// # Errors
/// [`StackLimit`] when a new stack would bring the process near the
/// system's limit on mappings, or the system refuses one.
pub(crate) fn take() -> Result<Stack, StackLimit> {
    if let Some(stack) = POOL.try_with(|pool| pool.borrow_mut().pop()).ok().flatten() {
        return Ok(stack);
    }
    let stacks = mapped().fetch_add(1, Ordering::Relaxed) + 1;
    if let Err(full) = fits(stacks) {
        mapped().fetch_sub(1, Ordering::Relaxed);
        return Err(full);
    }
    match DefaultStack::new(STACK_SIZE) {
        Ok(stack) => Ok(Stack(stack)),
        Err(e) => {
            mapped().fetch_sub(1, Ordering::Relaxed);
            Err(e.into())
        }
    }
}

/// Is there room for stack number `stacks`? Counts the process's mappings
/// every 512 stacks, and when one was refused at a count no lower.
fn fits(stacks: usize) -> Result<(), StackLimit> {
    let mut room = room().lock().unwrap_or_else(|p| p.into_inner());
    if stacks <= room.fits {
        return Ok(());
    }
    if room.full_at == 0 || stacks < room.full_at {
        room.maps = std::fs::read("/proc/self/maps")
            .map(|maps| maps.iter().filter(|&&b| b == b'\n').count())
            .unwrap_or(0);
        room.limit = std::fs::read_to_string("/proc/sys/vm/max_map_count")
            .ok()
            .and_then(|limit| limit.trim().parse().ok())
            .unwrap_or(65_530);
        let free = room.limit.saturating_sub(room.maps + SPARE_MAPS) / MAPS_PER_STACK;
        if free > 0 {
            room.fits = stacks + free.min(512) - 1;
            room.full_at = 0;
            return Ok(());
        }
        room.full_at = stacks;
    }
    Err(StackLimit::NearMapLimit {
        maps: room.maps,
        stacks: stacks - 1,
        limit: room.limit,
    })
}

/// Returns a stack whose coroutine has finished to this thread's pool.
pub(crate) fn give(stack: Stack) {
    // If the thread is shutting down the closure never runs and the stack is unmapped.
    let _ = POOL.try_with(move |pool| {
        let mut pool = pool.borrow_mut();
        if pool.len() < POOL_LIMIT {
            pool.push(stack);
        }
    });
}
