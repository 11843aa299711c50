#!/usr/bin/env python3
"""Tab latency in the Jupyter kernel: the first completion of a session and later ones.

Builds nothing: run `cargo build --release` first. For each of `--sessions`
kernels (on one warmed build folder), after `let gen = jumping_range(5);` it
sends the complete requests JupyterLab sends for a Tab at the end of each of
`gen.se`, `Thread::ne` and `jumping_ra`, and times each reply. The default
build answers each from the prelude's source; a build with rust-analyzer
(`MULTITASK_BIN=target/release/multitask-analyzer`, which `tests/run`
builds) answers the first at once and warms rust-analyzer, so the second
waits for the rest of its first analysis. Prints a Markdown table.

Usage: [MULTITASK_BIN=…] target/jupyter-venv/bin/python repl/benches/completion.py [--sessions N]
"""
import argparse
import datetime
import os
import statistics
import tempfile
import time
from pathlib import Path

from kernels import BIN, kernel, kernelspec

CACHE = Path(tempfile.gettempdir()) / "multitask-bench" / "completion"
TABS = ["gen.se", "Thread::ne", "jumping_ra"]


def session(env):
    """The seconds each of TABS took in a fresh kernel, and what they found."""
    with kernel(env) as (_, client):
        reply = client.execute_interactive("let gen = jumping_range(5);", timeout=600,
                                           output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        timed = []
        for code in TABS:
            started = time.monotonic()
            msg_id = client.complete(code, len(code))
            while True:
                reply = client.get_shell_msg(timeout=600)
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
            timed.append((time.monotonic() - started, reply["content"]["matches"]))
        return timed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=3)
    args = parser.parse_args()
    with kernelspec():
        env = dict(os.environ, MULTITASK_CACHE=str(CACHE))
        session(env)  # builds the prelude into the folder once
        runs = [session(env) for _ in range(args.sessions)]
    print(f"Tab in the kernel ({BIN.name}), {datetime.date.today()}, {os.cpu_count()} cores, "
          f"median of {args.sessions} sessions:\n")
    print("| Tab after | seconds | matches (first run) |")
    print("|---|---|---|")
    for i, code in enumerate(TABS):
        seconds = statistics.median(run[i][0] for run in runs)
        found = runs[0][i][1]
        shown = ", ".join(found[:4]) + (" …" if len(found) > 4 else "")
        print(f"| `{code}` | {seconds:.2f} | {len(found)}: {shown} |")


if __name__ == "__main__":
    main()
