"""Assembly: issues by (paper, date), pages and articles in reading order, duplicates, paper.toml, filters;
and the two real archives (the 人民日报 corpus and the sample archive) read whole."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from collections import Counter
from pathlib import Path

from PIL import Image

from exporter.archive import open_archive
from exporter.assemble import Selection, assemble
from exporter.model import Article, Highlights, Origin, Paper, Paragraph, Separator
from exporter.sources import discover, reader_for
from exporter.sources.text import dump as dump_reader
from exporter.sources.text import markdown as markdown_reader
from exporter.sources.text import normalized as normalized_reader
from tests.conftest import EXAMPLES, RMRB_DB, needs, run_cli
from tests.corpus import rmrb_expected

D1 = dt.date(2026, 3, 2)
D2 = dt.date(2026, 3, 3)


def art(
    title: str,
    *,
    paper: str = "青川晚报",
    date: dt.date = D1,
    page: str = "01",
    order: int | None = None,
    file: str = "a.txt",
    line: int = 1,
    page_name: str | None = None,
) -> Article:
    return Article(
        paper=paper,
        date=date,
        page=page,
        title=title,
        origin=Origin(file, line),
        order=order,
        page_name=page_name,
        blocks=(Paragraph(f"{title}的正文。", Origin(file, line + 1)),),
    )


def dump(title: str, *, page: str = "第01版:", date: str = "03-02", paper: str = "青川晚报", body: str = "") -> str:
    return (
        f"电子报阅读机\n2026-03-05\n星期四\n当前报纸名称:{paper}\n\n{title}\n\n日期:{date}\n字号:\n"
        f"版面:{page}   上一篇 下一篇\n\n{body or title + '的正文,内容完整。'}\n"
    )


def md(title: str, *, order: int | None = None, page: str = "01", date: str = "2026-03-02") -> str:
    order_line = f"order: {order}\n" if order is not None else ""
    return f'---\npaper: 青川晚报\ndate: {date}\npage: "{page}"\n{order_line}title: {title}\n---\n\n{title}的正文。\n'


def titles(issue_pages: object) -> list[list[str]]:
    return [[a.title for a in p.articles] for p in issue_pages]  # type: ignore[attr-defined]


# --- grouping and order ---------------------------------------------------------------------------


def test_grouped_by_paper_and_date() -> None:
    articles = [
        art("乙报三月二日", paper="乙报", file="1.txt"),
        art("甲报三月三日", paper="甲报", date=D2, file="2.txt"),
        art("甲报三月二日一", paper="甲报", file="3.txt"),
        art("甲报三月二日二", paper="甲报", file="4.txt", page="02"),
    ]
    issues, notices = assemble(articles)
    assert notices == []
    assert [(i.paper.name, i.date) for i in issues] == [("乙报", D1), ("甲报", D1), ("甲报", D2)]
    assert [len(i.articles) for i in issues] == [1, 2, 1]
    assert {a.paper for a in issues[1].articles} == {"甲报"}
    assert {a.date for a in issues[1].articles} == {D1}


def test_pages_in_numeric_order() -> None:
    articles = [art(f"第{p}版文章", page=p, file=f"{i}.txt") for i, p in enumerate(["10", "2", "1", "03", "12"])]
    (issue,), _ = assemble(articles)
    assert [p.label for p in issue.pages] == ["1", "2", "03", "10", "12"]


def test_lettered_pages_in_order() -> None:
    labels = ["B01", "A10", "A02", "B02", "A01"]
    articles = [art(f"第{p}版文章", page=p, file=f"{i}.txt") for i, p in enumerate(labels)]
    (issue,), _ = assemble(articles)
    assert [p.label for p in issue.pages] == ["A01", "A02", "A10", "B01", "B02"]


def test_explicit_order_wins_over_file_names() -> None:
    articles = [
        art("第三篇", order=3, file="a.md"),
        art("第一篇", order=1, file="z.md"),
        art("第二篇", order=2, file="m.md"),
    ]
    (issue,), _ = assemble(articles)
    assert titles(issue.pages) == [["第一篇", "第二篇", "第三篇"]]


def test_natural_file_name_order() -> None:
    articles = [art(f"文章{n}", file=f"src/a{n}.txt") for n in (10, 2, 1, 21, 3)]
    (issue,), _ = assemble(articles)
    assert titles(issue.pages) == [["文章1", "文章2", "文章3", "文章10", "文章21"]]


def test_page_order_from_files(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    # File names sort against page order, and a10 < a2 as plain text.
    (src / "a1.txt").write_text(dump("第十版文章", page="第10版:"), encoding="utf-8")
    (src / "a2.txt").write_text(dump("第二版文章二", page="第2版:"), encoding="utf-8")
    (src / "a10.txt").write_text(dump("第二版文章十", page="第2版:"), encoding="utf-8")
    (src / "b.txt").write_text(dump("第二版文章b", page="第2版:"), encoding="utf-8")
    archive = open_archive([src])
    (issue,) = archive.issues
    assert [p.label for p in issue.pages] == ["2", "10"]
    assert titles(issue.pages) == [["第二版文章二", "第二版文章十", "第二版文章b"], ["第十版文章"]]


def test_explicit_order_from_files(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text(md("排第二", order=2), encoding="utf-8")
    (src / "b.md").write_text(md("排第三", order=10), encoding="utf-8")
    (src / "c.md").write_text(md("排第一", order=1), encoding="utf-8")
    (issue,) = open_archive([src]).issues
    assert titles(issue.pages) == [["排第一", "排第二", "排第三"]]


# --- duplicates -------------------------------------------------------------------------------------


def test_same_article_in_two_files_kept_once(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "day1").mkdir(parents=True)
    (src / "copy").mkdir()
    text = dump("重复的文章")
    (src / "day1" / "a.txt").write_text(text, encoding="utf-8")
    (src / "copy" / "a-copy.txt").write_text(text, encoding="utf-8")
    (src / "day1" / "b.txt").write_text(dump("另一篇文章"), encoding="utf-8")
    archive = open_archive([src])
    assert archive.refused == ()
    assert [a.title for a in archive.issues[0].articles].count("重复的文章") == 1
    assert archive.articles == 2
    warnings = [str(n) for n in archive.notices if "a-copy.txt" in str(n) or "day1/a.txt" in str(n)]
    assert len(warnings) == 1
    assert "a-copy.txt" in warnings[0]
    assert "day1/a.txt" in warnings[0]


def test_same_article_in_two_formats_kept_once() -> None:
    a = art("同一篇文章", file="x/a.txt")
    b = art("同一篇文章", file="y/a.md")
    issues, notices = assemble([b, a])
    assert len(issues[0].articles) == 1
    assert len(notices) == 1
    assert "x/a.txt" in str(notices[0]) and "y/a.md" in str(notices[0])


def test_different_articles_with_same_title_both_kept() -> None:
    a = art("评论", file="a.txt")
    b = Article(
        paper=a.paper,
        date=a.date,
        page=a.page,
        title="评论",
        origin=Origin("b.txt", 1),
        blocks=(Paragraph("完全不同的正文。", Origin("b.txt", 2)),),
    )
    issues, notices = assemble([a, b])
    assert len(issues[0].articles) == 2
    assert notices == []


def test_same_text_on_two_dates_both_kept() -> None:
    issues, notices = assemble([art("天气预报", file="a.txt"), art("天气预报", date=D2, file="b.txt")])
    assert [len(i.articles) for i in issues] == [1, 1]
    assert notices == []


# --- paper.toml ------------------------------------------------------------------------------------------


def test_paper_toml_gives_publisher_and_page_names(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "paper.toml").write_text(
        'name = "青川晚报"\npublisher = "青川晚报社"\n\n[pages]\n"01" = "要闻"\n"02" = "经济"\n"A01" = "特刊"\n',
        encoding="utf-8",
    )
    (src / "a.txt").write_text(dump("要闻版文章", page="第01版:"), encoding="utf-8")
    (src / "b.txt").write_text(dump("经济版文章", page="第02版:"), encoding="utf-8")
    (src / "c.txt").write_text(dump("特刊文章", page="第A01版:"), encoding="utf-8")
    (src / "d.txt").write_text(dump("第三版文章", page="第03版:"), encoding="utf-8")
    (src / "e.txt").write_text(dump("他报文章", paper="乙报"), encoding="utf-8")
    archive = open_archive([src])
    assert archive.refused == ()
    ours, other = (
        next(i for i in archive.issues if i.paper.name == "青川晚报"),
        next(i for i in archive.issues if i.paper.name == "乙报"),
    )
    assert ours.paper.publisher == "青川晚报社"
    assert [(p.label, p.name) for p in ours.pages] == [("01", "要闻"), ("02", "经济"), ("03", None), ("A01", "特刊")]
    assert ours.pages[1].heading == "第02版 · 经济"
    assert other.paper.publisher is None
    assert other.pages[0].name is None


def test_bad_paper_toml_is_refused_sources_still_load(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "paper.toml").write_text('publisher = "无名"\n', encoding="utf-8")
    (src / "a.txt").write_text(dump("一篇文章"), encoding="utf-8")
    archive = open_archive([src])
    (error,) = archive.refused
    assert error.file.endswith("paper.toml")
    assert archive.articles == 1


def test_paper_toml_language_must_be_a_language_tag(tmp_path: Path) -> None:
    """EPUBCheck refuses a book whose language is not a tag: the paper.toml is refused instead."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "paper.toml").write_text('name = "青川晚报"\nlanguage = "简体 中文"\n', encoding="utf-8")
    (src / "a.txt").write_text(dump("一篇文章"), encoding="utf-8")
    (error,) = open_archive([src]).refused
    assert error.file.endswith("paper.toml") and "language tag" in error.message
    (src / "paper.toml").write_text('name = "青川晚报"\nlanguage = "zh_TW"\n', encoding="utf-8")
    archive = open_archive([src])
    assert not archive.refused and archive.issues[0].paper.language == "zh-TW"  # A locale's spelling is mended.


def test_papers_argument_of_assemble() -> None:
    paper = Paper("青川晚报", publisher="青川晚报社", page_names={"02": "经济"})
    (issue,), _ = assemble([art("经济版文章", page="02")], [paper])
    assert issue.paper.publisher == "青川晚报社"
    assert issue.pages[0].name == "经济"


# --- filters ------------------------------------------------------------------------------------------------


def _filter_articles() -> list[Article]:
    return [
        art("甲报一日", paper="甲报", date=dt.date(2026, 3, 1), file="1.txt"),
        art("甲报二日", paper="甲报", date=D1, file="2.txt"),
        art("甲报三日", paper="甲报", date=D2, file="3.txt"),
        art("甲报四日", paper="甲报", date=dt.date(2026, 3, 4), file="4.txt"),
        art("乙报二日", paper="乙报", date=D1, file="5.txt"),
    ]


def test_selection_by_paper() -> None:
    issues, _ = assemble(_filter_articles(), selection=Selection(paper="乙报"))
    assert [(i.paper.name, i.date) for i in issues] == [("乙报", D1)]


def test_selection_by_dates_inclusive() -> None:
    issues, _ = assemble(_filter_articles(), selection=Selection(date_from=D1, date_to=D2))
    assert [(i.paper.name, i.date) for i in issues] == [("乙报", D1), ("甲报", D1), ("甲报", D2)]


def test_selection_open_ended() -> None:
    after, _ = assemble(_filter_articles(), selection=Selection(date_from=D2))
    assert [i.date for i in after] == [D2, dt.date(2026, 3, 4)]
    before, _ = assemble(_filter_articles(), selection=Selection(date_to=D1))
    assert [(i.paper.name, i.date) for i in before] == [("乙报", D1), ("甲报", dt.date(2026, 3, 1)), ("甲报", D1)]


def test_selection_combined_through_open_archive(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for n, (paper, date) in enumerate([("甲报", "03-01"), ("甲报", "03-02"), ("甲报", "03-03"), ("乙报", "03-02")]):
        (src / f"{n}.txt").write_text(dump(f"{paper}{date}", paper=paper, date=date), encoding="utf-8")
    archive = open_archive([src], selection=Selection("甲报", D1, D2))
    assert [(i.paper.name, i.date) for i in archive.issues] == [("甲报", D1), ("甲报", D2)]
    assert archive.refused == ()


def test_cli_filters(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for n, (paper, date) in enumerate([("甲报", "03-01"), ("甲报", "03-02"), ("甲报", "03-03"), ("乙报", "03-02")]):
        (src / f"{n}.txt").write_text(dump(f"{paper}{date}", paper=paper, date=date), encoding="utf-8")
    result = run_cli("inspect", src, "--json", "--paper", "甲报", "--from", "2026-03-02", "--to", "2026-03-03")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert [(i["paper"], i["date"]) for i in data["issues"]] == [("甲报", "2026-03-02"), ("甲报", "2026-03-03")]
    assert [i["pages"][0]["articles"][0]["title"] for i in data["issues"]] == ["甲报03-02", "甲报03-03"]


# --- the 人民日报 corpus ------------------------------------------------------------------------------------------


def test_rmrb_corpus(rmrb_dir: Path) -> None:
    archive = open_archive([rmrb_dir])
    assert archive.refused == ()
    assert archive.files == 242
    assert [(i.paper.name, i.date.isoformat()) for i in archive.issues] == [
        ("人民日报", "2017-03-25"),
        ("人民日报", "2017-03-26"),
        ("人民日报", "2017-04-22"),
        ("人民日报", "2017-04-23"),
    ]
    got = Counter({(i.date.isoformat(), p.label): len(p.articles) for i in archive.issues for p in i.pages})
    assert got == rmrb_expected(RMRB_DB)
    assert archive.articles == 242
    for issue in archive.issues:
        labels = [p.label for p in issue.pages]
        assert labels == sorted(labels, key=int)
        assert all(2 <= int(label) <= 12 for label in labels)
        for page in issue.pages:
            orders = [a.order for a in page.articles]
            assert None not in orders
            assert orders == sorted(orders)  # type: ignore[type-var]


# --- the sample archive ---------------------------------------------------------------------------------------------


@needs(EXAMPLES)
def test_sample_archive_loads() -> None:
    archive = open_archive([EXAMPLES])
    assert archive.refused == ()
    assert not [n for n in archive.notices if "duplicate" in n.message or "image" in n.message]
    assert len(archive.issues) >= 2
    assert len({i.paper.name for i in archive.issues}) == 1
    for issue in archive.issues:
        assert len(issue.pages) >= 3
        assert all(len(page.articles) >= 2 for page in issue.pages), "several articles per page"
    articles = [a for i in archive.issues for a in i.articles]
    assert any(a.kicker for a in articles)
    assert any(a.subtitle for a in articles)
    assert any(a.source for a in articles)
    assert any(h.kicker for a in articles for h in a.headings)
    assert any(isinstance(b, Highlights) for a in articles for b in a.blocks)
    assert any(isinstance(b, Separator) for a in articles for b in a.blocks)
    assert archive.issues[0].paper.publisher


@needs(EXAMPLES)
def test_sample_archive_has_every_format() -> None:
    files, tomls = discover([EXAMPLES])
    assert tomls
    readers = {}
    for source in files:
        reader = reader_for(source)
        assert reader is not None, source.display
        readers.setdefault(reader.NAME, []).append(source.path.suffix)
    assert set(readers) >= {dump_reader.NAME, markdown_reader.NAME, normalized_reader.NAME}
    assert {s for suffixes in readers.values() for s in suffixes} >= {".txt", ".md", ".json"}


@needs(EXAMPLES)
def test_sample_archive_figures_have_real_images() -> None:
    archive = open_archive([EXAMPLES])
    images = [f.image for i in archive.issues for a in i.articles for f in a.figures if f.image]
    assert len(images) >= 3
    root = EXAMPLES.resolve()
    for image in images:
        path = Path(image)
        assert path.is_absolute() and path.is_file()
        assert path.resolve().is_relative_to(root)
        with Image.open(path) as im:
            im.verify()


@needs(EXAMPLES)
def test_sample_archive_copy_reads_the_same(tmp_path: Path) -> None:
    """Nothing in the sample archive depends on where it lives."""
    copy = tmp_path / "archive"
    shutil.copytree(EXAMPLES, copy)
    original = open_archive([EXAMPLES])
    moved = open_archive([copy])
    assert moved.refused == ()
    assert [(i.paper, i.date, titles(i.pages)) for i in moved.issues] == [
        (i.paper, i.date, titles(i.pages)) for i in original.issues
    ]


# --- discovery ------------------------------------------------------------------------------------------------------


def test_file_named_twice_is_read_once(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.txt").write_text(dump("一篇文章"), encoding="utf-8")
    archive = open_archive([src, src / "a.txt", src])
    assert archive.files == 1
    assert archive.articles == 1
    assert archive.notices == ()


def test_only_sources_are_counted(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "images").mkdir(parents=True)
    (src / "nested" / "deeper").mkdir(parents=True)
    Image.new("RGB", (4, 4)).save(src / "images" / "a.jpg")
    (src / ".hidden.txt").write_text(dump("隐藏文件"), encoding="utf-8")
    (src / "notes.pdf").write_bytes(b"%PDF-1.4")
    (src / "a.txt").write_text(dump("第一篇"), encoding="utf-8")
    (src / "nested" / "deeper" / "b.md").write_text(md("第二篇"), encoding="utf-8")
    archive = open_archive([src])
    assert archive.refused == ()
    assert archive.files == 2
    assert sorted(a.title for a in archive.issues[0].articles) == ["第一篇", "第二篇"]
