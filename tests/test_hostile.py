"""Hostile and broken input (issue 7): each case with its exact outcome.

Covered elsewhere, not repeated here:
- empty, binary, undecodable files; UTF-16 with a lone surrogate; broken headers; bad front matter:
  tests/test_bad_input.py
- images outside the folder at library level (parent, deep parent, absolute, symlink), URL images:
  tests/test_markdown_reader.py::test_image_outside_source_folder_is_refused, ::test_url_image_is_not_fetched
- scripts, javascript: links, remote and outside images in saved HTML: tests/test_html_readers.py (hostile markup)
- SIGINT / SIGTERM during a batch: tests/test_batch.py::test_interrupt_leaves_no_partial_file_and_a_usable_manifest
- one book failing among others (exit 1, the others written): tests/test_batch.py::test_failures_are_isolated_named_and_exit_1
"""

from __future__ import annotations

import codecs
import datetime as dt
import errno
import io
import os
import random
import shutil
import subprocess
import sys
import time
import types
import unicodedata
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from exporter.checks import check_epub
from exporter.cli import main
from exporter.errors import InputError
from exporter.sources import ReadOptions, read_one
from exporter.sources.body import split_credit
from exporter.sources.decoding import MAX_SOURCE_BYTES
from exporter.text import restore_punctuation, xml_forbidden
from exporter.writers import atomic
from tests.conftest import EXAMPLES, ROOT, run_cli
from tests.hostile import (
    XHTML_NS,
    dump_source,
    epub_documents,
    epub_images,
    epub_text,
    markdown_source,
    normalized_article,
    normalized_issue,
    normalized_source,
    pdf_images,
    pdf_text,
    run_measured,
    squash,
)
from tests.synth import make_archive, paragraph, write_article

D = dt.date


def make_image(path: Path, color: str, size: tuple[int, int] = (64, 48)) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new("RGB", size, color).save(path, "JPEG")
    return path


def output(out: Path, fmt: str) -> Path:
    """Return the one book of format `fmt` under `out`."""
    (path,) = out.glob(f"*/*.{fmt}")
    return path


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith("epaper: warning: ")]


def assert_no_traceback(stderr: str) -> None:
    assert "Traceback" not in stderr, stderr


def is_green(image: Image.Image) -> bool:
    r, g, b = image.convert("RGB").getpixel((image.width // 2, image.height // 2))  # type: ignore[misc]
    return g > 100 and r < 100 and b < 100


# --- images that leave the source folder ------------------------------------------------------------------

ESCAPES = {  # caption → (image reference, why it is refused)
    "上溯": ("../secret/secret.jpg", "points outside the source folder"),
    "深层上溯": ("images/../../secret/secret.jpg", "points outside the source folder"),
    "编码上溯": ("..%2Fsecret%2Fsecret.jpg", "points outside the source folder"),
    "反斜杠上溯": ("..\\secret\\secret.jpg", "points outside the source folder"),
    "绝对路径": ("{secret}/secret.jpg", "is an absolute path"),
    "符号链接": ("images/link.jpg", "points outside the source folder"),
    "目录链接": ("images/dirlink/secret.jpg", "points outside the source folder"),
}


def test_images_escaping_the_sources_are_refused_named_and_never_embedded(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    make_image(secret / "secret.jpg", "red")
    (secret / "diary.md").write_text(markdown_source("机密日记的正文。\n", title="机密日记"), encoding="utf-8")
    src = tmp_path / "src"
    make_image(src / "images" / "ok.jpg", "green")
    os.symlink(secret / "secret.jpg", src / "images" / "link.jpg")
    os.symlink(secret, src / "images" / "dirlink")
    os.symlink(secret / "diary.md", src / "leak.md")  # A source file that is a link to elsewhere.
    os.symlink(secret, src / "linked-folder")  # A folder link: never walked into.
    file_url = f"![文件网址](<file://{secret}/secret.jpg>)"  # markdown-it refuses file: links: literal text.
    lines = ["![本地照片](images/ok.jpg)", "", file_url, ""]
    for caption, (ref, _) in ESCAPES.items():
        lines += [f"![{caption}](<{ref.format(secret=secret)}>)", ""]
    body = "\n".join([*lines, "正文一段。", ""])
    text = markdown_source(body)
    (src / "a.md").write_text(text, encoding="utf-8")

    out = tmp_path / "out"
    result = run_cli("export", src, "-o", out, "-f", "epub,pdf")
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result.stderr)
    found = warnings(result.stderr)
    for caption, (ref, why) in ESCAPES.items():
        line = text.split("\n").index(f"![{caption}](<{ref.format(secret=secret)}>)") + 1
        named = [w for w in found if w.startswith(f"epaper: warning: {src / 'a.md'}:{line}: image ")]
        assert len(named) == 1, (caption, found)
        assert why in named[0] and named[0].endswith("caption kept without the photo")
    assert f"epaper: warning: {src / 'leak.md'}: symlink to a file outside the folder, skipped" in found
    assert len(found) == len(ESCAPES) + 1

    epub = output(out, "epub")
    photos = [n for n in epub_images(epub) if not n.endswith("cover.jpg")]
    assert len(photos) == 1, epub_images(epub)
    with zipfile.ZipFile(epub) as book:
        assert is_green(Image.open(io.BytesIO(book.read(photos[0])))), "only the photo inside the sources"
    words = epub_text(epub)
    assert all(caption in words for caption in ESCAPES), "every caption is kept"
    assert file_url in words
    assert "机密日记" not in words
    pdf = output(out, "pdf")
    (photo,) = pdf_images(pdf)
    assert is_green(Image.open(io.BytesIO(photo)))
    assert "机密日记" not in pdf_text(pdf)


# --- paper and page names that look like paths ---------------------------------------------------------------

NASTY_PAPERS = [
    "../../逃逸报",
    "/etc/cron.d/定时报",
    "报\x00纸",
    "控制\x1b[31m报",
    "..",
    ".",
    "点..",
    "长" * 200,  # 600 bytes of UTF-8: longer than a file name may be.
    "甲/乙报",
    "甲_乙报",  # Differs from the one above only by what the file system cannot hold.
    "C:\\Windows\\报",
    "\u202e报反向",
]


def test_paper_and_page_names_never_lead_outside_the_output_folder(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    for n, paper in enumerate(NASTY_PAPERS):
        issue = normalized_issue(paper, [normalized_article(f"文章{n}", "正文。")], label="../../p\x00", name="/\x00..")
        (src / f"paper{n}.json").write_text(normalized_source([issue]), encoding="ascii")
    out = tmp_path / "deep" / "er" / "out"  # ../../ from here is still inside tmp_path: we can see any escape.
    result = run_cli("export", src, "-o", out, "-f", "epub,pdf", "-j", "2", "--report", out / "report.json")
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result.stderr)

    written = [p for p in tmp_path.rglob("*") if p.is_file() and not p.is_relative_to(src)]
    assert written and all(p.is_relative_to(out) for p in written), written
    books = [p.relative_to(out) for p in written if p.suffix in (".epub", ".pdf")]
    assert len(books) == 2 * len(NASTY_PAPERS)
    folders = {b.parts[0] for b in books}
    assert len(folders) == len(NASTY_PAPERS), "each paper its own folder, even 甲/乙报 and 甲_乙报"
    for book in books:
        assert len(book.parts) == 2 and book.name in ("2026-01-14.epub", "2026-01-14.pdf")
    for folder in folders:
        assert folder not in (".", "..") and not folder.startswith(".")
        assert not any(unicodedata.category(c)[0] == "C" for c in folder)
        assert len(folder.encode()) <= 255
    assert (out / "甲_乙报").is_dir(), "a name the file system can hold stays as it is"


# --- template syntax and markup in every text field ----------------------------------------------------------

PAYLOAD = "{{ 7*7 }}{% if true %}IF{% endif %}<script>alert(1)</script>&amp;]]>"
TAGS = (
    "PAPER",
    "PAGENAME",
    "KICKER",
    "TITLE",
    "SUBTITLE",
    "BYLINE",
    "SOURCE",
    "CAPTION",
    "CREDIT",
    "HKICKER",
    "HEADING",
    "HIGHLIGHT",
    "PARAGRAPH",
)


def payload(tag: str) -> str:
    return f"{tag}:{PAYLOAD}"


def expected(tag: str) -> str:
    """Return the text the book must show: a Markdown link title (the credit) decodes entities, as CommonMark says."""
    return payload(tag).replace("&amp;", "&") if tag == "CREDIT" else payload(tag)


def test_template_syntax_and_markup_stay_literal_text_in_every_field(tmp_path: Path) -> None:
    src = tmp_path / "src"
    make_image(src / "images" / "ok.jpg", "green")
    caption = payload("CAPTION").replace("[", "\\[").replace("]", "\\]")  # Brackets would end the alt text.
    body = (
        f'![{caption}](images/ok.jpg "{payload("CREDIT")}")\n\n'
        f"## {payload('HKICKER')}\n### {payload('HEADING')}\n\n"
        f"- {payload('HIGHLIGHT')}\n\n"
        f"{payload('PARAGRAPH')}\n"
    )
    fields = {
        "paper": payload("PAPER"),
        "page_name": payload("PAGENAME"),
        "kicker": payload("KICKER"),
        "title": payload("TITLE"),
        "subtitle": payload("SUBTITLE"),
        "byline": payload("BYLINE"),
        "source": payload("SOURCE"),
    }
    (src / "a.md").write_text(markdown_source(body, **fields), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("export", src, "-o", out, "-f", "epub,pdf")
    assert result.returncode == 0, result.stderr

    documents = epub_documents(output(out, "epub"))  # Every XHTML document, the NCX and the OPF parse.
    text = epub_text(output(out, "epub"))
    for tag in TAGS:
        assert expected(tag) in text, tag
    for name, doc in documents.items():
        assert not list(doc.iter(f"{{{XHTML_NS}}}script")), name
    pages = "".join("".join(doc.itertext()) for name, doc in documents.items() if name.endswith(".xhtml"))
    assert "49" not in pages, "{{ 7*7 }} was evaluated"

    printed = squash(pdf_text(output(out, "pdf")))
    for tag in TAGS:
        assert squash(expected(tag)) in printed, tag
    assert "49" not in printed


# --- characters XML forbids ---------------------------------------------------------------------------------


def forbidden_sources(src: Path) -> dict[str, Path]:
    """Write one source per format, each with characters XML forbids in several fields."""
    src.mkdir(parents=True, exist_ok=True)
    article = normalized_article(
        "标\ud800题一",  # A lone surrogate: JSON can say \ud800.
        kicker="\u001b[31m引题",
        blocks=[
            {"type": "paragraph", "text": "正\u0000文\u0007一。"},
            {"type": "paragraph", "text": "第二段\uffff。"},
            {"type": "figure", "caption": "图\u0008说"},
            {"type": "heading", "text": "\u0001"},  # Nothing left of it: dropped, not an empty TOC entry.
        ],
    )
    issue = normalized_issue("青川晚报\u0001", [article], name="要\ufffe闻")
    files = {
        "json": src / "forbidden.json",
        "md": src / "forbidden.md",
        "txt": src / "forbidden.txt",
        "utf16": src / "forbidden16.txt",
    }
    files["json"].write_text(normalized_source([issue]), encoding="ascii")
    md = markdown_source(
        "正文\x07二。\n\n## 小\x02标题\n\n正文。\n", title="标题\ud800二", byline="记者\x01", page="03"
    )
    files["md"].write_text(md, encoding="utf-8")
    files["txt"].write_text(dump_source(["正文\x01三。"], title="标题\ufffe三").replace("第14版", "第05版"), "utf-8")
    utf16 = dump_source(["正文\x02四。"], title="标题\uffff四").replace("第14版", "第06版")
    files["utf16"].write_bytes(codecs.BOM_UTF16_LE + utf16.encode("utf-16-le"))
    return files


def test_forbidden_characters_are_removed_at_reading_with_a_warning(tmp_path: Path) -> None:
    files = forbidden_sources(tmp_path / "src")
    result = read_one(files["json"])
    (article,) = result.articles
    assert article.paper == "青川晚报" and article.title == "标题一" and article.kicker == "[31m引题"
    assert [b.text for b in article.blocks if hasattr(b, "text")] == ["正文一。", "第二段。"]  # type: ignore[attr-defined]
    assert [f.caption for f in article.figures] == ["图说"]
    assert not xml_forbidden("".join([*article.texts(), article.paper, article.page_name or ""]))
    (paper,) = result.papers
    assert (paper.name, paper.page_names) == ("青川晚报", {"01": "要闻"})
    assert [str(n) for n in result.notices] == [
        f"{files['json']}: removed 8 character(s) XML does not allow (U+0001, U+001B, U+D800, U+0000, U+0007 …)"
        " in '标题一'",
        f"{files['json']}: removed 2 character(s) XML does not allow (U+0001, U+FFFE) in the paper's name or page names",
    ]
    for fmt in ("md", "txt", "utf16"):
        (article,) = (result := read_one(files[fmt])).articles
        assert not xml_forbidden("".join(article.texts()))
        assert len(result.notices) == 1 and "XML does not allow" in result.notices[0].message


def test_forbidden_characters_give_valid_outputs(tmp_path: Path) -> None:
    files = forbidden_sources(tmp_path / "src")
    out = tmp_path / "out"
    result = run_cli("export", tmp_path / "src", "-o", out, "-f", "epub,pdf")
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result.stderr)
    for path in files.values():
        assert any(
            w.startswith(f"epaper: warning: {path}") and "XML does not allow" in w for w in warnings(result.stderr)
        )
    epub = output(out, "epub")
    with zipfile.ZipFile(epub) as book:
        for name in book.namelist():
            if name.endswith((".xhtml", ".opf", ".ncx")):
                assert not xml_forbidden(book.read(name).decode("utf-8")), name
    text = epub_text(epub)  # Parses every document.
    for title in ("标题一", "标题二", "标题三", "标题四", "正文一。", "图说", "小标题"):
        assert title in text
    report = check_epub(epub)
    assert report.ok, report.problems
    printed = squash(pdf_text(output(out, "pdf")))
    assert all(title in printed for title in ("标题一", "标题二", "标题三", "标题四"))


def test_a_title_of_forbidden_characters_only_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text(markdown_source(title="\x01\ufffe\ud800"), encoding="utf-8")
    with pytest.raises(InputError, match="the title holds only characters XML does not allow"):
        read_one(path)
    result = run_cli("export", path, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert f"epaper: refused: {path}:1: the title holds only characters XML does not allow" in result.stderr
    assert result.stderr.strip().splitlines()[-1] == "epaper: error: no source could be read"
    assert not (tmp_path / "out").exists()


def test_line_breaks_and_huge_names_reach_the_cover_safely(tmp_path: Path) -> None:
    """Pillow's text layout fails on U+000A, U+0085 and U+2029, and measured a huge title glyph by glyph."""
    titles = ["第一行\n第二行", "换行\u0085符", "段落\u2029分隔", "长" * 200_000]
    pages = [
        {"label": f"0{n}", "name": None, "articles": [normalized_article(title, "正文。")]}
        for n, title in enumerate(titles, 1)
    ]
    src = tmp_path / "src"
    src.mkdir()
    issue = {"paper": "报名\n第二行" + "名" * 100_000, "date": "2026-01-14", "pages": pages}
    (src / "a.json").write_text(normalized_source([issue]), encoding="ascii")
    started = time.perf_counter()
    result = run_cli("export", src, "-o", tmp_path / "out")
    assert result.returncode == 0, result.stderr
    assert time.perf_counter() - started < 60
    assert "长" * 200_000 in epub_text(output(tmp_path / "out", "epub")), "the title itself is never cut"


# --- broken and dangerous photos ---------------------------------------------------------------------------


def png_claiming(width: int, height: int) -> bytes:
    """Return a PNG header that claims a huge size (the pixel data never comes)."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    return b"\x89PNG\r\n\x1a\n" + header + chunk(b"IDAT", zlib.compress(b"\0" * 64)) + chunk(b"IEND", b"")


def broken_images(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    Image.new("1", (10_000, 10_000)).save(folder / "bomb.png")  # 100 MP in a few kB.
    good = io.BytesIO()
    Image.effect_noise((400, 300), 64).convert("RGB").save(good, "JPEG")
    files = {
        "炸弹图": folder / "bomb.png",
        "谎报尺寸": folder / "claims.png",
        "截断图": folder / "truncated.jpg",
        "乱码图": folder / "garbage.jpg",
        "空图": folder / "empty.png",
        "文本图": folder / "text.png",
    }
    files["谎报尺寸"].write_bytes(png_claiming(60_000, 60_000))
    files["截断图"].write_bytes(good.getvalue()[: len(good.getvalue()) // 2])
    files["乱码图"].write_bytes(random.Random(1).randbytes(5000))
    files["空图"].write_bytes(b"")
    files["文本图"].write_text("这不是图片", encoding="utf-8")
    assert files["炸弹图"].stat().st_size < 100_000
    return files


def test_bombs_and_corrupt_photos_keep_their_captions_and_export(tmp_path: Path) -> None:
    src = tmp_path / "src"
    files = broken_images(src / "images")
    body = "".join(f"![{caption}](images/{path.name})\n\n" for caption, path in files.items()) + "正文。\n"
    (src / "a.md").write_text(markdown_source(body), encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("export", src, "-o", out, "-f", "epub,pdf")
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result.stderr)
    found = warnings(result.stderr)
    for caption, path in files.items():
        named = [w for w in found if str(path.resolve()) in w]
        assert len(named) == 2, (caption, found)  # Once for the EPUB, once for the PDF.
        assert all(w.endswith("not embedded; caption kept") for w in named)
    assert sum("decompression bomb" in w for w in found) == 4  # bomb.png and claims.png, both formats.
    epub = output(out, "epub")
    assert [n for n in epub_images(epub) if not n.endswith("cover.jpg")] == []
    assert all(caption in epub_text(epub) for caption in files)
    pdf = output(out, "pdf")
    assert pdf_images(pdf) == []
    assert all(caption in pdf_text(pdf) for caption in files)


# --- size: a 50 MB file, a 1 MB paragraph, 10,000 articles ---------------------------------------------------


def big_dump(path: Path, megabytes: float, paragraphs: bool = True) -> str:
    """Write a reader dump whose body is `megabytes` of Chinese text (many paragraphs, or one)."""
    rng = random.Random(5)
    pieces = [paragraph(rng, 8) for _ in range(200)]
    body, size, n = [], 0, 0
    while size < megabytes * 1024 * 1024:
        body.append(pieces[n % len(pieces)])
        size += len(body[-1].encode())
        n += 1
    lines = body if paragraphs else ["".join(body)]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dump_source(lines, title="巨型文章"), encoding="utf-8")
    return lines[0]


def export_epub_measured(tmp_path: Path) -> tuple[float, float]:
    """Export tmp_path/src to EPUB in one process; return (seconds, peak RSS in MiB)."""
    started = time.perf_counter()
    code, peak, stderr = run_measured("export", tmp_path / "src", "-o", tmp_path / "out", "-f", "epub", "-j", "1")
    assert code == 0, stderr
    return time.perf_counter() - started, peak


@pytest.mark.slow
def test_a_50_mb_text_file_exports_in_bounded_memory(tmp_path: Path) -> None:
    big_dump(tmp_path / "src" / "big.txt", 50)
    seconds, peak = export_epub_measured(tmp_path)
    print(f"50 MB dump → EPUB: {seconds:.1f} s, peak RSS {peak:.0f} MiB")
    assert peak < 700, f"peak RSS {peak:.0f} MiB (measured 370 MiB when written)"
    assert output(tmp_path / "out", "epub").stat().st_size > 1_000_000


def test_a_source_over_the_size_limit_is_refused_without_being_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as f:
        f.truncate(MAX_SOURCE_BYTES + 1)  # Sparse: nothing is written, nothing must be read.
    result = run_cli("export", path, "-o", tmp_path / "out")
    assert result.returncode == 2
    assert f"epaper: refused: {path}: file is 64 MiB, larger than the 64 MiB limit for a source" in result.stderr
    assert_no_traceback(result.stderr)


def test_a_1_mb_paragraph_is_kept_whole(tmp_path: Path) -> None:
    text = big_dump(tmp_path / "src" / "long.txt", 1, paragraphs=False)
    assert len(text.encode()) > 1024 * 1024
    started = time.perf_counter()
    (article,) = read_one(tmp_path / "src" / "long.txt").articles
    assert time.perf_counter() - started < 10
    assert [b.text for b in article.blocks] == [restore_punctuation(text)]  # type: ignore[union-attr]
    _, peak = export_epub_measured(tmp_path)
    print(f"1 MB paragraph → EPUB: peak RSS {peak:.0f} MiB")
    assert peak < 300, f"peak RSS {peak:.0f} MiB (measured 96 MiB when written)"
    assert restore_punctuation(text) in epub_text(output(tmp_path / "out", "epub"))


@pytest.mark.slow
def test_10000_articles_in_one_issue_export_in_bounded_memory(tmp_path: Path) -> None:
    rng = random.Random(3)
    for n in range(10_000):
        write_article(tmp_path / "src", D(2026, 1, 14), n // 1000 + 1, n % 1000 + 1, rng, image=False, paragraphs=3)
    seconds, peak = export_epub_measured(tmp_path)
    print(f"10,000 articles → EPUB: {seconds:.1f} s, peak RSS {peak:.0f} MiB")
    assert peak < 500, f"peak RSS {peak:.0f} MiB (measured 126 MiB when written)"
    documents = epub_documents(output(tmp_path / "out", "epub"))
    pages = [doc for name, doc in documents.items() if name.split("/")[-1].startswith("page")]
    assert len(pages) == 10
    assert sum(len(doc.findall(f".//{{{XHTML_NS}}}article")) for doc in pages) == 10_000


@pytest.mark.parametrize(
    ("line", "name"),
    [
        ("版面:第14版:" + " " * 20_000 + "x", "x"),  # Was cubic in the navigation-word regex: hours.
        ("版面:第14版:" + "上一篇" * 20_000 + " x", "上一篇" * 20_000 + " x"),
        ("版面:第14版:" + "  上一篇 下一篇" * 20_000, None),
    ],
)
def test_pathological_page_line_is_read_in_linear_time(tmp_path: Path, line: str, name: str | None) -> None:
    path = tmp_path / "a.txt"
    path.write_text(dump_source(["正文。"], page_line=line), encoding="utf-8")
    started = time.perf_counter()
    (article,) = read_one(path).articles
    assert time.perf_counter() - started < 10  # Quadratic would be hours; linear is well under a second or two.
    assert (article.page, article.page_name) == ("14", name)


@pytest.mark.parametrize(
    "text",
    [
        "图为" + " " * 200_000 + "x",  # Was quadratic in the caption-credit regexes.
        "图为" + "　" * 200_000 + "（本报记者 贺勇摄）",
        "测试文字," * 200_000,  # Was quadratic in the e-mail pattern of punctuation restoration.
        "a@b" * 200_000,
    ],
)
def test_pathological_lines_are_linear(text: str) -> None:
    started = time.perf_counter()
    split_credit(text)
    restore_punctuation(text)
    assert time.perf_counter() - started < 10  # Quadratic would be hours; linear is well under a second or two.


# --- output folders that cannot be written ----------------------------------------------------------------


def test_output_folder_below_a_file_is_one_error_and_exit_2(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 1, 1), 2, pages=1, articles=1)
    (tmp_path / "file").write_text("not a folder", encoding="utf-8")
    result = run_cli("export", src, "-o", tmp_path / "file" / "out")
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"epaper: error: {tmp_path / 'file' / 'out'}: cannot write here: Not a directory"
    ]


def namespaces_work() -> bool:
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-rm", "true"], capture_output=True).returncode == 0


needs_namespaces = pytest.mark.skipif(
    not namespaces_work(), reason="needs `unshare -rm` (user and mount namespaces) to mount a read-only or tiny folder"
)


def run_in_namespace(mount: str, *args: str | Path) -> subprocess.CompletedProcess[str]:
    """Run `epaper ARGS` after `mount` (a shell command) in private user and mount namespaces."""
    command = " ".join(f"'{a}'" for a in [sys.executable, "-m", "exporter", *map(str, args)])
    return subprocess.run(
        ["unshare", "-rm", "sh", "-c", f"{mount} && exec {command}"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[1],
        timeout=300,
    )


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


@needs_namespaces
def test_read_only_output_folder_is_one_error_and_earlier_books_intact(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 1, 1), 2, pages=1, articles=1)
    out = tmp_path / "out"
    assert run_cli("export", src, "-o", out).returncode == 0
    before = snapshot(out)
    result = run_in_namespace(
        f"mount --bind '{out}' '{out}' && mount -o remount,ro,bind '{out}'", "export", src, "-o", out, "--force"
    )
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [f"epaper: error: {out}: cannot write here: Read-only file system"]
    assert snapshot(out) == before


@needs_namespaces
def test_a_full_disk_fails_the_books_that_do_not_fit_and_keeps_the_rest(tmp_path: Path) -> None:
    src = make_archive(tmp_path / "src", D(2026, 1, 1), 3, pages=2, articles=2, images=2)
    probe = tmp_path / "probe"
    assert run_cli("export", src, "-o", probe, "--to", "2026-01-01").returncode == 0
    size = output(probe, "epub").stat().st_size
    out = tmp_path / "out"
    out.mkdir()
    tmpfs = f"mount -t tmpfs -o size={size * 3 // 2} tmpfs '{out}'"  # Room for one book, not two.
    result = run_in_namespace(tmpfs, "export", src, "-o", out, "-j", "1")
    assert result.returncode == 1, result.stderr
    assert_no_traceback(result.stderr)
    failed = [line for line in result.stderr.splitlines() if line.startswith("epaper: failed: ")]
    assert failed == [
        f"epaper: failed: 合成日报 2026-01-0{d}: {out}/合成日报/2026-01-0{d}.epub: cannot write: No space left on device"
        for d in (2, 3)
    ]
    assert "books: 3 (1 written, 0 unchanged, 2 failed)" in result.stderr


class FullDisk(io.FileIO):
    """A file on a disk that fills up after `room` bytes."""

    room = 0

    def write(self, data: bytes) -> int:  # type: ignore[override]
        left = self.room - self.tell()
        if len(data) > left:
            super().write(bytes(data)[: max(left, 0)])
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return super().write(data)


@pytest.fixture
def disk_fills_after(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Make the disk full after the given number of whole files (output files and manifest saves)."""
    whole: list[int] = [0]
    opened = [0]
    fake_os = types.ModuleType("os")
    fake_os.__dict__.update(os.__dict__)

    def fdopen(fd: int, mode: str = "r", *args: object, **kwargs: object) -> io.IOBase:
        opened[0] += 1
        handle = FullDisk(fd, "wb")
        handle.room = 1 << 40 if opened[0] <= whole[0] else 0
        return handle

    fake_os.fdopen = fdopen  # type: ignore[attr-defined]
    monkeypatch.setattr(atomic, "os", fake_os)  # Only the atomic writer sees the full disk.
    yield whole


def run_main(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str]:
    """Run the CLI in this process (so monkeypatches apply); return (exit code, stderr)."""
    monkeypatch.setattr(sys, "argv", ["epaper", *map(str, args)])
    with pytest.raises(SystemExit) as exit_info:
        main()
    return int(exit_info.value.code or 0), capsys.readouterr().err


def test_disk_full_midway_keeps_finished_books_and_resumes(
    tmp_path: Path, disk_fills_after: list[int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = make_archive(tmp_path / "src", D(2026, 1, 1), 3, pages=1, articles=2)
    out = tmp_path / "out"
    disk_fills_after[0] = 2  # The first book and the manifest recording it.
    code, stderr = run_main(monkeypatch, capsys, "export", src, "-o", out, "-j", "1")
    assert code == 1
    assert_no_traceback(stderr)
    failed = [line for line in stderr.splitlines() if line.startswith("epaper: failed: ")]
    assert failed == [
        f"epaper: failed: 合成日报 2026-01-0{d}: {out}/合成日报/2026-01-0{d}.epub: cannot write: No space left on device"
        for d in (2, 3)
    ]
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == [".epaper-manifest.json", "2026-01-01.epub"]
    assert zipfile.ZipFile(out / "合成日报" / "2026-01-01.epub").testzip() is None

    disk_fills_after[0] = 1 << 30  # Space again: the run resumes where it stopped.
    code, stderr = run_main(monkeypatch, capsys, "export", src, "-o", out, "-j", "1")
    assert code == 0, stderr
    assert "books: 3 (2 written, 1 unchanged, 0 failed)" in stderr


def test_disk_full_when_recording_stops_the_run_with_one_error(
    tmp_path: Path, disk_fills_after: list[int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = make_archive(tmp_path / "src", D(2026, 1, 1), 2, pages=1, articles=1)
    out = tmp_path / "out"
    disk_fills_after[0] = 1  # The first book fits; the manifest recording it does not.
    code, stderr = run_main(monkeypatch, capsys, "export", src, "-o", out, "-j", "1")
    assert code == 2, stderr
    assert stderr.strip().splitlines()[-1] == (
        f"epaper: error: {out}/.epaper-manifest.json: cannot write: No space left on device"
    )
    assert sorted(p.name for p in out.rglob("*") if p.is_file()) == ["2026-01-01.epub"]  # Whole, not recorded.
    assert zipfile.ZipFile(out / "合成日报" / "2026-01-01.epub").testzip() is None


def test_disk_full_on_rebuild_leaves_the_previous_books_untouched(
    tmp_path: Path, disk_fills_after: list[int], monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    src = make_archive(tmp_path / "src", D(2026, 1, 1), 2, pages=1, articles=1)
    out = tmp_path / "out"
    disk_fills_after[0] = 1 << 30
    assert run_main(monkeypatch, capsys, "export", src, "-o", out, "-f", "epub,pdf", "-j", "1")[0] == 0
    before = snapshot(out)
    disk_fills_after[0] = 0  # Now nothing fits.
    code, stderr = run_main(monkeypatch, capsys, "export", src, "-o", out, "-f", "epub,pdf", "-j", "1", "--force")
    assert code == 1
    assert_no_traceback(stderr)
    failed = [line for line in stderr.splitlines() if line.startswith("epaper: failed: ")]
    assert len(failed) == 2 and all(line.endswith("cannot write: No space left on device") for line in failed)
    assert snapshot(out) == before, "no partial file, nothing replaced"


# --- file names that are not UTF-8 ------------------------------------------------------------------------


@pytest.mark.skipif(sys.platform != "linux", reason="Linux file names are bytes; others are Unicode")
def test_source_named_in_undecodable_bytes(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    name = os.fsdecode(b"\xff\xfe-bad.md")  # '\udcff\udcfe-bad.md'
    (src / name).write_text(markdown_source("正文。\n"), encoding="utf-8")
    strict = {"PYTHONIOENCODING": "utf-8"}  # stdout as in a desktop UTF-8 locale: strict, no surrogates.
    for args in (["inspect", src], ["inspect", src, "--json"]):
        result = run_cli(*args, env=strict)
        assert result.returncode == 0, result.stderr
        assert "\\udcff\\udcfe-bad.md" in result.stdout
    out = tmp_path / "out"
    result = run_cli(
        "export",
        src,
        "-o",
        out,
        "-f",
        "epub,pdf",
        "--pdf-profile",
        "archive",
        "--report",
        tmp_path / "r.json",
        env=strict,
    )
    assert result.returncode == 0, result.stderr
    assert_no_traceback(result.stderr)
    import json

    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [i["status"] for i in report["issues"]] == ["written"]


def test_a_pdf_too_large_to_render_is_refused_in_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from exporter.archive import open_archive
    from exporter.book import lay_out
    from exporter.errors import OutputError
    from exporter.writers import pdf

    monkeypatch.setattr(pdf, "MAX_PDF_CHARACTERS", 1000)
    issue = open_archive([EXAMPLES]).issues[0]
    target = tmp_path / "big.pdf"
    with pytest.raises(OutputError, match=r"too much for one PDF \(limit 1,000.*export EPUB"):
        pdf.write_pdf(lay_out([issue]), target)
    assert not target.exists() and not list(tmp_path.iterdir())


def test_an_unexpected_error_fails_one_book_not_the_batch(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from exporter.archive import open_archive
    from exporter.pipeline import batch
    from exporter.writers import WriteOptions

    real = batch.write_book

    def flaky(book, fmt, target, options, helper=None):  # type: ignore[no-untyped-def]
        if book.date_from.day == 2:
            raise RuntimeError("boom")
        return real(book, fmt, target, options, helper)

    monkeypatch.setattr(batch, "write_book", flaky)
    issues = open_archive([EXAMPLES]).issues
    prepared = batch.prepare(batch.plan(issues, "issue"), ["epub"], tmp_path, WriteOptions())
    from exporter.pipeline.executors import LocalExecutor

    outcomes = batch.execute(prepared, LocalExecutor(1))
    assert [o.status for o in outcomes] == ["failed", "written"]
    assert outcomes[0].error == "internal error, please report it: RuntimeError: boom"
    assert (tmp_path / "青川晚报" / "2026-03-03.epub").exists()


def test_a_symlinked_sibling_page_outside_the_folder_never_joins_an_article(tmp_path: Path) -> None:
    """转版 halves are looked for beside the page: a symlink there leading outside is ignored."""
    from exporter.archive import open_archive

    fixtures = Path(__file__).parent / "fixtures" / "html" / "founder" / "pc" / "content" / "202401" / "05"
    src, outside = tmp_path / "src", tmp_path / "outside"
    src.mkdir()
    outside.mkdir()
    shutil.copy(fixtures / "content_102.html", src / "content_102.html")
    secret = (fixtures / "content_103.html").read_text(encoding="utf-8").replace("县图书馆", "SECRET图书馆")
    (outside / "content_103.html").write_text(secret, encoding="utf-8")
    (src / "content_103.html").symlink_to(outside / "content_103.html")
    archive = open_archive([src])
    texts = "".join(t for issue in archive.issues for a in issue.articles for t in a.texts())
    assert "SECRET" not in texts
    assert any("outside the folder" in n.message for n in archive.notices)


@pytest.mark.parametrize("shape", ["distinct", "jumps-to-one-page", "one-text-on-many-pages"])
def test_thousands_of_pages_saved_in_one_file_are_settled_in_linear_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    """Each article is compared with the few that could be its copy or other half, not with all others.

    Counted, not timed. With all blocks compared pairwise, 3,000 blocks took 41 s and 16 million
    texts(); with the file's paper looked up once per block, 2,000 blocks took 271 s.
    """
    from exporter.sources.web import founder, html, jumps
    from exporter.sources.web.story import Story

    day = ROOT / "tests/fixtures/html/founder/pc/content/202401/05"
    blocks = 1000
    if shape == "distinct":  # The page does not name its paper: --paper does.
        page = (day / "content_101.html").read_text(encoding="utf-8").replace("青山日报", "本")
        pages = [page.replace("小小育秧棚", f"第{n}号育秧棚") for n in range(blocks)]
    elif shape == "jumps-to-one-page":  # Every article on page 01 starts 上接 and ends 下转 page 1, titled apart.
        page = (day / "content_102.html").read_text(encoding="utf-8").replace("（下转第2版）", "（下转第1版）")
        page = page.replace("<!--enpcontent-->", "<!--enpcontent--><p>（上接第1版）</p>")
        pages = [page.replace("青山县新建十座乡村图书馆", f"第{n}座图书馆") for n in range(blocks)]
    else:  # The same full text on 999 pages.
        page = (day / "content_101.html").read_text(encoding="utf-8")
        pages = [page.replace(">01</p>", f">{n % 999 + 1:03d}</p>") for n in range(blocks)]
    (tmp_path / "content_1.htm").write_text("\n".join(pages), encoding="utf-8")
    calls = {"texts": 0, "whole file searched for its paper": 0, "_same_title": 0}

    def counted(name: str, function: Any, when: Any = lambda *args: True) -> Any:
        def call(*args: Any) -> Any:
            calls[name] += when(*args)
            return function(*args)

        return call

    monkeypatch.setattr(Story, "texts", counted("texts", Story.texts))
    whole = "whole file searched for its paper"
    for module in (founder, html):
        on_page = counted(whole, module.paper_on_page, lambda doc: doc.getparent() is None)
        monkeypatch.setattr(module, "paper_on_page", on_page)
    monkeypatch.setattr(jumps, "_same_title", counted("_same_title", jumps._same_title))
    result = read_one(tmp_path / "content_1.htm", ReadOptions(paper="青山日报"))
    assert len(result.articles) == blocks
    assert calls["texts"] <= 4 * blocks and calls[whole] <= 4, calls
    assert calls["_same_title"] <= 100 * blocks, calls  # Pairwise: blocks².
