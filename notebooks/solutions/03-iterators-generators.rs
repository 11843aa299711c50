// Reference solutions for the exercises of notebooks/03-iterators-generators.ipynb.
// Each starts with a line `// exercise: ID`; tests/exercises.rs puts it in
// place of the exercise's TODO cell and expects its check to print ✓, and the
// chapter's module in prelude/src/exercises/ runs this file as its doc test.

// exercise: 03-countdown
fn countdown(n: i64) -> Generator<i64> {
    Generator::new(move |co| {
        for i in (1..=n).rev() {
            co.yield_(i)?;
        }
        Ok(())
    })
}

// exercise: 03-running-total
fn running_total() -> Generator<i64, i64> {
    Generator::new(|co| {
        let mut total = 0;
        loop {
            let sent = co.yield_(total)?;
            total += sent.unwrap_or(0);
        }
    })
}

// exercise: 03-chain-all
fn chain_all(parts: Vec<Generator<i64, (), i64>>) -> Generator<i64, (), i64> {
    Generator::new(move |co| {
        let mut total = 0;
        for part in parts {
            total += co.yield_from(part)?;
        }
        Ok(total)
    })
}

// exercise: 03-round-robin
fn round_robin(tasks: Vec<Generator<String, i64>>) -> Vec<String> {
    let mut log = Vec::new();
    let mut running = Vec::new();
    for task in tasks {
        if let Ok(said) = task.next() {
            log.push(said);
            running.push(task);
        }
    }
    let mut round = 0;
    while !running.is_empty() {
        round += 1;
        running.retain(|task| match task.send(round) {
            Ok(said) => {
                log.push(said);
                true
            }
            Err(_) => false,
        });
    }
    log
}
