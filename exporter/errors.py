"""Errors a user can act on: each prints as one line naming the file (and line)."""

from __future__ import annotations


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
        return f"{where}: {self.message}"


class OutputError(EpaperError):
    """An output that cannot be written (unwritable folder, full disk, bad font setup)."""
