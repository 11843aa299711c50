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
    greenlet::joinall(&gs);
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
