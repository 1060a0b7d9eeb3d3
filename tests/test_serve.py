"""`epaper serve OUT`: a real server process, fetched with httpx and raw sockets."""

from __future__ import annotations

import base64
import http.client
import os
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote, urljoin

import httpx
import pytest
from lxml import etree

from tests.librarysample import (
    PAPER,
    QINGCHUAN,
    article_titles,
    copy_of,
    month_library,
    opds2_validator,
    running_server,
)

FIXTURES = Path(__file__).parent / "fixtures" / "opds"
ATOM = "{http://www.w3.org/2005/Atom}"
FEED_TYPE = "application/atom+xml;profile=opds-catalog"


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, str, Path]]:
    """A copy of the sample OUT with links leading out of it, served; yields (OUT, URL, a secret outside)."""
    _, shared = month_library(tmp_path_factory)
    root = tmp_path_factory.mktemp("served")
    out = copy_of(shared, root / "out")
    secret = root / "secret.txt"
    secret.write_text("outside OUT\n", encoding="utf-8")
    (out / "leak").symlink_to(root, target_is_directory=True)
    (out / PAPER / "leak.txt").symlink_to(secret)
    with running_server(out) as url:
        yield out, url, secret


@pytest.fixture(scope="module")
def client(served) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served[1], timeout=20) as session:
        yield session


def test_catalog_crawl_valid_feeds_and_every_link_resolves(served, client):
    """From /opds/root.xml, follow every link: feeds are valid OPDS 1.2, books and covers download."""
    schema = etree.RelaxNG(etree.parse(str(FIXTURES / "opds.rng")))
    out, base, _ = served
    todo, seen, books = [urljoin(base, "opds/root.xml")], set(), 0
    while todo:
        url = todo.pop()
        if url in seen:
            continue
        seen.add(url)
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["content-type"].startswith(FEED_TYPE), url
        doc = etree.fromstring(response.content)
        assert schema.validate(doc), f"{url}: {schema.error_log.last_error}"
        for link in doc.iter(f"{ATOM}link"):
            target = urljoin(url, link.get("href"))
            kind = link.get("type")
            if kind.startswith(FEED_TYPE):
                todo.append(target)
            elif link.get("rel") != "search":
                head = client.head(target)
                assert head.status_code == 200, target
                assert head.headers["content-type"].split(";")[0] == kind, target
                if kind == "application/epub+zip":
                    books += 1
                    assert int(head.headers["content-length"]) == int(link.get("length"))
    # Every EPUB under OUT is reachable through the catalog (several feeds list each).
    assert books >= len(list(out.glob("*/*.epub")))
    opensearch = client.get("opds/opensearch.xml")
    assert opensearch.headers["content-type"].startswith("application/opensearchdescription+xml")


def test_range_requests_resume_a_download(served, client):
    out, _, _ = served
    path = f"{PAPER}/2026-02-03.epub"
    data = (out / path).read_bytes()
    part = client.get(path, headers={"Range": "bytes=100-1099"})
    assert part.status_code == 206
    assert part.content == data[100:1100]
    assert part.headers["content-range"] == f"bytes 100-1099/{len(data)}"
    tail = client.get(path, headers={"Range": f"bytes={len(data) - 10}-"})
    assert tail.status_code == 206 and tail.content == data[-10:]
    assert client.get(path, headers={"Range": f"bytes={len(data) + 5}-"}).status_code == 416


def test_etag_answers_304(client):
    first = client.get("opds/root.xml")
    etag = first.headers["etag"]
    again = client.get("opds/root.xml", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get("opds/root.xml", headers={"If-None-Match": '"other"'}).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/../secret.txt",
        "/../../../../etc/passwd",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2e%2e/etc/passwd",
        f"/{quote(PAPER)}/..%2f..%2fsecret.txt",
        "/leak/secret.txt",  # A symlinked folder leading out of OUT.
        f"/{quote(PAPER)}/leak.txt",  # A symlinked file leading out.
        "/.epaper-manifest.json",  # Dot-files are the tool's, not the readers'.
        "/library/.shelf",
    ],
)
def test_nothing_outside_out_is_served(served, path):
    _, base, secret = served
    host, port = base.removeprefix("http://").strip("/").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=10)
    connection.putrequest("GET", path, skip_accept_encoding=True)  # Sent as written: no client-side cleanup.
    connection.endheaders()
    response = connection.getresponse()
    body = response.read()
    connection.close()
    assert response.status in (400, 404), (path, response.status)
    assert secret.read_bytes() not in body and b"root:" not in body


def test_media_types_and_the_page(client):
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert '<table class="calendar">' in page.text
    assert client.get("opds/root.json").headers["content-type"] == "application/opds+json"
    assert client.get(f"{PAPER}/2026-02-01.epub").headers["content-type"] == "application/epub+zip"
    assert client.get(f"青川晚报/{QINGCHUAN}.pdf").headers["content-type"] == "application/pdf"


def test_opds_search_finds_an_article_title(served, client):
    from tests.conftest import EXAMPLES

    title = article_titles(EXAMPLES, QINGCHUAN)[1]
    found = client.get("opds/opensearch.xml")
    template = etree.fromstring(found.content).find("{http://a9.com/-/spec/opensearch/1.1/}Url").get("template")
    url = urljoin(urljoin(str(client.base_url), "opds/opensearch.xml"), template.replace("{searchTerms}", title))
    response = client.get(url)
    assert response.status_code == 200
    entries = list(etree.fromstring(response.content).iter(f"{ATOM}entry"))
    assert [e.findtext(f"{ATOM}title") for e in entries] == ["青川晚报 2026年3月3日"]
    link = next(x for x in entries[0].iter(f"{ATOM}link") if x.get("type") == "application/epub+zip")
    assert client.get(urljoin(url, link.get("href"))).status_code == 200
    found = client.get("opds/search.json", params={"q": title}).json()
    nothing = client.get("opds/search.json", params={"q": "no such words anywhere"}).json()
    assert [p["metadata"]["title"] for p in found["publications"]] == ["青川晚报 2026年3月3日"]
    assert "publications" not in nothing and nothing["navigation"][0]["href"] == "root.json"
    validator = opds2_validator()
    assert validator.is_valid(found) and validator.is_valid(nothing)


def test_basic_auth(served):
    out = served[0]
    env = {"EPAPER_SERVE_PASSWORD": "s3cret 密码"}
    with running_server(out, "--user", "reader", env=env) as url, httpx.Client(base_url=url, timeout=20) as web:
        assert web.get("opds/root.xml").status_code == 401
        assert web.get("opds/root.xml", auth=("reader", "wrong")).status_code == 401
        token = base64.b64encode("reader:s3cret 密码".encode()).decode()
        assert web.get("opds/root.xml", headers={"Authorization": f"Basic {token}"}).status_code == 200


def test_serve_refusals_are_one_line(tmp_path):
    from tests.conftest import run_cli

    missing = run_cli("serve", tmp_path / "none")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and str(tmp_path / "none") in missing.stderr
    env = {k: v for k, v in os.environ.items() if k != "EPAPER_SERVE_PASSWORD"}
    no_password = run_cli("serve", tmp_path, "--user", "reader", env=env)
    assert no_password.returncode == 2 and "EPAPER_SERVE_PASSWORD" in no_password.stderr
