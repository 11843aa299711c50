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
use std::sync::{Mutex, MutexGuard};

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
    /// The process's coroutine stacks, and the room left for more.
    fn room() -> Mutex<Room> = Mutex::new(Room::default());
}

fn room_now() -> MutexGuard<'static, Room> {
    room().lock().unwrap_or_else(|p| p.into_inner())
}

/// The coroutine stacks mapped in this process, and what the last look at
/// the system's limit found.
#[derive(Default)]
struct Room {
    /// Stacks mapped now, pooled ones included.
    mapped: usize,
    /// Up to this many stacks surely fit: no need to look.
    fits: usize,
    /// The count at which a stack was refused (0: none was): refused again
    /// without looking, until stacks are given back.
    full_at: usize,
    /// Mappings and `vm.max_map_count` at the last look.
    maps: usize,
    limit: usize,
}

impl Room {
    /// Counts one stack more, if there is room for it. Counts the process's
    /// mappings every 512 stacks, and when one was refused at a count no
    /// lower.
    fn reserve(&mut self) -> Result<(), StackLimit> {
        let stacks = self.mapped + 1;
        if stacks > self.fits && (self.full_at == 0 || stacks < self.full_at) {
            self.maps = std::fs::read("/proc/self/maps")
                .map(|maps| maps.iter().filter(|&&b| b == b'\n').count())
                .unwrap_or(0);
            self.limit = std::fs::read_to_string("/proc/sys/vm/max_map_count")
                .ok()
                .and_then(|limit| limit.trim().parse().ok())
                .unwrap_or(65_530);
            let free = self.limit.saturating_sub(self.maps + SPARE_MAPS) / MAPS_PER_STACK;
            self.full_at = if free > 0 { 0 } else { stacks };
            self.fits = self.mapped + free.min(512);
        }
        if stacks > self.fits {
            return Err(StackLimit::NearMapLimit {
                maps: self.maps,
                stacks: self.mapped,
                limit: self.limit,
            });
        }
        self.mapped = stacks;
        Ok(())
    }
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
        room_now().mapped -= 1;
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
    room_now().reserve()?;
    match DefaultStack::new(STACK_SIZE) {
        Ok(stack) => Ok(Stack(stack)),
        Err(e) => {
            room_now().mapped -= 1;
            Err(e.into())
        }
    }
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
