"""The normalized JSON form of the model: what `epaper inspect --json` prints and reads back."""

from __future__ import annotations

import datetime as dt
from typing import Any

from exporter.model import (
    Article,
    Block,
    Facsimile,
    Figure,
    Heading,
    Highlights,
    Issue,
    Notice,
    Origin,
    Page,
    Paper,
    Paragraph,
    Region,
    Separator,
)

FORMAT = "epaper/normalized"
VERSION = 1


def dump(issues: list[Issue], notices: list[Notice] | None = None) -> dict[str, Any]:
    """Return the JSON-ready form of issues (and the warnings that came with them)."""
    out: dict[str, Any] = {"format": FORMAT, "version": VERSION, "issues": [issue_dict(i) for i in issues]}
    if notices is not None:
        out["warnings"] = [str(n) for n in notices]
    return out


def issue_dict(issue: Issue) -> dict[str, Any]:
    return {
        "paper": issue.paper.name,
        "publisher": issue.paper.publisher,
        "language": issue.paper.language,
        "date": issue.date.isoformat(),
        "weekday": issue.weekday,
        "pages": [page_dict(p) for p in issue.pages],
    }


def page_dict(page: Page) -> dict[str, Any]:
    out: dict[str, Any] = {"label": page.label, "name": page.name, "articles": [article_dict(a) for a in page.articles]}
    if page.facsimile is not None:  # Only pages a site showed as a picture carry the key.
        f = page.facsimile
        out["facsimile"] = {
            "image": f.image,
            "width": f.width,
            "height": f.height,
            "pdf": f.pdf,
            "index": f.origin.file,
            "regions": [{"article": r.article, "points": [list(p) for p in r.points]} for r in f.regions],
        }
    return out


def article_dict(article: Article) -> dict[str, Any]:
    return {
        "kicker": article.kicker,
        "title": article.title,
        "subtitle": article.subtitle,
        "byline": article.byline,
        "source": article.source,
        "order": article.order,
        "page_name": article.page_name,
        "file": article.origin.file,
        "line": article.origin.line,
        "notes": list(article.notes),
        "blocks": [block_dict(b) for b in article.blocks],
    }


def block_dict(block: Block) -> dict[str, Any]:
    where = {"file": block.origin.file, "line": block.origin.line}
    if isinstance(block, Paragraph):
        return {"type": "paragraph", "text": block.text, **where}
    if isinstance(block, Heading):
        return {"type": "heading", "kicker": block.kicker, "text": block.text, **where}
    if isinstance(block, Figure):
        return {
            "type": "figure",
            "caption": block.caption,
            "credit": block.credit,
            "image": block.image,
            **where,
        }
    if isinstance(block, Highlights):
        return {"type": "highlights", "items": list(block.items), **where}
    return {"type": "separator", "text": block.text, **where}


class FormatError(ValueError):
    """The JSON is not in the normalized form; the message says where."""


def load(data: Any) -> tuple[list[Paper], list[Article]]:
    """Return the papers and articles a normalized document holds."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise FormatError(f'not an epaper normalized file (no "format": "{FORMAT}")')
    if data.get("version") != VERSION:
        raise FormatError(f"unsupported version {data.get('version')!r} (this epaper reads version {VERSION})")
    papers: list[Paper] = []
    articles: list[Article] = []
    for n, issue in enumerate(_list(data, "issues", "document")):
        where = f"issues[{n}]"
        name = _str(issue, "paper", where)
        date = _date(_str(issue, "date", where), where)
        # A page's name may come from paper.toml rather than its articles: keep it on the paper.
        page_names: dict[str, str] = {}
        for p, page in enumerate(_list(issue, "pages", where)):
            pwhere = f"{where}.pages[{p}]"
            label = _str(page, "label", pwhere)
            if page_name := _opt(page, "name", pwhere):
                page_names[label] = page_name
            for a, art in enumerate(_list(page, "articles", pwhere)):
                articles.append(_article(art, name, date, label, f"{pwhere}.articles[{a}]"))
        publisher, language = _opt(issue, "publisher", where), _opt(issue, "language", where) or "zh-CN"
        papers.append(Paper(name=name, publisher=publisher, language=language, page_names=page_names))
    return papers, articles


def load_facsimiles(data: Any) -> list[Facsimile]:
    """Return the page pictures a normalized document holds (call after `load`, which checks the rest)."""
    out: list[Facsimile] = []
    for n, issue in enumerate(_list(data, "issues", "document")):
        name, date = _str(issue, "paper", f"issues[{n}]"), _date(_str(issue, "date", f"issues[{n}]"), f"issues[{n}]")
        for p, page in enumerate(_list(issue, "pages", f"issues[{n}]")):
            where = f"issues[{n}].pages[{p}].facsimile"
            d = page.get("facsimile")
            if d is None:
                continue
            if not isinstance(d, dict):
                raise FormatError(f"{where} must be an object")
            width, height = _size(d, "width", where), _size(d, "height", where)
            regions = tuple(
                Region(_str(r, "article", f"{where}.regions[{i}]"), _points(r, f"{where}.regions[{i}]"))
                for i, r in enumerate(_list(d, "regions", where))
            )
            origin = Origin(_opt(d, "index", where) or "?")
            label = _str(page, "label", f"issues[{n}].pages[{p}]")
            image, pdf = _opt(d, "image", where), _opt(d, "pdf", where)
            out.append(Facsimile(name, date, label, origin, image, width, height, regions, pdf))
    return out


def _size(d: dict[str, Any], key: str, where: str) -> int:
    value = d.get(key, 0)
    if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 100_000:
        raise FormatError(f"{where}.{key} must be a whole number of pixels")
    return value


def _points(d: Any, where: str) -> tuple[tuple[float, float], ...]:
    points = d.get("points") if isinstance(d, dict) else None
    if not isinstance(points, list) or len(points) < 3:
        raise FormatError(f"{where}.points must be a list of at least three [x, y] pairs")
    out = []
    for point in points:
        if not (isinstance(point, list) and len(point) == 2 and all(isinstance(v, int | float) for v in point)):
            raise FormatError(f"{where}.points must be a list of [x, y] pairs")
        out.append((float(point[0]), float(point[1])))
    return tuple(out)


def _article(d: Any, paper: str, date: dt.date, label: str, where: str) -> Article:
    if not isinstance(d, dict):
        raise FormatError(f"{where} must be an object")
    order = d.get("order")
    if order is not None and (not isinstance(order, int) or isinstance(order, bool)):
        raise FormatError(f"{where}.order must be a whole number")
    return Article(
        paper=paper,
        date=date,
        page=label,
        page_name=_opt(d, "page_name", where),
        title=_str(d, "title", where),
        kicker=_opt(d, "kicker", where),
        subtitle=_opt(d, "subtitle", where),
        byline=_opt(d, "byline", where),
        source=_opt(d, "source", where),
        order=order,
        origin=_origin(d, where),
        notes=tuple(_strs(d.get("notes") or [], f"{where}.notes")),
        blocks=tuple(_block(b, f"{where}.blocks[{i}]") for i, b in enumerate(_list(d, "blocks", where))),
    )


def _block(d: Any, where: str) -> Block:
    if not isinstance(d, dict):
        raise FormatError(f"{where} must be an object")
    kind = d.get("type")
    origin = _origin(d, where)
    if kind == "paragraph":
        return Paragraph(_str(d, "text", where), origin)
    if kind == "heading":
        return Heading(_str(d, "text", where), origin, kicker=_opt(d, "kicker", where))
    if kind == "figure":
        caption = d.get("caption") or ""
        if not isinstance(caption, str):
            raise FormatError(f"{where}.caption must be text")
        return Figure(caption, origin, credit=_opt(d, "credit", where), image=_opt(d, "image", where))
    if kind == "highlights":
        return Highlights(tuple(_strs(d.get("items"), f"{where}.items")), origin)
    if kind == "separator":
        return Separator(_str(d, "text", where), origin)
    raise FormatError(f"{where}.type {kind!r} is not paragraph, heading, figure, highlights or separator")


def _origin(d: dict[str, Any], where: str) -> Origin:
    line = d.get("line")
    if line is not None and (not isinstance(line, int) or isinstance(line, bool)):
        raise FormatError(f"{where}.line must be a whole number")
    return Origin(_opt(d, "file", where) or "?", line)


def _list(d: Any, key: str, where: str) -> list[Any]:
    value = d.get(key) if isinstance(d, dict) else None
    if not isinstance(value, list):
        raise FormatError(f"{where}.{key} must be a list")
    return value


def _str(d: Any, key: str, where: str) -> str:
    value = d.get(key) if isinstance(d, dict) else None
    if not isinstance(value, str) or not value.strip():
        raise FormatError(f"{where}.{key} must be non-empty text")
    return value


def _opt(d: Any, key: str, where: str) -> str | None:
    if not isinstance(d, dict):
        raise FormatError(f"{where} must be an object")
    value = d.get(key)
    if value is not None and not isinstance(value, str):
        raise FormatError(f"{where}.{key} must be text or null")
    return value or None


def _strs(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise FormatError(f"{where} must be a list of text")
    return value


def _date(value: str, where: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise FormatError(f"{where}.date {value!r} is not a date (YYYY-MM-DD)") from None
