"""CPython's side of tests/generator_vs_cpython.rs.

Each scenario drives a generator and logs what it sees; the Rust test runs the
same scenario against multitask's Generator and compares the lines. Prints
`scenario: line` lines; `python3 generator_scenarios.py NAME` runs one scenario,
with no name it runs them all.
"""
import inspect
import sys

import scenarios
from scenarios import main, scenario


def log(text):
    print(f"{scenarios.current}: {text}")


def show(label, op):
    try:
        result = op()
    except StopIteration as stop:
        log(f"{label} -> StopIteration({stop.value!r})")
    except BaseException as e:  # the exception is the outcome we record
        log(f"{label} -> {type(e).__name__}: {e}")
    else:
        log(f"{label} -> {result!r}")


def state(gen):
    log(f"state {inspect.getgeneratorstate(gen)}")


# --- the seed's own examples -------------------------------------------------

class Fib:
    def __init__(self):
        self.prev = 0
        self.curr = 1

    def __iter__(self):
        return self

    def __next__(self):
        self.curr, self.prev = self.prev + self.curr, self.curr
        return self.curr


def fib():
    prev, curr = 0, 1
    while True:
        yield curr
        curr, prev = prev + curr, curr


def mygen(n):
    now = 0
    while now < n:
        yield now
        now += 1


def mygen_raising_stop(n):
    now = 0
    while now < n:
        yield now
        now += 1
    raise StopIteration


def jumping_range(N):
    index = 0
    while index < N:
        jump = yield index
        if jump is None:
            jump = 1
        index += jump


@scenario
def seed_fib_class():
    f = Fib()
    for _ in range(10):
        show("next", lambda: next(f))


@scenario
def seed_fib_generator():
    f = fib()
    for _ in range(10):
        show("next", lambda: next(f))


@scenario
def seed_genexpr():
    squares = (x * x for x in range(10))
    state(squares)
    show("next", lambda: next(squares))
    show("list", lambda: list(squares))
    show("next", lambda: next(squares))
    state(squares)


@scenario
def seed_next_and_send_none_agree():
    gen = mygen(4)
    show("send(None)", lambda: gen.send(None))
    show("next", lambda: next(gen))
    show("send(None)", lambda: gen.send(None))
    show("next", lambda: next(gen))
    show("next", lambda: next(gen))
    for x in mygen(3):
        log(f"for {x}")


@scenario
def seed_raise_stopiteration_is_runtime_error():
    gen = mygen_raising_stop(2)
    show("next", lambda: next(gen))
    show("next", lambda: next(gen))
    show("next", lambda: next(gen))
    state(gen)
    show("next", lambda: next(gen))


@scenario
def seed_jumping_range():
    itr = jumping_range(5)
    show("next", lambda: next(itr))
    show("send(2)", lambda: itr.send(2))
    show("next", lambda: next(itr))
    show("send(-1)", lambda: itr.send(-1))
    show("next", lambda: next(itr))
    show("next", lambda: next(itr))
    show("next", lambda: next(itr))
    show("next", lambda: next(itr))


# --- the four states ---------------------------------------------------------

@scenario
def states():
    gen = mygen(1)
    state(gen)
    show("next", lambda: next(gen))
    state(gen)
    show("next", lambda: next(gen))
    state(gen)


@scenario
def running_is_seen_inside_and_reentry_refused():
    def selfish():
        state(me)
        show("next(me) inside", lambda: next(me))
        show("send(1) inside", lambda: me.send(1))
        show("throw inside", lambda: me.throw(ValueError("x")))
        show("close inside", lambda: me.close())
        yield 1

    me = selfish()
    show("next", lambda: next(me))
    state(me)
    show("next", lambda: next(me))
    state(me)


# --- send, return values, stops ----------------------------------------------

@scenario
def send_to_just_started():
    gen = jumping_range(3)
    show("send(1)", lambda: gen.send(1))
    state(gen)
    show("next", lambda: next(gen))
    show("send(1)", lambda: gen.send(1))


@scenario
def return_value_arrives_with_the_stop():
    def answer():
        yield 1
        return 42

    gen = answer()
    show("next", lambda: next(gen))
    show("next", lambda: next(gen))
    show("next", lambda: next(gen))
    show("send(None)", lambda: gen.send(None))
    state(gen)


@scenario
def exception_in_body_closes_it():
    def fails():
        yield 1
        raise Exception("boom")

    gen = fails()
    show("next", lambda: next(gen))
    show("next", lambda: next(gen))
    state(gen)
    show("next", lambda: next(gen))


# --- throw -------------------------------------------------------------------

@scenario
def throw_caught_inside_yields_next():
    def resilient():
        n = 0
        while True:
            try:
                yield n
            except ValueError as e:
                log(f"caught {e}")
                n = -1
                continue
            n += 1

    gen = resilient()
    show("next", lambda: next(gen))
    show("next", lambda: next(gen))
    show("throw(ValueError)", lambda: gen.throw(ValueError("oops")))
    show("next", lambda: next(gen))
    state(gen)
    show("close", lambda: gen.close())
    state(gen)


@scenario
def throw_uncaught_comes_back_and_closes():
    gen = mygen(3)
    show("next", lambda: next(gen))
    show("throw(ValueError)", lambda: gen.throw(ValueError("boom")))
    state(gen)
    show("next", lambda: next(gen))
    show("throw(ValueError)", lambda: gen.throw(ValueError("again")))


@scenario
def throw_into_just_created():
    def body():
        log("body started")
        yield 1

    gen = body()
    show("throw(ValueError)", lambda: gen.throw(ValueError("early")))
    state(gen)
    show("next", lambda: next(gen))


# --- close -------------------------------------------------------------------

@scenario
def close_runs_cleanup():
    def guarded():
        try:
            yield 1
            yield 2
        finally:
            log("cleanup")

    gen = guarded()
    show("next", lambda: next(gen))
    show("close", lambda: gen.close())
    state(gen)
    show("close", lambda: gen.close())
    show("next", lambda: next(gen))


@scenario
def close_just_created_never_runs_body():
    def body():
        log("body started")
        yield 1

    gen = body()
    show("close", lambda: gen.close())
    state(gen)
    show("next", lambda: next(gen))


@scenario
def close_ignored():
    def stubborn():
        while True:
            try:
                yield 1
            except GeneratorExit:
                log("ignoring GeneratorExit")

    gen = stubborn()
    show("next", lambda: next(gen))
    show("close", lambda: gen.close())
    state(gen)
    show("next", lambda: next(gen))
    # Dropping the last reference closes it once more (the complaint goes to stderr).
    sys.unraisablehook = lambda _: None
    del gen
    log("dropped")


@scenario
def close_raising_another_exception():
    def body():
        try:
            yield 1
        except GeneratorExit:
            raise ValueError("in cleanup")

    gen = body()
    show("next", lambda: next(gen))
    show("close", lambda: gen.close())
    state(gen)


# --- yield from --------------------------------------------------------------

@scenario
def yield_from_returns_sub_value():
    def inner():
        yield 1
        yield 2
        return 99

    def outer():
        yield 0
        result = yield from inner()
        yield result

    gen = outer()
    for _ in range(5):
        show("next", lambda: next(gen))


@scenario
def yield_from_forwards_send():
    def inner():
        got = yield 10
        log(f"inner got {got}")
        got = yield 20
        log(f"inner got {got}")
        return 30

    def outer():
        result = yield from inner()
        log(f"outer got {result}")
        yield result

    gen = outer()
    show("next", lambda: next(gen))
    show("send(5)", lambda: gen.send(5))
    show("send(6)", lambda: gen.send(6))
    show("next", lambda: next(gen))


@scenario
def yield_from_forwards_throw():
    def inner():
        while True:
            try:
                yield 1
            except ValueError as e:
                log(f"inner caught {e}")
                yield -1

    def outer():
        yield from inner()

    gen = outer()
    show("next", lambda: next(gen))
    show("throw(ValueError)", lambda: gen.throw(ValueError("x")))
    show("next", lambda: next(gen))
    show("throw(TypeError)", lambda: gen.throw(TypeError("y")))
    state(gen)


@scenario
def yield_from_sub_raises_through_outer():
    def inner():
        yield 1
        raise ValueError("bad")

    sub = inner()

    def outer():
        yield from sub
        yield "unreachable"

    gen = outer()
    show("next", lambda: next(gen))
    show("next", lambda: next(gen))
    state(gen)
    state(sub)
    show("next", lambda: next(gen))


@scenario
def yield_from_forwards_close():
    def inner():
        try:
            yield 1
            yield 2
        finally:
            log("inner cleanup")

    sub = inner()

    def outer():
        try:
            yield from sub
        finally:
            log("outer cleanup")

    gen = outer()
    show("next", lambda: next(gen))
    show("close", lambda: gen.close())
    state(gen)
    state(sub)


if __name__ == "__main__":
    main()
