"""`epaper library OUT`: the page and the OPDS catalog describe exactly the books under OUT."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import etree

from tests.conftest import EXAMPLES, run_cli
from tests.librarysample import PAPER, QINGCHUAN, article_titles, copy_of, issue_dates, month_library, opds2_validator

FIXTURES = Path(__file__).parent / "fixtures" / "opds"
ATOM = "{http://www.w3.org/2005/Atom}"
DC = "{http://purl.org/dc/terms/}"
ACQUIRE = "http://opds-spec.org/acquisition"


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return month_library(tmp_path_factory)


@pytest.fixture(scope="module")
def schema() -> etree.RelaxNG:
    return etree.RelaxNG(etree.parse(str(FIXTURES / "opds.rng")))


def feed_files(out: Path) -> list[Path]:
    return sorted(p for p in (out / "opds").rglob("*.xml") if p.name != "opensearch.xml")


def resolve(feed: Path, href: str) -> Path:
    return (feed.parent / unquote(href.split("?")[0])).resolve()


def test_every_atom_feed_is_valid_opds_and_every_link_resolves(sample, schema):
    _, out = sample
    feeds = feed_files(out)
    assert len(feeds) >= 8  # root, recent, 2 papers × (index, year, month(s)), volumes.
    for feed in feeds:
        doc = etree.parse(str(feed))
        assert schema.validate(doc), f"{feed}: {schema.error_log.last_error}"
        for link in doc.iter(f"{ATOM}link"):
            href = link.get("href")
            if link.get("rel") == "search":
                assert resolve(feed, href) == (out / "opds" / "opensearch.xml").resolve()
                continue
            assert resolve(feed, href).is_file(), f"{feed}: {href} does not resolve"


def test_the_schema_refuses_a_broken_feed(schema):
    # A "buy" acquisition link without its opds:price is invalid OPDS 1.2: the schema must say so.
    broken = etree.fromstring(
        b'<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>t</title>'
        b"<updated>2026-01-01T00:00:00Z</updated><author><name>a</name></author>"
        b"<entry><id>urn:y</id><title>b</title><updated>2026-01-01T00:00:00Z</updated>"
        b'<link rel="http://opds-spec.org/acquisition/buy" href="b.epub" type="application/epub+zip"/></entry></feed>'
    )
    assert not schema.validate(broken)


def test_navigation_leads_paper_year_month_issue(sample):
    """root → 合成日报 → 2026 → 2026年2月 lists the 26 issues in date order, each with its files."""
    _, out = sample
    root = etree.parse(str(out / "opds" / "root.xml"))
    titles = [e.findtext(f"{ATOM}title") for e in root.iter(f"{ATOM}entry")]
    assert PAPER in titles and "青川晚报" in titles

    def follow(feed: Path, title: str) -> Path:
        doc = etree.parse(str(feed))
        for entry in doc.iter(f"{ATOM}entry"):
            if entry.findtext(f"{ATOM}title") == title:
                return resolve(feed, entry.find(f"{ATOM}link").get("href"))
        raise AssertionError(f"{feed}: no entry {title}")

    month = follow(follow(follow(out / "opds" / "root.xml", PAPER), "2026年"), "2026年2月")
    doc = etree.parse(str(month))
    entries = list(doc.iter(f"{ATOM}entry"))
    assert [e.findtext(f"{DC}issued") for e in entries] == issue_dates()
    for entry in entries:
        issued = entry.findtext(f"{DC}issued")
        assert entry.findtext(f"{DC}language") == "zh-CN"
        links = {link.get("type"): link for link in entry.iter(f"{ATOM}link") if link.get("rel") == ACQUIRE}
        epub = resolve(month, links["application/epub+zip"].get("href"))
        assert epub == (out / PAPER / f"{issued}.epub").resolve()
        assert int(links["application/epub+zip"].get("length")) == epub.stat().st_size
        assert "application/pdf" not in links  # Only EPUBs of 合成日报 were exported.
        rels = {link.get("rel") for link in entry.iter(f"{ATOM}link")}
        assert {"http://opds-spec.org/image", "http://opds-spec.org/image/thumbnail"} <= rels
    volumes = follow(follow(out / "opds" / "root.xml", PAPER), "合订本 · Volumes")
    assert [e.findtext(f"{DC}issued") for e in etree.parse(str(volumes)).iter(f"{ATOM}entry")] == ["2026-02-01"]


def test_thumbnails_are_small_jpegs_of_the_cover(sample):
    from PIL import Image

    _, out = sample
    with Image.open(out / "library" / "thumbs" / PAPER / "2026-02-02.jpg") as thumb:
        assert thumb.format == "JPEG" and thumb.width == 240
        assert 1.55 < thumb.height / thumb.width < 1.65  # The cover's 1:1.6.


def test_opds2_json_mirrors_the_atom_feeds(sample):
    _, out = sample
    root = json.loads((out / "opds" / "root.json").read_text(encoding="utf-8"))
    assert root["metadata"]["title"]
    assert {"rel": "self", "href": "root.json", "type": "application/opds+json"} in root["links"]
    for nav in root["navigation"]:
        assert (out / "opds" / unquote(nav["href"])).is_file()
    month = json.loads((out / "opds" / PAPER / "2026-02.json").read_text(encoding="utf-8"))
    assert [p["metadata"]["published"] for p in month["publications"]] == issue_dates()
    first = month["publications"][0]
    assert first["links"][0]["type"] == "application/epub+zip"
    assert (out / "opds" / PAPER / unquote(first["links"][0]["href"])).resolve() == (
        out / PAPER / "2026-02-01.epub"
    ).resolve()


def test_long_feeds_are_paged(sample, schema, monkeypatch):
    from exporter.library import catalog, opds

    _, out = sample
    monkeypatch.setattr(opds, "PAGE_SIZE", 10)
    books = catalog.scan(out)
    pages = [f for f in opds.feeds(books, dt.datetime.now(dt.UTC), "t") if f.path.startswith("opds/recent")]
    assert len(pages) == -(-len(books) // 10)
    seen = []
    for feed in pages:
        doc = etree.fromstring(opds.atom(feed).encode())
        assert schema.validate(doc), schema.error_log.last_error
        rels = {link.get("rel"): link.get("href") for link in doc.iter(f"{ATOM}link")}
        assert ("next" in rels) == (feed is not pages[-1])
        assert ("previous" in rels) == (feed is not pages[0])
        seen += [e.findtext(f"{ATOM}id") for e in doc.iter(f"{ATOM}entry")]
    assert len(seen) == len(set(seen)) == len(books)


def test_search_index_holds_article_titles_from_the_sources(sample):
    source, out = sample
    script = (out / "library" / "search.js").read_text(encoding="utf-8")
    index = json.loads(re.sub(r"^window\.EPAPER_LIBRARY = |;\s*$", "", script))
    by_key = {(e["p"], e["d"]): e for e in index}
    assert by_key[(PAPER, "2026-02-05")]["a"] == article_titles(source, "2026-02-05")
    qingchuan = by_key[("青川晚报", QINGCHUAN)]
    assert article_titles(EXAMPLES, QINGCHUAN)[0] in qingchuan["a"]
    assert qingchuan["epub"].endswith(f"{QINGCHUAN}.epub") and qingchuan["pdf"].endswith(f"{QINGCHUAN}.pdf")


def test_page_has_a_calendar_cell_per_issue_without_javascript(sample):
    _, out = sample
    html = (out / "index.html").read_text(encoding="utf-8")
    cells = re.findall(r'<td class="issue"><a href="([^"]+)"', html)
    assert len(cells) == len(issue_dates()) + 1  # 合成日报's February and 青川晚报's one day.
    for link in cells:
        assert (out / unquote(link)).is_file()


def test_rebuild_is_incremental_and_follows_removals(sample, tmp_path):
    _, shared = sample
    out = copy_of(shared, tmp_path / "out")
    again = run_cli("library", out)
    assert again.returncode == 0 and " 0 files updated" in again.stdout
    (out / PAPER / "2026-02-10.epub").unlink()
    run_cli("library", out, "-q")
    month = (out / "opds" / PAPER / "2026-02.xml").read_text(encoding="utf-8")
    assert "2026-02-10" not in month and "2026-02-11" in month
    assert not (out / "library" / "thumbs" / PAPER / "2026-02-10.jpg").exists()


def test_export_refreshes_an_existing_library_and_today_picks_chinas_date(sample, tmp_path):
    from tests.synth import make_archive

    _, shared = sample
    out = copy_of(shared, tmp_path / "out")
    china = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    source = make_archive(tmp_path / "daily", china - dt.timedelta(days=2), 3, pages=1, articles=1, paragraphs=1)
    done = run_cli("export", source, "-o", out, "--yesterday", "-q")
    assert done.returncode == 0, done.stderr
    yesterday = (china - dt.timedelta(days=1)).isoformat()
    assert sorted(
        p.stem for p in (out / PAPER).glob(f"{china.year}-*.epub") if p.stem >= str(china - dt.timedelta(days=2))
    ) == [yesterday]
    assert f'"{yesterday}"' in (out / "library" / "search.js").read_text(encoding="utf-8")  # Library refreshed.
    fresh = tmp_path / "fresh"
    done = run_cli("export", source, "-o", fresh, "--today", "-q")
    assert done.returncode == 0, done.stderr
    assert [p.stem for p in (fresh / PAPER).glob("*.epub")] == [china.isoformat()]
    assert not (fresh / "index.html").exists()  # No library there before: none is made unasked.
    both = run_cli("export", source, "-o", fresh, "--today", "--from", "2026-01-01")
    assert both.returncode == 2 and both.stderr.count("\n") == 1


def test_library_of_a_missing_folder_is_one_line(tmp_path):
    done = run_cli("library", tmp_path / "nothing")
    assert done.returncode == 2
    assert done.stderr.strip().startswith(f"epaper: error: {tmp_path / 'nothing'}") and done.stderr.count("\n") == 1


def test_a_users_template_changes_one_block(sample, tmp_path):
    _, shared = sample
    out = copy_of(shared, tmp_path / "out")
    mine = tmp_path / "mine" / "library"
    mine.mkdir(parents=True)
    (mine / "index.html.j2").write_text(
        '{% extends "!base/library/index.html.j2" %}{% block footer %}<footer>家庭书架</footer>{% endblock %}',
        encoding="utf-8",
    )
    css = tmp_path / "mine.css"
    css.write_text("body { background: #fff; }\n", encoding="utf-8")
    done = run_cli("library", out, "--templates", tmp_path / "mine", "--css", css, "-q")
    assert done.returncode == 0, done.stderr
    html = (out / "index.html").read_text(encoding="utf-8")
    assert "<footer>家庭书架</footer>" in html and '<table class="calendar">' in html
    assert (out / "library" / "library.css").read_text(encoding="utf-8").endswith("body { background: #fff; }\n")


def test_every_opds2_feed_is_valid_json_schema(sample):
    _, out = sample
    validator = opds2_validator()
    feeds = sorted((out / "opds").rglob("*.json"))
    assert len(feeds) >= 8
    for feed in feeds:
        errors = [
            f"{'/'.join(map(str, e.absolute_path))}: {e.message}"
            for e in validator.iter_errors(json.loads(feed.read_text(encoding="utf-8")))
        ]
        assert errors == [], f"{feed}: {errors[:3]}"
    broken = json.loads((out / "opds" / "root.json").read_text(encoding="utf-8"))
    del broken["metadata"]["title"]
    assert not validator.is_valid(broken)  # The schema can fail.
