"""The user's --templates and --css as an attacker writes them (issue 18): sandboxed, confined, never fetched."""

from __future__ import annotations

import http.server
import os
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import ClassVar

import pytest

from tests.conftest import run_cli
from tests.hostile import epub_text, markdown_source, pdf_text

ESCAPES = [  # Attribute walks from a template to Python's globals: each gives `uid=0(root)` unsandboxed.
    '{{ cycler.__init__.__globals__.os.popen("id").read() }}',
    '{{ joiner.__init__.__globals__["os"].popen("id").read() }}',
    "{{ ().__class__.__base__.__subclasses__() }}",
    '{{ self._TemplateReference__context.cycler.__init__.__globals__.os.popen("id").read() }}',
    "{{ article.__class__.__init__.__globals__ }}",
]


@pytest.fixture
def source(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text(markdown_source("正文一段。\n"), encoding="utf-8")
    return src


def article_template(folder: Path, footer: str) -> Path:
    (folder / "common").mkdir(parents=True, exist_ok=True)
    (folder / "common" / "article.html.j2").write_text(
        '{% extends "!base/common/article.html.j2" %}{% block footer %}<p class="f">' + footer + "</p>{% endblock %}",
        encoding="utf-8",
    )
    return folder


@pytest.mark.parametrize("escape", ESCAPES)
def test_a_template_cannot_reach_python(tmp_path: Path, source: Path, escape: str) -> None:
    templates = article_template(tmp_path / "templates", escape)
    out = tmp_path / "out"
    result = run_cli("export", source, "-o", out, "-f", "epub", "--templates", templates)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    (failed,) = [line for line in result.stderr.splitlines() if line.startswith("epaper: failed: ")]
    assert f"{templates / 'common' / 'article.html.j2'}:1: not allowed in a template: " in failed, failed
    assert "uid=" not in result.stderr + result.stdout
    assert not list(out.rglob("*.epub"))


def test_a_template_may_still_read_the_book_and_use_filters(tmp_path: Path, source: Path) -> None:
    templates = article_template(tmp_path / "templates", "{{ article.title | upper }}·{{ view.blocks | length }}段")
    out = tmp_path / "out"
    result = run_cli("export", source, "-o", out, "-f", "epub", "--templates", templates)
    assert result.returncode == 0, result.stderr
    (epub,) = out.glob("*/*.epub")
    assert "标题·1段" in epub_text(epub)


@pytest.mark.parametrize("target", ["/etc/passwd", "fifo", "outside"])
def test_a_template_linked_out_of_the_folder_is_refused(tmp_path: Path, source: Path, target: str) -> None:
    outside = tmp_path / "outside.j2"
    outside.write_text("<p>外面的模板</p>", encoding="utf-8")
    templates = article_template(tmp_path / "templates", '{% include "leak.j2" %}')
    link = templates / "leak.j2"
    if target == "fifo":
        os.mkfifo(link)
    else:
        os.symlink(outside if target == "outside" else target, link)
    out = tmp_path / "out"
    result = run_cli("export", source, "-o", out, "-f", "epub", "--templates", templates, timeout=60)
    assert result.returncode == 1, result.stderr
    assert "root:" not in result.stderr and "外面的模板" not in result.stderr
    (failed,) = [line for line in result.stderr.splitlines() if line.startswith("epaper: failed: ")]
    if target == "fifo":
        assert f"template {link}: not a regular file of at most 1 MiB: refused" in failed, failed
    else:
        resolved = Path(target) if target != "outside" else outside
        assert f"template {link}: a link to {resolved}, outside the template folder: refused" in failed, failed
    assert not list(out.rglob("*.epub"))


# --- --css -------------------------------------------------------------------------------------------


class Counting(http.server.BaseHTTPRequestHandler):
    """Counts every request: the test asserts epaper made none."""

    requests: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        Counting.requests.append(self.path)
        body = b"body { color: red } @font-face { font-family: x; src: url(/font.woff) }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Counting.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Counting)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_user_css_fetches_nothing_reads_only_its_folder_and_the_epub_passes_check(
    tmp_path: Path, source: Path, server: str
) -> None:
    (tmp_path / "secret.css").write_text(".secret-rule { color: red }", encoding="utf-8")
    styles = tmp_path / "styles"
    (styles / "parts").mkdir(parents=True)
    (styles / "parts" / "local.css").write_text(".local-rule { color: green }", encoding="utf-8")
    (styles / "loop.css").write_text('@import "loop.css"; .loop-rule { color: blue }', encoding="utf-8")
    css = styles / "user.css"
    lines = [
        f'@import url("{server}/remote.css");',
        '@import url("file:///etc/passwd");',
        '@import "../secret.css";',
        '@import "parts/local.css";',
        '@import "loop.css" print;',
        f'@font-face {{ font-family: "Evil"; src: url("{server}/evil.woff") format("woff"); }}',
        f"p {{ color: #333; background: url({server}/tracker.png); }}",
        f'@media print {{ h2 {{ list-style: url("{server}/bullet.png"); font-weight: bold }} }}',
        'body { background-image: image-set("/etc/passwd" 1x); }',
    ]
    css.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("export", source, "-o", out, "-f", "epub,pdf", "--css", css, timeout=300)
    assert result.returncode == 0, result.stderr
    assert Counting.requests == [], "nothing is fetched"
    found = [line.removeprefix("epaper: warning: ") for line in result.stderr.splitlines() if "warning" in line]
    expected = {
        1: "is a URL, not a file beside the stylesheet: not fetched: dropped",
        2: "is a URL, not a file beside the stylesheet: not fetched: dropped",
        3: "points outside the stylesheet's folder: dropped",
        6: "@font-face without a local font left: dropped",
        7: "background: url(",
        8: "list-style: url(",
        9: "background-image: image-set(",
    }
    for line, words in expected.items():
        assert any(w.startswith(f"{css}:{line}: ") and words in w for w in found), (line, found)
    assert any(w.startswith(f"{styles / 'loop.css'}:1: @import 'loop.css' imports itself (a loop)") for w in found)
    (epub,) = out.glob("*/*.epub")
    with zipfile.ZipFile(epub) as book:
        user = book.read("EPUB/styles/user.css").decode("utf-8")
    assert ".local-rule" in user and ".loop-rule" in user and "@media print" in user
    assert "secret-rule" not in user and "url(" not in user and "root:" not in user and "127.0.0.1" not in user
    assert "color:#333" in user.replace(" ", ""), "what is safe stays"
    check = run_cli("check", epub, *out.glob("*/*.pdf"), timeout=300)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "root:" not in pdf_text(next(out.glob("*/*.pdf")))


def test_the_pdf_writer_fetches_nothing_a_stylesheet_names_even_uncleaned(tmp_path: Path) -> None:
    # The second guard: the writer's own fetcher for user CSS serves nothing, whatever the CSS says.
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from exporter.writers import WriteOptions
    from exporter.writers.pdf import build_stylesheets

    hits: list[str] = []

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"body { color: red }")

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        css = tmp_path / "raw.css"
        css.write_text(f'@import url("http://127.0.0.1:{server.server_address[1]}/x.css");', encoding="utf-8")
        build_stylesheets(WriteOptions(css=css), 210, 297)
    finally:
        server.shutdown()
    assert hits == []
