"""Bounded work on hostile input (issue 18): huge date ranges, deep YAML."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest

from exporter.missing import listed, merged, missing_runs
from exporter.model import Issue, Paper
from exporter.text import breakable_runs
from tests.conftest import run_cli
from tests.hostile import markdown_source, pdf_text, run_measured, squash
from tests.synth import make_archive
from tests.test_hostile import needs_namespaces, run_in_namespace

D = dt.date


def issue(paper: str, day: D) -> Issue:
    return Issue(Paper(paper), day, ())


def test_missing_dates_are_runs_whatever_the_range() -> None:
    issues = [issue("甲报", D(2017, 4, 23)), issue("甲报", D(2017, 5, 1)), issue("乙报", D(2017, 4, 25))]
    runs = missing_runs(issues, D(2017, 4, 20), D(2017, 5, 2))
    assert runs == {
        "甲报": [(D(2017, 4, 20), D(2017, 4, 22)), (D(2017, 4, 24), D(2017, 4, 30)), (D(2017, 5, 2), D(2017, 5, 2))],
        "乙报": [(D(2017, 4, 20), D(2017, 4, 24)), (D(2017, 4, 26), D(2017, 5, 2))],
    }
    assert listed(runs["甲报"], 2) == ["2017-04-20…2017-04-22", "2017-04-24…2017-04-30", "… and 1 more run(s)"]
    assert merged([*runs["甲报"], *runs["乙报"]]) == [(D(2017, 4, 20), D(2017, 5, 2))]
    # Without a range: between the paper's first and last issue; the ends of the calendar are no problem.
    assert missing_runs(issues, None, None)["乙报"] == []
    ends = [issue("甲报", D.min), issue("甲报", D.max)]
    assert missing_runs(ends, D.min, D.max) == {"甲报": [(D(1, 1, 2), D(9999, 12, 30))]}


@pytest.fixture
def one_issue(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    for day in ("2017-04-23", "2017-05-01"):
        (src / f"{day}.md").write_text(markdown_source("正文。\n", date=day), encoding="utf-8")
    return src


def test_the_whole_calendar_as_a_range_is_two_lines_in_bounded_memory(one_issue: Path, tmp_path: Path) -> None:
    out, report = tmp_path / "out", tmp_path / "r.json"
    code, rss, stderr = run_measured(
        "export", one_issue, "-o", out, "-f", "epub", "--from", "0001-01-01", "--to", "9999-12-31", "--report", report
    )
    assert code == 0, stderr
    assert rss < 300, f"{rss:.0f} MiB"  # Was 1.2 GB: one string per missing day.
    assert "no issue of 青川晚报 on: 0001-01-01…2017-04-22, 2017-04-24…2017-04-30, 2017-05-02…9999-12-31" in stderr
    assert len(stderr) < 2000
    data = json.loads(report.read_text(encoding="utf-8"))
    assert data["missing_dates"] == ["0001-01-01…2017-04-22", "2017-04-24…2017-04-30", "2017-05-02…9999-12-31"]
    assert data["missing_days"] == (D(9999, 12, 31) - D(1, 1, 1)).days + 1 - 2
    assert report.stat().st_size < 2000
    quiet = run_cli("export", one_issue, "-o", out, "-f", "epub", "--from", "0001-01-01", "--to", "9999-12-31", "-q")
    assert quiet.returncode == 0
    assert "no issue of" not in quiet.stderr


def test_many_missing_runs_are_capped_on_stderr(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for n in range(1, 26, 2):  # Every other day: 12 gaps of one day.
        day = f"2026-01-{n:02d}"
        (src / f"{day}.md").write_text(markdown_source("正文。\n", date=day), encoding="utf-8")
    result = run_cli("export", src, "-o", tmp_path / "out", "-f", "epub", "--bundle", "range")
    assert result.returncode == 0, result.stderr
    (line,) = [x for x in result.stderr.splitlines() if x.startswith("no issue of")]
    assert line == "no issue of 青川晚报 on: " + ", ".join(
        [*(f"2026-01-{n:02d}" for n in range(2, 21, 2)), "… and 2 more run(s)"]
    )


def nested_front_matter(kind: str, depth: int) -> str:
    head = '---\npaper: 甲报\ndate: 2026-01-01\npage: "01"\ntitle: 标题\n'
    if kind == "flow":
        deep = "x: " + "[" * depth + "]" * depth + "\n"
    elif kind == "sequence":
        deep = "x:\n" + "- " * depth + "a\n"
    else:
        deep = "x:\n" + "".join(" " * i + "k:\n" for i in range(1, depth))
    return head + deep + "---\n\n正文。\n"


@pytest.mark.parametrize(
    ("kind", "depth", "line"),
    [
        ("flow", 100_000, 6),  # `x: [[[…` is line 6.
        ("sequence", 100_000, 7),  # `- - - …` is the line after `x:`.
        ("block", 2000, 70),  # One level a line from `x:` on line 6: level 65 is on line 70.
    ],
)
def test_front_matter_nested_deep_is_one_line(tmp_path: Path, kind: str, depth: int, line: int) -> None:
    source = tmp_path / "deep.md"
    source.write_text(nested_front_matter(kind, depth), encoding="utf-8")
    result = run_cli("export", source, "-o", tmp_path / "out", "-f", "epub")
    assert result.returncode == 2, result.stderr
    assert "RecursionError" not in result.stderr and "Traceback" not in result.stderr
    assert f"epaper: refused: {source}:{line}: bad front matter: nested more than 64 levels deep" in result.stderr


def test_front_matter_nested_within_the_limit_still_reads(tmp_path: Path) -> None:
    source = tmp_path / "ok.md"
    source.write_text(nested_front_matter("flow", 30), encoding="utf-8")
    result = run_cli("export", source, "-o", tmp_path / "out", "-f", "epub")
    assert result.returncode == 0, result.stderr


@needs_namespaces
def test_after_a_full_disk_the_summary_counts_the_files_already_written(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 1, 1), 2, pages=2, articles=2, images=2)
    probe = tmp_path / "probe"
    assert run_cli("export", src, "-o", probe, "--to", "2026-01-01", "-f", "epub").returncode == 0
    (epub,) = probe.glob("*/*.epub")
    out = tmp_path / "out"
    out.mkdir()
    tmpfs = f"mount -t tmpfs -o size={epub.stat().st_size * 3 // 2} tmpfs '{out}'"  # The first EPUB fits, no PDF.
    result = run_in_namespace(tmpfs, "export", src, "-o", out, "-j", "1", "-f", "epub,pdf")
    assert result.returncode == 1, result.stderr
    assert f"epaper: failed: 合成日报 2026-01-01: {out}/合成日报/2026-01-01.pdf: cannot write" in result.stderr
    assert "books: 2 (0 written, 0 unchanged, 2 failed, 1 of them partly written)" in result.stderr
    assert "files written: 1" in result.stderr


# --- long runs in the PDF (layout linear in paragraph length; benchmarks/bench_long_text.py times it) -------


def test_breakable_runs_cut_only_long_text_nodes_and_keep_every_character() -> None:
    han = "汉字排版" * 600  # 2,400 characters: cut.
    latin = "A&amp;B" + "x" * 3000  # One "word": gets break opportunities.
    html = f"<title>{'标题' * 800}</title><p>{han}</p><p>短段落。</p><p>{latin}</p>"
    out = breakable_runs(html)
    assert f"<title>{'标题' * 800}</title>" in out, "the title is no layout"
    assert "<p>短段落。</p>" in out, "short paragraphs untouched"
    assert re.sub(r"<[^>]+>", "", out) == re.sub(r"<[^>]+>", "", html)
    assert out.count("<span>") == 3 + 4  # 2,400 ideographs in 3 boxes; 3,007 Latin characters in 4.
    assert "&amp;" in out and not re.search(r"&[a-z]*<", out), "never inside an entity"
    longest = max(len(s) for s in re.split(r"<[^>]+>", out.split("</title>")[1]))
    assert longest <= 1250
    assert max(len(s) for s in re.split(r"<[^>]+>", out.split("<p><span>A")[1])) <= 40 + 5


def test_a_long_paragraph_without_punctuation_keeps_all_its_text_in_the_pdf(tmp_path: Path) -> None:
    han = "".join("汉字排版不断行的长段落" for _ in range(1200))  # 13,200 characters, no punctuation.
    latin = "abcdefghij" * 500  # 5,000 characters with no break opportunity.
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text(markdown_source(f"{han}\n\n{latin}\n"), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("export", src, "-o", out, "-f", "pdf", timeout=300)
    assert result.returncode == 0, result.stderr
    (pdf,) = out.glob("*/*.pdf")
    furniture = {"青川晚报", "2026年1月14日", "第02版"}  # Running heads; page numbers are digits alone on a line.
    lines = [
        line for line in pdf_text(pdf).splitlines() if line.strip() not in furniture and not line.strip().isdigit()
    ]
    text = squash("\n".join(lines))
    assert han in text
    assert latin in text, "wrapped, not run off the page"


def test_json_nested_deep_is_one_line(tmp_path: Path) -> None:
    source = tmp_path / "deep.json"
    article = '{"title": "标题", "blocks": [], "extra": ' + "[" * 100_000 + "]" * 100_000 + "}"
    issue = '{"paper": "甲报", "date": "2026-01-01", "pages": [{"label": "01", "articles": [' + article + "]}]}"
    source.write_text('{"format": "epaper/normalized", "version": 1, "issues": [' + issue + "]}", encoding="utf-8")
    result = run_cli("export", source, "-o", tmp_path / "out", "-f", "epub")
    assert result.returncode == 2, result.stderr
    assert f"epaper: refused: {source}: bad JSON: nested too deeply" in result.stderr
    assert "Traceback" not in result.stderr
