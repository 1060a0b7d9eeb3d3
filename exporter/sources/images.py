"""Find the image file a source refers to, refusing paths that leave the source folder."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@lru_cache(maxsize=64)
def resolved_root(root: Path) -> Path:
    """Resolve a source folder once: every image and symlink check compares against it."""
    return root.resolve()


def resolve_image(src: str, folder: Path, root: Path) -> tuple[str | None, str | None]:
    """Return (absolute path, None) for a usable image reference, or (None, why it is refused)."""
    if _SCHEME_RE.match(src) and not re.match(r"^[a-zA-Z]:[\\/]", src):
        return None, f"image {src[:80]!r} is a URL, not a saved file: not fetched"
    relative = unquote(src.split("#", 1)[0].split("?", 1)[0])
    if not relative:
        return None, f"image {src[:80]!r} names no file"
    if relative.startswith(("/", "\\")) or re.match(r"^[a-zA-Z]:[\\/]", relative) or "\x00" in relative:
        return (
            None,
            f"image {src[:80]!r} is an absolute path: refused, only paths inside the sources are embedded",
        )
    target = folder / PurePosixPath(relative.replace("\\", "/"))
    try:
        resolved = target.resolve(strict=False)
        inside = resolved.is_relative_to(resolved_root(root))
    except (OSError, RuntimeError, ValueError):
        return None, f"image {src[:80]!r} cannot be resolved"
    if not inside:
        return None, f"image {src[:80]!r} points outside the source folder: refused"
    if not resolved.is_file():
        return None, f"missing image {src[:80]!r}"
    return str(resolved), None
