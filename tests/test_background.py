"""exporter.background: a function run in a forked child gives the same result, errors and cleanup."""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from exporter import background
from exporter.background import Helper
from exporter.errors import InputError

needs_fork = pytest.mark.skipif(not background._can_fork(), reason="no fork here (one CPU or threads running)")
warmed: list[int] = []


def warm() -> None:
    warmed.append(os.getpid())


def warmed_in() -> list[int]:
    return warmed


def child_pid() -> int:
    return os.getpid()


def big_result(n: int) -> bytes:
    return bytes(range(256)) * n  # Bigger than a pipe's buffer.


def fails() -> None:
    raise InputError("a.md", "bad front matter", line=3)


def sleeps() -> None:
    time.sleep(60)


@needs_fork
def test_results_come_from_one_warmed_up_process() -> None:
    with Helper(warm) as helper:
        first = helper.run(child_pid).result()
        assert first != os.getpid()
        assert helper.run(child_pid).result() == first  # The same helper, job after job.
        assert helper.run(warmed_in).result() == [first]  # Warmed up in the helper, not here.
    assert warmed == []


@needs_fork
def test_large_result_arrives_whole() -> None:
    with Helper() as helper:
        assert helper.run(big_result, 4096).result() == big_result(4096)


@needs_fork
def test_error_is_raised_where_the_result_is_wanted() -> None:
    with Helper() as helper, pytest.raises(InputError) as caught:
        helper.run(fails).result()
    assert str(caught.value) == "a.md:3: bad front matter"


@needs_fork
def test_uncollected_job_stops_and_reaps_the_helper() -> None:
    with Helper() as helper:
        pid = helper._pid
        with helper.run(sleeps):
            pass  # Left without collecting the result, as when an error is raised on this side.
        assert not helper._pid
        assert helper.run(child_pid).result() == os.getpid()  # Later jobs run here.
    with pytest.raises(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)  # Already reaped: no zombie left.


@needs_fork
def test_killed_helper_falls_back_to_this_process() -> None:
    with Helper() as helper:
        os.kill(helper._pid, signal.SIGKILL)
        assert helper.run(child_pid).result() == os.getpid()


def test_with_other_threads_it_runs_here() -> None:
    stop = threading.Event()
    thread = threading.Thread(target=stop.wait)
    thread.start()
    try:
        with Helper() as helper:
            assert not helper._pid
            assert helper.run(child_pid).result() == os.getpid()
    finally:
        stop.set()
        thread.join()


def test_without_fork_every_job_runs_here() -> None:
    with Helper(warm, fork=False) as helper:
        assert helper.run(child_pid).result() == os.getpid()
    assert warmed == []  # Nothing to warm up: the jobs run in this process.


def test_failed_fork_runs_jobs_here_and_leaks_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(background, "_can_fork", lambda: True)
    monkeypatch.setattr(os, "fork", no_fork)
    before = len(os.listdir("/proc/self/fd"))
    with Helper() as helper:
        assert helper.run(child_pid).result() == os.getpid()
    assert len(os.listdir("/proc/self/fd")) == before
