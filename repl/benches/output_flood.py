#!/usr/bin/env python3
"""100 MB of output through the kernel to jupyter_client: how long, how many messages, and
the kernel's memory afterwards.

Builds nothing: run `cargo build --release` first. The cell prints 1,000,000 lines of 100
bytes. Run once with the cap raised to 200 MB (everything arrives) and once with the default
cap (10 MB arrive, the rest is counted). Prints a Markdown table.

Usage: target/jupyter-venv/bin/python repl/benches/output_flood.py
"""
import datetime
import os
import tempfile
import time
from pathlib import Path

from kernels import kernel, kernelspec, rss_kb

CACHE = Path(tempfile.gettempdir()) / "multitask-bench" / "flood"
CELL = 'for n in 0..1_000_000u32 { println!("{n:099}"); }'


def flood(limit_mb):
    env = dict(os.environ, MULTITASK_CACHE=str(CACHE))
    if limit_mb:
        env["MULTITASK_OUTPUT_LIMIT_MB"] = str(limit_mb)
    with kernel(env) as (km, client):
        client.execute_interactive("1 + 1", timeout=600, output_hook=lambda msg: None)
        pid = km.provisioner.process.pid
        before = rss_kb(pid) / 1024
        messages = size = 0

        def count(msg):
            nonlocal messages, size
            if msg["msg_type"] == "stream":
                messages += 1
                size += len(msg["content"]["text"])

        started = time.monotonic()
        client.execute_interactive(CELL, timeout=600, output_hook=count)
        seconds = time.monotonic() - started
        time.sleep(1)
        return {"seconds": seconds, "messages": messages, "mb": size / 2**20,
                "rss_before": before, "rss_after": rss_kb(pid) / 1024}


def main():
    with kernelspec():
        rows = [("cap 200 MB", flood(200)), ("default cap (10 MB)", flood(None))]
    print(f"100 MB printed by one cell, {datetime.date.today()}, {os.cpu_count()} cores:\n")
    print("| run | seconds to idle | stream messages | MB received | kernel RSS before → after |")
    print("|---|---:|---:|---:|---|")
    for name, r in rows:
        print(f"| {name} | {r['seconds']:.1f} | {r['messages']:,} | {r['mb']:.1f} | "
              f"{r['rss_before']:.0f} MB → {r['rss_after']:.0f} MB |")


if __name__ == "__main__":
    main()
