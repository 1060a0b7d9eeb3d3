"""Errors a user can act on: each prints as one line naming the file (and line)."""

from __future__ import annotations

import re
import unicodedata

# Control, format (bidi overrides U+202E, U+2066…, zero-width), line/paragraph separators, surrogates.
_UNPRINTABLE_RE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff\ufff9-\ufffb\ud800-\udfff]"
)


def printable(text: str) -> str:
    """Return `text` safe to show in a terminal: control and bidi characters as escapes (\u202e).

    A file name holding a right-to-left override would otherwise print reversed and spoof what the
    message says; a newline in a title would make one message look like two.
    """
    if _UNPRINTABLE_RE.search(text) is None and text.isprintable():
        return text
    return "".join(
        c.encode("unicode_escape", "backslashreplace").decode("ascii")
        if _UNPRINTABLE_RE.match(c) or unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp")
        else c
        for c in text
    )


class EpaperError(Exception):
    """A problem the user can fix; the CLI prints it as one line and exits 2."""


class InputError(EpaperError):
    """A source file that cannot be read as an article."""

    def __init__(self, file: str, message: str, line: int | None = None) -> None:
        self.file = file
        self.line = line
        self.message = message
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type[InputError], tuple[str, str, int | None]]:
        return (InputError, (self.file, self.message, self.line))  # Crosses process pipes whole.

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return printable(f"{where}: {self.message}")


class OutputError(EpaperError):
    """An output that cannot be written (unwritable folder, full disk, bad font setup)."""
