//! [`record`]: one recording at a time in a process and its children, on
//! the shared [log](super::log); its events made into a [`Timeline`].

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::hooks::{self, LaneId, recorder};
use super::log::{self, Entry, Event, Kind, Log};
use super::value;
use super::{Hold, Lane, LaneKind, Note, Slice, State, Timeline};

/// Runs `body` and returns what it recorded: the calling thread, and every
/// thread, process, greenlet, generator and task that it (or one of those)
/// starts meanwhile — when each ran, waited (and for what) and slept.
///
/// One recording at a time, in a process and the processes it forks: a
/// `record` while another runs just runs its body and returns an empty
/// timeline.
///
/// ```
/// use multitask::prelude::*;
/// let timeline = trace::record(|| time::sleep(0.01));
/// assert_eq!(timeline.summary(), "MainThread: running, sleeping, running");
/// ```
pub fn record(body: impl FnOnce()) -> Timeline {
    let this = recorder();
    let log = match this.log.get() {
        Some(log) => log,
        // A first use: no fork copies it half made.
        None => crate::globals::first_use(|| {
            this.log
                .get_or_init(|| Log::map().expect("trace::record: cannot map its 16 MiB event log"))
        }),
    };
    let header = log.header();
    let mut generation = header
        .generations
        .fetch_add(1, Ordering::Relaxed)
        .wrapping_add(1);
    if generation == 0 {
        generation = header
            .generations
            .fetch_add(1, Ordering::Relaxed)
            .wrapping_add(1);
    }
    if header
        .running
        .compare_exchange(0, generation, Ordering::SeqCst, Ordering::SeqCst)
        .is_err()
    {
        body();
        return Timeline::default();
    }
    let _ = this.key();
    let from = header.cursor.load(Ordering::Acquire);
    let dropped = header.dropped.load(Ordering::Relaxed);
    this.on.store(true, Ordering::SeqCst);

    // The caller's own lane, for the length of the recording.
    let number = header.lanes.fetch_add(1, Ordering::Relaxed) + 1;
    let lane = LaneId::new(generation, number);
    let name = thread_name();
    let (words, len) = log::words(log::fit(&name));
    let entry = Entry {
        lane: number,
        kind: Kind::Lane,
        code: LaneKind::Thread as u8,
        words,
        len,
    };
    log.write(&hooks::local().chunk, generation, entry);
    let entered = hooks::enter(Some(lane));
    hooks::mark(lane, State::Running, format_args!(""));
    // The clock starts once the caller's lane runs: the first write (the
    // log's pages touched for the first time) is not part of the picture.
    let start = log::now_ns();

    // Ends the recording even if `body` unwinds (an interrupt, a panic).
    struct Over(&'static super::log::Header);
    impl Drop for Over {
        fn drop(&mut self) {
            self.0.running.store(0, Ordering::SeqCst);
            recorder().on.store(false, Ordering::SeqCst);
        }
    }
    let over = Over(header);
    body();
    let end = log::now_ns();
    hooks::end(lane);
    drop(over);
    drop(entered);
    let (events, lost) = log.read(generation, from, dropped);
    timeline(events, start, end, lost)
}

/// How a lane is doing while the events are read: its state since when
/// (and, asleep, from when it is ready).
struct Open {
    from: u64,
    state: State,
    what: String,
    ready_at: Option<u64>,
}

/// The events, made into lanes, slices, notes and holds: a state lasts until
/// the lane's next event, its end, or the recording's end. A generator's
/// resume and yield are one event each, which move both it and its caller.
fn timeline(mut events: Vec<Event>, start: u64, end: u64, lost: u64) -> Timeline {
    // Each thread's in the order it wrote them; merged by time (stable, so
    // a thread's events of one nanosecond stay in order).
    events.sort_by_key(|e| e.at);
    let since = |at: u64| Duration::from_nanos(at.clamp(start, end) - start);

    let mut numbers: BTreeMap<u32, usize> = BTreeMap::new();
    let mut lanes = Vec::new();
    let mut named: Vec<&Event> = events.iter().filter(|e| e.kind == Kind::Lane).collect();
    named.sort_by_key(|e| e.lane);
    for event in named {
        numbers.insert(event.lane, lanes.len());
        lanes.push(Lane {
            kind: LaneKind::from_code(event.code),
            name: event.text(),
        });
    }
    number_namesakes(&mut lanes);

    let mut open: Vec<Option<Open>> = (0..lanes.len()).map(|_| None).collect();
    let mut ended = vec![false; lanes.len()];
    // A generator running now, and who resumed it.
    let mut resumer: Vec<Option<usize>> = vec![None; lanes.len()];
    // What each lane holds now, and since when.
    let mut held: Vec<Vec<(u64, String)>> = vec![Vec::new(); lanes.len()];
    let (mut slices, mut notes, mut holds) = (Vec::new(), Vec::new(), Vec::new());
    let mut slice = |lane: usize, from: u64, to: u64, state: State, what: String| {
        if to > from {
            slices.push(Slice {
                lane,
                start: since(from),
                end: since(to),
                state,
                what,
            });
        }
    };
    let mut set =
        |lane: usize, open: &mut [Option<Open>], at: u64, now: Option<(State, String)>| {
            if let Some(was) = open[lane].take() {
                match was.ready_at {
                    // Its sleep was over before anyone ran it: ready since then.
                    Some(ready) if ready > was.from && ready < at => {
                        slice(lane, was.from, ready, was.state, was.what);
                        slice(lane, ready, at, State::Ready, String::new());
                    }
                    _ => slice(lane, was.from, at, was.state, was.what),
                }
            }
            open[lane] = now.map(|(state, what)| Open {
                from: at,
                state,
                what,
                ready_at: None,
            });
        };
    let mut let_go = |lane: usize, at: u64, what: Option<&str>, held: &mut Vec<(u64, String)>| {
        let which = match what {
            Some(what) => held.iter().rposition(|(_, w)| w == what),
            None => held.len().checked_sub(1),
        };
        if let Some(index) = which {
            let (from, what) = held.remove(index);
            holds.push(Hold {
                lane,
                start: since(from),
                end: since(at),
                what,
            });
        }
    };
    for event in &events {
        let Some(&lane) = numbers.get(&event.lane) else {
            continue;
        };
        if ended[lane] {
            continue;
        }
        match event.kind {
            Kind::Lane => {}
            Kind::Mark => {
                let state = State::from_code(event.code);
                set(lane, &mut open, event.at, Some((state, event.text())));
            }
            Kind::Sleep => {
                set(
                    lane,
                    &mut open,
                    event.at,
                    Some((State::Sleeping, String::new())),
                );
                let deadline = event.text.get(..8).and_then(|b| b.try_into().ok());
                if let (Some(now), Some(bytes)) = (open[lane].as_mut(), deadline) {
                    now.ready_at = Some(u64::from_le_bytes(bytes));
                }
            }
            Kind::Note => notes.push(Note {
                lane,
                at: since(event.at),
                text: event.text(),
            }),
            Kind::Hold if event.code == 1 => held[lane].push((event.at, event.text())),
            Kind::Hold => let_go(lane, event.at, Some(&event.text()), &mut held[lane]),
            Kind::End => {
                set(lane, &mut open, event.at, None);
                while !held[lane].is_empty() {
                    let_go(lane, event.at, None, &mut held[lane]);
                }
                ended[lane] = true;
                if let Some(caller) = resumer[lane].take() {
                    let running = Some((State::Running, String::new()));
                    set(caller, &mut open, event.at, running);
                }
            }
            Kind::Resume | Kind::Yield => {
                let Some((caller, value)) = switched(event, &numbers) else {
                    continue;
                };
                let (theirs, ours) = if event.kind == Kind::Resume {
                    resumer[lane] = Some(caller);
                    let how = match event.code {
                        0 => "next".to_string(),
                        1 => format!("send {value}"),
                        2 => format!("throw {value}"),
                        _ => "close".to_string(),
                    };
                    ((State::Waiting, how), (State::Running, String::new()))
                } else {
                    resumer[lane] = None;
                    let what = format!("yield {value}");
                    ((State::Running, String::new()), (State::Waiting, what))
                };
                set(caller, &mut open, event.at, Some(theirs));
                set(lane, &mut open, event.at, Some(ours));
            }
        }
    }
    for (lane, held) in held.iter_mut().enumerate() {
        set(lane, &mut open, end, None);
        while !held.is_empty() {
            let_go(lane, end, None, held);
        }
    }
    slices.sort_by_key(|s| (s.start, s.lane));
    holds.sort_by_key(|h| (h.start, h.lane));
    Timeline {
        lanes,
        slices,
        notes,
        holds,
        duration: since(end),
        lost,
        ..Timeline::default()
    }
}

/// The calling thread's name as `threading::current_thread` has it:
/// `MainThread` on the main thread, else the name the thread was started
/// with (a `Thread`'s), else `Dummy`. Read here, not asked of `threading`,
/// which calls this module: the recorder stays below it.
fn thread_name() -> String {
    if nix::unistd::gettid() == nix::unistd::getpid() {
        return "MainThread".into();
    }
    std::thread::current().name().unwrap_or("Dummy").to_string()
}

/// A resume's or yield's caller (by index) and value, as written.
fn switched(event: &Event, numbers: &BTreeMap<u32, usize>) -> Option<(usize, String)> {
    let caller = u32::from_le_bytes(event.text.get(log::TURN_CALLER)?.try_into().ok()?);
    let tag = *event.text.get(log::TURN_TAG)?;
    let bytes = event.text.get(log::TURN_VALUE..).unwrap_or_default();
    Some((*numbers.get(&caller)?, value::decode(tag, bytes)))
}

/// Lanes of the same name (three greenlets of `f(5)`) become `f(5) #1`,
/// `f(5) #2`, `f(5) #3`, in the order they began.
fn number_namesakes(lanes: &mut [Lane]) {
    let mut count: BTreeMap<String, usize> = BTreeMap::new();
    for lane in lanes.iter() {
        *count.entry(lane.name.clone()).or_default() += 1;
    }
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for lane in lanes.iter_mut() {
        if count[&lane.name] > 1 {
            let k = seen.entry(lane.name.clone()).or_default();
            *k += 1;
            lane.name = format!("{} #{k}", lane.name);
        }
    }
}
