//! Who ran when, drawn: [`record`] runs a closure and records, on one
//! monotonic clock, when each thread ran, waited and slept; the
//! [`Timeline`] it returns shows itself as an SVG in Jupyter, as a text chart
//! in the terminal, and as Chrome trace-event JSON that Perfetto opens.
//!
//! A lane is a thread, a child process, a greenlet, a generator or a tokio
//! task started (transitively) by the thread that called `record`; each is
//! running, waiting (for a `join`, a lock, a queue, a socket, at a
//! `yield 3`), sleeping, or ready (its turn to come). Events go to a ring in
//! memory shared with forked children (`log.rs`), on one clock; a thread's
//! current lane is a pthread key that the hub, a generator's resume and a
//! task's poll hand around (`hooks.rs`); `recorder.rs` makes the events into
//! slices. Nothing is recorded outside `record`: an instrumented call then
//! pays one relaxed load.
//!
//! Notebooks `01`–`06` draw thirteen pictures (`multitask check` compares their
//! summaries and holds each to `notebooks/pictures.toml`); `axis.rs` places
//! instants across a picture (by time or by turns), `svg.rs` and `text.rs`
//! draw; tests `tests/trace_lanes.rs` (every kind of lane) and
//! `tests/trace_formats.rs` (JSON, XML); costs in `benches/trace.rs`.
//!
//! ```
//! use multitask::prelude::*;
//! use multitask::trace;
//! let timeline = trace::record(|| {
//!     let t = Thread::new(|| time::sleep(0.05)).with_name("Sleeper");
//!     t.start().unwrap();
//!     t.join().unwrap();
//! });
//! let lanes: Vec<&str> = timeline.lanes().iter().map(|l| l.name.as_str()).collect();
//! assert_eq!(lanes, ["MainThread", "Sleeper"]);
//! assert!(timeline.summary().contains("Sleeper: running, sleeping"));
//! ```

mod axis;
mod chrome;
mod hooks;
mod log;
mod recorder;
mod slot;
mod svg;
mod text;
mod value;

use std::fmt;
/// The atomics `slot.rs` is written with (the loom model gives it loom's).
use std::sync::atomic;
use std::time::Duration;

pub(crate) use hooks::{
    Entered, LaneId, Link, Resumed, Turn, adopt, current, during, end, enter, here, hold, is_on,
    mark, new_lane, sleep_until,
};
pub(crate) use value::{ABSENT, ROOM, encode, plain};

pub use recorder::record;

/// What `benches/trace.rs` measures: the price of the instrumentation.
#[doc(hidden)]
pub mod costs {
    /// What an instrumented call pays to learn whether it is recorded.
    #[inline]
    pub fn instrumented_call() -> bool {
        super::here().is_some()
    }

    /// One event on the calling thread's lane (nothing outside a recording).
    #[inline]
    pub fn event() {
        if let Some(lane) = super::here() {
            super::mark(lane, super::State::Running, format_args!(""));
        }
    }
}

/// What kind of worker a lane is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LaneKind {
    /// An OS thread.
    Thread = 0,
    /// A child process (its lane is its main thread).
    Process = 1,
    /// A greenlet, run by its thread's hub.
    Greenlet = 2,
    /// A generator's body, run by whoever resumes it.
    Generator = 3,
    /// An asyncio task, polled by its thread's loop.
    Task = 4,
}

impl LaneKind {
    fn from_code(code: u8) -> LaneKind {
        match code {
            1 => LaneKind::Process,
            2 => LaneKind::Greenlet,
            3 => LaneKind::Generator,
            4 => LaneKind::Task,
            _ => LaneKind::Thread,
        }
    }
}

/// One row of the picture: a thread, a process, a greenlet, a generator or
/// a task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lane {
    /// Thread, process, greenlet, generator or task.
    pub kind: LaneKind,
    /// Its name (`MainThread`, `LoopThread`).
    pub name: String,
}

/// What a lane was doing during a slice.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Computing.
    Running = 0,
    /// Blocked on something (a join, a lock, a queue, a `yield`).
    Waiting = 1,
    /// Asleep on purpose.
    Sleeping = 2,
    /// Able to run, waiting for its turn (a greenlet after `sleep(0)`, a
    /// task that was woken).
    Ready = 3,
}

impl State {
    /// Every state, in the order keys list them.
    const ALL: [State; 4] = [
        State::Running,
        State::Waiting,
        State::Sleeping,
        State::Ready,
    ];

    fn word(self) -> &'static str {
        match self {
            State::Running => "running",
            State::Waiting => "waiting",
            State::Sleeping => "sleeping",
            State::Ready => "ready",
        }
    }

    fn from_code(code: u8) -> State {
        match code {
            1 => State::Waiting,
            2 => State::Sleeping,
            3 => State::Ready,
            _ => State::Running,
        }
    }
}

/// A stretch of time one lane spent in one state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Slice {
    /// Index into [`Timeline::lanes`].
    pub lane: usize,
    /// From the start of the recording.
    pub start: Duration,
    /// From the start of the recording.
    pub end: Duration,
    /// Running, waiting or sleeping.
    pub state: State,
    /// What it waited for (`join LoopThread`), or empty.
    pub what: String,
}

/// A label on a lane at one instant, made by [`note`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Note {
    /// Index into [`Timeline::lanes`].
    pub lane: usize,
    /// From the start of the recording.
    pub at: Duration,
    /// What it says (`read 0`).
    pub text: String,
}

/// A stretch of time one lane held something (a [`Lock`](crate::threading::Lock)),
/// whatever state it was in meanwhile.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hold {
    /// Index into [`Timeline::lanes`].
    pub lane: usize,
    /// From the start of the recording.
    pub start: Duration,
    /// From the start of the recording.
    pub end: Duration,
    /// What was held (`lock`).
    pub what: String,
}

/// What [`record`] saw: lanes, and the slices of each, in time order; the
/// notes made and the locks held; and how it is to be drawn.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Timeline {
    lanes: Vec<Lane>,
    slices: Vec<Slice>,
    notes: Vec<Note>,
    holds: Vec<Hold>,
    duration: Duration,
    /// Events overwritten in the ring (a recording of more than its
    /// capacity keeps the last ones).
    lost: u64,
    /// The length of the time axis drawn, when longer than the recording.
    axis: Option<Duration>,
    /// Drawn by turns, not by time.
    turns: bool,
    /// A schedule's steps, so many (one a millisecond), not a recording.
    steps: Option<usize>,
}

/// Labels the calling thread's (or greenlet's, generator's, task's) lane
/// at this instant with `text`, if it is being [recorded](record): the
/// picture marks the point and writes the text beside it, and the
/// [summary](Timeline::summary) lists it in quotes among the states.
/// Outside a recording it does nothing.
///
/// ```
/// use multitask::prelude::*;
/// let timeline = trace::record(|| {
///     trace::note("read 0");
///     time::sleep(0.01);
/// });
/// assert_eq!(timeline.summary(), "MainThread: running, \"read 0\", sleeping, running");
/// assert_eq!(timeline.notes()[0].text, "read 0");
/// ```
pub fn note(text: impl fmt::Display) {
    if let Some(lane) = here() {
        hooks::note(lane, format_args!("{text}"));
    }
}

impl Timeline {
    /// The lanes, in the order they first appeared.
    pub fn lanes(&self) -> &[Lane] {
        &self.lanes
    }

    /// Every slice, by start time.
    pub fn slices(&self) -> &[Slice] {
        &self.slices
    }

    /// Every [`note`], by time.
    pub fn notes(&self) -> &[Note] {
        &self.notes
    }

    /// What each lane held (a lock) and when, by start time.
    pub fn holds(&self) -> &[Hold] {
        &self.holds
    }

    /// How long the recording ran.
    pub fn duration(&self) -> Duration {
        self.duration
    }

    /// Drawn on a time axis of `length` (or the recording's own, if longer):
    /// pictures meant to be compared by eye share one scale.
    ///
    /// ```
    /// use multitask::prelude::*;
    /// use std::time::Duration;
    /// let short = trace::record(|| time::sleep(0.01)).with_axis(Duration::from_millis(50));
    /// assert!(short.to_svg().contains(">50 ms</text>"));
    /// ```
    #[must_use]
    pub fn with_axis(mut self, length: Duration) -> Timeline {
        self.axis = Some(length);
        self
    }

    /// Drawn by turns: every change (a lane's state, a note) takes the same
    /// width, in order, whatever it lasted. For a run too short for its times
    /// to mean anything (a generator's turns take a microsecond each), where
    /// the order is the story.
    #[must_use]
    pub fn in_turns(mut self) -> Timeline {
        self.turns = true;
        self
    }

    /// A picture of steps taken in turns, made without a recording (what
    /// [`explore`](crate::explore)'s schedules draw): `lanes` by name, one
    /// running bar per step on its lane, labelled with what it did, one
    /// turn each; `holds` (lane, first step, step after the last, what)
    /// under them; and `stuck`, lanes left waiting at the end (a deadlock),
    /// one more turn each, waiting for what they wait for.
    pub(crate) fn of_steps(
        lanes: Vec<String>,
        steps: &[(usize, String)],
        holds: &[(usize, usize, usize, String)],
        stuck: &[(usize, String)],
    ) -> Timeline {
        let at = |i: usize| Duration::from_millis(i as u64);
        let end = steps.len();
        let last = if stuck.is_empty() { end } else { end + 1 };
        Timeline {
            lanes: lanes
                .into_iter()
                .map(|name| Lane {
                    kind: LaneKind::Thread,
                    name,
                })
                .collect(),
            slices: steps
                .iter()
                .enumerate()
                .map(|(i, (lane, _))| Slice {
                    lane: *lane,
                    start: at(i),
                    end: at(i + 1),
                    state: State::Running,
                    what: String::new(),
                })
                .chain(stuck.iter().map(|(lane, what)| Slice {
                    lane: *lane,
                    start: at(end),
                    end: at(end + 1),
                    state: State::Waiting,
                    what: what.clone(),
                }))
                .collect(),
            notes: steps
                .iter()
                .enumerate()
                .map(|(i, (lane, text))| Note {
                    lane: *lane,
                    at: at(i),
                    text: text.clone(),
                })
                .collect(),
            holds: holds
                .iter()
                .map(|(lane, from, to, what)| Hold {
                    lane: *lane,
                    start: at(*from),
                    end: at(if *to == end { last } else { *to }),
                    what: what.clone(),
                })
                .collect(),
            duration: at(last),
            lost: 0,
            axis: None,
            turns: true,
            steps: Some(end),
        }
    }

    /// Each lane's slices in order, as words: `LoopThread: running,
    /// sleeping, running` — what stays the same from run to run when the
    /// widths do not (what `multitask check` compares).
    pub fn summary(&self) -> String {
        let mut lines = Vec::new();
        for (index, lane) in self.lanes.iter().enumerate() {
            // States and notes in time order; a note before a state that
            // starts at its instant.
            let mut items: Vec<(Duration, bool, String)> = self
                .slices
                .iter()
                .filter(|s| s.lane == index)
                .map(|slice| {
                    let word = if slice.what.is_empty() {
                        slice.state.word().to_string()
                    } else {
                        format!("{} ({})", slice.state.word(), slice.what)
                    };
                    (slice.start, true, word)
                })
                .chain(
                    self.notes
                        .iter()
                        .filter(|n| n.lane == index)
                        .map(|n| (n.at, false, format!("{:?}", n.text))),
                )
                .collect();
            items.sort_by_key(|(at, is_state, _)| (*at, *is_state));
            let mut words: Vec<String> = Vec::new();
            for (_, _, word) in items {
                if words.last() != Some(&word) {
                    words.push(word);
                }
            }
            lines.push(format!("{}: {}", lane.name, words.join(", ")));
        }
        if self.lost > 0 {
            lines.push(format!(
                "(up to {} events were lost: the recording keeps its last {} events)",
                self.lost,
                log::CAPACITY,
            ));
        }
        lines.join("\n")
    }

    /// Chrome's trace-event JSON (Perfetto, `chrome://tracing`): one
    /// complete event per slice, one thread name per lane.
    pub fn to_chrome_trace(&self) -> String {
        chrome::render(self)
    }

    /// Writes [`to_chrome_trace`](Self::to_chrome_trace) to `path`.
    ///
    /// # Errors
    /// When the file cannot be written.
    pub fn save(&self, path: impl AsRef<std::path::Path>) -> std::io::Result<()> {
        std::fs::write(path, self.to_chrome_trace())
    }

    /// The picture as SVG: a lane a row, a colour a state, a `<title>` on
    /// each slice saying what it waited for, a time axis.
    pub fn to_svg(&self) -> String {
        svg::render(self)
    }

    /// How evcxr shows it as a cell's value: the text chart for the
    /// terminal, the SVG for Jupyter.
    pub fn evcxr_display(&self) {
        crate::shown::show(&[
            ("text/plain", &self.to_string()),
            ("image/svg+xml", &self.to_svg()),
        ]);
    }
}

/// The text chart, then the [summary](Timeline::summary).
impl fmt::Display for Timeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}\n{}", text::render(self), self.summary())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::threading::Thread;

    /// One recording at a time per process: the tests take turns.
    fn one_at_a_time() -> std::sync::MutexGuard<'static, ()> {
        static TURN: std::sync::Mutex<()> = std::sync::Mutex::new(());
        TURN.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn loop_thread() -> Timeline {
        let _turn = one_at_a_time();
        record(|| {
            let t = Thread::new(|| {
                for _ in 0..3 {
                    crate::time::sleep(0.02);
                }
            })
            .with_name("LoopThread");
            t.start().unwrap();
            t.join().unwrap();
        })
    }

    #[test]
    fn the_main_thread_waits_in_join_while_the_other_sleeps() {
        let timeline = loop_thread();
        let summary = timeline.summary();
        let main = summary.lines().next().unwrap();
        assert!(
            main.ends_with(": running, waiting (join LoopThread), running"),
            "{summary}"
        );
        assert!(
            summary.contains(
                "LoopThread: running, sleeping, running, sleeping, running, sleeping, running"
            ),
            "{summary}"
        );
        let chart = timeline.to_string();
        assert!(
            chart.contains('░') && chart.contains('·') && chart.contains('█'),
            "{chart}"
        );
    }

    #[test]
    fn slices_are_in_time_order_and_inside_the_recording() {
        let timeline = loop_thread();
        let starts: Vec<Duration> = timeline.slices().iter().map(|s| s.start).collect();
        assert!(starts.windows(2).all(|w| w[0] <= w[1]));
        assert!(
            timeline
                .slices()
                .iter()
                .all(|s| s.end <= timeline.duration())
        );
        // Three sleeps of 20 ms at least.
        let slept: Duration = timeline
            .slices()
            .iter()
            .filter(|s| s.state == State::Sleeping)
            .map(|s| s.end - s.start)
            .sum();
        assert!(slept >= Duration::from_millis(60), "{slept:?}");
    }

    #[test]
    fn nothing_is_recorded_outside_record() {
        let _turn = one_at_a_time();
        crate::time::sleep(0.001);
        let timeline = record(|| {});
        assert_eq!(timeline.lanes().len(), 1, "{timeline:?}");
        assert_eq!(timeline.slices().len(), 1, "{timeline:?}");
    }

    #[test]
    fn the_svg_has_a_titled_rect_per_slice() {
        let timeline = loop_thread();
        let svg = timeline.to_svg();
        assert_eq!(svg.matches("data-state=").count(), timeline.slices().len());
        assert!(svg.contains("<title>waiting (join LoopThread)"), "{svg}");
        let chrome = timeline.to_chrome_trace();
        assert_eq!(
            chrome.matches("\"ph\":\"X\"").count(),
            timeline.slices().len()
        );
    }

    /// MainThread: running, waiting, running; LoopThread: three sleeps.
    fn loop_thread_slices() -> usize {
        3 + 7
    }

    #[test]
    fn what_a_slice_waited_for_is_written_on_the_picture() {
        let svg = loop_thread().to_svg();
        assert!(
            svg.contains("<text class=\"label\"") && svg.contains(">join LoopThread</text>"),
            "{svg}"
        );
        // Every bar, however short, is drawn at least 3 px wide.
        let widths: Vec<f64> = svg
            .lines()
            .filter(|line| line.contains("data-state="))
            .filter_map(|bar| {
                bar.split("width=\"")
                    .nth(1)?
                    .split('"')
                    .next()?
                    .parse()
                    .ok()
            })
            .collect();
        assert_eq!(widths.len(), loop_thread_slices(), "{svg}");
        assert!(widths.iter().all(|w| *w >= 3.0), "{widths:?}");
    }

    #[test]
    fn a_lock_is_drawn_held_from_acquire_to_release() {
        let _turn = one_at_a_time();
        let lock = crate::threading::Lock::new();
        let timeline = record(|| {
            let held = lock.acquire();
            crate::time::sleep(0.02);
            drop(held);
            crate::time::sleep(0.01);
        });
        let holds = timeline.holds();
        assert_eq!(holds.len(), 1, "{holds:?}");
        let held = holds[0].end - holds[0].start;
        assert!(held >= Duration::from_millis(20), "{held:?}");
        assert!(holds[0].end + Duration::from_millis(10) <= timeline.duration());
        assert!(timeline.to_svg().contains("data-holds=\"lock\""));
    }

    #[test]
    fn a_greenlet_whose_sleep_is_over_is_ready_until_the_hub_runs_it() {
        use crate::greenlet;
        let _turn = one_at_a_time();
        let timeline = record(|| {
            let alarm = greenlet::Greenlet::labelled("alarm", || greenlet::sleep(0.02));
            let busy = greenlet::Greenlet::labelled("busy", || {
                let start = std::time::Instant::now();
                while start.elapsed() < Duration::from_millis(100) {}
            });
            greenlet::joinall(&[alarm, busy]).unwrap();
        });
        let summary = timeline.summary();
        assert!(
            summary.contains("alarm: ready, running, sleeping, ready, running"),
            "{summary}"
        );
        let ready = timeline
            .slices()
            .iter()
            .rfind(|s| timeline.lanes()[s.lane].name == "alarm" && s.state == State::Ready)
            .unwrap();
        // Ready from when its 20 ms were up until busy's 100 ms were.
        assert!(
            ready.end - ready.start >= Duration::from_millis(60),
            "{ready:?}"
        );
    }

    #[test]
    fn by_turns_every_change_is_as_wide_as_the_next() {
        let _turn = one_at_a_time();
        let timeline = record(|| {
            crate::time::sleep(0.001);
            crate::time::sleep(0.05);
        })
        .in_turns();
        let chart = text::render(&timeline);
        // running, sleeping, running, sleeping, running: five equal stretches.
        let row = chart.lines().next().unwrap();
        assert_eq!(row.matches('·').count(), 24, "{chart}");
        assert!(chart.contains("by turns: 5 changes"), "{chart}");
    }
}
