"""What the *_scenarios.py scripts share: a registry of scenarios, the line
printer, and the command line (`NAME` runs one, `list` names them all)."""
import sys

SCENARIOS = {}


def scenario(fn):
    """Registers `fn` as a scenario under its own name."""
    SCENARIOS[fn.__name__] = fn
    return fn


def say(*parts):
    print(*parts, flush=True)


def main(before_run=None):
    name = sys.argv[1]
    if name == "list":
        for n in SCENARIOS:
            print(n)
        return
    if before_run:
        before_run()
    SCENARIOS[name]()
