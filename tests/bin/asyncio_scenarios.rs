//! multitask's side of `tests/asyncio_vs_cpython.rs`: the scenarios of
//! `tests/py/asyncio_scenarios.py` on the prelude's asyncio, printing the
//! same trace. `list` prints the scenario names.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use multitask::asyncio::{self, Queue, QueueEmpty, TimeoutError};
use multitask::{Exception, gather, try_gather};
use multitask_tests::{named, run_scenario};

fn create_task_waits_for_its_creator() {
    asyncio::run(async {
        let started = Rc::new(Cell::new(false));
        let t = asyncio::spawn({
            let started = started.clone();
            async move {
                started.set(true);
                println!("task: running");
            }
        });
        std::thread::sleep(Duration::from_millis(100)); // blocks the loop's one thread
        println!(
            "started after 0.1 s of blocking? {}",
            py_bool(started.get())
        );
        asyncio::sleep(0.0).await;
        println!("started after one sleep(0)? {}", py_bool(started.get()));
        t.await.unwrap();
    });
}

fn spawned_tasks_start_in_order() {
    asyncio::run(async {
        let tasks: Vec<_> = (0..4)
            .map(|i| {
                asyncio::spawn(async move {
                    println!("task {i} first turn");
                    asyncio::sleep(0.0).await;
                    println!("task {i} second turn");
                })
            })
            .collect();
        println!("main: all spawned");
        for t in tasks {
            t.await.unwrap();
        }
        println!("main: all done");
    });
}

fn gather_sleep0_rounds() {
    async fn step(name: &str) {
        for i in 0..3 {
            println!("{name}{i}");
            asyncio::sleep(0.0).await;
        }
    }
    asyncio::run(async {
        gather!(step("a"), step("b"), step("c"));
    });
}

fn main_sleep0_lets_each_ready_task_run_once() {
    async fn chatty(name: &'static str) {
        for i in 0..3 {
            println!("{name} {i}");
            asyncio::sleep(0.0).await;
        }
    }
    asyncio::run(async {
        let tasks = ["x", "y"].map(|name| asyncio::spawn(chatty(name)));
        for round in 0..3 {
            println!("main round {round}");
            asyncio::sleep(0.0).await;
        }
        for t in tasks {
            t.await.unwrap();
        }
    });
}

fn no_lock_between_awaits() {
    asyncio::run(async {
        let counter = RefCell::new(0);
        let add = |times| {
            let counter = &counter;
            async move {
                for _ in 0..times {
                    *counter.borrow_mut() += 1; // no await between read and write
                    asyncio::sleep(0.0).await;
                }
            }
        };
        gather!(add(1000), add(1000), add(1000));
        println!(
            "three tasks adding 1000 each, no await inside: {}",
            counter.borrow()
        );
        *counter.borrow_mut() = 0;
        let add_with_await_inside = |times| {
            let counter = &counter;
            async move {
                for _ in 0..times {
                    let seen = *counter.borrow();
                    asyncio::sleep(0.0).await; // another task runs here
                    *counter.borrow_mut() = seen + 1;
                }
            }
        };
        asyncio::gather((0..3).map(|_| add_with_await_inside(1000))).await;
        println!("an await between read and write: {}", counter.borrow());
    });
}

fn gather_fails_fast_and_the_others_run_on() {
    async fn slow() -> &'static str {
        asyncio::sleep(0.3).await;
        println!("slow: finished anyway");
        "slow"
    }
    async fn boom() {
        asyncio::sleep(0.05).await;
        panic!("boom");
    }
    asyncio::run(async {
        let start = Instant::now();
        if let Err(e) = try_gather!(asyncio::spawn(slow()), asyncio::spawn(boom())) {
            let early = start.elapsed().as_secs_f64() < 0.25;
            println!("gather raised {e}; before slow ended: {}", py_bool(early));
        }
        asyncio::sleep(0.4).await;
        println!("main: done");
    });
}

fn gather_return_exceptions() {
    async fn fine() -> i32 {
        asyncio::sleep(0.01).await;
        1
    }
    async fn boom() -> i32 {
        panic!("boom")
    }
    asyncio::run(async {
        let results = asyncio::gather([asyncio::spawn(fine()), asyncio::spawn(boom())]).await;
        for r in results {
            match r {
                Ok(value) => println!("value {value}"),
                Err(e) => println!("error {e}"),
            }
        }
    });
}

fn queue_producer_consumer() {
    asyncio::run(async {
        let queue = Queue::with_maxsize(2);
        let consumer = asyncio::spawn({
            let queue = queue.clone();
            async move {
                loop {
                    let item = queue.get().await;
                    println!("got {item}");
                    asyncio::sleep(0.0).await;
                    queue.task_done().unwrap();
                }
            }
        });
        let producer = asyncio::spawn({
            let queue = queue.clone();
            async move {
                for i in 0..5 {
                    println!("put {i}");
                    queue.put(i).await;
                }
                println!("producer: done");
            }
        });
        producer.await.unwrap();
        queue.join().await;
        println!("all handled, qsize {}", queue.qsize());
        let mut consumer = consumer;
        consumer.cancel();
        if let Err(Exception::CancelledError) = (&mut consumer).await {
            println!("consumer cancelled: {}", py_bool(consumer.cancelled()));
        }
        if let Err(e) = queue.task_done() {
            println!("{e}");
        }
        if let Err(QueueEmpty) = queue.get_nowait() {
            println!("QueueEmpty");
        }
    });
}

fn as_completed_in_finishing_order() {
    async fn nap(secs: f64) -> f64 {
        asyncio::sleep(secs).await;
        secs
    }
    asyncio::run(async {
        let tasks = [0.3, 0.1, 0.2].map(|secs| asyncio::spawn(nap(secs)));
        let mut done = asyncio::as_completed(tasks);
        while let Some(result) = done.next().await {
            println!("finished: {}", result.unwrap());
        }
    });
}

fn first_completed_and_cancel_the_rest() {
    async fn nap(secs: f64) -> f64 {
        asyncio::sleep(secs).await;
        secs
    }
    asyncio::run(async {
        let tasks = [0.3, 0.05, 0.2].map(|secs| asyncio::spawn(nap(secs)));
        // Python keeps the tasks in its list; here they move into the wait
        // and come back as the rest.
        let (index, first, pending) = asyncio::first_completed(tasks.into()).await;
        println!(
            "first: index {index}, result {}, {} pending",
            first.unwrap(),
            pending.len()
        );
        for t in &pending {
            t.cancel();
        }
        let mut pending = pending.into_iter();
        for i in 0..3 {
            let result = if i == index {
                Ok(0.05)
            } else {
                pending.next().unwrap().await
            };
            match result {
                Ok(value) => println!("result: {value}"),
                Err(Exception::CancelledError) => println!("cancelled"),
                Err(e) => println!("{e}"),
            }
        }
    });
}

fn cancel_before_it_starts() {
    asyncio::run(async {
        let mut t = asyncio::spawn(async { println!("never printed") });
        println!("cancel: {}", py_bool(t.cancel()));
        // `&mut t` awaits the task and keeps the handle, to ask it afterwards.
        if let Err(Exception::CancelledError) = (&mut t).await {
            println!(
                "CancelledError; cancelled(): {} done(): {}",
                py_bool(t.cancelled()),
                py_bool(t.done())
            );
        }
        println!("cancel again: {}", py_bool(t.cancel()));
    });
}

fn wait_for_gives_up() {
    asyncio::run(async {
        if let Err(TimeoutError) = asyncio::wait_for(asyncio::sleep(5.0), 0.05).await {
            println!("TimeoutError");
        }
        let in_time = asyncio::wait_for(
            async {
                asyncio::sleep(0.01).await;
                "ok"
            },
            1.0,
        )
        .await;
        println!("in time: {}", in_time.unwrap());
    });
}

fn py_bool(b: bool) -> &'static str {
    if b { "True" } else { "False" }
}

fn main() {
    // In the order of asyncio_scenarios.py.
    let compared = named![
        create_task_waits_for_its_creator,
        spawned_tasks_start_in_order,
        gather_sleep0_rounds,
        main_sleep0_lets_each_ready_task_run_once,
        no_lock_between_awaits,
        gather_fails_fast_and_the_others_run_on,
        gather_return_exceptions,
        queue_producer_consumer,
        as_completed_in_finishing_order,
        first_completed_and_cancel_the_rest,
        cancel_before_it_starts,
        wait_for_gives_up,
    ];
    run_scenario(&compared, &[]);
}
