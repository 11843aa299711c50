#!/usr/bin/env python3
"""REPL latency and memory: multitask against plain evcxr settings, in one run.

Builds nothing: run `cargo build --release` first. For each of the two set-ups
(multitask with its prelude and defaults; `--stock`: no prelude, evcxr's own
settings) it measures, each with its own warmed build folder:

- prompt: start until the prompt shows (in a pseudo-terminal);
- start to first result: start, type `1 + 1` at once, until `2` is printed;
- trivial cells: `let x = 1;`, `x + 1`, a `fn`, a struct with a method call,
  repeated, median of all;
- memory: resident size of the REPL and of evcxr's runtime process.

Prints one Markdown table for the README. Usage: python3 repl/benches/latency.py [--rounds N]
"""
import argparse
import datetime
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / "target" / "release" / "multitask"
CACHE = Path(tempfile.gettempdir()) / "multitask-bench"


def env_for(mode):
    env = dict(os.environ)
    env["MULTITASK_CACHE"] = str(CACHE / mode)
    env["XDG_DATA_HOME"] = str(CACHE / mode / "data")
    env.pop("RUST_BACKTRACE", None)
    return env


def args_for(mode):
    return [str(BIN)] + (["--stock"] if mode == "stock" else [])


def prompt_time(mode):
    """Seconds from exec until the prompt is on a terminal."""
    start = time.monotonic()
    pid, fd = pty.fork()
    if pid == 0:
        os.execve(str(BIN), args_for(mode), env_for(mode))
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
    repl = Piped(mode)
    repl.run("1 + 1")
    first = time.monotonic() - repl.started  # start → first result
    cells = []
    for r in range(rounds):
        cells.append(repl.run(f"let x{r} = 1;"))
        cells.append(repl.run(f"x{r} + 1"))
        cells.append(repl.run(f"fn double{r}(v: i32) -> i32 {{ v * 2 }}"))
        cells.append(repl.run(
            f"struct P{r} {{ a: i32 }} impl P{r} {{ fn get(&self) -> i32 {{ self.a }} }} "
            f"P{r} {{ a: double{r}(x{r}) }}.get()"
        ))
    repl_mb, runtime_mb = repl.rss_mb()
    repl.close()
    return {
        "prompt": prompt,
        "first": first,
        "median": statistics.median(cells),
        "repl_mb": repl_mb,
        "runtime_mb": runtime_mb,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5, help="rounds of the four trivial cells")
    rounds = parser.parse_args().rounds
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
    print("| | multitask | plain evcxr settings, no prelude | ratio |")
    print("|---|---:|---:|---:|")
    rows = [
        ("prompt shows", "prompt", "s"),
        ("start → first result (warm cache)", "first", "s"),
        ("median trivial cell", "median", "s"),
        ("REPL memory (RSS)", "repl_mb", "MB"),
        ("runtime process memory (RSS)", "runtime_mb", "MB"),
    ]
    for label, key, unit in rows:
        a, b = ours[key], stock[key]
        fmt = "{:.2f} s" if unit == "s" else "{:.0f} MB"
        print(f"| {label} | {fmt.format(a)} | {fmt.format(b)} | {a / b:.2f}× |")


if __name__ == "__main__":
    main()
