"""Failures that must stay small: a reader bug, a bad paper.toml, odd names and charsets, volumes of several papers."""

from __future__ import annotations

import datetime as dt
import random
from pathlib import Path

import pytest

from exporter.archive import open_archive
from exporter.sources import READERS
from exporter.text import natural_key
from tests.conftest import run_cli
from tests.samples import DUMP
from tests.synth import make_archive, write_article


def test_a_reader_bug_refuses_one_file_and_the_others_are_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "good.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "bad.md").write_text("---\npaper: x\n---\n", encoding="utf-8")
    markdown = next(r for r in READERS if ".md" in r.suffixes).load()

    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(markdown, "read", broken)
    archive = open_archive([tmp_path])
    assert len(archive.issues) == 1 and archive.unreadable == 1
    (error,) = archive.refused
    assert str(error).endswith("bad.md: cannot be read (internal error, please report it: RuntimeError)")


def test_a_broken_paper_toml_beside_good_sources_exits_1_not_2(tmp_path: Path) -> None:
    (tmp_path / "good.txt").write_text(DUMP, encoding="utf-8")
    (tmp_path / "paper.toml").write_text("name = \n", encoding="utf-8")
    result = run_cli("inspect", tmp_path)
    assert result.returncode == 1, result.stderr
    assert "paper.toml: bad TOML" in result.stdout
    export = run_cli("export", tmp_path, "-o", tmp_path / "out")
    assert export.returncode == 1, export.stderr
    assert list((tmp_path / "out").rglob("*.epub"))


def test_range_volumes_of_two_papers_span_their_own_issues(tmp_path: Path) -> None:
    make_archive(tmp_path / "a", dt.date(2026, 1, 1), 5, pages=1, articles=1)
    rng = random.Random(1)
    for day in (10, 20):
        write_article(tmp_path / "b" / f"{day}", dt.date(2026, 1, day), 1, 1, rng, image=False, paper="另一报")
    result = run_cli("export", tmp_path, "-o", tmp_path / "out", "--bundle", "range", "-j", "1")
    assert result.returncode == 0, result.stderr
    names = sorted(p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*.epub"))
    assert names == ["另一报/2026-01-10_2026-01-20.epub", "合成日报/2026-01-01_2026-01-05.epub"]


@pytest.mark.parametrize("name", ["①", "v1²", "第٣版", "a10b2"])
def test_natural_order_takes_any_digit(name: str) -> None:
    assert natural_key(name)  # No ValueError for digits int() does not read.


def test_odd_charset_declarations_are_read_by_content(tmp_path: Path) -> None:
    from exporter.sources.web.html import load_page

    body = "<p>正文文字。</p>"
    for charset in ("hex", "rot13", "utf-16", "x-no-such"):
        page = tmp_path / f"{charset}.html"
        page.write_text(f'<html><head><meta charset="{charset}"></head><body>{body}</body></html>', encoding="utf-8")
        doc, _ = load_page(page, str(page))
        assert "正文文字" in doc.text_content(), charset
