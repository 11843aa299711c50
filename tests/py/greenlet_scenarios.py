"""gevent's side of tests/greenlet_vs_gevent.rs (run with the test venv's
python, where tests/run installs gevent).

`python greenlet_scenarios.py NAME` runs one scenario and prints its trace;
`tests/bin/greenlet_scenarios.rs NAME` runs the same on multitask's greenlets.
`list` prints the scenario names.
"""

import gevent
import gevent.exceptions
import gevent.lock
import gevent.queue

from scenarios import main, say, scenario


# --- the seed's own programs (§3 gevent), as it prints them ----------------

@scenario
def seed_f5_runs_one_after_another():
    def f(n):
        for i in range(n):
            say(gevent.getcurrent(), i)

    seed_three_of(f)


@scenario
def seed_f5_with_sleep0_takes_turns():
    def f(n):
        for i in range(n):
            say(gevent.getcurrent(), i)
            gevent.sleep(0)

    seed_three_of(f)


def seed_three_of(f):
    """What both seed programs do with their `f`."""
    g1 = gevent.spawn(f, 5)
    g2 = gevent.spawn(f, 5)
    g3 = gevent.spawn(f, 5)
    g1.join()
    g2.join()
    g3.join()


# --- more of gevent's behaviour ----------------------------------------------

def worker(name, n, yields):
    for i in range(n):
        say(f"{name} step {i}")
        if yields:
            gevent.sleep(0)
    return name.upper()


@scenario
def no_yield_runs_one_after_another():
    gs = [gevent.spawn(worker, n, 3, False) for n in ("g1", "g2", "g3")]
    say("spawned; nothing ran yet")
    gevent.joinall(gs)
    say([g.get() for g in gs])


@scenario
def sleep0_takes_turns():
    gs = [gevent.spawn(worker, n, 3, True) for n in ("g1", "g2", "g3")]
    gevent.joinall(gs)
    say([g.get() for g in gs])


@scenario
def main_sleep0_lets_each_run_once():
    gs = [gevent.spawn(worker, n, 2, True) for n in ("a", "b")]
    say("main sleeps 0")
    gevent.sleep(0)
    say("main again")
    gevent.joinall(gs)


def fails():
    gevent.sleep(0)
    raise ValueError("boom")


def divides(n):
    gevent.sleep(0)
    return 1 // n


@scenario
def outcomes():
    ok = gevent.spawn(worker, "ok", 1, False)
    bad = gevent.spawn(fails)
    zero = gevent.spawn(divides, 0)
    sleeper = gevent.spawn(gevent.sleep, 10)
    gevent.sleep(0.01)
    sleeper.kill()
    gevent.joinall([ok, bad, zero])
    say(f"ok: successful {ok.successful()}, value {ok.value!r}")
    name = type(bad.exception).__name__
    say(f"bad: successful {bad.successful()}, exception {name} {bad.exception}")
    # The messages differ (Rust's "attempt to divide by zero"): the name is the point.
    say(f"zero: successful {zero.successful()}, exception {type(zero.exception).__name__}")
    say(f"sleeper: dead {sleeper.dead}, successful {sleeper.successful()}")


def twice_then_done(name):
    for i in range(2):
        say(f"{name} {i}")
        gevent.sleep(0)
    say(f"{name} done")


@scenario
def join_returns_when_the_hub_comes_back_to_main():
    g1 = gevent.spawn(twice_then_done, "g1")
    g2 = gevent.spawn(twice_then_done, "g2")
    g1.join()
    say("after g1")
    g2.join()
    say("after g2")


def waits_for(other, name):
    say(f"{name} waits for the other")
    other.join()
    say(f"{name} sees {other.value!r}")


@scenario
def join_from_a_greenlet():
    a = gevent.spawn(worker, "a", 2, True)
    b = gevent.spawn(waits_for, a, "b")
    gevent.joinall([a, b])


@scenario
def timers_wake_in_order():
    def nap(name, secs):
        gevent.sleep(secs)
        say(f"{name} woke")
    gs = [gevent.spawn(nap, "slow", 0.06), gevent.spawn(nap, "fast", 0.02), gevent.spawn(nap, "mid", 0.04)]
    gevent.joinall(gs)


PAGES = {"/python": (0.6, 45661), "/github": (0.2, 14823), "/yahoo": (0.4, 304034)}


def slow_server(port_queue):
    import http.server
    import time

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            delay, size = PAGES[self.path]
            time.sleep(delay)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"x" * size)

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

    server = Server(("127.0.0.1", 0), Slow)
    port_queue.put(server.server_address[1])
    server.serve_forever()


@scenario
def seed_three_downloads_switch_by_themselves():
    import multiprocessing as mp
    import time

    q = mp.Queue()
    server = mp.Process(target=slow_server, args=(q,), daemon=True)
    server.start()
    port = q.get()

    # Patched after the server's fork: the server keeps plain sockets.
    from gevent import monkey

    monkey.patch_socket()
    import urllib.request

    def fetch(path):
        say(f"GET {path}")
        data = urllib.request.urlopen(f"http://127.0.0.1:{port}{path}").read()
        say(f"{len(data)} bytes received from {path}.")

    start = time.time()
    gevent.joinall([gevent.spawn(fetch, p) for p in PAGES])
    took = time.time() - start
    say(f"less than the sum of the delays: {0.6 <= took < 1.2}")
    server.kill()
    server.join()


@scenario
def an_interrupt_reaches_main_and_the_greenlets_live_on():
    import os
    import signal
    import threading

    ticks = {"a": 0, "b": 0}

    def ticker(name):
        # 2 s of ticks: without the interrupt, joinall returns.
        for _ in range(40):
            ticks[name] += 1
            gevent.sleep(0.05)

    # Python's own handler, even where SIGINT came in ignored (a background job).
    signal.signal(signal.SIGINT, signal.default_int_handler)
    gs = [gevent.spawn(ticker, n) for n in ticks]
    # Ctrl-C, 0.3 s into the wait.
    threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT)).start()
    try:
        gevent.joinall(gs)
        say("joinall returned")
    except KeyboardInterrupt:
        say("KeyboardInterrupt in main, from joinall")
    say(f"dead: {[g.dead for g in gs]}")
    before = dict(ticks)
    gevent.sleep(0.2)
    say(f"they went on ticking: {all(ticks[n] > before[n] for n in ticks)}")
    gevent.killall(gs)
    say(f"killed: {[g.dead for g in gs]}")


@scenario
def a_killed_waiter_passes_the_semaphore_on():
    sem = gevent.lock.Semaphore(1)

    def holder():
        with sem:
            gevent.sleep(0.02)

    def waiter(name):
        with sem:
            say(f"{name} got the place")

    gevent.spawn(holder)
    a = gevent.spawn(waiter, "a")
    b = gevent.spawn(waiter, "b")
    gevent.sleep(0.005)  # a and b wait in line
    a.kill()
    b.join()
    say(f"counter {sem.counter}, a dead {a.dead}, b dead {b.dead}")


@scenario
def joinall_names_a_deadlock():
    sem = gevent.lock.Semaphore(0)
    gs = [gevent.spawn(sem.acquire) for _ in range(2)]
    try:
        gevent.joinall(gs)
        say("joinall returned")
    except gevent.exceptions.LoopExit as e:
        say(f"LoopExit: {e.args[0]}")
    say(f"dead: {[g.dead for g in gs]}")


@scenario
def join_with_a_timeout():
    g = gevent.spawn(gevent.sleep, 0.2)
    g.join(timeout=0.05)
    say(f"after join(0.05): dead {g.dead}")
    g.join()
    say(f"after join(): dead {g.dead}")


@scenario
def timeouts_in_a_greenlet_and_in_main():
    sem = gevent.lock.Semaphore(0)

    def impatient(name, secs):
        try:
            with gevent.Timeout(secs):
                sem.acquire()
                say(f"{name} got the place")
        except gevent.Timeout as t:
            say(f"{name}: Timeout after {t}")

    a = gevent.spawn(impatient, "a", 0.05)
    b = gevent.spawn(impatient, "b", 5)
    gevent.sleep(0.1)  # a gave up and left the line
    sem.release()
    gevent.joinall([a, b])
    try:
        gevent.with_timeout(0.05, gevent.sleep, 5)
    except gevent.Timeout as t:
        say(f"main: Timeout after {t}")
    say(f"in time: {gevent.with_timeout(1, lambda: 'done')}")


@scenario
def queue_producer_consumer():
    q = gevent.queue.Queue(maxsize=2)

    def producer():
        for i in range(5):
            say(f"put {i}")
            q.put(i)
        say("producer done")

    def consumer():
        for _ in range(5):
            say(f"got {q.get()}")
            gevent.sleep(0)

    gevent.joinall([gevent.spawn(producer), gevent.spawn(consumer)])
    try:
        q.get_nowait()
    except gevent.queue.Empty:
        say("Empty")
    try:
        q.get(timeout=0.01)
    except gevent.queue.Empty:
        say("Empty after 0.01 s")
    q.put(1)
    q.put(2)
    try:
        q.put_nowait(3)
    except gevent.queue.Full:
        say(f"Full, qsize {q.qsize()}")


@scenario
def semaphore_release_the_gevent_way():
    sem = gevent.lock.Semaphore(1)
    sem.acquire()
    say(f"locked {sem.locked()}")
    sem.release()
    say(f"locked {sem.locked()}, counter {sem.counter}")
    b = gevent.lock.BoundedSemaphore(1)
    b.acquire()
    b.release()
    try:
        b.release()
    except ValueError as e:
        say(f"ValueError: {e}")


if __name__ == "__main__":
    main()
