"""Remove the characters XML 1.0 forbids from everything a reader read, once, for every format.

Control characters, lone surrogates (a JSON `\\ud800`, a YAML escape) and U+FFFE/U+FFFF cannot
appear in EPUB XHTML, the OPF or the PDF's metadata: they are dropped here, with one warning per
article (and per paper's metadata) naming its file, so that no writer ever meets them.
"""

from __future__ import annotations

from dataclasses import replace

from exporter.errors import InputError
from exporter.model import Article, Block, Figure, Heading, Highlights, Notice, Origin, Paper, Paragraph, Separator
from exporter.sources.base import ReadResult
from exporter.text import xml_clean, xml_forbidden

__all__ = ["clean_article", "clean_paper", "clean_result", "paper_notice"]


def clean_result(result: ReadResult, display: str) -> ReadResult:
    """Return `result` with every text XML-safe, plus a warning per article that had to change."""
    articles, notices = [], list(result.notices)
    for article in result.articles:
        cleaned, removed = clean_article(article, display)
        articles.append(cleaned)
        if removed and article.origin.file == display:
            notices.append(Notice(article.origin, _message(removed)))
        elif removed:  # Normalized JSON: the article's origin is the file it was first read from.
            notices.append(Notice(Origin(display), f"{_message(removed)} in {cleaned.title!r}"))
    papers = []
    for paper in result.papers:
        cleaned_paper, removed = clean_paper(paper)
        papers.append(cleaned_paper)
        if removed:
            notices.append(paper_notice(display, removed))
    return ReadResult(tuple(articles), tuple(notices), tuple(papers), result.reader, result.facsimiles)


def clean_article(article: Article, display: str) -> tuple[Article, list[str]]:
    """Return the article without forbidden characters and the characters removed.

    Raises InputError when a field the book needs (paper, page, title) is left empty.
    """
    fields = (article.paper, article.page, article.page_name, *article.texts(), *article.notes)
    removed = xml_forbidden("\n".join(t for t in fields if t))
    if not removed:  # The common case: nothing to rebuild.
        return article, []
    blocks = tuple(b for b in (_clean_block(b) for b in article.blocks) if b is not None)
    cleaned = replace(
        article,
        paper=xml_clean(article.paper).strip(),
        page=xml_clean(article.page).strip(),
        title=xml_clean(article.title).strip(),
        page_name=_opt(article.page_name),
        kicker=_opt(article.kicker),
        subtitle=_opt(article.subtitle),
        byline=_opt(article.byline),
        source=_opt(article.source),
        notes=tuple(n for n in (xml_clean(n) for n in article.notes) if n.strip()),
        blocks=blocks,
    )
    for name in ("paper", "page", "title"):
        if not getattr(cleaned, name):
            raise InputError(display, f"the {name} holds only characters XML does not allow", article.origin.line)
    return cleaned, removed


def clean_paper(paper: Paper) -> tuple[Paper, list[str]]:
    """Return paper metadata (paper.toml, normalized JSON) without forbidden characters, and those removed."""
    fields = (paper.name, paper.publisher, paper.language, *paper.page_names, *paper.page_names.values())
    removed = xml_forbidden("\n".join(t for t in fields if t))
    if not removed:
        return paper, []
    cleaned = Paper(
        name=xml_clean(paper.name).strip(),
        publisher=_opt(paper.publisher),
        language=xml_clean(paper.language).strip() or "zh-CN",
        page_names={xml_clean(k): xml_clean(v) for k, v in paper.page_names.items()},
    )
    return cleaned, removed


def paper_notice(display: str, removed: list[str]) -> Notice:
    return Notice(Origin(display), f"{_message(removed)} in the paper's name or page names")


def _opt(text: str | None) -> str | None:
    return (xml_clean(text).strip() or None) if text else text


def _clean_block(block: Block) -> Block | None:
    """Return the block cleaned, or None when nothing of it is left (an empty heading breaks the TOC)."""
    if isinstance(block, Paragraph | Separator):
        text = xml_clean(block.text).strip()
        return replace(block, text=text) if text else None
    if isinstance(block, Heading):
        text, kicker = xml_clean(block.text).strip(), _opt(block.kicker)
        if not text:
            return Heading(kicker, block.origin) if kicker else None
        return replace(block, text=text, kicker=kicker)
    if isinstance(block, Figure):
        return replace(block, caption=xml_clean(block.caption).strip(), credit=_opt(block.credit))
    items = tuple(i for i in (xml_clean(i).strip() for i in block.items) if i)
    return Highlights(items, block.origin) if items else None


def _message(removed: list[str]) -> str:
    distinct = list(dict.fromkeys(removed))
    codes = ", ".join(f"U+{ord(c):04X}" for c in distinct[:5]) + (" …" if len(distinct) > 5 else "")
    return f"removed {len(removed)} character(s) XML does not allow ({codes})"
