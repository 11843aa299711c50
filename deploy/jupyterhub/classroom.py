"""A class on a real JupyterHub, on loopback: the hub that
`deploy/jupyterhub/start` runs, learners who are system users, their servers
started through the hub's REST API, and kernels reached through the hub's
proxy over jupyter_server's kernel websocket — as a learner's JupyterLab
reaches them. Used by the class test (tests/py/hub_class.py) and the
benchmark (deploy/jupyterhub/bench.py); needs root (it adds system users)
and the hub's venv (tornado).
"""

import asyncio
import datetime
import json
import os
import pwd
import secrets
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

HERE = Path(__file__).resolve().parent
GROUP = "multitask-learners"
KERNEL = "multitask"


def learner_names(count):
    return [f"mtlearner{n:02}" for n in range(1, count + 1)]


def ensure_system_user(name):
    """A system user in the class's group, with a home; what a first start
    leaves in it (the build folder, the copied notebooks) removed, so that
    this start is a first one."""
    try:
        pwd.getpwnam(name)
    except KeyError:
        subprocess.run(["useradd", "-m", "-G", GROUP, "-s", "/bin/bash", name], check=True)
    home = Path(pwd.getpwnam(name).pw_dir)
    for left in (".cache/multitask", ".cargo", "multitask-notebooks", ".local/share/multitask"):
        shutil.rmtree(home / left, ignore_errors=True)
    return home


class Hub:
    """`async with Hub(prefix) as hub:` runs the hub until the block ends,
    then stops every server it started, and the hub with its proxy."""

    def __init__(self, prefix, port=18000, memory="2G", cpus=1.0, log=None):
        self.prefix = Path(prefix).resolve()
        self.url = f"http://127.0.0.1:{port}"
        self.ports = f"{port + 81},{port + 1}"
        self.memory, self.cpus = memory, cpus
        self.token = secrets.token_hex(16)
        self.log_path = Path(log or self.prefix / "state" / "hub.log")
        self.http = AsyncHTTPClient()
        self.started = []

    async def __aenter__(self):
        subprocess.run(["groupadd", "-f", GROUP], check=True)
        env = dict(
            os.environ,
            MULTITASK_HUB_URL=self.url,
            MULTITASK_HUB_PORTS=self.ports,
            MULTITASK_HUB_MEMORY=str(self.memory),
            MULTITASK_HUB_CPUS=str(self.cpus),
            MULTITASK_HUB_API_TOKEN=self.token,
        )
        self.log = open(self.log_path, "w")
        self.process = subprocess.Popen(
            [str(HERE / "start"), str(self.prefix)],
            env=env, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f"the hub exited ({self.process.returncode}): see {self.log_path}")
            try:
                await self.api("GET", "/hub/api/")
                return self
            except Exception:
                if time.monotonic() > deadline:
                    raise
                await asyncio.sleep(0.5)

    async def __aexit__(self, *exc):
        for name in self.started:
            try:
                await self.api("DELETE", f"/hub/api/users/{name}/server")
            except Exception:
                pass
        for name in self.started:
            await self.wait_stopped(name)
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        self.log.close()

    async def request(self, method, path, body=None, timeout=120):
        request = HTTPRequest(
            self.url + path, method=method,
            headers={"Authorization": f"token {self.token}"},
            body=None if body is None and method in ("GET", "DELETE") else json.dumps(body or {}),
            allow_nonstandard_methods=True, request_timeout=timeout,
        )
        return await self.http.fetch(request, raise_error=False)

    async def api(self, method, path, body=None):
        response = await self.request(method, path, body)
        if response.code >= 400:
            raise RuntimeError(f"{method} {path}: {response.code} {response.body[:300]!r}")
        return json.loads(response.body) if response.body else None

    async def add_learners(self, names):
        homes = {name: ensure_system_user(name) for name in names}
        existing = {u["name"] for u in await self.api("GET", "/hub/api/users")}
        new = [n for n in names if n not in existing]
        if new:
            await self.api("POST", "/hub/api/users", {"usernames": new})
        return homes

    async def start_server(self, name, timeout=240):
        """Starts the learner's server; returns once the hub says it is ready."""
        response = await self.request("POST", f"/hub/api/users/{name}/server")
        if response.code not in (201, 202, 400):
            raise RuntimeError(f"starting {name}'s server: {response.code} {response.body!r}")
        self.started.append(name)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = await self.api("GET", f"/hub/api/users/{name}")
            server = user.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            await asyncio.sleep(0.25)
        raise TimeoutError(f"{name}'s server was not ready in {timeout} s: see {self.log_path}")

    async def wait_stopped(self, name, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            user = await self.api("GET", f"/hub/api/users/{name}")
            if not user.get("servers"):
                return
            await asyncio.sleep(0.25)

    async def open_kernel(self, name):
        """A multitask kernel in the learner's server, with its websocket open."""
        model = await self.api("POST", f"/user/{name}/api/kernels", {"name": KERNEL})
        kernel = Kernel(self, name, model["id"])
        await kernel.connect()
        return kernel


class Cell:
    """What became of one executed cell: its reply's status, its outputs as
    nbformat writes them, and how long from request to reply and idle."""

    def __init__(self, status, outputs, seconds):
        self.status, self.outputs, self.seconds = status, outputs, seconds

    def text(self):
        parts = []
        for out in self.outputs:
            if out["output_type"] == "stream":
                parts.append(out["text"])
            elif out["output_type"] == "error":
                parts.append(f"{out['ename']}: {out['evalue']}")
            else:
                parts.append(out["data"].get("text/plain", ""))
        return "".join(parts)


class Kernel:
    def __init__(self, hub, learner, kernel_id):
        self.hub, self.learner, self.id = hub, learner, kernel_id
        self.session = uuid.uuid4().hex
        self.path = f"/user/{learner}/api/kernels/{kernel_id}"

    async def connect(self):
        ws_url = self.hub.url.replace("http", "ws", 1) + self.path + f"/channels?session_id={self.session}"
        request = HTTPRequest(ws_url, headers={"Authorization": f"token {self.hub.token}"},
                              request_timeout=120)
        self.ws = await websocket_connect(request, max_message_size=256 << 20)

    def message(self, msg_type, content, channel="shell"):
        msg_id = uuid.uuid4().hex
        return msg_id, {
            "header": {
                "msg_id": msg_id, "msg_type": msg_type, "session": self.session,
                "username": self.learner, "version": "5.3",
                "date": datetime.datetime.now(datetime.timezone.utc).isoformat(),
            },
            "parent_header": {}, "metadata": {}, "content": content, "channel": channel,
            "buffers": [],
        }

    async def execute(self, code, timeout=600):
        """Runs one cell; its outputs and reply as a `Cell`."""
        msg_id, msg = self.message("execute_request", {
            "code": code, "silent": False, "store_history": True,
            "user_expressions": {}, "allow_stdin": False, "stop_on_error": True,
        })
        started = time.monotonic()
        await self.ws.write_message(json.dumps(msg))
        outputs, status, idle = [], None, False
        deadline = started + timeout
        while status is None or not idle:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.learner}: no answer in {timeout} s to {code[:60]!r}")
            raw = await asyncio.wait_for(self.ws.read_message(), left)
            if raw is None:
                raise ConnectionError(f"{self.learner}'s kernel websocket closed")
            reply = json.loads(raw)
            if reply.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            kind, content = reply["header"]["msg_type"], reply["content"]
            if kind == "execute_reply":
                status = content["status"]
            elif kind == "status" and content["execution_state"] == "idle":
                idle = True
            elif kind == "stream":
                outputs.append({"output_type": "stream", "name": content["name"], "text": content["text"]})
            elif kind in ("execute_result", "display_data"):
                outputs.append({"output_type": kind, "data": content["data"]})
            elif kind == "error":
                outputs.append({"output_type": "error", "ename": content["ename"],
                                "evalue": content["evalue"]})
        return Cell(status, outputs, time.monotonic() - started)

    async def interrupt(self):
        await self.hub.api("POST", self.path + "/interrupt")

    async def close(self):
        self.ws.close()
        await self.hub.request("DELETE", self.path)


def code_cells(notebook):
    """The notebook's code cells, their sources and stored outputs as text."""
    import nbformat

    return [c for c in nbformat.read(str(notebook), as_version=4).cells if c.cell_type == "code"]


def learner_processes(name):
    """The pids of the processes that run as the learner."""
    uid = pwd.getpwnam(name).pw_uid
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    found.append(int(entry.name))
            except FileNotFoundError:
                pass
    return found


def memory_bytes(pids, proportional=False):
    """What the processes hold in memory: resident (`VmRSS`), or
    proportional (`Pss`: pages shared with other processes split among
    them)."""
    file, field = ("smaps_rollup", "Pss:") if proportional else ("status", "VmRSS:")
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/{file}").read_text().splitlines():
                if line.startswith(field):
                    total += int(line.split()[1]) * 1024
        except FileNotFoundError:
            pass
    return total


def disk_bytes(home, leave_out=("multitask-notebooks",)):
    """What the learner's home holds beyond their notebooks (symbolic links
    counted as links, not what they point at)."""
    total = 0
    for folder, dirs, files in os.walk(home):
        if Path(folder) == Path(home):
            dirs[:] = [d for d in dirs if d not in leave_out]
        for name in files:
            try:
                total += os.lstat(os.path.join(folder, name)).st_blocks * 512
            except FileNotFoundError:
                pass
    return total
