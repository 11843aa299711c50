// Reference solutions for the exercises of notebooks/01-processes.ipynb.
// Each starts with a line `// exercise: ID`; tests/exercises.rs puts it in
// place of the exercise's TODO cell and expects its check to print ✓, and the
// chapter's module in prelude/src/exercises/ runs this file as its doc test.

// exercise: 01-lossless-counter
fn count_in_processes(procs: usize, each: usize) -> i64 {
    let value = Value::new(0_i64).unwrap();
    let workers: Vec<Process> = (0..procs)
        .map(|_| {
            let value = value.clone();
            Process::new(move || {
                for _ in 0..each {
                    let _held = value.get_lock().acquire();
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
fn squares_in_pool(numbers: Vec<i64>) -> Vec<i64> {
    Pool::new(2).map(|x: i64| x * x, numbers).unwrap()
}

// exercise: 01-pipe-doubler
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
    doubler.join().unwrap();
    answers
}

// exercise: 01-queue-workers
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
    for _ in 0..workers {
        work.put(None).unwrap();
    }
    let sums = (0..workers).map(|_| answers.get().unwrap()).collect();
    for p in &procs {
        p.join().unwrap();
    }
    sums
}
