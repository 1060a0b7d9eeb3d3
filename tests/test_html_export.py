"""湖北日报 2023-02-11, saved as Founder pages, exported as a user would: EPUB (EPUBCheck 0/0) and PDF."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from exporter.checks import check_epub
from tests.conftest import run_cli
from tests.pdftools import PdfDoc
from tests.test_html_readers import HUBEI, make_image, needs_corpus, save_hubei_blocks

NS = {"x": "http://www.w3.org/1999/xhtml", "epub": "http://www.idpf.org/2007/ops"}


def squeeze(text: str) -> str:
    """Compare without white space and the parentheses a credit or source line loses."""
    return re.sub(r"[\s（）()]", "", text)


@pytest.fixture(scope="module")
def hubei_books(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("hubei-export")
    save_hubei_blocks(root / "src")
    make_image(root / "src/pc/pic/202302/11/2f4cb708-c413-4be0-b01f-fb5709b9ee70.tif.1", "TIFF")
    result = run_cli("export", root / "src", "-f", "epub,pdf", "-o", root / "out", "-j", "2")
    assert result.returncode == 0, result.stderr
    folder = root / "out" / "湖北日报"
    return folder / "2023-02-11.epub", folder / "2023-02-11.pdf"


@pytest.fixture(scope="module")
def derived() -> list[dict]:  # type: ignore[type-arg]
    data = json.loads((HUBEI / "derived" / "2023-02-11.index.json").read_text(encoding="utf-8"))
    return list(data["articles"])


@needs_corpus
def test_hubei_epub_passes_epubcheck(hubei_books: tuple[Path, Path]) -> None:
    report = check_epub(hubei_books[0])
    assert report.ok, report.problems


@needs_corpus
def test_hubei_epub_has_pages_01_to_04_titles_bodies_and_captions(
    hubei_books: tuple[Path, Path],
    derived: list[dict],  # type: ignore[type-arg]
) -> None:
    with zipfile.ZipFile(hubei_books[0]) as book:
        nav = etree.fromstring(book.read("EPUB/nav.xhtml"))
        chapters = [n for n in sorted(book.namelist()) if re.fullmatch(r"EPUB/page\d+\.xhtml", n)]
        docs = [etree.fromstring(book.read(n)) for n in chapters]
    pages = nav.xpath("//x:nav[@epub:type='toc']/x:ol/x:li/x:a/text()", namespaces=NS)
    assert [p.split(" ")[0] for p in pages] == ["第01版", "第02版", "第03版", "第04版"]
    text = squeeze("".join("".join(doc.itertext()) for doc in docs))
    captions = squeeze("".join("".join(doc.xpath("//x:figcaption//text()", namespaces=NS)) for doc in docs))
    assert_every_title_body_and_caption(derived, text, captions)


@needs_corpus
def test_hubei_pdf_has_every_title_body_and_caption(
    hubei_books: tuple[Path, Path],
    derived: list[dict],  # type: ignore[type-arg]
) -> None:
    text = squeeze(PdfDoc(hubei_books[1]).flat)  # Page bodies only: running heads and folios left out.
    assert_every_title_body_and_caption(derived, text, text)


def assert_every_title_body_and_caption(derived: list[dict], text: str, captions: str) -> None:
    """Every block's title and paragraphs are in `text`, its photo captions in `captions`."""
    for entry in derived:
        assert squeeze(entry["main_title"]) in text, entry["main_title"]
        for paragraph in entry["paragraphs_non_empty"]:
            assert squeeze(paragraph) in text, paragraph
        for caption in entry["photo_captions"]:
            if caption.strip():
                assert squeeze(caption) in captions, caption
