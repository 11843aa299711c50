//! What the REPL writes about the prelude into the code it compiles, in one
//! place. A path in a cell is text, which the compiler cannot check; so each
//! one here is made by [`pinned!`] from the same tokens as a line the
//! compiler does check against the prelude this binary is built with.
//! Renaming a prelude item these name breaks this file's build, not a
//! 25-minute end-to-end run; the tests below check that the text the
//! session writes is made from these.
//!
//! The other way round, the prelude looks up a symbol this binary exports
//! ([`multitask::REGISTRY_SYMBOL`], named in `repl/build.rs`; a test below
//! checks the two agree).

/// `pinned!(NAME: path::to::item as Type)`: `NAME` is `"::path::to::item"`,
/// and the item must be a `Type` (a function coerced to a pointer of that
/// type, generics inferred).
macro_rules! pinned {
    ($(#[$doc:meta])* $name:ident: $($segment:ident)::+ as $ty:ty) => {
        $(#[$doc])*
        pub const $name: &str = concat!($("::", stringify!($segment)),+);
        const _: $ty = ::$($segment)::+;
    };
}

/// `pinned_module!(NAME: path::to::module)`: `NAME` is `"::path::to::module"`,
/// which must be a module of the prelude.
macro_rules! pinned_module {
    ($(#[$doc:meta])* $name:ident: $($segment:ident)::+) => {
        $(#[$doc])*
        pub const $name: &str = concat!($("::", stringify!($segment)),+);
        #[allow(unused_imports)]
        use ::$($segment)::+ as _;
    };
}

pinned_module!(
    /// Brought into scope in every session: `use ::multitask::prelude::*;`.
    PRELUDE: multitask::prelude
);

pinned!(
    /// What goes at the top of each loop body of a cell, so that Ctrl-C
    /// stops it (`loop_checks`).
    INTERRUPT_CHECK: multitask::interrupt::check as fn()
);

pinned!(
    /// Runs a cell that awaits, on the prelude's asyncio loop (evcxr's async
    /// runner; see `vendor/evcxr/PATCHES.md`).
    ASYNC_RUNNER: multitask::asyncio::run_cell as fn(std::future::Ready<()>)
);

pinned!(
    /// `:timeit EXPR`: IPython's `%timeit` (the session's `timeit`).
    TIMEIT: multitask::timeit::timeit as fn(&str, fn()) -> multitask::timeit::Measured
);

pinned!(
    /// The second line of a panic the REPL makes likely (`session::panic_hook`).
    PANIC_ADVICE: multitask::panic_advice as fn(&str) -> Option<&'static str>
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_paths_read_as_the_prelude_names_them() {
        assert_eq!(PRELUDE, "::multitask::prelude");
        assert_eq!(INTERRUPT_CHECK, "::multitask::interrupt::check");
        assert_eq!(ASYNC_RUNNER, "::multitask::asyncio::run_cell");
        assert_eq!(TIMEIT, "::multitask::timeit::timeit");
        assert_eq!(PANIC_ADVICE, "::multitask::panic_advice");
    }

    #[test]
    fn the_code_the_session_writes_is_made_of_these_paths() {
        assert!(crate::session::prelude_use().contains(PRELUDE));
        assert!(crate::session::panic_hook().contains(PANIC_ADVICE));
        assert!(crate::cell::loop_checks::check().contains(INTERRUPT_CHECK));
        assert!(crate::session::timeit_cell("1 + 1").contains(TIMEIT));
        // No other prelude path is pasted into code by hand.
        for code in [
            crate::session::prelude_use(),
            crate::session::panic_hook(),
            crate::cell::loop_checks::check().to_string(),
            crate::session::timeit_cell("1 + 1"),
        ] {
            let named = code.matches("multitask::").count();
            let pinned = [PRELUDE, INTERRUPT_CHECK, TIMEIT, PANIC_ADVICE]
                .iter()
                .map(|path| code.matches(path).count())
                .sum::<usize>();
            assert_eq!(named, pinned, "a prelude path not pinned here: {code}");
        }
    }

    #[test]
    fn the_binary_exports_the_registry_under_the_preludes_name() {
        let build = include_str!("../../build.rs");
        let flag = format!("--export-dynamic-symbol={}", multitask::REGISTRY_SYMBOL);
        assert!(build.contains(&flag), "repl/build.rs must pass {flag}");
    }
}
