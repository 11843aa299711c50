"""The class benchmark: what a learner of a class on one JupyterHub waits for,
and what each costs the machine. A benchmark, not a test: it prints figures
(the README's "A class on one JupyterHub" table) and asserts nothing.

    deploy/jupyterhub/setup PREFIX        # once, as root
    PREFIX/venv/bin/python deploy/jupyterhub/bench.py PREFIX [LEARNERS [THINK]]

One learner alone first, then LEARNERS (default 10) at once, each from a
first start (their build folders and notebooks removed before): the time
from asking the hub for the server to the first answer (`gen.send(2)`),
every cell of notebook 03 with its latency (p50 and p95, alone and all at
once), each learner's memory after the notebook (all its processes: the
server, the kernel, the runtime; resident, and proportional — shared pages
split among those who share them), and the disk its home holds beyond the
notebooks. Between cells each learner waits THINK seconds (default 0: every
learner runs cells back to back, the worst case; a learner reading the
notebook takes far longer). Prints a JSON line and a Markdown table.
"""

import asyncio
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import classroom  # noqa: E402

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "03-iterators-generators.ipynb"


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def learner(hub, name, cells, think):
    """One learner's session: start → first answer, then the notebook."""
    started = time.monotonic()
    await hub.start_server(name)
    server = time.monotonic() - started
    kernel = await hub.open_kernel(name)
    first = await kernel.execute("let gen = jumping_range(5); gen.next();\ngen.send(2)")
    assert first.status == "ok", first.text()
    first_answer = time.monotonic() - started
    latencies = []
    for cell in cells:
        await asyncio.sleep(think)
        latencies.append((await kernel.execute(cell.source)).seconds)
    pids = classroom.learner_processes(name)
    rss, pss = classroom.memory_bytes(pids), classroom.memory_bytes(pids, proportional=True)
    await kernel.close()
    return {"server": server, "first_answer": first_answer, "latencies": latencies,
            "rss": rss, "pss": pss}


async def main(prefix, count, think):
    cells = classroom.code_cells(NOTEBOOK)
    names = classroom.learner_names(count)
    async with classroom.Hub(prefix) as hub:
        homes = await hub.add_learners(names)
        alone = await learner(hub, names[0], cells, think)
        await hub.api("DELETE", f"/hub/api/users/{names[0]}/server")
        await hub.wait_stopped(names[0])
        homes = {name: classroom.ensure_system_user(name) for name in names}
        together = await asyncio.gather(*(learner(hub, name, cells, think) for name in names))
        disk = [classroom.disk_bytes(home) for home in homes.values()]
    every = [s for run in together for s in run["latencies"]]
    figures = {
        "learners": count,
        "think_s": think,
        "cells": len(cells),
        "alone_first_answer_s": round(alone["first_answer"], 2),
        "first_answer_s": {"median": round(statistics.median(r["first_answer"] for r in together), 2),
                           "max": round(max(r["first_answer"] for r in together), 2)},
        "server_ready_s_max": round(max(r["server"] for r in together), 2),
        "alone_p50_s": round(percentile(alone["latencies"], 50), 3),
        "alone_p95_s": round(percentile(alone["latencies"], 95), 3),
        "together_p50_s": round(percentile(every, 50), 3),
        "together_p95_s": round(percentile(every, 95), 3),
        "rss_mb": {"median": round(statistics.median(r["rss"] for r in together) / 2**20),
                   "max": round(max(r["rss"] for r in together) / 2**20)},
        "pss_mb": {"median": round(statistics.median(r["pss"] for r in together) / 2**20),
                   "max": round(max(r["pss"] for r in together) / 2**20)},
        "disk_mb": {"median": round(statistics.median(disk) / 2**20, 1),
                    "max": round(max(disk) / 2**20, 1)},
    }
    figures["p95_ratio"] = round(figures["together_p95_s"] / figures["alone_p95_s"], 2)
    print(json.dumps(figures))
    print(f"""
| {count} learners at once, notebook 03 ({len(cells)} cells, {think} s between cells) | measured | goal |
|---|---|---|
| server start → first answer, alone | {figures['alone_first_answer_s']} s | ≤ 10 s |
| server start → first answer, {count} at once (median / slowest) | {figures['first_answer_s']['median']} s / {figures['first_answer_s']['max']} s | ≤ 10 s |
| cell latency p95, alone → {count} at once | {figures['alone_p95_s']} s → {figures['together_p95_s']} s ({figures['p95_ratio']}×) | ≤ 3× |
| memory per learner, resident (proportional) | {figures['rss_mb']['median']} MB ({figures['pss_mb']['median']} MB) | ≤ 150 MB |
| disk per learner beyond the notebooks (median / most) | {figures['disk_mb']['median']} MB / {figures['disk_mb']['max']} MB | ≤ 20 MB |""")


if __name__ == "__main__":
    count = int(sys.argv[2]) if len(sys.argv) > 2 else 10
    think = float(sys.argv[3]) if len(sys.argv) > 3 else 0.0
    asyncio.run(main(sys.argv[1], count, think))
