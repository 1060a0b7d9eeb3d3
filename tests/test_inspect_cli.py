"""`epaper inspect` as a user runs it: a real process, its output and its exit code."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from exporter.archive import open_archive
from tests.conftest import run_cli
from tests.samples import DUMP

MARKDOWN = """\
---
paper: 青川晚报
date: 2026-03-03
page: "01"
page_name: 要闻
order: 1
title: 全市重大项目集中开工
source: 本报讯
---

![开工现场](images/missing.png "本报记者 黄思远摄")

正文第一段，介绍项目情况。

## 出行提示

正文第二段。
"""


def sources(folder: Path) -> Path:
    folder.mkdir(parents=True)
    (folder / "a.txt").write_text(DUMP, encoding="utf-8")
    (folder / "b.md").write_text(MARKDOWN, encoding="utf-8")
    return folder


def assert_one_line_error(result: object, *needles: str) -> None:
    assert result.returncode == 2  # type: ignore[attr-defined]
    stderr = result.stderr  # type: ignore[attr-defined]
    assert "Traceback" not in stderr
    lines = stderr.strip("\n").split("\n")
    assert len(lines) == 1, stderr
    assert lines[0].startswith("epaper: error:")
    for needle in needles:
        assert needle in lines[0]


# --- the seed ------------------------------------------------------------------------------------------


def test_seed_json(seed: Path) -> None:
    result = run_cli("inspect", seed.parent, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["format"] == "epaper/normalized"
    (issue,) = data["issues"]
    assert (issue["paper"], issue["date"], issue["weekday"]) == ("宜春日报", "2026-01-14", "星期三")
    (page,) = issue["pages"]
    assert page["label"] == "14"
    (article,) = page["articles"]
    assert article["title"] == "宜春经开区：凝心聚力担使命 砥砺奋进开新局"
    assert article["source"] == "宜春经开区"
    assert article["file"].endswith("yichun-2026-01-14-p14.txt")
    blocks = article["blocks"]
    captions = [b["caption"] for b in blocks if b["type"] == "figure"]
    assert len(captions) == 4
    assert captions[0] == "宜春市科陆储能技术有限公司锂电储能5G数字化工厂"
    assert captions[-1] == "开设重大项目“全链协同审批”窗口"
    highlights = [b for b in blocks if b["type"] == "highlights"]
    assert len(highlights) == 1 and len(highlights[0]["items"]) == 3
    assert [b["text"] for b in blocks if b["type"] == "separator"] == ["……"]
    assert [b["kicker"] for b in blocks if b["type"] == "heading"] == ["聚链强群", "创新驱动", "强化作风", "党建引领"]
    assert [b["text"] for b in blocks if b["type"] == "heading"] == [
        "集群发展锻造产业竞争新优势",
        "数转智改点燃转型升级新引擎",
        "优质服务擦亮营商环境新名片",
        "强基固本绘就产业民生新图景",
    ]
    assert all(isinstance(b["line"], int) and b["file"] == article["file"] for b in blocks)
    assert data.get("warnings", []) == []


# --- output forms ------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def partly_refused(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    """`epaper inspect` piped, on two good sources (one with a missing image) and an empty file."""
    src = sources(tmp_path_factory.mktemp("partly") / "src")
    (src / "empty.txt").write_bytes(b"")
    return run_cli("inspect", src)


def test_plain_text_when_piped(partly_refused: subprocess.CompletedProcess[str]) -> None:
    out = partly_refused.stdout
    assert "Traceback" not in partly_refused.stderr
    assert "\x1b[" not in out, "no terminal colours in a pipe"
    lines = [line.strip() for line in out.splitlines()]
    assert any(line.startswith("青川晚报 2026-03-02") for line in lines)
    assert any(line.startswith("青川晚报 2026-03-03") for line in lines)
    assert "第02版 · 经济" in lines
    assert "第01版 · 要闻" in lines
    # Per article: title, kicker, subtitle, byline, source line, counts.
    assert "全市农资供应充足" in lines
    assert "全市重大项目集中开工" in lines
    for value in ("春耕备耕进行时", "——化肥储备同比增长一成", "本报记者 王晓雯", "本报讯", "聚链强群"):
        assert value in out
    assert re.search(r"\b1 caption\b", out)
    assert re.search(r"\b2 highlights\b", out)
    assert re.search(r"\b1 heading\b", out)
    assert re.search(r"\b2 paragraphs\b", out)
    assert out.index("全市农资供应充足") < out.index("全市重大项目集中开工")  # Issues in date order.


def test_refused_file_named_and_others_listed(partly_refused: subprocess.CompletedProcess[str]) -> None:
    both = partly_refused.stdout + partly_refused.stderr
    assert "全市农资供应充足" in partly_refused.stdout
    assert "全市重大项目集中开工" in partly_refused.stdout
    assert "b.md" in both and "missing.png" in both  # The warning.
    refused = [line for line in both.splitlines() if "empty.txt" in line]
    assert len(refused) == 1
    assert "empty" in refused[0].split("empty.txt", 1)[1]


def test_exit_1_when_some_file_is_refused(partly_refused: subprocess.CompletedProcess[str]) -> None:
    assert partly_refused.returncode == 1


def test_keep_punctuation_flag(tmp_path: Path) -> None:
    src = sources(tmp_path / "src")
    result = run_cli("inspect", src / "a.txt", "--json", "--keep-punctuation")
    assert result.returncode == 0, result.stderr
    article = json.loads(result.stdout)["issues"][0]["pages"][0]["articles"][0]
    texts = [b.get("text") for b in article["blocks"]]
    assert "这是导语,说明全文的主要内容,以句号结束。" in texts
    assert [b["items"] for b in article["blocks"] if b["type"] == "highlights"] == [
        ["第一项要点,内容较短;", "第二项要点,内容较短;"]
    ]


def test_json_output_reads_back(tmp_path: Path) -> None:
    src = sources(tmp_path / "src")
    result = run_cli("inspect", src, "--json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert len(data["issues"]) == 2
    saved = tmp_path / "issues.json"
    saved.write_text(result.stdout, encoding="utf-8")
    again = open_archive([saved])
    assert again.refused == ()
    assert again.issues == open_archive([src]).issues
    # Restored punctuation by default.
    assert "这是导语，说明全文的主要内容，以句号结束。" in result.stdout


# --- exit codes and one-line errors ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def none_readable(tmp_path_factory: pytest.TempPathFactory) -> subprocess.CompletedProcess[str]:
    src = tmp_path_factory.mktemp("none") / "src"
    src.mkdir()
    (src / "empty.txt").write_bytes(b"")
    (src / "broken.md").write_text("---\ntitle: [\n---\n", encoding="utf-8")
    return run_cli("inspect", src)


def test_nothing_readable_names_every_file(none_readable: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in none_readable.stderr
    both = none_readable.stdout + none_readable.stderr
    assert "empty.txt" in both
    assert "broken.md" in both


def test_exit_2_when_nothing_could_be_read(none_readable: subprocess.CompletedProcess[str]) -> None:
    assert none_readable.returncode == 2


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        (("no-such-folder",), ("no-such-folder",)),
        (("{src}", "--from", "2026-13-01"), ("--from", "2026-13-01")),
    ],
    ids=["missing-source", "bad-from"],
)
def test_one_line_errors(tmp_path: Path, args: tuple[str, ...], needles: tuple[str, ...]) -> None:
    src = sources(tmp_path / "src")
    argv = [a.format(src=src) for a in args]
    if argv[0] == "no-such-folder":
        argv[0] = str(tmp_path / "no-such-folder")
    result = run_cli("inspect", *argv)
    assert_one_line_error(result, *needles)
    assert result.stdout == ""
