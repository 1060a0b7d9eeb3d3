"""The reader-dump (.txt) reader: header, year inference, encodings, punctuation, body classification."""

from __future__ import annotations

import codecs
import datetime as dt
from pathlib import Path

import pytest

from exporter.archive import open_archive
from exporter.model import Article, Figure, Heading, Highlights, Paragraph, Separator
from exporter.sources import ReadOptions, read_one
from exporter.text import clean_line, restore_punctuation

# --- building dumps in tmp_path ------------------------------------------------------

BODY_START = 12  # Line of the first body line in the layout `dump()` writes.


def dump(
    body: tuple[str, ...] | list[str] = ("这是正文第一段,内容完整。",),
    *,
    title: str = "青川经开区:凝心聚力开新局",
    read: str = "2026-01-23",
    weekday: str = "星期五",
    paper: str = "青川晚报",
    date: str = "01-14",
    page: str = "第14版:",
    colon: str = ":",
) -> str:
    """Return a reader dump laid out like the seed: header, then body lines separated by blank lines."""
    lines = [
        "电子报阅读机",
        read,
        weekday,
        f"当前报纸名称{colon}{paper}",
        "",
        title,
        "",
        f"日期{colon}{date}",
        f"字号{colon}",
        f"版面{colon}{page}\u00a0\u00a0\u00a0 上一篇\u00a0\u00a0 下一篇",
        "",
    ]
    for text in body:
        lines += [text, ""]
    return "\n".join(lines)


def body_line(k: int) -> int:
    """Return the file line of body line k (0-based) in the layout `dump()` writes."""
    return BODY_START + 2 * k


def read_dump(tmp_path: Path, text: str, name: str = "a.txt", *, keep: bool = False) -> Article:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    result = read_one(path, ReadOptions(keep_punctuation=keep))
    assert len(result.articles) == 1
    return result.articles[0]


# --- the seed -------------------------------------------------------------------------

SEED_CAPTIONS = [
    "宜春市科陆储能技术有限公司锂电储能5G数字化工厂",
    "举办青年人才音乐会",
    "举办干部职工运动会",
    "开设重大项目“全链协同审批”窗口",
]
SEED_HEADINGS = [
    ("聚链强群", "集群发展锻造产业竞争新优势"),
    ("创新驱动", "数转智改点燃转型升级新引擎"),
    ("强化作风", "优质服务擦亮营商环境新名片"),
    ("党建引领", "强基固本绘就产业民生新图景"),
]


def seed_body_lines(seed: Path) -> list[tuple[int, str]]:
    """Return (line number, cleaned text) of every non-empty line after the 版面 header line."""
    raw = seed.read_text(encoding="utf-8").split("\n")
    page_line = next(i for i, t in enumerate(raw) if t.startswith("版面"))
    return [(i + 1, clean_line(t)) for i, t in enumerate(raw) if i > page_line and clean_line(t)]


def test_seed_header(seed: Path) -> None:
    article = read_one(seed).articles[0]
    assert article.paper == "宜春日报"
    assert article.date == dt.date(2026, 1, 14)
    assert article.page == "14"
    assert article.page_name is None
    assert article.title == "宜春经开区：凝心聚力担使命 砥砺奋进开新局"
    assert article.kicker is None
    assert article.subtitle is None
    assert article.byline is None
    assert article.source == "宜春经开区"
    assert article.origin.file.endswith("yichun-2026-01-14-p14.txt")
    assert article.origin.line == 6


def test_seed_blocks(seed: Path) -> None:
    article = read_one(seed).articles[0]
    blocks = article.blocks
    figures = [b for b in blocks if isinstance(b, Figure)]
    assert [f.caption for f in figures] == SEED_CAPTIONS
    assert all(f.credit is None and f.image is None for f in figures)
    assert blocks[:4] == tuple(figures), "the captions come first"

    # Each caption remembers its line in the seed.
    lines = dict((t, n) for n, t in seed_body_lines(seed))
    assert [f.origin.line for f in figures] == [lines[c] for c in SEED_CAPTIONS]

    highlights = [b for b in blocks if isinstance(b, Highlights)]
    assert len(highlights) == 1
    expected_items = [restore_punctuation(t) for _, t in seed_body_lines(seed) if t.endswith(";")]
    assert len(expected_items) == 3
    assert list(highlights[0].items) == expected_items
    assert all(item.endswith("；") and "," not in item for item in highlights[0].items)
    assert blocks[4] is highlights[0]

    separators = [b for b in blocks if isinstance(b, Separator)]
    assert [s.text for s in separators] == ["……"]
    assert blocks[5] is separators[0]

    headings = [b for b in blocks if isinstance(b, Heading)]
    assert [(h.kicker, h.text) for h in headings] == SEED_HEADINGS

    paragraphs = [b for b in blocks if isinstance(b, Paragraph)]
    assert len(paragraphs) >= 20
    assert len(blocks) == len(figures) + 1 + 1 + len(headings) + len(paragraphs)
    # A heading is followed by a paragraph, never by another heading or a caption.
    for i, block in enumerate(blocks):
        if isinstance(block, Heading):
            assert isinstance(blocks[i + 1], Paragraph)


def test_seed_every_content_line_is_kept(seed: Path) -> None:
    restored = read_one(seed).articles[0].texts()
    kept = read_one(seed, ReadOptions(keep_punctuation=True)).articles[0].texts()
    lines = seed_body_lines(seed)
    assert len(lines) > 30
    source_line = lines[-1][1]
    assert source_line == "(宜春经开区)"
    for _, text in lines[:-1]:
        assert text in kept, text
        assert restore_punctuation(text) in restored, text
    # Nothing invented either: every text of the article is a line of the file (title and source aside).
    assert len(kept) == 1 + (len(lines) - 1) + 1


def test_seed_punctuation_restored_only_between_chinese(seed: Path) -> None:
    texts = read_one(seed).articles[0].texts()
    joined = "\n".join(texts)
    assert "139Ah" in joined
    assert "5G" in joined
    assert "17.1%" in joined
    # A half-width comma between two Chinese characters is never left behind.
    for text in texts:
        for i, char in enumerate(text[1:-1], start=1):
            if char in ",;:" and "\u4e00" <= text[i - 1] <= "\u9fff" and "\u4e00" <= text[i + 1] <= "\u9fff":
                pytest.fail(f"unrestored {char!r} in {text!r}")


# --- header fields ---------------------------------------------------------------------


def test_header_fields_and_body_line_numbers(tmp_path: Path) -> None:
    article = read_dump(tmp_path, dump(["第一段正文。", "第二段正文。"]))
    assert article.paper == "青川晚报"
    assert article.title == "青川经开区：凝心聚力开新局"
    assert article.date == dt.date(2026, 1, 14)
    assert article.page == "14"
    assert article.page_name is None
    assert article.origin.line == 6
    assert [(type(b), b.origin.line) for b in article.blocks] == [
        (Paragraph, body_line(0)),
        (Paragraph, body_line(1)),
    ]
    assert all(b.origin.file.endswith("a.txt") for b in article.blocks)
    # Nothing of the app's UI leaks into the article.
    joined = "".join(article.texts())
    for ui in ("电子报阅读机", "星期五", "字号", "上一篇", "下一篇", "版面", "日期"):
        assert ui not in joined


@pytest.mark.parametrize(
    ("read", "date", "expected"),
    [
        ("2017-01-02", "12-30", dt.date(2016, 12, 30)),  # Read just after new year: last year's issue.
        ("2017-01-02", "01-02", dt.date(2017, 1, 2)),  # Read on the day itself.
        ("2017-01-02", "01-01", dt.date(2017, 1, 1)),
        ("2026-01-23", "01-24", dt.date(2025, 1, 24)),  # A day after the read date: a year earlier.
        ("2024-03-01", "02-29", dt.date(2024, 2, 29)),  # Leap read year.
        ("2026-03-01", "02-29", dt.date(2024, 2, 29)),  # Non-leap read year: back to the last leap year.
        ("2023-12-31", "02-29", dt.date(2020, 2, 29)),
        ("2024-02-28", "02-29", dt.date(2020, 2, 29)),  # 2024-02-29 is after the read date.
        ("2026-01-23", "1-5", dt.date(2026, 1, 5)),  # One-digit month and day.
    ],
)
def test_year_inferred_from_read_date(tmp_path: Path, read: str, date: str, expected: dt.date) -> None:
    assert read_dump(tmp_path, dump(read=read, date=date)).date == expected


@pytest.mark.parametrize("colon", [":", "："])
def test_full_and_half_width_colons(tmp_path: Path, colon: str) -> None:
    article = read_dump(tmp_path, dump(colon=colon, page=f"第02版{colon}要闻"))
    assert (article.paper, article.date, article.page, article.page_name) == (
        "青川晚报",
        dt.date(2026, 1, 14),
        "02",
        "要闻",
    )


def test_mixed_colons_in_one_header(tmp_path: Path) -> None:
    text = dump(page="第03版：社会").replace("当前报纸名称:", "当前报纸名称：")
    article = read_dump(tmp_path, text)
    assert (article.paper, article.page, article.page_name) == ("青川晚报", "03", "社会")


@pytest.mark.parametrize(
    ("page", "label", "name"),
    [
        ("第14版:", "14", None),
        ("第14版", "14", None),
        ("第02版:要闻", "02", "要闻"),
        ("第02版:经济 · 产业", "02", "经济 · 产业"),
        ("第A01版:", "A01", None),
        ("第B12版:国际新闻", "B12", "国际新闻"),
    ],
)
def test_page_label_and_name(tmp_path: Path, page: str, label: str, name: str | None) -> None:
    article = read_dump(tmp_path, dump(page=page))
    assert article.page == label
    assert article.page_name == name


def test_page_label_keeps_leading_zero(tmp_path: Path) -> None:
    assert read_dump(tmp_path, dump(page="第02版:")).page == "02"


# --- encodings and line ends -------------------------------------------------------------

ENCODED_BODY = ("开设“一站式”审批服务窗口", "这是正文,包含引号“一站式”和数字1.5亿元。", "(青川经开区)")


def _encodings() -> list[tuple[str, bytes]]:
    text = dump(ENCODED_BODY)
    return [
        ("utf-8", text.encode("utf-8")),
        ("utf-8 BOM", codecs.BOM_UTF8 + text.encode("utf-8")),
        ("utf-16 LE BOM", codecs.BOM_UTF16_LE + text.encode("utf-16-le")),
        ("utf-16 BE BOM", codecs.BOM_UTF16_BE + text.encode("utf-16-be")),
        ("gb18030", text.encode("gb18030")),
        ("utf-8 CRLF", text.replace("\n", "\r\n").encode("utf-8")),
        ("gb18030 CRLF", text.replace("\n", "\r\n").encode("gb18030")),
        ("utf-16 LE BOM CRLF", codecs.BOM_UTF16_LE + text.replace("\n", "\r\n").encode("utf-16-le")),
        ("utf-8 BOM CRLF", codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8")),
    ]


@pytest.mark.parametrize(("name", "data"), _encodings(), ids=[n for n, _ in _encodings()])
def test_encodings_and_line_ends(tmp_path: Path, name: str, data: bytes) -> None:
    assert name == "utf-8" or data != dump(ENCODED_BODY).encode("utf-8")
    path = tmp_path / "a.txt"
    path.write_bytes(data)
    article = read_one(path).articles[0]
    assert article.paper == "青川晚报"
    assert article.title == "青川经开区：凝心聚力开新局"
    assert article.date == dt.date(2026, 1, 14)
    assert article.page == "14"
    assert article.source == "青川经开区"
    assert [f.caption for f in article.figures] == ["开设“一站式”审批服务窗口"]
    assert article.texts()[-2] == "这是正文，包含引号“一站式”和数字1.5亿元。"
    assert article.origin.line == 6
    assert article.figures[0].origin.line == body_line(0)
    assert not any("\r" in t or "\ufeff" in t for t in article.texts())


def test_gb18030_bytes_are_not_utf8(tmp_path: Path) -> None:
    """Make sure the GB18030 case really exercises the GB18030 path."""
    with pytest.raises(UnicodeDecodeError):
        dump(ENCODED_BODY).encode("gb18030").decode("utf-8")


def test_ideographic_space_indents(tmp_path: Path) -> None:
    text = dump(
        ["\u3000\u3000这是第一段正文,首行缩进两格。", "\u3000\u3000这是第二段正文。\u3000"], title="\u3000标题在这里"
    )
    article = read_dump(tmp_path, text)
    assert article.title == "标题在这里"
    assert [b.text for b in article.blocks if isinstance(b, Paragraph)] == [
        "这是第一段正文，首行缩进两格。",
        "这是第二段正文。",
    ]


# --- punctuation --------------------------------------------------------------------------

PUNCTUATION_CASES = [
    ("一方面,学校提供场地;另一方面,社区组织志愿者。", "一方面，学校提供场地；另一方面，社区组织志愿者。"),
    ("真的吗?是的!", "真的吗？是的！"),
    ("增长1.5倍,达到1,000万元。", "增长1.5倍，达到1,000万元。"),
    ("车间每天生产2万块139Ah电芯,新建5G车间。", "车间每天生产2万块139Ah电芯，新建5G车间。"),
    ("会议时间:10:30开始。", "会议时间：10:30开始。"),
    ("他说:Hello, world!", "他说：Hello, world!"),
    ("网址:http://example.com/a,b", "网址：http://example.com/a,b"),
    ("详见 http://example.com/a,b 网站。", "详见 http://example.com/a,b 网站。"),
    ("销量同比增长12.4%,位居全省前列。", "销量同比增长12.4%，位居全省前列。"),
    ("储能(电池)产业园。", "储能（电池）产业园。"),
]


@pytest.mark.parametrize(("raw", "expected"), PUNCTUATION_CASES)
def test_punctuation_restored_in_body(tmp_path: Path, raw: str, expected: str) -> None:
    article = read_dump(tmp_path, dump(["这是导语,为正文开头。", raw]))
    assert article.texts()[-1] == expected


@pytest.mark.parametrize(("raw", "expected"), PUNCTUATION_CASES)
def test_keep_punctuation_leaves_text_as_exported(tmp_path: Path, raw: str, expected: str) -> None:
    article = read_dump(tmp_path, dump(["这是导语,为正文开头。", raw]), keep=True)
    assert article.texts()[-1] == raw
    assert article.title == "青川经开区:凝心聚力开新局"
    assert article.texts()[-2] == "这是导语,为正文开头。"


def test_latin_text_untouched(tmp_path: Path) -> None:
    article = read_dump(tmp_path, dump(["这是导语,为正文开头。", "Hello, world: a test; ok?"]))
    assert article.texts()[-1] == "Hello, world: a test; ok?"


# --- body classification ---------------------------------------------------------------------


def test_caption_with_credit_line(tmp_path: Path) -> None:
    article = read_dump(
        tmp_path,
        dump(
            [
                "工人在生产线上调试设备",
                "本报记者 贺勇摄",
                "村民在茶园里采摘春茶 通讯员 李华摄",
                "这是正文第一段,内容完整。",
            ]
        ),
    )
    figures = article.figures
    assert [(f.caption, f.credit) for f in figures] == [
        ("工人在生产线上调试设备", "本报记者 贺勇摄"),
        ("村民在茶园里采摘春茶", "通讯员 李华摄"),
    ]
    assert figures[0].origin.line == body_line(0)
    assert isinstance(article.blocks[-1], Paragraph)
    assert len(article.blocks) == 3


def test_heading_pair_and_single_heading(tmp_path: Path) -> None:
    lead = "这是导语,说明全文的主要内容,篇幅较长,以句号结束。"
    body = [
        lead,
        "聚链强群",
        "集群发展锻造产业竞争新优势",
        "第一节正文,介绍产业集群的发展情况,以句号结束。",
        "开学第一课先上安全课",
        "第二节正文,介绍安全教育的开展情况,以句号结束。",
    ]
    article = read_dump(tmp_path, dump(body))
    blocks = article.blocks
    assert [type(b) for b in blocks] == [Paragraph, Heading, Paragraph, Heading, Paragraph]
    assert (blocks[1].kicker, blocks[1].text) == ("聚链强群", "集群发展锻造产业竞争新优势")  # type: ignore[union-attr]
    assert blocks[1].origin.line == body_line(1)
    assert (blocks[3].kicker, blocks[3].text) == (None, "开学第一课先上安全课")  # type: ignore[union-attr]
    assert blocks[3].origin.line == body_line(4)


def test_highlights_and_separator(tmp_path: Path) -> None:
    body = ["第一项要点,内容较短;", "第二项要点,内容较短;", "……", "这是正文第一段,内容完整。"]
    article = read_dump(tmp_path, dump(body))
    assert [type(b) for b in article.blocks] == [Highlights, Separator, Paragraph]
    assert article.blocks[0].items == ("第一项要点，内容较短；", "第二项要点，内容较短；")  # type: ignore[union-attr]
    assert article.blocks[1].text == "……"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "byline",
    ["本报记者 王伟健", "□ 湖北日报评论员", "本报记者 李明远 通讯员 赵小川", "□ 本报评论员"],
)
def test_byline(tmp_path: Path, byline: str) -> None:
    article = read_dump(tmp_path, dump([byline, "这是正文第一段,内容完整。", "这是正文第二段。"]))
    assert article.byline == byline
    assert not article.figures
    assert [b.text for b in article.blocks] == ["这是正文第一段，内容完整。", "这是正文第二段。"]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("line", "source"), [("(青川经开区)", "青川经开区"), ("（本报开罗4月21日电）", "本报开罗4月21日电")]
)
def test_source_line(tmp_path: Path, line: str, source: str) -> None:
    article = read_dump(tmp_path, dump(["这是正文第一段,内容完整。", line]))
    assert article.source == source
    assert article.texts()[-1] == source
    assert len(article.blocks) == 1


def test_kicker_and_subtitle_in_title_lines(tmp_path: Path) -> None:
    text = dump(title="春耕备耕进行时\n全市农资供应充足\n——化肥储备同比增长一成")
    article = read_dump(tmp_path, text)
    assert (article.kicker, article.title, article.subtitle) == (
        "春耕备耕进行时",
        "全市农资供应充足",
        "——化肥储备同比增长一成",
    )


LONG_UNPUNCTUATED = "这一行文字既不是标题也不是图片说明而是一行没有句末标点的较长文字内容需要原样保留下来"


def test_unclassifiable_lines_become_paragraphs(tmp_path: Path) -> None:
    odd = ["★★★", "@#%&*", "ABC-123", "这是正文第一段,内容完整。", LONG_UNPUNCTUATED, "这是正文第二段。", "~~~"]
    article = read_dump(tmp_path, dump(odd), keep=True)
    texts = article.texts()
    for line in odd:
        assert line in texts, line
    by_text = {b.text: b for b in article.blocks if isinstance(b, Paragraph | Heading | Separator)}
    assert isinstance(by_text[LONG_UNPUNCTUATED], Paragraph)
    assert isinstance(by_text["~~~"], Paragraph)
    assert isinstance(by_text["这是正文第二段。"], Paragraph)


def test_symbol_line_is_not_a_heading(tmp_path: Path) -> None:
    body = ["这是正文第一段,内容完整。", "◆◆◆◆", "这是正文第二段,内容完整。"]
    article = read_dump(tmp_path, dump(body), keep=True)
    assert article.headings == []
    assert "◆◆◆◆" in article.texts()


def test_nothing_dropped_from_a_mixed_body(tmp_path: Path) -> None:
    body = [
        "工人在生产线上调试设备",
        "本报记者 贺勇摄",
        "第一项要点;",
        "第二项要点;",
        "……",
        "本报记者 王伟健",
        "这是导语,说明全文的主要内容,以句号结束。",
        "聚链强群",
        "集群发展锻造产业竞争新优势",
        "第一节正文,介绍产业集群的发展情况,以句号结束。",
        "一行无法归类的文字",
        "(本报讯)",
    ]
    article = read_dump(tmp_path, dump(body), keep=True)
    texts = article.texts()
    for line in body[:-1]:
        assert line in texts, line
    assert article.source == "本报讯"


def test_lines_before_paper_name_are_reported(tmp_path: Path) -> None:
    text = dump().replace("星期五\n", "星期五\n多余的一行\n")
    path = tmp_path / "a.txt"
    path.write_text(text, encoding="utf-8")
    result = read_one(path)
    assert result.articles[0].paper == "青川晚报"
    assert any("多余的一行" in n.message and n.origin.line == 4 for n in result.notices)


def test_dump_in_archive(tmp_path: Path) -> None:
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "a.txt").write_text(dump(page="第02版:要闻"), encoding="utf-8")
    archive = open_archive([folder])
    assert archive.refused == ()
    assert [(i.paper.name, i.date) for i in archive.issues] == [("青川晚报", dt.date(2026, 1, 14))]
    page = archive.issues[0].pages[0]
    assert (page.label, page.name, page.heading) == ("02", "要闻", "第02版 · 要闻")


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "gb18030"])
@pytest.mark.parametrize("pad", [0, 1, 2, 3])
def test_long_dump_found_in_a_folder(tmp_path: Path, encoding: str, pad: int) -> None:
    """A folder's files are recognised by their first bytes; a character cut there must not hide a dump."""
    folder = tmp_path / "src"
    folder.mkdir()
    text = dump(["甲" * pad + "这是正文,内容完整。" * 300, "第二段正文。"])
    (folder / "a.txt").write_bytes(text.encode(encoding))
    archive = open_archive([folder])
    assert archive.refused == ()
    assert archive.articles == 1
    assert archive.issues[0].articles[0].texts()[-1] == "第二段正文。"
