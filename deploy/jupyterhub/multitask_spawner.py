"""The spawner of a multitask class: JupyterHub's LocalProcessSpawner (each
learner's server runs as that learner's own system user) with two things
added.

- Limits. Each learner's server, and everything it starts (kernels, cargo,
  rustc, the processes and threads a cell starts), runs in a cgroup of its
  own: memory (a hog is killed by the kernel's OOM killer inside that group,
  and the kernel tells the learner what was lost), CPU time (a `loop {}` in
  eight threads gets at most `cpu_limit` cores; the learners share the rest
  fairly), and a number of tasks (a fork bomb stops there). So one learner's
  runaway cell does not stop the others. When the server stops, whatever is
  left in the group is killed: nothing outlives the learner's server.
- Notebooks. A learner's first start copies the course's notebooks into
  `~/multitask-notebooks` (never over the learner's own); the exercises'
  progress is kept in the learner's home by the workbench itself.

cgroup v1 (a hierarchy per controller) is what the test machine has and
what `tests/py/hub_class.py` checks; cgroup v2 (one unified tree, as on
current systemd distributions) follows the kernel's documented interface
and has not been run here (deploy/README.md says so).
"""

import os
import pwd
import shutil
import signal
import time
from pathlib import Path

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Integer, Unicode

CGROUP_ROOT = Path("/sys/fs/cgroup")
V1_CONTROLLERS = ("memory", "cpu", "pids")
CPU_PERIOD_US = 100_000


def own_cgroup(controller):
    """The hub's own cgroup path (relative to a hierarchy's root) for a v1
    controller, or for the v2 tree when `controller` is None."""
    for line in Path("/proc/self/cgroup").read_text().splitlines():
        number, controllers, path = line.split(":", 2)
        if controller is None and number == "0":
            return path.lstrip("/")
        if controller is not None and controller in controllers.split(","):
            return path.lstrip("/")
    return ""


class LearnerCgroup:
    """One learner's cgroup: `multitask-hub/<learner>` under the hub's own
    cgroup (v1), or beside it (v2, where a group with processes in it
    cannot hand controllers down)."""

    def __init__(self, learner):
        self.unified = (CGROUP_ROOT / "cgroup.controllers").exists()
        if self.unified:
            parent = CGROUP_ROOT / Path(own_cgroup(None)).parent / "multitask-hub"
            self.dirs = {None: parent / learner}
        else:
            self.dirs = {
                c: CGROUP_ROOT / c / own_cgroup(c) / "multitask-hub" / learner
                for c in V1_CONTROLLERS
            }

    def create(self, memory_bytes, cpu_cores, tasks):
        """Makes the group (again) with these limits; 0 means no limit."""
        quota = int(cpu_cores * CPU_PERIOD_US) if cpu_cores else 0
        if self.unified:
            leaf = self.dirs[None]
            for group in (leaf.parent.parent, leaf.parent):
                (group / "cgroup.subtree_control").write_text("+memory +cpu +pids")
            leaf.mkdir(parents=True, exist_ok=True)
            write(leaf / "memory.max", memory_bytes or "max")
            write(leaf / "memory.swap.max", 0 if memory_bytes else "max", optional=True)
            write(leaf / "cpu.max", f"{quota or 'max'} {CPU_PERIOD_US}")
            write(leaf / "pids.max", tasks or "max")
            return
        for controller, group in self.dirs.items():
            group.mkdir(parents=True, exist_ok=True)
        write(self.dirs["memory"] / "memory.limit_in_bytes", memory_bytes or -1)
        # Swap counts too where the kernel accounts it (not everywhere).
        write(self.dirs["memory"] / "memory.memsw.limit_in_bytes", memory_bytes or -1,
              optional=True)
        write(self.dirs["cpu"] / "cpu.cfs_period_us", CPU_PERIOD_US)
        write(self.dirs["cpu"] / "cpu.cfs_quota_us", quota or -1)
        write(self.dirs["pids"] / "pids.max", tasks or "max")

    def enter(self, pid):
        """Moves process `pid` (and the children it starts after) into the group."""
        for group in self.dirs.values():
            (group / "cgroup.procs").write_text(str(pid))

    def pids(self):
        """The processes in the group now."""
        found = set()
        for group in self.dirs.values():
            try:
                found.update(int(p) for p in (group / "cgroup.procs").read_text().split())
            except FileNotFoundError:
                pass
        return found

    def remove(self):
        """Kills what is left in the group, then removes it."""
        for pid in self.pids():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        for group in self.dirs.values():
            for _ in range(50):
                try:
                    group.rmdir()
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    # The killed processes are still being reaped.
                    time.sleep(0.1)

    def oom_kills(self):
        """How many processes the OOM killer killed in the group."""
        events = (self.dirs[None] / "memory.events" if self.unified
                  else self.dirs["memory"] / "memory.oom_control")
        return int(dict(line.split() for line in events.read_text().splitlines()).get("oom_kill", 0))

    def throttled(self):
        """How many CPU periods the group was held back in by its limit."""
        group = self.dirs[None] if self.unified else self.dirs["cpu"]
        stat = dict(line.split() for line in (group / "cpu.stat").read_text().splitlines())
        return int(stat.get("nr_throttled", 0))


def write(path, value, optional=False):
    """Writes a cgroup setting; an `optional` one the kernel may not have."""
    try:
        path.write_text(str(value))
    except OSError:
        if not optional:
            raise


def parse_bytes(limit):
    """JupyterHub's byte sizes: an int, or '2G', '512M', …"""
    if isinstance(limit, int) or limit is None:
        return limit or 0
    units = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30, "T": 1 << 40}
    limit = str(limit).strip().upper()
    if limit and limit[-1] in units:
        return int(float(limit[:-1]) * units[limit[-1]])
    return int(limit)


class ClassSpawner(LocalProcessSpawner):
    """LocalProcessSpawner with a cgroup per learner (limits from the usual
    `mem_limit` and `cpu_limit`, plus `tasks_limit`) and the course's
    notebooks copied into the learner's home."""

    tasks_limit = Integer(
        512,
        help="How many processes and threads a learner's server may run at once (0: no limit).",
    ).tag(config=True)

    notebooks = Unicode(
        "",
        help="The course's notebooks folder, copied into ~/multitask-notebooks at a first start.",
    ).tag(config=True)

    @property
    def cgroup(self):
        return LearnerCgroup(self.user.name)

    def make_preexec_fn(self, name):
        drop_to_learner = super().make_preexec_fn(name)
        cgroup = self.cgroup

        def preexec():
            # Still root here: join the learner's group, then become the learner.
            cgroup.enter(os.getpid())
            drop_to_learner()

        return preexec

    def copy_notebooks(self):
        if not self.notebooks:
            return
        user = pwd.getpwnam(self.user.name)
        target = Path(user.pw_dir) / "multitask-notebooks"
        if target.exists():
            return
        shutil.copytree(self.notebooks, target)
        for folder, _, files in os.walk(target):
            os.chown(folder, user.pw_uid, user.pw_gid)
            for name in files:
                os.chown(os.path.join(folder, name), user.pw_uid, user.pw_gid)

    async def start(self):
        self.cgroup.create(parse_bytes(self.mem_limit), self.cpu_limit, self.tasks_limit)
        self.copy_notebooks()
        return await super().start()

    async def stop(self, now=False):
        await super().stop(now=now)
        self.cgroup.remove()
