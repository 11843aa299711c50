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
