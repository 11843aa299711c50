// The classic wrong answers to the exercises of
// notebooks/04-coroutines-gevent.ipynb, and right answers other than the
// reference solutions. The format is explained at the top of
// 01-processes.rs, beside this file.

// exercise: 04-take-turns
// mistake: OS threads, where greenlets are the point
// says: OS thread(s) were started
fn take_turns(names: Vec<&'static str>, rounds: usize) -> Vec<String> {
    use std::sync::{Arc, Mutex};
    let log = Arc::new(Mutex::new(Vec::new()));
    let threads: Vec<Thread> = names
        .into_iter()
        .map(|name| {
            let log = Arc::clone(&log);
            Thread::new(move || {
                for i in 0..rounds {
                    log.lock().unwrap().push(format!("{name} {i}"));
                    std::thread::sleep(std::time::Duration::from_millis(5));
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
    let log = log.lock().unwrap().clone();
    log
}

// exercise: 04-take-turns
// mistake: std's sleep, which does not switch greenlets
// says: each greenlet ran all its rounds before the next began
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
                    std::thread::sleep(std::time::Duration::ZERO);
                }
            })
        })
        .collect();
    greenlet::joinall(&gs).unwrap();
    let log = log.borrow().clone();
    log
}

// exercise: 04-take-turns
// mistake: no turn given away at all
// says: each greenlet ran all its rounds before the next began
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
                }
            })
        })
        .collect();
    greenlet::joinall(&gs).unwrap();
    let log = log.borrow().clone();
    log
}

// exercise: 04-take-turns
// mistake: the log read without joining the greenlets
// says: join them all
fn take_turns(names: Vec<&'static str>, rounds: usize) -> Vec<String> {
    use std::cell::RefCell;
    use std::rc::Rc;
    let log = Rc::new(RefCell::new(Vec::new()));
    for name in names {
        let log = log.clone();
        Greenlet::spawn(move || {
            for i in 0..rounds {
                log.borrow_mut().push(format!("{name} {i}"));
                greenlet::sleep(0.0);
            }
        });
    }
    let log = log.borrow().clone();
    log
}

// exercise: 04-take-turns
// mistake: the turns written out by hand, no greenlet at all
// says: no greenlet was spawned
fn take_turns(names: Vec<&'static str>, rounds: usize) -> Vec<String> {
    (0..rounds)
        .flat_map(|i| names.iter().map(move |name| format!("{name} {i}")))
        .collect()
}

// exercise: 04-take-turns
// right: each greenlet joined in turn, not all at once
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
    for g in &gs {
        g.join().unwrap();
    }
    let log = log.borrow().clone();
    log
}

// exercise: 04-green-fetch
// mistake: each greenlet waited for before the next is spawned
// says: the greenlets ran one at a time
fn fetch_all(urls: Vec<String>) -> Vec<usize> {
    urls.into_iter()
        .map(|url| {
            Greenlet::spawn(move || greenlet::net::http_get(&url).unwrap().len())
                .get()
                .unwrap()
        })
        .collect()
}

// exercise: 04-green-fetch
// mistake: a blocking download inside each greenlet
// says: the download blocked the thread
fn fetch_all(urls: Vec<String>) -> Vec<usize> {
    fn blocking_get(url: &str) -> usize {
        use std::io::{Read, Write};
        let rest = url.strip_prefix("http://").unwrap();
        let (host, path) = rest.split_once('/').unwrap();
        let mut conn = std::net::TcpStream::connect(host).unwrap();
        write!(conn, "GET /{path} HTTP/1.0\r\nHost: {host}\r\n\r\n").unwrap();
        let mut all = Vec::new();
        conn.read_to_end(&mut all).unwrap();
        let body = all.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
        all.len() - body
    }
    let gs: Vec<Greenlet<usize>> = urls
        .into_iter()
        .map(|url| Greenlet::spawn(move || blocking_get(&url)))
        .collect();
    gs.iter().map(|g| g.get().unwrap()).collect()
}

// exercise: 04-green-fetch
// mistake: a pool of OS threads instead of greenlets
// says: OS thread(s) were started
fn fetch_all(urls: Vec<String>) -> Vec<usize> {
    ThreadPool::new(3)
        .unwrap()
        .map(|url: String| asyncio::run(asyncio::http_get(&url)).unwrap().len(), urls)
        .unwrap()
}

// exercise: 04-green-fetch
// mistake: sizes pushed as the downloads end, not in the URLs' order
// says: (the URLs' order)
fn fetch_all(urls: Vec<String>) -> Vec<usize> {
    use std::cell::RefCell;
    use std::rc::Rc;
    let sizes = Rc::new(RefCell::new(Vec::new()));
    let gs: Vec<Greenlet> = urls
        .into_iter()
        .map(|url| {
            let sizes = sizes.clone();
            Greenlet::spawn(move || sizes.borrow_mut().push(greenlet::net::http_get(&url).unwrap().len()))
        })
        .collect();
    greenlet::joinall(&gs).unwrap();
    let sizes = sizes.borrow().clone();
    sizes
}

// exercise: 04-green-fetch
// mistake: the green download, but called here, with no greenlets
// says: in a greenlet of its own
fn fetch_all(urls: Vec<String>) -> Vec<usize> {
    urls.iter()
        .map(|url| greenlet::net::http_get(url).unwrap().len())
        .collect()
}

// exercise: 04-green-fetch
// right: joinall first, then each one's value
fn fetch_all(urls: Vec<String>) -> Vec<usize> {
    let gs: Vec<Greenlet<usize>> = urls
        .into_iter()
        .map(|url| Greenlet::spawn(move || greenlet::net::http_get(&url).unwrap().len()))
        .collect();
    greenlet::joinall(&gs).unwrap();
    gs.iter().map(|g| g.get().unwrap()).collect()
}

// exercise: 04-keep-hub-free
// mistake: all the work at once, never giving the turn back
// says: keeps its whole hub waiting
fn run_steps(steps: u64, step: fn(u64) -> u64) -> u64 {
    (0..steps).map(step).sum()
}

// exercise: 04-keep-hub-free
// mistake: std's sleep between steps, which gives the turn to no greenlet
// says: keeps its whole hub waiting
fn run_steps(steps: u64, step: fn(u64) -> u64) -> u64 {
    let mut sum = 0;
    for i in 0..steps {
        sum += step(i);
        std::thread::sleep(std::time::Duration::ZERO);
    }
    sum
}

// exercise: 04-keep-hub-free
// mistake: the work on a thread, joined at once
// says: waiting for a thread with join() blocks the hub too
fn run_steps(steps: u64, step: fn(u64) -> u64) -> u64 {
    let t = Thread::new(move || (0..steps).map(step).sum::<u64>());
    t.start().unwrap();
    t.join().unwrap()
}

// exercise: 04-keep-hub-free
// mistake: the turn given back only every 50 steps
// says: got no turn for
fn run_steps(steps: u64, step: fn(u64) -> u64) -> u64 {
    let mut sum = 0;
    for i in 0..steps {
        sum += step(i);
        if i % 50 == 49 {
            greenlet::sleep(0.0);
        }
    }
    sum
}

// exercise: 04-keep-hub-free
// mistake: the steps counted from 1
// says: run_steps(100, step) gave
fn run_steps(steps: u64, step: fn(u64) -> u64) -> u64 {
    let mut sum = 0;
    for i in 1..=steps {
        sum += step(i);
        greenlet::sleep(0.0);
    }
    sum
}

// exercise: 04-keep-hub-free
// right: the work on a thread, waited for without blocking the hub
fn run_steps(steps: u64, step: fn(u64) -> u64) -> u64 {
    let t = Thread::new(move || (0..steps).map(step).sum::<u64>());
    t.start().unwrap();
    while t.is_alive() {
        greenlet::sleep(0.001);
    }
    t.join().unwrap()
}

// exercise: 04-limit-downloads
// mistake: no limit: every download at once
// says: the limit is 2
fn fetch_at_most(urls: Vec<String>, _n: usize) -> Vec<usize> {
    let gs: Vec<Greenlet<usize>> = urls
        .into_iter()
        .map(|url| Greenlet::spawn(move || greenlet::net::http_get(&url).unwrap().len()))
        .collect();
    gs.iter().map(|g| g.get().unwrap()).collect()
}

// exercise: 04-limit-downloads
// mistake: the place given back at once (`let _ =`)
// says: with `let _ =` it is given back at once
fn fetch_at_most(urls: Vec<String>, n: usize) -> Vec<usize> {
    let places = greenlet::Semaphore::new(n);
    let gs: Vec<Greenlet<usize>> = urls
        .into_iter()
        .map(|url| {
            let places = places.clone();
            Greenlet::spawn(move || {
                let _ = places.acquire();
                greenlet::net::http_get(&url).unwrap().len()
            })
        })
        .collect();
    gs.iter().map(|g| g.get().unwrap()).collect()
}

// exercise: 04-limit-downloads
// mistake: one place, not n
// says: never more than 1 download at a time
fn fetch_at_most(urls: Vec<String>, _n: usize) -> Vec<usize> {
    let places = greenlet::Semaphore::new(1);
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

// exercise: 04-limit-downloads
// mistake: each greenlet waited for before the next is spawned
// says: the greenlets ran one at a time
fn fetch_at_most(urls: Vec<String>, n: usize) -> Vec<usize> {
    let places = greenlet::Semaphore::new(n);
    urls.into_iter()
        .map(|url| {
            let places = places.clone();
            Greenlet::spawn(move || {
                let _place = places.acquire();
                greenlet::net::http_get(&url).unwrap().len()
            })
            .get()
            .unwrap()
        })
        .collect()
}

// exercise: 04-limit-downloads
// mistake: sizes pushed as the downloads end
// says: (the URLs' order)
fn fetch_at_most(urls: Vec<String>, n: usize) -> Vec<usize> {
    use std::cell::RefCell;
    use std::rc::Rc;
    let places = greenlet::Semaphore::new(n);
    let sizes = Rc::new(RefCell::new(Vec::new()));
    let gs: Vec<Greenlet> = urls
        .into_iter()
        .map(|url| {
            let (places, sizes) = (places.clone(), sizes.clone());
            Greenlet::spawn(move || {
                let _place = places.acquire();
                sizes.borrow_mut().push(greenlet::net::http_get(&url).unwrap().len());
            })
        })
        .collect();
    greenlet::joinall(&gs).unwrap();
    let sizes = sizes.borrow().clone();
    sizes
}

// exercise: 04-limit-downloads
// right: n at a time, each batch joined before the next
fn fetch_at_most(urls: Vec<String>, n: usize) -> Vec<usize> {
    let mut sizes = Vec::new();
    for batch in urls.chunks(n) {
        let gs: Vec<Greenlet<usize>> = batch
            .iter()
            .cloned()
            .map(|url| Greenlet::spawn(move || greenlet::net::http_get(&url).unwrap().len()))
            .collect();
        sizes.extend(gs.iter().map(|g| g.get().unwrap()));
    }
    sizes
}
