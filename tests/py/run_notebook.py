"""Execute a notebook with nbclient through the installed `multitask`
kernelspec, as Jupyter would, and compare each code cell's outputs with the
stored ones after the rules of sanitize.cfg beside the notebook. Prints one
JSON report. Usage: run_notebook.py MULTITASK_BIN NOTEBOOK
"""
import configparser
import json
import os
import re
import subprocess
import sys
import tempfile

import nbformat
from nbclient import NotebookClient


def sanitizer(notebook):
    config = configparser.ConfigParser()
    config.read(os.path.join(os.path.dirname(notebook), "sanitize.cfg"))
    rules = [(re.compile(config[s]["regex"]), config[s]["replace"]) for s in config.sections()]

    def apply(text):
        for regex, replace in rules:
            text = regex.sub(replace, text)
        return text
    return apply


def comparable(outputs, clean):
    """(kind, text) pairs; consecutive pieces of one stream joined, as
    Jupyter shows them (a kernel may send a stream line by line)."""
    shown = []
    for out in outputs:
        kind = out["output_type"]
        if kind == "stream":
            if shown and shown[-1][0] == out["name"]:
                shown[-1] = (out["name"], shown[-1][1] + out["text"])
            else:
                shown.append((out["name"], out["text"]))
        elif kind in ("execute_result", "display_data"):
            shown.append((kind, out["data"].get("text/plain", "")))
        elif kind == "error":
            shown.append((kind, out["ename"] + ": " + out["evalue"]))
    return [(kind, clean(text)) for kind, text in shown]


def main():
    binary, path = sys.argv[1], sys.argv[2]
    clean = sanitizer(path)
    stored = nbformat.read(path, as_version=4)
    with tempfile.TemporaryDirectory() as prefix:
        subprocess.run([binary, "kernel", "install", "--prefix", prefix],
                       check=True, capture_output=True)
        os.environ["JUPYTER_PATH"] = os.path.join(prefix, "share", "jupyter")
        executed = nbformat.read(path, as_version=4)
        for cell in executed.cells:
            if cell.cell_type == "code":
                cell.outputs = []
        NotebookClient(executed, kernel_name="multitask", timeout=600,
                       startup_timeout=600).execute()
    mismatches = []
    code_cells = 0
    for index, (old, new) in enumerate(zip(stored.cells, executed.cells)):
        if old.cell_type != "code":
            continue
        code_cells += 1
        if "nbval-ignore-output" in old.metadata.get("tags", []):
            continue
        want, got = comparable(old.outputs, clean), comparable(new.outputs, clean)
        if want != got:
            mismatches.append({"cell": index, "stored": want, "jupyter": got})
    print(json.dumps({"code_cells": code_cells, "mismatches": mismatches}, indent=1))


if __name__ == "__main__":
    main()
