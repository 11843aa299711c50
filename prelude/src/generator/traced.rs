//! A generator's turns in a [`trace::record`](crate::trace::record): one
//! event as the body is resumed (the caller waits for `next`, `send 2`), one
//! as it yields (`yield 3`, the caller runs again), the values kept as bytes;
//! meanwhile the body runs on the generator's own lane.

use std::cell::Cell;

use super::{Mailbox, Peeked, Signal, function_name};
use crate::trace::{self, ABSENT, Anchor, LaneKind, ROOM, Resumed, Turn};

/// What a generator keeps for a trace.
pub(super) struct Traced<Y, S> {
    /// `std::any::type_name` of the body closure (see [`function_name`]).
    type_name: &'static str,
    /// Its lane ([`LaneId::raw`](crate::trace::LaneId::raw)), 0 for none yet.
    lane: Cell<u64>,
    /// Its turns so far on that lane.
    turns: Cell<u32>,
    /// Where its last turn was recorded: the generator stays on its thread
    /// (it is not `Send`), so the next turn of the same recording finds its
    /// caller from here, without the thread-local lookup.
    anchor: Cell<Option<Anchor>>,
    /// How the values show: [`trace::encode`] of the generator's two types,
    /// taken where they are known to be `'static` (the constructor).
    yielded: fn(&Y, &mut [u8; ROOM]) -> (u8, usize),
    sent: fn(&S, &mut [u8; ROOM]) -> (u8, usize),
}

impl<Y: 'static, S: 'static> Traced<Y, S> {
    pub(super) fn new(type_name: &'static str) -> Traced<Y, S> {
        Traced {
            type_name,
            lane: Cell::new(0),
            turns: Cell::new(0),
            anchor: Cell::new(None),
            yielded: trace::encode::<Y>,
            sent: trace::encode::<S>,
        }
    }
}

impl<Y, S> Traced<Y, S> {
    /// The body is about to be resumed with `signal` (its payload waiting in
    /// `mailbox`): a turn begins, if the calling thread is recorded.
    #[inline]
    pub(super) fn resumed(&self, signal: Signal, mailbox: &Mailbox<Y, S>) -> Option<Turn> {
        if !trace::is_on() {
            return None;
        }
        let caller = match self.anchor.get().and_then(Anchor::here) {
            Some(caller) => caller,
            None => {
                let caller = trace::current()?;
                self.anchor.set(Some(caller.anchor()));
                caller
            }
        };
        let lane = match caller.lane_of(self.lane.get()) {
            Some(lane) => lane,
            None => {
                let name = function_name(self.type_name);
                let lane = trace::new_lane(LaneKind::Generator, format_args!("{name}"))?;
                self.lane.set(lane.raw());
                self.turns.set(0);
                lane
            }
        };
        let number = self.turns.get();
        self.turns.set(number.wrapping_add(1));
        let payload = mailbox.peek(signal);
        let how = match payload {
            Peeked::Next => Resumed::Next,
            Peeked::Sent(_) => Resumed::Send,
            Peeked::Thrown(_) => Resumed::Throw,
            Peeked::Close => Resumed::Close,
        };
        Some(caller.resume(lane, number, how, |room| match payload {
            Peeked::Sent(sent) => (self.sent)(sent, room),
            Peeked::Thrown(e) => trace::plain(&e.to_string(), room),
            _ => (ABSENT, 0),
        }))
    }

    /// The body yielded `value`: the turn ends, the caller runs again.
    #[inline]
    pub(super) fn yielded(&self, turn: Turn, value: &Y) {
        turn.yielded(|room| (self.yielded)(value, room));
    }

    /// The body has ended (returned, raised, panicked, or was closed): so
    /// does its lane.
    pub(super) fn ended(&self) {
        if let Some(lane) = trace::LaneId::from_raw(self.lane.get()) {
            trace::end(lane);
        }
    }
}
