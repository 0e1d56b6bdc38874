"""Voice announcements (语音叫号) through espeak-ng's Mandarin pinyin voice, never blocking.

``cmn-latn-pinyin`` reads Chinese correctly where the plain ``cmn`` voice reads many characters
as English (DOMAIN.md §8). Announcements queue up in one background thread so that two calls
are never spoken over each other and the board never waits for the sound.

The web display plays the same announcements from WAV files the server makes (``PhraseAudio``):
a chime generated here, then the phrase from espeak-ng or joined from the hall's recorded clips.
"""

from __future__ import annotations

import io
import math
import os
import queue
import shutil
import subprocess
import tempfile
import threading
import wave
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

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


# ---------------------------------------------------------------- audio files (the web display)

CHIME_NOTES = ((784.0, 0.28), (659.0, 0.42))  # G5 then E5: the "ding-dong" before a call
CACHE_PHRASES = 64  # announcements kept in memory (a hall's day repeats few windows, many numbers)
_CLIP_LIMIT = 8 * 1024 * 1024  # bytes: a recorded clip larger than this is not a word


class VoiceUnavailable(Exception):
    """No audio can be made (no espeak-ng and no clips, or a clip folder that does not fit)."""


@dataclass(frozen=True)
class WavFormat:
    channels: int = 1
    width: int = 2  # bytes a sample
    rate: int = 22050  # espeak-ng's own rate


def chime(fmt: WavFormat = WavFormat()) -> bytes:
    """A short two-note chime as raw frames in ``fmt`` (16-bit or 8-bit PCM), fading out."""
    frames = bytearray()
    peak = 0.35 * (32767 if fmt.width == 2 else 127)
    for freq, seconds in CHIME_NOTES:
        count = int(fmt.rate * seconds)
        for i in range(count):
            env = min(1.0, i / (fmt.rate * 0.01)) * (1 - i / count) ** 2
            value = int(peak * env * math.sin(2 * math.pi * freq * i / fmt.rate))
            sample = value.to_bytes(2, "little", signed=True) if fmt.width == 2 else bytes([value + 128])
            frames += sample * fmt.channels
    return bytes(frames) + silence(fmt, 0.15)


def silence(fmt: WavFormat, seconds: float) -> bytes:
    pad = b"\x00" * fmt.width if fmt.width == 2 else b"\x80"
    return pad * fmt.channels * int(fmt.rate * seconds)


def read_wav(data: bytes) -> tuple[WavFormat, bytes]:
    with wave.open(io.BytesIO(data), "rb") as w:
        if w.getcomptype() != "NONE" or w.getsampwidth() not in (1, 2):
            raise VoiceUnavailable("录音应为未压缩的 8 位或 16 位 PCM WAV 文件")
        return WavFormat(w.getnchannels(), w.getsampwidth(), w.getframerate()), w.readframes(w.getnframes())


def write_wav(fmt: WavFormat, frames: bytes) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(fmt.channels)
        w.setsampwidth(fmt.width)
        w.setframerate(fmt.rate)
        w.writeframes(frames)
    return out.getvalue()


def espeak_wav(text: str, executable: str | None = None) -> bytes:
    """``text`` spoken by espeak-ng (the same voice and speed as the terminal display) as WAV bytes.
    ``executable``: None finds espeak-ng on PATH; "" means none (as ``Announcer``)."""
    if executable is None:
        executable = espeak_path()
    if not executable:
        raise VoiceUnavailable(
            "服务器未安装 espeak-ng（apt-get install espeak-ng），也未设置录音文件夹 display.voice_clips"
        )
    with tempfile.TemporaryDirectory(prefix="clerk-tui-voice-") as folder:
        target = os.path.join(folder, "phrase.wav")
        try:
            subprocess.run(
                espeak_command(text, wav=target, executable=executable),
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                timeout=30,
                check=True,
            )
            with open(target, "rb") as f:
                return f.read()
        except (OSError, subprocess.SubprocessError) as exc:
            raise VoiceUnavailable(f"espeak-ng 未能生成语音（{type(exc).__name__}）") from None


def clip_pieces(text: str, names: Iterable[str]) -> list[str] | None:
    """``text`` cut into the clips' names, longest first at each place (请 + A + 0 + 0 + 1 + 号到 …);
    None when some character has no clip. Spaces are skipped."""
    by_length = sorted(set(names), key=len, reverse=True)
    pieces, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        for name in by_length:
            if name and text.startswith(name, i):
                pieces.append(name)
                i += len(name)
                break
        else:
            return None
    return pieces


def clips_wav(text: str, folder: str) -> tuple[WavFormat, bytes] | None:
    """``text`` joined from a folder of recorded clips (``请.wav``, ``A.wav``, ``1.wav``, ``号到.wav`` …;
    names are matched without case for letters); None when a clip is missing. All clips must share
    one format (channels, sample width, rate)."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise VoiceUnavailable(f"录音文件夹 {root} 不存在：请检查配置 display.voice_clips")
    files = {p.stem.upper() if p.stem.isascii() else p.stem: p for p in root.glob("*.wav") if p.is_file()}
    pieces = clip_pieces(text.upper(), files)
    if pieces is None:
        return None
    fmt: WavFormat | None = None
    frames = bytearray()
    for name in pieces:
        path = files[name]
        if path.stat().st_size > _CLIP_LIMIT:
            raise VoiceUnavailable(f"录音 {path.name} 太大（超过 8 MB）")
        piece_fmt, piece = read_wav(path.read_bytes())
        if fmt is None:
            fmt = piece_fmt
        elif piece_fmt != fmt:
            raise VoiceUnavailable(
                f"录音 {path.name} 的格式（{piece_fmt.rate} Hz、{piece_fmt.channels} 声道）与其他录音不同：请统一后再用"
            )
        frames += piece
    return (fmt or WavFormat()), bytes(frames)


class PhraseAudio:
    """Announcements as WAV bytes, a chime first: from the hall's clips when ``clips`` names a
    folder that has every piece of the phrase, else espeak-ng. The last CACHE_PHRASES are kept."""

    def __init__(self, clips: str = "", executable: str | None = None, size: int = CACHE_PHRASES) -> None:
        self.clips, self.executable, self.size = clips, executable, size
        self._cache: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()
        self.made = 0  # phrases synthesised or joined (not served from the cache)

    def wav(self, phrase: str) -> bytes:
        with self._lock:
            if phrase in self._cache:
                self._cache.move_to_end(phrase)
                return self._cache[phrase]
        data = self._make(phrase)
        with self._lock:
            self._cache[phrase] = data
            self.made += 1
            while len(self._cache) > self.size:
                self._cache.popitem(last=False)
        return data

    def _make(self, phrase: str) -> bytes:
        joined = clips_wav(phrase, self.clips) if self.clips else None
        if joined is None:
            joined = read_wav(espeak_wav(phrase, self.executable))
        fmt, frames = joined
        return write_wav(fmt, chime(fmt) + frames)
