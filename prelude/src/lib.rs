//! # multitask — Python's multitasking, in Rust, to learn by running
//!
//! A companion to a Chinese tutorial on Python multitasking (processes,
//! threads, iterators, generators, coroutines). Each idea of the tutorial has
//! a module here with the same shape as Python's API and Rust's manners:
//! `Result` where Python raises, ownership where Python shares.
//!
//! | tutorial section | idea | module | notebook | compared / tested in |
//! |---|---|---|---|---|
//! | §2, 1.3 生成器 | generators: `next`, `send`, `throw`, `close`, states, `yield from` | [`generator`] | `03-iterators-generators` | `tests/generator_vs_cpython.rs` (CPython) |
//! | §2, 1.3.4 | Python's exceptions, as values | [`exception`] | `03-iterators-generators` | `tests/generator_vs_cpython.rs` (CPython) |
//! | §2 (all) | the tutorial's own iterator and generators: `Fib`, `fib`, `mygen`, `jumping_range`, … | [`tutorial`] | `03-iterators-generators` | `seed_*` in `tests/generator_vs_cpython.rs` |
//! | §1.1 进程 | processes by `fork()`: `Process`, `Pool`, pipes, queues, shared memory, locks, a Unix daemon | [`multiprocessing`] | `01-processes` | `tests/process_vs_cpython.rs` (CPython) |
//! | §1.2 线程 | threads: `Thread`, `current_thread`, locks (guards, or Python's `release()`), `BoundedSemaphore`, `Local`, thread limits, `ThreadPool::map` | [`threading`] | `02-threads`, `06-examples` | `tests/process_vs_cpython.rs` (CPython) |
//! | §3 gevent | greenlets: `spawn!`, `join`, `joinall` (`LoopExit`), `sleep(0)` taking turns, `kill`, `with_timeout`, `Semaphore`, `Queue` | [`greenlet`] | `04-coroutines-gevent` | `tests/greenlet_vs_gevent.rs` (gevent) |
//! | §3 gevent | green IO: sockets that switch by themselves, `http_get` | [`greenlet::net`] | `04-coroutines-gevent` | `seed_three_downloads_…` in `tests/greenlet_vs_gevent.rs` |
//! | §3 协程 (async IO) | asyncio's one-thread event loop: `run`, `sleep`, `spawn`, `gather!`, `try_gather!`, `as_completed`, `Queue`, `wait_for`, `http_get`; tokio under it | [`asyncio`] | `05-async-tokio` | `tests/asyncio_vs_cpython.rs` (CPython) |
//! | §3 (demo) | the tutorial's three slow sites, served offline | [`web`] | `04-…`, `05-async-tokio` | `tests/greenlet_vs_gevent.rs` |
//! | §1 (crashes) | a real segmentation fault, to see what a crash takes down | [`crash`] | `01-processes`, `06-examples` | `tests/repl_pty.rs` |
//! | every chapter | Ctrl-C that keeps your variables: `KeyboardInterrupt`, cooperatively | [`interrupt`] | `00-start-here` | `ctrl_c_*` in `tests/repl_pty.rs`; `tests/kernel_jupyter.rs` |
//! | every chapter | Python's `time.sleep`, interruptible: `time::sleep(1.0)` | [`time`] | `00-start-here` | `tests/repl_pty.rs` |
//! | §1 (comparisons) | a table of results: HTML in Jupyter, aligned text in the terminal | [`table`] | `01-processes`, `02-threads` | its unit tests; `tests/kernel_jupyter.rs` |
//! | every chapter | IPython's `%timeit`: `:timeit EXPR`, mean ± std. dev. of 7 runs, optimised | [`timeit`] | `02-threads` | its unit tests; `tests/kernel_jupyter.rs` |
//! | every chapter | who ran when, drawn: `trace::record(|| …)` → an SVG (and its PNG) in Jupyter with labels, notes and held locks, a text chart, Chrome trace JSON; threads, processes, greenlets, generators, tasks | [`trace`] | `01`–`06` (thirteen pictures, held to `notebooks/pictures.toml`) | `tests/trace_lanes.rs`, `tests/trace_formats.rs`; the log's slots under loom, `prelude/loom/`; `benches/trace.rs` |
//! | §1.2 线程 (locks) | be the scheduler: every order of a small threaded program's steps, what each returned, deadlocks, one order replayed | [`explore`] | `02-threads` | `prelude/tests/explore.rs` (counts checked by a Python enumeration) |
//! | every chapter | exercises: checkers that print ✓ or ✗ with a hint, each run in a process of its own and watched by a probe; progress | [`exercises`] | the end of `01`–`06`; classic mistakes in `notebooks/mistakes/` | `tests/exercises.rs` |
//!
//! The notebooks are in `notebooks/`, the tests in `tests/`; every notebook's
//! stored outputs are checked by `tests/notebooks_check.rs`. The unsafe parts
//! (coroutine stacks, a generator's values, the trace log, shared memory,
//! forks) run under valgrind's memcheck in `prelude/tests/memcheck.rs`.
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
pub mod exception;
pub mod exercises;
pub mod explore;
pub mod generator;
mod globals;
pub mod greenlet;
pub mod interrupt;
pub mod multiprocessing;
mod panics;
pub mod prelude;
mod probe;
mod shown;
mod stack;
pub mod table;
pub mod threading;
pub mod time;
pub mod timeit;
pub mod trace;
pub mod tutorial;
pub mod web;

pub use exception::Exception;
pub use generator::{GenState, Generator, GeneratorError};
#[doc(hidden)]
pub use globals::REGISTRY_SYMBOL;
#[doc(hidden)]
pub use panics::advice as panic_advice;
