"""Turn a source file's bytes into text: BOMs, UTF-16, GB18030, binary and empty files."""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path

from exporter.errors import InputError

_CONTROL_RE = re.compile("[\x00-\x08\x0e-\x1f]")  # Control characters text files do not hold.
MAX_SOURCE_BYTES = 64 * 1024 * 1024  # A bigger "article" is not an article; refuse before reading it.


class NotRegular(OSError):
    """A path that names a FIFO, device, socket or folder: never read (a FIFO blocks, /dev/zero never ends)."""


class TooLarge(OSError):
    """A file over the size limit: refused before (or while) it is read."""

    def __init__(self, size: int, limit: int) -> None:
        super().__init__(f"{size} bytes, over the {limit} byte limit")
        self.size = size
        self.limit = limit


def kind(mode: int) -> str:
    """Name a file type as a message says it: a FIFO, a character device …"""
    for test, name in (
        (stat.S_ISFIFO, "a FIFO"),
        (stat.S_ISCHR, "a character device"),
        (stat.S_ISBLK, "a block device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISDIR, "a folder"),
    ):
        if test(mode):
            return name
    return "not a regular file"


def read_regular(path: Path | str, limit: int, size: int | None = None) -> bytes:
    """Return the bytes of a regular file of at most `limit` bytes (the first `size` bytes if given).

    The file is opened without blocking and checked on the open descriptor, so a FIFO, a device or a
    file swapped in after a check is refused, never waited on or read without end; /proc files that
    claim size 0 are cut at the limit. Raises NotRegular, TooLarge or OSError.
    """
    fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise NotRegular(f"{kind(info.st_mode)}, not a regular file")
        if size is not None:
            return handle.read(size)
        if info.st_size > limit:
            raise TooLarge(info.st_size, limit)
        data = handle.read(limit + 1)
        if len(data) > limit:
            raise TooLarge(len(data), limit)
        return data


def read_bytes(path: Path, display: str) -> bytes:
    """Return the bytes of a source file, refusing one too large to be an article or not a regular file."""
    try:
        return read_regular(path, MAX_SOURCE_BYTES)
    except TooLarge as exc:
        raise InputError(
            display, f"file is {exc.size // 1048576} MiB, larger than the 64 MiB limit for a source"
        ) from None
    except NotRegular as exc:
        raise InputError(display, f"cannot read: {exc}") from None
    except OSError as exc:
        raise InputError(display, f"cannot read: {exc.strerror or exc}") from None


def read_text(path: Path, display: str) -> str:
    """Return the decoded text of `path`, or raise InputError naming what is wrong."""
    return decode(read_bytes(path, display), display)


def decode(data: bytes, display: str) -> str:
    """Decode bytes as UTF-8 (BOM optional), UTF-16 with BOM or GB18030."""
    if not data.strip():
        raise InputError(display, "empty file")
    for bom, codec in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if data.startswith(bom):
            try:
                text = data.decode(codec)
            except UnicodeDecodeError as exc:
                raise InputError(display, f"undecodable {codec} bytes at offset {exc.start}") from None
            return _check_text(text, display)
    if b"\x00" in data[:8192]:
        raise InputError(display, "binary file, not text (NUL bytes; UTF-16 needs a byte-order mark)")
    try:
        return _check_text(data.decode("utf-8"), display)
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            line = data[: utf8_error.start].count(b"\n") + 1
            raise InputError(display, "undecodable bytes: neither UTF-8 nor GB18030", line=line) from None
        return _check_text(text, display)


def _check_text(text: str, display: str) -> str:
    if not text.strip("\ufeff \t\r\n\u3000"):
        raise InputError(display, "empty file")
    if len(_CONTROL_RE.findall(text, 0, 8192)) > 8:
        raise InputError(display, "binary file, not text (control characters)")
    return text.replace("\r\n", "\n").replace("\r", "\n")


def peek(path: Path, size: int = 4096) -> str | None:
    """Return the start of a file as text for sniffing, or None if it is empty, binary or unreadable."""
    try:
        data = read_regular(path, MAX_SOURCE_BYTES, size)
    except OSError:
        return None
    # UTF-8 first, forgiving a character cut at the end of the sample (1 to 3 bytes); else the full rules.
    if b"\x00" not in data:
        for cut in range(4 if len(data) == size else 1):
            try:
                return _check_text(data[: len(data) - cut].decode("utf-8-sig"), str(path))
            except (UnicodeDecodeError, InputError):
                continue
    for cut in range(4 if len(data) == size else 1):  # A GB18030 character (up to 4 bytes) cut off too.
        try:
            return decode(data[: len(data) - cut], str(path))
        except InputError:
            continue
    return None
