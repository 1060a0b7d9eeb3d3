"""Batch export: ranges, missing dates, volumes, incremental re-runs, failures, interrupts."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from exporter.checks import check_epub
from tests.conftest import ROOT, run_cli
from tests.synth import make_archive

D = dt.date
XHTML_NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


@pytest.fixture(scope="module")
def january(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten days of a paper, 2026-01-01 … 01-10, with no issue on 01-04 and 01-07."""
    root = tmp_path_factory.mktemp("january")
    return make_archive(root, D(2026, 1, 1), 10, pages=2, articles=2, skip=(D(2026, 1, 4), D(2026, 1, 7)))


def report_of(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def test_range_selection_and_missing_dates(january: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = run_cli(
        "export",
        january,
        "-o",
        out,
        "--from",
        "2026-01-02",
        "--to",
        "2026-01-08",
        "--report",
        tmp_path / "r.json",
        "-j",
        "1",
    )
    assert result.returncode == 0, result.stderr
    written = sorted(p.name for p in (out / "合成日报").glob("*.epub"))
    assert written == [f"2026-01-0{d}.epub" for d in (2, 3, 5, 6, 8)]
    report = report_of(tmp_path / "r.json")
    assert report["missing_dates"] == ["2026-01-04", "2026-01-07"]
    assert [i["date"] for i in report["issues"]] == [
        "2026-01-02",
        "2026-01-03",
        "2026-01-05",
        "2026-01-06",
        "2026-01-08",
    ]
    entry = report["issues"][0]
    assert set(entry) >= {"paper", "date", "pages", "articles", "outputs", "status", "error", "seconds"}
    assert entry["status"] == "written" and entry["pages"] == 2 and entry["articles"] == 4
    assert "2026-01-04" in result.stderr  # Missing dates are named for the user too.


def test_from_alone_and_to_alone(january: Path, tmp_path: Path) -> None:
    result = run_cli("export", january, "-o", tmp_path / "a", "--from", "2026-01-09", "-j", "1")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (tmp_path / "a" / "合成日报").glob("*.epub")) == [
        "2026-01-09.epub",
        "2026-01-10.epub",
    ]
    result = run_cli("export", january, "-o", tmp_path / "b", "--to", "2026-01-02", "-j", "1")
    assert sorted(p.name for p in (tmp_path / "b" / "合成日报").glob("*.epub")) == [
        "2026-01-01.epub",
        "2026-01-02.epub",
    ]


def test_bad_range_is_a_usage_error(january: Path, tmp_path: Path) -> None:
    result = run_cli("export", january, "-o", tmp_path, "--from", "2026-01-09", "--to", "2026-01-02")
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "--from" in result.stderr


@pytest.fixture(scope="module")
def month_volume(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("months")
    make_archive(root / "src", D(2026, 1, 30), 4, pages=2, articles=2, images=2)
    out = root / "out"
    result = run_cli("export", root / "src", "-o", out, "--bundle", "month", "-f", "epub,pdf", "-j", "2")
    assert result.returncode == 0, result.stderr
    return out / "合成日报"


def test_month_bundles_are_named_by_month(month_volume: Path) -> None:
    assert sorted(p.name for p in month_volume.iterdir() if not p.name.startswith(".")) == [
        "2026-01.epub",
        "2026-01.pdf",
        "2026-02.epub",
        "2026-02.pdf",
    ]


def test_month_volume_passes_epubcheck_and_nests_issue_page_article(month_volume: Path) -> None:
    report = check_epub(month_volume / "2026-02.epub")
    assert report.ok, report.problems
    with zipfile.ZipFile(month_volume / "2026-02.epub") as book:
        nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
        opf = book.read("EPUB/content.opf").decode()
    top = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li", namespaces=XHTML_NS)
    assert [li.xpath("string(x:a)", namespaces=XHTML_NS) for li in top] == [
        "合成日报 2026年2月1日 星期日",
        "合成日报 2026年2月2日 星期一",
    ]
    pages = top[0].xpath("x:ol/x:li", namespaces=XHTML_NS)
    assert [p.xpath("string(x:a)", namespaces=XHTML_NS) for p in pages] == ["第01版 · 要闻", "第02版 · 综合"]
    assert len(pages[0].xpath("x:ol/x:li", namespaces=XHTML_NS)) == 2  # Articles under each 版面.
    assert "合成日报 2026年2月合订本" in opf


def test_month_volume_pdf_outline_is_issue_page_article(month_volume: Path) -> None:
    from exporter.checks.pdf import read_facts

    facts = read_facts(month_volume / "2026-01.pdf")
    levels = [(level, title) for level, title, _ in facts.outline if level <= 2]
    assert levels[:3] == [(1, "合成日报 2026年1月30日 星期五"), (2, "第01版 · 要闻"), (2, "第02版 · 综合")]
    assert any(level == 3 for level, _, _ in facts.outline)
    assert all(page is not None for _, _, page in facts.outline)


def test_range_bundle_uses_the_requested_dates(january: Path, tmp_path: Path) -> None:
    result = run_cli(
        "export", january, "-o", tmp_path, "--bundle", "range", "--from", "2026-01-01", "--to", "2026-01-05", "-j", "1"
    )
    assert result.returncode == 0, result.stderr
    assert [p.name for p in (tmp_path / "合成日报").glob("*.epub")] == ["2026-01-01_2026-01-05.epub"]


def test_unchanged_rerun_skips_and_changes_rebuild(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 3, 1), 3, pages=1, articles=2)
    out = tmp_path / "out"
    first = run_cli("export", src, "-o", out, "--report", tmp_path / "1.json", "-j", "1")
    assert first.returncode == 0, first.stderr
    mtimes = {p.name: p.stat().st_mtime_ns for p in (out / "合成日报").glob("*.epub")}

    second = run_cli("export", src, "-o", out, "--report", tmp_path / "2.json", "-j", "1")
    assert second.returncode == 0
    assert [i["status"] for i in report_of(tmp_path / "2.json")["issues"]] == ["skipped"] * 3
    assert mtimes == {p.name: p.stat().st_mtime_ns for p in (out / "合成日报").glob("*.epub")}

    changed = src / "2026-03-02" / "p01-1.md"
    changed.write_text(changed.read_text(encoding="utf-8") + "\n新增的一段文字。\n", encoding="utf-8")
    third = run_cli("export", src, "-o", out, "--report", tmp_path / "3.json", "-j", "1")
    statuses = {i["date"]: i["status"] for i in report_of(tmp_path / "3.json")["issues"]}
    assert statuses == {"2026-03-01": "skipped", "2026-03-02": "written", "2026-03-03": "skipped"}, third.stderr

    option = run_cli("export", src, "-o", out, "--toc-depth", "3", "--report", tmp_path / "4.json", "-j", "1")
    assert option.returncode == 0
    assert {i["status"] for i in report_of(tmp_path / "4.json")["issues"]} == {"written"}

    forced = run_cli("export", src, "-o", out, "--toc-depth", "3", "--force", "--report", tmp_path / "5.json")
    assert forced.returncode == 0
    assert {i["status"] for i in report_of(tmp_path / "5.json")["issues"]} == {"written"}


def test_deleted_output_is_rebuilt(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 3, 1), 2, pages=1, articles=1)
    out = tmp_path / "out"
    assert run_cli("export", src, "-o", out, "-j", "1").returncode == 0
    (out / "合成日报" / "2026-03-01.epub").unlink()
    run_cli("export", src, "-o", out, "--report", tmp_path / "r.json", "-j", "1")
    statuses = {i["date"]: i["status"] for i in report_of(tmp_path / "r.json")["issues"]}
    assert statuses == {"2026-03-01": "written", "2026-03-02": "skipped"}


def failing_templates(folder: Path, day: int) -> Path:
    """A template override that breaks (undefined variable) for one issue only."""
    (folder / "epub").mkdir(parents=True)
    (folder / "epub" / "page.xhtml.j2").write_text(
        '{% extends "!base/epub/page.xhtml.j2" %}{% block page_header %}'
        f"{{% if page.issue.date.day == {day} %}}{{{{ no_such_variable }}}}{{% endif %}}"
        "{{ super() }}{% endblock %}",
        encoding="utf-8",
    )
    return folder


def test_failures_are_isolated_named_and_exit_1(january: Path, tmp_path: Path) -> None:
    broken = tmp_path / "src"
    make_archive(broken, D(2026, 1, 1), 3, pages=1, articles=1)
    (broken / "2026-01-02" / "corrupt.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)))
    templates = failing_templates(tmp_path / "tpl", day=3)
    result = run_cli(
        "export", broken, "-o", tmp_path / "out", "--templates", templates, "--report", tmp_path / "r.json", "-j", "2"
    )
    assert result.returncode == 1
    report = report_of(tmp_path / "r.json")
    statuses = {i["date"]: i["status"] for i in report["issues"]}
    assert statuses == {"2026-01-01": "written", "2026-01-02": "written", "2026-01-03": "failed"}
    failed = next(i for i in report["issues"] if i["status"] == "failed")
    assert "no_such_variable" in failed["error"]
    assert any("corrupt.txt" in r and "binary" in r for r in report["refused_sources"])
    assert "corrupt.txt" in result.stderr and "2026-01-03" in result.stderr
    assert "Traceback" not in result.stderr
    assert not (tmp_path / "out" / "合成日报" / "2026-01-03.epub").exists()


def test_fail_fast_stops_at_the_first_failure(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 1, 1), 3, pages=1, articles=1)
    templates = failing_templates(tmp_path / "tpl", day=1)
    result = run_cli(
        "export",
        src,
        "-o",
        tmp_path / "out",
        "--templates",
        templates,
        "--fail-fast",
        "--report",
        tmp_path / "r.json",
        "-j",
        "1",
    )
    assert result.returncode == 1
    assert [i["status"] for i in report_of(tmp_path / "r.json")["issues"]] == ["failed"]
    assert not list((tmp_path / "out").rglob("*.epub"))


def test_jobs_give_the_same_bytes_as_one_process(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 5, 1), 3, pages=1, articles=2, images=1)
    assert run_cli("export", src, "-o", tmp_path / "one", "-j", "1").returncode == 0
    assert run_cli("export", src, "-o", tmp_path / "two", "-j", "2").returncode == 0
    for book in (tmp_path / "one" / "合成日报").glob("*.epub"):
        assert book.read_bytes() == (tmp_path / "two" / "合成日报" / book.name).read_bytes()


def test_plain_progress_lines_when_not_a_terminal(january: Path, tmp_path: Path) -> None:
    result = run_cli("export", january, "-o", tmp_path, "--to", "2026-01-02", "-j", "1")
    assert "[1/2] wrote" in result.stderr and "[2/2] wrote" in result.stderr
    assert "books: 2 (2 written, 0 unchanged, 0 failed)" in result.stderr
    quiet = run_cli("export", january, "-o", tmp_path / "q", "--to", "2026-01-02", "-j", "1", "--quiet")
    assert "wrote" not in quiet.stderr and "books: 2" in quiet.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_interrupt_leaves_no_partial_file_and_a_usable_manifest(tmp_path: Path, signum: int) -> None:
    src = make_archive(tmp_path / "src", D(2026, 6, 1), 8, pages=2, articles=3, paragraphs=12)
    out = tmp_path / "out"
    args = [sys.executable, "-m", "exporter", "export", str(src), "-o", str(out), "-f", "pdf", "-j", "2"]
    proc = subprocess.Popen(
        args,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # As in a terminal's foreground: tests started in the background (cmd &) inherit an ignored SIGINT.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    manifest_file = out / ".epaper-manifest.json"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and not manifest_file.exists():
        time.sleep(0.05)
    assert manifest_file.exists(), "no book was recorded before the deadline"
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 130, stderr
    assert "interrupted" in stderr and "Traceback" not in stderr
    assert not list(out.rglob("*.part")), "a temporary file was left behind"
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    recorded = manifest["outputs"]
    assert recorded, "the manifest records nothing"
    for name in recorded:
        data = (out / name).read_bytes()
        assert data.startswith(b"%PDF") and data.rstrip().endswith(b"%%EOF"), name
    written = {p.relative_to(out).as_posix() for p in out.glob("*/*.pdf")}
    assert set(recorded) <= written

    resumed = run_cli("export", src, "-o", out, "-f", "pdf", "-j", "2", "--report", tmp_path / "r.json")
    assert resumed.returncode == 0, resumed.stderr
    statuses = [i["status"] for i in report_of(tmp_path / "r.json")["issues"]]
    assert statuses.count("skipped") >= len(recorded) and len(statuses) == 8
    assert len(list(out.glob("*/*.pdf"))) == 8


def test_a_worker_that_dies_costs_only_its_book(tmp_path: Path) -> None:
    """A worker killed mid-book (out of memory, kill -9): that book fails, the rest are written."""
    src = make_archive(tmp_path / "src", D(2026, 7, 1), 6, pages=2, articles=3, paragraphs=12)
    out = tmp_path / "out"
    args = [
        sys.executable,
        "-m",
        "exporter",
        "export",
        str(src),
        "-o",
        str(out),
        "-f",
        "pdf",
        "-j",
        "2",
        "--report",
        str(tmp_path / "r.json"),
    ]
    proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    workers: list[int] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(workers) < 2:
        workers = []
        for task in Path(f"/proc/{proc.pid}/task").glob("*/children"):
            for pid in task.read_text().split():
                cmdline = Path(f"/proc/{pid}/cmdline")
                # Forked workers share the main process's command line; fc-list and the like do not.
                if cmdline.exists() and b"exporter" in cmdline.read_bytes():
                    workers.append(int(pid))
        time.sleep(0.05)
    assert len(workers) == 2, "the two worker processes did not appear"
    time.sleep(0.5)  # Let them start a book each.
    os.kill(workers[0], signal.SIGKILL)
    _, stderr = proc.communicate(timeout=300)
    assert proc.returncode == 1, stderr
    report = report_of(tmp_path / "r.json")
    failed = [i for i in report["issues"] if i["status"] == "failed"]
    assert len(failed) == 1 and "died (signal 9)" in failed[0]["error"]
    assert len([i for i in report["issues"] if i["status"] == "written"]) == 5
    assert not list(out.rglob("*.part"))
    assert "Traceback" not in stderr


def test_a_second_export_into_the_same_folder_waits_its_turn(tmp_path: Path) -> None:
    """Two runs into one folder would undo each other's manifest: the second refuses in one line."""
    src = make_archive(tmp_path / "src", D(2026, 8, 1), 4, pages=2, articles=3, paragraphs=12)
    out = tmp_path / "out"
    args = [sys.executable, "-m", "exporter", "export", str(src), "-o", str(out), "-f", "pdf", "-j", "1"]
    first = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.glob("*/.*.part")):
        time.sleep(0.05)
    second = run_cli("export", src, "-o", out, "-f", "epub")
    first.communicate(timeout=300)
    assert first.returncode == 0
    assert second.returncode == 2
    assert (
        second.stderr.strip() == f"epaper: error: {out}: another epaper export is writing here; wait for it to finish"
    )


def test_fail_fast_names_the_books_it_stopped(tmp_path: Path) -> None:
    """With two workers, the book beside the failing one is stopped and still appears in the report."""
    src = make_archive(tmp_path / "src", D(2026, 9, 1), 4, pages=2, articles=3, paragraphs=12)
    templates = tmp_path / "tpl" / "print"
    templates.mkdir(parents=True)
    (templates / "page.html.j2").write_text(
        '{% if page.issue.date.day == 1 %}{{ no_such_variable }}{% endif %}{% include "!base/print/page.html.j2" %}',
        encoding="utf-8",
    )
    result = run_cli(
        "export",
        src,
        "-o",
        tmp_path / "out",
        "-f",
        "pdf",
        "--templates",
        tmp_path / "tpl",
        "--fail-fast",
        "-j",
        "2",
        "--report",
        tmp_path / "r.json",
    )
    assert result.returncode == 1, result.stderr
    issues = report_of(tmp_path / "r.json")["issues"]
    by_date = {i["date"]: i for i in issues}
    assert by_date["2026-09-01"]["status"] == "failed" and "no_such_variable" in by_date["2026-09-01"]["error"]
    others = [i for i in issues if i["date"] != "2026-09-01"]
    assert len(issues) < 4 or all(i["status"] in ("written", "failed") for i in others)
    assert all(i["error"] == "stopped by --fail-fast before it was done" for i in others if i["status"] == "failed")
    assert not list((tmp_path / "out").rglob("*.part"))


def _stuck_after_part(book: object, fmt: str, target: Path, options: object, helper: object = None) -> list[object]:
    """A book that starts its file, then hangs where SIGTERM cannot reach Python (a long C call)."""
    from exporter.writers.atomic import atomic_file

    with atomic_file(target) as handle:
        handle.write(b"%PDF-")
        handle.flush()
        if not target.name.startswith("2026-09-01"):
            signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})
            time.sleep(120)
    return []


def test_a_worker_killed_before_its_handler_runs_leaves_no_part(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Interrupted, a worker that cannot run its SIGTERM handler is killed; its .part goes all the same."""
    from exporter.archive import open_archive
    from exporter.pipeline import batch, executors
    from exporter.writers import WriteOptions

    src = make_archive(tmp_path / "src", D(2026, 9, 1), 3, pages=1, articles=1)
    out = tmp_path / "out"
    planned = batch.prepare(batch.plan(open_archive([src]).issues, "issue"), ("pdf",), out, WriteOptions())
    monkeypatch.setattr(batch, "write_book", _stuck_after_part)  # The forked workers inherit it.
    monkeypatch.setattr(executors._Workers, "stop_wait", 0.5)
    results = executors._Workers(2, planned.tasks).run(None)
    assert next(results).status == "written"  # 09-01; the two other books hang with their files open.
    deadline = time.monotonic() + 60
    while len(list(out.rglob("*.part"))) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(list(out.rglob("*.part"))) == 2
    results.close()  # As on Ctrl-C: stop the workers.
    assert not list(out.rglob("*.part"))
    assert [p.name for p in out.rglob("*.pdf")] == ["2026-09-01.pdf"]


def test_a_part_made_as_the_signal_lands_is_still_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The temporary file is listed for the SIGTERM handler before it exists, never after."""
    from exporter.writers import atomic

    real_open = os.open

    def open_then_interrupted(path: str, flags: int, mode: int = 0o777) -> int:
        os.close(real_open(path, flags, mode))
        raise KeyboardInterrupt  # The signal arrives the instant the file exists.

    monkeypatch.setattr(atomic.os, "open", open_then_interrupted)
    with pytest.raises(KeyboardInterrupt), atomic.atomic_file(tmp_path / "book.pdf"):
        pass
    monkeypatch.undo()
    assert list(tmp_path.iterdir())  # The file was made and left to the handler …
    atomic.remove_open_files()  # … which finds it.
    assert not list(tmp_path.iterdir())
