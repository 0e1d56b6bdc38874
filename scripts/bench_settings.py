"""Settings at start-up: the hand-written loader (clerk_tui/settings.py) against pydantic-settings.

Each variant runs in a fresh interpreter (start-up cost is what matters), reading the same
settings file, N times; it prints the median and p90 in ms and the ratio. Two figures per variant:
alone (nothing imported yet, as the TUI's login screen starts), and after SQLModel is imported (as
every CLI command that opens the store has pydantic loaded already).

    .venv/bin/pip install pydantic-settings   # only to measure; the project does not depend on it
    .venv/bin/python scripts/bench_settings.py [--runs 30]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path

SETTINGS_TOML = """\
database = "/tmp/hall.db"

[calendar]
count_from_same_day = false

[cases]
yellow_days = 2

[printing]
ticket = "tcp://127.0.0.1:9100"
width = 80

[terminal]
window = 3

[keys]
"guide.focus_search" = "slash,ctrl+f"

[queue]
priority_mode = "interleave"

[ratings]
followup_days = 3
"""

HAND = """
from clerk_tui.settings import load_settings
s = load_settings(config=PATH)
assert s.printing.width == 80 and s.window == 3
"""

# The same sections as a pydantic-settings model: nested models, a TOML source, env overrides.
PYDANTIC = """
from pydantic import BaseModel, Field
from pydantic_settings import BaseSettings, SettingsConfigDict, TomlConfigSettingsSource

class Calendar(BaseModel):
    count_from_same_day: bool = False

class Cases(BaseModel):
    yellow_days: int = Field(2, ge=0, le=30)

class Printing(BaseModel):
    ticket: str = ""
    receipt: str = ""
    width: int = 80
    font: str = ""
    templates: str = ""
    qr: str = "native"

class Terminal(BaseModel):
    window: int | None = None

class Queue(BaseModel):
    priority_mode: str = "priority_first"
    interleave_normals: int = 3
    transferred_front: bool = True
    rejoin_minutes: int = 30
    recalls_before_no_show: int = 2
    auto_no_show: bool = False
    max_active_per_id: int = 3
    appointment_early_minutes: int = 15
    appointment_late_minutes: int = 15
    voice_phrase: str = "请{number}号到{window}号窗口办理"

class Ratings(BaseModel):
    followup_days: int = Field(3, ge=1)
    timeout_seconds: int = Field(60, ge=1)

class Display(BaseModel):
    voice: bool = True

class Responsibility(BaseModel):
    handover_ack_minutes: int = 15
    escalate_after_minutes: int = 30
    case_handover_ack_minutes: int = 120

class HallSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="CLERK_TUI_", extra="forbid", toml_file=PATH)
    database: str = ""
    calendar: Calendar = Calendar()
    cases: Cases = Cases()
    printing: Printing = Printing()
    terminal: Terminal = Terminal()
    keys: dict[str, str] = {}
    queue: Queue = Queue()
    ratings: Ratings = Ratings()
    display: Display = Display()
    responsibility: Responsibility = Responsibility()

    @classmethod
    def settings_customise_sources(cls, settings_cls, init_settings, env_settings, dotenv_settings,
                                   file_secret_settings):
        return (init_settings, env_settings, TomlConfigSettingsSource(settings_cls))

s = HallSettings()
assert s.printing.width == 80 and s.terminal.window == 3
"""


def run(body: str, path: Path, preload: bool, runs: int) -> list[float]:
    code = (
        textwrap.dedent(f"""
        import time
        PATH = {str(path)!r}
        {"import sqlmodel" if preload else ""}
        t0 = time.perf_counter()
    """)
        + textwrap.dedent(body)
        + "\nprint((time.perf_counter() - t0) * 1000)\n"
    )
    out = []
    for _ in range(runs):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        if done.returncode:
            raise SystemExit(done.stderr.strip().splitlines()[-1])
        out.append(float(done.stdout.strip().splitlines()[-1]))
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=30)
    args = ap.parse_args()
    try:
        import pydantic_settings  # noqa: F401  (only checks that the alternative is installed)
    except ImportError:
        raise SystemExit("pydantic-settings is not installed: .venv/bin/pip install pydantic-settings") from None
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "settings.toml"
        path.write_text(SETTINGS_TOML, encoding="utf-8")
        for preload in (False, True):
            label = "after `import sqlmodel`" if preload else "alone"
            hand = sorted(run(HAND, path, preload, args.runs))
            pyd = sorted(run(PYDANTIC, path, preload, args.runs))
            p90 = max(0, int(len(hand) * 0.9) - 1)
            print(f"{label:26} hand-written: median {statistics.median(hand):6.1f} ms  p90 {hand[p90]:6.1f} ms")
            print(
                f"{'':26} pydantic-settings: median {statistics.median(pyd):6.1f} ms  p90 {pyd[p90]:6.1f} ms"
                f"  ratio {statistics.median(pyd) / statistics.median(hand):.2f}x"
            )


if __name__ == "__main__":
    main()
