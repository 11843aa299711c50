//! Where greenlets' stacks live: a few shared stacks ("arenas"), each with a
//! guard page, and a heap copy of each suspended greenlet's used part.
//!
//! A guard-paged mapping per greenlet caps a process near 32,750 greenlets
//! (each guard page splits a mapping, and Linux allows 65,530 mappings per
//! process). So, as CPython's `greenlet` does, greenlets share stacks: a
//! greenlet always runs at the same addresses — its arena's — and when another
//! greenlet of that arena is about to run, the bytes the suspended one uses
//! are copied to the heap, to be copied back before it runs again. An idle
//! greenlet then costs what its stack holds (a few KiB), greenlets spread over
//! several arenas take turns without copying, and an overflow still runs into
//! a guard page.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::OnceLock;

use corosensei::stack::{DefaultStack, Stack, StackPointer};
use corosensei::{Coroutine, Yielder};

/// How many arenas a hub maps, at most.
pub(crate) const ARENAS: usize = 8;

/// Address space each arena reserves; only touched pages cost memory.
const ARENA_SIZE: usize = 1 << 20;

/// Suspends the running greenlet, first noting in `mark` an address just
/// above what the switch itself pushes: the copy of its stack starts
/// [`margin`] bytes below it.
#[inline(never)]
pub(crate) fn suspend<Y>(yielder: &Yielder<(), Y>, mark: &Cell<usize>, value: Y) {
    mark.set(stack_mark());
    yielder.suspend(value);
}

/// An address in the frame of whatever the caller calls next.
#[inline(never)]
fn stack_mark() -> usize {
    let here = 0u8;
    std::hint::black_box(&here) as *const u8 as usize
}

/// How far below its mark a greenlet suspended by [`suspend`] still uses its
/// stack — the switch's saved registers, and `suspend`'s frame unless it was
/// inlined. Measured once, on a fresh (all-zero) stack: the lowest byte the
/// switch wrote, rounded down to 16 bytes, with 64 more for good measure.
/// `value` makes the measuring coroutine use the very `suspend` greenlets use.
fn margin<Y: 'static>(value: impl FnOnce() -> Y) -> usize {
    static MARGIN: OnceLock<usize> = OnceLock::new();
    *MARGIN.get_or_init(|| {
        const SIZE: usize = 64 << 10;
        let stack = DefaultStack::new(SIZE).expect("cannot map a stack to measure switches");
        let base = stack.base().get();
        let mark = Rc::new(Cell::new(0));
        let noted = mark.clone();
        let value = value();
        let mut co = Coroutine::with_stack(stack, move |yielder: &Yielder<(), Y>, ()| {
            suspend(yielder, &noted, value);
        });
        let _ = co.resume(());
        let mark = mark.get();
        // SAFETY: `base - SIZE..base` is the stack's writable part, and its
        // coroutine is suspended while we read.
        let lowest = (base - SIZE..mark)
            .find(|&a| unsafe { std::ptr::read_volatile(a as *const u8) } != 0)
            .unwrap_or(mark);
        drop(co);
        mark - (lowest & !15) + 64
    })
}

/// One greenlet's claim on an arena: where its live bytes start while it is
/// suspended, and their copy while another greenlet uses the arena.
pub(crate) struct Image {
    arena: usize,
    /// Set by [`suspend`].
    pub(crate) mark: Cell<usize>,
    saved: RefCell<Vec<u8>>,
}

impl Image {
    fn save(&self, base: usize, margin: usize) {
        let mark = self.mark.get();
        assert!(
            mark != 0 && mark < base,
            "a greenlet is saved only once it suspended"
        );
        let low = mark - margin;
        let len = base - low;
        let mut saved = self.saved.borrow_mut();
        saved.clear();
        saved.reserve_exact(len);
        // SAFETY: `low..base` lies inside the arena (mapped, read-write) and
        // nothing runs on it while the hub, on the thread's own stack, copies.
        unsafe {
            std::ptr::copy_nonoverlapping(low as *const u8, saved.as_mut_ptr(), len);
            saved.set_len(len);
        }
    }

    fn restore(&self, base: usize) {
        let mut saved = self.saved.borrow_mut();
        let len = saved.len();
        // SAFETY: the bytes go back exactly where they were copied from, in
        // the arena this image belongs to, while nothing runs on it.
        unsafe { std::ptr::copy_nonoverlapping(saved.as_ptr(), (base - len) as *mut u8, len) };
        saved.clear();
        if saved.capacity() > 4 * len.max(4096) {
            saved.shrink_to_fit();
        }
    }
}

/// A greenlet's view of its arena, handed to its coroutine. It does not own
/// the memory: the arenas live as long as their hub, which is never dropped.
#[derive(Clone, Copy)]
pub(crate) struct ArenaStack {
    base: StackPointer,
    limit: StackPointer,
}

// SAFETY: the bounds are those of a `DefaultStack` (guard page included, at
// least `MIN_STACK_SIZE` usable) that stays mapped for the process's life.
unsafe impl Stack for ArenaStack {
    fn base(&self) -> StackPointer {
        self.base
    }
    fn limit(&self) -> StackPointer {
        self.limit
    }
}

struct Arena {
    stack: DefaultStack,
    /// The greenlet whose bytes are in the arena now.
    occupant: Option<Rc<Image>>,
}

/// A hub's arenas, mapped as needed.
#[derive(Default)]
pub(crate) struct Arenas {
    arenas: Vec<Arena>,
    next: usize,
    /// [`margin`], known once the first arena is mapped.
    margin: usize,
}

impl Arenas {
    /// Gives a greenlet about to run for the first time an arena — a free
    /// one if there is one — and makes it the arena's occupant, saving the
    /// one it displaces. `value` is any value the greenlets suspend with
    /// (see [`margin`]).
    ///
    /// # Panics
    /// When the operating system refuses to map an arena.
    pub(crate) fn assign<Y: 'static>(
        &mut self,
        value: impl FnOnce() -> Y,
    ) -> (ArenaStack, Rc<Image>) {
        let arena = match self.arenas.iter().position(|a| a.occupant.is_none()) {
            Some(free) => free,
            None if self.arenas.len() < ARENAS => {
                let stack = DefaultStack::new(ARENA_SIZE)
                    .unwrap_or_else(|e| panic!("cannot map a greenlet stack: {e}"));
                self.margin = margin(value);
                self.arenas.push(Arena {
                    stack,
                    occupant: None,
                });
                self.arenas.len() - 1
            }
            None => {
                self.next = (self.next + 1) % self.arenas.len();
                self.next
            }
        };
        let image = Rc::new(Image {
            arena,
            mark: Cell::new(0),
            saved: RefCell::new(Vec::new()),
        });
        self.enter(&image);
        let stack = &self.arenas[arena].stack;
        let stack = ArenaStack {
            base: stack.base(),
            limit: stack.limit(),
        };
        (stack, image)
    }

    /// Puts a greenlet's bytes back in its arena before it runs again,
    /// copying out the suspended greenlet they displace. Only while nothing
    /// runs on the arena (from the thread's own stack).
    pub(crate) fn enter(&mut self, image: &Rc<Image>) {
        let arena = &mut self.arenas[image.arena];
        let base = arena.stack.base().get();
        match &arena.occupant {
            Some(occupant) if Rc::ptr_eq(occupant, image) => return,
            Some(occupant) => occupant.save(base, self.margin),
            None => {}
        }
        image.restore(base);
        arena.occupant = Some(image.clone());
    }

    /// Overwrites 4 KiB of the arena just below what a suspended greenlet
    /// keeps — what must be dead if the margin is right.
    #[cfg(test)]
    pub(crate) fn scramble_below(&mut self, image: &Rc<Image>) {
        let arena = &self.arenas[image.arena];
        let low = image.mark.get() - self.margin;
        let floor = arena.stack.limit().get() + (64 << 10);
        assert!(low > floor, "the greenlet is not that deep");
        // SAFETY: below the suspended greenlet's live bytes, above the guard page.
        unsafe { std::ptr::write_bytes((low - 4096) as *mut u8, 0xA5, 4096) };
    }

    /// Frees a finished greenlet's arena.
    pub(crate) fn release(&mut self, image: &Rc<Image>) {
        let arena = &mut self.arenas[image.arena];
        if arena
            .occupant
            .as_ref()
            .is_some_and(|o| Rc::ptr_eq(o, image))
        {
            arena.occupant = None;
        }
        image.saved.borrow_mut().clear();
    }
}
