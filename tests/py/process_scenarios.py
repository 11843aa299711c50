"""CPython's side of tests/process_vs_cpython.rs.

`python3 process_scenarios.py NAME` runs one scenario in a fresh interpreter
and prints its trace; `tests/bin/process_scenarios.rs NAME` runs the same
scenario on multitask in a fresh process, and the test compares the two.
Process ids are printed as `pid:N`; the test numbers them by first
appearance. Every scenario ends with the number of child processes left
(zombies included). `list` prints the scenario names.
"""
import ctypes
import multiprocessing as mp
import multiprocessing.dummy
import os
import queue
import signal
import sys
import threading
import time

from scenarios import main, say, scenario


def children_left():
    me = str(os.getpid())
    left = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    stat = f.read()
            except OSError:
                continue
            if stat.rsplit(")", 1)[1].split()[1] == me:
                left += 1
    return left


# --- processes ---------------------------------------------------------------

def run_proc(name):
    say(f"Run child process {name} (pid:{os.getpid()})...")


@scenario
def seed_run_proc():
    say(f"Parent process pid:{os.getpid()}.")
    p = mp.Process(target=run_proc, args=("test",))
    say("Child process will start.")
    p.start()
    p.join()
    say(f"child was pid:{p.pid}")
    say("Child process end.")


@scenario
def flush_before_fork():
    print("printed before the fork, no newline yet; ", end="")
    p = mp.Process(target=say, args=("the child's line",))
    p.start()
    p.join()
    say("the parent's line")


def read_stdin():
    say(f"the child read {len(sys.stdin.read())} bytes")


@scenario
def child_stdin():
    # multiprocessing gives a child /dev/null for stdin: its read ends at once.
    p = mp.Process(target=read_stdin)
    p.start()
    p.join()
    say(f"joined: exitcode {p.exitcode}")


def segfault():
    ctypes.string_at(0)


def raise_value_error():
    raise ValueError("bad")


@scenario
def exit_codes():
    for label, target in [
        ("returns", lambda: None),
        ("exits 3", lambda: sys.exit(3)),
        ("raises", raise_value_error),
        ("aborts", os.abort),
        ("segfaults", segfault),
    ]:
        p = mp.Process(target=target)
        p.start()
        p.join()
        say(f"{label}: exitcode {p.exitcode}")
    for label in ["terminate", "kill"]:
        p = mp.Process(target=time.sleep, args=(10,))
        p.start()
        getattr(p, label)()
        p.join()
        say(f"{label}: exitcode {p.exitcode}")
    say("parent still fine")


@scenario
def join_timeout():
    p = mp.Process(target=time.sleep, args=(10,))
    say(f"before start: exitcode {p.exitcode}, alive {p.is_alive()}")
    p.start()
    p.join(0.05)
    say(f"after join(0.05): exitcode {p.exitcode}, alive {p.is_alive()}")
    p.kill()
    p.join()
    say(f"after kill: exitcode {p.exitcode}, alive {p.is_alive()}")


def report_name():
    say(f"I am {mp.current_process().name}")


def start_grandchild():
    report_name()
    p = mp.Process(target=report_name)
    p.start()
    p.join()


@scenario
def names():
    say(f"parent is {mp.current_process().name}")
    for p in [
        mp.Process(target=report_name),
        mp.Process(target=report_name, name="worker"),
        mp.Process(target=start_grandchild),
        mp.Process(target=start_grandchild, name="boss"),
    ]:
        say(f"made {p.name}")
        p.start()
        p.join()


@scenario
def display():
    p = mp.Process(target=time.sleep, args=(0.2,))
    say(repr(p).replace(f"parent={os.getpid()}", f"parent=pid:{os.getpid()}"))
    p.start()
    say(repr(p).replace(f"pid={p.pid}", f"pid=pid:{p.pid}").replace(f"parent={os.getpid()}", f"parent=pid:{os.getpid()}"))
    p.join()
    say(repr(p).replace(f"pid={p.pid}", f"pid=pid:{p.pid}").replace(f"parent={os.getpid()}", f"parent=pid:{os.getpid()}"))
    d = mp.Process(target=time.sleep, args=(0,), daemon=True)
    say(repr(d).replace(f"parent={os.getpid()}", f"parent=pid:{os.getpid()}"))


def say_late(text, delay):
    time.sleep(delay)
    say(text)


@scenario
def exit_joins_children():
    mp.Process(target=say_late, args=("the non-daemon child finished", 0.2)).start()
    mp.Process(target=say_late, args=("the daemon child finished", 5), daemon=True).start()
    say("the parent's code is done")
    # Python joins the first child and terminates the second at exit; the
    # scenario's `children left` line is printed by the atexit hook below.


def child_with_threads():
    threading.Thread(target=say_late, args=("the child's thread finished", 0.2)).start()
    threading.Thread(target=say_late, args=("the daemon thread finished", 5), daemon=True).start()
    say("the child's code is done")


@scenario
def child_exit_waits_for_its_threads():
    # A child leaves as Python does: it waits for its threads that are not
    # daemons (threading._shutdown), and drops its daemon threads.
    p = mp.Process(target=child_with_threads)
    p.start()
    p.join()
    say(f"exit code {p.exitcode}")


# --- pools -------------------------------------------------------------------

def square(x):
    return x * x


def no_threes(x):
    if x == 3:
        raise ValueError("no threes")
    return x


def worker_name(_):
    time.sleep(0.01)
    return mp.current_process().name


@scenario
def pool_map():
    pool = mp.Pool(2)
    say(pool.map(square, range(10)))
    say(pool.map(square, []))
    say(sorted(set(pool.map(worker_name, range(8)))))
    try:
        pool.map(no_threes, range(8))
    except ValueError as e:
        say(f"error: {e}")
    pool.close()
    try:
        pool.map(square, range(3))
    except ValueError as e:
        say(f"after close: ValueError: {e}")
    pool.join()


@scenario
def seed_thread_pool_map():
    """The seed's last example: a for loop as a thread pool's map."""
    pool = mp.dummy.Pool(4)
    say(pool.map(square, range(10)))
    pool.close()
    pool.join()


# --- IPC ---------------------------------------------------------------------

def summer(conn):
    numbers = conn.recv()
    conn.send(sum(numbers))


@scenario
def pipes():
    parent, child = mp.Pipe()
    p = mp.Process(target=summer, args=(child,))
    p.start()
    parent.send([1, 2, 3, 4])
    say(f"sum from the child: {parent.recv()}")
    p.join()
    r, w = mp.Pipe(duplex=False)
    w.send("last words")
    w.close()
    say(f"read: {r.recv()}")
    try:
        r.recv()
    except EOFError:
        say("then: EOFError")


def producer(q, name):
    for i in range(5):
        q.put(f"{name}{i}")


@scenario
def queues():
    q = mp.Queue()
    ps = [mp.Process(target=producer, args=(q, n)) for n in "abc"]
    for p in ps:
        p.start()
    got = [q.get() for _ in range(15)]
    for p in ps:
        p.join()
    say(sorted(got))
    try:
        q.get(timeout=0.05)
    except queue.Empty:
        say("then: Empty")


def add_many(counter, lock, n):
    for _ in range(n):
        with lock:
            counter.value += 1


@scenario
def shared_counter():
    counter = mp.Value("i", 0)
    lock = mp.Lock()
    ps = [mp.Process(target=add_many, args=(counter, lock, 2000)) for _ in range(4)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    say(f"with a lock: {counter.value}")
    a = mp.Array("i", [1, 2, 3])
    p = mp.Process(target=negate, args=(a,))
    p.start()
    p.join()
    say(f"array after the child: {a[:]}")


def negate(a):
    for i in range(len(a)):
        a[i] = -a[i]


def inside(sem, now, most, lock):
    with sem:
        with lock:
            now.value += 1
            most.value = max(most.value, now.value)
        time.sleep(0.05)
        with lock:
            now.value -= 1


@scenario
def semaphore():
    sem = mp.Semaphore(2)
    now, most, lock = mp.Value("i", 0), mp.Value("i", 0), mp.Lock()
    ps = [mp.Process(target=inside, args=(sem, now, most, lock)) for _ in range(5)]
    for p in ps:
        p.start()
    for p in ps:
        p.join()
    say(f"at most {most.value} inside at once")


# --- threads -----------------------------------------------------------------

def loop():
    say(f"thread {threading.current_thread().name} is running...")
    n = 0
    while n < 5:
        n = n + 1
        say(f"thread {threading.current_thread().name} >>> {n}")
        time.sleep(0.001)
    say(f"thread {threading.current_thread().name} ended.")


@scenario
def seed_loop_thread():
    say(f"thread {threading.current_thread().name} is running...")
    t = threading.Thread(target=loop, name="LoopThread")
    t.start()
    t.join()
    say(f"thread {threading.current_thread().name} ended.")


@scenario
def thread_names():
    go = threading.Event()
    t = threading.Thread(target=go.wait)
    say(t.name)
    t.start()
    say(f"active {threading.active_count()}: {[x.name for x in threading.enumerate()]}")
    go.set()
    t.join()
    say(f"active {threading.active_count()}")
    d = threading.Thread(target=loop, name="d", daemon=True)
    say(f"daemon {d.daemon}")


@scenario
def threads_after_fork():
    go = threading.Event()
    ts = [threading.Thread(target=go.wait) for _ in range(3)]
    for t in ts:
        t.start()
    say(f"parent: {threading.active_count()} threads")
    p = mp.Process(target=lambda: say(
        f"child: {threading.active_count()} threads, {[t.name for t in threading.enumerate()]}"))
    p.start()
    p.join()
    go.set()
    for t in ts:
        t.join()


@scenario
def thread_local():
    local = threading.local()
    local.name = "main"
    seen = []

    def worker(name):
        local.name = name
        time.sleep(0.01)
        seen.append(f"{threading.current_thread().name} sees {local.name}")

    ts = [threading.Thread(target=worker, args=(n,), name=n) for n in ["t1", "t2"]]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    say(sorted(seen))
    say(f"main sees {local.name}")


def work():
    pass


@scenario
def thread_named_by_hand_uses_no_number():
    ts = [
        threading.Thread(target=work),
        threading.Thread(target=work, name="Worker"),
        threading.Thread(target=work),
    ]
    say([t.name for t in ts])


def error_line(e):
    return f"{type(e).__name__}: {e}"


@scenario
def lock_release_the_python_way():
    lock = threading.Lock()
    lock.acquire()
    say(f"locked: {lock.locked()}")
    t = threading.Thread(target=lock.release)  # any thread may release a Lock
    t.start()
    t.join()
    say(f"released by another thread, locked: {lock.locked()}")
    try:
        lock.release()
    except RuntimeError as e:
        say(error_line(e))

    r = threading.RLock()
    r.acquire()
    r.acquire()
    outcome = []

    def release_elsewhere():
        try:
            r.release()
        except RuntimeError as e:
            outcome.append(error_line(e))

    t = threading.Thread(target=release_elsewhere)
    t.start()
    t.join()
    say(f"RLock released by another thread: {outcome[0]}")
    r.release()
    r.release()
    try:
        r.release()
    except RuntimeError as e:
        say(f"RLock released once too often: {error_line(e)}")

    s = threading.BoundedSemaphore(2)
    s.acquire()
    s.release()
    try:
        s.release()
    except ValueError as e:
        say(error_line(e))


def start_a_child():
    try:
        mp.Process(target=work).start()
        say("the daemon started a child")
    except AssertionError as e:
        say(f"AssertionError: {e}")


@scenario
def daemons_have_no_children_and_kills_are_named():
    d = mp.Process(target=start_a_child, daemon=True)
    d.start()
    d.join()
    p = mp.Process(target=time.sleep, args=(10,))
    p.start()
    p.terminate()
    p.join()
    say(repr(p).replace(f"pid={p.pid}", "pid=pid").replace(f"parent={os.getpid()}", "parent=pid"))


def report_children_at_exit():
    import atexit

    # Registered first, so it runs last: after multiprocessing's own exit
    # handler has joined (and terminated) the children.
    atexit.register(lambda: say(f"children left: {children_left()}"))


if __name__ == "__main__":
    mp.set_start_method("fork")
    main(before_run=report_children_at_exit)
