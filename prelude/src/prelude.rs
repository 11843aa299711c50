//! Everything a learner uses without asking: `use multitask::prelude::*;`
//! (the REPL and the notebooks do this for you).
//!
//! Where Python has two of a name — `multiprocessing.Lock` and
//! `threading.Lock` — the prelude brings the modules, and you write it as in
//! Python: `multiprocessing::Lock::new()?`, `threading::Lock::new()`.
//!
//! ```
//! use multitask::prelude::*;
//! let itr = jumping_range(5);
//! assert_eq!(itr.next(), Ok(0));
//! ```

pub use crate::asyncio;
pub use crate::examples::{Fib, fib, jumping_range, mygen, mygen_raising_stop, squares};
pub use crate::exception::Exception;
pub use crate::exercises::{
    check_as_they_finish, check_chain_all, check_countdown, check_daemon_exit, check_deadline,
    check_download_at_most, check_fastest, check_green_fetch, check_green_map, check_io_map,
    check_keep_hub_free, check_limit_downloads, check_lossless_counter, check_named_threads,
    check_pipe_doubler, check_pool_squares, check_queue_workers, check_round_robin,
    check_running_total, check_safe_counter, check_sleep_all, check_take_turns, check_two_locks,
    check_word_count, hint,
};
pub use crate::generator::{
    Co, GEN_CLOSED, GEN_CREATED, GEN_RUNNING, GEN_SUSPENDED, GenState, Generator, GeneratorError,
    getgeneratorstate,
};
pub use crate::genexpr;
pub use crate::greenlet::{self, Greenlet};
pub use crate::multiprocessing::{
    self, Array, Connection, Pool, Process, Queue, Value, current_process, getpid, getppid, pipe,
};
pub use crate::table::Table;
pub use crate::threading::{
    self, Local, Thread, ThreadPool, active_count, current_thread, main_thread,
};
pub use crate::time;
pub use crate::trace;
pub use crate::web::PageServer;
pub use crate::{gather, process, spawn, thread, try_gather};
/// The tokio under the prelude's asyncio, for its `sync` types and for a
/// runtime of a cell's own. Spawn asyncio's tasks with `asyncio::spawn`.
pub use ::tokio;
