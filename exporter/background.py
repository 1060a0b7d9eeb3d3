"""Run one function in a forked child process while this process goes on with other work.

The EPUB cover is the case: Pillow holds Python's lock while it rasterises the CJK glyphs, so a
thread would not help, but a forked child draws the cover on the second CPU (importing Pillow
there too) while this process renders and packs the chapters. Where forking is unavailable or
unsafe (one CPU, no os.fork, other threads running), the function simply runs here.
"""

from __future__ import annotations

import os
import pickle
import signal
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Pending(Generic[T]):
    """A result being computed: `result()` returns it (or raises what the function raised)."""

    def __init__(self, function: Callable[..., T], *args: Any) -> None:
        self._function, self._args = function, args
        self._pid = 0
        self._fd = -1
        if _can_fork():
            self._fork()

    def _fork(self) -> None:
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # The child: compute, send the pickled outcome, leave without cleanup.
            os.close(read_fd)
            code = 0
            try:
                # The parent's handlers remove its temporary files: not the child's business.
                signal.signal(signal.SIGTERM, signal.SIG_DFL)
                signal.signal(signal.SIGINT, signal.SIG_DFL)
                try:
                    outcome: tuple[bool, Any] = (True, self._function(*self._args))
                except Exception as exc:  # Sent to the parent, which raises it where the result is wanted.
                    outcome = (False, exc)
                data = memoryview(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
                while data:
                    data = data[os.write(write_fd, data) :]
            except BaseException:
                code = 1
            os._exit(code)
        os.close(write_fd)
        self._pid, self._fd = pid, read_fd

    def result(self) -> T:
        if not self._pid:
            return self._function(*self._args)
        chunks = []
        try:
            while chunk := os.read(self._fd, 1 << 20):
                chunks.append(chunk)
        finally:
            os.close(self._fd)
            pid, self._pid = self._pid, 0
            os.waitpid(pid, 0)  # The pipe closes as the child exits: this does not wait long.
        try:
            ok, value = pickle.loads(b"".join(chunks))
        except Exception:  # The child died (killed, out of memory) or its error did not pickle: work here.
            return self._function(*self._args)
        if not ok:
            raise value
        return value

    def close(self) -> None:
        """Stop and reap the child if its result was never collected."""
        if not self._pid:
            return
        pid, self._pid = self._pid, 0
        os.close(self._fd)
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

    def __enter__(self) -> Pending[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _can_fork() -> bool:
    # Forking while other threads run can leave the child stuck on a lock one of them held.
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
