//! # multitask — Python's multitasking, in Rust, to learn by running
//!
//! A companion to a Chinese tutorial on Python multitasking (processes,
//! threads, iterators, generators, coroutines). Each idea of the tutorial has
//! a module here with the same shape as Python's API and Rust's manners:
//! `Result` where Python raises, ownership where Python shares.
//!
//! | seed section | idea | module |
//! |---|---|---|
//! | §2, 1.3 生成器 | generators: `next`, `send`, `throw`, `close`, states, `yield from` | [`generator`] |
//! | §2, 1.3.4 | Python's exceptions, as values | [`exception`] |
//! | §2 (all) | the seed's own examples: `Fib`, `fib`, `mygen`, `jumping_range`, … | [`examples`] |
//! | §1.1 进程 | processes by `fork()`: `Process`, `Pool`, pipes, queues, shared memory, locks, a Unix daemon | [`multiprocessing`] |
//! | §1.2 线程 | threads: `Thread`, `current_thread`, locks, `Local`, thread limits, `ThreadPool::map` | [`threading`] |
//! | §3 gevent | greenlets: `spawn!`, `join`, `joinall`, `sleep(0)` taking turns, `kill` | [`greenlet`] |
//! | §3 gevent | green IO: sockets that switch by themselves, `http_get` | [`greenlet::net`] |
//! | §3 (async IO) | tokio in asyncio's shape: `run`, `sleep`, `spawn`, `gather!`, `wait_for`, `http_get` | [`asyncio`] |
//! | §3 (demo) | the seed's three slow sites, served offline | [`web`] |
//! | §1 (crashes) | a real segmentation fault, to see what a crash takes down | [`crash`] |
//! | every chapter | Ctrl-C that keeps your variables: `KeyboardInterrupt`, cooperatively | [`interrupt`] |
//! | every chapter | Python's `time.sleep`, interruptible: `time::sleep(1.0)` | [`time`] |
//! | every chapter | exercises: checkers that print ✓ or ✗ with a hint, and progress | [`exercises`] |
//!
//! `use multitask::prelude::*;` brings in what a learner needs:
//!
//! ```
//! use multitask::prelude::*;
//!
//! let itr = jumping_range(5);
//! assert_eq!(itr.next(), Ok(0));
//! assert_eq!(itr.send(2), Ok(2));
//! assert_eq!(itr.next(), Ok(3));
//! assert_eq!(itr.send(-1), Ok(2));
//! ```

pub mod asyncio;
pub mod crash;
pub mod examples;
pub mod exception;
pub mod exercises;
pub mod generator;
mod globals;
pub mod greenlet;
pub mod interrupt;
pub mod multiprocessing;
mod panics;
pub mod prelude;
mod stack;
pub mod threading;
pub mod time;
pub mod web;

pub use exception::Exception;
pub use generator::{GenState, Generator, GeneratorError};
