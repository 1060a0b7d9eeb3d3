"""The structured Markdown reader: front matter, body blocks, figures and where their images may live."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from PIL import Image

from exporter.archive import open_archive
from exporter.model import Article, Figure, Heading, Highlights, Paragraph, Separator
from exporter.sources import ReadOptions, read_one

FULL_FRONT_MATTER = """\
---
paper: 青川晚报
date: 2026-03-02
page: "02"
page_name: 经济
order: 3
kicker: 春耕备耕进行时
title: 全市春耕农资供应充足
subtitle: ——化肥储备同比增长一成
byline: 本报记者 王晓雯
source: （本报讯）
---
"""


def front(**fields: str) -> str:
    """Return front matter with the usual required fields, overridden or extended by `fields`."""
    values = {"paper": "青川晚报", "date": "2026-03-02", "page": '"01"', "title": "测试标题", **fields}
    return "---\n" + "".join(f"{k}: {v}\n" for k, v in values.items()) + "---\n"


def make_image(path: Path, color: str = "red") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", (8, 6), color).save(path)
    return path


def line_of(text: str, needle: str) -> int:
    """Return the 1-based line of the first line of `text` that contains `needle`."""
    return next(n for n, line in enumerate(text.split("\n"), start=1) if needle in line)


def read_md(folder: Path, text: str, name: str = "a.md") -> Article:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    result = read_one(path)
    assert len(result.articles) == 1
    return result.articles[0]


# --- front matter ------------------------------------------------------------------------


def test_every_front_matter_field(tmp_path: Path) -> None:
    article = read_md(tmp_path, FULL_FRONT_MATTER + "\n正文第一段。\n")
    assert article.paper == "青川晚报"
    assert article.date == dt.date(2026, 3, 2)
    assert article.page == "02"
    assert article.page_name == "经济"
    assert article.order == 3
    assert article.kicker == "春耕备耕进行时"
    assert article.title == "全市春耕农资供应充足"
    assert article.subtitle == "——化肥储备同比增长一成"
    assert article.byline == "本报记者 王晓雯"
    assert article.source == "本报讯"
    assert article.origin.file.endswith("a.md")
    assert [(type(b), b.text) for b in article.blocks] == [(Paragraph, "正文第一段。")]  # type: ignore[union-attr]
    assert article.blocks[0].origin.line == 14


def test_optional_fields_absent(tmp_path: Path) -> None:
    article = read_md(tmp_path, front() + "\n正文。\n")
    assert (article.page_name, article.order, article.kicker, article.subtitle, article.byline, article.source) == (
        None,
        None,
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [('"02"', "02"), ("02", "02"), ("'02'", "02"), ("2", "2"), ("10", "10"), ("A01", "A01"), ('"B12"', "B12")],
)
def test_page_label_kept_as_written(tmp_path: Path, value: str, expected: str) -> None:
    assert read_md(tmp_path, front(page=value) + "\n正文。\n").page == expected


def test_source_without_parentheses(tmp_path: Path) -> None:
    assert read_md(tmp_path, front(source="本报开罗4月21日电") + "\n正文。\n").source == "本报开罗4月21日电"


def test_numbers_and_dates_in_text_fields_stay_text(tmp_path: Path) -> None:
    article = read_md(tmp_path, front(title="2026", kicker="3.10", byline="yes") + "\n正文。\n")
    assert (article.title, article.kicker, article.byline) == ("2026", "3.10", "yes")


# --- body ------------------------------------------------------------------------------------

BODY = """\
![车间里工人正在调试设备](images/a.jpg "本报记者 贺勇摄")

第一段正文，介绍基本情况。

## 聚链强群
### 集群发展锻造产业竞争新优势

第二段正文。

## 出行提示

第三段正文。

- 第一项要点；
- 第二项要点；
- 第三项要点；

……

<script>alert(1)</script>

A &amp; B

{{ 7*7 }}
"""


def test_body_blocks(tmp_path: Path) -> None:
    image = make_image(tmp_path / "images" / "a.jpg")
    text = front() + BODY
    article = read_md(tmp_path, text)
    blocks = article.blocks
    assert [type(b) for b in blocks] == [
        Figure,
        Paragraph,
        Heading,
        Paragraph,
        Heading,
        Paragraph,
        Highlights,
        Separator,
        Paragraph,
        Paragraph,
        Paragraph,
    ]
    figure = blocks[0]
    assert isinstance(figure, Figure)
    assert figure.caption == "车间里工人正在调试设备"
    assert figure.credit == "本报记者 贺勇摄"
    assert figure.image is not None
    assert Path(figure.image).is_absolute()
    assert Path(figure.image) == image.resolve()

    pair, lone = blocks[2], blocks[4]
    assert isinstance(pair, Heading) and isinstance(lone, Heading)
    assert (pair.kicker, pair.text) == ("聚链强群", "集群发展锻造产业竞争新优势")
    assert (lone.kicker, lone.text) == (None, "出行提示")

    highlights = blocks[6]
    assert isinstance(highlights, Highlights)
    assert highlights.items == ("第一项要点；", "第二项要点；", "第三项要点；")
    assert isinstance(blocks[7], Separator) and blocks[7].text == "……"

    # Raw HTML, entities and template syntax are text, printed as typed.
    assert [b.text for b in blocks[8:]] == ["<script>alert(1)</script>", "A &amp; B", "{{ 7*7 }}"]  # type: ignore[union-attr]

    # Every block remembers its line.
    for block, needle in [
        (blocks[0], "![车间"),
        (blocks[1], "第一段正文"),
        (blocks[2], "## 聚链强群"),
        (blocks[4], "## 出行提示"),
        (blocks[6], "- 第一项"),
        (blocks[7], "……"),
        (blocks[8], "<script>"),
        (blocks[10], "{{ 7*7 }}"),
    ]:
        assert block.origin.line == line_of(text, needle), needle


def test_heading_kicker_pair_needs_adjacent_lines(tmp_path: Path) -> None:
    article = read_md(tmp_path, front() + "\n## 第一个标题\n\n正文一。\n\n### 独立的三级标题\n\n正文二。\n")
    assert [(h.kicker, h.text) for h in article.headings] == [(None, "第一个标题"), (None, "独立的三级标题")]


def test_figure_credit_in_caption(tmp_path: Path) -> None:
    make_image(tmp_path / "images" / "b.png")
    article = read_md(tmp_path, front() + "\n![村民在茶园里采摘春茶 本报记者 贺勇摄](images/b.png)\n\n正文。\n")
    (figure,) = article.figures
    assert (figure.caption, figure.credit) == ("村民在茶园里采摘春茶", "本报记者 贺勇摄")
    assert figure.image is not None and Path(figure.image).name == "b.png"


def test_multiline_paragraph_joined_without_spaces_between_chinese(tmp_path: Path) -> None:
    article = read_md(tmp_path, front() + "\n第一行中文\n第二行中文。\n\nfirst line\nsecond line\n")
    assert [b.text for b in article.blocks] == ["第一行中文第二行中文。", "first line second line"]  # type: ignore[union-attr]


# --- images that must not be embedded -------------------------------------------------------


def _outside_setup(tmp_path: Path, how: str) -> tuple[Path, str]:
    """Return (source folder, image reference) for an image reference that leaves the source folder."""
    outside = make_image(tmp_path / "outside.jpg", "blue")
    src = tmp_path / "src"
    (src / "images").mkdir(parents=True)
    if how == "parent":
        return src, "../outside.jpg"
    if how == "deep-parent":
        return src, "images/../../outside.jpg"
    if how == "absolute":
        return src, str(outside)
    os.symlink(outside, src / "images" / "link.jpg")
    return src, "images/link.jpg"


@pytest.mark.parametrize("how", ["parent", "deep-parent", "absolute", "symlink"])
def test_image_outside_source_folder_is_refused(tmp_path: Path, how: str) -> None:
    src, ref = _outside_setup(tmp_path, how)
    text = front() + f"\n![茶园春色]({ref})\n\n正文。\n"
    (src / "a.md").write_text(text, encoding="utf-8")
    archive = open_archive([src])
    assert archive.refused == ()
    (article,) = archive.issues[0].articles
    (figure,) = article.figures
    assert figure.caption == "茶园春色"
    assert figure.image is None
    notices = [n for n in archive.notices if n.origin.file.endswith("a.md")]
    assert len(notices) == 1
    assert notices[0].origin.line == line_of(text, "![茶园春色]")
    assert ref[:80] in notices[0].message
    assert "茶园春色" in article.texts()


def test_missing_image_keeps_caption(tmp_path: Path) -> None:
    text = front() + '\n![茶园春色](images/nope.jpg "本报记者 贺勇摄")\n\n正文。\n'
    path = tmp_path / "a.md"
    path.write_text(text, encoding="utf-8")
    result = read_one(path)
    (figure,) = result.articles[0].figures
    assert (figure.caption, figure.credit, figure.image) == ("茶园春色", "本报记者 贺勇摄", None)
    assert len(result.notices) == 1
    assert "images/nope.jpg" in result.notices[0].message
    assert str(result.notices[0]).startswith(f"{result.articles[0].origin.file}:{line_of(text, '![茶园')}")


def test_url_image_is_not_fetched(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(front() + "\n![远程图片](https://example.com/a.jpg)\n\n正文。\n", encoding="utf-8")
    result = read_one(path)
    (figure,) = result.articles[0].figures
    assert (figure.caption, figure.image) == ("远程图片", None)
    assert any("https://example.com/a.jpg" in n.message for n in result.notices)


def test_image_in_subfolder_of_source_root(tmp_path: Path) -> None:
    """An image beside the article's parent folder is fine when it is still inside the folder the user named."""
    src = tmp_path / "src"
    image = make_image(src / "shared-images" / "c.jpg")
    article_dir = src / "2026-03-02"
    article_dir.mkdir(parents=True)
    (article_dir / "a.md").write_text(front() + "\n![图](../shared-images/c.jpg)\n\n正文。\n", encoding="utf-8")
    archive = open_archive([src])
    (figure,) = archive.issues[0].articles[0].figures
    assert figure.image == str(image.resolve())
    assert not [n for n in archive.notices if "image" in n.message]


def test_markdown_options_paper_fallback(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text('---\ndate: 2026-03-02\npage: "01"\ntitle: 无报名的文章\n---\n\n正文。\n', encoding="utf-8")
    assert read_one(path, ReadOptions(paper="青川晚报")).articles[0].paper == "青川晚报"
