"""scripts/bench_keys.py runs end to end on a tiny hall and prints its lines (no time is asserted)."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_bench_keys_prints_every_key():
    env = {k: v for k, v in os.environ.items() if not k.startswith("CLERK_TUI_") or k == "CLERK_TUI_PIN_COST"}
    out = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts/bench_keys.py"),
            "--hall",
            "mini",
            "--cases",
            "20",
            "--tickets",
            "20",
            "--keys",
            "4",
            "--calls",
            "2",
            "--lookups",
            "2",
        ],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=ROOT,
    )
    assert out.returncode == 0, out.stderr[-2000:]
    lines = out.stdout.splitlines()
    for key, bare in (
        ("guide keystroke", "bare: keystroke"),
        ("F5 call", "bare: call"),
        ("case lookup", "bare: lookup"),
        ("case open", "bare: push"),
    ):
        assert any(line.startswith(key) and "clerk-tui" in line for line in lines), out.stdout
        assert any(line.startswith(key) and bare in line for line in lines), out.stdout
        assert any(line.startswith(key) and "ratio p50" in line and "goal <= 1.2x" in line for line in lines)
    assert "timed out" not in out.stdout
