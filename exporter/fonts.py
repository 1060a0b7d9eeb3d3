"""Find the CJK fonts the books are set in, through fontconfig."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from functools import cache

from exporter.errors import OutputError

SERIF = "Noto Serif CJK SC"  # Body text.
SANS = "Noto Sans CJK SC"  # Headings.
INSTALL_HINT = "install the Debian package fonts-noto-cjk (apt-get install fonts-noto-cjk)"


@dataclass(frozen=True, slots=True)
class FontFace:
    family: str
    file: str
    index: int  # Face inside a .ttc collection.


@cache
def find(family: str, style: str = "Regular") -> FontFace | None:
    """Return the installed face of `family`, or None when fontconfig only has a substitute."""
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}|%{index}|%{family}", f"{family}:style={style}"],
            capture_output=True,
            text=True,
            timeout=20,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    file, _, rest = out.partition("|")
    index, _, families = rest.partition("|")
    if family not in families.split(","):
        return None
    return FontFace(family, file, int(index or 0))


def require(family: str, style: str = "Regular") -> FontFace:
    """Return the face or fail with the one line that says how to install it."""
    face = find(family, style)
    if face is None:
        raise OutputError(f"font {family} ({style}) is not installed: {INSTALL_HINT}")
    return face


def require_cjk() -> None:
    """Fail clearly, before any work, when the CJK fonts are missing (a PDF would show boxes)."""
    for family in (SERIF, SANS):
        require(family)
