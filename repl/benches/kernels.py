"""What the kernel benchmarks share: the kernelspec of the built binary, and a kernel
started from it as Jupyter starts one.

Builds nothing: run `cargo build --release` first.
"""
import contextlib
import os
import subprocess
import tempfile
from pathlib import Path

from jupyter_client.manager import KernelManager

ROOT = Path(__file__).resolve().parents[2]
# MULTITASK_BIN names another build (`target/release/multitask-analyzer`).
BIN = Path(os.environ.get("MULTITASK_BIN", ROOT / "target" / "release" / "multitask"))


def rss_kb(pid):
    """The resident size of process `pid`, in KB (0 once it is gone)."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except FileNotFoundError:
        pass
    return 0


@contextlib.contextmanager
def kernelspec():
    """The `multitask` kernelspec installed into a temporary prefix, found through
    JUPYTER_PATH as a user's Jupyter would find it, for as long as this lasts."""
    with tempfile.TemporaryDirectory() as prefix:
        subprocess.run([str(BIN), "kernel", "install", "--prefix", prefix],
                       check=True, capture_output=True)
        os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
        yield


@contextlib.contextmanager
def kernel(env):
    """A kernel started with `env`, ready: its manager and client."""
    km = KernelManager(kernel_name="multitask")
    km.start_kernel(env=env)
    client = km.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=600)
        yield km, client
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=False)
