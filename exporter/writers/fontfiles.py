"""A PDF's fonts read from their files only if the engine needs the whole file, for WeasyPrint 70.

WeasyPrint copies the whole font file into Python bytes for every face a PDF uses, as soon as the
face turns up: for the Noto CJK collections that is 19–27 MB a face (four faces in a book: serif and
sans, regular and bold), and reading them also brings the mapped files into memory. With
HarfBuzz's subsetter, which reads the face itself, that copy is thrown away unread and replaced by the
subset. Here the copy is made only when something reads `Font.file_content` before a subset is
stored (fontTools subsetting, variable or colour fonts, bitmap fonts, a PDF without subsetting):
those get exactly the bytes they got before. `install()` is idempotent.
"""

from __future__ import annotations

import threading
from typing import Any

from weasyprint.pdf import fonts

_whole_file = fonts.get_hb_object_data
_original_init = fonts.Font.__init__
_UNREAD = object()  # file_content not read yet: the face's whole file when asked for.
_state = threading.local()


def _object_data(hb_object: Any, ot_color: Any = None, glyph: Any = None) -> Any:
    if ot_color is None and getattr(_state, "new_font", False):
        return _UNREAD
    return _whole_file(hb_object, ot_color, glyph)


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    _state.new_font = True  # Font.__init__ asks for the whole face first (and for nothing else).
    try:
        _original_init(self, *args, **kwargs)
    finally:
        _state.new_font = False


def _get(self: Any) -> Any:
    content = self.__dict__["file_content"]
    if content is _UNREAD:
        content = self.__dict__["file_content"] = _whole_file(self.hb_face)
    return content


def _set(self: Any, value: Any) -> None:
    self.__dict__["file_content"] = value


def install() -> None:
    fonts.get_hb_object_data = _object_data
    fonts.Font.__init__ = _init
    fonts.Font.file_content = property(_get, _set)
