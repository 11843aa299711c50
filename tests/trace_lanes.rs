//! Every kind of lane `trace::record` draws, recorded from the prelude's
//! real workers: threads waiting on a lock, child processes (their events
//! cross the fork), greenlets taking turns or not, a generator's
//! `send`/`yield` ping-pong, tokio tasks woken by their timers.

use std::sync::{Mutex, MutexGuard};

use multitask::prelude::*;
use multitask::threading::Lock;
use multitask::trace::{self, LaneKind, State, Timeline};

/// One recording at a time in a process: these tests take turns.
pub fn recording_turn() -> MutexGuard<'static, ()> {
    static TURN: Mutex<()> = Mutex::new(());
    TURN.lock().unwrap_or_else(|p| p.into_inner())
}

fn lane_line<'a>(timeline: &'a Timeline, summary: &'a str, name: &str) -> &'a str {
    assert!(
        timeline.lanes().iter().any(|l| l.name == name),
        "no lane {name}:\n{timeline}"
    );
    summary
        .lines()
        .find(|l| l.starts_with(&format!("{name}: ")))
        .unwrap_or_else(|| panic!("no line for {name}:\n{summary}"))
}

/// The summary's line for the recording thread (named after the test).
fn caller_line(summary: &str) -> &str {
    summary.lines().next().expect("the caller's lane")
}

fn kinds(timeline: &Timeline) -> Vec<LaneKind> {
    timeline.lanes().iter().map(|l| l.kind).collect()
}

#[test]
fn a_child_processs_events_arrive_in_the_parent_on_the_same_clock() {
    let _turn = recording_turn();
    let timeline = trace::record(|| {
        let p = Process::new(|| {
            time::sleep(0.03);
            time::sleep(0.03);
        })
        .with_name("Sleeper");
        p.start().unwrap();
        p.join().unwrap();
    });
    let summary = timeline.summary();
    assert_eq!(kinds(&timeline), [LaneKind::Thread, LaneKind::Process]);
    // The sleeps happened in the child: only it can have told us.
    assert_eq!(
        lane_line(&timeline, &summary, "Sleeper"),
        "Sleeper: running, sleeping, running, sleeping, running"
    );
    assert!(
        caller_line(&summary).contains("waiting (join Sleeper)"),
        "{summary}"
    );
    // On one clock: the child's second sleep, 30 ms in, fell inside the
    // parent's wait in join (the first may begin before the parent, busy
    // after the fork, gets to its join), and the join ended after both.
    let join = timeline
        .slices()
        .iter()
        .find(|s| s.lane == 0 && s.what == "join Sleeper")
        .unwrap();
    let sleeps: Vec<_> = timeline
        .slices()
        .iter()
        .filter(|s| s.state == State::Sleeping)
        .collect();
    assert_eq!(sleeps.len(), 2);
    assert!(join.start <= sleeps[1].start, "{timeline:?}");
    assert!(sleeps.iter().all(|s| s.end <= join.end), "{timeline:?}");
}

#[test]
fn pool_workers_show_the_chunks_they_ran() {
    let _turn = recording_turn();
    let timeline = trace::record(|| {
        let pool = Pool::new(2);
        pool.map(|x: u64| x * x, 0..4).unwrap();
    });
    let summary = timeline.summary();
    let workers = timeline
        .lanes()
        .iter()
        .filter(|l| l.kind == LaneKind::Process)
        .count();
    assert_eq!(workers, 2, "{summary}");
    for item in 0..4 {
        assert!(
            summary.contains(&format!("running (items {item}..{})", item + 1)),
            "{summary}"
        );
    }
    assert!(summary.contains("waiting (results)"), "{summary}");
}

#[test]
fn a_thread_blocked_on_a_lock_waits_for_it() {
    let _turn = recording_turn();
    let lock = Lock::new();
    let timeline = trace::record(|| {
        let held = lock.acquire();
        let t = {
            let lock = lock.clone();
            Thread::new(move || drop(lock.acquire())).with_name("Blocked")
        };
        t.start().unwrap();
        time::sleep(0.03);
        drop(held);
        t.join().unwrap();
    });
    let summary = timeline.summary();
    assert_eq!(
        lane_line(&timeline, &summary, "Blocked"),
        "Blocked: running, waiting (lock), running"
    );
}

fn f5(yielding: bool) -> Timeline {
    let _turn = recording_turn();
    trace::record(|| {
        let gs: Vec<Greenlet<()>> = (0..3)
            .map(|_| {
                Greenlet::labelled("f(5)", move || {
                    for _ in 0..5 {
                        if yielding {
                            greenlet::sleep(0.0);
                        }
                    }
                })
            })
            .collect();
        greenlet::joinall(&gs).unwrap();
    })
}

#[test]
fn greenlets_that_never_yield_run_one_after_another() {
    let timeline = f5(false);
    let summary = timeline.summary();
    assert_eq!(kinds(&timeline)[1..], [LaneKind::Greenlet; 3]);
    for k in 1..=3 {
        let name = format!("f(5) #{k}");
        assert_eq!(
            lane_line(&timeline, &summary, &name),
            format!("{name}: ready, running")
        );
    }
    // One after another: each starts once the one before has ended.
    let runs: Vec<_> = timeline
        .slices()
        .iter()
        .filter(|s| s.state == State::Running && s.lane > 0)
        .collect();
    assert!(
        runs.windows(2).all(|w| w[0].end <= w[1].start),
        "{timeline:?}"
    );
}

#[test]
fn greenlets_that_sleep_0_take_turns() {
    let timeline = f5(true);
    let summary = timeline.summary();
    let turns = "running, ready, ".repeat(5);
    for k in 1..=3 {
        let name = format!("f(5) #{k}");
        assert_eq!(
            lane_line(&timeline, &summary, &name),
            format!("{name}: ready, {turns}running")
        );
    }
    assert!(
        caller_line(&summary).contains("waiting (join f(5))"),
        "{summary}"
    );
}

#[test]
fn a_generator_and_its_caller_play_ping_pong() {
    let _turn = recording_turn();
    let timeline = trace::record(|| {
        let itr = jumping_range(5);
        itr.next().unwrap();
        itr.send(2).unwrap();
        itr.next().unwrap();
        itr.send(-1).unwrap();
    });
    let summary = timeline.summary();
    assert_eq!(kinds(&timeline), [LaneKind::Thread, LaneKind::Generator]);
    assert_eq!(
        lane_line(&timeline, &summary, "jumping_range"),
        "jumping_range: running, waiting (yield 0), running, waiting (yield 2), \
         running, waiting (yield 3), running, waiting (yield 2)"
    );
    assert!(
        caller_line(&summary).ends_with(
            "running, waiting (next), running, waiting (send 2), running, \
             waiting (next), running, waiting (send -1), running"
        ),
        "{summary}"
    );
    // Strict turns: never both running at once.
    let running: Vec<_> = timeline
        .slices()
        .iter()
        .filter(|s| s.state == State::Running)
        .collect();
    assert!(
        running.windows(2).all(|w| w[0].end <= w[1].start),
        "{timeline:?}"
    );
}

/// A generator resumed by one lane and then by another on the same thread
/// (the recording's own, then a greenlet's): each caller waits for its own
/// `send`, the generator's turns stay on its one lane.
#[test]
fn a_generator_resumed_from_two_lanes_makes_each_caller_wait() {
    let _turn = recording_turn();
    let timeline = trace::record(|| {
        let itr = std::rc::Rc::new(jumping_range(5));
        itr.next().unwrap();
        itr.send(2).unwrap();
        let again = itr.clone();
        let g = Greenlet::labelled("resumer", move || {
            again.send(-1).unwrap();
        });
        g.join().unwrap();
        itr.next().unwrap();
    });
    let summary = timeline.summary();
    assert!(
        lane_line(&timeline, &summary, "resumer").contains("waiting (send -1), running"),
        "{summary}"
    );
    assert!(
        caller_line(&summary).contains("waiting (send 2), running")
            && !caller_line(&summary).contains("send -1"),
        "{summary}"
    );
    assert_eq!(
        timeline
            .lanes()
            .iter()
            .filter(|l| l.kind == LaneKind::Generator)
            .count(),
        1,
        "{summary}"
    );
}

/// A generator keeps its thread's recorder state between turns: a second
/// recording must still see the turns of a generator the first one saw.
#[test]
fn a_generator_resumed_in_two_recordings_shows_in_both() {
    let _turn = recording_turn();
    let itr = jumping_range(5);
    let yields = |timeline: &Timeline| -> Vec<String> {
        timeline
            .slices()
            .iter()
            .filter(|s| s.state == State::Waiting && s.what.starts_with("yield"))
            .map(|s| s.what.clone())
            .collect()
    };
    let first = trace::record(|| {
        itr.next().unwrap();
    });
    let second = trace::record(|| {
        itr.send(2).unwrap();
        itr.next().unwrap();
    });
    assert_eq!(yields(&first), ["yield 0"], "{first}");
    assert_eq!(yields(&second), ["yield 2", "yield 3"], "{second}");
}

/// Past their first turns, a generator resumed inside another's turn (a
/// pipeline, each `next` of the outer one taking one of the inner one's)
/// still has each turn in its place: every yield in order on both lanes,
/// and each turn of the inner one inside the outer one's wait for it.
#[test]
fn a_pipeline_of_generators_keeps_the_inner_turns_inside_the_outer_ones() {
    let _turn = recording_turn();
    const ITEMS: u64 = 1000;
    let timeline = trace::record(|| {
        let inner: Generator<u64, u64> = Generator::new(|co| {
            let mut i = 0;
            loop {
                co.yield_(i)?;
                i += 1;
            }
        });
        let outer: Generator<u64, u64> = Generator::new(move |co| {
            loop {
                let x = inner.next().unwrap();
                co.yield_(x * 2)?;
            }
        });
        for _ in 0..ITEMS {
            outer.next().unwrap();
        }
    });
    let generators: Vec<usize> = (0..timeline.lanes().len())
        .filter(|&l| timeline.lanes()[l].kind == LaneKind::Generator)
        .collect();
    let [outer, inner] = generators[..] else {
        panic!("two generator lanes:\n{timeline}")
    };
    let slices = timeline.slices();
    let of = |lane: usize, state: State| -> Vec<&trace::Slice> {
        slices
            .iter()
            .filter(|s| s.lane == lane && s.state == state)
            .collect()
    };
    let yields = |lane: usize| -> Vec<String> {
        of(lane, State::Waiting)
            .iter()
            .filter(|s| s.what.starts_with("yield"))
            .map(|s| s.what.clone())
            .collect()
    };
    let expected = |times: u64| -> Vec<String> {
        (0..ITEMS).map(|i| format!("yield {}", i * times)).collect()
    };
    // Where the yields first differ from what was yielded, if they do.
    let differ = |lane: usize, times: u64| {
        let (got, want) = (yields(lane), expected(times));
        let same = got.iter().zip(&want).take_while(|(g, w)| g == w).count();
        (got.len() != same || want.len() != same).then(|| (same, got.get(same).cloned()))
    };
    assert_eq!(differ(inner, 1), None, "the inner generator's yields");
    assert_eq!(differ(outer, 2), None, "the outer generator's yields");
    let running: Vec<_> = slices
        .iter()
        .filter(|s| s.state == State::Running)
        .collect();
    assert!(running.windows(2).all(|w| w[0].end <= w[1].start));
    let waits: Vec<_> = of(outer, State::Waiting)
        .into_iter()
        .filter(|s| s.what == "next")
        .collect();
    let turns = of(inner, State::Running);
    assert_eq!(waits.len(), ITEMS as usize);
    assert_eq!(turns.len(), ITEMS as usize);
    for (wait, turn) in waits.iter().zip(&turns) {
        assert!(
            wait.start <= turn.start && turn.end <= wait.end,
            "an inner turn outside the outer one's wait: {turn:?} / {wait:?}"
        );
    }
}

/// Past its first turns a generator's turns are time-stamped one in 64, the
/// others placed between: every turn is still drawn, in its place, and a
/// sleep of the caller's between two runs of turns stays whole.
#[test]
fn a_long_run_of_turns_keeps_every_turn_in_its_place() {
    let _turn = recording_turn();
    let timeline = trace::record(|| {
        let echo: Generator<u64, u64> = Generator::new(|co| {
            let mut x = 0;
            loop {
                x = co.yield_(x)?.unwrap_or(0);
            }
        });
        echo.next().unwrap();
        for i in 1..=1000 {
            echo.send(i).unwrap();
        }
        time::sleep(0.01);
        for i in 1001..=2000 {
            echo.send(i).unwrap();
        }
    });
    let echo = timeline
        .lanes()
        .iter()
        .position(|l| l.kind == LaneKind::Generator)
        .expect("the generator's lane");
    let slices = timeline.slices();
    let yields: Vec<&str> = slices
        .iter()
        .filter(|s| s.lane == echo && s.state == State::Waiting)
        .map(|s| s.what.as_str())
        .collect();
    let expected: Vec<String> = (0..=2000).map(|i| format!("yield {i}")).collect();
    assert_eq!(yields, expected);
    let ran = slices
        .iter()
        .filter(|s| s.lane == echo && s.state == State::Running);
    assert_eq!(ran.count(), 2001);
    // Strict turns, and none during the sleep.
    let running: Vec<_> = slices
        .iter()
        .filter(|s| s.state == State::Running)
        .collect();
    assert!(running.windows(2).all(|w| w[0].end <= w[1].start));
    let sleep = slices
        .iter()
        .find(|s| s.state == State::Sleeping)
        .expect("the caller's sleep");
    assert!(sleep.end - sleep.start >= std::time::Duration::from_millis(10));
    let during = |s: &&trace::Slice| s.lane == echo && s.start < sleep.end && s.end > sleep.start;
    assert!(
        !slices
            .iter()
            .any(|s| s.state == State::Running && during(&s)),
        "a turn drawn during the sleep"
    );
}

#[test]
fn tokio_tasks_wait_and_are_woken() {
    let _turn = recording_turn();
    let timeline = trace::record(|| {
        let tasks: Vec<_> = [0.02, 0.04]
            .into_iter()
            .map(|secs| asyncio::spawn(asyncio::sleep(secs)))
            .collect();
        asyncio::run(async {
            for task in tasks {
                task.await.unwrap();
            }
        });
    });
    let summary = timeline.summary();
    assert_eq!(
        kinds(&timeline),
        [
            LaneKind::Thread,
            LaneKind::Task,
            LaneKind::Task,
            LaneKind::Task
        ]
    );
    for name in ["Task #1", "Task #2"] {
        assert_eq!(
            lane_line(&timeline, &summary, name),
            format!("{name}: ready, running, waiting, ready (woken), running")
        );
    }
}

/// A thread that is not recorded starts a `Thread` while the recording
/// runs: neither gets a lane, and neither's sleeps are drawn.
#[test]
fn what_a_recorded_thread_did_not_start_is_left_out() {
    let _turn = recording_turn();
    let (go, started) = std::sync::mpsc::channel::<()>();
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let outside = std::thread::spawn(move || {
        started.recv().unwrap();
        let t = Thread::new(|| time::sleep(0.01)).with_name("Outside");
        t.start().unwrap();
        t.join().unwrap();
        time::sleep(0.005);
        done.send(()).unwrap();
    });
    let timeline = trace::record(|| {
        go.send(()).unwrap();
        finished.recv().unwrap();
    });
    outside.join().unwrap();
    assert_eq!(timeline.lanes().len(), 1, "{timeline}");
    assert_eq!(
        caller_line(&timeline.summary()).split(": ").nth(1),
        Some("running")
    );
}
