"""Printers named by URL, and sending bytes (or a PDF) to them.

``tcp://HOST:PORT`` (a network printer, port 9100 by default), ``usb:///dev/usb/lp0`` (a USB
device file), ``cups://QUEUE`` (a raw CUPS queue, sent with ``lp -o raw``), ``file:///PATH``
(bytes appended to a file), ``pdf:///DIR`` (an A4 PDF per paper in a folder) and ``dummy:``
(kept in memory, for tests). ESC/POS goes through python-escpos's connectors.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from clerk_tui.domain.words import oserror_words
from clerk_tui.paths import append_private, private_dir

FORMS = "tcp://主机:端口、usb:///dev/usb/lp0、cups://队列名、file:///路径、pdf:///目录 或 dummy:"
TIMEOUT = 5.0


class PrinterUrlError(ValueError):
    pass


class PrintFailed(Exception):
    """The printer did not take the job (offline, paper out, timeout): the job stays pending."""


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


def send(printer: Printer, data: bytes) -> None:
    """Send ESC/POS bytes. Raises PrintFailed with a message a clerk can act on."""
    try:
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
                p._raw(data)
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
