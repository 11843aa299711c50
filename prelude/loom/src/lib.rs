//! A loom model of the trace log's slots (`prelude/src/trace/slot.rs`): the
//! file itself, compiled with loom's atomics, under every interleaving of
//! its writers and a reader (see `tests/slots.rs`). Nothing to use here.
