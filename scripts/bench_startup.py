"""Start-up speed, measured side by side in one run.

1. `clerk-tui catalog list` (a CLI command that never imports textual) against `python -c pass`.
2. `clerk-tui run` to its first frame (the login screen) against a bare Textual hello-world app,
   both headless in fresh processes, timed from process start to the app being ready.
Goals: the CLI well under 0.5 s; the TUI at most 1.5x the hello-world app.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RUNS = int(os.environ.get("BENCH_RUNS", "7"))  # runs per figure (the tests use 1)

# Each child reports the seconds from the parent's launch to its first screen being up
# (wall clock handed over in BENCH_T0), then exits: work left in background threads after the
# first frame (the store opening) is not part of "first frame". The report is written while the
# app runs, where Textual captures print() and sys.stdout (headless, it passes the text on to the
# original stdout without flushing it, and os._exit then drops it unless PYTHONUNBUFFERED is set):
# it goes straight to a copy of the real standard output's descriptor taken before the app
# starts (os.dup, os.write), as a line the parent looks for.
REPORT = """
import os as _os
_REPORT_FD = _os.dup(1)
def report(seconds):
    _os.write(_REPORT_FD, ("FIRST_FRAME %r\\n" % seconds).encode())
"""

HELLO = (
    REPORT
    + """
import os, time
from textual.app import App
from textual.widgets import Static
class Hello(App):
    def compose(self):
        yield Static("Hello, world")
async def ready(pilot):
    await pilot.pause()
    report(time.time() - float(os.environ["BENCH_T0"]))
    os._exit(0)
Hello().run(headless=True, auto_pilot=ready)
"""
)

# The real `clerk-tui run` path (typer, settings, make_app), with App.run made headless and
# told to exit as soon as the first screen is up.
CLERK = (
    REPORT
    + """
import os, sys, time
from textual.app import App
_run = App.run
async def ready(pilot):
    await pilot.pause()
    assert type(pilot.app.screen).__name__ == "LoginScreen"
    report(time.time() - float(os.environ["BENCH_T0"]))
    os._exit(0)
App.run = lambda self, **kw: _run(self, headless=True, auto_pilot=ready)
sys.argv = ["clerk-tui", "--db", sys.argv[1], "run"]
from clerk_tui.entry import main  # the console script's own entry point
main()
"""
)


def timed(cmd: list[str], env: dict) -> float:
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT)
    return time.perf_counter() - t0


def median_of(cmd: list[str], env: dict) -> float:
    timed(cmd, env)  # warm the file cache
    return statistics.median(timed(cmd, env) for _ in range(RUNS))


def first_frame(name: str, cmd: list[str], env: dict) -> float:
    def once() -> float:
        done = subprocess.run(cmd, env=env | {"BENCH_T0": repr(time.time())}, capture_output=True, text=True, cwd=ROOT)
        for line in done.stdout.splitlines():
            if line.startswith("FIRST_FRAME "):
                return float(line.split()[1])
        sys.exit(
            f"bench_startup: {name} reported no first frame (exit status {done.returncode})\n{done.stderr[-2000:]}"
        )

    once()
    return statistics.median(once() for _ in range(RUNS))


def main() -> None:
    import argparse

    global RUNS
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per figure, after one warm-up (BENCH_RUNS)")
    parser.add_argument("--tui-only", action="store_true", help="only the first-frame figures")
    args = parser.parse_args()
    RUNS = max(1, args.runs)
    exe = Path(sys.executable).parent / "clerk-tui"
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "demo.db")
        # Installed programs run from compiled bytecode; this sandbox sets PYTHONDONTWRITEBYTECODE,
        # which would charge every start for recompiling clerk-tui's own modules.
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        env |= {"CLERK_TUI_DB": db, "CLERK_TUI_NEW_PIN": "24681357", "CLERK_TUI_KEY_FILE": str(Path(tmp) / "pin.key")}
        subprocess.run(
            [
                str(exe),
                "init",
                "--catalog",
                os.environ.get("BENCH_CATALOG", str(ROOT / "tests/fixtures/mini-hall.toml")),
            ],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
            cwd=ROOT,
        )
        if not args.tui_only:
            bare = median_of([sys.executable, "-c", "pass"], env)
            cli = median_of([str(exe), "catalog", "list", "--format", "json"], env)
            print(f"python -c pass                      {bare * 1000:7.0f} ms")
            print(
                f"clerk-tui catalog list --format json {cli * 1000:6.0f} ms   goal < 500 ms: "
                f"{'met' if cli < 0.5 else 'MISSED'}"
            )
        hello = first_frame("the Textual hello-world", [sys.executable, "-c", HELLO], env)
        clerk = first_frame("clerk-tui run", [sys.executable, "-c", CLERK, db], env)
        ratio = clerk / hello
        print(f"textual hello-world, first frame    {hello * 1000:7.0f} ms")
        print(
            f"clerk-tui run, first frame (login)  {clerk * 1000:7.0f} ms   ratio {ratio:.2f}x   goal <= 1.5x: "
            f"{'met' if ratio <= 1.5 else 'MISSED'}"
        )
        print(f"(median of {RUNS} runs each, after one warm-up run)")


if __name__ == "__main__":
    main()
