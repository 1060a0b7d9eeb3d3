"""EPUB books as a whole: EPUBCheck, the export and check commands, reproducible packages, calibre.

Every book the EPUB tests write comes from tests.epubtools.Shelf: exported once per session
with the real CLI, then validated with EPUBCheck in one parallel pass.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest

from exporter.archive import open_archive
from exporter.checks import Report
from tests.conftest import EXAMPLES, SEED, run_cli
from tests.epubtools import FAST_JVM, EpubFile, Export, Shelf, epubcheck, without_entry

# Every book the EPUB test modules produce (the shelf's recipes), by name.
BOOKS = ["archive", "seed", "rmrb", "toc3", "override", "synthetic", "seed-epoch"]
EPOCH = 1767225600  # 2026-01-01T00:00:00Z


@pytest.fixture(scope="session")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Shelf:
    return Shelf.for_session(tmp_path_factory)


def build(shelf: Shelf, name: str, request: pytest.FixtureRequest) -> Export:
    """Export one of the shelf's books by name."""
    if name == "rmrb":
        return shelf.rmrb(request.getfixturevalue("rmrb_dir"))
    if name == "seed-epoch":
        shelf.seed()  # Skips when the seed is absent.
        return shelf.export("seed-epoch", SEED, env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    return getattr(shelf, name)()


@pytest.fixture(scope="session")
def epubcheck_reports(shelf: Shelf, request: pytest.FixtureRequest) -> dict[str, list[Report]]:
    """Export every book, then run EPUBCheck on all of them in one parallel pass."""
    exports: dict[str, Export] = {}
    for name in BOOKS:
        try:
            exports[name] = build(shelf, name, request)
        except pytest.skip.Exception:
            continue  # Its own test skips for the same reason.
    paths = [p for e in exports.values() for p in e.epubs]
    reports = epubcheck(paths)
    return {name: [reports[p] for p in e.epubs] for name, e in exports.items()}


@pytest.mark.parametrize("name", BOOKS)
def test_epubcheck_reports_no_error_and_no_warning(
    name: str, shelf: Shelf, epubcheck_reports: dict[str, list[Report]], request: pytest.FixtureRequest
) -> None:
    export = build(shelf, name, request)
    assert export.epubs, f"{name}: no EPUB written"
    reports = epubcheck_reports[name]
    assert len(reports) == len(export.epubs)
    for report in reports:
        assert report.problems == [], f"{report.file}:\n" + "\n".join(report.problems)
        assert any("0 fatal, 0 errors, 0 warnings" in fact for fact in report.facts), report.facts


# --- the export command ------------------------------------------------------------


def test_export_writes_one_epub_per_issue_under_paper_folder(shelf: Shelf) -> None:
    export = shelf.archive()
    written = [p.relative_to(export.out).as_posix() for p in export.out.rglob("*") if p.is_file()]
    assert sorted(w for w in written if not w.startswith(".")) == [  # Hidden: the export's own bookkeeping.
        "青川晚报/2026-03-02.epub",
        "青川晚报/2026-03-03.epub",
    ]
    for path in export.epubs:
        assert zipfile.is_zipfile(path)


def test_export_report_has_the_documented_shape(shelf: Shelf) -> None:
    export = shelf.archive()
    report = json.loads(shelf.report("archive").read_text(encoding="utf-8"))
    assert set(report) >= {"issues", "missing_dates"}
    assert report["missing_dates"] == []
    issues = {i.date.isoformat(): i for i in open_archive([EXAMPLES]).issues}
    assert [entry["date"] for entry in report["issues"]] == sorted(issues)
    for entry in report["issues"]:
        assert set(entry) >= {"paper", "date", "pages", "articles", "outputs", "status", "error", "seconds"}
        issue = issues[entry["date"]]
        assert entry["paper"] == "青川晚报"
        assert entry["pages"] == len(issue.pages)
        assert entry["articles"] == len(issue.articles)
        assert entry["status"] == "written"
        assert entry["error"] is None
        assert [Path(p) for p in entry["outputs"]] == [export.out / "青川晚报" / f"{entry['date']}.epub"]
        assert isinstance(entry["seconds"], int | float) and entry["seconds"] >= 0


# --- reproducible packages ------------------------------------------------------------


def test_two_exports_of_the_same_sources_are_byte_identical(shelf: Shelf) -> None:
    first = shelf.seed().epub
    second = shelf.export("seed-again", SEED).epub
    assert first != second
    assert first.read_bytes() == second.read_bytes()


def test_sources_copied_elsewhere_export_byte_identical(shelf: Shelf, tmp_path: Path) -> None:
    original = shelf.archive()
    copy = tmp_path / "elsewhere" / "archive"
    shutil.copytree(EXAMPLES, copy)  # copy2 keeps the files' times: the same sources.
    moved = shelf.export("archive-moved", copy)
    assert [p.name for p in moved.epubs] == [p.name for p in original.epubs]
    for a, b in zip(original.epubs, moved.epubs, strict=True):
        assert a.read_bytes() == b.read_bytes(), f"{b.name} depends on where the sources are"


def test_source_date_epoch_fixes_every_time(shelf: Shelf, request: pytest.FixtureRequest) -> None:
    book = build(shelf, "seed-epoch", request)
    again = shelf.export("seed-epoch-again", SEED, env={"SOURCE_DATE_EPOCH": str(EPOCH)})
    assert book.epub.read_bytes() == again.epub.read_bytes()
    epub = EpubFile(book.epub)
    assert epub.meta("dcterms:modified") == ["2026-01-01T00:00:00Z"]
    assert {info.date_time for info in epub.infos} == {(2026, 1, 1, 0, 0, 0)}
    assert book.epub.read_bytes() != shelf.seed().epub.read_bytes()  # The seed's own time is not the epoch.


def test_without_source_date_epoch_the_time_is_the_newest_source(shelf: Shelf) -> None:
    export = shelf.seed()
    newest = dt.datetime.fromtimestamp(int(SEED.stat().st_mtime), dt.UTC)
    assert EpubFile(export.epub).meta("dcterms:modified") == [newest.strftime("%Y-%m-%dT%H:%M:%SZ")]


@pytest.mark.parametrize("name", ["seed", "archive", "synthetic"])
def test_zip_mimetype_first_then_entries_sorted_then_cover(shelf: Shelf, name: str) -> None:
    for path in getattr(shelf, name)().epubs:
        epub = EpubFile(path)
        first = epub.infos[0]
        assert first.filename == "mimetype"
        assert first.compress_type == zipfile.ZIP_STORED
        assert first.extra == b""
        assert epub.entries["mimetype"] == b"application/epub+zip"
        assert path.read_bytes()[30:38] == b"mimetype"  # The name right after the first local header.
        *rest, cover = epub.names[1:]
        assert rest == sorted(rest)
        assert cover == "EPUB/images/cover.jpg"  # Last: packed when the child process has drawn it.
        assert len(set(epub.names)) == len(epub.names)
        assert len({info.date_time for info in epub.infos}) == 1


# --- the check command ----------------------------------------------------------------


@pytest.fixture(scope="module")
def broken_check(shelf: Shelf, tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """`epaper check` on the seed's EPUB with the nav document removed from the zip."""
    broken = without_entry(shelf.seed().epub, tmp_path_factory.mktemp("broken") / "no-nav.epub", "EPUB/nav.xhtml")
    return run_cli("check", broken, env={"JAVA_TOOL_OPTIONS": FAST_JVM})


def test_check_passes_a_good_epub(shelf: Shelf) -> None:
    proc = run_cli("check", shelf.seed().epub, env={"JAVA_TOOL_OPTIONS": FAST_JVM})
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert f"{shelf.seed().epub}: ok" in proc.stdout
    assert "0 fatal, 0 errors, 0 warnings" in proc.stdout


def test_check_prints_the_problem_of_a_broken_epub(broken_check: subprocess.CompletedProcess[str]) -> None:
    assert "no-nav.epub: FAILED" in broken_check.stdout
    problems = [line for line in broken_check.stdout.splitlines() if line.strip().startswith(("ERROR", "FATAL"))]
    assert problems, broken_check.stdout
    assert any("nav.xhtml" in line for line in problems), problems


def test_check_exits_1_on_a_broken_epub(broken_check: subprocess.CompletedProcess[str]) -> None:
    assert broken_check.returncode == 1


# --- a real reading system ------------------------------------------------------------


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("ebook-convert") is None, reason="calibre's ebook-convert is not installed")
def test_calibre_converts_the_seed_to_azw3(shelf: Shelf, tmp_path: Path) -> None:
    target = tmp_path / "seed.azw3"
    proc = subprocess.run(
        ["ebook-convert", str(shelf.seed().epub), str(target)],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    assert "Traceback" not in proc.stdout + proc.stderr
    assert target.is_file() and target.stat().st_size > 0
    assert target.read_bytes()[60:68] == b"BOOKMOBI"  # The Mobipocket header of a KF8 file.
