"""The class test: a real JupyterHub on loopback (deploy/jupyterhub, set up
under PREFIX by its `setup`), ten learners who are system users, their
servers started through the hub's REST API and their kernels reached through
the hub's proxy, as JupyterLab reaches them. Run as root by tests/run after
`cargo test`:

    PREFIX/venv/bin/python tests/py/hub_class.py PREFIX

Each check prints `ok` or `FAILED` with what it saw; the last line counts
them (`hub_class: N passed, M failed`), and the exit code is 1 if any failed.
"""

import asyncio
import os
import sys
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "deploy" / "jupyterhub"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import classroom  # noqa: E402
import multitask_spawner  # noqa: E402
from run_notebook import comparable, sanitizer  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "03-iterators-generators.ipynb"
LEARNERS = 10

results = []


def check(name, ok, detail=""):
    results.append(ok)
    print(f"{'ok' if ok else 'FAILED'}: {name}" + (f"\n    {detail}" if detail and not ok else ""),
          flush=True)


def solution(exercise):
    """The reference solution of `exercise`, from notebooks/solutions/."""
    text = (ROOT / "notebooks" / "solutions" / (NOTEBOOK.stem + ".rs")).read_text()
    after = text.split(f"// exercise: {exercise}\n", 1)[1]
    return after.split("// exercise: ", 1)[0]


def progress_of(home):
    try:
        return (home / ".local/share/multitask/progress.txt").read_text()
    except FileNotFoundError:
        return ""


async def run_notebook(kernel, cells):
    """Every code cell of the notebook in order; the cells' results."""
    return [await kernel.execute(cell.source) for cell in cells]


def differences(cells, ran):
    """Where the learner's outputs differ from the stored ones (after
    sanitize.cfg's rules): (cell number, stored, got)."""
    clean = sanitizer(str(NOTEBOOK))
    found = []
    for n, (cell, got) in enumerate(zip(cells, ran)):
        want = comparable(cell.outputs, clean)
        have = comparable(got.outputs, clean)
        if want != have:
            found.append((n, want, have))
    return found


async def main(prefix):
    cells = classroom.code_cells(NOTEBOOK)
    names = classroom.learner_names(LEARNERS)
    async with classroom.Hub(prefix, memory="1G", cpus=1.0) as hub:
        homes = await hub.add_learners(names)
        await asyncio.gather(*(hub.start_server(name) for name in names))
        kernels = await asyncio.gather(*(hub.open_kernel(name) for name in names))

        # Notebook 03 for all ten at once.
        ran = await asyncio.gather(*(run_notebook(k, cells) for k in kernels))
        wrong = {name: differences(cells, r) for name, r in zip(names, ran)}
        wrong = {name: d for name, d in wrong.items() if d}
        check("ten learners run notebook 03 at once, each output as stored",
              not wrong, f"{len(wrong)} learners differ; first: {next(iter(wrong.items()), None)}")

        # Each started from the shared build: nothing compiled for anyone.
        markers = {name: (home / ".cache/multitask/build/.multitask-ready").read_text()
                   for name, home in homes.items()}
        unseeded = [n for n, m in markers.items() if not m.startswith("seeded from ")]
        check("every learner's build folder was seeded from the shared build", not unseeded,
              f"not seeded: {unseeded}")
        log = hub.log_path.read_text()
        compiled = [line for line in log.splitlines() if "Compiling" in line]
        check("no learner's log shows a crate compiled", not compiled, "\n    ".join(compiled[:5]))
        files = [len(list((home / ".cache/multitask/build").rglob("*"))) for home in homes.values()]
        sizes = [classroom.disk_bytes(home) for home in homes.values()]
        check("each learner's home holds at most 20 MB beyond the notebooks",
              max(sizes) <= 20 << 20, f"sizes {sizes}, files {files}")

        # Each learner's own notebooks and progress, in their own home: one
        # learner solves an exercise; only that learner's progress has it.
        solved = await kernels[2].execute(solution("03-countdown"))
        checked = await kernels[2].execute("exercises::check_countdown(countdown);")
        progress = {name: progress_of(home) for name, home in homes.items()}
        others = [n for n, p in progress.items() if n != names[2] and "03-countdown" in p]
        check("a solved exercise is in the solver's own progress only",
              solved.status == "ok" and "✓" in checked.text()
              and "03-countdown" in progress[names[2]] and not others,
              f"check said {checked.text()[:200]!r}; progress {progress}")
        notebooks = [n for n, home in homes.items()
                     if (home / "multitask-notebooks" / NOTEBOOK.name).stat().st_uid
                     != (home.stat().st_uid)]
        check("each learner has the notebooks in their home, as their own", not notebooks,
              f"not theirs: {notebooks}")

        # A runaway cell: one learner spins eight threads, another eats
        # memory; the other eight run the notebook again meanwhile.
        spinner, hog, rest = kernels[0], kernels[1], kernels[2:]
        spin = asyncio.ensure_future(spinner.execute(
            "let spinners: Vec<_> = (0..8).map(|_| std::thread::spawn(|| loop { std::hint::spin_loop() })).collect();\n"
            "loop { std::hint::spin_loop() }"))
        eat = asyncio.ensure_future(hog.execute(
            "let mut hog: Vec<Vec<u8>> = Vec::new();\n"
            "loop { hog.push(vec![1u8; 64 << 20]); }"))
        again = await asyncio.gather(*(run_notebook(k, cells) for k in rest))
        wrong = [names[2 + i] for i, r in enumerate(again) if differences(cells, r)]
        check("a spinning and a memory-eating learner do not stop the other eight",
              not wrong, f"differ: {wrong}")
        eaten = await eat
        hog_group = multitask_spawner.LearnerCgroup(names[1])
        check("the memory eater's cell fails, told it used the memory it may",
              eaten.status == "error" and "this session may use" in eaten.text()
              and hog_group.oom_kills() > 0,
              f"status {eaten.status}, text {eaten.text()[:400]!r}, oom {hog_group.oom_kills()}")
        # With the others idle, nine spinning threads on this machine's cores
        # would take more than one core: the limit holds them back within a
        # period or two (100 ms each).
        spin_group = multitask_spawner.LearnerCgroup(names[0])
        for _ in range(100):
            if spin_group.throttled() > 0:
                break
            await asyncio.sleep(0.2)
        check("the spinner is held to its CPU limit, and still spinning",
              spin_group.throttled() > 0 and not spin.done(),
              f"throttled {spin_group.throttled()}, done {spin.done()}")
        await spinner.interrupt()
        stopped = await asyncio.wait_for(spin, 120)
        check("the spinner's cell stops when interrupted", stopped.status == "error",
              f"status {stopped.status}")
        after = await hog.execute("let after = jumping_range(3); after.next()")
        check("the memory eater's kernel answers the next cell",
              after.status == "ok" and "Ok(0)" in after.text(), after.text()[:400])
        for kernel in kernels:
            await kernel.close()

    left = {name: classroom.learner_processes(name) for name in names}
    left = {n: p for n, p in left.items() if p}
    groups = [n for n in names if multitask_spawner.LearnerCgroup(n).pids()
              or any(d.exists() for d in multitask_spawner.LearnerCgroup(n).dirs.values())]
    check("stopping the class leaves no learner's process and no cgroup", not left and not groups,
          f"processes {left}, groups {groups}")


if __name__ == "__main__":
    if os.geteuid() != 0:
        print("hub_class: needs root (it adds system users and cgroups)", file=sys.stderr)
        sys.exit(2)
    try:
        asyncio.run(main(sys.argv[1]))
    except Exception:
        traceback.print_exc()
        results.append(False)
        print("FAILED: the class test stopped early (above)")
    passed = sum(results)
    failed = len(results) - passed
    print(f"hub_class: {passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)
