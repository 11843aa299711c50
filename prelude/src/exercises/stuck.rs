//! What a check left behind: the threads that appeared while it ran, and
//! what each is doing, read from `/proc/self/task` — so that "did not
//! finish" can say "two threads wait on a lock" rather than nothing — and
//! the child processes still there when it ended.

use std::collections::BTreeSet;
use std::fs;

/// The ids of this process's threads now.
pub(super) fn thread_ids() -> BTreeSet<u32> {
    fs::read_dir("/proc/self/task")
        .map(|dir| {
            dir.filter_map(|entry| entry.ok()?.file_name().to_str()?.parse().ok())
                .collect()
        })
        .unwrap_or_default()
}

/// The pids of this process's children now, zombies too (from `/proc`).
pub(super) fn child_pids() -> BTreeSet<i32> {
    let me = std::process::id().to_string();
    let Ok(dir) = fs::read_dir("/proc") else {
        return BTreeSet::new();
    };
    dir.filter_map(|entry| {
        let pid: i32 = entry.ok()?.file_name().to_str()?.parse().ok()?;
        let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // `pid (comm) S ppid …`
        let ppid = stat.rsplit_once(')')?.1.split_whitespace().nth(1)?;
        (ppid == me).then_some(pid)
    })
    .collect()
}

/// The threads that were not there `before`, each as `name: what it does`,
/// joined by `; ` (or why that cannot be told).
pub(super) fn left_since(before: &BTreeSet<u32>) -> String {
    let new: Vec<String> = thread_ids()
        .difference(before)
        .filter_map(|&tid| describe(tid))
        .collect();
    if new.is_empty() {
        return "(no thread of it is left to look at)".into();
    }
    format!("Its threads: {}", new.join("; "))
}

/// `name: what it does` for thread `tid`, from its `comm`, `stat` and `wchan`.
fn describe(tid: u32) -> Option<String> {
    let task = format!("/proc/self/task/{tid}");
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
    fn a_child_is_found_until_it_is_reaped() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let pid = i32::try_from(child.id()).unwrap();
        assert!(child_pids().contains(&pid));
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(!child_pids().contains(&pid));
    }

    #[test]
    fn a_thread_waiting_on_a_lock_is_named_and_said_to_wait() {
        let before = thread_ids();
        let lock = std::sync::Arc::new(std::sync::Mutex::new(()));
        let held = lock.lock().unwrap();
        let waiter = std::sync::Arc::clone(&lock);
        let t = std::thread::Builder::new()
            .name("stuck-waiter".into())
            .spawn(move || drop(waiter.lock()))
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(200));
        let left = left_since(&before);
        drop(held);
        t.join().unwrap();
        assert!(left.contains("stuck-waiter waits for"), "{left}");
    }
}
