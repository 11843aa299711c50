//! A generator's turns in a [`trace::record`](crate::trace::record): one
//! event as the body is resumed (the caller waits for `next`, `send 2`), one
//! as it yields (`yield 3`, the caller runs again), the values kept as bytes;
//! meanwhile the body runs on the generator's own lane.

use std::cell::Cell;

use super::{Mailbox, Peeked, Signal, function_name};
use crate::trace::{self, ABSENT, LaneId, LaneKind, Link, ROOM, Resumed, Turn, Word};

/// What a generator keeps for a trace.
pub(super) struct Traced<Y, S> {
    /// `std::any::type_name` of the body closure (see [`function_name`]).
    type_name: &'static str,
    /// Its lane in the latest recording it was resumed in, and what its
    /// turns are recorded with, for the caller it was last resumed from.
    link: Cell<Option<Link>>,
    /// Its turns so far on that lane.
    turns: Cell<u32>,
    /// How the values show, found where their types are known to be
    /// `'static` (the constructor).
    yielded: Values<Y>,
    sent: Values<S>,
}

/// How values of one type are written: as a word ([`trace::word`]) if they
/// fit one, else whole ([`trace::encode`]).
struct Values<T> {
    small: fn(&T) -> Option<Word>,
    whole: fn(&T, &mut [u8; ROOM]) -> (u8, usize),
}

impl<T: 'static> Values<T> {
    fn new() -> Values<T> {
        Values {
            small: trace::word::<T>,
            whole: trace::encode::<T>,
        }
    }
}

impl<Y: 'static, S: 'static> Traced<Y, S> {
    pub(super) fn new(type_name: &'static str) -> Traced<Y, S> {
        Traced {
            type_name,
            link: Cell::new(None),
            turns: Cell::new(0),
            yielded: Values::new(),
            sent: Values::new(),
        }
    }
}

impl<Y, S> Traced<Y, S> {
    /// The body is about to be resumed with `signal` (its payload waiting in
    /// `mailbox`), and [`trace::is_on`] said yes: a turn begins, if the
    /// calling thread is recorded.
    #[inline]
    pub(super) fn resumed(&self, signal: Signal, mailbox: &Mailbox<Y, S>) -> Option<Turn<'_>> {
        let payload = mailbox.peek(signal);
        let (how, small) = match payload {
            Peeked::Next => (Resumed::Next, Some(Word::ABSENT)),
            Peeked::Sent(sent) => (Resumed::Send, (self.sent.small)(sent)),
            Peeked::Thrown(_) => (Resumed::Throw, None),
            Peeked::Close => (Resumed::Close, Some(Word::ABSENT)),
        };
        let whole = |room: &mut [u8; ROOM]| match payload {
            Peeked::Sent(sent) => (self.sent.whole)(sent, room),
            Peeked::Thrown(e) => trace::plain(&e.to_string(), room),
            _ => (ABSENT, 0),
        };
        // The link made at an earlier turn, unless the recording or the
        // caller changed since.
        if !self.link().is_some_and(Link::holds) {
            self.relink()?;
        }
        let link = self.link()?;
        let number = self.turns.get();
        self.turns.set(number.wrapping_add(1));
        Some(link.resume(number, how, small, whole))
    }

    /// A new [`Link`] from the calling thread's lane, on the generator's
    /// lane in this recording — a new lane at its first turn in it.
    #[cold]
    #[inline(never)]
    fn relink(&self) -> Option<()> {
        let caller = trace::current()?;
        let known = self
            .link
            .get()
            .and_then(|link| caller.lane_of(link.lane().raw()));
        let lane = match known {
            Some(lane) => lane,
            None => {
                let name = function_name(self.type_name);
                let lane = trace::new_lane(LaneKind::Generator, format_args!("{name}"))?;
                self.turns.set(0);
                lane
            }
        };
        self.link.set(Some(caller.link(lane)));
        Some(())
    }

    /// The link kept between turns, borrowed by the turn under way. Only
    /// [`Traced::relink`] sets it, as a turn begins; while one runs, the
    /// generator is running and cannot be resumed, so it is not set again
    /// until the turn (and its borrow) is over.
    #[inline(always)]
    fn link(&self) -> Option<&Link> {
        // SAFETY: as above, no `set` while the reference lives; the cell is
        // not `Sync`, so no other thread touches it.
        unsafe { &*self.link.as_ptr() }.as_ref()
    }

    /// The body yielded `value`: the turn ends, the caller runs again.
    #[inline]
    pub(super) fn yielded(&self, turn: &Turn<'_>, value: &Y) {
        turn.yielded((self.yielded.small)(value), |room| {
            (self.yielded.whole)(value, room)
        });
    }

    /// The body has ended (returned, raised, panicked, or was closed): so
    /// does its lane.
    pub(super) fn ended(&self) {
        let lane = self.link.get().map(|link| link.lane().raw());
        if let Some(lane) = lane.and_then(LaneId::from_raw) {
            trace::end(lane);
        }
    }
}
