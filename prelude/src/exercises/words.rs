//! The words a ✗ uses for a mistake that several exercises can make, written
//! once so that the same mistake is told the same way in every chapter, and
//! long data cut down to what a learner can read at a glance.

use std::fmt::Debug;

/// At most this many items of a list are shown in a message.
const SHOWN: usize = 6;

/// A list as a message shows it: all of a short one, the first items and
/// the count of a long one: `[0, 1, 2, 3, 4, 5, … (100 in all)]`.
pub(super) fn brief<T: Debug>(items: &[T]) -> String {
    if items.len() <= SHOWN {
        return format!("{items:?}");
    }
    let shown: Vec<String> = items[..SHOWN].iter().map(|i| format!("{i:?}")).collect();
    format!("[{}, … ({} in all)]", shown.join(", "), items.len())
}

/// Where two lists first differ, said briefly: `at index 3 it gave 9, expected 16`.
pub(super) fn first_difference<T: Debug + PartialEq>(got: &[T], want: &[T]) -> String {
    match got.iter().zip(want).position(|(g, w)| g != w) {
        Some(i) => format!("at index {i} it gave {:?}, expected {:?}", got[i], want[i]),
        None if got.len() < want.len() => format!(
            "it gave {} items, expected {}: {:?} and the rest are missing",
            got.len(),
            want.len(),
            want[got.len()]
        ),
        None => format!(
            "it gave {} items, expected {}: {:?} is one too many",
            got.len(),
            want.len(),
            got[want.len().min(got.len().saturating_sub(1))]
        ),
    }
}

/// A counter that came out short: updates were lost to a race.
pub(super) fn lost_updates(call: &str, got: impl Debug, want: impl Debug, workers: &str) -> String {
    format!(
        "{call} gave {got:?}, expected {want:?}: updates were lost — two {workers} read the same \
         value, and both wrote value + 1"
    )
}

/// Workers run one at a time: each joined before the next was started.
pub(super) fn one_at_a_time(workers: &str) -> String {
    let (start, wait) = match workers {
        "tasks" => ("spawn", "await each"),
        "greenlets" => ("spawn", "join or get each"),
        _ => ("start", "join them all"),
    };
    format!(
        "the {workers} ran one at a time, none beside another: each ended before the next \
         began — {start} them all first, then {wait}"
    )
}

/// The work was not done by processes at all.
pub(super) fn no_process(threads: usize) -> String {
    if threads > 0 {
        format!(
            "no process was started ({threads} thread(s) were): a ThreadPool's or a Thread's \
             workers are threads of this process — use a process Pool or Process"
        )
    } else {
        "no process was started: the work was done here, in this process — hand it to a \
         process Pool or Process"
            .into()
    }
}

/// Processes the answer did not join: `running` still (they are stopped
/// now), `dropped` handles let go of without a join.
pub(super) fn processes_left(running: &[i32], dropped: u64, who: &str) -> String {
    let unjoined = (dropped as usize).max(running.len());
    let running = match running {
        [] => String::new(),
        pids => format!(
            " ({} still running, pids {}: stopped now)",
            pids.len(),
            brief(pids)
        ),
    };
    format!(
        "{unjoined} child process(es) were never joined{running}: {who} must end and be joined before it returns"
    )
}

/// OS threads where greenlets or tasks were the point.
pub(super) fn threads_not_green(threads: usize, workers: &str) -> String {
    format!(
        "{threads} OS thread(s) were started: {workers} all run on the one thread that made \
         them, taking turns where they wait — no thread is needed"
    )
}

/// Threads the answer left running.
pub(super) fn threads_left(count: usize) -> String {
    format!(
        "it returned without joining {count} thread(s) it started: join every thread before \
         returning (until then its work may not be done)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lists_are_cut_short() {
        assert_eq!(brief(&[1, 2]), "[1, 2]");
        let long: Vec<i32> = (0..1000).collect();
        assert_eq!(brief(&long), "[0, 1, 2, 3, 4, 5, … (1000 in all)]");
    }

    #[test]
    fn the_first_difference_is_named() {
        assert_eq!(
            first_difference(&[1, 4, 8], &[1, 4, 9]),
            "at index 2 it gave 8, expected 9"
        );
        assert!(first_difference(&[1], &[1, 4]).contains("4 and the rest are missing"));
        assert!(first_difference(&[1, 4, 5], &[1, 4]).contains("5 is one too many"));
    }
}
