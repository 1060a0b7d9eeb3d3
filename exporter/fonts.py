"""Find the CJK fonts the books are set in, through fontconfig."""

from __future__ import annotations

import shutil
import subprocess
import threading
from dataclasses import dataclass
from functools import cache

from exporter.errors import OutputError

SERIF = "Noto Serif CJK SC"  # Body text.
SANS = "Noto Sans CJK SC"  # Headings.
INSTALL_HINT = "install the Debian package fonts-noto-cjk (apt-get install fonts-noto-cjk)"


@dataclass(frozen=True, slots=True)
class FontFace:
    """An installed face: the file and the face's index in it."""

    family: str
    file: str
    index: int  # Face inside a .ttc collection.


@cache
def _installed() -> tuple[tuple[str, int, tuple[str, ...], tuple[str, ...]], ...]:
    """List every installed face once per process: (file, index, families, styles)."""
    if shutil.which("fc-list") is None:
        return ()
    try:
        out = subprocess.run(
            ["fc-list", "-f", "%{file}|%{index}|%{family}|%{style}\n"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    faces = []
    for line in out.splitlines():
        parts = line.split("|")
        if len(parts) == 4 and parts[1].isdigit():
            faces.append((parts[0], int(parts[1]), tuple(parts[2].split(",")), tuple(parts[3].split(","))))
    return tuple(sorted(faces))


_listing: threading.Thread | None = None


def list_early() -> None:
    """Start fc-list in the background: it runs while the command imports what it needs."""
    global _listing
    if _listing is None:
        _listing = threading.Thread(target=_installed, daemon=True)
        _listing.start()


@cache
def find(family: str, style: str = "Regular") -> FontFace | None:
    """Return the installed face of `family` in `style`, or None when fontconfig has no such face."""
    if _listing is not None:
        _listing.join()  # One fc-list per process: wait for the early one rather than start another.
    for file, index, families, styles in _installed():
        if family in families and style in styles:
            return FontFace(family, file, index)
    return None


def require(family: str, style: str = "Regular") -> FontFace:
    """Return the face or fail with the one line that says how to install it."""
    face = find(family, style)
    if face is None:
        raise OutputError(f"font {family} ({style}) is not installed: {INSTALL_HINT}")
    return face


def require_cjk() -> None:
    """Fail clearly, before any work, when the CJK faces the books use are missing (boxes otherwise)."""
    for family, style in ((SERIF, "Regular"), (SERIF, "Bold"), (SANS, "Regular"), (SANS, "Bold")):
        require(family, style)
