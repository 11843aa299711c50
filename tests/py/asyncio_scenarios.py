"""CPython's side of tests/asyncio_vs_cpython.rs.

`python3 asyncio_scenarios.py NAME` runs one scenario and prints its trace;
`tests/bin/asyncio_scenarios.rs NAME` runs the same on the prelude's asyncio.
`list` prints the scenario names. Which task printed which line, and in what
order, is the point: the loop is one thread and tasks take turns at awaits.
"""

import asyncio
import time

from scenarios import main, say, scenario


def run(coro):
    asyncio.run(coro)


@scenario
def create_task_waits_for_its_creator():
    async def amain():
        started = []

        async def task():
            started.append(True)
            say("task: running")

        t = asyncio.create_task(task())
        time.sleep(0.1)  # blocks the loop's one thread
        say("started after 0.1 s of blocking?", bool(started))
        await asyncio.sleep(0)
        say("started after one sleep(0)?", bool(started))
        await t

    run(amain())


@scenario
def spawned_tasks_start_in_order():
    async def amain():
        async def task(i):
            say(f"task {i} first turn")
            await asyncio.sleep(0)
            say(f"task {i} second turn")

        tasks = [asyncio.create_task(task(i)) for i in range(4)]
        say("main: all spawned")
        for t in tasks:
            await t
        say("main: all done")

    run(amain())


@scenario
def gather_sleep0_rounds():
    async def step(name):
        for i in range(3):
            say(f"{name}{i}")
            await asyncio.sleep(0)

    async def amain():
        await asyncio.gather(step("a"), step("b"), step("c"))

    run(amain())


@scenario
def main_sleep0_lets_each_ready_task_run_once():
    async def amain():
        async def chatty(name):
            for i in range(3):
                say(f"{name} {i}")
                await asyncio.sleep(0)

        tasks = [asyncio.create_task(chatty(n)) for n in ("x", "y")]
        for round in range(3):
            say(f"main round {round}")
            await asyncio.sleep(0)
        for t in tasks:
            await t

    run(amain())


@scenario
def no_lock_between_awaits():
    async def amain():
        counter = {"n": 0}

        async def add(times):
            for _ in range(times):
                counter["n"] += 1  # no await between read and write
                await asyncio.sleep(0)

        async def add_with_await_inside(times):
            for _ in range(times):
                seen = counter["n"]
                await asyncio.sleep(0)  # another task runs here
                counter["n"] = seen + 1

        await asyncio.gather(add(1000), add(1000), add(1000))
        say("three tasks adding 1000 each, no await inside:", counter["n"])
        counter["n"] = 0
        await asyncio.gather(*(add_with_await_inside(1000) for _ in range(3)))
        say("an await between read and write:", counter["n"])

    run(amain())


@scenario
def gather_fails_fast_and_the_others_run_on():
    async def slow():
        await asyncio.sleep(0.3)
        say("slow: finished anyway")
        return "slow"

    async def boom():
        await asyncio.sleep(0.05)
        raise Exception("boom")

    async def amain():
        start = time.monotonic()
        try:
            await asyncio.gather(asyncio.create_task(slow()), asyncio.create_task(boom()))
        except Exception as e:
            early = time.monotonic() - start < 0.25
            say(f"gather raised {type(e).__name__}: {e}; before slow ended: {early}")
        await asyncio.sleep(0.4)
        say("main: done")

    run(amain())


@scenario
def gather_return_exceptions():
    async def fine():
        await asyncio.sleep(0.01)
        return 1

    async def boom():
        raise Exception("boom")

    async def amain():
        results = await asyncio.gather(
            asyncio.create_task(fine()), asyncio.create_task(boom()), return_exceptions=True
        )
        for r in results:
            if isinstance(r, BaseException):
                say(f"error {type(r).__name__}: {r}")
            else:
                say(f"value {r}")

    run(amain())


@scenario
def queue_producer_consumer():
    async def amain():
        queue = asyncio.Queue(maxsize=2)

        async def producer():
            for i in range(5):
                say(f"put {i}")
                await queue.put(i)
            say("producer: done")

        async def consumer():
            while True:
                item = await queue.get()
                say(f"got {item}")
                await asyncio.sleep(0)
                queue.task_done()

        c = asyncio.create_task(consumer())
        p = asyncio.create_task(producer())
        await p
        await queue.join()
        say(f"all handled, qsize {queue.qsize()}")
        c.cancel()
        try:
            await c
        except asyncio.CancelledError:
            say("consumer cancelled:", c.cancelled())
        try:
            queue.task_done()
        except ValueError as e:
            say(f"ValueError: {e}")
        try:
            queue.get_nowait()
        except asyncio.QueueEmpty:
            say("QueueEmpty")

    run(amain())


@scenario
def as_completed_in_finishing_order():
    async def nap(secs):
        await asyncio.sleep(secs)
        return secs

    async def amain():
        tasks = [asyncio.create_task(nap(s)) for s in (0.3, 0.1, 0.2)]
        for next_done in asyncio.as_completed(tasks):
            say("finished:", await next_done)

    run(amain())


@scenario
def first_completed_and_cancel_the_rest():
    async def nap(secs):
        await asyncio.sleep(secs)
        return secs

    async def amain():
        tasks = [asyncio.create_task(nap(s)) for s in (0.3, 0.05, 0.2)]
        done, pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
        first = done.pop()
        say(f"first: index {tasks.index(first)}, result {first.result()}, {len(pending)} pending")
        for t in pending:
            t.cancel()
        for t in tasks:
            try:
                say("result:", await t)
            except asyncio.CancelledError:
                say("cancelled")

    run(amain())


@scenario
def cancel_before_it_starts():
    async def amain():
        async def never():
            say("never printed")

        t = asyncio.create_task(never())
        say("cancel:", t.cancel())
        try:
            await t
        except asyncio.CancelledError:
            say("CancelledError; cancelled():", t.cancelled(), "done():", t.done())
        say("cancel again:", t.cancel())

    run(amain())


@scenario
def wait_for_gives_up():
    async def amain():
        try:
            await asyncio.wait_for(asyncio.sleep(5), 0.05)
        except asyncio.TimeoutError:
            say("TimeoutError")
        say("in time:", await asyncio.wait_for(asyncio.sleep(0.01, result="ok"), 1))

    run(amain())


if __name__ == "__main__":
    main()
