"""The hall's PIN key: 32 random bytes in a file outside the database (mode 0600), created by
``init``. PIN hashes are keyed with it (domain/pins.py), so a copied database alone cannot be
cracked. Every terminal of a hall needs the same file, copied with the settings (README, 安全 →
密钥文件).

One process works for one hall: the CLI and the TUI say which key file and PIN length the
settings chose (``configure``); ``CLERK_TUI_KEY_FILE`` and ``CLERK_TUI_PIN_MIN_LENGTH`` win over
both, and without either the key is ``pin.key`` beside the default settings file.
"""

from __future__ import annotations

import os
from pathlib import Path

from clerk_tui.domain.pins import KEY_BYTES
from clerk_tui.domain.words import oserror_words
from clerk_tui.paths import TooLarge, private_dir, read_bounded
from clerk_tui.services.errors import ServiceError
from clerk_tui.settings import ENV_KEY_FILE, KEY_FILE_NAME, Settings, default_config_path
from clerk_tui.settings import pin_min_length as _env_min_length

_configured: dict[str, object] = {}


class KeyFileMissing(ServiceError):
    """The key file a keyed PIN hash needs is not where the settings say."""


def configure(settings: Settings) -> None:
    """Use the key file and PIN length of ``settings`` in this process."""
    _configured["key_file"] = settings.key_file
    _configured["pin_min_length"] = settings.pin_min_length


def key_file_path() -> Path:
    env = os.environ.get(ENV_KEY_FILE, "").strip()
    if env:
        return Path(env).expanduser()
    configured = _configured.get("key_file")
    if isinstance(configured, Path):
        return configured
    return default_config_path().parent / KEY_FILE_NAME


def min_length() -> int:
    configured = _configured.get("pin_min_length")
    return _env_min_length(configured if isinstance(configured, int) else 6)


def _missing(path: Path, why: str) -> KeyFileMissing:
    return KeyFileMissing(
        f"{why} PIN 密钥文件 {path}：本终端无法核对或设置 PIN。请从备份或本厅其他终端复制同一个密钥文件到该位置"
        f"（权限 600），或用配置文件 [security] key_file / 环境变量 {ENV_KEY_FILE} 指向它；见 README「安全」→「密钥文件」"
    )


def load_key() -> bytes:
    """The key, read from its file; a clear refusal when it is missing or damaged."""
    path = key_file_path()
    try:
        key = read_bounded(path, 4096)  # a device or a huge file named as the key is never read whole
    except TooLarge:
        raise _missing(path, f"已损坏（应为 {KEY_BYTES} 字节，现超过 4096 字节）的") from None
    except FileNotFoundError:
        raise _missing(path, "找不到") from None
    except OSError as exc:
        raise _missing(path, f"无法读取（{oserror_words(exc)}）") from None
    if len(key) != KEY_BYTES:
        raise _missing(path, f"已损坏（应为 {KEY_BYTES} 字节，现为 {len(key)} 字节）的") from None
    return key


def key_or_none() -> bytes | None:
    """The key if its file is there, else None (an old unkeyed hash still verifies without it)."""
    try:
        return load_key()
    except KeyFileMissing:
        return None


def ensure_key_file() -> bool:
    """Create the key file (owner-only, whatever the umask) unless it exists; True if created.
    An existing key is never replaced: the hashes made with it would stop verifying."""
    path = key_file_path()
    if path.exists():
        load_key()  # a damaged key is said now, not at the first login
        return False
    try:
        private_dir(path.parent)  # a folder made for it is owner-only too
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False  # another process made it first: theirs is the key
    except OSError as exc:
        raise ServiceError(
            f"无法创建 PIN 密钥文件 {path}（{oserror_words(exc)}）：请检查目录权限，或用 {ENV_KEY_FILE} 指定位置"
        ) from None
    try:
        os.fchmod(fd, 0o600)  # the umask may have narrowed it further; never wider
        os.write(fd, os.urandom(KEY_BYTES))
        os.fsync(fd)
    finally:
        os.close(fd)
    return True
