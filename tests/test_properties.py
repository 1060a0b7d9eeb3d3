"""Property-based tests (Hypothesis) for the reader-dump and Markdown readers.

For arbitrary Unicode text in the body and in the header / front-matter fields:
1. reading raises nothing but InputError (the documented one-line refusal);
2. no content character is lost: every non-whitespace character of the source text appears in
   Article.texts() (with --keep-punctuation), except characters XML forbids (removed with a warning),
   the parentheses around a source line or a photo credit (the model stores them without), and the
   markup Markdown itself consumes (the oracle is CommonMark's own rendering of the body);
3. the real EPUB writer turns the article into XHTML documents that parse.

Bounded by max_examples so the whole file runs in about 20 s; no per-example deadline (a slow CI
machine must not turn a correct run into a failure).
"""

from __future__ import annotations

import tempfile
import unicodedata
import zipfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, example, given, reject, settings
from hypothesis import strategies as st
from lxml import etree, html

from exporter.assemble import assemble
from exporter.book import lay_out
from exporter.errors import InputError
from exporter.model import Article
from exporter.sources import ReadOptions, ReadResult, read_one
from exporter.sources.text.markdown import markdown_parser
from exporter.text import xml_forbidden
from exporter.writers.epub import write_epub
from tests.hostile import dump_source, markdown_source

KEEP = ReadOptions(keep_punctuation=True)
NOT_COMPARED = set("()（）\ufeff")  # Parentheses of source lines and credits; a BOM stripped like a space.

# Characters the readers treat specially, mixed into otherwise arbitrary Unicode.
SPECIAL = list(
    "，。；：（）()“”…—·、,;:!?#*-_=+[]<>&{}%`~\\|/.'\"0123456789 \t\u3000\u00a0\u2028\ufeff\ufffe\uffff"
    "\x01\x07\x0b\x0c\x1b\x7f\x85\u0301\u200b\u202e报纸日期版面字号第版摄记者本报图为"
)
CHARS = st.one_of(st.characters(codec="utf-8", exclude_characters="\x00"), st.sampled_from(SPECIAL))
LINE = st.text(CHARS, max_size=40).map(lambda s: s.replace("\n", " ").replace("\r", " "))
BODY = st.lists(st.text(CHARS, max_size=80), max_size=8).map("\n".join)
# Front-matter values travel as YAML escapes: they may hold anything, lone surrogates too.
FIELD = st.text(st.one_of(CHARS, st.sampled_from(["\ud800", "\udfff", "\x00", "\n"])), max_size=30)

FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
WRITES = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@contextmanager
def source_file(name: str, data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, name)
        path.write_bytes(data)
        yield path


def read(name: str, data: bytes) -> ReadResult | None:
    """Read one source; None when it is refused with an InputError (anything else fails the test)."""
    with source_file(name, data) as path:
        try:
            return read_one(path, KEEP)
        except InputError as exc:
            assert "\n" not in str(exc), "a refusal is one line"
            return None


def content(text: str) -> Counter[str]:
    """Count the characters that must survive: no whitespace, nothing XML forbids, no parentheses."""
    forbidden = set(xml_forbidden(text))
    text = unicodedata.normalize("NFC", text)  # The dump reader normalizes each line to NFC.
    return Counter(c for c in text if not c.isspace() and c not in forbidden and c not in NOT_COMPARED)


def shown(article: Article) -> Counter[str]:
    """Count the characters the article shows, in NFC as `content` counts them (剩 U+F9xx vs U+5269)."""
    return Counter(unicodedata.normalize("NFC", "".join([*article.texts(), article.paper, article.page_name or ""])))


def assert_epub_parses(result: ReadResult) -> None:
    """Write the articles with the real EPUB writer and parse every XHTML document it holds."""
    issues, _ = assemble(result.articles, result.papers)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder, "book.epub")
        write_epub(lay_out(issues[:1]), target)
        with zipfile.ZipFile(target) as book:
            names = [n for n in book.namelist() if n.endswith((".xhtml", ".opf", ".ncx"))]
            assert len(names) >= 4
            for name in names:
                etree.fromstring(book.read(name), etree.XMLParser(resolve_entities=False, no_network=True))


# --- reader dump --------------------------------------------------------------------------------------------


@FAST
@given(st.text(CHARS, max_size=300))
def test_dump_any_text_is_read_or_refused(text: str) -> None:
    read("a.txt", text.encode("utf-8"))


@WRITES
@given(paper=LINE, title_lines=st.lists(LINE, min_size=1, max_size=3), page_name=LINE, body=BODY)
def test_dump_any_header_and_body(paper: str, title_lines: list[str], page_name: str, body: str) -> None:
    page_line = f"版面:第14版:{page_name}  上一篇 下一篇"
    source = dump_source(body.split("\n"), paper=paper, title_lines=title_lines, page_line=page_line)
    result = read("a.txt", source.encode("utf-8"))
    if result is not None:
        assert_epub_parses(result)


@WRITES
@given(title=LINE, body=BODY)
def test_dump_loses_no_content_character(title: str, body: str) -> None:
    source = dump_source(body.split("\n"), title=title)
    result = read("a.txt", source.encode("utf-8"))
    if result is None:
        reject()  # Title empty once cleaned, or too many control characters for a text file.
    (article,) = result.articles
    missing = content(body) - shown(article)
    assert not missing, (missing, article)
    assert_epub_parses(result)


# --- structured Markdown ---------------------------------------------------------------------------------

MD_CHARS = st.one_of(CHARS, st.sampled_from(list("#*-_[]()!<>`~\\&;: \n\n\n   1.)\"'")))
MD_PIECES = ["![图](x.jpg)", '![说明](x.jpg "本报记者 摄")', "## ", "### ", "- ", "1. ", "    ", "```\n", "> ", "\n\n"]
MD_BODY = st.lists(st.one_of(st.text(MD_CHARS, max_size=20), st.sampled_from(MD_PIECES)), max_size=15).map("".join)
FRONT = st.fixed_dictionaries(
    {},
    optional={k: FIELD for k in ("paper", "title", "kicker", "subtitle", "byline", "source", "page_name")},
)


def visible(body: str) -> str:
    """Return what CommonMark shows of a Markdown body: its text, image alt texts and photo credits."""
    rendered = markdown_parser().render(body)
    if not rendered.strip():
        return ""
    root = html.fromstring(f"<div>{rendered}</div>")
    credits = root.xpath("//p[not(ancestor::li)]//img/@title")  # Photos in paragraphs become figures.
    return " ".join([root.text_content(), *root.xpath("//img/@alt"), *credits])


@FAST
@given(front=FRONT, body=MD_BODY)
def test_markdown_any_front_matter_and_body_is_read_or_refused(front: dict[str, str], body: str) -> None:
    read("a.md", markdown_source(body, **front).encode("utf-8"))


@WRITES
@given(front=FRONT, body=MD_BODY)
@example(front={}, body="-     代码行\n")  # Found by this test: code inside a list item was dropped.
@example(front={"title": "标题"}, body="# 另一个标题\n\n正文。\n")  # … and a # line other than the title.
def test_markdown_loses_no_content_character(front: dict[str, str], body: str) -> None:
    result = read("a.md", markdown_source(body, **front).encode("utf-8"))
    if result is None:
        reject()  # No title or paper left once cleaned.
    (article,) = result.articles
    expected = content(visible(body))
    for value in front.values():
        expected += content(value)
    missing = expected - shown(article)
    assert not missing, (missing, article)
    assert_epub_parses(result)
