"""Load on the public devices' web server: one ``clerk-tui serve`` process, 60 live pages.

1. A hall with a year of history (scripts/generate_year.py; ``--tickets 0 --cases 0``: the demo
   hall alone) in a temporary folder, or the database given with ``--db``.
2. Devices registered through the service (hall displays; rating pads where the server has the
   pad page) and waiting tickets' status links; ``clerk-tui serve`` started as a subprocess.
3. 60 clients in this process (asyncio, raw sockets: the server-sent event streams as a browser's
   EventSource reads them), mixed: displays, pads, status pages.
4. Another process calls through the service (``finish_and_call_next`` at window 3, as a clerk's
   F3) every ``--interval`` seconds and notes, for each call, the moment its transaction committed
   and the event id it wrote. Every stream message carries the store's newest event id; a call has
   arrived at a client with its first message whose id is at least the call's.
5. Printed: the time from each call's commit to its arrival at each client (p50, p99, max over
   calls x clients), how many calls were on all clients within 1 s, serve's resident memory and
   CPU (from /proc) while the calls ran.

Usage: python scripts/bench_web.py [--clients 60] [--calls 100] [--interval 0.5]
                                   [--tickets 900000 --cases 900000] [--db DB]
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
from demo_server import free_port, wait_listening  # noqa: E402  (scripts/, beside this one)

NOW = "2026-11-26T10:00:00"  # generate_year's "today": its year of history ends the day before
WINDOW = 3  # the demo's window 3 (clerk 1003) makes the calls
WITHIN = 1.0  # the goal: a call on every page within a second


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, round(p / 100 * (len(values) - 1)))]


# ---------------------------------------------------------------- the hall


def build_hall(db: str, tickets: int, cases: int) -> None:
    if tickets or cases:
        script = ROOT / "scripts" / "generate_year.py"
        args = [sys.executable, str(script), db, "--tickets", str(tickets), "--cases", str(cases)]
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    else:
        from clerk_tui.services.setup import build_demo
        from clerk_tui.store.engine import make_engine

        engine = make_engine(db)
        build_demo(engine)
        engine.dispose()


@dataclass
class Page:
    kind: str  # display, pad, status
    path: str  # the event stream's path with its query
    bearer: str = ""  # a device's token (a status link carries its own in the path)


def register(db: str, displays: int, pads: int, statuses: int, calls: int) -> list[Page]:
    """Devices and status links for the clients; enough waiting tickets for window 3's calls."""
    from clerk_tui.services.devices import add_device
    from clerk_tui.services.queue import issue_ticket, window_panel
    from clerk_tui.services.setup import demo_actor
    from clerk_tui.services.ticket_status import status_url
    from clerk_tui.store.engine import make_engine

    engine = make_engine(db)
    supervisor, guide = demo_actor(engine, "9001"), demo_actor(engine, "8001")
    pages = [
        Page("display", "/display/events", add_device(engine, supervisor, "display", f"基准屏{i}").token)
        for i in range(displays)
    ]
    windows = [w.number for w in _windows(engine)]
    pages += [
        Page(
            "pad",
            "/pad/events",
            add_device(engine, supervisor, "pad", f"基准评价器{i}", window=windows[i % len(windows)]).token,
        )
        for i in range(pads)
    ]
    queue = window_panel(engine, WINDOW).queues[0].prefix
    tickets = [issue_ticket(engine, guide, queue=queue) for _ in range(calls + 5)]
    step = max(1, len(tickets) // max(1, statuses))
    for i in range(statuses):  # links of tickets spread over the line: each page sees its own progress
        url = status_url(tickets[(i * step) % len(tickets)], "http://bench")
        if url is None:
            raise SystemExit("no PIN key file: status links cannot be made (CLERK_TUI_KEY_FILE)")
        pages.append(Page("status", "/status/events" + url.removeprefix("http://bench/status")))
    engine.dispose()
    return pages


def _windows(engine):
    from sqlmodel import select

    from clerk_tui.store.engine import read_session
    from clerk_tui.store.models import Window

    with read_session(engine) as session:
        return list(session.exec(select(Window).order_by(Window.number)))


# ---------------------------------------------------------------- the clients


@dataclass
class Client:
    page: Page
    received: list[tuple[int, float]] = field(default_factory=list)  # (event id, arrival time)
    error: str = ""


async def follow(client: Client, port: int, connected: asyncio.Event, counter: list[int], total: int) -> None:
    """One page's event stream, read as EventSource does; each message's id and arrival noted."""
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 20)
        head = f"GET {client.page.path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept: text/event-stream\r\n"
        if client.page.bearer:
            head += f"Authorization: Bearer {client.page.bearer}\r\n"
        writer.write((head + "\r\n").encode())
        await writer.drain()
        status = (await reader.readline()).decode().split()
        if len(status) < 2 or status[1] != "200":
            client.error = f"HTTP {status[1] if len(status) > 1 else '?'}"
            return
        chunked = False
        while (line := await reader.readline()) not in (b"\r\n", b""):
            chunked |= line.lower().startswith(b"transfer-encoding: chunked")
        counter[0] += 1
        if counter[0] == total:
            connected.set()
        buffer = b""
        while True:
            if chunked:
                size = int((await reader.readline()).strip() or b"0", 16)
                if size == 0:
                    return
                buffer += (await reader.readexactly(size + 2))[:-2]
            else:
                data = await reader.read(65536)
                if not data:
                    return
                buffer += data
            while b"\n\n" in buffer:
                message, buffer = buffer.split(b"\n\n", 1)
                now = time.time()
                for line in message.split(b"\n"):
                    if line.startswith(b"id: "):
                        client.received.append((int(line[4:]), now))
    except (OSError, asyncio.IncompleteReadError, ValueError) as exc:
        client.error = type(exc).__name__


# ---------------------------------------------------------------- the caller (another process)


def caller(db: str, calls: int, interval: float, out) -> None:
    """A clerk at window 3 calling the next ticket ``calls`` times; (event id, commit time, number)."""
    os.environ["CLERK_TUI_NOW"] = NOW
    from clerk_tui.services.queue import finish_and_call_next, last_event_id
    from clerk_tui.services.setup import demo_actor
    from clerk_tui.store.engine import make_engine

    engine = make_engine(db)
    clerk = demo_actor(engine, "1003", WINDOW)
    done = []
    for _ in range(calls):
        result = finish_and_call_next(engine, clerk, WINDOW)
        committed = time.time()
        if result.call.ticket is not None:
            done.append((last_event_id(engine), committed, result.call.ticket.number))
        time.sleep(interval)
    out.put(done)


# ---------------------------------------------------------------- serve, measured from /proc


def proc_cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def proc_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def has_page(port: int, path: str) -> bool:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nConnection: close\r\n\r\n".encode())
        return s.recv(64).split()[1] != b"404"


async def measure(port: int, pages: list[Page], db: str, calls: int, interval: float, pid: int) -> dict:
    clients = [Client(p) for p in pages]
    connected, counter = asyncio.Event(), [0]
    tasks = [asyncio.create_task(follow(c, port, connected, counter, len(clients))) for c in clients]
    try:
        await asyncio.wait_for(connected.wait(), 60)
    except TimeoutError:
        errors = [c.error for c in clients if c.error]
        raise SystemExit(f"only {counter[0]} of {len(clients)} clients connected: {errors[:5]}") from None
    await asyncio.sleep(1.0)
    rss_idle = proc_rss_mb(pid)
    cpu0, t0 = proc_cpu_seconds(pid), time.monotonic()
    out = mp.get_context("spawn").Queue()
    proc = mp.get_context("spawn").Process(target=caller, args=(db, calls, interval, out))
    proc.start()
    rss_peak = rss_idle
    while proc.is_alive() and out.empty():
        rss_peak = max(rss_peak, proc_rss_mb(pid))
        await asyncio.sleep(0.2)
    made = await asyncio.get_running_loop().run_in_executor(None, out.get)
    proc.join()
    await asyncio.sleep(2.0)  # the last call's arrival
    cpu = (proc_cpu_seconds(pid) - cpu0) / (time.monotonic() - t0)
    rss_peak = max(rss_peak, proc_rss_mb(pid))
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    return {"clients": clients, "calls": made, "cpu": cpu, "rss_idle": rss_idle, "rss_peak": rss_peak}


def report(result: dict) -> bool:
    clients, made = result["clients"], result["calls"]
    latencies: list[float] = []
    missing = 0
    on_all_within = 0
    for version, committed, _number in made:
        worst = 0.0
        for client in clients:
            arrival = next((at for seen, at in client.received if seen >= version), None)
            if arrival is None:
                missing += 1
                worst = float("inf")
                continue
            latencies.append(arrival - committed)
            worst = max(worst, arrival - committed)
        on_all_within += worst <= WITHIN
    kinds: dict[str, int] = {}
    for client in clients:
        kinds[client.page.kind] = kinds.get(client.page.kind, 0) + 1
    ms = [x * 1000 for x in latencies]
    print(f"clients: {len(clients)} ({', '.join(f'{n} {k}' for k, n in sorted(kinds.items()))})")
    print(f"calls: {len(made)}; arrivals measured: {len(ms)}; missing: {missing}")
    if ms:
        print(f"commit -> page: p50 {pct(ms, 50):.0f} ms, p99 {pct(ms, 99):.0f} ms, max {max(ms):.0f} ms")
    print(f"calls on all {len(clients)} pages within {WITHIN:.0f} s: {on_all_within}/{len(made)}")
    print(f"serve: RSS {result['rss_idle']:.0f} MB with the pages open, {result['rss_peak']:.0f} MB at most; ")
    print(f"       CPU {result['cpu'] * 100:.0f} % of one core while calling")
    return bool(made) and on_all_within == len(made) and not missing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=60)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between calls")
    parser.add_argument("--tickets", type=int, default=900_000, help="a year's tickets of history (0: the demo)")
    parser.add_argument("--cases", type=int, default=900_000, help="a year's cases of history")
    parser.add_argument("--db", help="an SQLite file (built when missing, else reused) or an empty PostgreSQL database")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="clerk-tui-bench-web-"))
    os.environ["CLERK_TUI_NOW"] = NOW
    os.environ.setdefault("CLERK_TUI_KEY_FILE", str(folder / "pin.key"))
    from clerk_tui.services.pin_key import ensure_key_file

    ensure_key_file()
    db = args.db or str(folder / "hall.db")
    if "://" in db or not Path(db).exists():  # a PostgreSQL URL: an empty database (or schema) to build in
        t0 = time.monotonic()
        build_hall(db, args.tickets, args.cases)
        print(f"hall built in {time.monotonic() - t0:.0f} s ({args.tickets} tickets, {args.cases} cases of history)")
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "clerk_tui", "--db", db, "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_listening(port, server, 60)
        pads = args.clients // 3 if has_page(port, "/pad/events") else 0
        statuses = args.clients // 3
        displays = args.clients - pads - statuses
        if not pads:
            print("this server has no rating pad page: its share goes to displays")
        pages = register(db, displays, pads, statuses, args.calls)
        result = asyncio.run(measure(port, pages, db, args.calls, args.interval, server.pid))
    finally:
        server.terminate()
        server.wait(15)
    return 0 if report(result) else 1


if __name__ == "__main__":
    sys.exit(main())
