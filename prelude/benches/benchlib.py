"""What the compare_*.py scripts beside this file share: running a criterion
bench and reading its medians, naming the CPU, printing a duration."""
import json
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def criterion_medians(bench, group, quick):
    """Runs `cargo bench --bench BENCH`; the median of each benchmark of
    `group`, by its function id, in seconds."""
    args = ["cargo", "bench", "-p", "multitask", "--bench", bench, "--"]
    if quick:
        args += ["--warm-up-time", "1", "--measurement-time", "3"]
    subprocess.run(args, cwd=ROOT, check=True, stdout=sys.stderr)
    medians = {}
    for folder in (ROOT / "target" / "criterion" / group).iterdir():
        estimates = folder / "new" / "estimates.json"
        if estimates.exists():
            name = json.loads((folder / "new" / "benchmark.json").read_text())["function_id"]
            medians[name] = json.loads(estimates.read_text())["median"]["point_estimate"] / 1e9
    return medians


def best(fn, repeat=5):
    """Best time of `repeat` calls of `fn`, in seconds (the minimum, as timeit advises)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def cpu_name():
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def show(seconds):
    """A duration with a readable unit: `2.38 ms`."""
    for unit, scale in [("s", 1), ("ms", 1e-3), ("µs", 1e-6), ("ns", 1e-9)]:
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"
