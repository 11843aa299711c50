// The classic wrong answers to the exercises of notebooks/06-examples.ipynb,
// and right answers other than the reference solutions. The format is
// explained at the top of 01-processes.rs, beside this file.

// exercise: 06-io-map
// mistake: one wait after another
// says: one after another takes
fn wait_all(delays: Vec<u64>) -> Vec<u64> {
    delays
        .into_iter()
        .map(|ms| {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            ms
        })
        .collect()
}

// exercise: 06-io-map
// mistake: a process pool, where the waits want threads
// says: waiting needs no process of its own
fn wait_all(delays: Vec<u64>) -> Vec<u64> {
    Pool::new(8)
        .map(
            |ms: u64| {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                ms
            },
            delays,
        )
        .unwrap()
}

// exercise: 06-io-map
// mistake: a pool as small as the cores, as for computing
// says: only 2 thread(s) waited
fn wait_all(delays: Vec<u64>) -> Vec<u64> {
    ThreadPool::new(2)
        .unwrap()
        .map(
            |ms: u64| {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                ms
            },
            delays,
        )
        .unwrap()
}

// exercise: 06-io-map
// mistake: a thread each, the results taken as they come
// says: in the order given
// runs: 20
fn wait_all(delays: Vec<u64>) -> Vec<u64> {
    let (send, results) = std::sync::mpsc::channel();
    let threads: Vec<Thread> = delays
        .into_iter()
        .map(|ms| {
            let send = send.clone();
            Thread::new(move || {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                send.send(ms).unwrap();
            })
        })
        .collect();
    drop(send);
    for t in &threads {
        t.start().unwrap();
    }
    let got = results.iter().collect();
    for t in &threads {
        t.join().unwrap();
    }
    got
}

// exercise: 06-io-map
// right: a scoped thread for each wait
fn wait_all(delays: Vec<u64>) -> Vec<u64> {
    std::thread::scope(|scope| {
        let waits: Vec<_> = delays
            .iter()
            .map(|&ms| {
                scope.spawn(move || {
                    std::thread::sleep(std::time::Duration::from_millis(ms));
                    ms
                })
            })
            .collect();
        waits.into_iter().map(|w| w.join().unwrap()).collect()
    })
}

// exercise: 06-green-map
// mistake: OS threads, where greenlets are the point
// says: OS thread(s) were started
fn green_wait_all(delays: Vec<u64>) -> Vec<u64> {
    ThreadPool::new(100)
        .unwrap()
        .map(
            |ms: u64| {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                ms
            },
            delays,
        )
        .unwrap()
}

// exercise: 06-green-map
// mistake: std's sleep in the greenlets, which blocks them all
// says: std::thread::sleep blocks the thread
fn green_wait_all(delays: Vec<u64>) -> Vec<u64> {
    let gs: Vec<Greenlet<u64>> = delays
        .into_iter()
        .map(|ms| {
            Greenlet::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                ms
            })
        })
        .collect();
    gs.iter().map(|g| g.get().unwrap()).collect()
}

// exercise: 06-green-map
// mistake: each greenlet waited for before the next is spawned
// says: the greenlets ran one at a time
fn green_wait_all(delays: Vec<u64>) -> Vec<u64> {
    delays
        .into_iter()
        .map(|ms| {
            Greenlet::spawn(move || {
                greenlet::sleep(ms as f64 / 1000.0);
                ms
            })
            .get()
            .unwrap()
        })
        .collect()
}

// exercise: 06-green-map
// mistake: the green sleep, but no greenlets
// says: each wait should be a greenlet of its own
fn green_wait_all(delays: Vec<u64>) -> Vec<u64> {
    for &ms in &delays {
        greenlet::sleep(ms as f64 / 1000.0);
    }
    delays
}

// exercise: 06-green-map
// mistake: results pushed as the greenlets end
// says: in the order given
fn green_wait_all(delays: Vec<u64>) -> Vec<u64> {
    use std::cell::RefCell;
    use std::rc::Rc;
    let done = Rc::new(RefCell::new(Vec::new()));
    let gs: Vec<Greenlet> = delays
        .into_iter()
        .map(|ms| {
            let done = done.clone();
            Greenlet::spawn(move || {
                greenlet::sleep(ms as f64 / 1000.0);
                done.borrow_mut().push(ms);
            })
        })
        .collect();
    greenlet::joinall(&gs).unwrap();
    let done = done.borrow().clone();
    done
}

// exercise: 06-green-map
// right: spawn! of a named function, joinall, then each value
fn green_wait_all(delays: Vec<u64>) -> Vec<u64> {
    fn wait(ms: u64) -> u64 {
        greenlet::sleep(ms as f64 / 1000.0);
        ms
    }
    let gs: Vec<Greenlet<u64>> = delays.into_iter().map(|ms| spawn!(wait(ms))).collect();
    greenlet::joinall(&gs).unwrap();
    gs.iter().map(|g| g.get().unwrap()).collect()
}

// exercise: 06-word-count
// mistake: the text cut at byte offsets
// says: panicked
fn count_words(text: String, workers: usize) -> std::collections::BTreeMap<String, usize> {
    use std::collections::BTreeMap;
    let size = text.len().div_ceil(workers).max(1);
    let chunks: Vec<String> = (0..text.len())
        .step_by(size)
        .map(|start| text[start..(start + size).min(text.len())].to_string())
        .collect();
    let counted = Pool::new(workers)
        .map(
            |chunk: String| {
                let mut counts = BTreeMap::new();
                for word in chunk.split_whitespace() {
                    *counts.entry(word.to_string()).or_insert(0_usize) += 1;
                }
                counts
            },
            chunks,
        )
        .unwrap();
    let mut total = BTreeMap::new();
    for counts in counted {
        for (word, n) in counts {
            *total.entry(word).or_insert(0) += n;
        }
    }
    total
}

// exercise: 06-word-count
// mistake: no pool: every word counted right here
// says: no process was started
fn count_words(text: String, _workers: usize) -> std::collections::BTreeMap<String, usize> {
    let mut counts = std::collections::BTreeMap::new();
    for word in text.split_whitespace() {
        *counts.entry(word.to_string()).or_insert(0) += 1;
    }
    counts
}

// exercise: 06-word-count
// mistake: a part's count put in place of the total, not added to it
// says: add each part's count to the total (+=)
fn count_words(text: String, workers: usize) -> std::collections::BTreeMap<String, usize> {
    use std::collections::BTreeMap;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let size = lines.len().div_ceil(workers).max(1);
    let chunks: Vec<Vec<String>> = lines.chunks(size).map(<[String]>::to_vec).collect();
    let counted = Pool::new(workers)
        .map(
            |chunk: Vec<String>| {
                let mut counts = BTreeMap::new();
                for word in chunk.iter().flat_map(|line| line.split_whitespace()) {
                    *counts.entry(word.to_string()).or_insert(0_usize) += 1;
                }
                counts
            },
            chunks,
        )
        .unwrap();
    let mut total = BTreeMap::new();
    for counts in counted {
        for (word, n) in counts {
            total.insert(word, n);
        }
    }
    total
}

// exercise: 06-word-count
// mistake: words split on ' ' only, so a line's end joins two words
// says: split on all whitespace (split_whitespace)
fn count_words(text: String, workers: usize) -> std::collections::BTreeMap<String, usize> {
    use std::collections::BTreeMap;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let size = lines.len().div_ceil(workers).max(1);
    let chunks: Vec<String> = lines.chunks(size).map(|c| c.join("\n")).collect();
    let counted = Pool::new(workers)
        .map(
            |chunk: String| {
                let mut counts = BTreeMap::new();
                for word in chunk.split(' ').filter(|w| !w.is_empty()) {
                    *counts.entry(word.to_string()).or_insert(0_usize) += 1;
                }
                counts
            },
            chunks,
        )
        .unwrap();
    let mut total = BTreeMap::new();
    for counts in counted {
        for (word, n) in counts {
            *total.entry(word).or_insert(0) += n;
        }
    }
    total
}

// exercise: 06-word-count
// mistake: the chunk size worked out without a floor of 1
// says: make the chunk size at least 1
fn count_words(text: String, workers: usize) -> std::collections::BTreeMap<String, usize> {
    use std::collections::BTreeMap;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let size = lines.len().div_ceil(workers);
    let chunks: Vec<Vec<String>> = lines.chunks(size).map(<[String]>::to_vec).collect();
    let counted = Pool::new(workers)
        .map(
            |chunk: Vec<String>| {
                let mut counts = BTreeMap::new();
                for word in chunk.iter().flat_map(|line| line.split_whitespace()) {
                    *counts.entry(word.to_string()).or_insert(0_usize) += 1;
                }
                counts
            },
            chunks,
        )
        .unwrap();
    let mut total = BTreeMap::new();
    for counts in counted {
        for (word, n) in counts {
            *total.entry(word).or_insert(0) += n;
        }
    }
    total
}

// exercise: 06-word-count
// right: every worker takes every n-th line
fn count_words(text: String, workers: usize) -> std::collections::BTreeMap<String, usize> {
    use std::collections::BTreeMap;
    let lines: Vec<String> = text.lines().map(str::to_string).collect();
    let shares: Vec<Vec<String>> = (0..workers)
        .map(|w| lines.iter().skip(w).step_by(workers).cloned().collect())
        .collect();
    let mut total = BTreeMap::new();
    for counts in Pool::new(workers)
        .map(
            |share: Vec<String>| {
                let mut counts: BTreeMap<String, usize> = BTreeMap::new();
                for line in &share {
                    for word in line.split_whitespace() {
                        *counts.entry(word.to_string()).or_default() += 1;
                    }
                }
                counts
            },
            shares,
        )
        .unwrap()
    {
        for (word, n) in counts {
            *total.entry(word).or_insert(0) += n;
        }
    }
    total
}

// exercise: 06-as-they-finish
// mistake: map's order: all waited on, then handed on in the order given
// says: that is map's order
fn as_they_finish(delays: Vec<u64>) -> std::sync::mpsc::Receiver<u64> {
    let done = ThreadPool::new(8)
        .unwrap()
        .map(
            |ms: u64| {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                ms
            },
            delays,
        )
        .unwrap();
    let (send, results) = std::sync::mpsc::channel();
    for ms in done {
        send.send(ms).unwrap();
    }
    results
}

// exercise: 06-as-they-finish
// mistake: all waited on together, then sorted
// says: before handing any on
fn as_they_finish(delays: Vec<u64>) -> std::sync::mpsc::Receiver<u64> {
    let mut done = ThreadPool::new(8)
        .unwrap()
        .map(
            |ms: u64| {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                ms
            },
            delays,
        )
        .unwrap();
    done.sort();
    let (send, results) = std::sync::mpsc::channel();
    for ms in done {
        send.send(ms).unwrap();
    }
    results
}

// exercise: 06-as-they-finish
// mistake: the threads joined before the channel is handed back
// says: before handing any on
fn as_they_finish(delays: Vec<u64>) -> std::sync::mpsc::Receiver<u64> {
    let (send, results) = std::sync::mpsc::channel();
    let waiters: Vec<Thread> = delays
        .into_iter()
        .map(|ms| {
            let send = send.clone();
            Thread::new(move || {
                std::thread::sleep(std::time::Duration::from_millis(ms));
                send.send(ms).unwrap();
            })
        })
        .collect();
    for w in &waiters {
        w.start().unwrap();
    }
    for w in &waiters {
        w.join().unwrap();
    }
    results
}

// exercise: 06-as-they-finish
// mistake: the original sender kept, so the channel never ends
// says: the channel stayed open
fn as_they_finish(delays: Vec<u64>) -> std::sync::mpsc::Receiver<u64> {
    let (send, results) = std::sync::mpsc::channel();
    for ms in delays {
        let send = send.clone();
        Thread::new(move || {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            send.send(ms).unwrap();
        })
        .start()
        .unwrap();
    }
    std::mem::forget(send);
    results
}

// exercise: 06-as-they-finish
// mistake: the waits one after another, shortest first
// says: waiting on all at once takes about 300 ms
fn as_they_finish(delays: Vec<u64>) -> std::sync::mpsc::Receiver<u64> {
    let (send, results) = std::sync::mpsc::channel();
    let mut sorted = delays;
    sorted.sort();
    Thread::new(move || {
        for ms in sorted {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            send.send(ms).unwrap();
        }
    })
    .start()
    .unwrap();
    results
}

// exercise: 06-as-they-finish
// right: greenlets on a thread of their own, each sending when it wakes
fn as_they_finish(delays: Vec<u64>) -> std::sync::mpsc::Receiver<u64> {
    let (send, results) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let gs: Vec<Greenlet> = delays
            .into_iter()
            .map(|ms| {
                let send = send.clone();
                Greenlet::spawn(move || {
                    greenlet::sleep(ms as f64 / 1000.0);
                    send.send(ms).unwrap();
                })
            })
            .collect();
        greenlet::joinall(&gs).unwrap();
    });
    results
}
