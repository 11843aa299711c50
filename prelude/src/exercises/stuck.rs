//! What a check left behind: the threads that appeared while it ran, and
//! what each is doing, read from `/proc/self/task` — so that "did not
//! finish" can say "two threads wait on a lock" rather than nothing — and
//! the child processes still there when it ended.

use std::collections::BTreeSet;
use std::fs;

/// This thread's id, as `/proc/self/task` names it.
pub(super) fn this_thread() -> u32 {
    u32::try_from(nix::unistd::gettid().as_raw()).unwrap_or_default()
}

/// The ids of this process's threads started no earlier than thread
/// `first`: Linux gives out thread ids in increasing order (until they wrap
/// at `pid_max`), so they are the ids from `first`'s on.
///
/// Comparing against a list taken "before" would not do: a read of
/// `/proc/self/task` while other threads exit can skip a live thread, which
/// then shows up as new in the next read.
pub(super) fn threads_since(first: u32) -> BTreeSet<u32> {
    fs::read_dir("/proc/self/task")
        .map(|dir| {
            dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
                .filter(|&tid| tid >= first)
                .collect()
        })
        .unwrap_or_default()
}

/// Of `pids`, those that are this process's children and still running (not
/// zombies waiting to be reaped).
pub(super) fn still_running(pids: &[i32]) -> Vec<i32> {
    let me = std::process::id().to_string();
    let running = |pid: &i32| {
        let Ok(stat) = fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return false;
        };
        // `pid (comm) S ppid …`
        let mut fields = stat
            .rsplit_once(')')
            .map(|(_, rest)| rest.split_whitespace());
        let state = fields.as_mut().and_then(Iterator::next);
        let ppid = fields.as_mut().and_then(Iterator::next);
        state.is_some_and(|s| s != "Z") && ppid == Some(me.as_str())
    };
    pids.iter().copied().filter(running).collect()
}

/// The threads of process `pid`, each as `name: what it does`, joined by
/// `; ` (or why that cannot be told).
pub(super) fn threads_of(pid: i32) -> String {
    let tids: BTreeSet<u32> = fs::read_dir(format!("/proc/{pid}/task"))
        .map(|dir| {
            dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default();
    let threads: Vec<String> = tids
        .into_iter()
        .filter_map(|tid| describe(pid, tid))
        .collect();
    if threads.is_empty() {
        return "(no thread of it is left to look at)".into();
    }
    format!("Its threads: {}", threads.join("; "))
}

/// The pids of the children of process `pid` (from `/proc`).
pub(super) fn children_of(pid: i32) -> Vec<i32> {
    let parent = pid.to_string();
    let Ok(dir) = fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|entry| {
        let child: i32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = fs::read_to_string(format!("/proc/{child}/stat")).ok()?;
        // `pid (comm) S ppid …`
        let ppid = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?;
        (ppid == parent).then_some(child)
    })
    .collect()
}

/// `name: what it does` for thread `tid` of process `pid`, from its `comm`,
/// `stat` and `wchan`.
fn describe(pid: i32, tid: u32) -> Option<String> {
    let task = format!("/proc/{pid}/task/{tid}");
    let name = fs::read_to_string(format!("{task}/comm")).ok()?;
    let stat = fs::read_to_string(format!("{task}/stat")).ok()?;
    // `pid (comm) S …`: the state follows the last `)`.
    let state = stat
        .rsplit_once(')')?
        .1
        .split_whitespace()
        .next()?
        .to_string();
    let wchan = fs::read_to_string(format!("{task}/wchan")).unwrap_or_default();
    Some(format!("{} {}", name.trim(), doing(&state, wchan.trim())))
}

/// A thread's state (`R`, `S`, `D`…) and kernel wait channel in words.
fn doing(state: &str, wchan: &str) -> String {
    let waits_for = if wchan.contains("futex") {
        "a lock, a join or a condition"
    } else if wchan.contains("nanosleep") || wchan.contains("hrtimer") {
        "a sleep to end"
    } else if wchan.contains("pipe") || wchan.contains("poll") || wchan.contains("read") {
        "data (a pipe, a queue, a socket)"
    } else if wchan.contains("wait") {
        "a child process"
    } else {
        "something"
    };
    match state {
        "R" => "is running (a loop that never ends?)".into(),
        "S" | "D" => format!("waits for {waits_for}"),
        other => format!("is in state {other}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_child_is_running_until_it_ends() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let pid = i32::try_from(child.id()).unwrap();
        assert_eq!(still_running(&[pid, -1]), [pid]);
        child.kill().unwrap();
        // A zombie is not running.
        while std::fs::read_to_string(format!("/proc/{pid}/stat"))
            .is_ok_and(|s| !s.contains(") Z "))
        {
            std::thread::sleep(std::time::Duration::from_millis(1));
        }
        assert!(still_running(&[pid]).is_empty());
        child.wait().unwrap();
        assert!(still_running(&[pid]).is_empty());
    }

    #[test]
    fn a_thread_waiting_on_a_lock_is_named_and_said_to_wait() {
        let lock = std::sync::Arc::new(std::sync::Mutex::new(()));
        let held = lock.lock().unwrap();
        let waiter = std::sync::Arc::clone(&lock);
        let (tid_of, tid) = std::sync::mpsc::channel();
        let t = std::thread::Builder::new()
            .name("stuck-waiter".into())
            .spawn(move || {
                tid_of.send(this_thread()).unwrap();
                drop(waiter.lock())
            })
            .unwrap();
        let _ = tid.recv().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        let left = threads_of(std::process::id() as i32);
        drop(held);
        t.join().unwrap();
        assert!(left.contains("stuck-waiter waits for"), "{left}");
    }

    #[test]
    fn threads_from_before_never_count_as_new_while_others_exit() {
        use std::sync::{Arc, Barrier};
        let go = Arc::new(Barrier::new(65));
        let exiting: Vec<_> = (0..64)
            .map(|_| {
                let go = Arc::clone(&go);
                std::thread::spawn(move || {
                    go.wait();
                })
            })
            .collect();
        let (tids, old) = std::sync::mpsc::channel();
        let stay = Arc::new(Barrier::new(2));
        let keeper = std::thread::spawn({
            let stay = Arc::clone(&stay);
            move || {
                tids.send(this_thread()).unwrap();
                stay.wait();
            }
        });
        let keeper_tid = old.recv().unwrap();
        // A marker started after them all, looking while the 64 exit.
        let looked = std::thread::spawn(move || {
            let first = this_thread();
            go.wait();
            (0..200).any(|_| threads_since(first).contains(&keeper_tid))
        });
        assert!(
            !looked.join().unwrap(),
            "an older thread was counted as new"
        );
        stay.wait();
        keeper.join().unwrap();
        exiting.into_iter().for_each(|t| t.join().unwrap());
    }
}
