"""Inspect a PDF the way a print shop or an archive would: fonts, outline, page boxes, PDF/A claim."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from exporter.checks.report import Report
from exporter.errors import EpaperError

_PDFA_PART_RE = re.compile(r"pdfaid:part(?:>|=\")\s*(\d)")
_PDFA_CONF_RE = re.compile(r"pdfaid:conformance(?:>|=\")\s*([ABUabu])")


@dataclass(slots=True)
class PdfFacts:
    """What a PDF holds, for tests and for `epaper check`."""

    pages: int = 0
    fonts: dict[str, tuple[bool, bool]] = field(default_factory=dict)  # Name → (embedded, subset).
    outline: list[tuple[int, str, int | None]] = field(default_factory=list)  # (level, title, page index).
    boxes: dict[str, tuple[float, ...]] = field(default_factory=dict)  # First page's boxes, in points.
    pdfa: str | None = None  # "3U" when the XMP claims PDF/A-3u.
    output_intent: bool = False
    attachments: dict[str, bytes] = field(default_factory=dict)
    tagged: bool = False


def read_facts(path: Path) -> PdfFacts:
    """Return the facts of a PDF; raise EpaperError when it cannot be read at all."""
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.CRITICAL)  # Its complaints about a damaged file become our one line.
    try:
        reader = PdfReader(str(path))
        facts = PdfFacts(pages=len(reader.pages))
    except (PdfReadError, OSError, ValueError) as exc:
        raise EpaperError(f"{path}: not a readable PDF ({exc})") from None
    for page in reader.pages:
        _collect_fonts(page.get("/Resources"), facts.fonts, set())
    first: Any = reader.pages[0] if reader.pages else None
    if first is not None:
        for box in ("/MediaBox", "/TrimBox", "/BleedBox", "/CropBox"):
            if box in first:
                facts.boxes[box.strip("/")] = tuple(float(v) for v in first[box].get_object())
    facts.outline = _outline(reader, reader.outline, 1)
    catalog: Any = reader.trailer["/Root"]
    metadata = catalog.get("/Metadata")
    if metadata is not None:
        xmp = metadata.get_object().get_data().decode("utf-8", "replace")
        part, conformance = _PDFA_PART_RE.search(xmp), _PDFA_CONF_RE.search(xmp)
        if part:
            facts.pdfa = part.group(1) + (conformance.group(1).upper() if conformance else "")
    facts.output_intent = bool(catalog.get("/OutputIntents"))
    facts.tagged = bool(catalog.get("/MarkInfo", {}).get("/Marked")) or "/StructTreeRoot" in catalog
    facts.attachments = {name: data[0] for name, data in reader.attachments.items() if data}
    return facts


def _collect_fonts(resources: Any, fonts: dict[str, tuple[bool, bool]], seen: set[int]) -> None:
    if resources is None:
        return
    resources = resources.get_object()
    for font in (resources.get("/Font") or {}).values():
        font = font.get_object()
        name = str(font.get("/BaseFont", "?")).lstrip("/")
        descriptor = font.get("/FontDescriptor")
        if descriptor is None and "/DescendantFonts" in font:
            descriptor = font["/DescendantFonts"][0].get_object().get("/FontDescriptor")
        embedded = False
        if descriptor is not None:
            descriptor = descriptor.get_object()
            embedded = any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3"))
        subset = re.match(r"^[A-Z]{6}\+", name) is not None
        fonts[name] = (embedded or fonts.get(name, (False, False))[0], subset)
    for xobject in (resources.get("/XObject") or {}).values():
        ref = id(xobject.get_object())
        if ref in seen:
            continue
        seen.add(ref)
        _collect_fonts(xobject.get_object().get("/Resources"), fonts, seen)


def _outline(reader: Any, items: list[Any], level: int) -> list[tuple[int, str, int | None]]:
    out: list[tuple[int, str, int | None]] = []
    for item in items:
        if isinstance(item, list):
            out.extend(_outline(reader, item, level + 1))
            continue
        try:
            page = reader.get_destination_page_number(item)
        except Exception:  # A destination pypdf cannot resolve counts as pointing nowhere.
            page = None
        out.append((level, str(item.title), page))
    return out


def check_pdf(path: Path) -> Report:
    """Report fonts (embedded, subset), outline entries, page boxes and the PDF/A claim."""
    facts = read_facts(path)
    report = Report(str(path))
    not_embedded = [name for name, (embedded, _) in facts.fonts.items() if not embedded]
    not_subset = [name for name, (_, subset) in facts.fonts.items() if not subset]
    if facts.pages == 0:
        report.problems.append("the PDF has no pages")
    if not_embedded:
        report.problems.append(f"fonts not embedded: {', '.join(not_embedded)}")
    if not_subset:
        report.problems.append(f"fonts embedded whole, not subset: {', '.join(not_subset)}")
    if not facts.outline:
        report.problems.append("no outline (bookmarks)")
    dangling = [title for _, title, page in facts.outline if page is None]
    if dangling:
        report.problems.append(f"outline entries pointing nowhere: {', '.join(dangling[:5])}")
    if facts.pdfa and not facts.output_intent:
        report.problems.append(f"claims PDF/A-{facts.pdfa} but has no output intent")
    report.facts.append(
        f"{facts.pages} pages, {len(facts.fonts)} fonts, all embedded and subset"
        if not not_embedded and not not_subset
        else f"{facts.pages} pages, {len(facts.fonts)} fonts"
    )
    report.facts.append(f"fonts: {', '.join(sorted(facts.fonts))}")
    depth = max((level for level, _, _ in facts.outline), default=0)
    report.facts.append(f"outline: {len(facts.outline)} entries, {depth} levels")
    for box, values in facts.boxes.items():
        width, height = (values[2] - values[0]) * 25.4 / 72, (values[3] - values[1]) * 25.4 / 72
        report.facts.append(f"{box}: {width:.1f} × {height:.1f} mm")
    report.facts.append(
        f"PDF/A: {'claims PDF/A-' + facts.pdfa if facts.pdfa else 'no claim'}"
        + (", output intent present" if facts.output_intent else "")
        + (", tagged" if facts.tagged else "")
    )
    if facts.attachments:
        report.facts.append(f"attachments: {', '.join(facts.attachments)}")
    return report
