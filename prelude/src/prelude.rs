//! Everything a learner uses without asking: `use multitask::prelude::*;`
//! (the REPL and the notebooks do this for you).
//!
//! ```
//! use multitask::prelude::*;
//! let itr = jumping_range(5);
//! assert_eq!(itr.next(), Ok(0));
//! ```

pub use crate::examples::{Fib, fib, jumping_range, mygen, mygen_raising_stop, squares};
pub use crate::exception::Exception;
pub use crate::exercises::{check_countdown, check_running_total, hint};
pub use crate::generator::{
    Co, GEN_CLOSED, GEN_CREATED, GEN_RUNNING, GEN_SUSPENDED, GenState, Generator, GeneratorError,
    getgeneratorstate,
};
pub use crate::genexpr;
