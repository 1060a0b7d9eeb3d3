"""转版: an article printed on two pages appears once, where it starts, with a note.

Both forms are found among the article pages saved in the same folder:

- the same full text under each page, as Founder systems serve it (湖北日报 2023-02-11 has
  three: each is under page 01 and again under page 02, 03 or 04). Every copy becomes the
  article on its first page with the note 转第03版…; the assembly then keeps one of them.
- a text cut in two, the first part ending （下转第3版） and the rest on page 3 starting
  （上接第1版）. Both pages become the joined article on the first page, with a note.

A jump line whose other half was not saved is taken out of the text and kept as a note.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import lru_cache
from pathlib import Path

from exporter.errors import InputError
from exporter.model import Notice
from exporter.sources.base import ReadOptions, ReadResult
from exporter.sources.web.html import HtmlElement, Line, load_page, saved_pages
from exporter.sources.web.story import Story, to_article
from exporter.text import natural_key, page_key

Parse = Callable[[Path, str, ReadOptions, Path], tuple[Story, ...]]

_NUMBER = r"[0-9０-９]{1,3}|[一二三四五六七八九十]{1,3}|[A-Za-z][0-9]{1,3}"
_TO_RE = re.compile(rf"^[（(]?\s*(?:下转|转)\s*(?:第\s*)?({_NUMBER})\s*版\s*[)）]?$")
_FROM_RE = re.compile(rf"^[（(]?\s*(?:上接|紧接|接|转自|上转)\s*(?:第\s*)?({_NUMBER})\s*版\s*[)）]?$")
_DIGITS = {c: i for i, c in enumerate("一二三四五六七八九", start=1)}
_MAX_HALVES = 64  # Candidates for the other half of a 转版 article looked at: a page prints far fewer.


def sibling_parser(
    is_article: Callable[[HtmlElement], bool],
    read_stories: Callable[[HtmlElement, Path, str, ReadOptions, Path], Sequence[Story]],
) -> Parse:
    """Make a layout's reader of neighbouring pages: their stories, none for a page of another layout."""

    def parse(path: Path, display: str, options: ReadOptions, root: Path) -> tuple[Story, ...]:
        try:
            doc, _ = load_page(path, display)
            return tuple(read_stories(doc, path, display, options, root)) if is_article(doc) else ()
        except InputError:
            return ()

    return parse


def finish(
    stories: Sequence[Story],
    path: Path,
    display: str,
    options: ReadOptions,
    root: Path,
    parse: Parse,
    notices: tuple[Notice, ...],
) -> ReadResult:
    """Settle a page's stories (one per article block) among each other and the pages saved beside it."""
    peers = siblings(path, display, options, root, parse)
    if path.name not in peers.files:  # Not listed beside itself (unreadable folder): add its own blocks.
        peers = Peers((*stories, *peers.stories))
    settled = [settle(story, peers) for story in stories]
    return ReadResult(tuple(to_article(s) for s in settled), (*notices, *(n for s in settled for n in s.notices)))


class Peers:
    """The stories of a folder's pages, indexed so that settling one story looks at few others.

    Copies are found by their whole text, halves by their page, the page their jump line names and
    their title: a folder, or one file, of thousands of articles is settled in linear time.
    """

    def __init__(self, stories: Sequence[Story]) -> None:
        self.stories = tuple(stories)
        self.files = {s.file.name for s in self.stories}
        self._by_text: dict[tuple[object, ...], list[Story]] = defaultdict(list)
        self._groups: dict[tuple[object, ...], tuple[list[Story], list[str], set[str]]] = {}
        self._halves: dict[tuple[object, ...], list[Story]] = defaultdict(list)
        self._halves_titled: dict[tuple[object, ...], list[Story]] = defaultdict(list)
        for story in sorted(self.stories, key=_place):
            self._by_text[(story.paper, story.date, story.texts())].append(story)
            lines = story.lines
            jumps = (
                ("from", _jump(_FROM_RE, lines[0].text) if lines else None),
                ("to", _jump(_TO_RE, lines[-1].text) if lines else None),
            )
            for direction, page in jumps:
                if page is not None:
                    key = (story.paper, story.date, _bare(story.page), direction, _bare(page))
                    self._halves[key].append(story)
                    self._halves_titled[(*key, story.title)].append(story)

    def copies(self, story: Story, texts: tuple[str, ...]) -> tuple[Story | None, list[str]]:
        """Return the first (by page) other block of the issue printing `texts`, and the pages printing it."""
        key = (story.paper, story.date, texts)
        if key not in self._by_text:
            return None, [story.page]
        if key not in self._groups:  # Worked out once per text, not once per copy.
            group = self._by_text[key]
            pages = sorted({s.page for s in group}, key=page_key)
            self._groups[key] = (sorted(group, key=_first_page)[:2], pages, set(pages))
        firsts, pages, printed = self._groups[key]
        copy = next((s for s in firsts if not _same_block(s, story)), None)
        return copy, pages if story.page in printed else sorted([*pages, story.page], key=page_key)

    def half(self, story: Story, label: str, direction: str) -> Story | None:
        """Return the first story on page `label`, titled like `story`, whose `direction` jump line names its page."""
        key = (story.paper, story.date, _bare(label), direction, _bare(story.page))
        exact = self._halves_titled.get((*key, story.title), [])
        candidates = self._halves.get(key, [])[:_MAX_HALVES]  # A page holds a few dozen articles at most.
        found = [s for s in (*exact[:2], *candidates) if not _same_block(s, story) and _same_title(s, story)]
        return min(found, key=_place) if found else None


def settle(story: Story, peers: Peers) -> Story:
    """Return the story as it belongs in the book: 转版 halves joined, copies moved to the first page."""
    joined = _join_halves(story, peers)
    return _join_copies(joined, *peers.copies(story, joined.texts()))


def _same_block(a: Story, b: Story) -> bool:
    """Say whether two stories were read from the same article block (a file may hold several)."""
    return a.file.name == b.file.name and a.block == b.block


def _place(story: Story) -> tuple[object, ...]:
    return (natural_key(story.file.name), story.block)


def _first_page(story: Story) -> tuple[object, ...]:
    return (page_key(story.page), *_place(story))


def siblings(path: Path, display: str, options: ReadOptions, root: Path, parse: Parse) -> Peers:
    """Return the stories of the article pages saved beside `path` (parsed and indexed once per folder)."""
    listing = saved_pages(path.parent, root)
    if listing is None:
        return Peers(())
    names, stamp = listing
    return _peers(path.parent, str(Path(display).parent), stamp, names, options, root, parse)


@lru_cache(maxsize=16)
def _peers(
    folder: Path, shown: str, stamp: int, names: tuple[str, ...], options: ReadOptions, root: Path, parse: Parse
) -> Peers:
    return Peers([s for name in names for s in parse(folder / name, str(Path(shown) / name), options, root)])


def _join_halves(story: Story, peers: Peers) -> Story:
    lines = story.lines
    if not lines:
        return story
    if (ahead := _jump(_TO_RE, lines[-1].text)) is not None:
        rest = peers.half(story, ahead, "from")
        cut = _without(story, lines[-1])
        if rest is None:
            message = f"转版: {lines[-1].text} but page {ahead} is not among the saved pages; kept as a note"
            return replace(cut, notes=(*cut.notes, f"下转第{ahead}版")).with_notice(message)
        tail = _without(rest, rest.lines[0])
        return replace(
            cut,
            figures=(*cut.figures, *tail.figures),
            body=(*cut.body, *tail.body),
            notes=(*cut.notes, f"下转第{rest.page}版：后半部分已接在本文之后"),
        ).with_notice(f"转版: continued on page {rest.page} ({rest.origin.file}); joined here")
    if (back := _jump(_FROM_RE, lines[0].text)) is not None:
        start = peers.half(story, back, "to")
        if start is None:
            cut = _without(story, lines[0])
            message = f"转版: {lines[0].text} but page {back} is not among the saved pages; kept as a note"
            return replace(cut, notes=(f"上接第{back}版", *cut.notes)).with_notice(message)
        joined = _join_halves(start, peers)
        notice = Notice(
            story.origin, f"转版: the article starts on page {start.page} ({start.origin.file}); joined there"
        )
        return replace(joined, file=story.file, notices=(*story.notices, notice))
    return story


def _join_copies(story: Story, copy: Story | None, pages: list[str]) -> Story:
    if copy is None or len(pages) < 2:
        return story  # Copies on one page are plain duplicates: the assembly keeps one.
    start = min((story, copy), key=_first_page)
    later = "、".join(p for p in pages if p != start.page)
    notice = Notice(
        story.origin, f"转版: the same article is on pages {', '.join(pages)}; kept once, on page {start.page}"
    )
    return replace(
        story,
        page=start.page,
        page_name=start.page_name,
        order=start.order,
        origin=start.origin,  # Every copy sorts where the first page's copy does.
        notes=(*story.notes, f"转第{later}版：同一全文，只在第{start.page}版收录"),
        notices=(*story.notices, notice),
    )


def _jump(pattern: re.Pattern[str], text: str) -> str | None:
    """Return the page a jump line names (下转第三版 → 3), or None."""
    match = pattern.match(text)
    if match is None:
        return None
    number = unicodedata.normalize("NFKC", match.group(1)).upper()
    if number[0] in _DIGITS or number[0] == "十":
        tens, ten, ones = number.partition("十")
        value = (_DIGITS.get(tens, 1) * 10 if ten else 0) + _DIGITS.get(ones if ten else tens, 0)
        return str(value)
    return number


def _bare(label: str) -> str:
    return re.sub(r"(?<!\d)0+(?=\d)", "", label.upper())


def _same_title(a: Story, b: Story) -> bool:
    return a.title == b.title or a.title in b.title or b.title in a.title


def _without(story: Story, line: Line) -> Story:
    return replace(story, body=tuple(x for x in story.body if x is not line))
