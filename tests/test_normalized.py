"""Normalized JSON: what `inspect --json` prints reads back as the very same model."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path

import pytest
from PIL import Image

from exporter import normalized
from exporter.archive import Archive, open_archive
from exporter.model import Figure, Heading, Highlights, Issue, Paragraph, Separator
from tests.conftest import EXAMPLES, needs
from tests.samples import DUMP

MARKDOWN = """\
---
paper: 青川晚报
date: 2026-03-02
page: "A01"
page_name: 要闻
order: 1
kicker: 奋力实现“开门红”
title: 全市重大项目集中开工
subtitle: ——58个项目总投资326.8亿元
byline: 本报记者 李明远
source: （本报讯）
---

![开工现场](images/a.png "本报记者 黄思远摄")

正文第一段，<b>不是标签</b> &amp; {{ 7*7 }}。

## 聚链强群
### 产业项目挑起投资“大梁”

- 要点一；
- 要点二；

……

## 出行提示

正文第二段。
"""

PAPER_TOML = """\
name = "青川晚报"
publisher = "青川晚报社"

[pages]
"02" = "经济"
"A01" = "要闻"
"""


def build_sources(folder: Path) -> Path:
    (folder / "images").mkdir(parents=True)
    Image.new("RGB", (8, 6), "green").save(folder / "images" / "a.png")
    (folder / "p02-dump.txt").write_text(DUMP, encoding="utf-8")
    (folder / "pA01-article.md").write_text(MARKDOWN, encoding="utf-8")
    (folder / "paper.toml").write_text(PAPER_TOML, encoding="utf-8")
    other = folder / "other-day"
    other.mkdir()
    (other / "a.md").write_text(MARKDOWN.replace("2026-03-02", "2026-03-03"), encoding="utf-8")
    return folder


def without_article_page_names(issues: tuple[Issue, ...]) -> list[Issue]:
    return [
        replace(
            issue,
            pages=tuple(
                replace(page, articles=tuple(replace(a, page_name=None) for a in page.articles)) for page in issue.pages
            ),
        )
        for issue in issues
    ]


def copy_examples(tmp_path: Path) -> Path:
    """The examples beside where the JSON is written: a JSON's photos must lie under its folder (issue 18)."""
    return Path(shutil.copytree(EXAMPLES, tmp_path / "examples"))


def round_trip(archive: Archive, target: Path) -> Archive:
    data = normalized.dump(list(archive.issues), list(archive.notices))
    target.write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
    return open_archive([target])


def test_tmp_sources_round_trip(tmp_path: Path) -> None:
    original = open_archive([build_sources(tmp_path / "src")])
    assert original.refused == ()
    assert len(original.issues) == 2
    kinds = {type(b) for i in original.issues for a in i.articles for b in a.blocks}
    assert kinds == {Figure, Heading, Highlights, Paragraph, Separator}
    assert any(f.image for i in original.issues for a in i.articles for f in a.figures)
    assert original.issues[0].paper.publisher == "青川晚报社"

    again = round_trip(original, tmp_path / "issues.json")
    assert again.refused == ()
    assert again.files == 1
    assert again.issues == original.issues
    assert again.notices == ()


def test_round_trip_is_stable(tmp_path: Path) -> None:
    original = open_archive([build_sources(tmp_path / "src")])
    first = normalized.dump(list(original.issues))
    again = round_trip(original, tmp_path / "issues.json")
    assert normalized.dump(list(again.issues)) == first


def test_dump_shape(tmp_path: Path) -> None:
    archive = open_archive([build_sources(tmp_path / "src")])
    data = normalized.dump(list(archive.issues), list(archive.notices))
    assert data["format"] == "epaper/normalized"
    assert data["version"] == 1
    assert "warnings" in data
    issue = data["issues"][0]
    assert (issue["paper"], issue["publisher"], issue["date"], issue["weekday"]) == (
        "青川晚报",
        "青川晚报社",
        "2026-03-02",
        "星期一",
    )
    assert [(p["label"], p["name"]) for p in issue["pages"]] == [("02", "经济"), ("A01", "要闻")]
    md_article = issue["pages"][1]["articles"][0]
    assert md_article["kicker"] == "奋力实现“开门红”"
    assert md_article["source"] == "本报讯"
    assert md_article["order"] == 1
    assert md_article["file"].endswith("pA01-article.md")
    types = [b["type"] for b in md_article["blocks"]]
    assert types == ["figure", "paragraph", "heading", "highlights", "separator", "heading", "paragraph"]
    assert md_article["blocks"][1]["text"] == "正文第一段，<b>不是标签</b> &amp; {{ 7*7 }}。"
    assert Path(md_article["blocks"][0]["image"]).is_absolute()
    assert all(isinstance(b["line"], int) for b in md_article["blocks"])


def test_page_name_from_paper_toml_round_trips(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(DUMP.replace("第02版:经济", "第02版:"), encoding="utf-8")
    (src / "paper.toml").write_text(PAPER_TOML, encoding="utf-8")
    original = open_archive([src])
    assert original.issues[0].pages[0].name == "经济"
    assert original.issues[0].articles[0].page_name is None
    again = round_trip(original, tmp_path / "issues.json")
    assert again.issues == original.issues


@needs(EXAMPLES)
def test_examples_round_trip_same_json(tmp_path: Path) -> None:
    original = open_archive([copy_examples(tmp_path)])
    assert original.issues
    again = round_trip(original, tmp_path / "examples.json")
    assert again.refused == ()
    assert normalized.dump(list(again.issues)) == normalized.dump(list(original.issues))
    assert without_article_page_names(again.issues) == without_article_page_names(original.issues)


@needs(EXAMPLES)
def test_examples_round_trip(tmp_path: Path) -> None:
    original = open_archive([copy_examples(tmp_path)])
    assert original.issues
    again = round_trip(original, tmp_path / "examples.json")
    assert again.refused == ()
    assert again.issues == original.issues


def test_json_among_other_sources_is_not_duplicated(tmp_path: Path) -> None:
    """A normalized file beside the sources it came from: every article found twice is kept once."""
    src = build_sources(tmp_path / "src")
    original = open_archive([src])
    data = normalized.dump(list(original.issues))
    (src / "all.json").write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    both = open_archive([src])
    assert both.refused == ()
    assert both.articles == original.articles
    duplicates = [n for n in both.notices if "duplicate" in n.message]
    assert len(duplicates) == original.articles


@pytest.mark.parametrize(
    ("mutate", "fragment"),
    [
        (lambda d: d.update(format="other"), "format"),
        (lambda d: d.update(version=99), "version"),
        (lambda d: d["issues"][0].update(date="2026-02-30"), "issues[0].date"),
        (lambda d: d["issues"][0]["pages"][0]["articles"][0].update(title=""), "title"),
        (lambda d: d["issues"][0]["pages"][0]["articles"][0]["blocks"][0].update(type="video"), "type"),
    ],
)
def test_bad_normalized_json_is_refused(tmp_path: Path, mutate: object, fragment: str) -> None:
    original = open_archive([build_sources(tmp_path / "src")])
    data = normalized.dump(list(original.issues))
    mutate(data)  # type: ignore[operator]
    bad = tmp_path / "bad" / "bad.json"
    bad.parent.mkdir()
    bad.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    archive = open_archive([bad, tmp_path / "src" / "p02-dump.txt"])
    assert len(archive.refused) == 1
    assert archive.refused[0].file.endswith("bad.json")
    assert fragment in str(archive.refused[0])
    assert archive.articles == 1


def test_json_syntax_error_names_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{\n  "format": "epaper/normalized",\n  "version": 1,\n  "issues": [,]\n}\n', encoding="utf-8")
    archive = open_archive([bad])
    (error,) = archive.refused
    assert error.file.endswith("bad.json")
    assert error.line == 4
