"""Find the image file a source refers to, refusing paths that leave the source folder."""

from __future__ import annotations

import os
import re
import stat
from functools import lru_cache
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

from exporter.images import MAX_IMAGE_BYTES
from exporter.sources.decoding import kind

_SCHEME_RE = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:")


@lru_cache(maxsize=64)
def resolved_root(root: Path) -> Path:
    """Resolve a source folder once: every image and symlink check compares against it."""
    return root.resolve()


def resolve_image(src: str, folder: Path, root: Path, absolute: bool = False) -> tuple[str | None, str | None]:
    """Return (absolute path, None) for a usable image reference, or (None, why it is refused).

    The one rule for every path that comes from content: it resolves inside the source folder the
    user named, names a regular file, and that file is small enough to be a photo. An `absolute`
    path (normalized JSON stores them) is allowed only under that same folder.
    """
    if "\x00" in src:
        return None, f"image {src[:80]!r} holds a NUL character: refused"
    if absolute and src.startswith("/"):
        return _checked(src, Path(src), root)
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
    return _checked(src, folder / PurePosixPath(relative.replace("\\", "/")), root)


def _checked(src: str, target: Path, root: Path) -> tuple[str | None, str | None]:
    try:
        resolved = target.resolve(strict=False)
        inside = resolved.is_relative_to(resolved_root(root))
    except (OSError, RuntimeError, ValueError):
        return None, f"image {src[:80]!r} cannot be resolved"
    if not inside:
        return None, f"image {src[:80]!r} points outside the source folder: refused"
    try:
        info = os.stat(resolved)
    except OSError:
        return None, f"missing image {src[:80]!r}"
    if not stat.S_ISREG(info.st_mode):
        return None, f"image {src[:80]!r} is {kind(info.st_mode)}, not an image file: refused"
    if info.st_size > MAX_IMAGE_BYTES:
        return None, f"image {src[:80]!r} is {info.st_size // 1048576} MiB, over the {MAX_IMAGE_BYTES >> 20} MiB limit"
    return str(resolved), None
