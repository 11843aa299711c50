"""Hostile and broken input against the multitask kernel, from a real Jupyter
client's machinery (jupyter_client, pyzmq) and from raw TCP; prints one JSON
report. tests/kernel_faults.rs asserts on it.

Usage: kernel_faults.py MULTITASK_BIN
"""
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import zmq
from jupyter_client.manager import KernelManager
from jupyter_client.session import Session

from kernel_client import TIMEOUT, run, shell_reply

SEED = 13
FUZZ_MESSAGES = 10_000
SOCKET_TYPE = {"shell": b"DEALER", "control": b"DEALER", "stdin": b"DEALER",
               "iopub": b"SUB", "hb": b"REQ"}


def greeting():
    """A ZMTP 3.0 greeting with the NULL mechanism, as a client sends it."""
    return (b"\xff" + b"\x00" * 8 + b"\x7f" + b"\x03\x00" + b"NULL".ljust(20, b"\x00")
            + b"\x00" + b"\x00" * 31)


def ready(socket_type):
    """A ZMTP READY command naming the peer's socket type."""
    body = b"\x05READY" + b"\x0bSocket-Type" + len(socket_type).to_bytes(4, "big") + socket_type
    return b"\x04" + bytes([len(body)]) + body


def port_of(km, channel):
    return getattr(km, f"{channel}_port")


def raw(km, channel, payload, wait=5.0):
    """Sends `payload` on a fresh TCP connection to `channel`; True when the
    kernel then closed that connection (within `wait` seconds)."""
    with socket.create_connection((km.ip, port_of(km, channel)), timeout=wait) as s:
        s.sendall(payload)
        deadline = time.time() + wait
        try:
            while time.time() < deadline:
                if not s.recv(65536):
                    return True
        except (ConnectionResetError, BrokenPipeError):
            return True
        except socket.timeout:
            return False
    return False


def heartbeat_answers(km):
    """A ping on the heartbeat socket comes back."""
    s = zmq.Context.instance().socket(zmq.REQ)
    s.connect(f"tcp://{km.ip}:{km.hb_port}")
    s.send(b"ping")
    answered = bool(s.poll(5000))
    s.close(linger=0)
    return answered


def cpu_seconds_over(pid, seconds):
    """CPU time the process `pid` used (all its threads) in `seconds`, each
    thread's that used any (by name), and if it was busy, every thread's
    stack (gdb), to say what spun."""
    def used(stat):
        with open(stat) as f:
            name, rest = f.read().split("(", 1)[1].rsplit(")", 1)
        fields = rest.split()
        return name, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def threads():
        found = {}
        for tid in os.listdir(f"/proc/{pid}/task"):
            try:
                found[tid] = used(f"/proc/{pid}/task/{tid}/stat")
            except OSError:
                pass
        return found
    before, threads_before = used(f"/proc/{pid}/stat")[1], threads()
    time.sleep(seconds)
    after = threads()
    busy = {f"{name} ({'main' if tid == str(pid) else tid})":
            round(cpu - threads_before.get(tid, (name, 0.0))[1], 2)
            for tid, (name, cpu) in after.items()
            if cpu - threads_before.get(tid, (name, 0.0))[1] > 0.05}
    spent = used(f"/proc/{pid}/stat")[1] - before
    stacks = ""
    if spent > seconds / 2 and shutil.which("gdb"):
        # What the busy threads were doing, for the report.
        stacks = subprocess.run(["gdb", "-p", str(pid), "-batch", "-ex", "thread apply all bt 12"],
                                capture_output=True, text=True, timeout=120).stdout[-20000:]
    return spent, busy, stacks


def stdin_cells(client):
    """Cells that read stdin: answered through an input_request when the
    client allows stdin, an empty line and a note when not; a thread that
    reads stdin after its cell takes none of the kernel's commands."""
    seen = {}
    read = ('let mut line = String::new(); std::io::stdin().read_line(&mut line).unwrap(); '
            'println!("read {line:?}");')
    msg_id = client.execute(read, allow_stdin=True)
    request = client.get_stdin_msg(timeout=TIMEOUT)
    seen["request_type"] = request["msg_type"]
    seen["request_parent"] = request["parent_header"].get("msg_id") == msg_id
    client.input("typed in the box")
    seen["allowed"] = collect_outputs(client, msg_id)
    seen["not_allowed"] = collect_outputs(client, client.execute(read, allow_stdin=False))
    # A thread still reading after its cell: asked for a line in the next
    # cell that runs long enough (as ipykernel asks in the current cell),
    # and given nothing of the kernel's.
    run(client, "let reader = std::thread::spawn(|| { let mut t = String::new(); "
                "std::io::stdin().read_line(&mut t).unwrap(); t });")
    msg_id = client.execute("std::thread::sleep(std::time::Duration::from_millis(500)); kept + 10",
                            allow_stdin=True)
    seen["thread_request"] = client.get_stdin_msg(timeout=TIMEOUT)["msg_type"]
    client.input("for the thread")
    collect_outputs(client, msg_id)
    seen["next_cells"] = [run(client, "reader.join().unwrap()"), run(client, "kept + 20")]
    return seen


def collect_outputs(client, msg_id):
    """What iopub says of the cell `msg_id` until it is idle."""
    out = {"stdout": "", "stderr": ""}
    while True:
        msg = client.get_iopub_msg(timeout=TIMEOUT)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream":
            out[msg["content"]["name"]] += msg["content"]["text"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            return out


def start(extra_env=None, scheme=None, key=None):
    km = KernelManager(kernel_name="multitask")
    if scheme:
        km.session.signature_scheme = scheme
    if key is not None:
        km.session.key = key
    log = tempfile.TemporaryFile("w+")
    km.start_kernel(stderr=log, env={**os.environ, **(extra_env or {})})
    client = km.client()
    client.start_channels()
    client.wait_for_ready(timeout=TIMEOUT)
    return km, client, log


def stop(km, client, log):
    km.shutdown_kernel(now=False)
    client.stop_channels()
    log.seek(0)
    text = log.read()
    log.close()
    return text


def by_hand(binary, scheme, key="k"):
    """The kernel started on a connection file written by hand: what a
    client Jupyter's own library would refuse to write can still reach us."""
    with tempfile.TemporaryDirectory() as folder:
        path = os.path.join(folder, "connection.json")
        with open(path, "w") as f:
            json.dump({"ip": "127.0.0.1", "transport": "tcp", "shell_port": 0,
                       "iopub_port": 0, "stdin_port": 0, "control_port": 0,
                       "hb_port": 0, "key": key, "signature_scheme": scheme}, f)
        try:
            done = subprocess.run([binary, "kernel", "--connection-file", path],
                                  capture_output=True, text=True, timeout=20)
            return {"exit_code": done.returncode, "stderr": done.stderr}
        except subprocess.TimeoutExpired:
            return {"exit_code": None, "stderr": "still running after 20 s"}


def fuzz(km, rng):
    """Random and mutated frames on every socket; returns how many were sent."""
    sent = 0
    # Raw TCP: garbage before, in and after the greeting, frame headers that
    # claim any length.
    for channel in SOCKET_TYPE:
        for _ in range(40):
            kind = rng.randrange(4)
            if kind == 0:
                payload = rng.randbytes(rng.randrange(1, 2000))
            elif kind == 1:
                payload = greeting()[: rng.randrange(1, 64)] + rng.randbytes(rng.randrange(100))
            else:
                payload = greeting() + ready(SOCKET_TYPE[channel])
                for _ in range(rng.randrange(1, 20)):
                    flags = rng.choice([0, 1, 2, 3, 4, 6, rng.randrange(256)])
                    if flags & 2:
                        length = rng.choice([rng.randrange(300), 2**62, 2**64 - 1,
                                             rng.randrange(2**40)])
                        payload += bytes([flags]) + length.to_bytes(8, "big")
                    else:
                        payload += bytes([flags, rng.randrange(256)])
                    payload += rng.randbytes(rng.randrange(64))
                    sent += 1
            with socket.create_connection((km.ip, port_of(km, channel))) as s:
                s.sendall(payload)
            sent += 1

    # Through pyzmq: mutated Jupyter messages, signed and not.
    context = zmq.Context.instance()
    session = Session(key=km.session.key, signature_scheme=km.session.signature_scheme,
                      username="fuzz")
    sockets = {}
    for channel, kind in [("shell", zmq.DEALER), ("control", zmq.DEALER),
                          ("stdin", zmq.DEALER), ("hb", zmq.DEALER)]:
        s = context.socket(kind)
        s.setsockopt(zmq.SNDHWM, 100_000)
        s.connect(f"tcp://{km.ip}:{port_of(km, channel)}")
        sockets[channel] = s
    # Requests that answer fast and run no code.
    bases = [
        ("kernel_info_request", {}),
        ("is_complete_request", {"code": "fn f() {"}),
        ("inspect_request", {"code": "x", "cursor_pos": 1, "detail_level": 0}),
        ("history_request", {"output": False, "raw": True, "hist_access_type": "tail", "n": 1}),
        ("comm_info_request", {}),
        ("no_such_request", {"what": 1}),
    ]
    while sent < FUZZ_MESSAGES:
        channel = rng.choice(["shell", "shell", "control", "stdin", "hb"])
        msg_type, content = rng.choice(bases)
        message = session.msg(msg_type, content)
        parts = [session.pack(message[k]) for k in
                 ("header", "parent_header", "metadata", "content")]
        mutation = rng.randrange(6)
        if mutation == 0:  # bytes flipped in one part, signed after
            i = rng.randrange(4)
            part = bytearray(parts[i])
            for _ in range(rng.randrange(1, 5)):
                part[rng.randrange(len(part))] = rng.randrange(256)
            parts[i] = bytes(part)
        elif mutation == 1:  # a part replaced by random bytes, signed after
            parts[rng.randrange(4)] = rng.randbytes(rng.randrange(50))
        elif mutation == 2:  # a part missing, or parts added
            if rng.random() < 0.5:
                del parts[rng.randrange(4)]
            else:
                parts += [rng.randbytes(10) for _ in range(rng.randrange(1, 4))]
        elif mutation == 3:  # a header of the wrong shape, signed
            parts[0] = json.dumps(rng.choice([[], 1, None, "x", {"msg_type": 3},
                                              {"msg_id": None}])).encode()
        elif mutation == 4:  # content of the wrong shape, signed
            parts[3] = json.dumps(rng.choice([[], 1, None, "x", {"code": 7},
                                              {"cursor_pos": "x"}])).encode()
        signature = session.sign(parts)
        if rng.random() < 0.2:
            signature = rng.randbytes(len(signature)).hex()[: len(signature)].encode()
        frames = [b"<IDS|MSG>", signature] + parts
        if rng.random() < 0.1:
            frames = [rng.randbytes(rng.randrange(30)) for _ in range(rng.randrange(1, 8))]
        sockets[channel].send_multipart(frames)
        sent += 1
    # The kernel takes each peer's shell requests in turn, and may still
    # have some of these queued (an inspect_request asks rust-analyzer):
    # a last request, answered once all before it on this socket were.
    shell = sockets["shell"]
    last = session.send(shell, "kernel_info_request", {})
    deadline = time.time() + TIMEOUT
    drained = False
    while not drained and time.time() < deadline:
        if shell.poll(1000):
            reply = session.recv(shell, mode=0)[1]
            drained = reply["parent_header"].get("msg_id") == last["header"]["msg_id"]
    for s in sockets.values():
        s.close(linger=1000)
    return sent, drained


def main():
    binary = sys.argv[1]
    report = {}
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as prefix:
        subprocess.run([binary, "kernel", "install", "--prefix", prefix],
                       capture_output=True, text=True, check=True)
        os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")

        km, client, log = start()
        report["before"] = run(client, "let kept = 40; kept + 1")

        # One frame header claiming 2^62 bytes, without any key: the peer
        # is dropped and the kernel serves the others.
        report["oversized"] = {}
        for channel, kind in SOCKET_TYPE.items():
            header = b"\x02" + (2**62).to_bytes(8, "big")
            try:
                closed = raw(km, channel, greeting() + ready(kind) + header)
            except OSError as e:  # the kernel is gone
                closed = f"cannot connect: {e}"
            report["oversized"][channel] = {
                "dropped": closed,
                "alive": km.is_alive(),
                "heartbeat": heartbeat_answers(km),
            }
        if not km.is_alive():
            report["log"] = stop(km, client, log)
            print(json.dumps(report, indent=1))
            return
        report["after_oversized"] = run(client, "kept + 2")

        # Signed requests whose content does not fit: a reply saying so.
        report["malformed"] = {}
        for name, content in [("no_code", {"silent": False}),
                              ("code_is_a_number", {"code": 7, "silent": False,
                                                    "store_history": True,
                                                    "user_expressions": {},
                                                    "allow_stdin": False,
                                                    "stop_on_error": True})]:
            message = client.session.msg("execute_request", content)
            client.shell_channel.send(message)
            reply = shell_reply(client, message["header"]["msg_id"])
            report["malformed"][name] = {k: reply.get(k) for k in ("status", "ename", "evalue")}
        report["after_malformed"] = run(client, "kept + 1")

        report["stdin"] = stdin_cells(client)

        report["fuzz_sent"], report["fuzz_answered"] = fuzz(km, rng)
        report["after_fuzz"] = run(client, "kept + 3")
        # A session's first completion has rust-analyzer make its first
        # analysis right after the reply (seconds of work the fuzz may have
        # asked for): let it finish before the kernel counts as at rest.
        shell_reply(client, client.complete("kep", 3))
        run(client, "kept")
        # At rest after all that, the kernel does not spin on a peer that
        # left mid-frame.
        (report["idle_cpu_seconds"], report["idle_busy_threads"],
         report["idle_stacks"]) = cpu_seconds_over(
            km.provisioner.process.pid, 3.0)
        report["heartbeat_after_fuzz"] = heartbeat_answers(km)
        report["log"] = stop(km, client, log)

        # Signature schemes: the connection file's is honoured.
        km, client, log = start(scheme="hmac-sha512")
        report["sha512"] = run(client, "1 + 1")
        stop(km, client, log)
        km, client, log = start(key=b"")
        report["empty_key"] = run(client, "2 + 2")
        report["empty_key_log"] = stop(km, client, log)
        report["rot13"] = by_hand(binary, "rot13")
        report["md5"] = by_hand(binary, "hmac-md5")
    print(json.dumps(report, indent=1))


if __name__ == "__main__":
    main()
