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
- memory: resident size of the REPL and of evcxr's runtime process;
- a session's first `let` + use (`let g = vec![0i64; 5];` then `g.len()`),
  sent once the session has answered its first cell, against the same pair
  later in the session;
- a second session started while one runs, on a build folder never built
  in: its time to first result against the first session's (multitask only:
  stock evcxr has one build folder, which two sessions would share).

With jupyter_client importable (the test venv has it), the same for the
Jupyter kernel: start → first result, first `let` + use, a second kernel's
start, idle memory of the kernel and its runtime.

Prints Markdown tables for docs/performance.md. Usage:
target/jupyter-venv/bin/python repl/benches/latency.py [--rounds N] [--evcxr PATH]
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


def rss_mb(pid):
    """Resident memory of process `pid` and of its largest child (evcxr's
    runtime), in MB."""
    def one(pid):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0

    children = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        children += (task / "children").read_text().split()
    return one(pid), max((one(int(c)) for c in children), default=0.0)


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
        return rss_mb(self.proc.pid)

    def close(self):
        self.proc.stdin.write(":quit\n")
        self.proc.stdin.flush()
        self.proc.wait(timeout=60)


FIRST_PAIR = ["let g{n} = vec![0i64; 5];", "g{n}.len()"]


def pair(session, n):
    """Seconds for the `let` + use pair, numbered `n`."""
    return sum(session.run(cell.format(n=n)) for cell in FIRST_PAIR)


def second_session(mode):
    """Start → first result of a session started while another runs, on a
    build folder never built in (removed first)."""
    for n in range(1, 16):
        shutil.rmtree(CACHE / mode / f"build-{n}", ignore_errors=True)
    first = Piped(mode)
    first.run("1 + 1")
    second = Piped(mode)
    second.run("1 + 1")
    took = time.monotonic() - second.started
    second.close()
    first.close()
    return took


def measure(mode, rounds):
    # A throwaway session warms this set-up's build folder.
    warm = Piped(mode)
    warm.run("1 + 1")
    warm.close()

    fresh = Piped(mode)
    fresh.run("1 + 1")
    first_pair = pair(fresh, 0)
    later_pair = statistics.median(pair(fresh, n) for n in range(1, 6))
    idle_mb = fresh.rss_mb()[0]
    fresh.close()

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
        "first_pair": first_pair,
        "later_pair": later_pair,
        "idle_mb": idle_mb,
        "second": second_session(mode) if mode == "multitask" else None,
        "prompt": prompt,
        "first": first,
        "first_let": first_let,
        "median": median,
        "first_await": first_await,
        "median_async": median_async,
        "repl_mb": repl_mb,
        "runtime_mb": runtime_mb,
    }


def measure_kernel():
    """The kernel, driven by jupyter_client as Jupyter drives it."""
    import tempfile as tmp
    from jupyter_client.manager import KernelManager

    def execute(client, code):
        start = time.monotonic()
        reply = client.execute_interactive(code, timeout=600, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok", (code, reply["content"])
        return time.monotonic() - start

    def start(env):
        km = KernelManager(kernel_name="multitask")
        started = time.monotonic()
        km.start_kernel(env=env)
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=600)
        execute(client, "1 + 1")
        return km, client, time.monotonic() - started

    with tmp.TemporaryDirectory() as prefix:
        subprocess.run([str(BIN), "kernel", "install", "--prefix", prefix],
                       check=True, capture_output=True)
        os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
        env = env_for("multitask")
        km, client, _ = start(env)  # warms the build folder
        km.shutdown_kernel(now=False)
        km, client, first = start(env)
        first_pair = sum(execute(client, c.format(n=0)) for c in FIRST_PAIR)
        later_pair = statistics.median(
            sum(execute(client, c.format(n=n)) for c in FIRST_PAIR) for n in range(1, 6))
        time.sleep(2)
        kernel_mb, runtime_mb = rss_mb(km.provisioner.process.pid)
        for n in range(1, 16):
            shutil.rmtree(CACHE / "multitask" / f"build-{n}", ignore_errors=True)
        km2, client2, second = start(env)
        km2.shutdown_kernel(now=False)
        km.shutdown_kernel(now=False)
    return {"first": first, "first_pair": first_pair, "later_pair": later_pair,
            "second": second, "kernel_mb": kernel_mb, "runtime_mb": runtime_mb}


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

    print("\nThe first minute (issue 12), the REPL:\n")
    print(f"| | multitask | {stock_name}, no prelude |")
    print("|---|---:|---:|")
    for name, key in [("first `let` + use of a session", "first_pair"),
                      ("the same pair later (median of 5)", "later_pair")]:
        print(f"| {name} | {ours[key]:.2f} s | {stock[key]:.2f} s |")
    print(f"| first ÷ later | {ours['first_pair'] / ours['later_pair']:.2f}× | "
          f"{stock['first_pair'] / stock['later_pair']:.2f}× |")
    print(f"| second session: start → first result (first: {ours['first']:.2f} s) | "
          f"{ours['second']:.2f} s ({ours['second'] / ours['first']:.2f}×) | — |")
    print(f"| idle REPL memory (RSS) | {ours['idle_mb']:.0f} MB | {stock['idle_mb']:.0f} MB |")
    try:
        import jupyter_client  # noqa: F401
    except ImportError:
        print("\n(no jupyter_client here: run with target/jupyter-venv/bin/python for the kernel)")
        return
    k = measure_kernel()
    print("\nThe kernel (jupyter_client):\n")
    print("| | multitask kernel |")
    print("|---|---:|")
    print(f"| start → first result | {k['first']:.2f} s |")
    print(f"| first `let` + use of a session | {k['first_pair']:.2f} s |")
    print(f"| the same pair later (median of 5) | {k['later_pair']:.2f} s |")
    print(f"| first ÷ later | {k['first_pair'] / k['later_pair']:.2f}× |")
    print(f"| second kernel: start → first result | {k['second']:.2f} s "
          f"({k['second'] / k['first']:.2f}×) |")
    print(f"| idle kernel memory (RSS) | {k['kernel_mb']:.0f} MB "
          f"(+ runtime {k['runtime_mb']:.0f} MB) |")


if __name__ == "__main__":
    main()
