"""The web server under a county hall's load: N open displays (server-sent event streams) on one
``clerk-tui serve`` process, and calls made through the services; how long each call takes to
reach every display, and what the server costs in memory and CPU.

1. Builds the demo hall in a temporary folder (``clerk-tui demo --no-tui``) and registers one
   display device (all clients use its URL, as N TVs would use theirs).
2. Starts ``clerk-tui serve`` as its own process, opens N streams (raw sockets, asyncio).
3. Makes ``--calls`` calls at windows of the demo (one every ``--every`` seconds) and times, for
   each stream, the arrival of the board that shows the call, from the moment the call committed.

Usage: python scripts/bench_web.py [--clients 60] [--calls 20] [--every 0.5]
Prints p50/p95/max of the delay, the server's resident memory and its CPU share during the calls.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_figures(pid: int) -> tuple[float, int]:
    """(CPU seconds used so far, resident memory in KiB) of a process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])  # utime + stime
    rss = next(
        int(line.split()[1])
        for line in Path(f"/proc/{pid}/status").read_text().splitlines()
        if line.startswith("VmRSS")
    )
    return ticks / os.sysconf("SC_CLK_TCK"), rss


class Streams:
    """N displays' streams: when each call (its ticket's number) first reached each of them."""

    def __init__(self, count: int) -> None:
        self.seen: list[dict[str, float]] = [{} for _ in range(count)]
        self.opened = 0
        self.all_open = asyncio.Event()

    async def follow(self, port: int, path: str, index: int) -> None:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
        await writer.drain()
        event, first = None, True
        try:
            while line := (await reader.readline()).decode("utf-8", "replace"):
                line = line.rstrip("\r\n")
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "board":
                    for call in json.loads(line[6:])["calls"][:1]:
                        self.seen[index].setdefault(call["number"], time.monotonic())
                    if first:
                        first = False
                        self.opened += 1
                        if self.opened == len(self.seen):
                            self.all_open.set()
        finally:
            writer.close()


async def run(args, port: int, path: str, make_call) -> list[float]:
    streams = Streams(args.clients)
    tasks = [asyncio.create_task(streams.follow(port, path, i)) for i in range(args.clients)]
    await asyncio.wait(
        [asyncio.ensure_future(streams.all_open.wait()), *tasks], timeout=60, return_when=asyncio.FIRST_COMPLETED
    )
    for t in tasks:
        if t.done():
            t.result()  # a stream that failed says why
    if not streams.all_open.is_set():
        raise SystemExit(f"only {streams.opened} of {args.clients} streams opened within 60 s")
    committed: dict[str, float] = {}
    for _ in range(args.calls):
        number = await asyncio.to_thread(make_call)
        committed[number] = time.monotonic()
        await asyncio.sleep(args.every)
    await asyncio.sleep(2)
    for t in tasks:
        t.cancel()
    delays = [seen[e] - at for seen in streams.seen for e, at in committed.items() if e in seen]
    if missing := args.clients * args.calls - len(delays):
        print(f"  {missing} (stream, call) pairs never arrived")
    return delays


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--calls", type=int, default=20)
    parser.add_argument("--every", type=float, default=0.5)
    args = parser.parse_args()
    program = str(Path(sys.executable).with_name("clerk-tui"))
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="clerk-tui-bench-web-") as folder:
        env = {
            **os.environ,
            "CLERK_TUI_CONFIG": str(Path(folder) / "settings.toml"),
            "CLERK_TUI_KEY_FILE": str(Path(folder) / "pin.key"),
            "CLERK_TUI_DB": str(Path(folder) / "demo.db"),
        }
        Path(env["CLERK_TUI_CONFIG"]).write_text(
            f"[serve]\nport = {port}\n[display]\nvoice = false\n", encoding="utf-8"
        )
        demo = subprocess.run([program, "demo", "--no-tui"], env=env, capture_output=True, text=True, check=True)
        url = re.search(r"http://\S+/display\?t=\S+", demo.stdout).group(0)
        path = "/display/events?" + url.split("?", 1)[1]  # the stream each display page opens
        os.environ.update({k: env[k] for k in ("CLERK_TUI_CONFIG", "CLERK_TUI_KEY_FILE", "CLERK_TUI_DB")})
        from clerk_tui.services import queue as q
        from clerk_tui.services.pin_key import configure
        from clerk_tui.services.staff import login
        from clerk_tui.settings import load_settings
        from clerk_tui.store.engine import make_engine

        configure(load_settings())
        engine = make_engine(env["CLERK_TUI_DB"])
        guide = login(engine, "8001", "123456")
        clerk = login(engine, "1003", "123456", window=3)

        def make_call() -> str:
            """A clerk's turn at window 3: finish whom they serve, call the next (a new ticket waits)."""
            panel = q.window_panel(engine, 3)
            q.issue_ticket(engine, guide, queue=panel.queues[0].prefix)
            current = panel.current
            if current is not None:
                if current.status == "called":
                    q.start_service(engine, clerk, current.number, 3)
                q.finish_service(engine, clerk, current.number, 3)
            called = q.call_next(engine, clerk, 3).ticket
            if called is None:
                raise SystemExit("window 3 found nobody to call")
            return called.number

        server = subprocess.Popen(
            [program, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        try:
            deadline = time.monotonic() + 30
            while socket.socket().connect_ex(("127.0.0.1", port)) != 0:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise SystemExit("clerk-tui serve did not start")
                time.sleep(0.1)
            cpu0, _ = proc_figures(server.pid)
            wall0 = time.monotonic()
            delays = asyncio.run(run(args, port, path, make_call))
            cpu1, rss = proc_figures(server.pid)
            wall = time.monotonic() - wall0
        finally:
            server.terminate()
            server.wait(10)
    if not delays:
        print("no call reached any stream")
        return 1
    ms = [d * 1000 for d in delays]
    print(
        f"{args.clients} streams, {args.calls} calls: delay p50 {pct(ms, 50):.0f} ms, p95 {pct(ms, 95):.0f} ms, max {max(ms):.0f} ms (mean {statistics.mean(ms):.0f})"
    )
    print(
        f"serve: resident memory {rss / 1024:.0f} MiB, CPU {100 * (cpu1 - cpu0) / wall:.0f}% of one core over {wall:.1f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
