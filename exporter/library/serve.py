"""`epaper serve OUT`: the library page, the OPDS catalog and the books, read-only, over HTTP.

Starlette's StaticFiles does the file serving (ETag, If-None-Match → 304, Range → 206, refusing paths
whose real location is outside OUT — `..`, `%2e%2e` and symlinks alike); uvicorn runs it. Added here:
the catalog's media types, hidden files kept hidden, OPDS search, and optional HTTP basic auth.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import os
import secrets
from pathlib import Path
from typing import Any

from exporter.errors import EpaperError
from exporter.library import catalog, opds

PASSWORD_ENV = "EPAPER_SERVE_PASSWORD"

_TYPES = {
    ".epub": "application/epub+zip",
    ".pdf": "application/pdf",
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".jpg": "image/jpeg",
}


def media_type(path: str) -> str | None:
    """The Content-Type for a file of the library (None: let Starlette guess)."""
    name = path.replace(os.sep, "/")
    suffix = os.path.splitext(name)[1].lower()
    if name.startswith(f"{catalog.FEEDS}/"):
        if name.endswith("opensearch.xml"):
            return opds.OPENSEARCH
        if suffix == ".xml":
            return opds.ATOM
        if suffix == ".json":
            return opds.OPDS2
    return _TYPES.get(suffix)


def app(out: Path, user: str | None = None, password: str | None = None) -> Any:
    """Build the ASGI application serving OUT (basic auth when `user` is given)."""
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import PlainTextResponse, Response
    from starlette.routing import Mount, Route
    from starlette.staticfiles import StaticFiles
    from starlette.types import Receive, Scope, Send

    class LibraryFiles(StaticFiles):
        """StaticFiles with the catalog's media types and no dot-files (manifest, send record, .part files)."""

        def get_path(self, scope: Scope) -> str:
            path = super().get_path(scope)
            if any(part.startswith(".") for part in Path(path).parts):
                return "/.hidden"  # Absolute: lookup_path refuses it, so the answer is 404.
            return path

        def file_response(
            self, full_path: Any, stat_result: os.stat_result, scope: Scope, status_code: int = 200
        ) -> Response:
            response = super().file_response(full_path, stat_result, scope, status_code)
            kind = media_type(os.path.relpath(full_path, self.directory or "."))
            if kind and response.status_code != 304:
                response.headers["content-type"] = kind
            return response

    async def search(request: Request) -> Response:
        query = request.query_params.get("q", "")
        books = _matching(out, query)
        feed = opds.Feed(
            f"{catalog.FEEDS}/search",
            f"搜索：{query}",
            "acquisition",
            max((b.updated for b in books), default=dt.datetime(2000, 1, 1, tzinfo=dt.UTC)),
            [opds.book_entry(b, f"{catalog.FEEDS}/search") for b in books],
            up=f"{catalog.FEEDS}/root",
        )
        if request.url.path.endswith(".json"):
            return Response(opds.opds2(feed), media_type=opds.OPDS2)
        return Response(opds.atom(feed), media_type=opds.ACQUISITION)

    routes = [
        Route(f"/{catalog.FEEDS}/search.xml", search),
        Route(f"/{catalog.FEEDS}/search.json", search),
        Mount("/", LibraryFiles(directory=out, html=True, follow_symlink=False)),
    ]
    application: Any = Starlette(routes=routes)
    if user is None:
        return application
    expected = f"{user}:{password or ''}".encode()

    async def guarded(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not _authorized(scope, expected):
            response = PlainTextResponse(
                "authentication required\n", 401, headers={"WWW-Authenticate": 'Basic realm="epaper", charset="UTF-8"'}
            )
            await response(scope, receive, send)
            return
        await application(scope, receive, send)

    return guarded


def _authorized(scope: Any, expected: bytes) -> bool:
    for name, value in scope.get("headers", []):
        if name == b"authorization" and value[:6].lower() == b"basic ":
            try:
                given = base64.b64decode(value[6:].strip(), validate=True)
            except (binascii.Error, ValueError):
                return False
            return secrets.compare_digest(given, expected)
    return False


def _matching(out: Path, query: str) -> list[catalog.Book]:
    """Books whose paper, date, title or an article title holds every word of the query (at most 100)."""
    try:
        data = json.loads((out / catalog.SHELF).read_text(encoding="utf-8"))["books"]
    except (OSError, ValueError, KeyError, TypeError):
        return []
    words = query.lower().split()
    found = []
    for entry in data.values():
        book = catalog.from_shelf(dict(entry))
        text = " ".join([book.paper, book.stem, book.stem.replace("-", ""), book.title, *book.articles]).lower()
        if words and all(w in text for w in words):
            found.append(book)
    found.sort(key=lambda b: (b.first, b.folder), reverse=True)
    return found[:100]


def serve(out: Path, host: str, port: int, user: str | None = None, quiet: bool = False) -> None:
    """Serve OUT until interrupted. With `user`, the password is read from $EPAPER_SERVE_PASSWORD."""
    if not out.is_dir():
        raise EpaperError(f"{out}: no such folder")
    password = None
    if user is not None:
        password = os.environ.get(PASSWORD_ENV)
        if not password:
            raise EpaperError(f"--user {user}: set the password in the environment variable {PASSWORD_ENV}")
    if not (out / "index.html").is_file() and not quiet:
        print(f"epaper: warning: {out}/index.html is missing: run `epaper library {out}` first", flush=True)
    import socket

    import uvicorn

    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    where = f"[{host}]" if ":" in host else host
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise EpaperError(f"{where}:{port}: cannot listen there: {exc.strerror or exc}") from None
    port = sock.getsockname()[1]  # --port 0 takes a free one: say which.
    if not quiet:
        print(
            f"epaper: serving {out} at http://{where}:{port}/ (OPDS: http://{where}:{port}/opds/root.xml)", flush=True
        )
    else:
        print(f"http://{where}:{port}/", flush=True)
    config = uvicorn.Config(
        app(out.resolve(), user, password),
        log_level="warning" if quiet else "info",
        access_log=not quiet,
        server_header=False,
    )
    uvicorn.Server(config).run(sockets=[sock])
