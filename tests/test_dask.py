"""Distributed runs: `epaper export --executor dask` against a real 2-worker LocalCluster (processes)."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, run_cli
from tests.synth import make_archive

distributed = pytest.importorskip("distributed")
D = dt.date


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """Two worker processes with nannies (a killed worker is restarted, as on a real cluster)."""
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
        ) as local,
        distributed.Client(local) as client,
    ):
        yield client


def report_of(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def export(src: Path, out: Path, *extra: str | Path) -> subprocess.CompletedProcess[str]:
    return run_cli("export", src, "-o", out, "--report", out.with_suffix(".json"), *extra)


def test_a_dask_run_writes_the_same_books_as_a_local_run(cluster: Any, tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 3, 1), 4, pages=2, articles=2, images=2)
    local = export(src, tmp_path / "local", "-j", "2")
    remote = export(src, tmp_path / "dask", "--scheduler", cluster.scheduler.address)
    assert local.returncode == 0, local.stderr
    assert remote.returncode == 0, remote.stderr
    names = [f"2026-03-0{d}.epub" for d in (1, 2, 3, 4)]
    for name in names:
        mine = (tmp_path / "dask" / "合成日报" / name).read_bytes()
        assert mine == (tmp_path / "local" / "合成日报" / name).read_bytes(), name
    # The report and the manifest look as after a local run (paths as the user gave them).
    issues = report_of(tmp_path / "dask.json")["issues"]
    assert [(i["date"], i["status"]) for i in issues] == [(n[:10], "written") for n in names]
    assert issues[0]["outputs"] == [str(tmp_path / "dask" / "合成日报" / names[0])]
    manifest = json.loads((tmp_path / "dask" / ".epaper-manifest.json").read_text(encoding="utf-8"))
    assert sorted(manifest["outputs"]) == [f"合成日报/{n}" for n in names]
    assert "[4/4] wrote" in remote.stderr and "books: 4 (4 written" in remote.stderr
    # Written by the cluster, skipped by the client's manifest on the next run.
    again = export(src, tmp_path / "dask", "--scheduler", cluster.scheduler.address)
    assert again.returncode == 0 and "books: 4 (0 written, 4 unchanged" in again.stderr


def test_a_killed_worker_costs_no_book(cluster: Any, tmp_path: Path) -> None:
    """kill -9 of the worker writing a book mid-run: Dask hands its book to another worker; all are written."""
    src = make_archive(tmp_path / "src", D(2026, 4, 1), 4, pages=2, articles=3, paragraphs=10)
    out = tmp_path / "out"
    args = ["export", str(src), "-o", str(out), "-f", "pdf", "--scheduler", cluster.scheduler.address]
    args += ["--report", str(tmp_path / "r.json")]
    proc = subprocess.Popen([sys.executable, "-m", "exporter", *args], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    killed = None
    deadline = time.monotonic() + 120
    while killed is None and time.monotonic() < deadline and proc.poll() is None:
        busy = [worker for worker, keys in cluster.processing().items() if keys]
        if busy:
            pid = cluster.run(os.getpid, workers=busy[:1])[busy[0]]
            os.kill(pid, signal.SIGKILL)
            killed = pid
        time.sleep(0.02)
    _, stderr = proc.communicate(timeout=300)
    assert killed is not None, "no worker was seen writing a book"
    assert proc.returncode == 0, stderr
    issues = report_of(tmp_path / "r.json")["issues"]
    assert [i["status"] for i in issues] == ["written"] * 4
    assert sorted(p.name for p in out.glob("*/*.pdf")) == [f"2026-04-0{d}.pdf" for d in (1, 2, 3, 4)]
    assert not list(out.rglob("*.part"))
    cluster.wait_for_workers(2, timeout=60)  # The nanny restarted it: the next test has two again.


def test_fail_fast_on_dask(cluster: Any, tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 5, 1), 6, pages=1, articles=1)
    templates = tmp_path / "tpl" / "epub"
    templates.mkdir(parents=True)
    (templates / "page.xhtml.j2").write_text(
        '{% extends "!base/epub/page.xhtml.j2" %}{% block page_header %}'
        "{% if page.issue.date.day == 1 %}{{ no_such_variable }}{% endif %}{{ super() }}{% endblock %}",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    result = export(src, out, "--templates", tmp_path / "tpl", "--fail-fast", "--scheduler", cluster.scheduler.address)
    assert result.returncode == 1, result.stderr
    issues = report_of(out.with_suffix(".json"))["issues"]
    by_date = {i["date"]: i for i in issues}
    assert by_date["2026-05-01"]["status"] == "failed" and "no_such_variable" in by_date["2026-05-01"]["error"]
    assert len(issues) < 6, "fail-fast let every book be written"
    # At most the book in flight on the other worker was finished or stopped; nothing after it started.
    stopped = [i for i in issues if i["status"] == "failed" and i["date"] != "2026-05-01"]
    assert all(i["error"] == "stopped by --fail-fast before it was done" for i in stopped)
    assert "epaper: failed: 合成日报 2026-05-01" in result.stderr and "Traceback" not in result.stderr
    assert not list(out.rglob("*.part"))


def test_ctrl_c_cancels_the_cluster_work(cluster: Any, tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 6, 1), 6, pages=2, articles=3, paragraphs=12)
    out = tmp_path / "out"
    args = ["export", str(src), "-o", str(out), "-f", "pdf", "--scheduler", cluster.scheduler.address]
    proc = subprocess.Popen(
        [sys.executable, "-m", "exporter", *args],
        cwd=ROOT,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not any(cluster.processing().values()):
        time.sleep(0.02)
    proc.send_signal(signal.SIGINT)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not list(out.rglob("*.part"))
    manifest = out / ".epaper-manifest.json"
    recorded = json.loads(manifest.read_text(encoding="utf-8"))["outputs"] if manifest.exists() else {}
    assert len(recorded) < 6
    for name in recorded:
        assert (out / name).read_bytes().rstrip().endswith(b"%%EOF")


def test_an_unreachable_scheduler_is_one_line_and_exit_2(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 7, 1), 1, pages=1, articles=1)
    result = export(src, tmp_path / "out", "--scheduler", "tcp://127.0.0.1:9")
    assert result.returncode == 2
    assert result.stderr.startswith("epaper: error: --scheduler tcp://127.0.0.1:9: cannot connect")
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr


def test_scheduler_needs_the_dask_executor(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 7, 1), 1, pages=1, articles=1)
    result = export(src, tmp_path / "out", "--executor", "local", "--scheduler", "tcp://127.0.0.1:9")
    assert result.returncode == 2 and "--scheduler tcp://127.0.0.1:9: only with --executor dask" in result.stderr


def test_a_book_over_its_time_fails_alone_on_dask(cluster: Any, tmp_path: Path) -> None:
    """The stuck worker is restarted (a thread cannot be stopped otherwise); the other books are written."""
    src = make_archive(tmp_path / "src", D(2026, 8, 1), 3, pages=1, articles=1)
    templates = tmp_path / "tpl" / "epub"
    templates.mkdir(parents=True)
    (templates / "page.xhtml.j2").write_text(
        '{% extends "!base/epub/page.xhtml.j2" %}{% block page_header %}'
        "{% if page.issue.date.day == 2 %}{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}{% endif %}"
        "{{ super() }}{% endblock %}",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    args = ("--templates", tmp_path / "tpl", "--book-timeout", "3", "--scheduler", cluster.scheduler.address)
    result = export(src, out, *args)
    assert result.returncode == 1, result.stderr
    issues = {i["date"]: i["status"] for i in report_of(out.with_suffix(".json"))["issues"]}
    assert issues == {"2026-08-01": "written", "2026-08-02": "failed", "2026-08-03": "written"}
    line = "epaper: failed: 合成日报 2026-08-02: took longer than --book-timeout 3 s; stopped (nothing of it was kept)"
    assert line in result.stderr.splitlines()
    cluster.wait_for_workers(2, timeout=60)
    assert not any(cluster.processing().values()), "the stuck book still runs on a worker"


def test_a_scheduler_without_workers_is_one_clear_error() -> None:
    from exporter.errors import EpaperError
    from exporter.pipeline.cluster import DaskExecutor

    with distributed.LocalCluster(n_workers=0, dashboard_address=":0", silence_logs=40) as empty:
        executor = DaskExecutor(empty.scheduler_address)
        executor.worker_wait = 1
        with pytest.raises(EpaperError, match=r"no worker joined within 1 s"):
            executor.__enter__()
