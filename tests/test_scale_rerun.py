"""No-op re-runs at the cost of a stat: an unchanged run is replayed from the manifest without reading a source."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import run_cli
from tests.synth import make_archive

D = dt.date


def report(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def in_process(monkeypatch: pytest.MonkeyPatch, *args: str | Path) -> int:
    """Run `epaper export` here, with reading the sources forbidden: only a replay can succeed."""
    from exporter import archive, cli

    def no_reading(*_: object, **__: object) -> None:
        raise AssertionError("the sources were read")

    monkeypatch.setattr(archive, "open_archive", no_reading)
    try:
        cli.app(["export", *map(str, args)], standalone_mode=False)
    except SystemExit as exc:
        return int(exc.code or 0)
    except Exception as exc:  # typer.Exit
        return int(getattr(exc, "exit_code", 99))
    return 0


@pytest.fixture
def built(tmp_path: Path) -> tuple[Path, Path]:
    src = make_archive(tmp_path / "src", D(2026, 5, 1), 3, pages=1, articles=2, images=1)
    out = tmp_path / "out"
    first = run_cli("export", src, "-o", out, "-j", "1", "--report", tmp_path / "first.json")
    assert first.returncode == 0, first.stderr
    return src, out


def test_an_unchanged_run_is_replayed_without_reading(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, out = built
    code = in_process(monkeypatch, src, "-o", out, "-j", "1", "-q", "--report", tmp_path / "again.json")
    assert code == 0
    first, again = report(tmp_path / "first.json"), report(tmp_path / "again.json")
    assert [i["status"] for i in again["issues"]] == ["skipped"] * 3
    keep = ("paper", "date", "pages", "articles", "outputs")
    assert [{k: i[k] for k in keep} for i in again["issues"]] == [{k: i[k] for k in keep} for i in first["issues"]]
    assert again["missing_dates"] == first["missing_dates"] == []


def _replayed(src: Path, out: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *extra: str) -> bool:
    with monkeypatch.context() as patch:
        try:
            return in_process(patch, src, "-o", out, "-j", "1", "-q", *extra) == 0
        except AssertionError:
            return False


def test_a_touched_source_is_read_and_its_book_rebuilt(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    src, out = built
    article = src / "2026-05-02" / "p01-1.md"
    article.write_text(article.read_text(encoding="utf-8").replace("本报讯", "新华社"), encoding="utf-8")
    assert not _replayed(src, out, tmp_path, monkeypatch)
    result = run_cli("export", src, "-o", out, "-j", "1", "--report", tmp_path / "r.json")
    assert result.returncode == 0, result.stderr
    assert {i["date"]: i["status"] for i in report(tmp_path / "r.json")["issues"]} == {
        "2026-05-01": "skipped",
        "2026-05-02": "written",
        "2026-05-03": "skipped",
    }
    assert _replayed(src, out, tmp_path, monkeypatch)  # That run was complete: the next one is a replay again.


@pytest.mark.parametrize("change", ["photo", "output", "option", "new file", "removed file"])
def test_anything_moved_means_no_replay(
    built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    src, out = built
    extra: tuple[str, ...] = ()
    if change == "photo":
        photo = next(src.rglob("*.jpg"))
        photo.write_bytes(photo.read_bytes() + b"\0")
    elif change == "output":
        (out / "合成日报" / "2026-05-03.epub").unlink()
    elif change == "option":
        extra = ("--toc-depth", "1")
    elif change == "new file":
        (src / "2026-05-03" / "p01-9.md").write_text("---\ntitle: 新\n---\n\n正文。\n", encoding="utf-8")
    else:
        (src / "2026-05-03" / "p01-2.md").unlink()
    assert not _replayed(src, out, tmp_path, monkeypatch, *extra)


def test_a_stat_is_all_it_checks(built: tuple[Path, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Same size and mtime (as make and rsync): the replay trusts them; --force reads everything."""
    src, out = built
    article = src / "2026-05-02" / "p01-1.md"
    st = article.stat()
    text = article.read_text(encoding="utf-8")
    article.write_text(text.replace("本报讯", "本报电"), encoding="utf-8")  # Same length in UTF-8.
    os.utime(article, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert _replayed(src, out, tmp_path, monkeypatch)
    assert not _replayed(src, out, tmp_path, monkeypatch, "--force")


def test_a_run_with_a_refused_source_is_never_replayed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = make_archive(tmp_path / "src", D(2026, 5, 1), 2, pages=1, articles=1)
    (src / "2026-05-01" / "broken.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))
    out = tmp_path / "out"
    for _ in range(2):
        result = run_cli("export", src, "-o", out, "-j", "1")
        assert result.returncode == 1 and "broken.txt" in result.stderr
    assert not _replayed(src, out, tmp_path, monkeypatch)
