"""What a PDF export checks before any work, without importing WeasyPrint (a no-op re-run stays fast)."""

from __future__ import annotations

import ctypes.util
import re

from exporter import fonts
from exporter.errors import EpaperError

PAGE_SIZES = {"A4": (210, 297), "A5": (148, 210), "B5": (176, 250), "LETTER": (215.9, 279.4)}
_CUSTOM_SIZE_RE = re.compile(r"^(\d{2,4}(?:\.\d+)?)\s*[x×]\s*(\d{2,4}(?:\.\d+)?)\s*mm$", re.IGNORECASE)


def check_page_size(value: str) -> tuple[float, float]:
    """Return (width, height) in mm for A4|A5|B5|Letter|WxHmm, or fail with a one-line error."""
    named = PAGE_SIZES.get(value.upper())
    if named:
        return named
    m = _CUSTOM_SIZE_RE.match(value.strip())
    if m:
        width, height = float(m.group(1)), float(m.group(2))
        if 50 <= width <= 1200 and 50 <= height <= 1200:
            return width, height
        raise EpaperError(f"--page-size {value!r}: each side must be 50 to 1200 mm (A5 is 148x210mm)")
    raise EpaperError(f"--page-size {value!r}: expected A4, A5, B5, Letter or WxHmm such as 185x260mm")


def preflight() -> list[str]:
    """Fail before any work when the CJK fonts are missing; return warnings about slow paths."""
    fonts.require_cjk()
    # WeasyPrint looks for the same library; without it, it subsets fonts with fontTools.
    if ctypes.util.find_library("harfbuzz-subset") is None:
        return [
            "HarfBuzz subsetting is missing, WeasyPrint falls back to fontTools (about 10x slower): "
            "install the Debian package libharfbuzz-subset0"
        ]
    return []
