"""Bounded work per book: --book-timeout and --max-memory fail the book over budget alone, with one line."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.conftest import run_cli
from tests.synth import make_archive

D = dt.date


def greedy_templates(folder: Path, day: int, body: str) -> Path:
    """A template override that runs `body` (a Jinja statement) for one issue only."""
    (folder / "epub").mkdir(parents=True)
    (folder / "epub" / "page.xhtml.j2").write_text(
        '{% extends "!base/epub/page.xhtml.j2" %}{% block page_header %}'
        f"{{% if page.issue.date.day == {day} %}}{body}{{% endif %}}"
        "{{ super() }}{% endblock %}",
        encoding="utf-8",
    )
    return folder


def statuses(report: Path) -> dict[str, str]:
    return {i["date"]: i["status"] for i in json.loads(report.read_text(encoding="utf-8"))["issues"]}


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_book_over_its_time_fails_alone(tmp_path: Path, jobs: str) -> None:
    src = make_archive(tmp_path / "src", D(2026, 2, 1), 3, pages=1, articles=1)
    forever = greedy_templates(
        tmp_path / "tpl", 2, "{% for i in range(99999) %}{% for j in range(99999) %}{% endfor %}{% endfor %}"
    )
    out = tmp_path / "out"
    result = run_cli(
        "export", src, "-o", out, "--templates", forever, "--book-timeout", "2", "-j", jobs, "--report", tmp_path / "r"
    )
    assert result.returncode == 1, result.stderr
    assert statuses(tmp_path / "r") == {"2026-02-01": "written", "2026-02-02": "failed", "2026-02-03": "written"}
    line = "epaper: failed: 合成日报 2026-02-02: took longer than --book-timeout 2 s; stopped (nothing of it was kept)"
    assert line in result.stderr.splitlines()
    assert "Traceback" not in result.stderr
    assert not list(out.rglob("*.part")) and not (out / "合成日报" / "2026-02-02.epub").exists()


def test_a_book_over_the_memory_cap_fails_alone(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 2, 1), 3, pages=1, articles=1)
    greedy = greedy_templates(tmp_path / "tpl", 3, '{% set big = "x" * 3000000000 %}{{ big[:1] }}')
    out = tmp_path / "out"
    result = run_cli(
        "export", src, "-o", out, "--templates", greedy, "--max-memory", "1500", "-j", "2", "--report", tmp_path / "r"
    )
    assert result.returncode == 1, result.stderr
    assert statuses(tmp_path / "r") == {"2026-02-01": "written", "2026-02-02": "written", "2026-02-03": "failed"}
    line = (
        "epaper: failed: 合成日报 2026-02-03: needed more than --max-memory 1500 MiB; stopped (nothing of it was kept)"
    )
    assert line in result.stderr.splitlines()
    assert not list(out.rglob("*.part"))


def test_no_time_limit_with_zero(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 2, 1), 1, pages=1, articles=1)
    result = run_cli("export", src, "-o", tmp_path / "out", "--book-timeout", "0", "-j", "1")
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / "合成日报" / "2026-02-01.epub").is_file()


def test_a_volume_gets_the_budget_of_its_issues() -> None:
    from exporter.pipeline.limits import Limits

    limits = Limits(book_timeout=600)
    assert limits.budget(1) == 600 and limits.budget(31) == 18600
    assert limits.timeout_error(31) == (
        "took longer than 18600 s (--book-timeout 600 s × 31 issues); stopped (nothing of it was kept)"
    )
    assert Limits(book_timeout=None).budget(31) is None
