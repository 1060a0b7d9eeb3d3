"""Write output files whole or not at all: a temporary file beside the target, then rename."""

from __future__ import annotations

import contextlib
import os
import tempfile
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
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    except OSError as exc:
        raise OutputError(f"{target.parent}: cannot write here: {exc.strerror or exc}") from None
    tmp = Path(tmp_name)
    _OPEN.add(tmp)
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


def write_bytes(target: Path, data: bytes) -> None:
    with atomic_file(target) as handle:
        handle.write(data)
