"""Reader for normalized JSON, the form `epaper inspect --json` prints."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

from exporter import normalized
from exporter.errors import InputError
from exporter.model import Article, Facsimile, Figure, Notice, Origin
from exporter.sources.base import ReadOptions, ReadResult
from exporter.sources.decoding import read_text
from exporter.sources.images import resolve_image

NAME = "normalized JSON"


def sniff(head: str) -> bool:
    return head.lstrip("\ufeff \n").startswith("{") and normalized.FORMAT in head


def read(path: Path, display: str, options: ReadOptions, root: Path) -> ReadResult:
    text = read_text(path, display).lstrip("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(display, f"bad JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise InputError(display, "bad JSON: nested too deeply") from None
    try:
        papers, articles = normalized.load(data)
        facsimiles = normalized.load_facsimiles(data)
    except normalized.FormatError as exc:
        raise InputError(display, str(exc)) from None
    # Photos are named by absolute path; a JSON may come from someone else, so each is checked as every
    # path from content is: inside the folder the JSON was read from, a regular file, not too large.
    notices: list[Notice] = []
    checked = [_checked_photos(a, text, path.parent, root, display, notices) for a in articles]
    pictures = [_checked_facsimile(f, text, path.parent, root, display, notices) for f in facsimiles]
    return ReadResult(tuple(checked), tuple(notices), tuple(papers), facsimiles=tuple(pictures))


def _checked_photos(
    article: Article, text: str, folder: Path, root: Path, display: str, notices: list[Notice]
) -> Article:
    blocks = list(article.blocks)
    for n, block in enumerate(blocks):
        if isinstance(block, Figure) and block.image:
            image, problem = resolve_image(block.image, folder, root, absolute=True)
            if problem:
                where = Origin(display, _line_of(text, block.image))  # This JSON, not the file it claims.
                notices.append(Notice(where, f"{problem}; caption kept without the photo"))
            blocks[n] = replace(block, image=image)
    return replace(article, blocks=tuple(blocks))


def _checked_facsimile(
    facsimile: Facsimile, text: str, folder: Path, root: Path, display: str, notices: list[Notice]
) -> Facsimile:
    """Check a page picture's and page PDF's paths by the same rule as photos; a refused one is dropped."""
    found: dict[str, str | None] = {}
    for field_name in ("image", "pdf"):
        value = getattr(facsimile, field_name)
        found[field_name] = None
        if value:
            checked, problem = resolve_image(value, folder, root, absolute=True)
            if problem:
                notices.append(Notice(Origin(display, _line_of(text, value)), f"page {field_name}: {problem}; dropped"))
            found[field_name] = checked
    image = found["image"]
    return replace(facsimile, image=image, pdf=found["pdf"], regions=facsimile.regions if image else ())


def _line_of(text: str, value: str) -> int | None:
    """Return the line of the JSON text where the string `value` is written (first occurrence)."""
    for encoded in (json.dumps(value, ensure_ascii=False), json.dumps(value)):
        at = text.find(encoded)
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return None
