#!/usr/bin/env python3
"""From a fresh clone to the first answer, as a new learner meets it.

Clones this repository (its HEAD) into a new folder, with an empty target
folder and an empty multitask cache, runs the README's first command
(`cargo run --release`) in a pseudo-terminal, and types what a learner types
first:

    let gen = jumping_range(5);
    gen.next()
    gen.send(2)

It times the build (until cargo says `Running`), the REPL's first start
(until its first prompt) and the first answers, and prints a Markdown table
with the machine and the date. Standard library only; cargo's registry
cache is used as it is (its downloads are not what this measures).

Usage: python3 repl/benches/first_answer.py [--keep] [--timeout SECONDS]
"""
import argparse
import datetime
import os
import platform
import pty
import select
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
# What rustyline prints when it starts reading a line: the prompt is ready.
READY = b"\x1b[?2004h"
TYPED = [
    ("let gen = jumping_range(5);", None),
    ("gen.next()", b"Ok(0)"),
    ("gen.send(2)", b"Ok(2)"),
]


class Pty:
    """A command in a pseudo-terminal, and everything it printed."""

    def __init__(self, command, cwd, env):
        self.pid, self.fd = pty.fork()
        if self.pid == 0:  # the child
            os.chdir(cwd)
            os.execvpe(command[0], command, env)
        self.seen = b""

    def wait_for(self, text, deadline, after=0):
        """Reads until `text` appears after offset `after`; its end offset."""
        while True:
            at = self.seen.find(text, after)
            if at >= 0:
                return at + len(text)
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"no {text!r} in time; last output:\n"
                                   + self.seen[-2000:].decode(errors="replace"))
            ready, _, _ = select.select([self.fd], [], [], min(left, 1.0))
            if ready:
                try:
                    chunk = os.read(self.fd, 65536)
                except OSError:
                    chunk = b""
                if not chunk:
                    raise EOFError("the command ended; last output:\n"
                                   + self.seen[-2000:].decode(errors="replace"))
                self.seen += chunk

    def type_line(self, line):
        os.write(self.fd, line.encode() + b"\r")

    def close(self):
        try:
            os.write(self.fd, b"\x04")  # Ctrl-D leaves the REPL
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                pid, _ = os.waitpid(self.pid, os.WNOHANG)
                if pid:
                    return
                time.sleep(0.1)
            os.kill(self.pid, signal.SIGKILL)
            os.waitpid(self.pid, 0)
        except (OSError, ChildProcessError):
            pass


def machine():
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, {platform.system()} {platform.release()}"


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the clone and its cache")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()

    root = Path(tempfile.mkdtemp(prefix="multitask-first-answer-"))
    clone, cache = root / "clone", root / "cache"
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CARGO_TARGET_DIR", "CARGO_BUILD_", "MULTITASK_", "RUSTFLAGS"))}
    # Cargo's colours would split `Running` from the path after it.
    env.update(MULTITASK_CACHE=str(cache), XDG_DATA_HOME=str(root / "data"), TERM="xterm",
               CARGO_TERM_COLOR="never")
    marks = {}
    started = time.monotonic()
    deadline = started + args.timeout
    try:
        subprocess.run(["git", "clone", "-q", str(REPO), str(clone)], check=True)
        marks["cloned"] = time.monotonic()
        repl = Pty(["cargo", "run", "--release"], clone, env)
        try:
            after = repl.wait_for(b"Running `", deadline)
            marks["built"] = time.monotonic()
            after = repl.wait_for(READY, deadline, after)
            marks["first prompt"] = time.monotonic()
            for line, answer in TYPED:
                repl.type_line(line)
                if answer:
                    after = repl.wait_for(answer, deadline, after)
                    marks[line] = time.monotonic()
                after = repl.wait_for(READY, deadline, after)
        finally:
            repl.close()
    finally:
        if args.keep:
            print(f"kept: {root}", file=sys.stderr)
        else:
            shutil.rmtree(root, ignore_errors=True)

    def since(mark):
        return marks[mark] - started

    total = since("gen.send(2)")
    print(f"Fresh clone → first answer ({machine()}, {datetime.date.today()}): "
          f"{total / 60:.1f} min\n")
    print("| step | at (from the clone's start) | took |")
    print("|---|---:|---:|")
    previous = 0.0
    for mark in marks:
        at = since(mark)
        print(f"| {mark} | {at:.1f} s | {at - previous:.1f} s |")
        previous = at


if __name__ == "__main__":
    main()
