"""Helpers for the hostile-input tests: write sources with any text in any field, open what was written."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

from lxml import etree

from tests.conftest import ROOT

XHTML_NS = "http://www.w3.org/1999/xhtml"
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)


def yaml_quote(text: str) -> str:
    """Return `text` as a YAML double-quoted scalar that reads back exactly, whatever it holds."""
    out = []
    for c in text:
        if c in '"\\':
            out.append("\\" + c)
        elif " " <= c <= "~":
            out.append(c)
        else:  # Control characters, surrogates, U+FFFE, line breaks: all as escapes.
            out.append(f"\\U{ord(c):08X}")
    return '"' + "".join(out) + '"'


def markdown_source(body: str = "正文第一段。\n", **fields: str) -> str:
    """Return a structured Markdown article; every front-matter value quoted so any text is allowed."""
    values = {"paper": "青川晚报", "date": "2026-01-14", "page": "02", "title": "标题", **fields}
    front = "".join(f"{key}: {yaml_quote(value)}\n" for key, value in values.items())
    return f"---\n{front}---\n\n{body}"


def dump_source(
    body: list[str],
    title: str = "标题",
    paper: str = "青川晚报",
    page_line: str = "版面:第14版:   上一篇 下一篇",
    title_lines: list[str] | None = None,
) -> str:
    """Return a reader dump (the seed format) with the given title lines and body lines."""
    header = ["电子报阅读机", "2026-01-23", "星期五", f"当前报纸名称:{paper}", *(title_lines or [title])]
    return "\n".join([*header, "日期:01-14", "字号:", page_line, "", *body, ""])


def normalized_source(issues: list[dict[str, object]]) -> str:
    """Return a normalized JSON document (what `epaper inspect --json` prints); ASCII, so any text survives."""
    return json.dumps({"format": "epaper/normalized", "version": 1, "issues": issues})


def normalized_issue(paper: str, articles: list[dict[str, object]], label: str = "01", name: str | None = None) -> dict:
    return {
        "paper": paper,
        "date": "2026-01-14",
        "pages": [{"label": label, "name": name, "articles": articles}],
    }


def normalized_article(title: str, *paragraphs: str, **fields: object) -> dict[str, object]:
    blocks = [{"type": "paragraph", "text": p} for p in paragraphs]
    return {"title": title, "blocks": blocks, **fields}


def founder_page(title: str, body: str) -> str:
    """A saved Founder article page (the layout of tests/fixtures/html/founder) around BODY."""
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>青山日报</title></head><body>\n'
        '<div id="scroller"><p id="nowLayout">02</p>\n'
        f'<font id="main-title">{title}</font><font id="author">2024年01月06日</font>\n'
        f'<div id="content"><founder-content><!--enpcontent-->\n{body}\n<!--/enpcontent--></founder-content>'
        "</div></div></body></html>\n"
    )


def epub_documents(path: Path) -> dict[str, etree._Element]:
    """Parse every XHTML document and the OPF of an EPUB (raises if any is not well-formed)."""
    with zipfile.ZipFile(path) as book:
        return {
            name: etree.fromstring(book.read(name), _PARSER)
            for name in book.namelist()
            if name.endswith((".xhtml", ".opf", ".ncx"))
        }


def epub_text(path: Path) -> str:
    """Return the text of every XHTML document of an EPUB (and the OPF metadata), one line each."""
    return "\n".join("".join(doc.itertext()) for doc in epub_documents(path).values())


def epub_images(path: Path) -> list[str]:
    """Return the names of the image files inside an EPUB."""
    with zipfile.ZipFile(path) as book:
        return [n for n in book.namelist() if n.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp"))]


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout


def pdf_images(path: Path) -> list[bytes]:
    """Return the distinct images a PDF holds (WeasyPrint lists each one on every page)."""
    from pypdf import PdfReader

    return list(dict.fromkeys(image.data for page in PdfReader(path).pages for image in page.images))


def squash(text: str) -> str:
    """Drop all whitespace: PDF text extraction breaks lines where the layout did."""
    return "".join(text.split())


# Runs the command given after it and prints its exit code and peak RSS in KiB (RUSAGE_CHILDREN: only that child).
_MEASURE = (
    "import resource, subprocess, sys\n"
    "code = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
    "print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
)


def run_measured(*args: str | Path, timeout: float = 600) -> tuple[int, float, str]:
    """Run `epaper ARGS` in a fresh process; return (exit code, peak RSS in MiB, stderr)."""
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, sys.executable, "-m", "exporter", *map(str, args)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
    )
    code, rss = proc.stdout.split()
    return int(code), int(rss) / 1024, proc.stderr
