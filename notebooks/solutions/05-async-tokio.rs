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

// exercise: 05-fastest
fn fastest(urls: Vec<String>) -> (usize, usize) {
    asyncio::run(async move {
        let downloads: Vec<_> = urls
            .into_iter()
            .map(|url| asyncio::spawn(async move { asyncio::http_get(&url).await.unwrap().len() }))
            .collect();
        let (index, size, rest) = asyncio::first_completed(downloads).await;
        for download in &rest {
            download.cancel();
        }
        (index, size.unwrap())
    })
}

// exercise: 05-download-at-most
fn download_at_most(urls: Vec<String>, n: usize) -> Vec<usize> {
    use std::rc::Rc;
    asyncio::run(async move {
        let places = Rc::new(tokio::sync::Semaphore::new(n));
        let tasks: Vec<_> = urls
            .into_iter()
            .map(|url| {
                let places = Rc::clone(&places);
                asyncio::spawn(async move {
                    let _place = places.acquire().await.unwrap();
                    asyncio::http_get(&url).await.unwrap().len()
                })
            })
            .collect();
        let mut sizes = Vec::new();
        for task in tasks {
            sizes.push(task.await.unwrap());
        }
        sizes
    })
}
