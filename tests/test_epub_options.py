"""EPUB layout options and hard inputs: --toc-depth 3, --lang, --css, --templates, photos, markup-like text."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from exporter.archive import open_archive
from exporter.model import Issue
from tests.conftest import EXAMPLES, SEED, run_cli
from tests.epubtools import (
    CONTROL_TEXT,
    EXIF_MAKE,
    HOSTILE,
    IMAGES,
    NS,
    USER_CSS,
    USER_FOOTER,
    EpubFile,
    Shelf,
    has_class,
    text_of,
)

XHTML_H = {f"{{{NS['x']}}}h{n}" for n in range(1, 7)}
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"


@pytest.fixture(scope="session")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Shelf:
    return Shelf.for_session(tmp_path_factory)


@pytest.fixture(scope="module")
def seed_issue() -> Issue:
    if not SEED.exists():
        pytest.skip(f"{SEED} is absent")
    (issue,) = open_archive([SEED]).issues
    return issue


# --- --toc-depth 3 and --lang ---------------------------------------------------------


def test_toc_depth_3_lists_section_headings_under_their_article(shelf: Shelf, seed_issue: Issue) -> None:
    epub = EpubFile(shelf.toc3().epub)
    (page_entry,) = epub.toc
    assert page_entry.title == seed_issue.pages[0].heading
    (article_entry,) = page_entry.children
    (article,) = seed_issue.articles
    assert article_entry.title == article.title
    assert len(article_entry.children) == len(article.headings) == 4
    for heading, entry in zip(article.headings, article_entry.children, strict=True):
        assert heading.text in entry.title
        if heading.kicker:
            assert heading.kicker in entry.title
        target = epub.target(entry.href)
        assert target.tag in XHTML_H, "a heading entry points at the heading itself"
        assert heading.text in text_of(target)
        assert not entry.children


def test_toc_depth_3_ncx_matches_the_nav(shelf: Shelf) -> None:
    epub = EpubFile(shelf.toc3().epub)
    assert epub.ncx_toc == epub.toc
    assert len(list(epub.ncx_toc[0].flat())) == 1 + 1 + 4


def test_toc_depth_changes_only_the_navigation(shelf: Shelf) -> None:
    deep, default = EpubFile(shelf.toc3().epub), EpubFile(shelf.seed().epub)
    for href in default.chapters:
        assert _without_lang(deep.entries[deep.name_of(href)]) == _without_lang(default.entries[default.name_of(href)])


def _without_lang(data: bytes) -> bytes:
    return data.replace(b'"zh-Hans"', b'"zh-CN"')


def test_lang_option_sets_the_package_language(shelf: Shelf) -> None:
    epub = EpubFile(shelf.toc3().epub)
    assert epub.dc("language") == ["zh-Hans"]


def test_lang_option_reaches_every_document(shelf: Shelf) -> None:
    epub = EpubFile(shelf.toc3().epub)
    for href in epub.spine:
        root = epub.doc(href)
        assert (root.get("lang"), root.get(XML_LANG)) == ("zh-Hans", "zh-Hans"), href


# --- --css and --templates ------------------------------------------------------------


def test_user_css_is_linked_after_the_builtin_css_everywhere(shelf: Shelf) -> None:
    epub = EpubFile(shelf.override().epub)
    css = {i.href: i for i in epub.manifest if i.media_type == "text/css"}
    assert len(css) == 2
    for href in epub.spine:
        links = epub.doc(href).xpath("/x:html/x:head/x:link[@rel='stylesheet']/@href", namespaces=NS)
        assert len(links) == 2, href
        assert set(links) == set(css)
        builtin, user = links
        assert epub.entries[epub.name_of(user)] == USER_CSS.encode("utf-8"), "the user's file, last"
        assert epub.entries[epub.name_of(builtin)] != USER_CSS.encode("utf-8")


def test_template_override_changes_only_its_block(shelf: Shelf, seed_issue: Issue) -> None:
    custom, default = EpubFile(shelf.override().epub), EpubFile(shelf.seed().epub)
    assert custom.chapters == default.chapters
    for href in default.chapters:
        page = custom.doc(href)
        footers = page.xpath(f"//x:p[{has_class('user-footer')}]", namespaces=NS)
        assert [text_of(f) for f in footers] == [USER_FOOTER] * len(seed_issue.articles)
        for article in page.xpath(f"//x:article[{has_class('article')}]", namespaces=NS):
            last = article.xpath("x:*", namespaces=NS)[-2:]
            assert [e.get("class") for e in last] == ["source", "user-footer"], "super() keeps the source line"
        # Take the user's additions away: what is left is the built-in chapter, unchanged.
        for extra in [*footers, *page.xpath("//x:link[contains(@href, 'user')]", namespaces=NS)]:
            extra.getparent().remove(extra)
        assert _canonical(page) == _canonical(default.doc(href))


def _canonical(root: etree._Element) -> bytes:
    """Serialize with whitespace between elements ignored."""
    for element in root.iter():
        element.text = (element.text or "").strip() or None
        element.tail = (element.tail or "").strip() or None
    return etree.tostring(root, method="c14n")


def test_a_template_that_writes_bad_xhtml_fails_clearly(shelf: Shelf, tmp_path: Path) -> None:
    templates = tmp_path / "templates" / "epub"
    templates.mkdir(parents=True)
    (templates / "article.xhtml.j2").write_text(
        '{% extends "!base/epub/article.xhtml.j2" %}{% block footer %}<p>unclosed{% endblock %}', encoding="utf-8"
    )
    proc = run_cli("export", EXAMPLES, "-f", "epub", "-o", tmp_path / "out", "--templates", tmp_path / "templates")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr
    assert "does not parse" in proc.stderr and "--templates" in proc.stderr
    assert not list((tmp_path / "out").rglob("*.epub"))


# --- photos ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def photos(shelf: Shelf) -> tuple[EpubFile, dict[str, etree._Element], str]:
    """The synthetic book's figures by caption, and the export's warnings."""
    export = shelf.synthetic()
    epub = EpubFile(export.epub)
    page = epub.doc(epub.chapters[0])
    figures = {text_of(f.xpath("x:figcaption", namespaces=NS)[0]): f for f in page.xpath("//x:figure", namespaces=NS)}
    return epub, figures, export.proc.stderr


def embedded(epub: EpubFile, figure: etree._Element) -> tuple[bytes, Image.Image]:
    (src,) = figure.xpath("x:img/@src", namespaces=NS)
    data = epub.entries[epub.name_of(src)]
    media_type = next(i.media_type for i in epub.manifest if i.href == src)
    image = Image.open(io.BytesIO(data))
    assert media_type == {"JPEG": "image/jpeg", "PNG": "image/png"}[image.format]
    width, height = figure.xpath("x:img/@width", namespaces=NS), figure.xpath("x:img/@height", namespaces=NS)
    assert (width, height) == ([str(image.width)], [str(image.height)])
    return data, image


@pytest.mark.parametrize("name", ["photo.webp", "scan.tiff", "old.bmp"])
def test_formats_readers_reject_become_jpeg_or_png(photos: tuple, name: str) -> None:
    epub, figures, _ = photos
    _, image = embedded(epub, figures[IMAGES[name]])
    assert image.format in ("JPEG", "PNG")
    assert not [i for i in epub.manifest if i.media_type in ("image/webp", "image/tiff", "image/bmp")]


def test_big_photo_is_downscaled_to_2_megapixels(photos: tuple) -> None:
    epub, figures, _ = photos
    _, image = embedded(epub, figures[IMAGES["huge.jpg"]])
    assert image.width * image.height <= 2_000_000
    assert image.width * image.height > 1_800_000, "downscaled, not shrunk to a thumbnail"
    assert abs(image.width / image.height - 1.5) < 0.01


def test_exif_is_stripped(photos: tuple, shelf: Shelf) -> None:
    source = shelf.root / "synthetic-src" / "2026-05-04" / "images" / "camera.jpg"
    assert Image.open(source).getexif().get(0x010F) == EXIF_MAKE  # The source really has EXIF.
    epub, figures, _ = photos
    data, image = embedded(epub, figures[IMAGES["camera.jpg"]])
    assert not image.getexif()
    assert "exif" not in image.info and "icc_profile" not in image.info
    assert EXIF_MAKE.encode() not in data and b"Exif\x00\x00" not in data


@pytest.mark.parametrize("name", ["missing.jpg", "broken.jpg"])
def test_unusable_photo_keeps_its_caption_and_is_named_in_a_warning(photos: tuple, name: str) -> None:
    _, figures, stderr = photos
    figure = figures[IMAGES[name]]
    assert not figure.xpath("x:img", namespaces=NS)
    assert "no-image" in figure.get("class").split()
    warnings = [line for line in stderr.splitlines() if "warning" in line and name in line]
    assert len(warnings) == 1, stderr


def test_every_photo_that_could_be_read_is_embedded(photos: tuple) -> None:
    _, figures, _ = photos
    shown = {caption for caption, figure in figures.items() if figure.xpath("x:img", namespaces=NS)}
    assert shown == {caption for name, caption in IMAGES.items() if name not in ("missing.jpg", "broken.jpg")}
    for caption in shown:
        assert figures[caption].xpath("string(x:img/@alt)", namespaces=NS) == caption


# --- text that looks like markup ------------------------------------------------------


def test_markup_and_template_syntax_stay_literal_text(shelf: Shelf) -> None:
    epub = EpubFile(shelf.synthetic().epub)
    href = epub.chapters[1]
    text = epub.text(href)
    for literal in HOSTILE:
        assert literal in text, literal
    assert "<b>不是粗体</b>" in text
    assert "49" not in text, "{{ 7*7 }} must not be evaluated"
    for doc in epub.spine:
        root = epub.doc(doc)
        assert not root.xpath("//x:script | //x:body//x:b", namespaces=NS), doc
    nav_titles = [e.title for e in epub.toc[1].children]
    assert nav_titles == ["标题里的 <script>alert(1)</script> 与 &amp;"]
    assert "&amp;" in EpubFile(shelf.synthetic().epub).dc("description")[0]


def test_characters_xml_forbids_are_removed_with_a_warning(shelf: Shelf) -> None:
    export = shelf.synthetic()
    epub = EpubFile(export.epub)
    assert CONTROL_TEXT.replace("\x0b", "").replace("\x01", "") in epub.text(epub.chapters[2])
    warnings = [line for line in export.proc.stderr.splitlines() if "warning" in line and "p03-control.md" in line]
    assert len(warnings) == 1, export.proc.stderr
