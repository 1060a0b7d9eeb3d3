"""Inter-character justification (clreq 两端对齐) for WeasyPrint.

WeasyPrint justifies a line by widening its spaces only (U+0020 and U+00A0). Chinese text has
no spaces, so a justified line of Chinese stops short of the measure by whatever is left over:
up to one em, more with half-width digits and Latin words in it. A Chinese newspaper spreads
that rest evenly between every two characters of the line; this module makes WeasyPrint do so
for lines that hold Chinese, with Pango's letter spacing (the engine's own mechanism for
`letter-spacing`). Lines without Chinese keep WeasyPrint's word spacing.

A closing mark that ends a justified line (，。、）」 …) is set half-width with the font's `halt`
feature (clreq 行尾点号挤压): its blank half would otherwise stand inside the measure and the
right edge would look ragged; the half em it frees is spread with the rest.

`install()` is idempotent and replaces one function, `weasyprint.layout.inline.justify_line`.
"""

from __future__ import annotations

import re
from typing import Any

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline
from weasyprint.text.ffi import TO_UNITS, ffi, pango
from weasyprint.text.line_break import Layout, line_size

from exporter.writers.squeeze import CLOSING

_HAN_RE = re.compile(r"[\u3000-\u303f\u3400-\u9fff\uf900-\ufaff\uff00-\uffef]")
_original = inline.justify_line


_HALT = b"halt 1"


class _SpreadLayout(Layout):
    """A Pango layout with `spread` points of letter spacing after each of its first `count` characters,
    and its last character set half-width (`halt`) when `halt_last`.

    WeasyPrint calls `set_text` again before drawing (`reactivate`), so the spacing is added there."""

    spread = 0.0
    count = 0
    halt_last = False

    def set_text(self, text: str, justify: bool = False) -> None:
        super().set_text(text, justify)
        spread = bool(self.spread) and self.count > 0
        if not spread and not self.halt_last:
            return
        attr_list = pango.pango_layout_get_attributes(self.layout)
        if attr_list == ffi.NULL:
            attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        if spread:
            attr = pango.pango_attr_letter_spacing_new(int(self.spread * TO_UNITS))
            attr.start_index, attr.end_index = 0, len(self.text[: self.count].encode())
            pango.pango_attr_list_change(attr_list, attr)
        if self.halt_last and self.text:
            attr = pango.pango_attr_font_features_new(_HALT)
            attr.start_index, attr.end_index = len(self.text[:-1].encode()), len(self.text.encode())
            pango.pango_attr_list_change(attr_list, attr)
        pango.pango_layout_set_attributes(self.layout, attr_list)


def _text_boxes(box: Any) -> list[Any]:
    if isinstance(box, boxes.TextBox):
        return [box]
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        return [t for child in box.children if child.is_in_normal_flow() for t in _text_boxes(child)]
    return []


def justify_line(context: Any, line: Any, extra_width: float) -> None:
    """Spread `extra_width` between the characters of a line holding Chinese, a closing mark at its end
    set half-width; else WeasyPrint's way."""
    texts = _text_boxes(line)
    if not texts or not any(_HAN_RE.search(t.text) for t in texts):
        _original(context, line, extra_width)
        return
    last = texts[-1]
    halt = last.text[-1:] in CLOSING
    if extra_width <= 0 and not halt:
        return
    gaps = sum(len(t.text) for t in texts) - 1  # No spacing after the line's last character.
    if gaps <= 0:
        return
    freed = last.width - _layout(last, 0.0, True, halt)[1] if halt else 0.0
    spread = (extra_width + freed) / gaps
    # Pango drops part of the spacing at the edges of each text box: measure once, then scale.
    added = sum(_layout(t, spread, t is last, halt and t is last)[1] - t.width for t in texts) + freed
    if added > 0:
        spread *= (extra_width + freed) / added
    _spread(context, line, spread, 0.0, last, halt)


def _layout(box: Any, spread: float, last: bool, halt: bool = False) -> tuple[_SpreadLayout | None, float]:
    """Return a layout of the text box's text with `spread` after each character (and its last
    character half-width when `halt`), and its width."""
    count = len(box.text) - (1 if last else 0)
    if count <= 0 and not halt:
        return None, box.width
    layout = _SpreadLayout(box.style, 0, None)
    layout.spread, layout.count, layout.halt_last = spread, count, halt
    layout.set_text(box.text)
    first_line, _ = layout.get_first_line()
    width, _ = line_size(first_line, box.style)
    layout.deactivate()
    return layout, width


def _spread(context: Any, box: Any, spread: float, x_advance: float, last: Any, halt: bool = False) -> float:
    """Move `box` by `x_advance` and widen its text; return the advance for the boxes after it."""
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        layout, width = _layout(box, spread, box is last, halt and box is last)
        if layout is None:
            return x_advance
        x_advance += width - box.width
        box.width = width
        box.pango_layout = layout
        return x_advance
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _spread(context, child, spread, x_advance, last, halt)
        box.width += x_advance - before
        return x_advance
    box.translate(x_advance, 0)  # An atomic inline box (an inline image) moves, it does not stretch.
    return x_advance


def install() -> None:
    """Make WeasyPrint justify Chinese lines between characters (once per process)."""
    inline.justify_line = justify_line
