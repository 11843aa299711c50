#!/usr/bin/env python3
"""Processes, threads, pipes, queues and pools: multitask against CPython,
measured in one run.

Runs the criterion benches in `multitasking.rs` (beside this file), then times
the same operations in this CPython (multiprocessing with the fork start
method, threading, multiprocessing.dummy) and prints one Markdown table.
Usage, from anywhere in the workspace:

    python3 prelude/benches/compare_multitasking.py           # full criterion run
    python3 prelude/benches/compare_multitasking.py --quick   # shorter, noisier

The table for processes and threads in docs/performance.md is this script's output.
"""
import argparse
import datetime
import multiprocessing as mp
import multiprocessing.dummy
import os
import platform
import threading

from benchlib import best, criterion_medians, cpu_name, show

MESSAGES = 100_000


def nothing():
    pass


def square(x):
    return x * x


def sum_range(n):
    return sum(range(n))


def send_numbers(w, n):
    for i in range(n):
        w.send(i)


def put_numbers(q, n):
    for i in range(n):
        q.put(i)



def process_start_join():
    p = mp.Process(target=nothing)
    p.start()
    p.join()


def thread_start_join():
    t = threading.Thread(target=nothing)
    t.start()
    t.join()


def pipe_messages():
    r, w = mp.Pipe(duplex=False)
    p = mp.Process(target=send_numbers, args=(w, MESSAGES))
    p.start()
    w.close()
    for _ in range(MESSAGES):
        r.recv()
    p.join()


def queue_messages():
    q = mp.Queue()
    p = mp.Process(target=put_numbers, args=(q, MESSAGES))
    p.start()
    for _ in range(MESSAGES):
        q.get()
    p.join()


def cpython_seconds(quick):
    """Each case's time per operation, in seconds."""
    n = 20 if quick else 100
    out = {
        "process start+join": best(lambda: [process_start_join() for _ in range(n)], 3) / n,
        "thread start+join": best(lambda: [thread_start_join() for _ in range(n * 10)], 3) / (n * 10),
        "pipe message": best(pipe_messages, 3) / MESSAGES,
        "queue message": best(queue_messages, 3) / MESSAGES,
    }
    with mp.dummy.Pool() as pool:
        out["thread pool map 1M squares"] = best(lambda: pool.map(square, range(1_000_000)), 3)
    with mp.Pool() as pool:
        out["process pool map 200 sums"] = best(lambda: pool.map(sum_range, [100_000] * 200), 3)
    return out


def rust_seconds(quick):
    """Runs the criterion benches; each one's median, in seconds."""
    return criterion_medians("multitasking", "multitasking", quick)


ROWS = [
    # (label, ours, CPython's, per-message rate?)
    ("`Process` start + join (fork)", "process start+join", "process start+join", False),
    ("`Thread` start + join", "thread start+join", "thread start+join", False),
    ("pipe, small typed messages", "pipe message", "pipe message", True),
    ("pipe, `send_many` batches of 1000", "pipe message, sent in batches of 1000", "pipe message", True),
    ("`Queue`, small messages", "queue message", "queue message", True),
    ("`ThreadPool::map` 1M × x²", "thread pool map 1M squares", "thread pool map 1M squares", False),
    ("`Pool::map` 200 × sum(range(100000))", "process pool map 200 sums", "process pool map 200 sums", False),
]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter runs")
    quick = parser.parse_args().quick
    mp.set_start_method("fork")
    rust = rust_seconds(quick)
    python = cpython_seconds(quick)
    print(
        f"Measured {datetime.date.today()} on {cpu_name()}, {len(os.sched_getaffinity(0))} cores, "
        f"CPython {platform.python_version()}; multitask: criterion median, CPython: best of 3.\n"
    )
    print("| operation | multitask | CPython | CPython ÷ multitask |")
    print("|---|---:|---:|---:|")
    for label, ours, theirs, rate in ROWS:
        a, b = rust[ours], python[theirs]
        if rate:
            cells = f"{1 / a / 1e6:.2f} M msg/s | {1 / b / 1e6:.2f} M msg/s"
        else:
            cells = f"{show(a)} | {show(b)}"
        print(f"| {label} | {cells} | {b / a:.1f}× |")
    floor_fork, floor_spawn = rust["raw fork+waitpid"], rust["raw std spawn+join"]
    print(
        f"\nFloors in the same run: a bare `fork` + `_exit` + `waitpid` takes {show(floor_fork)}, "
        f"`std::thread::spawn` + `join` {show(floor_spawn)}."
    )


if __name__ == "__main__":
    main()
