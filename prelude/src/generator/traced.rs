//! A generator's turns in a [`trace::record`](crate::trace::record): one
//! event as the body is resumed (the caller waits for `next`, `send 2`), one
//! as it yields (`yield 3`, the caller runs again), the values kept as bytes;
//! meanwhile the body runs on the generator's own lane.

use std::cell::Cell;

use super::{Mailbox, Peeked, Signal, function_name};
use crate::trace::{self, ABSENT, LaneId, LaneKind, Link, ROOM, Resumed, Turn};

/// How a value of one type is written into a trace ([`trace::encode`]),
/// found where its type is known to be `'static` (the constructor).
type Encode<T> = fn(&T, &mut [u8; ROOM]) -> (u8, usize);

/// What a generator keeps for a trace.
pub(super) struct Traced<Y, S> {
    /// `std::any::type_name` of the body closure (see [`function_name`]).
    type_name: &'static str,
    /// Its lane in the latest recording it was resumed in, and what its
    /// turns are recorded with, for the caller it was last resumed from.
    link: Cell<Option<Link>>,
    yielded: Encode<Y>,
    sent: Encode<S>,
}

impl<Y: 'static, S: 'static> Traced<Y, S> {
    pub(super) fn new(type_name: &'static str) -> Traced<Y, S> {
        Traced {
            type_name,
            link: Cell::new(None),
            yielded: trace::encode::<Y>,
            sent: trace::encode::<S>,
        }
    }
}

impl<Y, S> Traced<Y, S> {
    /// The body is about to be resumed with `signal` (its payload waiting in
    /// `mailbox`), and [`trace::is_on`] said yes: a turn begins, if the
    /// calling thread is recorded.
    pub(super) fn resumed(&self, signal: Signal, mailbox: &Mailbox<Y, S>) -> Option<Turn> {
        mailbox.peek(signal, |payload| {
            let how = match payload {
                Peeked::Next => Resumed::Next,
                Peeked::Sent(_) => Resumed::Send,
                Peeked::Thrown(_) => Resumed::Throw,
                Peeked::Close => Resumed::Close,
            };
            let whole = |room: &mut [u8; ROOM]| match payload {
                Peeked::Sent(sent) => (self.sent)(sent, room),
                Peeked::Thrown(e) => trace::plain(&e.to_string(), room),
                _ => (ABSENT, 0),
            };
            // The link made at an earlier turn, unless the recording or the
            // caller changed since.
            let link = match self.link.get() {
                Some(link) if link.holds() => link,
                _ => self.relink()?,
            };
            Some(link.resume(how, whole))
        })
    }

    /// A new [`Link`] from the calling thread's lane, on the generator's
    /// lane in this recording — a new lane at its first turn in it.
    #[cold]
    #[inline(never)]
    fn relink(&self) -> Option<Link> {
        let caller = trace::current()?;
        let known = self
            .link
            .get()
            .and_then(|link| caller.lane_of(link.lane().raw()));
        let lane = match known {
            Some(lane) => lane,
            None => {
                let name = function_name(self.type_name);
                trace::new_lane(LaneKind::Generator, format_args!("{name}"))?
            }
        };
        let link = caller.link(lane);
        self.link.set(Some(link));
        Some(link)
    }

    /// The body yielded `value`: the turn ends, the caller runs again.
    pub(super) fn yielded(&self, turn: &Turn, value: &Y) {
        turn.yielded(|room| (self.yielded)(value, room));
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
