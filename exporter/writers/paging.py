"""分版排印: lay a PDF out one 版面 at a time and join the pages, as a printer sets each chapter apart.

WeasyPrint lays a document out whole, so every make-up round (makeup.py) cost the whole book again.
Each 版面 starts a page in the book, so laid out alone it comes out as it would in the book, given
the folio of its first page (`@page :first { counter-reset: page N }`) and the side it starts on
(the root's `break-before`); a blank page goes between two 版 where the book would have one. Only
a 版 whose pictures move is laid out again, and a book's pages are joined with `Document.copy`.

The contents' page numbers cannot come from `target-counter` across documents: epaper writes them
in (`data-folio` on each contents link) from where the anchors landed. A book this cannot split
— sections not in the expected shape, or a user's CSS or template that asks for page-based things
a 版 alone cannot know (`target-counter`, `counter(pages)`, `@page :first`, `:nth()`) — is None
from `split()`, and the caller lays it out whole.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable
from typing import Any

import lxml.html

from exporter.writers import makeup

# What a 版 alone lays out differently from the same 版 in the book.
WHOLE_BOOK_ONLY = re.compile(r"target-counters?\s*\(|target-text\s*\(|counters?\s*\(\s*pages\b|:first\b|:nth\s*\(")
PLACEHOLDER = "888"  # The widest three-digit folio, for the contents' first layout.
MAX_ROUNDS = 3  # Contents of a new length move every 版; a third time means something else is wrong.


@dataclasses.dataclass
class Split:
    """The book's HTML cut into the front matter (cover, contents) and one part per 版面."""

    start: str  # From the doctype to the body's start tag.
    end: str  # The body's and document's end tags.
    front: list[Any]  # lxml elements before the first 版.
    sections: list[tuple[str, str]]  # (section id, its HTML) in book order.

    def document(self, body: str) -> str:
        return f"{self.start}{body}{self.end}"

    def front_html(self, folios: dict[str, int] | None) -> str:
        """The front matter with each contents link's page number (a placeholder before they are known)."""
        for element in self.front:
            for link in element.iter("a"):
                href = link.get("href") or ""
                if href.startswith("#") and _in_contents(link):
                    link.set("data-folio", str(folios.get(href[1:], "")) if folios is not None else PLACEHOLDER)
        return self.document("".join(lxml.html.tostring(e, encoding="unicode") for e in self.front))


def _in_contents(element: Any) -> bool:
    return any("contents" in (a.get("class") or "").split() for a in element.iterancestors())


def split(html: str, user_text: str = "") -> Split | None:
    """Cut the book's HTML at its 版面 (`section.page` children of the body, after everything else);
    None when it is not in that shape or `user_text` (the user's CSS) needs the whole book."""
    if WHOLE_BOOK_ONLY.search(user_text):
        return None
    document = lxml.html.document_fromstring(html)
    body = document.find("body")
    if body is None:
        return None
    children = list(body)
    first = next((i for i, c in enumerate(children) if _is_section(c)), None)
    if first is None or not all(_is_section(c) for c in children[first:]):
        return None
    ids = [c.get("id") for c in children[first:]]
    if not all(ids) or len(set(ids)) != len(ids):
        return None
    front, parts = children[:first], children[first:]
    if any(WHOLE_BOOK_ONLY.search(lxml.html.tostring(e, encoding="unicode")) for e in document.iter("style")):
        return None  # A template's own stylesheet asks for the whole book.
    sections = [(str(c.get("id")), lxml.html.tostring(c, encoding="unicode", with_tail=False)) for c in parts]
    for child in children:
        body.remove(child)
    body.text = None
    shell = lxml.html.tostring(document, encoding="unicode", doctype="<!DOCTYPE html>")
    start, end = shell.rsplit("</body>", 1)
    return Split(start, f"</body>{end}", front, sections)


def normalized(section: str) -> str:
    """A section's HTML written as `split()` writes it (so a 版 rendered alone is the same text)."""
    return lxml.html.tostring(lxml.html.fragment_fromstring(section.strip()), encoding="unicode", with_tail=False)


def _is_section(element: Any) -> bool:
    return element.tag == "section" and "page" in (element.get("class") or "").split()


LayOut = Callable[[str, str], Any]  # (HTML, extra CSS) → a laid-out WeasyPrint document.
Section = Callable[[str, dict[str, makeup.Placement]], str]  # (section id, placements) → its HTML.


def lay_out(parts: Split, render: LayOut, section: Section, makeup_rounds: int) -> tuple[Any, list[Any]]:
    """Return the laid-out front matter (its document carries the book's metadata) and all the
    book's pages in order.

    `makeup_rounds` is how many times a 版 whose pictures leave holes is laid out again (0: never)."""
    count = len(render(parts.front_html(None), "").pages)
    for _ in range(MAX_ROUNDS):
        pages, folios = _sections(parts, render, section, makeup_rounds, count)
        front = render(parts.front_html(folios), "")
        if len(front.pages) == count:
            return front, [*front.pages, *pages]
        count = len(front.pages)  # The numbers made the contents longer or shorter: number again.
    raise RuntimeError(f"the contents came out at a different length {MAX_ROUNDS} times")


def _sections(
    parts: Split, render: LayOut, section: Section, makeup_rounds: int, front: int
) -> tuple[list[Any], dict[str, int]]:
    pages: list[Any] = []
    folios: dict[str, int] = {}
    wanted: str | None = None  # The side the 版 asked to start on (its break-before), as last seen.
    for anchor, html in parts.sections:
        number = front + len(pages) + 1
        placements: dict[str, makeup.Placement] = {}
        rounds = 0
        while True:
            side = wanted or _side(number)
            document = render(parts.document(html), _first_page(number + (side != _side(number)), side))
            asked = _asked_side(document)
            if (asked or _side(number)) != side:
                wanted = asked  # Its break-before asks for the other side: lay it out there.
                continue
            wanted = asked
            found = makeup.moves(document) if rounds < makeup_rounds else {}
            if not found:
                break
            rounds += 1
            placements = makeup.merged(placements, found)
            html = section(anchor, placements)
        if side != _side(number):
            pages.append(_blank_page(parts, render, number, side))
        for page in document.pages:
            for name in page.anchors:
                folios.setdefault(name, front + len(pages) + 1)
            pages.append(page)
    return pages, folios


def _side(number: int) -> str:
    return "right" if number % 2 else "left"


def _first_page(number: int, side: str) -> str:
    return f"html {{ break-before: {side}; }} @page :first {{ counter-reset: page {number}; }}"


def _asked_side(document: Any) -> str | None:
    """The side the 版 asks to start on (its `break-before`: right, left, recto, verso), or None."""
    box = makeup.section_box(document.pages[0])
    value = box.style["break_before"] if box is not None else None
    return {"right": "right", "recto": "right", "left": "left", "verso": "left"}.get(value or "")


def _blank_page(parts: Split, render: LayOut, number: int, side: str) -> Any:
    """A blank page numbered `number` before a 版 that starts on `side`, made as WeasyPrint makes
    one (`:blank`, so the stylesheets' rules for blank pages apply)."""
    html = parts.document(f'<div></div><div style="break-before: {side}"></div>')
    return render(html, _first_page(number - 1, side)).pages[1]
