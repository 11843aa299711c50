"""JupyterHub for a class learning with multitask, on one machine.

`deploy/jupyterhub/setup PREFIX` installs what this names under PREFIX (the
hub, its proxy, a toolchain every learner can run, the shared warm build and
the kernelspec); `deploy/jupyterhub/start PREFIX` runs the hub with this
file. Learners are the machine's own users (PAM logins); each gets a server
of their own, run as them, limited by `ClassSpawner` (multitask_spawner.py).

Settings a teacher changes, through the environment `start` passes on:
  MULTITASK_HUB_PREFIX   where setup installed (default /opt/multitask-hub)
  MULTITASK_HUB_URL      where learners browse to (default http://127.0.0.1:8000)
  MULTITASK_HUB_PORTS    the hub's and the proxy API's own loopback ports
                         (default "8081,8001")
  MULTITASK_HUB_GROUP    the system group whose members may log in
                         (default multitask-learners)
  MULTITASK_HUB_ADMINS   comma-separated teachers' user names
  MULTITASK_HUB_MEMORY, MULTITASK_HUB_CPUS, MULTITASK_HUB_TASKS
                         each learner's limits (default 2G, 1 core, 512 tasks)
  MULTITASK_HUB_API_TOKEN
                         if set, a service `class-admin` holding this token may
                         manage users and servers and use every server (a
                         teacher's scripts; the class test)
"""

import os
import sys
from pathlib import Path

here = Path(__file__).resolve().parent
sys.path.insert(0, str(here))

c = get_config()  # noqa: F821 (JupyterHub's config loader defines it)
env = os.environ.get
prefix = Path(env("MULTITASK_HUB_PREFIX", "/opt/multitask-hub"))
hub_port, proxy_api_port = env("MULTITASK_HUB_PORTS", "8081,8001").split(",")

c.JupyterHub.bind_url = env("MULTITASK_HUB_URL", "http://127.0.0.1:8000")
c.JupyterHub.hub_bind_url = f"http://127.0.0.1:{hub_port}"
c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{proxy_api_port}"
c.ConfigurableHTTPProxy.command = [
    str(prefix / "proxy" / "node_modules" / ".bin" / "configurable-http-proxy")
]
state = prefix / "state"
c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
c.ConfigurableHTTPProxy.pid_file = str(state / "proxy.pid")

# Who may log in: the machine's users in the class's group.
c.PAMAuthenticator.allowed_groups = {env("MULTITASK_HUB_GROUP", "multitask-learners")}
c.Authenticator.admin_users = {n for n in env("MULTITASK_HUB_ADMINS", "").split(",") if n}

# Each learner's server: JupyterLab from the hub's venv, which holds the
# multitask kernelspec (pointing at the shared warm build), in its cgroup.
c.JupyterHub.spawner_class = "multitask_spawner.ClassSpawner"
c.Spawner.cmd = [str(prefix / "venv" / "bin" / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab/tree/multitask-notebooks"
c.Spawner.notebook_dir = "~"
toolchain = (prefix / "toolchain-bin").read_text().strip()
c.Spawner.environment = {
    "PATH": f"{toolchain}:{prefix / 'venv' / 'bin'}:/usr/local/bin:/usr/bin:/bin",
}
c.Spawner.mem_limit = env("MULTITASK_HUB_MEMORY", "2G")
c.Spawner.cpu_limit = float(env("MULTITASK_HUB_CPUS", "1"))
c.ClassSpawner.tasks_limit = int(env("MULTITASK_HUB_TASKS", "512"))
c.ClassSpawner.notebooks = (prefix / "notebooks-path").read_text().strip()
# A first start on a busy machine: JupyterLab's own start, not the prelude
# (which the shared build holds), is what takes the time.
c.Spawner.start_timeout = 120
c.Spawner.http_timeout = 120

token = env("MULTITASK_HUB_API_TOKEN")
if token:
    c.JupyterHub.services = [{"name": "class-admin", "api_token": token}]
    c.JupyterHub.load_roles = [
        {
            "name": "class-admin",
            "scopes": ["admin:users", "admin:servers", "access:servers", "read:users"],
            "services": ["class-admin"],
        }
    ]
