// Reference solutions for the exercises of notebooks/06-examples.ipynb.
// Each starts with a line `// exercise: ID`; tests/exercises.rs puts it in
// place of the exercise's TODO cell and expects its check to print ✓, and the
// chapter's module in prelude/src/exercises/ runs this file as its doc test.

// exercise: 06-io-map
fn wait_all(delays: Vec<u64>) -> Vec<u64> {
    let pool = ThreadPool::new(64).unwrap();
    pool.map(
        |ms: u64| {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            ms
        },
        delays,
    )
    .unwrap()
}

// exercise: 06-green-map
fn green_wait_all(delays: Vec<u64>) -> Vec<u64> {
    let gs: Vec<Greenlet<u64>> = delays
        .into_iter()
        .map(|ms| {
            Greenlet::spawn(move || {
                greenlet::sleep(ms as f64 / 1000.0);
                ms
            })
        })
        .collect();
    gs.iter().map(|g| g.get().unwrap()).collect()
}

// exercise: 06-word-count
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
            *total.entry(word).or_insert(0) += n;
        }
    }
    total
}

// exercise: 06-as-they-finish
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
    // Only the threads' senders are left: the channel ends with the last.
    drop(send);
    results
}
