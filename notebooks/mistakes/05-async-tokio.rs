// The classic wrong answers to the exercises of notebooks/05-async-tokio.ipynb,
// and right answers other than the reference solutions. The format is
// explained at the top of 01-processes.rs, beside this file.

// exercise: 05-sleep-all
// mistake: each task awaited as soon as it is spawned: one at a time
// says: the tasks ran one at a time
fn sleep_all(delays: Vec<f64>) -> Vec<f64> {
    asyncio::run(async {
        let mut out = Vec::new();
        for d in delays {
            let task = asyncio::spawn(async move {
                asyncio::sleep(d).await;
                d
            });
            out.push(task.await.unwrap());
        }
        out
    })
}

// exercise: 05-sleep-all
// mistake: std's sleep in the tasks, which blocks the loop's one thread
// says: std::thread::sleep blocks the loop's one thread
fn sleep_all(delays: Vec<f64>) -> Vec<f64> {
    asyncio::run(async {
        let tasks: Vec<_> = delays
            .into_iter()
            .map(|d| {
                asyncio::spawn(async move {
                    std::thread::sleep(std::time::Duration::from_secs_f64(d));
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

// exercise: 05-sleep-all
// mistake: the results taken as the tasks finish, not in the order given
// says: in the order given: at index 1 it gave 0.03, expected 0.04
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
        let mut finished = asyncio::as_completed(tasks);
        let mut out = Vec::new();
        while let Some(d) = finished.next().await {
            out.push(d.unwrap());
        }
        out
    })
}

// exercise: 05-sleep-all
// mistake: the tasks spawned but never awaited
// says: does it sleep, and wait for its tasks?
fn sleep_all(delays: Vec<f64>) -> Vec<f64> {
    asyncio::run(async {
        for &d in &delays {
            asyncio::spawn(async move {
                asyncio::sleep(d).await;
            });
        }
        delays
    })
}

// exercise: 05-sleep-all
// mistake: OS threads, where tasks are the point
// says: OS thread(s) were started
fn sleep_all(delays: Vec<f64>) -> Vec<f64> {
    ThreadPool::new(64)
        .unwrap()
        .map(
            |d: f64| {
                std::thread::sleep(std::time::Duration::from_secs_f64(d));
                d
            },
            delays,
        )
        .unwrap()
}

// exercise: 05-sleep-all
// right: futures gathered, no task spawned
fn sleep_all(delays: Vec<f64>) -> Vec<f64> {
    asyncio::run(asyncio::gather(delays.into_iter().map(|d| async move {
        asyncio::sleep(d).await;
        d
    })))
}

// exercise: 05-deadline
// mistake: no deadline: waits for the page however long it takes
// says: expected Err(TimeoutError)
fn fetch_within(url: String, _secs: f64) -> Result<usize, asyncio::TimeoutError> {
    Ok(asyncio::run(asyncio::http_get(&url)).unwrap().len())
}

// exercise: 05-deadline
// mistake: the whole download, then a look at the clock
// says: it should stop waiting at 0.2 s
fn fetch_within(url: String, secs: f64) -> Result<usize, asyncio::TimeoutError> {
    let start = std::time::Instant::now();
    let body = asyncio::run(asyncio::http_get(&url)).unwrap();
    if start.elapsed().as_secs_f64() > secs {
        Err(asyncio::TimeoutError)
    } else {
        Ok(body.len())
    }
}

// exercise: 05-deadline
// mistake: the timeout unwrapped, so it panics instead of being returned
// says: do not unwrap it
fn fetch_within(url: String, secs: f64) -> Result<usize, asyncio::TimeoutError> {
    asyncio::run(async {
        let body = asyncio::wait_for(asyncio::http_get(&url), secs).await.unwrap();
        Ok(body.unwrap().len())
    })
}

// exercise: 05-deadline
// mistake: a limit of its own instead of secs
// says: within 0.2 s gave Ok(45661)
fn fetch_within(url: String, _secs: f64) -> Result<usize, asyncio::TimeoutError> {
    asyncio::run(async {
        asyncio::wait_for(asyncio::http_get(&url), 1.0)
            .await
            .map(|body| body.unwrap().len())
    })
}

// exercise: 05-deadline
// right: tokio's timeout, its error turned into asyncio's
fn fetch_within(url: String, secs: f64) -> Result<usize, asyncio::TimeoutError> {
    asyncio::run(async {
        let limit = std::time::Duration::from_secs_f64(secs);
        match asyncio::tokio::time::timeout(limit, asyncio::http_get(&url)).await {
            Ok(body) => Ok(body.unwrap().len()),
            Err(_) => Err(asyncio::TimeoutError),
        }
    })
}

// exercise: 05-fastest
// mistake: the first URL, not the first to answer
// says: answers first
fn fastest(urls: Vec<String>) -> (usize, usize) {
    (0, asyncio::run(asyncio::http_get(&urls[0])).unwrap().len())
}

// exercise: 05-fastest
// mistake: the first to end kept, the others dropped, not cancelled
// says: still running
fn fastest(urls: Vec<String>) -> (usize, usize) {
    asyncio::run(async move {
        let downloads: Vec<_> = urls
            .into_iter()
            .map(|url| asyncio::spawn(async move { asyncio::http_get(&url).await.unwrap().len() }))
            .collect();
        let (index, size, _rest) = asyncio::first_completed(downloads).await;
        (index, size.unwrap())
    })
}

// exercise: 05-fastest
// mistake: every download awaited, then the quickest picked
// says: it waited for more downloads than the first
fn fastest(urls: Vec<String>) -> (usize, usize) {
    asyncio::run(async move {
        let start = std::time::Instant::now();
        let downloads: Vec<_> = urls
            .into_iter()
            .map(|url| {
                asyncio::spawn(async move {
                    let size = asyncio::http_get(&url).await.unwrap().len();
                    (start.elapsed(), size)
                })
            })
            .collect();
        let mut done = Vec::new();
        for d in downloads {
            done.push(d.await.unwrap());
        }
        let index = (0..done.len()).min_by_key(|&i| done[i].0).unwrap();
        (index, done[index].1)
    })
}

// exercise: 05-fastest
// mistake: each download awaited as soon as it is spawned
// says: the tasks ran one at a time
fn fastest(urls: Vec<String>) -> (usize, usize) {
    asyncio::run(async move {
        let start = std::time::Instant::now();
        let mut best: Option<(std::time::Duration, usize, usize)> = None;
        for (i, url) in urls.into_iter().enumerate() {
            let began = start.elapsed();
            let size = asyncio::spawn(async move { asyncio::http_get(&url).await.unwrap().len() })
                .await
                .unwrap();
            let took = start.elapsed() - began;
            if best.is_none_or(|(t, _, _)| took < t) {
                best = Some((took, i, size));
            }
        }
        let (_, index, size) = best.unwrap();
        (index, size)
    })
}

// exercise: 05-fastest
// mistake: the first to end, but its index taken from the finishing order
// says: it gave (0, 14823)
fn fastest(urls: Vec<String>) -> (usize, usize) {
    asyncio::run(async move {
        let downloads: Vec<_> = urls
            .into_iter()
            .map(|url| asyncio::spawn(async move { asyncio::http_get(&url).await.unwrap().len() }))
            .collect();
        let (_, size, rest) = asyncio::first_completed(downloads).await;
        for d in &rest {
            d.cancel();
        }
        (0, size.unwrap())
    })
}

// exercise: 05-fastest
// right: each download reports to a queue; the first report wins, then
// every task is cancelled (a finished one is not hurt by it)
fn fastest(urls: Vec<String>) -> (usize, usize) {
    asyncio::run(async move {
        let reports = asyncio::Queue::new();
        let downloads: Vec<_> = urls
            .into_iter()
            .enumerate()
            .map(|(i, url)| {
                let reports = reports.clone();
                asyncio::spawn(async move {
                    let size = asyncio::http_get(&url).await.unwrap().len();
                    reports.put((i, size)).await;
                })
            })
            .collect();
        let first = reports.get().await;
        for d in &downloads {
            d.cancel();
        }
        first
    })
}

// exercise: 05-download-at-most
// mistake: no limit: every download at once
// says: the limit is 2
fn download_at_most(urls: Vec<String>, _n: usize) -> Vec<usize> {
    asyncio::run(async move {
        let tasks: Vec<_> = urls
            .into_iter()
            .map(|url| asyncio::spawn(async move { asyncio::http_get(&url).await.unwrap().len() }))
            .collect();
        let mut sizes = Vec::new();
        for task in tasks {
            sizes.push(task.await.unwrap());
        }
        sizes
    })
}

// exercise: 05-download-at-most
// mistake: the place given back at once (`let _ =`)
// says: with `let _ =` it is given back at once
fn download_at_most(urls: Vec<String>, n: usize) -> Vec<usize> {
    use std::rc::Rc;
    asyncio::run(async move {
        let places = Rc::new(tokio::sync::Semaphore::new(n));
        let tasks: Vec<_> = urls
            .into_iter()
            .map(|url| {
                let places = Rc::clone(&places);
                asyncio::spawn(async move {
                    let _ = places.acquire().await.unwrap();
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

// exercise: 05-download-at-most
// mistake: one place, not n
// says: never more than 1 download at a time
fn download_at_most(urls: Vec<String>, _n: usize) -> Vec<usize> {
    use std::rc::Rc;
    asyncio::run(async move {
        let places = Rc::new(tokio::sync::Semaphore::new(1));
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

// exercise: 05-download-at-most
// mistake: each task awaited as soon as it is spawned
// says: the tasks ran one at a time
fn download_at_most(urls: Vec<String>, _n: usize) -> Vec<usize> {
    asyncio::run(async move {
        let mut sizes = Vec::new();
        for url in urls {
            let task = asyncio::spawn(async move { asyncio::http_get(&url).await.unwrap().len() });
            sizes.push(task.await.unwrap());
        }
        sizes
    })
}

// exercise: 05-download-at-most
// mistake: a thread for each download, each with a loop of its own
// says: OS thread(s) were started
fn download_at_most(urls: Vec<String>, n: usize) -> Vec<usize> {
    ThreadPool::new(n)
        .unwrap()
        .map(|url: String| asyncio::run(asyncio::http_get(&url)).unwrap().len(), urls)
        .unwrap()
}

// exercise: 05-download-at-most
// right: n at a time, each batch gathered before the next
fn download_at_most(urls: Vec<String>, n: usize) -> Vec<usize> {
    asyncio::run(async move {
        let mut sizes = Vec::new();
        for batch in urls.chunks(n) {
            let gets = batch.iter().map(|url| asyncio::http_get(url));
            for body in asyncio::gather(gets).await {
                sizes.push(body.unwrap().len());
            }
        }
        sizes
    })
}
