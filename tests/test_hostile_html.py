"""Saved HTML built to break parsers (issue 18): deep nesting, huge text nodes, script links.

The rule checked: every text run of every hostile page is in the EPUB, or named in a warning; never
lost in silence (libxml2 drops a subtree deeper than 256 levels and a text node over 10 MB, and
everything after them, without a word).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from exporter.sources.web.html import MAX_DEPTH, flatten_nesting
from tests.conftest import run_cli
from tests.hostile import epub_text, founder_page, squash


def runs(n: int, word: str = "段") -> list[str]:
    return [f"第{i}{word}正文" for i in range(n)]


def deep_divs(depth: int, texts: list[str]) -> str:
    """DEPTH nested <div>s with one of TEXTS spread evenly down the nesting, one after it."""
    step = depth // len(texts)
    opening = "".join(
        f"<div>{texts[i // step]}" if i % step == 0 and i // step < len(texts) else "<div>" for i in range(depth)
    )
    return opening + "</div>" * depth


PAGES = {  # file name → (title, body, text runs that must reach the book)
    "content_1.htm": ("十万层嵌套", "<p>嵌套之前一段。</p>" + deep_divs(100_000, runs(10)) + "<p>嵌套之后一段。</p>",
                      ["嵌套之前一段。", *runs(10), "嵌套之后一段。"]),
    "content_2.htm": ("未闭合段落", "".join(f"<p>{t}" for t in runs(3000, "未闭")) + "<p>最后一段。",
                      [*runs(3000, "未闭"), "最后一段。"]),
    "content_3.htm": ("未闭合字体", "<p>" + "".join(f"<font>{t}" for t in runs(600, "字体")) + "</p><p>字体之后。</p>",
                      [*runs(600, "字体"), "字体之后。"]),
    "content_4.htm": ("脚本链接", '<p>前文<a href="javascript:alert(1)">链接里的字</a>后文。</p>', ["前文链接里的字后文。"]),
    "content_5.htm": ("交错标签", "<p><b>粗<i>斜</b>交错</i>结束。</p><table><tr><td>表格一<td>表格二</table><p>表后。</p>",
                      ["粗斜交错结束。", "表格一", "表格二", "表后。"]),
}  # fmt: skip


def test_every_text_run_of_every_hostile_page_reaches_the_book_or_a_warning(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for name, (title, body, _) in PAGES.items():
        (src / name).write_text(founder_page(title, body), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("export", src, "-o", out, "-f", "epub", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    (epub,) = out.glob("*/*.epub")
    words = squash(epub_text(epub))
    for name, (title, _, texts) in PAGES.items():
        assert title in words, name
        missing = [t for t in texts if squash(t) not in words]
        assert missing == [], (name, missing[:5])
    assert "article has a title but no body" not in result.stderr
    deep = [line for line in result.stderr.splitlines() if "content_1.htm" in line]
    assert deep == [
        f"epaper: warning: {src / 'content_1.htm'}: elements nested deeper than {MAX_DEPTH} levels: "
        f"{2 * (100_000 - (MAX_DEPTH - 3))} tag(s) below that removed, text kept"  # 2 divs, founder-content above.
    ]


def test_a_ten_million_character_paragraph_is_kept_whole(tmp_path: Path) -> None:
    huge = "".join("长文本中的一句话" for _ in range(1_250_000))  # 10 million characters, 30 MB of UTF-8.
    page = founder_page("巨段标题", f"<p>巨段之前。</p><p>{huge}</p><p>巨段之后。</p>")
    (tmp_path / "content_9.htm").write_text(page, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("export", tmp_path / "content_9.htm", "-o", out, "-f", "epub", timeout=300)
    assert result.returncode == 0, result.stderr
    (epub,) = out.glob("*/*.epub")
    text = epub_text(epub)
    assert huge in text
    assert "巨段之前。" in text and "巨段之后。" in text


@pytest.mark.parametrize(
    ("html", "removed"),
    [
        ("<p>a</p>" * 5000, 0),  # Long but flat: untouched.
        ("<div>" * MAX_DEPTH + "x" + "</div>" * MAX_DEPTH, 0),  # Exactly at the limit: untouched.
        ("<div>" * (MAX_DEPTH + 1) + "x" + "</div>" * (MAX_DEPTH + 1), 2),
        ("<li>" * 1000, 0),  # A second <li> closes the first, as the HTML standard says.
        ("<!--" + "<div>" * 1000 + "-->", 0),  # Tags in a comment are no tags.
        ("<script>" + "<div>" * 1000 + "</script>", 0),
        ("<div>" * (MAX_DEPTH + 3) + "<br/><img src=x>", 3),  # Voids and self-closing tags do not nest.
        ("<SCRIPT>" + "<div>" * 1000 + "</Script>" + "<div>" * (MAX_DEPTH + 1), 1),  # Case-blind end tag.
        ("<script>" * 20_000 + "<div>" * 1000, 0),  # An unclosed script runs to the end: no tags after it.
        ("<!--" * 20_000 + "<div>" * 1000, 0),  # So does an unclosed comment.
        ("<a" * 200_000, 0),  # Tags never closed by `>`.
        ("<html><body>" * 1000 + "<div>" * MAX_DEPTH, 0),  # Pages saved into one file repeat these.
    ],
)
def test_flatten_nesting_counts(html: str, removed: int) -> None:
    flat, count = flatten_nesting(html)
    assert count == removed
    assert (flat == html) == (removed == 0)
