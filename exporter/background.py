"""Run functions in a forked helper process while this process goes on with other work.

The EPUB cover is the case: Pillow holds Python's lock while it rasterises the CJK glyphs, so a
thread would not help, but a forked child draws the cover on the second CPU while this process
imports ebooklib and renders and packs the chapters. Forked before the sources are read, the
helper can also warm up (import Pillow, open the fonts) in the meantime. Where forking is
unavailable or unsafe (one CPU, no os.fork, other threads running), or the helper dies, the
function simply runs here when its result is wanted.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_LENGTH = struct.Struct("<Q")
_STOP_SIGNALS = {signal.SIGTERM, signal.SIGINT}


class Helper:
    """A forked child that runs the functions sent to it, one at a time."""

    def __init__(self, warm_up: Callable[[], object] | None = None, fork: bool = True) -> None:
        """Fork the helper (`fork=False`: run every job here, as where all CPUs are busy already)."""
        self._pid = 0
        self._busy = False
        if not fork or not _can_fork():
            return
        fds: list[int] = []
        # Stop signals wait until the child has put back the default handlers (the parent's remove its files).
        mask = signal.pthread_sigmask(signal.SIG_BLOCK, _STOP_SIGNALS)
        try:
            fds.extend(os.pipe())
            fds.extend(os.pipe())
            pid = os.fork()
        except OSError:  # Out of processes, memory or descriptors: the jobs run here.
            for fd in fds:
                os.close(fd)
            signal.pthread_sigmask(signal.SIG_SETMASK, mask)
            return
        jobs_read, jobs_write, results_read, results_write = fds
        if pid == 0:
            os.close(jobs_write)
            os.close(results_read)
            _serve(jobs_read, results_write, warm_up, mask)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        os.close(jobs_read)
        os.close(results_write)
        self._pid, self._jobs, self._results = pid, jobs_write, results_read

    def run(self, function: Callable[..., T], *args: Any) -> Pending[T]:
        """Start `function(*args)` in the helper (or, without one, when the result is wanted)."""
        if self._pid and not self._busy:
            try:
                _send(self._jobs, pickle.dumps((function, args), protocol=pickle.HIGHEST_PROTOCOL))
            except (OSError, pickle.PicklingError, TypeError, AttributeError):
                self.close()
            else:
                self._busy = True
                return Pending(function, args, self)
        return Pending(function, args, None)

    def _collect(self) -> tuple[bool | None, Any]:
        """Return the helper's (ok, value) for the job it was given; (None, None): do it here."""
        message = _receive(self._results)
        self._busy = False
        if message is None:  # The helper died (killed, out of memory).
            self.close()
            return None, None
        try:
            return pickle.loads(message)
        except Exception:
            return None, None

    def close(self) -> None:
        """Stop the helper (mid-job if need be) and reap it."""
        if not self._pid:
            return
        pid, self._pid = self._pid, 0
        os.close(self._jobs)
        os.close(self._results)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)

    def __enter__(self) -> Helper:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Pending(Generic[T]):
    """A result being computed: `result()` returns it, or raises what the function raised."""

    def __init__(self, function: Callable[..., T], args: tuple[Any, ...], helper: Helper | None) -> None:
        self._function, self._args, self._helper = function, args, helper

    def result(self) -> T:
        helper, self._helper = self._helper, None
        if helper is not None:
            ok, value = helper._collect()
            if ok is True:
                return value
            if ok is False:
                raise value
        return self._function(*self._args)

    def __enter__(self) -> Pending[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._helper is not None:  # Never collected (an error on this side): the helper's answer is stale.
            self._helper.close()


def _serve(jobs: int, results: int, warm_up: Callable[[], object] | None, mask: set[int | signal.Signals]) -> None:
    """The helper's life: warm up, then answer each job with a pickled (ok, value); never returns."""
    code = 0
    try:
        # The parent's handlers remove its temporary files: not the helper's business.
        for stop in _STOP_SIGNALS:
            signal.signal(stop, signal.SIG_DFL)
        signal.pthread_sigmask(signal.SIG_SETMASK, mask)
        if warm_up is not None:
            with contextlib.suppress(Exception):  # What fails here fails again in the job, and is reported.
                warm_up()
        while (message := _receive(jobs)) is not None:
            function, args = pickle.loads(message)
            try:
                outcome: tuple[bool | None, Any] = (True, function(*args))
            except Exception as exc:
                outcome = (False, exc)
            try:
                data = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
            except Exception:
                data = pickle.dumps((None, None))  # An error that does not pickle: the parent runs the job itself.
            _send(results, data)
    except BaseException:
        code = 1
    os._exit(code)


def _send(fd: int, data: bytes) -> None:
    view = memoryview(_LENGTH.pack(len(data)) + data)
    while view:
        view = view[os.write(fd, view) :]


def _receive(fd: int) -> bytes | None:
    header = _read(fd, _LENGTH.size)
    return None if header is None else _read(fd, _LENGTH.unpack(header)[0])


def _read(fd: int, size: int) -> bytes | None:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            return None
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _can_fork() -> bool:
    # Forking while other threads run can leave the child stuck on a lock one of them held.
    return hasattr(os, "fork") and (os.cpu_count() or 1) > 1 and threading.active_count() == 1
