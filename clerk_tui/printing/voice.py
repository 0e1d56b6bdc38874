"""Voice announcements (语音叫号) through espeak-ng's Mandarin pinyin voice, never blocking.

``cmn-latn-pinyin`` reads Chinese correctly where the plain ``cmn`` voice reads many characters
as English (DOMAIN.md §8). Announcements queue up in one background thread so that two calls
are never spoken over each other and the board never waits for the sound.
"""

from __future__ import annotations

import queue
import shutil
import subprocess
import threading
from collections.abc import Callable, Sequence

VOICE = "cmn-latn-pinyin"
SPEED = 150


def espeak_path() -> str | None:
    return shutil.which("espeak-ng")


def espeak_command(text: str, *, wav: str | None = None, executable: str = "espeak-ng") -> list[str]:
    cmd = [executable, "-v", VOICE, "-s", str(SPEED)]
    if wav:
        cmd += ["-w", wav]
    return [*cmd, text]


class Announcer:
    """Speaks phrases one after another in a daemon thread. ``available`` is False without
    espeak-ng; then ``say`` does nothing (the display says so once)."""

    def __init__(self, executable: str | None = None, runner: Callable[[Sequence[str]], object] | None = None) -> None:
        self.executable = executable if executable is not None else espeak_path()
        self._runner = runner or (
            lambda cmd: subprocess.run(
                cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=30, check=False
            )
        )
        self._queue: queue.Queue[str | None] = queue.Queue(maxsize=32)
        self._thread: threading.Thread | None = None
        self.spoken: list[str] = []

    @property
    def available(self) -> bool:
        return bool(self.executable)

    def say(self, text: str) -> None:
        if not self.available:
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._loop, name="announcer", daemon=True)
            self._thread.start()
        try:
            self._queue.put_nowait(text)
        except queue.Full:
            pass  # a backlog of calls: the board shows them; dropping speech is better than lagging

    def _loop(self) -> None:
        while True:
            text = self._queue.get()
            if text is None:
                return
            try:
                self._runner(espeak_command(text, executable=self.executable))
                self.spoken.append(text)
            except Exception:
                pass

    def close(self) -> None:
        if self._thread is not None:
            self._queue.put(None)
