// Reference solutions for the exercises of notebooks/04-coroutines-gevent.ipynb.
// Each starts with a line `// exercise: ID`; tests/exercises.rs puts it in
// place of the exercise's TODO cell and expects its check to print ✓, and the
// chapter's module in prelude/src/exercises/ runs this file as its doc test.

// exercise: 04-take-turns
fn take_turns(names: Vec<&'static str>, rounds: usize) -> Vec<String> {
    use std::cell::RefCell;
    use std::rc::Rc;
    let log = Rc::new(RefCell::new(Vec::new()));
    let gs: Vec<Greenlet> = names
        .into_iter()
        .map(|name| {
            let log = log.clone();
            Greenlet::spawn(move || {
                for i in 0..rounds {
                    log.borrow_mut().push(format!("{name} {i}"));
                    greenlet::sleep(0.0);
                }
            })
        })
        .collect();
    greenlet::joinall(&gs).unwrap();
    log.borrow().clone()
}

// exercise: 04-green-fetch
fn fetch_all(urls: Vec<String>) -> Vec<usize> {
    let gs: Vec<Greenlet<usize>> = urls
        .into_iter()
        .map(|url| Greenlet::spawn(move || greenlet::net::http_get(&url).unwrap().len()))
        .collect();
    gs.iter().map(|g| g.get().unwrap()).collect()
}

// exercise: 04-keep-hub-free
fn run_steps(steps: u64, step: fn(u64) -> u64) -> u64 {
    let mut sum = 0;
    for i in 0..steps {
        sum += step(i);
        // The turn back to the hub: every waiting greenlet runs once.
        greenlet::sleep(0.0);
    }
    sum
}

// exercise: 04-limit-downloads
fn fetch_at_most(urls: Vec<String>, n: usize) -> Vec<usize> {
    let places = greenlet::Semaphore::new(n);
    let gs: Vec<Greenlet<usize>> = urls
        .into_iter()
        .map(|url| {
            let places = places.clone();
            Greenlet::spawn(move || {
                let _place = places.acquire();
                greenlet::net::http_get(&url).unwrap().len()
            })
        })
        .collect();
    gs.iter().map(|g| g.get().unwrap()).collect()
}
