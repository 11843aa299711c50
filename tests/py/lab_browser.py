"""Drive JupyterLab in a real (headless Chromium) browser as a learner does,
on the multitask kernel, and print one JSON report of what was seen.
tests/jupyterlab_browser.rs asserts on it.

Usage: lab_browser.py MULTITASK_BIN NOTEBOOK SCREENSHOTS_DIR [lab|notebook]

`notebook` runs the same steps in Notebook 7 (`jupyter notebook`), which is
made of JupyterLab's parts in a page of one document.

The kernelspec is installed into a temporary prefix; the notebook is copied
into a temporary folder that JupyterLab serves (so nothing in the repository
changes). Each step's outcome goes into the report; a step that fails leaves
a screenshot named after it in SCREENSHOTS_DIR.
"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.common.exceptions import StaleElementReferenceException

# A cold build folder compiles the prelude's dependencies first: minutes.
START_TIMEOUT = 600
STEP_TIMEOUT = 120


# 120 characters that do not compile (a Vec plus a number).
LONG_LINE = ("let doubled_then_filtered: Vec<i32> = vec![10, 2, 3].iter().map(|x| x * 2)"
             ".filter(|x| *x > 2).collect::<Vec<i32>>() + 1;")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(what, check, timeout=STEP_TIMEOUT, every=0.25):
    """Polls `check` until it returns something truthy; that value."""
    deadline = time.time() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.time() > deadline:
            raise TimeoutError(f"waited {timeout} s for {what}")
        time.sleep(every)


class Lab:
    """A JupyterLab server and a browser on one notebook."""

    def __init__(self, binary, notebook, shots, ui="lab"):
        self.shots = shots
        self.root = tempfile.mkdtemp(prefix="multitask-lab-")
        prefix = os.path.join(self.root, "prefix")
        subprocess.run([binary, "kernel", "install", "--prefix", prefix],
                       check=True, capture_output=True)
        work = os.path.join(self.root, "notebooks")
        os.makedirs(work)
        shutil.copy(notebook, work)
        self.name = os.path.basename(notebook)
        env = dict(os.environ, JUPYTER_PATH=os.path.join(prefix, "share", "jupyter"),
                   JUPYTER_CONFIG_DIR=os.path.join(self.root, "config"),
                   JUPYTER_DATA_DIR=os.path.join(self.root, "data"),
                   JUPYTER_RUNTIME_DIR=os.path.join(self.root, "runtime"))
        self.port, self.token = free_port(), "multitask-test"
        self.log = open(os.path.join(shots, "jupyterlab.log"), "w")
        server = [os.path.join(os.path.dirname(sys.executable), "jupyter"), ui]
        # window.jupyterapp: the commands and models the steps read.
        app = {"lab": ["--LabApp.news_url=None", "--LabApp.expose_app_in_browser=True",
                       "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"],
               "notebook": ["--JupyterNotebookApp.expose_app_in_browser=True"]}[ui]
        self.page = {"lab": "lab/tree", "notebook": "notebooks"}[ui]
        self.server = subprocess.Popen(
            server + ["--no-browser", "--allow-root", f"--port={self.port}",
                      f"--ServerApp.token={self.token}", f"--ServerApp.root_dir={work}",
                      "--ServerApp.open_browser=False"] + app,
            env=env, stdout=self.log, stderr=subprocess.STDOUT, cwd=work)
        wait_for("the server", self.api_up, timeout=120, every=0.5)
        options = webdriver.ChromeOptions()
        options.binary_location = "/usr/bin/chromium"
        for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage",
                     "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--disable-sync", "--no-first-run",
                     "--window-size=1400,1000",
                     f"--user-data-dir={os.path.join(self.root, 'chromium')}"]:
            options.add_argument(flag)
        self.driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)

    def api_up(self):
        try:
            urllib.request.urlopen(f"{self.url('api/status')}", timeout=2).read()
            return True
        except OSError:
            return False

    def url(self, path):
        return f"http://127.0.0.1:{self.port}/{path}?token={self.token}"

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def panel(self, expression):
        """Evaluates `expression` on the notebook panel (`p`) in the page;
        `None` while JupyterLab is still loading."""
        return self.js("const app = window.jupyterapp;"
                       " const p = app && app.shell && app.shell.currentWidget;"
                       f" if (!p || !p.sessionContext) return null; return {expression};")

    def kernel_status(self):
        return self.panel("p.sessionContext.session && p.sessionContext.session.kernel"
                          " ? p.sessionContext.session.kernel.status : null")

    def cells(self):
        """Every code cell: its execution count, tags and outputs."""
        return self.panel("""p.content.widgets.filter(c => c.model.type === 'code').map(c => ({
            count: c.model.executionCount,
            tags: c.model.getMetadata('tags') || [],
            outputs: c.model.outputs.toJSON().map(o => ({
                type: o.output_type, ename: o.ename || null, evalue: o.evalue || null,
                text: Array.isArray(o.text) ? o.text.join('') : (o.text || ''),
                plain: o.data ? (o.data['text/plain'] || null) : null})),
        }))""")

    def command(self, name):
        self.js("return window.jupyterapp.commands.execute(arguments[0]);", name)

    def new_cell(self, code):
        """A code cell typed at the end of the notebook, as a learner types
        it; its index among the code cells."""
        self.panel("(p.content.activeCellIndex = p.content.widgets.length - 1)")
        self.command("notebook:insert-cell-below")
        editor = wait_for("the new cell's editor", lambda: self.driver.find_elements(
            By.CSS_SELECTOR, ".jp-Notebook .jp-Cell.jp-mod-active .cm-content"))[0]
        editor.click()
        ActionChains(self.driver).send_keys(code).perform()
        return len(self.cells()) - 1

    def source(self, index):
        return self.panel("p.content.widgets.filter(c => c.model.type === 'code')"
                          f"[{index}].model.sharedModel.getSource()")

    def outputs(self, index):
        return self.cells()[index]["outputs"]

    def run(self, index):
        """Shift-Enter in the active cell; waits until cell `index` ran."""
        ActionChains(self.driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER) \
            .key_up(Keys.SHIFT).perform()
        wait_for(f"cell {index} to run", lambda: self.kernel_status() == "idle"
                 and self.cells()[index]["count"] is not None)

    def start(self, index):
        """Shift-Enter in the active cell, not waiting for it to end."""
        ActionChains(self.driver).key_down(Keys.SHIFT).send_keys(Keys.ENTER) \
            .key_up(Keys.SHIFT).perform()

    def shot(self, step):
        try:
            self.driver.save_screenshot(os.path.join(self.shots, f"{step}.png"))
        except Exception:  # the report says what failed; a picture is a bonus
            pass

    def close(self):
        try:
            self.driver.quit()
        finally:
            try:
                req = urllib.request.Request(self.url("api/shutdown"), method="POST")
                urllib.request.urlopen(req, timeout=10).read()
                self.server.wait(timeout=30)
            except Exception:
                self.server.kill()
                self.server.wait()
            self.log.close()
            shutil.rmtree(self.root, ignore_errors=True)


def main():
    binary, notebook, shots = sys.argv[1:4]
    ui = sys.argv[4] if len(sys.argv) > 4 else "lab"
    os.makedirs(shots, exist_ok=True)
    report = {}
    lab = Lab(binary, notebook, shots, ui)

    def step(name, body):
        try:
            report[name] = body()
        except Exception as e:  # recorded: the Rust test names the failed step
            message = str(e).split("\n")[0]
            report[name] = {"failed": f"{type(e).__name__}: {message}",
                            "trace": traceback.format_exc(limit=3).split("Stacktrace:")[0]}
            lab.shot(name)

    try:
        def open_notebook():
            lab.driver.get(lab.url(f"{lab.page}/{lab.name}"))
            wait_for("the kernel to be idle",
                     lambda: lab.kernel_status() == "idle", timeout=START_TIMEOUT)
            # JupyterLab writes the kernel's language_info into the notebook as it opens.
            time.sleep(2)
            return {
                "kernel": lab.panel("p.sessionContext.kernelDisplayName"),
                "dirty": lab.panel("p.context.model.dirty"),
            }
        step("open", open_notebook)

        def drawn(what, selector):
            # Images the browser decoded (JupyterLab draws image outputs as an
            # <img>): how many, and the first one's size, scrolled into view.
            images = wait_for(what, lambda: [
                e for e in lab.driver.find_elements(By.CSS_SELECTOR, selector)
                if e.get_attribute("naturalWidth") not in (None, "0")], timeout=30)
            first = images[0]
            lab.driver.execute_script("arguments[0].scrollIntoView();", first)
            return {"count": len(images),
                    "width": int(first.get_attribute("naturalWidth")),
                    "height": int(first.get_attribute("naturalHeight"))}

        def untrusted_picture():
            # Not yet run, the notebook is not trusted: JupyterLab shows no
            # stored SVG, only what is safe — the PNG copy beside it.
            pngs = drawn("a stored picture drawn as PNG", ".jp-RenderedImage img")
            lab.shot("untrusted_picture")
            return dict(pngs, svgs=len(lab.driver.find_elements(By.CSS_SELECTOR, ".jp-RenderedSVG")),
                        trusted=lab.panel(
                            "Array.from({length: p.context.model.cells.length}, "
                            "(_, i) => p.context.model.cells.get(i).trusted).some(t => t)"))
        step("untrusted_picture", untrusted_picture)

        def run_all():
            lab.command("notebook:run-all-cells")
            cells = wait_for("every cell to have run", lambda: (
                lab.kernel_status() == "idle"
                and all(c["count"] is not None for c in lab.cells())
                and lab.cells()), timeout=START_TIMEOUT, every=1)
            unexpected = [
                {"cell": i, "outputs": c["outputs"]} for i, c in enumerate(cells)
                if any(o["type"] == "error" for o in c["outputs"])
                and "raises-exception" not in c["tags"]]
            return {"code_cells": len(cells), "unexpected_errors": unexpected}
        step("run_all", run_all)

        def picture_is_drawn():
            # The jumping_range timeline, run and so trusted: drawn from its SVG.
            return drawn("a rendered SVG output", ".jp-RenderedSVG img")
        step("picture", picture_is_drawn)

        def completer_items():
            # The completer may close between finding an item and reading it.
            try:
                return [e.text for e in lab.driver.find_elements(
                    By.CSS_SELECTOR, ".jp-Completer-item") if e.is_displayed()]
            except StaleElementReferenceException:
                return []

        def method_tab():
            # Tab after a variable of one of the prelude's types: its methods,
            # read from the prelude's source, at once (this build has no
            # rust-analyzer). After a value only rust-analyzer could know,
            # one entry says so and puts nothing in.
            bound = lab.new_cell("let g = jumping_range(3);")
            lab.run(bound)
            at = lab.new_cell("g.se")
            ActionChains(lab.driver).send_keys(Keys.TAB).perform()
            methods = wait_for("the methods", lambda: completer_items() or (
                "g.send(" in lab.source(at) and [lab.source(at)]))
            ActionChains(lab.driver).send_keys(Keys.ESCAPE).perform()
            other = lab.new_cell("vec![1u8].pu")
            ActionChains(lab.driver).send_keys(Keys.TAB).perform()
            notice = wait_for("the entry that says why", completer_items)
            lab.shot("method_tab_notice")
            # Tab again takes the one entry: nothing changes.
            ActionChains(lab.driver).send_keys(Keys.TAB).perform()
            typed = lab.source(other)
            ActionChains(lab.driver).send_keys(Keys.ESCAPE).perform()
            return {"methods": methods, "notice": notice, "typed_after_tab": typed}
        step("method_tab", method_tab)

        def tab_completes():
            at = lab.new_cell("let from_tab = jumping_")
            ActionChains(lab.driver).send_keys(Keys.TAB).perform()
            # A popup to choose from, or the one match put in at once.
            items = wait_for("the completer", lambda: completer_items() or (
                "jumping_range" in lab.source(at) and [lab.source(at)]))
            ActionChains(lab.driver).send_keys(Keys.ESCAPE).perform()
            return {"items": items, "typed": lab.source(at)}
        step("tab", tab_completes)

        def shift_tab_shows_docs():
            lab.new_cell("jumping_range")
            ActionChains(lab.driver).key_down(Keys.SHIFT).send_keys(Keys.TAB) \
                .key_up(Keys.SHIFT).perform()
            tooltip = wait_for("the tooltip", lambda: [
                e.text for e in lab.driver.find_elements(By.CSS_SELECTOR, ".jp-Tooltip")
                if e.is_displayed() and e.text.strip()])
            ActionChains(lab.driver).send_keys(Keys.ESCAPE).perform()
            return {"tooltip": tooltip[0]}
        step("shift_tab", shift_tab_shows_docs)

        def error_at_900_px():
            # A 120-character line that does not compile, in a window 900 px
            # wide: the error's prose wraps, its code never does (a line too
            # long scrolls), so nothing of the drawing is scrambled.
            lab.driver.set_window_size(900, 1000)
            failing = lab.new_cell(LONG_LINE)
            lab.run(failing)
            shown = wait_for("the error drawn as HTML", lambda: lab.driver.find_elements(
                By.CSS_SELECTOR, ".multitask-compile-error"))[-1]
            lab.driver.execute_script("arguments[0].scrollIntoView();", shown)
            lab.shot("error_at_900_px")
            pres = lab.js("""return Array.from(arguments[0].querySelectorAll('pre')).map(pre => {
                const style = getComputedStyle(pre);
                const inner = pre.clientHeight - parseFloat(style.paddingTop)
                    - parseFloat(style.paddingBottom);
                return {lines: pre.textContent.split('\\n').filter(l => l.length).length,
                        rows: Math.round(inner / parseFloat(style.lineHeight)),
                        white_space: style.whiteSpace,
                        scrolls: pre.scrollWidth > pre.clientWidth};
            })""", shown)
            width = lab.js("return arguments[0].getBoundingClientRect().width", shown)
            lab.driver.set_window_size(1400, 1000)
            return {"pres": pres, "width": width, "typed": len(LONG_LINE),
                    "outputs": lab.outputs(failing)}
        step("error_at_900_px", error_at_900_px)

        def stop_button_ends_a_loop():
            # What the cells before had bound survives the interrupt.
            lab.run(lab.new_cell("let kept = 7;"))
            looping = lab.new_cell("loop {}")
            lab.start(looping)
            wait_for("the loop to run", lambda: lab.kernel_status() == "busy")
            time.sleep(1)
            lab.driver.find_element(
                By.CSS_SELECTOR, "[data-command='notebook:interrupt-kernel']").click()
            wait_for("the loop cell to end", lambda: lab.kernel_status() == "idle"
                     and lab.cells()[looping]["count"] is not None)
            after = lab.new_cell("kept")
            lab.run(after)
            return {"outputs": lab.outputs(looping), "after": lab.outputs(after)}
        step("stop", stop_button_ends_a_loop)

        def stdin_gets_an_input_box():
            reading = lab.new_cell(
                'let mut line = String::new(); std::io::stdin().read_line(&mut line)?;'
                ' println!("got {}", line.trim());')
            lab.start(reading)
            box = wait_for("the input box", lambda: [
                e for e in lab.driver.find_elements(By.CSS_SELECTOR, ".jp-Stdin-input")
                if e.is_displayed()])[0]
            box.send_keys("hello from the box" + Keys.ENTER)
            outputs = wait_for("the line to come back", lambda: [
                o for o in lab.outputs(reading) if "got " in o["text"]])
            return {"outputs": outputs}
        step("stdin", stdin_gets_an_input_box)
    finally:
        lab.close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
