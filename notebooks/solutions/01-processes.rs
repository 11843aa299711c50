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
