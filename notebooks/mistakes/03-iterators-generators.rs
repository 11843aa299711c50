// The classic wrong answers to the exercises of
// notebooks/03-iterators-generators.ipynb, and right answers other than the
// reference solutions. The format is explained at the top of
// 01-processes.rs, beside this file.

// exercise: 03-countdown
// mistake: the whole list made first, then handed out by a generator
// says: held 152 MB before it gave its first value
fn countdown(n: i64) -> Generator<i64> {
    let values: Vec<i64> = (1..=n).rev().collect();
    Generator::new(move |co| {
        for v in values {
            co.yield_(v)?;
        }
        Ok(())
    })
}

// exercise: 03-countdown
// mistake: down to 0, one too far
// says: countdown(3) gave [3, 2, 1, 0]
fn countdown(n: i64) -> Generator<i64> {
    Generator::new(move |co| {
        for i in (0..=n).rev() {
            co.yield_(i)?;
        }
        Ok(())
    })
}

// exercise: 03-countdown
// mistake: counting up
// says: countdown(3) gave [1, 2, 3]
fn countdown(n: i64) -> Generator<i64> {
    Generator::new(move |co| {
        for i in 1..=n {
            co.yield_(i)?;
        }
        Ok(())
    })
}

// exercise: 03-countdown
// mistake: recursion that makes the rest before anyone asks, without end
// says: overflowed its stack (endless recursion?)
fn countdown(n: i64) -> Generator<i64> {
    let rest = countdown(n - 1);
    Generator::new(move |co| {
        if n > 0 {
            co.yield_(n)?;
            co.yield_from(rest)?;
        }
        Ok(())
    })
}

// exercise: 03-countdown
// mistake: a loop that never stops
// says: does it ever stop?
fn countdown(n: i64) -> Generator<i64> {
    Generator::new(move |co| {
        let mut i = n;
        loop {
            co.yield_(i)?;
            i -= 1;
        }
    })
}

// exercise: 03-countdown
// right: from a lazy iterator
fn countdown(n: i64) -> Generator<i64> {
    Generator::from_iterator((1..=n).rev())
}

// exercise: 03-running-total
// mistake: unwrap_or on yield_, which swallows close() and throw()
// says: swallowed the exception
fn running_total() -> Generator<i64, i64> {
    Generator::new(|co| {
        let mut total = 0;
        loop {
            let sent = co.yield_(total).unwrap_or(None);
            total += sent.unwrap_or(0);
        }
    })
}

// exercise: 03-running-total
// mistake: the last number kept instead of the total
// says: send(3) gave 3, expected 8
fn running_total() -> Generator<i64, i64> {
    Generator::new(|co| {
        let mut total = 0;
        loop {
            if let Some(sent) = co.yield_(total)? {
                total = sent;
            }
        }
    })
}

// exercise: 03-running-total
// mistake: what was sent unwrapped, but next() sends None
// says: do not unwrap it
fn running_total() -> Generator<i64, i64> {
    Generator::new(|co| {
        let mut total = 0;
        let mut sent = co.yield_(total)?;
        loop {
            total += sent.unwrap();
            sent = co.yield_(total)?;
        }
    })
}

// exercise: 03-running-total
// mistake: ends after a few numbers instead of looping
// says: the generator ended; it should loop forever
fn running_total() -> Generator<i64, i64> {
    Generator::new(|co| {
        let mut total = 0;
        for _ in 0..2 {
            total += co.yield_(total)?.unwrap_or(0);
        }
        Ok(())
    })
}

// exercise: 03-running-total
// mistake: the close swallowed with a match that goes on
// says: went on after GeneratorExit
fn running_total() -> Generator<i64, i64> {
    Generator::new(|co| {
        let mut total = 0;
        loop {
            match co.yield_(total) {
                Ok(sent) => total += sent.unwrap_or(0),
                Err(Exception::GeneratorExit) => continue,
                Err(e) => return Err(e),
            }
        }
    })
}

// exercise: 03-running-total
// right: what was sent taken with a match, None as nothing to add
fn running_total() -> Generator<i64, i64> {
    Generator::new(|co| {
        let mut total = 0;
        let mut sent = co.yield_(0)?;
        loop {
            match sent {
                Some(n) => total += n,
                None => {}
            }
            sent = co.yield_(total)?;
        }
    })
}

// exercise: 03-chain-all
// mistake: the parts' return values lost
// says: the parts return 5, 100 and 7
fn chain_all(parts: Vec<Generator<i64, (), i64>>) -> Generator<i64, (), i64> {
    Generator::new(move |co| {
        for part in parts {
            while let Ok(v) = part.next() {
                co.yield_(v)?;
            }
        }
        Ok(0)
    })
}

// exercise: 03-chain-all
// mistake: every part run to its end before the chain is made
// says: started before anyone asked chain_all for a value
fn chain_all(parts: Vec<Generator<i64, (), i64>>) -> Generator<i64, (), i64> {
    let mut values = Vec::new();
    let mut total = 0;
    for part in &parts {
        loop {
            match part.next() {
                Ok(v) => values.push(v),
                Err(GeneratorError::StopIteration(r)) => {
                    total += r.unwrap_or(0);
                    break;
                }
                Err(GeneratorError::Raised(_)) => break,
            }
        }
    }
    Generator::new(move |co| {
        for v in values {
            co.yield_(v)?;
        }
        Ok(total)
    })
}

// exercise: 03-chain-all
// mistake: unwrap_or on yield_from, which swallows a part's exception
// says: the exception was swallowed
fn chain_all(parts: Vec<Generator<i64, (), i64>>) -> Generator<i64, (), i64> {
    Generator::new(move |co| {
        let mut total = 0;
        for part in parts {
            total += co.yield_from(part).unwrap_or(0);
        }
        Ok(total)
    })
}

// exercise: 03-chain-all
// mistake: a part's failure taken for its end
// says: let the part's exception through
fn chain_all(parts: Vec<Generator<i64, (), i64>>) -> Generator<i64, (), i64> {
    Generator::new(move |co| {
        let mut total = 0;
        for part in parts {
            loop {
                match part.next() {
                    Ok(v) => {
                        co.yield_(v)?;
                    }
                    Err(GeneratorError::StopIteration(r)) => {
                        total += r.unwrap_or(0);
                        break;
                    }
                    Err(GeneratorError::Raised(_)) => return Ok(total),
                }
            }
        }
        Ok(total)
    })
}

// exercise: 03-chain-all
// mistake: the parts in the reverse order
// says: the first next() gave Ok(10)
fn chain_all(parts: Vec<Generator<i64, (), i64>>) -> Generator<i64, (), i64> {
    Generator::new(move |co| {
        let mut total = 0;
        for part in parts.into_iter().rev() {
            total += co.yield_from(part)?;
        }
        Ok(total)
    })
}

// exercise: 03-chain-all
// right: next() by hand, the return value taken from StopIteration
fn chain_all(parts: Vec<Generator<i64, (), i64>>) -> Generator<i64, (), i64> {
    Generator::new(move |co| {
        let mut total = 0;
        for part in parts {
            loop {
                match part.next() {
                    Ok(v) => {
                        co.yield_(v)?;
                    }
                    Err(GeneratorError::StopIteration(r)) => {
                        total += r.unwrap_or(0);
                        break;
                    }
                    Err(GeneratorError::Raised(e)) => return Err(e),
                }
            }
        }
        Ok(total)
    })
}

// exercise: 03-round-robin
// mistake: each task run to its end before the next: no turns
// says: in the log, at index 1
fn round_robin(tasks: Vec<Generator<String, i64>>) -> Vec<String> {
    let mut log = Vec::new();
    for t in tasks {
        let mut said = t.next();
        let mut round = 0;
        while let Ok(s) = said {
            log.push(s);
            round += 1;
            said = t.send(round);
        }
    }
    log
}

// exercise: 03-round-robin
// mistake: next() every round, so no task hears its round
// says: was resumed with next()
fn round_robin(tasks: Vec<Generator<String, i64>>) -> Vec<String> {
    let mut log = Vec::new();
    let mut running = tasks;
    while !running.is_empty() {
        running.retain(|t| match t.next() {
            Ok(said) => {
                log.push(said);
                true
            }
            Err(_) => false,
        });
    }
    log
}

// exercise: 03-round-robin
// mistake: the rounds sent at once, without starting the tasks
// says: never started
fn round_robin(tasks: Vec<Generator<String, i64>>) -> Vec<String> {
    let mut log = Vec::new();
    let mut running = tasks;
    let mut round = 1;
    while !running.is_empty() {
        running.retain(|t| match t.send(round) {
            Ok(said) => {
                log.push(said);
                true
            }
            Err(_) => false,
        });
        round += 1;
    }
    log
}

// exercise: 03-round-robin
// mistake: rounds counted from 0
// says: in the log, at index 3 it gave "a got 0", expected "a got 1"
fn round_robin(tasks: Vec<Generator<String, i64>>) -> Vec<String> {
    let mut log = Vec::new();
    for t in &tasks {
        log.push(t.next().unwrap());
    }
    let mut running = tasks;
    let mut round = 0;
    while !running.is_empty() {
        running.retain(|t| match t.send(round) {
            Ok(said) => {
                log.push(said);
                true
            }
            Err(_) => false,
        });
        round += 1;
    }
    log
}

// exercise: 03-round-robin
// mistake: all stop as soon as one task stops
// says: "c got 2" and the rest are missing
fn round_robin(tasks: Vec<Generator<String, i64>>) -> Vec<String> {
    let mut log = Vec::new();
    for t in &tasks {
        log.push(t.next().unwrap());
    }
    let mut round = 1;
    loop {
        for t in &tasks {
            match t.send(round) {
                Ok(said) => log.push(said),
                Err(_) => return log,
            }
        }
        round += 1;
    }
}

// exercise: 03-round-robin
// right: a queue of tasks, each put back at the end while it runs
fn round_robin(tasks: Vec<Generator<String, i64>>) -> Vec<String> {
    use std::collections::VecDeque;
    let mut log = Vec::new();
    let mut line: VecDeque<(Generator<String, i64>, i64)> = VecDeque::new();
    for t in tasks {
        if let Ok(said) = t.next() {
            log.push(said);
            line.push_back((t, 1));
        }
    }
    while let Some((t, round)) = line.pop_front() {
        if let Ok(said) = t.send(round) {
            log.push(said);
            line.push_back((t, round + 1));
        }
    }
    log
}
