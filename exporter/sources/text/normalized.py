"""Reader for normalized JSON, the form `epaper inspect --json` prints."""

from __future__ import annotations

import json
from pathlib import Path

from exporter import normalized
from exporter.errors import InputError
from exporter.sources.base import ReadOptions, ReadResult
from exporter.sources.decoding import read_text

NAME = "normalized JSON"


def sniff(head: str) -> bool:
    return head.lstrip("\ufeff \n").startswith("{") and normalized.FORMAT in head


def read(path: Path, display: str, options: ReadOptions, root: Path) -> ReadResult:
    text = read_text(path, display).lstrip("\ufeff")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(display, f"bad JSON: {exc.msg}", line=exc.lineno) from None
    except RecursionError:
        raise InputError(display, "bad JSON: nested too deeply") from None
    try:
        papers, articles = normalized.load(data)
        facsimiles = normalized.load_facsimiles(data)
    except normalized.FormatError as exc:
        raise InputError(display, str(exc)) from None
    # Photos are named by absolute path, as checked when the original sources were read; one that is
    # gone now is dropped by the writer with a warning. Treat a JSON from someone else like a script.
    return ReadResult(tuple(articles), (), tuple(papers), facsimiles=tuple(facsimiles))
