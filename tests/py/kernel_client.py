"""Drive the multitask kernel with jupyter_client, the way Jupyter does, and
print one JSON report of what came back. tests/kernel_jupyter.rs asserts on it.

Usage: kernel_client.py MULTITASK_BIN [analyzer]
With `analyzer`, only what a build with rust-analyzer adds
(tests/kernel_analyzer.rs).
The kernelspec is installed into a temporary prefix (`multitask kernel install
--prefix`) and found through JUPYTER_PATH, as a user's Jupyter would find it.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib

import zmq
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

TIMEOUT = 240  # a cold first start compiles the prelude


def run(client, code, settle=0.0):
    """Execute `code`; collect what iopub says about it until idle (and for
    `settle` seconds more), plus the shell reply."""
    msg_id = client.execute(code)
    out = {"stdout": "", "stderr": "", "results": [], "displays": [], "errors": [],
           "statuses": []}
    idle_at = None
    while True:
        timeout = TIMEOUT if idle_at is None else max(0.05, idle_at + settle - time.time())
        try:
            msg = client.get_iopub_msg(timeout=timeout)
        except Exception:
            if idle_at is not None:
                break
            raise
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out[content["name"]] += content["text"]
        elif kind == "execute_result":
            out["results"].append(content["data"])
        elif kind == "display_data":
            out["displays"].append(content["data"])
        elif kind == "error":
            out["errors"].append({
                "ename": content["ename"],
                "evalue": content["evalue"],
                "traceback": content["traceback"],
            })
        elif kind == "status":
            out["statuses"].append(content["execution_state"])
            if content["execution_state"] == "idle":
                idle_at = time.time()
                if settle == 0:
                    break
    reply = client.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = client.get_shell_msg(timeout=TIMEOUT)
    out["reply_status"] = reply["content"]["status"]
    out["execution_count"] = reply["content"].get("execution_count")
    return out


def wait_busy(client, msg_id):
    """Until the kernel says it is busy with the cell `msg_id`."""
    while True:
        msg = client.get_iopub_msg(timeout=TIMEOUT)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "busy"):
            return


def collect(client, msg_id, timeout=TIMEOUT):
    """The errors of a cell already sent, until it is idle, and its reply;
    `None` if it is not idle within `timeout` seconds."""
    out = {"errors": []}
    deadline = time.time() + timeout
    while True:
        try:
            msg = client.get_iopub_msg(timeout=max(0.01, deadline - time.time()))
        except Exception:
            return None
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "error":
            out["errors"].append({"ename": msg["content"]["ename"],
                                  "evalue": msg["content"]["evalue"]})
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    out["reply_status"] = shell_reply(client, msg_id)["status"]
    return out


def shell_reply(client, msg_id):
    reply = client.get_shell_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != msg_id:
        reply = client.get_shell_msg(timeout=TIMEOUT)
    return reply["content"]


def fresh_kernel(env=None):
    km = KernelManager(kernel_name="multitask")
    km.start_kernel(env={**os.environ, **(env or {})})
    client = km.client()
    client.start_channels()
    client.wait_for_ready(timeout=TIMEOUT)
    return km, client


def tabs_in_a_fresh_session():
    """A session's Tabs after a `let`, in this order: a method of a value
    only rust-analyzer knows the type of (the session's first Tab), the same
    again, a method of a variable of one of the prelude's types, a method of
    std's `Vec`. Each with its matches, typed entries and seconds."""
    km, client = fresh_kernel()
    run(client, "let g = jumping_range(3);")
    found = {}
    for name, code in [("first", "jumping_range(3).se"), ("again", "jumping_range(3).se"),
                       ("variable", "g.se"), ("std", "vec![1u8].pu")]:
        asked = time.time()
        reply = shell_reply(client, client.complete(code, len(code)))
        found[name] = {
            "seconds": time.time() - asked,
            "matches": reply["matches"],
            "cursor_start": reply["cursor_start"],
            "types": reply["metadata"].get("_jupyter_types_experimental"),
        }
    km.shutdown_kernel(now=False)
    client.stop_channels()
    return found


def without_rust_src():
    """A toolchain without rust-src (a `rustc` first on the PATH that names a
    sysroot without it): the first cell says so, once; the first Tab still
    knows the prelude and the variables."""
    with tempfile.TemporaryDirectory() as fake:
        rustc = os.path.join(fake, "rustc")
        with open(rustc, "w") as f:
            f.write("#!/bin/sh\n"
                    f'[ "$*" = "--print sysroot" ] && {{ echo "{fake}"; exit 0; }}\n'
                    f'exec "{shutil.which("rustc")}" "$@"\n')
        os.chmod(rustc, 0o755)
        km, client = fresh_kernel({"PATH": fake + os.pathsep + os.environ["PATH"]})
        cells = [run(client, "1 + 1"), run(client, "2 + 2")]
        # This session's first Tab, which needs no rust-analyzer: a prelude
        # name and a variable, each with what it is.
        run(client, "let spawned_count = 3u8;")
        first_tab = shell_reply(client, client.complete("spawn", 5))
        km.shutdown_kernel(now=False)
        client.stop_channels()
        return {"cells": cells,
                "first_tab": first_tab["metadata"].get("_jupyter_types_experimental")}


def prelude_completions(client):
    """What rust-analyzer answers for each name that
    repl/prelude_completions.toml keeps (the first Tab's quick answer): per
    name, the typed matches that complete that very name (`spawn!(`,
    `threading::`, `jumping_range(`)."""
    kept = os.path.join(os.path.dirname(__file__), "..", "..", "repl",
                        "prelude_completions.toml")
    with open(kept, "rb") as f:
        names = tomllib.load(f)
    found = {}
    for name in names:
        reply = shell_reply(client, client.complete(name, len(name)))
        types = reply["metadata"].get("_jupyter_types_experimental") or []
        whole = re.compile(re.escape(name) + r"(!?\(\)?|::)?")
        found[name] = [t for t in types if whole.fullmatch(t["text"])]
    return found


def statuses_of(client, msg_id):
    """The busy/idle statuses on iopub whose parent is `msg_id`, up to idle."""
    states = []
    deadline = time.time() + TIMEOUT
    while time.time() < deadline:
        msg = client.get_iopub_msg(timeout=max(0.01, deadline - time.time()))
        if msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status":
            states.append(msg["content"]["execution_state"])
            if states[-1] == "idle":
                break
    return states


def protocol(client, spec):
    """What clients besides JupyterLab rely on (VS Code's Jupyter extension,
    nbclient, jupyter console): an absolute argv[0], kernel_info answered on
    control too, busy and idle around every request, an error reply with its
    ename and evalue."""
    out = {"argv0": spec["spec"]["argv"][0]}
    request = client.session.msg("kernel_info_request")
    client.control_channel.send(request)
    reply = client.get_control_msg(timeout=TIMEOUT)
    while reply["parent_header"].get("msg_id") != request["header"]["msg_id"]:
        reply = client.get_control_msg(timeout=TIMEOUT)
    out["control_kernel_info"] = {
        "status": reply["content"]["status"],
        "implementation": reply["content"].get("implementation"),
        "statuses": statuses_of(client, request["header"]["msg_id"]),
    }
    requests = {
        "kernel_info": lambda: client.kernel_info(),
        "complete": lambda: client.complete("jumping_ra", 10),
        "inspect": lambda: client.inspect("jumping_range", 3),
        "is_complete": lambda: client.is_complete("1 +"),
        "comm_info": lambda: client.comm_info(),
        "history": lambda: client.history(),
        "execute_error": lambda: client.execute('let wrong: i32 = "text";'),
    }
    for name, send in requests.items():
        msg_id = send()
        states = statuses_of(client, msg_id)
        content = shell_reply(client, msg_id)
        out[name] = {"statuses": states, "status": content["status"],
                     "ename": content.get("ename"), "evalue": content.get("evalue")}
    return out


LAUNCHER = """
import sys, time
from jupyter_client.manager import KernelManager
km = KernelManager(kernel_name="multitask")
km.start_kernel()
client = km.client()
client.start_channels()
client.wait_for_ready(timeout=240)
client.execute_interactive("1 + 1", timeout=240, output_hook=lambda msg: None)
pid = km.provisioner.process.pid
children = open(f"/proc/{pid}/task/{pid}/children").read().split()
print("pids", pid, *children, flush=True)
time.sleep(600)
"""


def alive(pid):
    """Whether process `pid` runs (a zombie, waiting for a reaper, does not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except FileNotFoundError:
        return False


def front_end_killed():
    """A front end (a Python process running jupyter_client, as a Jupyter
    server does) killed without a shutdown request: how long its kernel and
    the kernel's runtime outlive it."""
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER], stdout=subprocess.PIPE,
                                text=True)
    said = launcher.stdout.readline().split()
    assert said[0] == "pids", said
    pids = [int(p) for p in said[1:]]
    launcher.kill()
    launcher.wait()
    killed = time.time()
    while any(alive(pid) for pid in pids) and time.time() < killed + 20:
        time.sleep(0.1)
    left = [pid for pid in pids if alive(pid)]
    for pid in left:
        os.kill(pid, 9)
    return {"processes": len(pids), "seconds": time.time() - killed, "left": left}


def queued_interrupts(client, km):
    """The stop button during Run All: a loop queued behind quick cells,
    interrupted as soon as the kernel takes it and at moments through its
    compile and start, 50 times; the first error of each (it must stop every
    time), `None` for a try not answered within 10 s."""
    stops = []
    for attempt in range(50):
        sent = [client.execute(code) for code in ("1 + 1", "2 + 2", "loop {}")]
        wait_busy(client, sent[2])
        time.sleep((attempt % 10) * 0.03)
        km.interrupt_kernel()
        got = collect(client, sent[2], timeout=10)
        stops.append(got and got["errors"][:1])
        if got is None:
            break
    return stops


def flood(client, km):
    """The endless print loop, interrupted after 3 s: what arrived (the
    output is cut at the cap, 10 MB, with a note, in batches, and stops with
    the cell), how soon it stopped, and what it added to the kernel."""
    kernel_pid = km.provisioner.process.pid

    def rss_kb():
        with open(f"/proc/{kernel_pid}/status") as status:
            rss = next(line for line in status if line.startswith("VmRSS:"))
        return int(rss.split()[1])

    rss_before = rss_kb()
    msg_id = client.execute('loop { println!("the flood goes on and on"); }')
    wait_busy(client, msg_id)
    seen = {"bytes": 0, "messages": 0, "last": "", "errors": []}
    deadline = time.time() + 3.0
    interrupted_at = None
    while True:
        if interrupted_at is None and time.time() >= deadline:
            km.interrupt_kernel()
            interrupted_at = time.time()
        try:
            msg = client.get_iopub_msg(timeout=0.2)
        except Exception:
            if interrupted_at is not None and time.time() > interrupted_at + 30:
                break
            continue
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            seen["bytes"] += len(content["text"].encode())
            seen["messages"] += 1
            seen["last"] = content["text"][-400:]
        elif kind == "error":
            seen["errors"].append({"ename": content["ename"], "evalue": content["evalue"]})
        elif kind == "status" and content["execution_state"] == "idle":
            break
    seen["seconds_after_interrupt"] = time.time() - interrupted_at
    seen["reply_status"] = shell_reply(client, msg_id)["status"]
    # rust-analyzer, in the kernel for Tab, holds hundreds of MB by now:
    # what the flood added is what counts.
    seen["kernel_rss_growth_kb"] = rss_kb() - rss_before
    seen["v_after"] = run(client, "v.len()")
    return seen


def analyzer(report):
    """What a build with rust-analyzer (`--features analyzer`) adds: a first
    Tab that says it is warming up, then rust-analyzer's answers, for std
    too; the quick answers' table held to rust-analyzer's; std's docs on
    Shift-Tab; a missing rust-src told."""
    report["tabs"] = tabs_in_a_fresh_session()
    report["without_rust_src"] = without_rust_src()
    km, client = fresh_kernel()
    run(client, "1 + 1")
    shell_reply(client, client.complete("jumping_ra", 10))  # the first Tab
    report["prelude_completions"] = prelude_completions(client)
    report["inspect_std"] = shell_reply(client, client.inspect("Vec::new()", 6))
    km.shutdown_kernel(now=False)
    client.stop_channels()


def main():
    binary = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "default"
    report = {}
    with tempfile.TemporaryDirectory() as prefix:
        installed = subprocess.run(
            [binary, "kernel", "install", "--prefix", prefix],
            capture_output=True, text=True, check=True,
        )
        report["install"] = installed.stdout.strip()
        report["version"] = subprocess.run(
            [binary, "--version"], capture_output=True, text=True, check=True,
        ).stdout.strip()
        os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
        if mode == "analyzer":
            analyzer(report)
            print(json.dumps(report, indent=1))
            return
        from jupyter_client.kernelspec import KernelSpecManager

        spec = KernelSpecManager().get_all_specs()["multitask"]
        report["kernelspec_files"] = sorted(os.listdir(spec["resource_dir"]))

        km = KernelManager(kernel_name="multitask")
        started = time.time()
        km.start_kernel()
        client = km.client()
        client.start_channels()
        client.wait_for_ready(timeout=TIMEOUT)
        report["ready_seconds"] = time.time() - started
        info = client.kernel_info(reply=True, timeout=TIMEOUT)["content"]
        report["language"] = info["language_info"]["name"]
        report["language_info"] = info["language_info"]
        report["implementation"] = info["implementation"]

        report["value"] = run(client, "1 + 1")
        report["first_result_seconds"] = time.time() - started
        # The session's first binding: its types come from rustc, and it does
        # not wait for rust-analyzer's first analysis.
        run(client, ":timing")
        report["first_binding"] = run(client, "let first = jumping_range(3);")
        run(client, ":timing")
        # The tutorial's own name for a generator.
        report["gen"] = [
            run(client, "let gen = jumping_range(5);"),
            run(client, "gen.send(None)"),
            run(client, "gen.send(2)"),
            run(client, 'for x in gen { println!("{x}") }'),
            run(client, "let gen = mygen(4);"),
            run(client, ":vars"),
            run(client, "let fn = 3;"),
        ]

        # A second kernel while this one runs: its build folder starts as a
        # copy of a warm one, so its log names no dependency compiling.
        cache = os.environ["MULTITASK_CACHE"]
        for n in range(1, 16):
            shutil.rmtree(os.path.join(cache, f"build-{n}"), ignore_errors=True)
        with tempfile.NamedTemporaryFile("w+", suffix=".log") as log:
            second = KernelManager(kernel_name="multitask")
            second.start_kernel(stderr=log)
            client2 = second.client()
            client2.start_channels()
            client2.wait_for_ready(timeout=TIMEOUT)
            # An interrupt in the session's first second: the waiting cell
            # does not run, and the session goes on.
            msg_id = client2.execute("loop {}")
            wait_busy(client2, msg_id)
            second.interrupt_kernel()
            report["interrupt_at_once"] = collect(client2, msg_id)
            report["second_value"] = run(client2, "1 + 1")
            second.shutdown_kernel(now=False)
            client2.stop_channels()
            log.seek(0)
            report["second_log"] = log.read()

        # A shutdown in a session's first second, with a cell waiting.
        third = KernelManager(kernel_name="multitask")
        third.start_kernel()
        client3 = third.client()
        client3.start_channels()
        client3.wait_for_ready(timeout=TIMEOUT)
        wait_busy(client3, client3.execute("loop {}"))
        process3 = third.provisioner.process
        third.shutdown_kernel(now=False)
        report["shutdown_at_once_exit_code"] = process3.wait(timeout=30)
        client3.stop_channels()

        # A first start in an empty cache: the cell that waits for it shows
        # cargo's progress, then that the session is ready.
        with tempfile.TemporaryDirectory() as cold_cache:
            os.environ["MULTITASK_CACHE"] = cold_cache
            cold = KernelManager(kernel_name="multitask")
            cold.start_kernel()
            client4 = cold.client()
            client4.start_channels()
            client4.wait_for_ready(timeout=TIMEOUT)
            report["cold_first_cell"] = run(client4, "1 + 1")
            cold.shutdown_kernel(now=False)
            client4.stop_channels()
            os.environ["MULTITASK_CACHE"] = cache
        report["stream"] = run(client, 'println!("hello from a cell");')
        report["jumping_range"] = [
            run(client, "let itr = jumping_range(5);"),
            run(client, "itr.next()"),
            run(client, "itr.send(2)"),
        ]
        report["thread_later"] = run(
            client,
            "std::thread::spawn(|| { std::thread::sleep(std::time::Duration::from_millis(300)); "
            'println!("late line from a thread"); });',
            settle=2.0,
        )
        report["child_process"] = run(
            client,
            'let p = Process::new(|| println!("hello from the child process")); '
            "p.start().unwrap(); p.join().unwrap()",
        )
        report["child_process_later"] = run(
            client,
            "let q = Process::new(|| { std::thread::sleep(std::time::Duration::from_millis(300)); "
            'println!("late line from a child process"); }); q.start().unwrap();',
            settle=2.0,
        )
        report["rich"] = run(
            client,
            "struct Bold(&'static str); impl Bold { fn evcxr_display(&self) { "
            'println!("EVCXR_BEGIN_CONTENT text/html\\n<b>{}</b>\\nEVCXR_END_CONTENT", self.0); } } '
            'Bold("rich")',
        )
        report["timeline"] = run(client, "trace::record(|| time::sleep(0.01))")
        report["table"] = run(client, 'Table::new(["模式 mode", "n"]).row(["线程 threads", "2"])')
        report["compile_error"] = run(client, 'let wrong: i32 = "text";')
        report["compile_error_in_terms"] = run(
            client,
            '// 中文的注释 a comment\nfn helper() { let unused = 1; }\nlet words = vec!["a", "b"];\nwords.next()',
        )
        report["exercises"] = run(client, ":exercises")
        # An exercise: its TODO cell, an answer that does not compile, the check.
        report["todo_cell"] = run(
            client, 'fn countdown(n: i64) -> Generator<i64> {\n    todo!("yield n, n-1, …, 1")\n}')
        report["answer_not_compiling"] = run(
            client,
            "fn countdown(n: i64) -> Generator<i64> {\n"
            "    Generator::new(move |co| { for i in (1..=n).rev() { co.yield_(i) } Ok(()) })\n}")
        report["check_after_it"] = run(client, "exercises::check_countdown(countdown);")
        # A Python habit: the hint comes under the error, in the traceback.
        report["habit"] = run(client, "next(itr)")
        report["kept_after_error"] = run(client, "itr.next()")
        run(client, "let v = vec![1, 2, 3];")
        report["panic"] = run(client, "v[10]")
        report["kept_after_panic"] = run(client, "v")
        worker_name = "std::thread::current().name().map(String::from)"
        report["awaits"] = [
            run(client, "asyncio::sleep(0.01).await; let later = asyncio::spawn(async { "
                        "asyncio::sleep(0.2).await; current_thread().name().to_string() });"),
            run(client, "later.await.unwrap()"),
            run(client, "multitask::asyncio::tokio::runtime::Handle::current()"
                        f".spawn(async {{ {worker_name} }}).await.unwrap()"),
            run(client, "itr.next()"),
        ]

        report["is_complete"] = {
            code: shell_reply(client, client.is_complete(code))["status"]
            for code in ["fn f() {", "1 + 1"]
        }
        # The session's first Tab is answered at once (JupyterLab waits one
        # second), from the prelude's names; the next ones by rust-analyzer.
        asked = time.time()
        first = shell_reply(client, client.complete("jumping_ra", 10))
        report["complete_first"] = {
            "matches": first["matches"],
            "cursor_start": first["cursor_start"],
            "types": first["metadata"].get("_jupyter_types_experimental"),
            "seconds": time.time() - asked,
        }
        complete = shell_reply(client, client.complete("jumping_ra", 10))
        report["complete"] = {
            "matches": complete["matches"],
            "cursor_start": complete["cursor_start"],
            "cursor_end": complete["cursor_end"],
            "types": complete["metadata"].get("_jupyter_types_experimental"),
        }
        # Shift-Tab: the cursor inside the name, in a cell with Chinese text
        # before it (Jupyter counts the cursor in characters).
        code = "// 生成器 a generator\nlet g = jumping_range(5);"
        at = code.index("jumping_range") + 4
        report["inspect"] = shell_reply(client, client.inspect(code, at))
        report["inspect_nothing"] = shell_reply(client, client.inspect("   ", 1))
        # After the session's first Tab (above): the protocol probe asks for
        # completions too.
        report["protocol"] = protocol(client, spec)
        report["timeit"] = run(client, ":timeit (0..1000u64).sum::<u64>()")
        report["time"] = run(client, ":time let timed = 40 + 2;")
        report["timed_kept"] = run(client, "timed")

        # A message signed with the wrong key, from a socket of its own:
        # dropped, and the kernel goes on.
        socket = zmq.Context.instance().socket(zmq.DEALER)
        socket.connect(f"{km.transport}://{km.ip}:{km.shell_port}")
        forged = Session(key=b"not-the-key", username="intruder")
        forged.send(socket, "execute_request",
                    {"code": 'println!("forged ran");', "silent": False,
                     "store_history": True, "user_expressions": {},
                     "allow_stdin": False, "stop_on_error": True})
        seen = []
        deadline = time.time() + 2.0
        while time.time() < deadline:
            try:
                msg = client.get_iopub_msg(timeout=0.2)
            except Exception:
                continue
            seen.append(msg["msg_type"] + ":" + json.dumps(msg["content"]))
        report["iopub_after_forged"] = seen
        report["forged_answered"] = bool(socket.poll(500))
        socket.close(linger=0)
        report["after_forged"] = run(client, "40 + 2")

        # Interrupt a cell that never ends (interrupt_mode is "message").
        msg_id = client.execute("loop {}")
        time.sleep(1.5)
        km.interrupt_kernel()
        report["interrupted"] = collect(client, msg_id)
        report["after_interrupt"] = run(client, "1 + 2")
        report["kept_after_interrupt"] = run(client, "v.len()")

        report["queued_interrupts"] = queued_interrupts(client, km)
        report["flood"] = flood(client, km)

        # Run All: five cells queued at once, the second failing. As in
        # IPython, the rest are aborted (stop_on_error), then new cells run.
        queue = ["let queued = 1;", 'let bad: i32 = "x";', "queued + 1", "2 + 2", "3 + 3"]
        sent = [client.execute(code) for code in queue]
        report["run_all_after_an_error"] = [shell_reply(client, i)["status"] for i in sent]
        report["after_the_aborted"] = run(client, "queued + 10")
        # A cell tagged `raises-exception`: JupyterLab sends it with
        # stop_on_error false, and the cells after it run.
        sent = [client.execute("let tagged = 1;"),
                client.execute('panic!("on purpose")', stop_on_error=False),
                client.execute("tagged + 1")]
        report["run_all_past_a_raises_exception_cell"] = [
            shell_reply(client, i)["status"] for i in sent]

        # Jupyter's "Restart kernel": a shutdown request with restart, then a
        # new kernel process from the kernelspec.
        run(client, "let before_restart = 1;")
        km.restart_kernel(now=False)
        client.wait_for_ready(timeout=TIMEOUT)
        report["after_restart"] = [run(client, "before_restart"), run(client, "2 + 2")]

        report["front_end_killed"] = front_end_killed()
        report["tabs"] = tabs_in_a_fresh_session()
        report["without_rust_src"] = without_rust_src()

        process = km.provisioner.process
        # Shut down while a cell is busy: the kernel must still leave by itself.
        client.execute("loop {}")
        time.sleep(1.0)
        km.shutdown_kernel(now=False)
        # 0 when the kernel left on its own after shutdown_request; jupyter_client
        # kills a kernel that does not (then this is -9).
        report["exit_code"] = process.wait(timeout=30)
        client.stop_channels()
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
