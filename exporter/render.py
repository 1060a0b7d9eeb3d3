"""The Jinja2 environment: the user's template folder first, then the built-in templates.

Like Pelican and Sphinx themes: a file in --templates DIR replaces the built-in template of
the same name, and a user template can `{% extends "!base/epub/article.xhtml.j2" %}` to
change one block of the built-in one.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from collections.abc import Callable
from functools import cache
from pathlib import Path

import jinja2
import jinja2.sandbox
from jinja2.loaders import split_template_path

from exporter import __version__
from exporter.errors import EpaperError
from exporter.resources import templates_dir
from exporter.tidy import dashless
from exporter.writers.squeeze import squeeze


def _bytecode_cache() -> jinja2.BytecodeCache | None:
    """Keep compiled templates between runs (keyed by source checksum); none if no cache folder is writable."""
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    folder = base / "epaper" / f"jinja-{__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    if not os.access(folder, os.W_OK):  # A cache we cannot write would fail every book.
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))


MAX_TEMPLATE_BYTES = 1 << 20  # A template is a page of markup, not a megabyte.


class ConfinedLoader(jinja2.FileSystemLoader):
    """Load templates only from regular files inside the folder: a symlink out of it (to /etc/passwd),
    a FIFO or a device named like a template is refused, never read."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        for folder in self.searchpath:
            path = Path(folder, *split_template_path(template))
            if not os.path.lexists(path):
                continue
            root = Path(folder).resolve()
            try:
                resolved = path.resolve()
                info = resolved.stat()
            except (OSError, RuntimeError):
                raise EpaperError(f"template {path}: cannot be read (a broken or looping link)") from None
            if not resolved.is_relative_to(root):
                raise EpaperError(f"template {path}: a link to {resolved}, outside the template folder: refused")
            if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_TEMPLATE_BYTES:
                raise EpaperError(f"template {path}: not a regular file of at most 1 MiB: refused")
            break
        return super().get_source(environment, template)


@cache
def environment(user_templates: Path | None = None) -> jinja2.Environment:
    """Return the (cached, per worker) environment for a template override folder.

    With the user's templates it is Jinja2's sandbox: a template may read the book it is given and
    use filters and tests, but never reach Python's internals (`cycler.__init__.__globals__` …).
    """
    builtin = jinja2.FileSystemLoader(str(templates_dir()))
    loaders: list[jinja2.BaseLoader] = [jinja2.PrefixLoader({"!base": builtin}, delimiter="/")]
    if user_templates is not None:
        loaders.append(ConfinedLoader(str(user_templates)))
    loaders.append(builtin)
    kind = jinja2.Environment if user_templates is None else jinja2.sandbox.SandboxedEnvironment
    env = kind(
        loader=jinja2.ChoiceLoader(loaders),
        autoescape=True,  # Every template writes XHTML: text that looks like markup stays text.
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        extensions=["jinja2.ext.do"],
        bytecode_cache=_bytecode_cache(),
    )
    env.filters["squeeze"] = squeeze  # 标点挤压 markup for text set in the book.
    env.tests["dashless"] = dashless  # A 副题 whose 「——」 the stylesheet prints.
    env.filters["ems"] = ems  # How long a text is set, in em: a one-line paragraph is kept with the next.
    return env


def ems(text: str | None) -> float:
    """Return the width of `text` set solid, in em: one for wide and ambiguous characters (汉字, CJK
    punctuation, “”), half for the rest (digits, Latin, spaces)."""
    return sum(1.0 if unicodedata.east_asian_width(c) in "WFA" else 0.5 for c in text or "")


def render(name: str, user_templates: Path | None = None, **context: object) -> str:
    """Render one template by name (e.g. epub/page.xhtml.j2); template mistakes become one-line errors."""
    try:
        return environment(user_templates).get_template(name).render(**context)
    except jinja2.TemplateNotFound as exc:
        raise EpaperError(f"template {exc.name} not found (in {user_templates or 'the built-in templates'})") from None
    except jinja2.TemplateSyntaxError as exc:
        raise EpaperError(f"{exc.filename or exc.name}:{exc.lineno}: template error: {exc.message}") from None
    except EpaperError:  # A template the loader refused, named by the loader.
        raise
    except jinja2.sandbox.SecurityError as exc:
        raise EpaperError(f"{_template_place(exc) or f'template {name}'}: not allowed in a template: {exc}") from None
    except jinja2.TemplateError as exc:
        raise EpaperError(f"{_template_place(exc) or f'template {name}'}: template error: {exc}") from None
    except Exception as exc:  # {{ 1/0 }} and the like in a user's template: theirs to fix, not a bug here.
        place = _template_place(exc)
        if place is None:
            raise
        raise EpaperError(f"{place}: template error: {type(exc).__name__}: {exc}") from None


def _template_place(exc: BaseException) -> str | None:
    """Return FILE:LINE of the innermost template frame (Jinja maps its frames to the .j2 source)."""
    place = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename.endswith(".j2"):
            place = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}"
        tb = tb.tb_next
    return place
