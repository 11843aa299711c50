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
pub use crate::exception::Exception;
pub use crate::tutorial::{Fib, fib, jumping_range, mygen, mygen_raising_stop, squares};
// The exercises' checks are `exercises::check_…` (a cell calls
// `exercises::check_countdown(countdown)`): 24 names kept out of the
// learner's own.
pub use crate::exercises::{self, hint};
pub use crate::explore::{Explorer, Stepper, explore};
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
