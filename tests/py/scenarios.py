"""What the *_scenarios.py scripts share: a registry of scenarios, the line
printer, and the command line (`NAME…` runs those, none runs them all in the
order they were defined, `list` names them all)."""
import sys

SCENARIOS = {}

# The name of the scenario running now.
current = None


def scenario(fn):
    """Registers `fn` as a scenario under its own name."""
    SCENARIOS[fn.__name__] = fn
    return fn


def say(*parts):
    print(*parts, flush=True)


def main(before_run=None):
    global current
    names = sys.argv[1:] or list(SCENARIOS)
    if names == ["list"]:
        for n in SCENARIOS:
            print(n)
        return
    if before_run:
        before_run()
    for name in names:
        current = name
        SCENARIOS[name]()
