#!/usr/bin/env python3
"""REPL latency and memory: multitask against stock evcxr, in one run.

Builds nothing: run `cargo build --release` first. For stock evcxr it runs the
real `evcxr` binary of evcxr_repl 0.22 when it finds one (`--evcxr PATH`, or
`evcxr` on PATH; `cargo install evcxr_repl --version 0.22.0 --locked` puts it
there), with no prelude and evcxr's own settings; without one it falls back to
`multitask --stock` (our patched evcxr, no prelude, evcxr's settings) and says
so. For each set-up, each with its own warmed build folder, it measures:

- prompt: start until the prompt shows (in a pseudo-terminal);
- start to first result: start, type `1 + 1` at once, until `2` is printed;
- start to first binding: start, type `let a = 1 + 1;` and `a` at once,
  until `2` is printed (a binding needs type inference, which warms up);
- trivial cells: `let x = 1;`, `x + 1`, a `fn`, a struct with a method call,
  repeated, median of all;
- the first cell that awaits (`async { 1 }.await`: async mode starts), and
  the same trivial cells again after it (each cell is now async);
- memory: resident size of the REPL and of evcxr's runtime process.

Prints one Markdown table for the README. Usage:
python3 repl/benches/latency.py [--rounds N] [--evcxr PATH]
"""
import argparse
import datetime
import os
import pty
import select
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "target" / "release" / "multitask"
CACHE = Path(tempfile.gettempdir()) / "multitask-bench"


EVCXR = None  # the stock evcxr binary, when found


def env_for(mode):
    env = dict(os.environ)
    env["MULTITASK_CACHE"] = str(CACHE / mode)
    env["XDG_DATA_HOME"] = str(CACHE / mode / "data")
    # Stock evcxr keeps its build folder here between runs (a warm cache).
    (CACHE / mode / "evcxr").mkdir(parents=True, exist_ok=True)
    env["EVCXR_TMPDIR"] = str(CACHE / mode / "evcxr")
    env.pop("RUST_BACKTRACE", None)
    return env


def args_for(mode):
    if mode == "stock":
        return [EVCXR] if EVCXR else [str(BIN), "--stock"]
    return [str(BIN)]


def prompt_time(mode):
    """Seconds from exec until the prompt is on a terminal."""
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(args_for(mode)[0], args_for(mode), env_for(mode))
    seen = b""
    try:
        while b">> " not in seen:
            ready, _, _ = select.select([fd], [], [], 120)
            if not ready:
                raise SystemExit(f"{mode}: no prompt within 120 s")
            seen += os.read(fd, 4096)
        return time.monotonic() - start
    finally:
        os.write(fd, b"\x04")  # Ctrl-D
        os.waitpid(pid, 0)
        os.close(fd)


class Piped:
    """The REPL with piped stdin/stdout; `:markN` (an unknown command, answered
    at once without compiling) marks the end of each cell's output."""

    def __init__(self, mode):
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            args_for(mode),
            env=env_for(mode),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        self.marks = 0

    def run(self, cell):
        """Seconds until the cell's output is complete."""
        self.marks += 1
        mark = f":mark{self.marks}"
        start = time.monotonic()
        self.proc.stdin.write(f"{cell}\n{mark}\n")
        self.proc.stdin.flush()
        while True:
            line = self.proc.stdout.readline()
            if not line:
                raise SystemExit(f"the REPL ended while running {cell!r}")
            if mark in line:
                return time.monotonic() - start

    def rss_mb(self):
        """Resident memory of the REPL and of its runtime child, in MB."""
        def rss(pid):
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
            return 0.0

        children = []
        for task in Path(f"/proc/{self.proc.pid}/task").iterdir():
            children += (task / "children").read_text().split()
        runtime = max((rss(int(c)) for c in children), default=0.0)
        return rss(self.proc.pid), runtime

    def close(self):
        self.proc.stdin.write(":quit\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=60)


def measure(mode, rounds):
    # A throwaway session warms this set-up's build folder.
    warm = Piped(mode)
    warm.run("1 + 1")
    warm.close()

    prompt = prompt_time(mode)
    binding = Piped(mode)
    binding.run("let a = 1 + 1;\na")
    first_let = time.monotonic() - binding.started  # start → first binding
    binding.close()
    repl = Piped(mode)
    repl.run("1 + 1")
    first = time.monotonic() - repl.started  # start → first result
    def trivial(tag):
        cells = []
        for r in range(rounds):
            r = f"{tag}{r}"
            cells.append(repl.run(f"let x{r} = 1;"))
            cells.append(repl.run(f"x{r} + 1"))
            cells.append(repl.run(f"fn double{r}(v: i32) -> i32 {{ v * 2 }}"))
            cells.append(repl.run(
                f"struct P{r} {{ a: i32 }} impl P{r} {{ fn get(&self) -> i32 {{ self.a }} }} "
                f"P{r} {{ a: double{r}(x{r}) }}.get()"
            ))
        return statistics.median(cells)

    median = trivial("a")
    repl_mb, runtime_mb = repl.rss_mb()
    first_await = repl.run("async { 1 }.await")
    median_async = trivial("b")
    repl.close()
    return {
        "prompt": prompt,
        "first": first,
        "first_let": first_let,
        "median": median,
        "first_await": first_await,
        "median_async": median_async,
        "repl_mb": repl_mb,
        "runtime_mb": runtime_mb,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the four trivial cells")
    parser.add_argument("--evcxr", help="stock evcxr_repl 0.22 binary (default: `evcxr` on PATH)")
    args = parser.parse_args()
    rounds = args.rounds
    global EVCXR
    EVCXR = args.evcxr or shutil.which("evcxr")
    if not BIN.is_file():
        sys.exit(f"{BIN} is missing: run `cargo build --release` first")

    ours, stock = measure("multitask", rounds), measure("stock", rounds)
    cpu = next(
        (l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
         if l.startswith("model name")),
        "unknown CPU",
    )
    print(f"Measured {datetime.date.today()} on {cpu}, {os.cpu_count()} cores; "
          f"{4 * rounds} trivial cells per set-up.\n")
    stock_name = "stock evcxr_repl 0.22" if EVCXR else "`multitask --stock` (no stock evcxr found)"
    print(f"| | multitask | {stock_name}, no prelude | ratio |")
    print("|---|---:|---:|---:|")
    rows = [
        ("prompt shows", "prompt", "s"),
        ("start → first result (warm cache)", "first", "s"),
        ("start → first binding (`let`, warm cache)", "first_let", "s"),
        ("median trivial cell", "median", "s"),
        ("first cell that awaits", "first_await", "s"),
        ("median trivial cell after an `.await`", "median_async", "s"),
        ("REPL memory (RSS)", "repl_mb", "MB"),
        ("runtime process memory (RSS)", "runtime_mb", "MB"),
    ]
    for label, key, unit in rows:
        a, b = ours[key], stock[key]
        fmt = "{:.2f} s" if unit == "s" else "{:.0f} MB"
        print(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {a / b:.2f}× |")
    print()
    for name, r in [("multitask", ours), (stock_name, stock)]:
        print(f"{name}: a trivial cell after an `.await` takes "
              f"{r['median_async'] / r['median']:.2f}× one before")


if __name__ == "__main__":
    main()
