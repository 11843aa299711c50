// Reference solutions for the exercises of notebooks/05-async-tokio.ipynb.
// Each starts with a line `// exercise: ID`; tests/exercises.rs puts it in
// place of the exercise's TODO cell and expects its check to print ✓, and the
// chapter's module in prelude/src/exercises/ runs this file as its doc test.

// exercise: 05-sleep-all
fn sleep_all(delays: Vec<f64>) -> Vec<f64> {
    asyncio::run(async {
        let tasks: Vec<_> = delays
            .into_iter()
            .map(|d| {
                asyncio::spawn(async move {
                    asyncio::sleep(d).await;
                    d
                })
            })
            .collect();
        let mut out = Vec::new();
        for task in tasks {
            out.push(task.await.unwrap());
        }
        out
    })
}

// exercise: 05-deadline
fn fetch_within(url: String, secs: f64) -> Result<usize, asyncio::TimeoutError> {
    asyncio::run(async {
        asyncio::wait_for(asyncio::http_get(&url), secs)
            .await
            .map(|body| body.unwrap().len())
    })
}
