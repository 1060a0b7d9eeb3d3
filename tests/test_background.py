"""exporter.background: a function run in a forked child gives the same result, errors and cleanup."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from exporter import background
from exporter.background import Pending
from exporter.errors import InputError

needs_fork = pytest.mark.skipif(not background._can_fork(), reason="no fork here (one CPU or threads running)")


def child_pid() -> int:
    return os.getpid()


def big_result(n: int) -> bytes:
    return bytes(range(256)) * n  # Bigger than a pipe's buffer.


def fails() -> None:
    raise InputError("a.md", "bad front matter", line=3)


def sleeps() -> None:
    time.sleep(60)


@needs_fork
def test_result_comes_from_another_process() -> None:
    with Pending(child_pid) as pending:
        assert pending.result() != os.getpid()


@needs_fork
def test_large_result_arrives_whole() -> None:
    with Pending(big_result, 4096) as pending:
        assert pending.result() == big_result(4096)


@needs_fork
def test_error_is_raised_where_the_result_is_wanted() -> None:
    with Pending(fails) as pending, pytest.raises(InputError) as caught:
        pending.result()
    assert str(caught.value) == "a.md:3: bad front matter"


@needs_fork
def test_uncollected_child_is_stopped_and_reaped() -> None:
    with Pending(sleeps) as pending:
        pid = pending._pid
        assert pid
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # Already reaped: no zombie left.


@needs_fork
def test_killed_child_falls_back_to_this_process() -> None:
    with Pending(child_pid) as pending:
        os.kill(pending._pid, signal.SIGKILL)
        assert pending.result() == os.getpid()


def test_with_other_threads_it_runs_here() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with Pending(child_pid) as pending:
            assert not pending._pid
            assert pending.result() == os.getpid()
    finally:
        stop.set()
        thread.join()
