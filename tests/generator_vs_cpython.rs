//! Generator semantics against CPython: each scenario runs in python3
//! (`py/generator_scenarios.py`) and here, and the two traces must match line by line.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::rc::Rc;
use std::sync::OnceLock;

use multitask::prelude::*;
use multitask_tests::{panic_message, py_script, run_python};

/// CPython's trace of every scenario, by name (the script runs once per test binary).
fn cpython_traces() -> &'static BTreeMap<String, Vec<String>> {
    static TRACES: OnceLock<BTreeMap<String, Vec<String>>> = OnceLock::new();
    TRACES.get_or_init(|| {
        let stdout = run_python(&py_script("generator_scenarios.py"), &[]);
        let mut traces: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for line in stdout.lines() {
            let (name, text) = line.split_once(": ").expect("`scenario: text` lines");
            traces.entry(name.into()).or_default().push(text.into());
        }
        traces
    })
}

/// A value as Python's `repr` prints it.
trait Py {
    fn py(&self) -> String;
}

macro_rules! py_display {
    ($($t:ty),*) => { $(impl Py for $t { fn py(&self) -> String { self.to_string() } })* };
}
py_display!(i64, u64);

impl Py for () {
    fn py(&self) -> String {
        "None".into()
    }
}

impl<T: Py> Py for Option<T> {
    fn py(&self) -> String {
        self.as_ref().map_or_else(|| "None".into(), Py::py)
    }
}

impl<T: Py> Py for Vec<T> {
    fn py(&self) -> String {
        let items: Vec<String> = self.iter().map(Py::py).collect();
        format!("[{}]", items.join(", "))
    }
}

/// What one call gave, written the way the Python script writes it.
trait Outcome {
    fn describe(self) -> String;
}

fn describe_exception(e: &Exception) -> String {
    format!("{}: {}", e.name(), e.message())
}

impl<Y: Py, R: Py> Outcome for Result<Y, GeneratorError<R>> {
    fn describe(self) -> String {
        match self {
            Ok(value) => value.py(),
            Err(GeneratorError::StopIteration(value)) => format!("StopIteration({})", value.py()),
            Err(GeneratorError::Raised(e)) => describe_exception(&e),
        }
    }
}

impl Outcome for Result<(), Exception> {
    fn describe(self) -> String {
        match self {
            Ok(()) => "None".into(),
            Err(e) => describe_exception(&e),
        }
    }
}

/// `next()` on a plain iterator: `None` is Python's bare StopIteration.
impl<T: Py> Outcome for Option<T> {
    fn describe(self) -> String {
        self.map_or_else(|| "StopIteration(None)".into(), |v| v.py())
    }
}

impl<T: Py> Outcome for Vec<T> {
    fn describe(self) -> String {
        self.py()
    }
}

/// The Rust side's log, shared with generator bodies like the Python script's `log`.
#[derive(Clone, Default)]
struct Trace(Rc<RefCell<Vec<String>>>);

impl Trace {
    fn log(&self, text: impl Into<String>) {
        self.0.borrow_mut().push(text.into());
    }

    /// Runs `op` and logs its outcome; a panic is Rust's uncaught exception.
    fn show<O: Outcome>(&self, label: &str, op: impl FnOnce() -> O) {
        let text = match catch_unwind(AssertUnwindSafe(op)) {
            Ok(outcome) => outcome.describe(),
            Err(payload) => format!("Exception: {}", panic_message(&*payload)),
        };
        self.log(format!("{label} -> {text}"));
    }

    fn state<Y, S, R>(&self, g: &Generator<Y, S, R>) {
        self.log(format!("state {}", getgeneratorstate(g)));
    }

    fn lines(&self) -> Vec<String> {
        self.0.borrow().clone()
    }
}

/// Logs a line when dropped: Rust's `finally`.
struct Finally(Trace, &'static str);

impl Drop for Finally {
    fn drop(&mut self) {
        self.0.log(self.1);
    }
}

fn compare(name: &str, trace: &Trace) {
    let expected = cpython_traces()
        .get(name)
        .unwrap_or_else(|| panic!("scenario {name} is missing from generator_scenarios.py"));
    let actual = trace.lines();
    if *expected != actual {
        let mut report = format!("scenario {name}: Rust differs from CPython\n");
        for i in 0..expected.len().max(actual.len()) {
            let (py, rs) = (expected.get(i), actual.get(i));
            let mark = if py == rs { ' ' } else { '!' };
            report += &format!(
                "{mark} python: {:<60} rust: {}\n",
                py.map_or("<none>", String::as_str),
                rs.map_or("<none>", String::as_str)
            );
        }
        panic!("{report}");
    }
}

/// Declares each scenario as a test, and the list of their names.
macro_rules! scenarios {
    ($($name:ident(|$t:ident| $body:block))*) => {
        $(
            #[test]
            fn $name() {
                let $t = Trace::default();
                $body
                compare(stringify!($name), &$t);
            }
        )*
        const RUST_SCENARIOS: &[&str] = &[$(stringify!($name)),*];
    };
}

#[test]
fn every_cpython_scenario_has_a_rust_twin() {
    let python: Vec<&str> = cpython_traces().keys().map(String::as_str).collect();
    let mut rust = RUST_SCENARIOS.to_vec();
    rust.sort_unstable();
    assert_eq!(python, rust);
}

scenarios! {
    seed_fib_class(|t| {
        let mut f = Fib::new();
        for _ in 0..10 {
            t.show("next", || f.next());
        }
    })

    seed_fib_generator(|t| {
        let f = fib();
        for _ in 0..10 {
            t.show("next", || f.next());
        }
    })

    seed_genexpr(|t| {
        let mut squares = genexpr!(x * x, for x in 0..10i64);
        t.state(&squares);
        t.show("next", || squares.next());
        t.show("list", || squares.by_ref().collect::<Vec<i64>>());
        t.show("next", || squares.next());
        t.state(&squares);
    })

    seed_next_and_send_none_agree(|t| {
        let g = mygen(4);
        t.show("send(None)", || g.send(None));
        t.show("next", || g.next());
        t.show("send(None)", || g.send(None));
        t.show("next", || g.next());
        t.show("next", || g.next());
        for x in mygen(3) {
            t.log(format!("for {x}"));
        }
    })

    seed_raise_stopiteration_is_runtime_error(|t| {
        let g = mygen_raising_stop(2);
        t.show("next", || g.next());
        t.show("next", || g.next());
        t.show("next", || g.next());
        t.state(&g);
        t.show("next", || g.next());
    })

    seed_jumping_range(|t| {
        let itr = jumping_range(5);
        t.show("next", || itr.next());
        t.show("send(2)", || itr.send(2));
        t.show("next", || itr.next());
        t.show("send(-1)", || itr.send(-1));
        for _ in 0..4 {
            t.show("next", || itr.next());
        }
    })

    states(|t| {
        let g = mygen(1);
        t.state(&g);
        t.show("next", || g.next());
        t.state(&g);
        t.show("next", || g.next());
        t.state(&g);
    })

    running_is_seen_inside_and_reentry_refused(|t| {
        let cell: Rc<RefCell<Option<Generator<i64, i64>>>> = Rc::default();
        let (inside, tt) = (Rc::clone(&cell), t.clone());
        let me: Generator<i64, i64> = Generator::new(move |co| {
            let me = inside.borrow().as_ref().expect("set before the first resume").share();
            tt.state(&me);
            tt.show("next(me) inside", || me.next());
            tt.show("send(1) inside", || me.send(1));
            tt.show("throw inside", || me.throw(Exception::value_error("x")));
            tt.show("close inside", || me.close());
            co.yield_(1)?;
            Ok(())
        });
        *cell.borrow_mut() = Some(me.share());
        t.show("next", || me.next());
        t.state(&me);
        t.show("next", || me.next());
        t.state(&me);
        cell.borrow_mut().take();
    })

    send_to_just_started(|t| {
        let g = jumping_range(3);
        t.show("send(1)", || g.send(1));
        t.state(&g);
        t.show("next", || g.next());
        t.show("send(1)", || g.send(1));
    })

    return_value_arrives_with_the_stop(|t| {
        let g: Generator<i64, (), i64> = Generator::new(|co| {
            co.yield_(1)?;
            Ok(42)
        });
        t.show("next", || g.next());
        t.show("next", || g.next());
        t.show("next", || g.next());
        t.show("send(None)", || g.send(None));
        t.state(&g);
    })

    exception_in_body_closes_it(|t| {
        let g: Generator<i64> = Generator::new(|co| {
            co.yield_(1)?;
            panic!("boom");
        });
        t.show("next", || g.next());
        t.show("next", || g.next());
        t.state(&g);
        t.show("next", || g.next());
    })

    throw_caught_inside_yields_next(|t| {
        let tt = t.clone();
        let g: Generator<i64> = Generator::new(move |co| {
            let mut n = 0;
            loop {
                match co.yield_(n) {
                    Ok(_) => n += 1,
                    Err(Exception::ValueError(message)) => {
                        tt.log(format!("caught {message}"));
                        n = -1;
                    }
                    Err(e) => return Err(e),
                }
            }
        });
        t.show("next", || g.next());
        t.show("next", || g.next());
        t.show("throw(ValueError)", || g.throw(Exception::value_error("oops")));
        t.show("next", || g.next());
        t.state(&g);
        t.show("close", || g.close());
        t.state(&g);
    })

    throw_uncaught_comes_back_and_closes(|t| {
        let g = mygen(3);
        t.show("next", || g.next());
        t.show("throw(ValueError)", || g.throw(Exception::value_error("boom")));
        t.state(&g);
        t.show("next", || g.next());
        t.show("throw(ValueError)", || g.throw(Exception::value_error("again")));
    })

    throw_into_just_created(|t| {
        let tt = t.clone();
        let g: Generator<i64> = Generator::new(move |co| {
            tt.log("body started");
            co.yield_(1)?;
            Ok(())
        });
        t.show("throw(ValueError)", || g.throw(Exception::value_error("early")));
        t.state(&g);
        t.show("next", || g.next());
    })

    close_runs_cleanup(|t| {
        let tt = t.clone();
        let g: Generator<i64> = Generator::new(move |co| {
            let _finally = Finally(tt, "cleanup");
            co.yield_(1)?;
            co.yield_(2)?;
            Ok(())
        });
        t.show("next", || g.next());
        t.show("close", || g.close());
        t.state(&g);
        t.show("close", || g.close());
        t.show("next", || g.next());
    })

    close_just_created_never_runs_body(|t| {
        let tt = t.clone();
        let g: Generator<i64> = Generator::new(move |co| {
            tt.log("body started");
            co.yield_(1)?;
            Ok(())
        });
        t.show("close", || g.close());
        t.state(&g);
        t.show("next", || g.next());
    })

    close_ignored(|t| {
        let tt = t.clone();
        let g: Generator<i64> = Generator::new(move |co| loop {
            match co.yield_(1) {
                Ok(_) => {}
                Err(Exception::GeneratorExit) => tt.log("ignoring GeneratorExit"),
                Err(e) => return Err(e),
            }
        });
        t.show("next", || g.next());
        t.show("close", || g.close());
        t.state(&g);
        t.show("next", || g.next());
        drop(g);
        t.log("dropped");
    })

    close_raising_another_exception(|t| {
        let g: Generator<i64> = Generator::new(|co| match co.yield_(1) {
            Err(Exception::GeneratorExit) => Err(Exception::value_error("in cleanup")),
            other => other.map(drop),
        });
        t.show("next", || g.next());
        t.show("close", || g.close());
        t.state(&g);
    })

    yield_from_returns_sub_value(|t| {
        fn inner() -> Generator<i64, (), i64> {
            Generator::new(|co| {
                co.yield_(1)?;
                co.yield_(2)?;
                Ok(99)
            })
        }
        let g: Generator<i64> = Generator::new(|co| {
            co.yield_(0)?;
            let result = co.yield_from(inner())?;
            co.yield_(result)?;
            Ok(())
        });
        for _ in 0..5 {
            t.show("next", || g.next());
        }
    })

    yield_from_forwards_send(|t| {
        let tt = t.clone();
        let inner: Generator<i64, i64, i64> = Generator::new(move |co| {
            let got = co.yield_(10)?;
            tt.log(format!("inner got {}", got.py()));
            let got = co.yield_(20)?;
            tt.log(format!("inner got {}", got.py()));
            Ok(30)
        });
        let tt = t.clone();
        let g: Generator<i64, i64> = Generator::new(move |co| {
            let result = co.yield_from(inner)?;
            tt.log(format!("outer got {result}"));
            co.yield_(result)?;
            Ok(())
        });
        t.show("next", || g.next());
        t.show("send(5)", || g.send(5));
        t.show("send(6)", || g.send(6));
        t.show("next", || g.next());
    })

    yield_from_forwards_throw(|t| {
        let tt = t.clone();
        let inner: Generator<i64> = Generator::new(move |co| loop {
            match co.yield_(1) {
                Ok(_) => {}
                Err(Exception::ValueError(message)) => {
                    tt.log(format!("inner caught {message}"));
                    co.yield_(-1)?;
                }
                Err(e) => return Err(e),
            }
        });
        let g: Generator<i64> = Generator::new(move |co| co.yield_from(inner));
        t.show("next", || g.next());
        t.show("throw(ValueError)", || g.throw(Exception::value_error("x")));
        t.show("next", || g.next());
        t.show("throw(TypeError)", || g.throw(Exception::type_error("y")));
        t.state(&g);
    })

    yield_from_sub_raises_through_outer(|t| {
        let sub: Generator<i64> = Generator::new(|co| {
            co.yield_(1)?;
            Err(Exception::value_error("bad"))
        });
        let delegated = sub.share();
        let g: Generator<i64> = Generator::new(move |co| {
            co.yield_from(delegated)?;
            co.yield_(-1)?;
            Ok(())
        });
        t.show("next", || g.next());
        t.show("next", || g.next());
        t.state(&g);
        t.state(&sub);
        t.show("next", || g.next());
    })

    yield_from_forwards_close(|t| {
        let tt = t.clone();
        let sub: Generator<i64> = Generator::new(move |co| {
            let _finally = Finally(tt, "inner cleanup");
            co.yield_(1)?;
            co.yield_(2)?;
            Ok(())
        });
        let (delegated, tt) = (sub.share(), t.clone());
        let g: Generator<i64> = Generator::new(move |co| {
            let _finally = Finally(tt, "outer cleanup");
            co.yield_from(delegated)
        });
        t.show("next", || g.next());
        t.show("close", || g.close());
        t.state(&g);
        t.state(&sub);
    })
}
