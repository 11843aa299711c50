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

import gevent

from benchlib import best, criterion_medians, cpu_name, show



def switches(n):
    def turns():
        for _ in range(n // 2):
            gevent.sleep(0)
    gevent.joinall([gevent.spawn(turns), gevent.spawn(turns)])


def spawn_join_10k():
    gevent.joinall([gevent.spawn(lambda i=i: i) for i in range(10_000)])


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
    print(
        f"Measured {datetime.date.today()} on {cpu_name()}, {len(os.sched_getaffinity(0))} cores, "
        f"CPython {platform.python_version()}, gevent {gevent.__version__}; "
        f"multitask: criterion median, gevent: best of 5.\n"
    )
    print("| operation | multitask | gevent | gevent ÷ multitask |")
    print("|---|---:|---:|---:|")
    for name in ["switch via sleep(0)", "spawn + join 10k"]:
        print(f"| {name} | {show(rust[name])} | {show(theirs[name])} | {theirs[name] / rust[name]:.1f}× |")


if __name__ == "__main__":
    main()
