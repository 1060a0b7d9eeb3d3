"""OpenType features (`font-feature-settings`, `font-variant-*`) on WeasyPrint's text layouts, without its leak.

WeasyPrint 70's `Layout.setup` gives a layout with font features a Pango attribute list that is never
freed, and a new feature attribute on every call, also never freed (it keeps one shared attribute per
feature string and must not let a list own it). The book's `.squeeze` spans and contents folios use
features (`halt`, `hwid`), and every line break tried and every page drawn sets a layout up again, so a
process writing PDF after PDF grew about 10 MiB a book (a Dask worker, a library's daily job).

Here the engine's own setup runs without features and the same features are then given to the layout
in a list of its own, which the layout owns and frees with itself. `install()` is idempotent.
"""

from __future__ import annotations

from typing import Any

from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango
from weasyprint.text.fonts import font_features

_original_setup = line_break.Layout.setup


def _no_features(*args: Any, **kwargs: Any) -> dict[str, int]:
    return {}


def setup(self: Any, style: Any) -> None:
    """WeasyPrint's `Layout.setup`, with the font features in an attribute list freed with the layout."""
    _original_setup(self, style)
    features = font_features(
        style["font_kerning"],
        style["font_variant_ligatures"],
        style["font_variant_position"],
        style["font_variant_caps"],
        style["font_variant_numeric"],
        style["font_variant_alternates"],
        style["font_variant_east_asian"],
        style["font_feature_settings"],
    )
    if not features:
        return
    # The same string WeasyPrint builds; the list takes the attribute, the layout takes a reference to the list.
    attr = pango.pango_attr_font_features_new(",".join(f"{key} {value}" for key, value in features.items()).encode())
    attr_list = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
    pango.pango_attr_list_insert(attr_list, attr)
    pango.pango_layout_set_attributes(self.layout, attr_list)


def install() -> None:
    # setup() looks `font_features` up in line_break's globals: the engine's own call sees none.
    line_break.font_features = _no_features
    line_break.Layout.setup = setup
