"""Where the built-in templates and styles live: inside the wheel, or beside the package in a checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """Return the built-in `templates` or `styles` folder."""
    for candidate in (_PACKAGE / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"epaper is installed without its {name}/ folder ({_PACKAGE})")


def templates_dir() -> Path:
    return resource_dir("templates")


def styles_dir() -> Path:
    return resource_dir("styles")
