"""What is inside the EPUBs: every line of text, marked elements, navigation, cover, metadata.

Structure is asserted with XPath on the parsed package (like Sphinx's EPUB tests) and compared
with the model the readers build from the same sources.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from lxml import etree

from exporter.archive import open_archive
from exporter.model import Issue, Page
from exporter.text import clean_line, restore_punctuation, safe_filename
from tests.conftest import EXAMPLES, SEED
from tests.epubtools import EPUB_TYPE, NS, EpubFile, NavEntry, Shelf, has_class, text_of

Edition = list[tuple[Issue, EpubFile]]  # Each issue of some sources with the EPUB written for it.


@pytest.fixture(scope="session")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Shelf:
    return Shelf.for_session(tmp_path_factory)


def edition(shelf: Shelf, name: str, request: pytest.FixtureRequest) -> Edition:
    """Pair every issue of a shelf book's sources (read again here) with its EPUB."""
    if name == "rmrb":
        sources = request.getfixturevalue("rmrb_dir")
        export = shelf.rmrb(sources)
    else:
        export = getattr(shelf, name)()
        sources = {"seed": SEED, "archive": EXAMPLES}[name]
    issues = open_archive([sources]).issues
    assert len(issues) == len(export.epubs)
    return [
        (issue, EpubFile(export.out / safe_filename(issue.paper.name) / f"{issue.date.isoformat()}.epub"))
        for issue in issues
    ]


@pytest.fixture(scope="module", params=["seed", "archive", "rmrb"])
def books(shelf: Shelf, request: pytest.FixtureRequest) -> Edition:
    return edition(shelf, request.param, request)


@pytest.fixture(scope="module")
def archive(shelf: Shelf, request: pytest.FixtureRequest) -> Edition:
    return edition(shelf, "archive", request)


def article_elements(epub: EpubFile, href: str) -> list[etree._Element]:
    return epub.doc(href).xpath(f"//x:article[{has_class('article')}]", namespaces=NS)


def chapters_of(issue: Issue, epub: EpubFile) -> list[tuple[Page, str]]:
    """Pair each 版面 with its chapter document, in reading order."""
    assert len(epub.chapters) == len(issue.pages), epub.chapters
    return list(zip(issue.pages, epub.chapters, strict=True))


def one(element: etree._Element, xpath: str) -> str:
    """Return the text of the single element an XPath finds."""
    found = element.xpath(xpath, namespaces=NS)
    assert len(found) == 1, f"{xpath}: {len(found)} elements"
    return text_of(found[0])


# --- text ----------------------------------------------------------------------------


def test_every_text_of_every_article_is_in_its_chapter(books: Edition) -> None:
    for issue, epub in books:
        for page, href in chapters_of(issue, epub):
            elements = article_elements(epub, href)
            assert len(elements) == len(page.articles), f"{href}: articles"
            for article, element in zip(page.articles, elements, strict=True):
                text = text_of(element)
                missing = [t for t in article.texts() if t not in text]
                assert not missing, f"{href} {article.title}: missing {missing}"


def test_every_content_line_of_the_seed_is_in_the_book(shelf: Shelf, seed: Path) -> None:
    """Read the seed's own lines (not the model): after the reader app's header, every line is in the text."""
    lines = seed.read_text(encoding="utf-8").splitlines()
    body_start = next(n for n, line in enumerate(lines) if line.startswith("版面")) + 1
    title = lines[next(n for n, line in enumerate(lines) if line.startswith("当前报纸名称")) + 2]
    content = [restore_punctuation(clean_line(line)) for line in [title, *lines[body_start:]] if clean_line(line)]
    epub = EpubFile(shelf.seed().epub)
    text = "".join(epub.text(href) for href in epub.chapters)
    missing = [line for line in content if line not in text]
    assert not missing, missing
    assert len(content) > 20


def test_article_header_fields_are_in_their_own_marked_elements(books: Edition) -> None:
    for issue, epub in books:
        for page, href in chapters_of(issue, epub):
            for article, element in zip(page.articles, article_elements(epub, href), strict=True):
                assert one(element, f".//x:h2[{has_class('title')}]") == article.title
                for field in ("kicker", "subtitle", "byline"):
                    found = [text_of(e) for e in element.xpath(f".//*[{has_class(field)}]", namespaces=NS)]
                    expected = getattr(article, field)
                    assert found == ([expected] if expected else []), f"{href} {article.title}: {field}"
                sources = [text_of(e) for e in element.xpath(f".//*[{has_class('source')}]", namespaces=NS)]
                if article.source:
                    assert len(sources) == 1 and article.source in sources[0], (article.title, sources)
                else:
                    assert sources == []


def test_each_caption_is_in_a_figcaption(books: Edition) -> None:
    for issue, epub in books:
        for page, href in chapters_of(issue, epub):
            for article, element in zip(page.articles, article_elements(epub, href), strict=True):
                captions = element.xpath(".//x:figure/x:figcaption", namespaces=NS)
                assert len(captions) == len(article.figures), f"{href} {article.title}"
                for figure, caption in zip(article.figures, captions, strict=True):
                    if figure.caption:
                        assert one(caption, f"x:span[{has_class('caption')}]") == figure.caption
                    if figure.credit:
                        assert one(caption, f"x:span[{has_class('credit')}]") == figure.credit


def test_each_section_heading_is_an_h_element(books: Edition) -> None:
    for issue, epub in books:
        for page, href in chapters_of(issue, epub):
            for article, element in zip(page.articles, article_elements(epub, href), strict=True):
                body_headings = element.xpath(
                    f".//*[{has_class('article-body')}]//*[{has_class('heading')}]", namespaces=NS
                )
                assert [e.tag for e in body_headings] == [f"{{{NS['x']}}}h3"] * len(article.headings), article.title
                for heading, found in zip(article.headings, body_headings, strict=True):
                    assert one(found, f".//*[{has_class('heading-text')}]") == heading.text
                    kickers = [text_of(e) for e in found.xpath(f".//*[{has_class('heading-kicker')}]", namespaces=NS)]
                    assert kickers == ([heading.kicker] if heading.kicker else [])
                    assert found.get("id"), "a heading is a link target"


def test_seed_keeps_its_captions_headings_and_source(shelf: Shelf) -> None:
    """The seed's known content, checked by value (DESIGN.md lists it)."""
    epub = EpubFile(shelf.seed().epub)
    page = epub.doc(epub.chapters[0])
    captions = [text_of(e) for e in page.xpath("//x:figcaption", namespaces=NS)]
    assert len(captions) == 4
    assert captions[0].startswith("宜春市科陆储能技术有限公司锂电储能5G数字化工厂")
    assert captions[-1] == "开设重大项目“全链协同审批”窗口"
    headings = [text_of(e) for e in page.xpath("//x:h3", namespaces=NS)]
    assert len(headings) == 4
    assert "聚链强群" in headings[0] and "集群发展锻造产业竞争新优势" in headings[0]
    assert page.xpath(f"count(//x:ul[{has_class('highlights')}]/x:li)", namespaces=NS) == 3
    assert one(page, f"//*[{has_class('source')}]") == "（宜春经开区）"
    assert one(page, "//x:h1") == "第14版"


def test_every_document_declares_its_language(books: Edition) -> None:
    for _, epub in books:
        for href in epub.spine:
            root = epub.doc(href)
            assert root.get("lang") == "zh-CN", href
            assert root.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN", href


# --- navigation -----------------------------------------------------------------------


def titles(entries: list[NavEntry] | tuple[NavEntry, ...]) -> list:
    return [(e.title, titles(e.children)) if e.children else e.title for e in entries]


def expected_toc(issue: Issue) -> list:
    """The navigation the model asks for: 版面 → article, in reading order."""
    return [(page.heading, [article.title for article in page.articles]) for page in issue.pages]


def test_nav_lists_every_page_and_article_in_reading_order(books: Edition) -> None:
    for issue, epub in books:
        assert titles(epub.toc) == expected_toc(issue)


def test_nav_links_point_at_the_pages_and_articles(books: Edition) -> None:
    for issue, epub in books:
        chapters = epub.chapters
        for page, entry, href in zip(issue.pages, epub.toc, chapters, strict=True):
            assert entry.href.split("#")[0] == href, "a 版面 entry opens its own chapter"
            for article, child in zip(page.articles, entry.children, strict=True):
                target = epub.target(child.href)
                assert target.tag == f"{{{NS['x']}}}article"
                assert one(target, f".//x:h2[{has_class('title')}]") == article.title
                assert child.href.split("#")[0] == href
                assert not child.children, "default --toc-depth 2 stops at articles"


def test_ncx_has_the_same_entries_as_the_nav(books: Edition) -> None:
    for _, epub in books:
        assert epub.ncx_toc == epub.toc
        uid = epub.ncx.xpath("string(//ncx:meta[@name='dtb:uid']/@content)", namespaces=NS)
        assert uid == epub.dc("identifier")[0]


def test_spine_is_cover_contents_then_pages(books: Edition) -> None:
    for issue, epub in books:
        nav = epub.item_with("nav")
        assert epub.spine == [epub.cover_page, nav.href, *epub.chapters]
        assert len(epub.chapters) == len(issue.pages)
        items = {i.href: i for i in epub.manifest}
        assert all(items[href].media_type == "application/xhtml+xml" for href in epub.spine)
        assert epub.opf.xpath("string(/opf:package/opf:spine/@toc)", namespaces=NS) == "ncx"


def test_landmarks_cover_toc_bodymatter(books: Edition) -> None:
    for _, epub in books:
        marks = {e.get(EPUB_TYPE): e.get("href") for e in epub.landmarks}
        assert set(marks) == {"cover", "toc", "bodymatter"}
        assert marks["cover"] == epub.spine[0]
        assert marks["toc"].split("#")[0] == epub.item_with("nav").href
        assert marks["bodymatter"].split("#")[0] == epub.chapters[0]


def test_cover_page_shows_the_cover_image(books: Edition) -> None:
    for _, epub in books:
        cover = epub.item_with("cover-image")
        assert cover.media_type == "image/jpeg"
        data = epub.entries[epub.name_of(cover.href)]
        assert data[:3] == b"\xff\xd8\xff"
        image = epub.image(cover.href)
        assert image.format == "JPEG"
        assert image.size == (1000, 1600)
        page = epub.doc(epub.cover_page)
        assert page.xpath("//x:img/@src", namespaces=NS) == [cover.href]
        assert page.xpath("//x:img/@alt", namespaces=NS)[0].strip()


# --- metadata -------------------------------------------------------------------------


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def test_title_language_date_and_description(books: Edition) -> None:
    for issue, epub in books:
        assert epub.dc("title") == [f"{issue.paper.name} {cn_date(issue.date)}"]
        assert epub.dc("language") == ["zh-CN"]
        assert epub.dc("date") == [issue.date.isoformat()]
        (description,) = epub.dc("description")
        for page in issue.pages:
            assert page.heading in description
            for article in page.articles:
                assert article.title in description, article.title
        (modified,) = epub.meta("dcterms:modified")
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", modified)


def test_identifier_is_the_unique_identifier_and_stable(shelf: Shelf, archive: Edition) -> None:
    ids = []
    for _, epub in archive:
        unique = epub.opf.get("unique-identifier")
        found = epub.opf.xpath(f"//dc:identifier[@id='{unique}']/text()", namespaces=NS)
        assert len(found) == 1
        assert re.fullmatch(r"urn:uuid:[0-9a-f-]{36}", found[0])
        ids.append(found[0])
    assert len(set(ids)) == len(ids), "each date has its own identifier"
    first = EpubFile(shelf.seed().epub).dc("identifier")
    again = EpubFile(shelf.export("seed-again", SEED).epub).dc("identifier")
    assert first == again, "a re-export keeps the identifier: libraries update the book"


def test_publisher_comes_from_paper_toml(archive: Edition) -> None:
    for _, epub in archive:
        assert epub.dc("publisher") == ["青川晚报社"]


def test_series_metadata(books: Edition) -> None:
    for issue, epub in books:
        (series_id,) = epub.opf.xpath("//opf:meta[@property='belongs-to-collection']/@id", namespaces=NS)
        assert epub.meta("belongs-to-collection") == [issue.paper.name]
        assert epub.meta("collection-type", refines=series_id) == ["series"]
        (position,) = epub.meta("group-position", refines=series_id)
        assert position == issue.date.strftime("%Y%m%d")
        assert epub.meta_name("calibre:series") == [issue.paper.name]
        assert epub.meta_name("calibre:series_index") == [position]


def test_accessibility_metadata_is_true_for_the_book(books: Edition) -> None:
    for issue, epub in books:
        has_photos = bool(
            epub.opf.xpath("//opf:item[starts-with(@media-type, 'image/')][not(@properties)]", namespaces=NS)
        )
        modes = epub.meta("schema:accessMode")
        assert "textual" in modes
        assert ("visual" in modes) == has_photos, (issue.date, modes)
        assert epub.meta("schema:accessModeSufficient") == ["textual"]
        features = epub.meta("schema:accessibilityFeature")
        assert {"tableOfContents", "structuralNavigation", "readingOrder"} <= set(features)
        assert ("alternativeText" in features) == has_photos
        assert epub.meta("schema:accessibilityHazard") == ["none"]
        assert epub.meta("schema:accessibilitySummary")[0].strip()


def test_image_alt_is_the_caption(archive: Edition) -> None:
    images = 0
    for _, epub in archive:
        for href in epub.chapters:
            for figure in epub.doc(href).xpath("//x:figure[x:img]", namespaces=NS):
                alt = figure.xpath("string(x:img/@alt)", namespaces=NS)
                assert alt == one(figure, f"x:figcaption/x:span[{has_class('caption')}]")
                images += 1
    assert images >= 4, "the sample archive has photos"


def test_archive_photos_are_embedded_once_each(archive: Edition) -> None:
    for issue, epub in archive:
        photos = {f.image for a in issue.articles for f in a.figures if f.image}
        assert photos, issue.date
        srcs = [s for href in epub.chapters for s in epub.doc(href).xpath("//x:img/@src", namespaces=NS)]
        assert len(srcs) == len(photos)
        manifest = {i.href for i in epub.manifest}
        for src in srcs:
            assert src in manifest
            assert epub.image(src).format in ("JPEG", "PNG")
