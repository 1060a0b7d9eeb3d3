"""The plain Markdown reader gives exactly what markdown-it and PyYAML give, for all it accepts.

exporter/sources/text/plainmd.py reads `key: value` front matter and bodies of paragraphs and ATX
headings without the full parsers (they cost more time than writing an issue's EPUB). Here both
paths run on the same input: random text built from the characters that matter to either
syntax, the sample archive, and the shared corpus; and the plain path must take the usual files.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from exporter.model import Block, Heading, Notice
from exporter.sources.text.markdown import BodyWalker, _load_yaml, markdown_parser
from exporter.sources.text.plainmd import body_tokens, front_matter
from tests.conftest import RMRB_DB, ROOT

SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Characters each syntax reacts to, and plain text around them.
BODY_CHARS = st.sampled_from([*list("#\\ \n\u3000-=*_`[]!<>&1.)~+|:'\"甲乙丙a b"), "\t", "\x0c", "\u2028"])
PLAIN_BODY_CHARS = st.sampled_from(list("####\\\\    \n\n　甲乙a1.)!]&:-=>"))  # Mostly what the plain path reads.
YAML_CHARS = st.sampled_from(
    [*list(" :#'\"\\-?,[]{}&*!|>%@`~甲乙abc01."), "\t", "\ufeff", "\x85", "\u2028", "\u3000", "\x01"]
)
PLAIN_YAML_CHARS = st.sampled_from(list("   甲乙ab01.:#'\"　"))
PHOTO_PARTS = st.one_of(
    st.text(st.sampled_from(list("甲a1 ./:%&()<>[]!*_`\\\"'#?=")), max_size=6),
    st.text(st.sampled_from(list("甲a1 ./")), max_size=6),
    st.sampled_from(["archive/2026-03-02/images/denghui-large.jpg", "../a.jpg", "a.jpg?x#y"]),
)
PHOTOS = st.builds(
    lambda pad, alt, dest, title, tail: f"{pad}![{alt}]({dest}{title}){tail}",
    st.sampled_from(["", " ", "    ", "　"]),
    PHOTO_PARTS,
    st.one_of(PHOTO_PARTS, PHOTO_PARTS.map(lambda d: f"<{d}>"), st.sampled_from(["images/图 1.jpg", "//h/a.jpg"])),
    st.one_of(st.just(""), PHOTO_PARTS.map(lambda t: f' "{t}"'), st.just(" '单引号'")),
    st.sampled_from(["", "  ", "　", "续"]),
)
VALUES = st.one_of(st.text(YAML_CHARS, max_size=10), st.text(PLAIN_YAML_CHARS, max_size=10))


Walked = tuple[list[Block], Heading | None, list[Notice]]


def walk(tokens: Sequence[Any]) -> Walked:
    """Return the blocks, the # title and the notices (missing photos …) the walker makes of tokens."""
    notices: list[Notice] = []
    blocks, h1 = BodyWalker("a.md", ROOT / "examples", ROOT, 6, notices).walk_tokens(tokens)
    return blocks, h1, notices


def full_blocks(body: str) -> Walked:
    return walk(markdown_parser().parse(body))


def plain_blocks(body: str) -> Walked | None:
    tokens = body_tokens(body)
    return None if tokens is None else walk(tokens)


def full_yaml(lines: list[str]) -> object:
    try:
        return _load_yaml("\n".join(lines)) or {}
    except yaml.YAMLError:
        return "refused"


@SETTINGS
@given(
    st.one_of(*(st.lists(st.text(c, max_size=12), max_size=10).map("\n".join) for c in (BODY_CHARS, PLAIN_BODY_CHARS)))
)
@example("## 要闻\n### 小标题\n正文\\+续\\\n下一行\\")
@example("#话题# 正文\n# \n   ### 收尾 ###\n#######")
@example("甲\n\n    代码\n乙")
@example("甲\n===\n乙\n- 项")
@example("![图](a\x7f.jpg)")  # Found in review: markdown-it ends a destination at DEL …
@example("![图](<a\x00.jpg>)")  # … turns NUL into U+FFFD first …
@example("正文\\\n\x85")  # … and does not trim U+0085 as str.strip() does.
def test_plain_body_reads_as_markdown_it_does(body: str) -> None:
    plain = plain_blocks(body)
    if plain is not None:
        assert plain == full_blocks(body)


@SETTINGS
@given(st.lists(st.tuples(st.sampled_from(["title", "page", "a_b", "x"]), VALUES), max_size=6))
@example([("title", '"甲: 乙"'), ("page", "'02'")])
@example([("title", "甲 #乙"), ("page", "")])
@example([("title", '"甲\\"乙"')])
@example([("k" * 1025, "x")])  # YAML refuses keys over 1024 characters.
def test_plain_front_matter_reads_as_pyyaml_does(fields: list[tuple[str, str]]) -> None:
    lines = [f"{key}: {value}" if value else f"{key}:" for key, value in fields]
    plain = front_matter(lines)
    if plain is not None:
        assert plain == full_yaml(lines)


def test_plain_path_declines_what_it_does_not_read() -> None:
    for body in (
        "*强调*",
        "- 要点",
        "> 引文",
        "![*图*](a.jpg)",
        "图![图](a.jpg)",
        "[链接](x)",
        "`代码`",
        "甲\n---",
        "1. 第一",
        "    代码",
    ):
        assert body_tokens(body) is None, body
    for line in ("title: &a 甲", "title: 甲: 乙", "title: 甲 # 注", 'title: "甲\\t"', "  title: 甲", "- 甲"):
        assert front_matter([line]) is None, line


def test_plain_path_keeps_line_numbers_and_escapes() -> None:
    (heading, paragraph), _, _ = plain_blocks("## 专题\n### 标题\n\n第一行\\+\n第二行")  # type: ignore[misc]
    assert (heading.kicker, heading.text, heading.origin.line) == ("专题", "标题", 6)
    assert (paragraph.text, paragraph.origin.line) == ("第一行+第二行", 9)
    (figure,), _, notices = plain_blocks('![灯会现场](archive/2026-03-02/images/denghui-large.jpg "本报记者 摄")')  # type: ignore[misc]
    assert (figure.caption, figure.credit) == ("灯会现场", "本报记者 摄")
    assert figure.image and figure.image.endswith("denghui-large.jpg") and not notices


def markdown_files(folder: Path) -> list[Path]:
    return sorted(folder.rglob("*.md"))


def check_both_paths(files: list[Path]) -> int:
    """Compare the two paths on each file; return how many the plain path read whole."""
    plain_count = 0
    for path in files:
        lines = path.read_text(encoding="utf-8-sig").split("\n")
        end = lines.index("---", 1)
        meta = front_matter(lines[1:end])
        if meta is not None:
            assert meta == full_yaml(lines[1:end]), path
        body = "\n".join(lines[end + 1 :])
        plain = plain_blocks(body)
        if plain is not None:
            assert plain == full_blocks(body), path
        plain_count += meta is not None and plain is not None
    return plain_count


def test_sample_archive_reads_the_same_both_ways() -> None:
    files = markdown_files(ROOT / "examples" / "archive")
    assert files
    check_both_paths(files)


@pytest.mark.skipif(not RMRB_DB.exists(), reason="shared corpus absent")
def test_corpus_markdown_takes_the_plain_path(tmp_path: Path) -> None:
    from tests.corpus import rmrb_sources

    files = markdown_files(rmrb_sources(RMRB_DB, tmp_path))
    plain = check_both_paths(files)
    assert plain >= 0.9 * len(files), (plain, len(files))  # The speed-up is real for real articles.
