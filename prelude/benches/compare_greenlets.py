#!/usr/bin/env python3
"""Greenlets: multitask against gevent, measured in one run.

Runs the criterion benches in `greenlets.rs` (beside this file), then times
the same operations with gevent, and prints one Markdown table. gevent must be
importable: `tests/run` puts it in `target/jupyter-venv`, so from the
workspace root:

    target/jupyter-venv/bin/python prelude/benches/compare_greenlets.py [--quick]
"""
import argparse
import datetime
import os
import platform
import subprocess
import sys

import gevent

from benchlib import ROOT, best, criterion_medians, cpu_name, show

IDLE = 20_000

IDLE_GEVENT = """
import gevent
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1])
before = rss()
idle = [gevent.spawn(gevent.sleep, 3600) for _ in range(%d)]
gevent.sleep(0)
print((rss() - before) * 1024 // %d)
""" % (IDLE, IDLE)


def switches(n):
    def turns():
        for _ in range(n // 2):
            gevent.sleep(0)
    gevent.joinall([gevent.spawn(turns), gevent.spawn(turns)])


def spawn_join_10k():
    gevent.joinall([gevent.spawn(lambda i=i: i) for i in range(10_000)])


def bytes_per_idle_greenlet():
    """Resident bytes per idle greenlet at 20k, each side in a fresh process."""
    ours = subprocess.run(
        ["cargo", "run", "-q", "--release", "-p", "multitask", "--example", "idle_greenlets", "--", str(IDLE)],
        cwd=ROOT, check=True, capture_output=True, text=True,
    ).stdout
    theirs = subprocess.run([sys.executable, "-c", IDLE_GEVENT], check=True, capture_output=True, text=True).stdout
    return int(ours), int(theirs)


def gevent_seconds():
    n = 200_000
    return {
        "switch via sleep(0)": best(lambda: switches(n)) / n,
        "spawn + join 10k": best(spawn_join_10k),
    }


def rust_seconds(quick):
    return criterion_medians("greenlets", "greenlets", quick)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter criterion runs")
    rust = rust_seconds(parser.parse_args().quick)
    theirs = gevent_seconds()
    ours_bytes, their_bytes = bytes_per_idle_greenlet()
    print(
        f"Measured {datetime.date.today()} on {cpu_name()}, {len(os.sched_getaffinity(0))} cores, "
        f"CPython {platform.python_version()}, gevent {gevent.__version__}; "
        f"multitask: criterion median, gevent: best of 5.\n"
    )
    print("| operation | multitask | gevent | gevent ÷ multitask |")
    print("|---|---:|---:|---:|")
    for name in ["switch via sleep(0)", "spawn + join 10k"]:
        print(f"| {name} | {show(rust[name])} | {show(theirs[name])} | {theirs[name] / rust[name]:.1f}× |")
    print(f"| memory per idle greenlet at 20k | {ours_bytes / 1000:.2f} KB | {their_bytes / 1000:.2f} KB "
          f"| {their_bytes / ours_bytes:.1f}× |")
    print(f"| tokio `yield_now` (reference) | {show(rust['tokio yield_now'])} | | |")
    print(f"| tokio spawn + join 10k tasks (reference) | {show(rust['tokio spawn + join 10k'])} | | |")


if __name__ == "__main__":
    main()
