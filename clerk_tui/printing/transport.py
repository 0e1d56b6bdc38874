"""Printers named by URL, and sending bytes (or a PDF) to them.

``tcp://HOST:PORT`` (a network printer, port 9100 by default), ``usb:///dev/usb/lp0`` (a USB
device file), ``cups://QUEUE`` (a raw CUPS queue, sent with ``lp -o raw``), ``file:///PATH``
(bytes appended to a file), ``pdf:///DIR`` (an A4 PDF per paper in a folder) and ``dummy:``
(kept in memory, for tests). ESC/POS goes through python-escpos's connectors.
"""

from __future__ import annotations

import os
import select
import shutil
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from clerk_tui.domain.words import oserror_words
from clerk_tui.paths import append_private, private_dir

FORMS = "tcp://主机:端口、usb:///dev/usb/lp0、cups://队列名、file:///路径、pdf:///目录 或 dummy:"
TIMEOUT = 5.0  # connecting, and each write to a printer that stopped reading
STATUS_TIMEOUT = 3.0  # how long a printer has to answer DLE EOT
STATUS_KINDS = ("tcp", "usb")  # the printers with a back channel that answers DLE EOT
DLE_EOT = (b"\x10\x04\x01", b"\x10\x04\x02", b"\x10\x04\x04")  # printer, offline cause, paper sensor


class PrinterUrlError(ValueError):
    pass


class PrintFailed(Exception):
    """The printer did not take the job (offline, paper out, timeout): the job stays pending."""


class PrinterTrouble(PrintFailed):
    """The printer answered its status, or failed to: ``reason`` is 无响应, 缺纸, 开盖, 脱机 or 故障."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(f"{reason}：{message}")
        self.reason = reason


def papers_path(printer: Printer, folder: str) -> Path:
    """Where a ``file://`` or ``pdf://`` printer writes, refused unless inside the papers ``folder``
    (after resolving symlinks; ``..`` is refused as written)."""
    where = "；".join(["请改用设置 [printing] papers 所指的纸张目录下的路径", f"当前纸张目录：{folder or '未配置'}"])
    if not folder:
        raise PrinterUrlError(f"打印机 {printer.url} 写入文件，但设置 [printing] papers（纸张目录）未配置：{where}")
    if ".." in Path(printer.target).parts:
        raise PrinterUrlError(f"打印机地址 {printer.url} 含“..”，不允许：{where}")
    root = Path(folder).expanduser().resolve()
    path = Path(printer.target).resolve()
    if path != root and not path.is_relative_to(root):
        raise PrinterUrlError(f"打印机地址 {printer.url} 不在纸张目录内（或经符号链接指向目录外），不允许写入：{where}")
    return path


@dataclass(frozen=True)
class Printer:
    kind: str  # tcp | usb | cups | file | pdf | dummy
    target: str  # host:port, device, queue, path or folder
    url: str

    @property
    def host_port(self) -> tuple[str, int]:
        host, _, port = self.target.rpartition(":")
        return host, int(port)


def parse_printer(url: str) -> Printer:
    url = (url or "").strip()
    if url in ("dummy:", "dummy://"):
        return Printer("dummy", "", "dummy:")
    parts = urlsplit(url)
    kind = parts.scheme.lower()
    if kind == "tcp":
        if not parts.hostname:
            raise PrinterUrlError(f"打印机地址 {url!r} 缺少主机名，应写成 tcp://192.168.1.50:9100")
        try:
            port = parts.port or 9100
        except ValueError as exc:
            raise PrinterUrlError(f"打印机地址 {url!r} 的端口无效，应为 1–65535 的数字") from exc
        return Printer("tcp", f"{parts.hostname}:{port}", url)
    if kind in ("usb", "file", "pdf"):
        path = parts.path
        if parts.netloc or not path or not path.startswith("/"):
            raise PrinterUrlError(f"打印机地址 {url!r} 缺少绝对路径，应写成 {kind}:///路径（三个斜杠）")
        return Printer(kind, path, url)
    if kind == "cups":
        queue = parts.netloc or parts.path.strip("/")
        if not queue:
            raise PrinterUrlError(f"打印机地址 {url!r} 缺少 CUPS 队列名，应写成 cups://队列名")
        return Printer("cups", queue, url)
    raise PrinterUrlError(f"打印机地址 {url!r} 无法识别，可用：{FORMS}")


DUMMY_OUTPUT: list[bytes] = []  # what the dummy printer received, newest last (tests read it)


def _answer(printer: Printer, got: bytes) -> None:
    """Read the three DLE EOT answers (1, 2, 4); raise PrinterTrouble for what stops the paper."""
    if len(got) < 3:
        raise PrinterTrouble(
            "无响应",
            f"打印机 {printer.url} 接收了连接但没有应答状态查询，纸张可能没有打出："
            "请检查打印机是否开机、联机、卡纸，然后按“重试”",
        )
    status, cause, paper = got[:3]
    if any(b & 0x93 != 0x12 for b in (status, cause, paper)):
        raise PrinterTrouble(
            "无响应",
            f"打印机 {printer.url} 的状态应答无法识别（{got[:3].hex(' ')}）：请确认它是 ESC/POS 打印机；"
            "不能报告状态的打印机请在设置中标记 status = false",
        )
    if paper & 0x60 or cause & 0x20:
        raise PrinterTrouble("缺纸", f"打印机 {printer.url} 报告纸已用完：装好纸后按“重试”")
    if cause & 0x04:
        raise PrinterTrouble("开盖", f"打印机 {printer.url} 报告纸仓盖打开：合上盖子后按“重试”")
    if cause & 0x40:
        raise PrinterTrouble("故障", f"打印机 {printer.url} 报告故障（如切刀卡住）：排除后按“重试”")
    if status & 0x08:
        raise PrinterTrouble("脱机", f"打印机 {printer.url} 处于脱机状态：按打印机上的联机键后按“重试”")


class _Channel:
    """A two-way connection to a printer (a TCP socket or a USB device file), every write and read
    bounded in time: a printer that stops reading or never answers cannot hang the terminal."""

    def __init__(self, fd: int, write: Callable[[bytes], int], read: Callable[[int], bytes]) -> None:
        self.fd, self._write, self._read = fd, write, read

    def write(self, data: bytes, timeout: float) -> None:
        view = memoryview(data)
        while view:
            if not select.select([], [self.fd], [], timeout)[1]:
                raise TimeoutError("打印机不再接收数据")
            try:
                view = view[self._write(view) :]
            except BlockingIOError:
                continue

    def read(self, size: int, timeout: float) -> bytes:
        got = b""
        end = time.monotonic() + timeout
        while len(got) < size:
            left = end - time.monotonic()
            if left <= 0 or not select.select([self.fd], [], [], left)[0]:
                break
            try:
                chunk = self._read(size - len(got))
            except BlockingIOError:
                continue
            if not chunk:
                break
            got += chunk
        return got

    def status(self, printer: Printer, timeout: float) -> None:
        """Ask DLE EOT 1, 2 and 4 and raise PrinterTrouble unless the printer is ready."""
        self.write(b"".join(DLE_EOT), TIMEOUT)
        _answer(printer, self.read(3, timeout))


def _send_checked(printer: Printer, data: bytes, status_timeout: float) -> None:
    """Status first (nothing is sent to a printer out of paper or silent), the paper, status again."""
    if printer.kind == "tcp":
        sock = socket.create_connection(printer.host_port, timeout=TIMEOUT)
        sock.setblocking(False)
        channel = _Channel(sock.fileno(), sock.send, sock.recv)
        close: Callable[[], None] = sock.close
    else:
        if not Path(printer.target).exists():
            raise PrintFailed(f"找不到 USB 打印机设备 {printer.target}：请检查打印机电源和数据线")
        fd = os.open(printer.target, os.O_RDWR | os.O_NONBLOCK | os.O_NOCTTY)
        channel = _Channel(fd, lambda b: os.write(fd, b), lambda n: os.read(fd, n))
        close = lambda: os.close(fd)  # noqa: E731
    try:
        channel.status(printer, status_timeout)
        channel.write(data, TIMEOUT)
        channel.status(printer, status_timeout)
    except TimeoutError as exc:
        raise PrinterTrouble(
            "无响应", f"打印机 {printer.url} 在 {TIMEOUT:g} 秒内不再接收数据：请检查打印机是否卡纸或脱机，然后按“重试”"
        ) from exc
    finally:
        close()


def send(printer: Printer, data: bytes, *, status: bool = False, status_timeout: float = STATUS_TIMEOUT) -> None:
    """Send ESC/POS bytes. With ``status`` (network and USB printers that report it) the printer is
    asked for its status before and after, and must answer within ``status_timeout`` seconds.
    Raises PrintFailed (PrinterTrouble for what the status said) with a message a clerk can act on."""
    try:
        if status and printer.kind in STATUS_KINDS:
            _send_checked(printer, data, status_timeout)
            return
        if printer.kind == "dummy":
            from escpos.printer import Dummy  # start-up: python-escpos loads only to print

            p = Dummy()
            p._raw(data)
            DUMMY_OUTPUT.append(p.output)
        elif printer.kind == "tcp":
            from escpos.printer import Network  # start-up: as above

            host, port = printer.host_port
            p = Network(host, port=port, timeout=TIMEOUT)
            p.open(raise_not_found=True)
            try:
                p._raw(data)  # the socket's timeout bounds a write to a printer that stopped reading
            finally:
                p.close()
        elif printer.kind in ("usb", "file"):
            if printer.kind == "usb" and not Path(printer.target).exists():
                raise PrintFailed(f"找不到 USB 打印机设备 {printer.target}：请检查打印机电源和数据线")
            if printer.kind == "file":  # python-escpos's File truncates; a log keeps every paper
                private_dir(Path(printer.target).parent)
                append_private(printer.target, data)  # tickets carry names: owner-only when made
            else:
                with open(printer.target, "ab") as fh:
                    fh.write(data)
                    fh.flush()
        elif printer.kind == "cups":
            lp = shutil.which("lp")
            if lp is None:
                raise PrintFailed("本机没有 lp 命令（CUPS），无法向 cups:// 打印机发送")
            done = subprocess.run(
                [lp, "-d", printer.target, "-o", "raw"], input=data, capture_output=True, timeout=TIMEOUT * 2
            )
            if done.returncode != 0:
                detail = " ".join(done.stderr.decode(errors="replace").split())
                raise PrintFailed(
                    f"CUPS 队列 {printer.target} 拒绝打印：请检查队列名是否正确、打印机是否启用"
                    f"（lpstat -p 查看）后按“重试”" + (f"（系统信息：{detail}）" if detail else "")
                )
        else:
            raise PrintFailed(f"打印机 {printer.url} 不接收 ESC/POS 数据")
    except PrintFailed:
        raise
    except Exception as exc:
        # python-escpos wraps the socket's error in its own (``Device not found (Could not open
        # socket for …: [Errno 111] Connection refused)``): the cause carries the errno when kept.
        cause = exc.__cause__ or exc.__context__
        reason = oserror_words(cause if isinstance(cause, OSError) else exc)
        if printer.kind == "file":
            raise PrintFailed(f"无法写入 {printer.target}（{reason}）：请检查目录、权限和磁盘空间后按“重试”") from exc
        raise PrintFailed(f"打印机 {printer.url} 没有响应（{reason}）：请检查电源、纸张和网络后按“重试”") from exc
