#!/usr/bin/env python3
"""asyncio: multitask against CPython, measured in one run.

Runs the criterion benches in `asyncio.rs` (beside this file), then times the
same operations with CPython's asyncio, and prints one Markdown table. From
the workspace root:

    python3 prelude/benches/compare_asyncio.py [--quick]
"""
import argparse
import asyncio
import datetime
import os
import platform

from benchlib import best, cpu_name, criterion_medians, show


async def switches(n):
    async def turns():
        for _ in range(n // 2):
            await asyncio.sleep(0)

    await asyncio.gather(asyncio.create_task(turns()), asyncio.create_task(turns()))


async def spawn_join_10k():
    async def value(i):
        return i

    tasks = [asyncio.create_task(value(i)) for i in range(10_000)]
    for t in tasks:
        await t


def cpython_seconds():
    n = 200_000
    return {
        "switch via sleep(0)": best(lambda: asyncio.run(switches(n))) / n,
        "spawn + join 10k": best(lambda: asyncio.run(spawn_join_10k())),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter criterion runs")
    rust = criterion_medians("asyncio", "asyncio", parser.parse_args().quick)
    theirs = cpython_seconds()
    print(
        f"Measured {datetime.date.today()} on {cpu_name()}, {len(os.sched_getaffinity(0))} cores, "
        f"CPython {platform.python_version()}; multitask: criterion median, CPython: best of 5.\n"
    )
    print("| operation | multitask | CPython asyncio | CPython ÷ multitask |")
    print("|---|---:|---:|---:|")
    for name in ["switch via sleep(0)", "spawn + join 10k"]:
        print(f"| {name} | {show(rust[name])} | {show(theirs[name])} | {theirs[name] / rust[name]:.1f}× |")


if __name__ == "__main__":
    main()
