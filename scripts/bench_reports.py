"""Reports and the supervisor screen on a generated year (scripts/generate_year.py: about 900,000
cases and as many tickets). Goals: the yearly report ≤ 2 s; the supervisor screen's refresh
≤ 100 ms of work per cycle.

Usage: python scripts/bench_reports.py [--cases 900000] [--tickets 900000] [--db URL]
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=900_000)
    parser.add_argument("--tickets", type=int, default=900_000)
    parser.add_argument("--db", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    import generate_year

    os.environ["CLERK_TUI_NOW"] = f"{generate_year.TODAY}T10:00:00"
    from clerk_tui.services.reports import build_report
    from clerk_tui.services.setup import build_demo, demo_actor
    from clerk_tui.services.supervisor import board
    from clerk_tui.store.engine import make_engine

    engine = make_engine(args.db or str(Path(tempfile.mkdtemp()) / "year.db"))
    build_demo(engine)
    made = generate_year.generate(engine, args.cases, args.tickets, quiet=True)
    print(
        f"store: {engine.dialect.name}; generated {made['cases']:,} cases and {made['tickets']:,} tickets "
        f"over {made['days']} working days in {made['seconds']} s"
    )
    year = (dt.date(2025, 11, 26), dt.date(2026, 11, 26))  # up to and including today
    sup = demo_actor(engine, "9001")  # the supervisor reads every clerk's figures
    print(
        "\n'cold': no day kept yet (right after a bulk import), the report counts and keeps every past day;"
        "\n'kept': as on a running hall, whose supervisor screen keeps each past day once in the background;"
        "\nthe report then sums the kept days and counts only today."
    )
    print(f"\n{'yearly report':34} {'cold s':>8} {'kept s':>8} {'goal s':>7} {'ratio':>6}")
    for by in ("hall", "department", "window", "clerk"):
        t0 = time.perf_counter()
        build_report(engine, sup, *year, by)
        first = time.perf_counter() - t0
        times = []
        for _ in range(3):
            t0 = time.perf_counter()
            report = build_report(engine, sup, *year, by)
            times.append(time.perf_counter() - t0)
        later = statistics.median(times)
        label = f"by {by} ({len(report.groups)} groups)"
        print(f"{label:34} {first:8.2f} {later:8.2f} {2.0:7.1f} {later / 2:6.2f}")
    board(engine, sup)  # warm
    times = []
    for _ in range(50):
        t0 = time.perf_counter()
        board(engine, sup)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p50, p99 = times[len(times) // 2], times[min(len(times) - 1, int(0.99 * len(times)))]
    print(f"\nsupervisor refresh: p50 {p50:.1f} ms, p99 {p99:.1f} ms (goal 100 ms, p99 ratio {p99 / 100:.2f})")


if __name__ == "__main__":
    main()
