"""Check the user's stylesheet (--css) before any book is made: it goes into every one of them."""

from __future__ import annotations

from pathlib import Path

from exporter.errors import EpaperError


def check_stylesheet(path: Path) -> list[str]:
    """Refuse a stylesheet that is not UTF-8 text; return warnings for its CSS syntax errors."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise EpaperError(f"--css {path}: cannot read it: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EpaperError(f"--css {path}: not a stylesheet (not UTF-8 text at byte {exc.start})") from None
    if "\x00" in text:
        raise EpaperError(f"--css {path}: not a stylesheet (binary data)")
    import tinycss2  # WeasyPrint's CSS parser: only loaded when a stylesheet is given.

    errors = []
    for rule in tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True):
        if rule.type == "error":
            errors.append(rule)
        elif rule.type == "qualified-rule":
            inner = tinycss2.parse_blocks_contents(rule.content, skip_comments=True, skip_whitespace=True)
            errors.extend(d for d in inner if d.type == "error")
    return [
        f"{path}:{e.source_line}: CSS syntax error ({e.message}); readers and the PDF ignore that part" for e in errors
    ]
