"""Check the user's stylesheet (--css) before any book is made: it goes into every one of them.

What reaches the books is a cleaned copy: `@import` of a local file under the stylesheet's folder
is inlined; every other `@import` (the network, file:///etc/passwd, a path leaving the folder) and
every `url()` (the EPUB carries no file the stylesheet names, and the PDF must fetch nothing) is
dropped with a warning naming the line. So an export that exits 0 always passes `epaper check`.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from exporter.errors import EpaperError, printable
from exporter.sources.decoding import read_regular

if TYPE_CHECKING:
    from tinycss2.ast import Node

MAX_CSS_BYTES = 4 << 20  # A stylesheet of a few kB is usual; a larger one is no stylesheet.
MAX_IMPORT_DEPTH = 8
_NESTED_RULES = {"media", "supports", "layer", "container", "document", "-moz-document", "scope", "starting-style"}
_URL_FUNCTIONS = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade", "-webkit-cross-fade"}
_DROPPED = "dropped: the EPUB carries no file a stylesheet names, and the PDF fetches nothing"


def check_stylesheet(path: Path) -> list[str]:
    """Refuse a stylesheet that is not UTF-8 text; return warnings for its CSS syntax errors and what is dropped."""
    return clean_stylesheet(path)[1]


def clean_stylesheet(path: Path) -> tuple[str | None, list[str]]:
    """Return the stylesheet the books get (imports inlined, URLs dropped; None if the user's own will do)
    and the warnings saying what changed."""
    warnings: list[str] = []
    cleaner = _Cleaner(warnings)
    text = cleaner.sheet(path, depth=0, seen=frozenset())
    return (text if cleaner.changed else None), warnings


def stylesheet_for_books(path: Path) -> Path:
    """Return the file the writers read: the user's own when nothing had to change, else the cleaned copy.

    The copy lives in a private temporary folder removed when epaper exits (worker processes read it too).
    """
    text = clean_stylesheet(path)[0]
    if text is None:  # Byte for byte the user's file, comments and all.
        return path
    folder = Path(tempfile.mkdtemp(prefix="epaper-css-"))
    atexit.register(shutil.rmtree, folder, True)
    copy = folder / path.name
    copy.write_text(text, encoding="utf-8")
    return copy


def _read(path: Path, label: str) -> str:
    try:
        data = read_regular(path, MAX_CSS_BYTES)
    except OSError as exc:
        raise EpaperError(f"--css {printable(label)}: cannot read it: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EpaperError(f"--css {printable(label)}: not a stylesheet (not UTF-8 text at byte {exc.start})") from None
    if "\x00" in text:
        raise EpaperError(f"--css {printable(label)}: not a stylesheet (binary data)")
    return text


class _Cleaner:
    def __init__(self, warnings: list[str]) -> None:
        self.warnings = warnings
        self.file = ""
        self.changed = False  # Something dropped or inlined: the books need the cleaned copy.

    def sheet(self, path: Path, depth: int, seen: frozenset[Path]) -> str:
        import tinycss2  # WeasyPrint's CSS parser: only loaded when a stylesheet is given.

        text = _read(path, str(path))
        outer, self.file = self.file, str(path)
        rules = tinycss2.parse_stylesheet(text, skip_comments=True, skip_whitespace=True)
        out = "".join(self._rule(rule, path, depth, seen | {path.resolve()}) for rule in rules)
        self.file = outer
        return out

    def warn(self, node: Any, message: str) -> None:
        self.changed = self.changed or "dropped" in message
        self.warnings.append(f"{printable(self.file)}:{node.source_line}: {printable(message)}")

    def _rule(self, rule: Node, path: Path, depth: int, seen: frozenset[Path]) -> str:
        import tinycss2

        if rule.type == "error":
            self.warn(rule, f"CSS syntax error ({rule.message}); readers and the PDF ignore that part")
            return ""
        if rule.type == "qualified-rule":
            return f"{tinycss2.serialize(rule.prelude)}{{{self._block(rule.content)}}}"
        if rule.type != "at-rule":
            return ""
        keyword = rule.lower_at_keyword
        prelude = tinycss2.serialize(rule.prelude)
        if keyword == "import":
            return self._import(rule, path, depth, seen)
        if rule.content is None:
            if _has_url(rule.prelude) and keyword != "namespace":
                self.warn(rule, f"@{keyword} naming a URL {_DROPPED}")
                return ""
            return f"@{rule.at_keyword}{prelude};"
        if keyword in _NESTED_RULES or keyword.endswith("keyframes"):
            inner = tinycss2.parse_rule_list(rule.content, skip_comments=True, skip_whitespace=True)
            body = "".join(self._rule(r, path, depth, seen) for r in inner)
            return f"@{rule.at_keyword}{prelude}{{{body}}}"
        body = self._block(rule.content)
        if keyword == "font-face" and "src:" not in body:
            self.warn(rule, "@font-face without a local font left: dropped")
            return ""
        return f"@{rule.at_keyword}{prelude}{{{body}}}"

    def _block(self, content: list[Node]) -> str:
        """Return the declarations of a block (and its nested at-rules such as @top-center), URLs dropped."""
        import tinycss2

        parts = []
        for node in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
            if node.type == "declaration":
                if _has_url(node.value):
                    value = tinycss2.serialize(node.value).strip()
                    self.warn(node, f"{node.name}: {value[:80]} {_DROPPED}")
                    continue
                parts.append(node.serialize())
            elif node.type == "error":
                self.warn(node, f"CSS syntax error ({node.message}); readers and the PDF ignore that part")
            elif node.type == "at-rule":
                if node.lower_at_keyword == "import":
                    self.warn(node, "@import inside a block is not CSS: dropped")
                    continue
                prelude = tinycss2.serialize(node.prelude)
                if node.content is None:
                    parts.append(f"@{node.at_keyword}{prelude}")
                else:
                    parts.append(f"@{node.at_keyword}{prelude}{{{self._block(node.content)}}}")
            elif node.type == "qualified-rule":  # CSS nesting.
                parts.append(f"{tinycss2.serialize(node.prelude)}{{{self._block(node.content)}}}")
        return ";".join(parts)

    def _import(self, rule: Any, path: Path, depth: int, seen: frozenset[Path]) -> str:
        import tinycss2

        tokens = [t for t in rule.prelude if t.type not in ("whitespace", "comment")]
        target = _url_of(tokens[0]) if tokens else None
        rest = tinycss2.serialize(tokens[1:]).strip() if tokens else ""
        if target is None:
            self.warn(rule, "@import names no stylesheet: dropped")
            return ""
        why = _local_problem(target, path.parent)
        if why is None and depth >= MAX_IMPORT_DEPTH:
            why = f"imports nested more than {MAX_IMPORT_DEPTH} deep"
        file = (path.parent / target).resolve() if why is None else None
        if file is not None and file in seen:
            why = "imports itself (a loop)"
        if why is not None or file is None:
            self.warn(rule, f"@import {target[:80]!r} {why}: dropped")
            return ""
        if rest.lower().startswith(("layer", "supports")):
            self.warn(rule, f"@import {target[:80]!r} with {rest.split('(')[0]}: dropped (only media queries are kept)")
            return ""
        self.changed = True
        inner = self.sheet(file, depth + 1, seen)
        return f"@media {rest}{{{inner}}}" if rest else inner


def _url_of(token: Any) -> str | None:
    if token.type in ("string", "url"):
        return str(token.value)
    if token.type == "function" and token.lower_name == "url":
        strings = [a for a in token.arguments if a.type == "string"]
        return str(strings[0].value) if strings else None
    return None


def _local_problem(target: str, folder: Path) -> str | None:
    """Say why an @import target is not a local stylesheet under `folder` (None if it is one)."""
    if ":" in target.split("/", 1)[0] or target.startswith("//"):
        return "is a URL, not a file beside the stylesheet: not fetched"
    if target.startswith(("/", "\\")) or "\x00" in target:
        return "is an absolute path: only files under the stylesheet's folder are read"
    try:
        resolved = (folder / target).resolve()
    except (OSError, RuntimeError, ValueError):
        return "cannot be resolved"
    if not resolved.is_relative_to(_root(folder)):
        return "points outside the stylesheet's folder"
    if not resolved.is_file():
        return "is not a regular file" if resolved.exists() else "does not exist"
    return None


@cache
def _root(folder: Path) -> Path:
    return folder.resolve()


def _has_url(tokens: list[Any] | None) -> bool:
    """Say whether a value names a file or address anywhere in it (url(), image-set("…"), nested blocks)."""
    for token in tokens or []:
        if token.type == "url":
            return True
        if token.type == "function":
            if token.lower_name in _URL_FUNCTIONS or _has_url(token.arguments):
                return True
        elif token.type in ("() block", "[] block", "{} block") and _has_url(token.content):
            return True
    return False
