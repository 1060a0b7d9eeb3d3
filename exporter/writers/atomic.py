"""Write output files whole or not at all: a temporary file beside the target, then rename."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from exporter.errors import OutputError

_OPEN: set[Path] = set()  # Temporary files being written now, for a process told to stop at once.


def remove_open_files() -> None:
    """Delete every temporary file this process is writing (called from a SIGTERM handler)."""
    for tmp in list(_OPEN):
        with contextlib.suppress(OSError):
            os.unlink(tmp)


@contextlib.contextmanager
def atomic_file(target: Path) -> Iterator[BinaryIO]:
    """Yield a binary file that replaces `target` only when the block finishes without error."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_part(target)
    except OSError as exc:
        raise OutputError(f"{target.parent}: cannot write here: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"{target}: cannot write: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    finally:
        _OPEN.discard(tmp)


def _create_part(target: Path) -> tuple[int, Path]:
    """Create `.<name>.<random>.part` beside `target`, listed in _OPEN before it exists.

    Listed first, so a SIGTERM landing between the creation and the listing cannot leave it behind.
    """
    for _ in range(100):
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.part"
        _OPEN.add(tmp)
        try:
            return os.open(tmp, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600), tmp
        except FileExistsError:
            _OPEN.discard(tmp)
        except OSError:  # Nothing was made. (An interrupt leaves it listed: remove_open_files finds it.)
            _OPEN.discard(tmp)
            raise
    raise FileExistsError(f"no free temporary name beside {target.name}")


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_file(target) as handle:
        handle.write(data)


@contextlib.contextmanager
def folder_lock(folder: Path, busy: str) -> Iterator[None]:
    """Hold `folder` for this process (flock on the folder itself: no lock file left behind).

    Raises OutputError naming the folder when it cannot be opened, or with `busy` when another run holds it.
    """
    import fcntl

    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError as exc:
        raise OutputError(f"{folder}: cannot write here: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            raise OutputError(f"{folder}: {busy}") from None
        yield
    finally:
        os.close(fd)
