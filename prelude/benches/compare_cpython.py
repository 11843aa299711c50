#!/usr/bin/env python3
"""Generator costs, multitask against CPython, measured in one run.

Runs the criterion benches in `generator.rs` (beside this file), then times
the same operations in this CPython with `timeit`, and prints one Markdown
table with the ratios. Usage, from anywhere in the workspace:

    python3 prelude/benches/compare_cpython.py           # full criterion run
    python3 prelude/benches/compare_cpython.py --quick   # shorter, noisier

The performance page's (docs/performance.md) CPython table is this script's output.
"""
import argparse
import datetime
import json
import platform
import subprocess
import sys
import timeit
from pathlib import Path

from benchlib import cpu_name

ROOT = Path(__file__).resolve().parents[2]


def counter():
    n = 0
    while True:
        yield n
        n += 1


def jumper():
    index = 0
    while True:
        jump = yield index
        index += 1 if jump is None else jump


def delegator():
    yield from counter()


# (criterion bench id, CPython statement, setup, what it measures)
CASES = [
    ("send round trip", "g.send(1)", "g = jumper(); next(g)", "`send` round trip"),
    ("next per item", "next(g)", "g = counter()", "`next` per item"),
    (
        "create + first resume + close",
        "g = counter(); next(g); g.close()",
        "",
        "create + first resume + close",
    ),
    ("yield_from per item", "next(g)", "g = delegator()", "`yield from` per item"),
]


def cpython_ns(stmt, setup):
    """Best per-call time of `stmt` in nanoseconds (timeit's own advice: take the minimum)."""
    timer = timeit.Timer(stmt, setup, globals=globals())
    number, _ = timer.autorange()
    return min(timer.repeat(repeat=7, number=number)) / number * 1e9


def rust_ns(quick):
    """Runs the criterion benches and reads each one's median, in nanoseconds."""
    args = ["cargo", "bench", "-p", "multitask", "--bench", "generator", "--"]
    if quick:
        args += ["--warm-up-time", "1", "--measurement-time", "2"]
    subprocess.run(args, cwd=ROOT, check=True, stdout=sys.stderr)
    medians = {}
    for bench_id, *_ in CASES + [("raw corosensei round trip",)]:
        estimates = ROOT / "target" / "criterion" / bench_id / "new" / "estimates.json"
        medians[bench_id] = json.loads(estimates.read_text())["median"]["point_estimate"]
    return medians


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="shorter criterion runs")
    quick = parser.parse_args().quick

    rust = rust_ns(quick)
    print(
        f"Measured {datetime.date.today()} on {cpu_name()}, "
        f"{len(__import__('os').sched_getaffinity(0))} cores, "
        f"CPython {platform.python_version()}; multitask: criterion median, "
        f"CPython: best of 7 `timeit` runs.\n"
    )
    print("| operation | multitask | CPython | CPython ÷ multitask |")
    print("|---|---:|---:|---:|")
    for bench_id, stmt, setup, label in CASES:
        ours, theirs = rust[bench_id], cpython_ns(stmt, setup)
        print(f"| {label} | {ours:.1f} ns | {theirs:.1f} ns | {theirs / ours:.1f}× |")
    raw, plain = rust["raw corosensei round trip"], rust["next per item"]
    print(
        f"\nFor scale: a bare corosensei resume round trip takes {raw:.1f} ns here; "
        f"`yield_from` per item is {rust['yield_from per item'] / plain:.1f}× a plain `next`."
    )


if __name__ == "__main__":
    main()
