//! Greenlets waiting their turn for something — a semaphore's place, a
//! queue's item or room — first come, first served.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;

use super::hub::{park, with_hub};
use super::task::{Park, Task};

/// A line of waiting greenlets, each with the ticket of the park it waits in.
#[derive(Default)]
pub(super) struct Line {
    waiting: RefCell<VecDeque<(Rc<dyn Task>, u64)>>,
}

impl Line {
    /// Parks the running greenlet at the back of the line until
    /// [`wake_one`](Line::wake_one) comes to it. Killed or timed out while
    /// it waits, it leaves the line; woken and then stopped before it took
    /// what it was woken for, it passes the wake to the next in line.
    pub(super) fn wait(&self, what: &str) {
        let me = with_hub(|hub| hub.current.clone()).expect("in a greenlet");
        let ticket = me.turns().ticket();
        self.waiting.borrow_mut().push_back((me.clone(), ticket));
        if let Some(lane) = crate::trace::here() {
            crate::trace::mark(lane, crate::trace::State::Waiting, format_args!("{what}"));
        }
        let in_line = InLine { line: self, me };
        park(Park::Waiting);
        std::mem::forget(in_line);
    }

    /// Wakes the first in line that can still go (not ended, still waiting
    /// there); `false` if nobody could.
    pub(super) fn wake_one(&self) -> bool {
        let mut waiting = self.waiting.borrow_mut();
        while let Some((first, ticket)) = waiting.pop_front() {
            if with_hub(|hub| hub.wake(first, ticket)) {
                return true;
            }
        }
        false
    }

    /// How many wait.
    pub(super) fn len(&self) -> usize {
        self.waiting.borrow().len()
    }
}

/// A greenlet in a [`Line`]; dropped only when it unwinds from its wait.
struct InLine<'a> {
    line: &'a Line,
    me: Rc<dyn Task>,
}

impl Drop for InLine<'_> {
    fn drop(&mut self) {
        let had = self.line.len();
        self.line
            .waiting
            .borrow_mut()
            .retain(|(t, _)| !Rc::ptr_eq(t, &self.me));
        if self.line.len() == had {
            // It had been woken for something it will not take now.
            self.line.wake_one();
        }
    }
}
