"""Where a fetched URL is saved inside its date folder: the site's own path, made safe.

The site's relative paths are kept (html/2024-12/25/node_1.htm, pic/…), so the links between saved
pages still resolve. A name never leaves the date folder: no `..`, no absolute path, no drive, no
characters or names Windows refuses, each part and the whole length-limited.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import PurePosixPath
from urllib.parse import unquote, urlsplit

_UNSAFE_RE = re.compile(r'[\x00-\x1f\x7f<>:"|?*\\/]')  # "/" too: %2F decodes inside one part.
_RESERVED_RE = re.compile(r"^(?:con|prn|aux|nul|com[0-9]|lpt[0-9])(?:\..*)?$", re.I)
PART_BYTES = 120  # Well under the 255 bytes most file systems allow, with room for a temporary suffix.
MAX_PARTS = 24
# Device names (CON, AUX …) are renamed only on Windows, where they cannot be files: elsewhere the
# site's own name is kept, since Founder's pc/con/ folder must stay pc/con/ for the links to resolve.
WINDOWS = os.name == "nt"
OTHER_HOSTS = "_hosts"  # Files from an image or PDF host other than the site's own go below this folder.


def local_path(url: str, site_host: str, windows: bool = WINDOWS) -> PurePosixPath | None:
    """Return the path (relative, POSIX) to save `url` under, or None when it cannot be made safe."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    names = [unquote(p) for p in parts.path.split("/")]
    if not names[-1]:
        names[-1] = "index.html"  # A folder URL.
    if host != site_host.lower():
        names = [OTHER_HOSTS, host + (f"_{parts.port}" if parts.port else ""), *names]
    safe = [safe_name(n, windows) for n in names if n not in ("", ".")]
    if not safe or ".." in names or len(safe) > MAX_PARTS:
        return None
    return PurePosixPath(*safe)


def safe_name(name: str, windows: bool = WINDOWS) -> str:
    cleaned = _UNSAFE_RE.sub("_", name).rstrip(" .") or "_"
    if windows and _RESERVED_RE.match(cleaned):
        cleaned = "_" + cleaned
    if len(cleaned.encode("utf-8")) > PART_BYTES:  # Keep the suffix, shorten the stem, stay unique.
        stem, dot, suffix = cleaned.rpartition(".")
        if not dot or len(suffix) > 10:
            stem, suffix = cleaned, ""
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:12]
        room = PART_BYTES - len(digest) - len(suffix) - 2
        short = stem.encode("utf-8")[:room].decode("utf-8", "ignore")
        cleaned = f"{short}-{digest}" + (f".{suffix}" if suffix else "")
    return cleaned
