//! [`record`]: one recording at a time in a process and its children, on
//! the shared [log](super::log); its events made into a [`Timeline`].

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::time::Duration;

use super::hooks::{self, LaneId, recorder};
use super::log::{self, Event, Kind, Log};
use super::{Lane, LaneKind, Slice, State, Timeline};

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
    let log = this
        .log
        .get_or_init(|| Log::map().expect("trace::record: cannot map its 16 MiB event log"));
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
    let start = log::now_ns();
    this.on.store(true, Ordering::SeqCst);

    // The caller's own lane, for the length of the recording.
    let number = header.lanes.fetch_add(1, Ordering::Relaxed) + 1;
    let lane = LaneId::from_raw(u64::from(generation) << 32 | u64::from(number))
        .expect("the recording runs");
    let name = crate::threading::current_thread().name().to_string();
    log.push(
        generation,
        number,
        Kind::Lane,
        LaneKind::Thread as u8,
        log::fit(&name),
    );
    let entered = hooks::enter(Some(lane));
    hooks::mark(lane, State::Running, format_args!(""));

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
    let (events, lost) = log.read(generation, from);
    timeline(events, start, end, lost)
}

/// The events, made into lanes and slices: a state lasts until the lane's
/// next event, its end, or the recording's end.
fn timeline(mut events: Vec<Event>, start: u64, end: u64, lost: u64) -> Timeline {
    // Claimed in nearly time order; threads racing for the cursor may swap
    // two neighbours.
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
            name: event.text.clone(),
        });
    }
    number_namesakes(&mut lanes);

    // Per lane: the state it is in since when, and whether it ended.
    let mut open: Vec<Option<(u64, State, String)>> = vec![None; lanes.len()];
    let mut ended = vec![false; lanes.len()];
    let mut slices = Vec::new();
    let mut close = |lane: usize, open: &mut Option<(u64, State, String)>, at: u64| {
        if let Some((from, state, what)) = open.take()
            && at > from
        {
            slices.push(Slice {
                lane,
                start: since(from),
                end: since(at),
                state,
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
                close(lane, &mut open[lane], event.at);
                open[lane] = Some((event.at, State::from_code(event.code), event.text.clone()));
            }
            Kind::End => {
                close(lane, &mut open[lane], event.at);
                ended[lane] = true;
            }
        }
    }
    for (lane, open) in open.iter_mut().enumerate() {
        close(lane, open, end);
    }
    slices.sort_by_key(|s| (s.start, s.lane));
    Timeline {
        lanes,
        slices,
        duration: since(end),
        lost,
    }
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
