#!/usr/bin/env python3
"""400 cells in one kernel: how a cell's time, the runtime's and the kernel's memory and the
build folder grow as a session gets long (issue 34).

Builds nothing: run `cargo build --release` first. Each cell binds a new variable and uses
the one before (`let v{n} = v{n-1} + 1;`), as a long notebook does; every 10th cell also
defines a function. Prints, for cells 1–10, 191–200 and 391–400, the median cell time seen by
jupyter_client, then the runtime's and the kernel's resident size and the build folder's size
after cell 10 and after cell 400, and the growth per cell.

Usage: target/jupyter-venv/bin/python repl/benches/long_session.py [CELLS]
"""
import datetime
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kernels import kernel, kernelspec, rss_kb

CACHE = Path(tempfile.gettempdir()) / "multitask-bench" / "long"


def runtime_of(kernel_pid):
    """The runtime: the kernel's child that runs the cells."""
    children = Path(f"/proc/{kernel_pid}/task/{kernel_pid}/children").read_text().split()
    for child in children:
        environ = Path(f"/proc/{child}/environ").read_bytes()
        if b"EVCXR_IS_RUNTIME=" in environ:
            return int(child)
    raise RuntimeError("no runtime")


def folder_kb(path):
    out = subprocess.run(["du", "-sk", str(path)], capture_output=True, text=True).stdout
    return int(out.split()[0]) if out else 0


def cell(n):
    code = f"let v{n} = v{n - 1} + 1;" if n > 1 else "let v1 = 1u64;"
    if n % 10 == 0:
        code += f"\nfn f{n}(x: u64) -> u64 {{ x + {n} }}"
    return code


def main():
    cells = int(sys.argv[1]) if len(sys.argv) > 1 else 400
    if cells < 20:
        sys.exit("long_session.py: at least 20 cells (three windows of ten are compared)")
    env = dict(os.environ, MULTITASK_CACHE=str(CACHE))
    times = []
    marks = {}
    with kernelspec(), kernel(env) as (km, client):
        client.execute_interactive("1 + 1", timeout=600, output_hook=lambda msg: None)
        kernel_pid = km.provisioner.process.pid
        for n in range(1, cells + 1):
            started = time.monotonic()
            reply = client.execute_interactive(cell(n), timeout=600,
                                               output_hook=lambda msg: None)
            times.append(time.monotonic() - started)
            if reply["content"]["status"] != "ok":
                raise RuntimeError(f"cell {n}: {reply['content']}")
            if n in (10, cells):
                runtime = runtime_of(kernel_pid)
                build = CACHE / "build"
                marks[n] = {"runtime": rss_kb(runtime), "kernel": rss_kb(kernel_pid),
                            "folder": folder_kb(build)}
        check = client.execute_interactive(f"v{cells}", timeout=600,
                                           output_hook=lambda msg: None)
        assert check["content"]["status"] == "ok"
    windows = [(1, 10), (cells // 2 - 9, cells // 2), (cells - 9, cells)]
    print(f"{cells} cells in one kernel, {datetime.date.today()}, {os.cpu_count()} cores:\n")
    print("| cells | median seconds a cell |")
    print("|---|---:|")
    for first, last in windows:
        print(f"| {first}–{last} | {statistics.median(times[first - 1:last]):.3f} |")
    first, last = marks[10], marks[cells]
    span = cells - 10
    print("\n| after cell | runtime RSS | kernel RSS | build folder |")
    print("|---|---:|---:|---:|")
    for n in (10, cells):
        m = marks[n]
        print(f"| {n} | {m['runtime'] / 1024:.1f} MB | {m['kernel'] / 1024:.1f} MB | "
              f"{m['folder'] / 1024:.1f} MB |")
    print(f"| growth a cell | {(last['runtime'] - first['runtime']) / span:.1f} KB | "
          f"{(last['kernel'] - first['kernel']) / span:.1f} KB | "
          f"{(last['folder'] - first['folder']) / span:.1f} KB |")


if __name__ == "__main__":
    main()
