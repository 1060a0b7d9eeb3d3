"""Text set like a newspaper (issue 16): the tidying rules and the 标点挤压 markup, on written-out texts."""

from __future__ import annotations

import datetime as dt

import pytest

from exporter.model import Article, Figure, Origin, Paragraph
from exporter.tidy import (
    credit_caption,
    dashless,
    jump_notes,
    page_number,
    subtitle_dash,
    tidy,
    title_spaces,
    work_title_spaces,
)
from exporter.writers.squeeze import squeeze

HERE = Origin("t.md", 1)


def test_doubled_ideographic_spaces_in_a_title_collapse() -> None:
    assert title_spaces("极目楚天\u3000\u3000钟情湖北") == "极目楚天\u3000钟情湖北"
    assert title_spaces("极目楚天\u3000钟情湖北") == "极目楚天\u3000钟情湖北"
    assert title_spaces(None) is None
    text = "宣传片《极目楚天\u3000\u3000钟情湖北》引得嘉宾赞叹。\u3000\u3000另起"
    assert work_title_spaces(text) == "宣传片《极目楚天\u3000钟情湖北》引得嘉宾赞叹。\u3000\u3000另起"


@pytest.mark.parametrize(
    ("source", "set_as"),
    [
        ("——新征程上满怀信心开新局", "——新征程上满怀信心开新局"),
        ("新征程上满怀信心开新局", "新征程上满怀信心开新局"),  # The stylesheet prints its dash.
        ("—新征程上满怀信心开新局", "——新征程上满怀信心开新局"),
        ("\u3000——\u3000新征程", "——新征程"),
        ("--新征程", "——新征程"),
    ],
)
def test_a_subtitles_dash_is_written_one_way(source: str, set_as: str) -> None:
    assert subtitle_dash(source) == set_as
    assert dashless(source) == (source == "新征程上满怀信心开新局")


def test_a_caption_that_is_only_a_credit_becomes_the_credit() -> None:
    moved = credit_caption(Figure("本报记者 张三 摄", HERE))
    assert (moved.caption, moved.credit) == ("", "本报记者 张三 摄")
    kept = Figure("2月10日，武汉长江大桥上车流如织。", HERE)
    assert credit_caption(kept) == kept
    with_credit = Figure("新华社记者 李四 摄", HERE, credit="新华社发")
    assert credit_caption(with_credit) == with_credit  # Already has a credit: left as it is.
    assert credit_caption(Figure("项目规划示意图", HERE)).caption == "项目规划示意图"


@pytest.mark.parametrize(
    ("label", "numeral"), [("04", "四"), ("1", "一"), ("10", "十"), ("12", "十二"), ("20", "二十"), ("A03", "A03")]
)
def test_page_numbers_in_chinese_numerals(label: str, numeral: str) -> None:
    assert page_number(label) == numeral


def test_jump_notes_in_the_papers_wording() -> None:
    assert jump_notes(("下转第04版",)) == ("（转第四版）",)
    assert jump_notes(("上接第1版",)) == ("（上接第一版）",)
    assert jump_notes(("下转第03版：后半部分已接在本文之后",)) == ()  # The rest is joined here.
    assert jump_notes(("转第04版：同一全文，只在第01版收录",)) == ()  # The duplicate is simply left out.
    assert jump_notes(("编者按",)) == ("编者按",)


def test_tidy_applies_every_rule_to_an_article() -> None:
    article = Article(
        "湖北日报",
        dt.date(2023, 2, 11),
        "01",
        "极目楚天\u3000\u3000钟情湖北",
        HERE,
        subtitle="—新征程上",
        blocks=(Figure("记者 王五 摄", HERE), Paragraph("正文。", HERE)),
        notes=("转第04版：同一全文，只在第01版收录",),
    )
    tidied = tidy(article)
    assert tidied.title == "极目楚天\u3000钟情湖北"
    assert tidied.subtitle == "——新征程上"
    assert tidied.figures[0].credit == "记者 王五 摄"
    assert tidied.notes == ()


@pytest.mark.parametrize(
    ("text", "markup"),
    [
        ("“三年之约”，在新春", '“三年之约<span class="squeeze">”</span>，在新春'),
        ("系统），是全国", '系统<span class="squeeze">）</span>，是全国'),
        ("“碳配额”）的", '“碳配额<span class="squeeze">”</span>）的'),
        ("他说：“好。”", '他说<span class="squeeze">：</span>“好<span class="squeeze">。</span>”'),
        ("《“十四五”规划》", '《<span class="squeeze">“</span>十四五”规划》'),
        ("没有相邻的标点。", "没有相邻的标点。"),
        ("<b>&", "&lt;b&gt;&amp;"),
        ("A&B，“<C>”。", 'A&amp;B<span class="squeeze">，</span>“&lt;C&gt;<span class="squeeze">”</span>。'),
        ("'，\"", "&#39;，&#34;"),  # An escaped ASCII quote is no mark: the comma keeps its width.
        ("——", "——"),
    ],
)
def test_adjacent_punctuation_is_marked_for_halt(text: str, markup: str) -> None:
    assert str(squeeze(text)) == markup
