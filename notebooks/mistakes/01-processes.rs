// The classic wrong answers to the exercises of notebooks/01-processes.ipynb,
// and right answers other than the reference solutions.
//
// Each entry starts with `// exercise: ID`, then says what the answer is:
// `// mistake: …` with `// says: …`, words its ✗ must contain, or
// `// right: …` for one that must get its ✓. `// runs: N` runs the check N
// times: a mistake that a lucky schedule could hide must be caught every
// time, and a right answer to a check that slows a race down must pass every
// time. tests/exercises.rs puts each in place of the exercise's TODO cell, in
// one session, as a learner's notebook would run it.

// exercise: 01-lossless-counter
// mistake: no lock: a read and a write that another process can come between
// says: updates were lost
// runs: 20
fn count_in_processes(procs: usize, each: usize) -> i64 {
    let value = Value::new(0_i64).unwrap();
    let workers: Vec<Process> = (0..procs)
        .map(|_| {
            let value = value.clone();
            Process::new(move || {
                for _ in 0..each {
                    value.set(value.get() + 1);
                }
            })
        })
        .collect();
    for w in &workers {
        w.start().unwrap();
    }
    for w in &workers {
        w.join().unwrap();
    }
    value.get()
}

// exercise: 01-lossless-counter
// mistake: a lock made inside each process, so nobody waits for anybody
// says: each process made a Lock of its own
// runs: 20
fn count_in_processes(procs: usize, each: usize) -> i64 {
    let value = Value::new(0_i64).unwrap();
    let workers: Vec<Process> = (0..procs)
        .map(|_| {
            let value = value.clone();
            Process::new(move || {
                let lock = multiprocessing::Lock::new().unwrap();
                for _ in 0..each {
                    let _held = lock.acquire();
                    value.set(value.get() + 1);
                }
            })
        })
        .collect();
    for w in &workers {
        w.start().unwrap();
    }
    for w in &workers {
        w.join().unwrap();
    }
    value.get()
}

// exercise: 01-lossless-counter
// mistake: the guard bound to `_`, so the lock is given back at once
// says: updates were lost
// runs: 20
fn count_in_processes(procs: usize, each: usize) -> i64 {
    let value = Value::new(0_i64).unwrap();
    let workers: Vec<Process> = (0..procs)
        .map(|_| {
            let value = value.clone();
            Process::new(move || {
                for _ in 0..each {
                    let _ = value.get_lock().acquire();
                    value.set(value.get() + 1);
                }
            })
        })
        .collect();
    for w in &workers {
        w.start().unwrap();
    }
    for w in &workers {
        w.join().unwrap();
    }
    value.get()
}

// exercise: 01-lossless-counter
// mistake: each process started and joined in the same loop: one at a time
// says: ran one at a time
fn count_in_processes(procs: usize, each: usize) -> i64 {
    let value = Value::new(0_i64).unwrap();
    for _ in 0..procs {
        let value2 = value.clone();
        let p = Process::new(move || {
            for _ in 0..each {
                let _held = value2.get_lock().acquire();
                value2.set(value2.get() + 1);
            }
        });
        p.start().unwrap();
        p.join().unwrap();
    }
    value.get()
}

// exercise: 01-lossless-counter
// mistake: the counter read before the processes are joined
// says: were never joined
fn count_in_processes(procs: usize, each: usize) -> i64 {
    let value = Value::new(0_i64).unwrap();
    for _ in 0..procs {
        let value = value.clone();
        Process::new(move || {
            for _ in 0..each {
                let _held = value.get_lock().acquire();
                value.set(value.get() + 1);
            }
        })
        .start()
        .unwrap();
    }
    value.get()
}

// exercise: 01-lossless-counter
// mistake: threads, where the exercise is about processes
// says: no process was started
fn count_in_processes(procs: usize, each: usize) -> i64 {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicI64, Ordering};
    let total = Arc::new(AtomicI64::new(0));
    let threads: Vec<Thread> = (0..procs)
        .map(|_| {
            let total = Arc::clone(&total);
            Thread::new(move || {
                for _ in 0..each {
                    total.fetch_add(1, Ordering::SeqCst);
                }
            })
        })
        .collect();
    for t in &threads {
        t.start().unwrap();
    }
    for t in &threads {
        t.join().unwrap();
    }
    total.load(Ordering::SeqCst)
}

// exercise: 01-lossless-counter
// right: one Lock of its own, made before the processes and shared
// runs: 5
fn count_in_processes(procs: usize, each: usize) -> i64 {
    let value = Value::new(0_i64).unwrap();
    let lock = multiprocessing::Lock::new().unwrap();
    let workers: Vec<Process> = (0..procs)
        .map(|_| {
            let (value, lock) = (value.clone(), lock.clone());
            Process::new(move || {
                for _ in 0..each {
                    let _held = lock.acquire();
                    value.set(value.get() + 1);
                }
            })
        })
        .collect();
    for w in &workers {
        w.start().unwrap();
    }
    for w in &workers {
        w.join().unwrap();
    }
    value.get()
}

// exercise: 01-pool-squares
// mistake: no pool: the squares computed right here
// says: the work was done here
fn squares_in_pool(numbers: Vec<i64>) -> Vec<i64> {
    numbers.iter().map(|x| x * x).collect()
}

// exercise: 01-pool-squares
// mistake: a thread pool, where a process pool is the point
// says: threads of this process
fn squares_in_pool(numbers: Vec<i64>) -> Vec<i64> {
    ThreadPool::new(2).unwrap().map(|x: i64| x * x, numbers).unwrap()
}

// exercise: 01-pool-squares
// mistake: a process for each number instead of a pool
// says: one a number
fn squares_in_pool(numbers: Vec<i64>) -> Vec<i64> {
    let squares = Array::new(&vec![0_i64; numbers.len()]).unwrap();
    let workers: Vec<Process> = numbers
        .iter()
        .enumerate()
        .map(|(i, &x)| {
            let squares = squares.clone();
            Process::new(move || squares.set(i, x * x))
        })
        .collect();
    for w in &workers {
        w.start().unwrap();
    }
    for w in &workers {
        w.join().unwrap();
    }
    squares.to_vec()
}

// exercise: 01-pool-squares
// mistake: the squares sorted, as if order did not matter
// says: in another order
fn squares_in_pool(numbers: Vec<i64>) -> Vec<i64> {
    let mut squares = Pool::new(2).map(|x: i64| x * x, numbers).unwrap();
    squares.sort();
    squares
}

// exercise: 01-pool-squares
// mistake: doubled, not squared
// says: at index 0 it gave 6, expected 9
fn squares_in_pool(numbers: Vec<i64>) -> Vec<i64> {
    Pool::new(2).map(|x: i64| x + x, numbers).unwrap()
}

// exercise: 01-pool-squares
// right: a pool of four, its map with a named function
fn squares_in_pool(numbers: Vec<i64>) -> Vec<i64> {
    fn square(x: i64) -> i64 {
        x * x
    }
    let pool = Pool::new(4);
    pool.map(square, numbers).unwrap()
}

// exercise: 01-pipe-doubler
// mistake: no child: the parent doubles the numbers itself
// says: done by this process
fn doubled_by_child(numbers: Vec<i64>) -> Vec<(i32, i64)> {
    numbers.into_iter().map(|x| (getpid(), 2 * x)).collect()
}

// exercise: 01-pipe-doubler
// mistake: a new child for every number
// says: one child should answer them all
fn doubled_by_child(numbers: Vec<i64>) -> Vec<(i32, i64)> {
    let mut answers = Vec::new();
    for x in numbers {
        let (parent, child) = multiprocessing::duplex::<i64, (i32, i64)>().unwrap();
        let p = Process::new(move || {
            let x = child.recv().unwrap();
            child.send((getpid(), 2 * x)).unwrap();
        });
        p.start().unwrap();
        parent.send(x).unwrap();
        answers.push(parent.recv().unwrap());
        p.join().unwrap();
    }
    answers
}

// exercise: 01-pipe-doubler
// mistake: the child never told to stop, then joined: both wait for ever
// says: did not finish in 5 s
fn doubled_by_child(numbers: Vec<i64>) -> Vec<(i32, i64)> {
    let (parent, child) = multiprocessing::duplex::<Option<i64>, (i32, i64)>().unwrap();
    let doubler = Process::new(move || {
        while let Ok(Some(x)) = child.recv() {
            child.send((getpid(), 2 * x)).unwrap();
        }
    });
    doubler.start().unwrap();
    let mut answers = Vec::new();
    for x in numbers {
        parent.send(Some(x)).unwrap();
        answers.push(parent.recv().unwrap());
    }
    doubler.join().unwrap();
    answers
}

// exercise: 01-pipe-doubler
// mistake: the child not joined: it is left behind
// says: were never joined
fn doubled_by_child(numbers: Vec<i64>) -> Vec<(i32, i64)> {
    let (parent, child) = multiprocessing::duplex::<Option<i64>, (i32, i64)>().unwrap();
    let doubler = Process::new(move || {
        while let Ok(Some(x)) = child.recv() {
            child.send((getpid(), 2 * x)).unwrap();
        }
    });
    doubler.start().unwrap();
    let mut answers = Vec::new();
    for x in numbers {
        parent.send(Some(x)).unwrap();
        answers.push(parent.recv().unwrap());
    }
    parent.send(None).unwrap();
    answers
}

// exercise: 01-pipe-doubler
// mistake: the child adds instead of doubling
// says: at index 0 it gave 3, expected 2
fn doubled_by_child(numbers: Vec<i64>) -> Vec<(i32, i64)> {
    let (parent, child) = multiprocessing::duplex::<Option<i64>, (i32, i64)>().unwrap();
    let doubler = Process::new(move || {
        while let Ok(Some(x)) = child.recv() {
            child.send((getpid(), x + 2)).unwrap();
        }
    });
    doubler.start().unwrap();
    let answers = numbers
        .into_iter()
        .map(|x| {
            parent.send(Some(x)).unwrap();
            parent.recv().unwrap()
        })
        .collect();
    parent.send(None).unwrap();
    doubler.join().unwrap();
    answers
}

// exercise: 01-pipe-doubler
// right: every number sent first, then every answer read, then None
fn doubled_by_child(numbers: Vec<i64>) -> Vec<(i32, i64)> {
    let (parent, child) = multiprocessing::duplex::<Option<i64>, (i32, i64)>().unwrap();
    let doubler = Process::new(move || {
        while let Ok(Some(x)) = child.recv() {
            child.send((getpid(), 2 * x)).unwrap();
        }
    });
    doubler.start().unwrap();
    for &x in &numbers {
        parent.send(Some(x)).unwrap();
    }
    let answers = numbers.iter().map(|_| parent.recv().unwrap()).collect();
    parent.send(None).unwrap();
    doubler.join().unwrap();
    answers
}

// exercise: 01-queue-workers
// mistake: workers stop when the queue looks empty, not at a None
// says: some numbers were never taken
// runs: 20
fn sum_with_workers(numbers: Vec<i64>, workers: usize) -> Vec<i64> {
    let work = Queue::<i64>::new().unwrap();
    let answers = Queue::<i64>::new().unwrap();
    let procs: Vec<Process> = (0..workers)
        .map(|_| {
            let (work, answers) = (work.clone(), answers.clone());
            Process::new(move || {
                let mut sum = 0;
                while let Ok(x) = work.get_nowait() {
                    sum += x;
                }
                answers.put(sum).unwrap();
            })
        })
        .collect();
    for p in &procs {
        p.start().unwrap();
    }
    for x in numbers {
        work.put(x).unwrap();
    }
    let sums = (0..workers).map(|_| answers.get().unwrap()).collect();
    for p in &procs {
        p.join().unwrap();
    }
    sums
}

// exercise: 01-queue-workers
// mistake: one None for all the workers: the others wait for ever
// says: waiting on a queue's get()
fn sum_with_workers(numbers: Vec<i64>, workers: usize) -> Vec<i64> {
    let work = Queue::<Option<i64>>::new().unwrap();
    let answers = Queue::<i64>::new().unwrap();
    let procs: Vec<Process> = (0..workers)
        .map(|_| {
            let (work, answers) = (work.clone(), answers.clone());
            Process::new(move || {
                let mut sum = 0;
                while let Ok(Some(x)) = work.get() {
                    sum += x;
                }
                answers.put(sum).unwrap();
            })
        })
        .collect();
    for p in &procs {
        p.start().unwrap();
    }
    for x in numbers {
        work.put(Some(x)).unwrap();
    }
    work.put(None).unwrap();
    let sums = (0..workers).map(|_| answers.get().unwrap()).collect();
    for p in &procs {
        p.join().unwrap();
    }
    sums
}

// exercise: 01-queue-workers
// mistake: a worker puts every running sum, not one sum when it stops
// says: each worker puts one sum
fn sum_with_workers(numbers: Vec<i64>, workers: usize) -> Vec<i64> {
    let work = Queue::<Option<i64>>::new().unwrap();
    let answers = Queue::<Option<i64>>::new().unwrap();
    let procs: Vec<Process> = (0..workers)
        .map(|_| {
            let (work, answers) = (work.clone(), answers.clone());
            Process::new(move || {
                let mut sum = 0;
                while let Ok(Some(x)) = work.get() {
                    sum += x;
                    answers.put(Some(sum)).unwrap();
                }
                answers.put(None).unwrap();
            })
        })
        .collect();
    for p in &procs {
        p.start().unwrap();
    }
    for x in numbers {
        work.put(Some(x)).unwrap();
    }
    for _ in 0..workers {
        work.put(None).unwrap();
    }
    let mut sums = Vec::new();
    let mut stopped = 0;
    while stopped < workers {
        match answers.get().unwrap() {
            Some(sum) => sums.push(sum),
            None => stopped += 1,
        }
    }
    for p in &procs {
        p.join().unwrap();
    }
    sums
}

// exercise: 01-queue-workers
// mistake: the sums taken, but the workers never joined
// says: were never joined
fn sum_with_workers(numbers: Vec<i64>, workers: usize) -> Vec<i64> {
    let work = Queue::<Option<i64>>::new().unwrap();
    let answers = Queue::<i64>::new().unwrap();
    for _ in 0..workers {
        let (work, answers) = (work.clone(), answers.clone());
        Process::new(move || {
            let mut sum = 0;
            while let Ok(Some(x)) = work.get() {
                sum += x;
            }
            answers.put(sum).unwrap();
        })
        .start()
        .unwrap();
    }
    for x in numbers {
        work.put(Some(x)).unwrap();
    }
    for _ in 0..workers {
        work.put(None).unwrap();
    }
    (0..workers).map(|_| answers.get().unwrap()).collect()
}

// exercise: 01-queue-workers
// mistake: threads for workers, where the exercise is about processes
// says: no process was started
fn sum_with_workers(numbers: Vec<i64>, workers: usize) -> Vec<i64> {
    let chunk = numbers.len().div_ceil(workers.max(1)).max(1);
    let mut parts: Vec<Vec<i64>> = numbers.chunks(chunk).map(<[i64]>::to_vec).collect();
    parts.resize(workers, Vec::new());
    let threads: Vec<Thread<i64>> = parts
        .into_iter()
        .map(|part| Thread::new(move || part.iter().sum()))
        .collect();
    for t in &threads {
        t.start().unwrap();
    }
    threads.iter().map(|t| t.join().unwrap()).collect()
}

// exercise: 01-queue-workers
// right: workers that stop at a None, with the work put before they start
// runs: 5
fn sum_with_workers(numbers: Vec<i64>, workers: usize) -> Vec<i64> {
    let work = Queue::<Option<i64>>::new().unwrap();
    let answers = Queue::<i64>::new().unwrap();
    for x in numbers {
        work.put(Some(x)).unwrap();
    }
    for _ in 0..workers {
        work.put(None).unwrap();
    }
    let procs: Vec<Process> = (0..workers)
        .map(|_| {
            let (work, answers) = (work.clone(), answers.clone());
            Process::new(move || {
                let mut sum = 0;
                while let Some(x) = work.get().unwrap() {
                    sum += x;
                }
                answers.put(sum).unwrap();
            })
        })
        .collect();
    for p in &procs {
        p.start().unwrap();
    }
    let sums = (0..workers).map(|_| answers.get().unwrap()).collect();
    for p in &procs {
        p.join().unwrap();
    }
    sums
}
