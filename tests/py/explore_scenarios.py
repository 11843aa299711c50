"""Python's side of tests/explore_vs_python.rs: every schedule of a small
threaded program, counted by brute force.

Each thread is a Python generator that yields one step at a time — a read
or write of a shared cell, a lock taken or let go — the steps `explore`
shows. `every_schedule` runs the threads in every order their steps allow
(a thread waiting for a taken lock cannot go) and counts the schedules by
how they ended: the final value, or a deadlock when only waiting threads
are left. Prints `scenario: N schedules`, then `scenario: ENDING in K`
lines, sorted; the Rust test explores the same programs and compares.
"""
from scenarios import main, scenario, say
import scenarios


class Cell:
    def __init__(self, value=0):
        self.value = value


class Lock:
    def __init__(self):
        self.holder = None


class World:
    """The program after some steps: each thread's next step, the shared
    cells and locks as those steps left them."""

    def __init__(self, program):
        self.threads, self.result = program()
        self.pending = {name: next(gen) for name, gen in self.threads.items()}

    def ready(self):
        """The threads that can take a step (not waiting for a taken lock)."""
        return [name for name, op in self.pending.items()
                if not (op[0] == "acquire" and op[1].holder is not None)]

    def step(self, name):
        op, reply = self.pending[name], None
        if op[0] == "load":
            reply = op[1].value
        elif op[0] == "store":
            op[1].value = op[2]
        elif op[0] == "add":
            reply = op[1].value
            op[1].value += op[2]
        elif op[0] == "acquire":
            op[1].holder = name
        elif op[0] == "release":
            op[1].holder = None
        try:
            self.pending[name] = self.threads[name].send(reply)
        except StopIteration:
            del self.pending[name]


def every_schedule(program):
    """Every order of the steps, depth first: how many ended each way."""
    counts = {}

    def walk(prefix):
        world = World(program)  # generators cannot be copied: replay
        for name in prefix:
            world.step(name)
        ready = world.ready()
        if not world.pending or not ready:
            ending = world.result() if not world.pending else "deadlock"
            counts[ending] = counts.get(ending, 0) + 1
        for name in ready:
            walk(prefix + [name])

    walk([])
    return counts


def report(counts):
    total = sum(counts.values())
    say(f"{scenarios.current}: {total} schedules")
    for ending in sorted(counts, key=str):
        say(f"{scenarios.current}: {ending} in {counts[ending]}")


def names(n):
    return [chr(ord("A") + i) for i in range(n)]


def adders(n, each, how):
    """n threads each adding 1 `each` times to one counter: read then write
    (`careless`), the same under one lock (`locked`), or in one step
    (`fetch_add`)."""
    def program():
        total, lock = Cell(), Lock()

        def adder():
            for _ in range(each):
                if how == "fetch_add":
                    yield ("add", total, 1)
                    continue
                if how == "locked":
                    yield ("acquire", lock)
                seen = yield ("load", total)
                yield ("store", total, seen + 1)
                if how == "locked":
                    yield ("release", lock)
        return {name: adder() for name in names(n)}, lambda: total.value
    return program


def two_locks(same_order):
    """A takes a then b; B takes b then a (or a then b: `same_order`)."""
    def program():
        a, b = Lock(), Lock()

        def taking(first, second):
            yield ("acquire", first)
            yield ("acquire", second)
            yield ("release", second)
            yield ("release", first)
        second_thread = taking(a, b) if same_order else taking(b, a)
        return {"A": taking(a, b), "B": second_thread}, lambda: "()"
    return program


@scenario
def lost_update_2x1():
    report(every_schedule(adders(2, 1, "careless")))


@scenario
def lost_update_2x2():
    report(every_schedule(adders(2, 2, "careless")))


@scenario
def lost_update_3x1():
    report(every_schedule(adders(3, 1, "careless")))


@scenario
def locked_2x2():
    report(every_schedule(adders(2, 2, "locked")))


@scenario
def fetch_add_2x2():
    report(every_schedule(adders(2, 2, "fetch_add")))


@scenario
def two_locks_opposite_orders():
    report(every_schedule(two_locks(same_order=False)))


@scenario
def two_locks_same_order():
    report(every_schedule(two_locks(same_order=True)))


if __name__ == "__main__":
    main()
