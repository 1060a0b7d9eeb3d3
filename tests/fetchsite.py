"""Replicas of e-paper sites for `epaper fetch` tests: files served by a real HTTP server in a thread, with faults.

A generated issue (Founder classic or pc layout) says what it holds — pages, their articles, images,
page pictures and PDFs — so tests count from the replica's own data, never from the code under test.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

TYPES = {".htm": "text/html", ".html": "text/html", ".jpg": "image/jpeg", ".pdf": "application/pdf", ".txt": "text/plain"}


@dataclass
class Fault:
    """What to do instead of serving a file, once."""

    kind: str  # status, stall, short, redirect, bomb, huge, body
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    seconds: float = 0.0
    size: int = 0


class Site:
    """Files by URL path, faults by URL path (served in turn before the file), and a log of requests."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.faults: dict[str, list[Fault]] = {}
        self.log: list[tuple[str, dict[str, str]]] = []
        self.delay = 0.0  # Per request, to make a run slow enough to interrupt.
        self.lock = threading.Lock()
        self.server: ThreadingHTTPServer | None = None

    @property
    def base(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def requests(self, path: str) -> int:
        return sum(1 for p, _ in self.log if p == path)

    def start(self) -> Site:
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with site.lock:
                    site.log.append((path, {k.lower(): v for k, v in self.headers.items()}))
                    queue = site.faults.get(path)
                    fault = queue.pop(0) if queue else None
                if site.delay:
                    time.sleep(site.delay)
                try:
                    if fault is not None:
                        self._fault(fault, path)
                    elif path in site.files:
                        self._file(site.files[path], path)
                    else:
                        self._send(404, b"<html><body>404 Not Found</body></html>", {"Content-Type": "text/html"})
                except (BrokenPipeError, ConnectionResetError):
                    pass

            def _file(self, body: bytes, path: str) -> None:
                etag = '"' + hashlib.sha256(body).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    self._send(304, b"", {"ETag": etag})
                    return
                kind = TYPES.get(Path(path).suffix.lower(), "application/octet-stream")
                self._send(200, body, {"Content-Type": kind, "ETag": etag})

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def _fault(self, fault: Fault, path: str) -> None:
                if fault.kind == "status":
                    self._send(fault.status, fault.body, {"Content-Type": "text/html", **fault.headers})
                elif fault.kind == "body":  # 200 with another body (an error page).
                    self._send(200, fault.body, {"Content-Type": "text/html"})
                elif fault.kind == "redirect":
                    self._send(fault.status or 302, b"", {"Location": fault.headers["Location"]})
                elif fault.kind == "stall":
                    body = site.files.get(path, b"")
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[:10])
                    self.wfile.flush()
                    time.sleep(fault.seconds)
                    self.close_connection = True
                elif fault.kind == "short":
                    body = site.files.get(path, b"")
                    self.send_response(200)
                    self.send_header("Content-Length", str(len(body) + 1000))
                    self.end_headers()
                    self.wfile.write(body)
                    self.close_connection = True
                elif fault.kind == "bomb":  # Small on the wire, `size` bytes once decompressed.
                    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
                    zero = bytes(1 << 20)
                    data = b"".join(packer.compress(zero) for _ in range(fault.size >> 20)) + packer.flush()
                    self._send(200, data, {"Content-Type": "image/jpeg", "Content-Encoding": "gzip"})
                elif fault.kind == "huge":  # `size` bytes, streamed without a Content-Length.
                    self.send_response(200)
                    self.send_header("Content-Type", "image/jpeg")
                    self.send_header("Transfer-Encoding", "chunked")
                    self.end_headers()
                    chunk = bytes(1 << 20)
                    try:
                        for _ in range(fault.size >> 20):
                            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                        self.wfile.write(b"0\r\n\r\n")
                    except (BrokenPipeError, ConnectionResetError):
                        pass
                    self.close_connection = True

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


# --- generated issues -------------------------------------------------------------------------


@dataclass
class Issue:
    """What a generated issue holds, as a reader of the paper would count it."""

    date: dt.date
    pages: dict[str, list[str]]  # Page label → article titles in printed order.
    files: dict[str, bytes]  # URL path → body, everything the crawl should save.
    first_page: str  # URL path of the first page index.


def jpeg(seed: int, size: tuple[int, int] = (48, 32)) -> bytes:
    image = Image.new("RGB", size, ((seed * 47) % 256, (seed * 91) % 256, (seed * 13) % 256))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=70)
    return out.getvalue()


def pdf(label: str) -> bytes:
    return b"%PDF-1.4\n% page " + label.encode() + b"\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def founder_issue(
    day: dt.date,
    *,
    pc: bool = False,
    prefix: str = "",
    paper: str = "青山日报",
    pages: int = 4,
    per_page: int = 6,
    images: int = 1,
    first_id: int = 1000,
    charset: str = "utf-8",
) -> Issue:
    """Generate one issue in the Founder classic (html/YYYY-MM/DD/node_N.htm) or pc layout."""
    if pc:
        layout = f"{prefix}/pc/layout/{day:%Y%m}/{day:%d}"
        content = f"{prefix}/pc/content/{day:%Y%m}/{day:%d}"
        pics = f"{prefix}/pc/pic/{day:%Y%m}/{day:%d}"
        node, art, up = "node_{:02d}.html", "content_{}.html", "../../../"
        to_content = f"../../../content/{day:%Y%m}/{day:%d}/"
    else:
        layout = content = f"{prefix}/html/{day:%Y-%m}/{day:%d}"
        pics = f"{prefix}/pic/{day:%Y-%m}/{day:%d}"
        node, art, up = "node_{}.htm", "content_{}.htm", "../../../"
        to_content = ""
    pic_rel = up + pics.removeprefix(prefix + ("/pc/" if pc else "/"))
    files: dict[str, bytes] = {}
    titles: dict[str, list[str]] = {}
    number = first_id
    page_list = "".join(
        f'<div><a id="pageLink" href="{node.format(p)}">第{p:02d}版：{_name(p)}</a></div>' for p in range(1, pages + 1)
    )
    for p in range(1, pages + 1):
        label = f"{p:02d}"
        items, areas = [], []
        titles[label] = []
        for k in range(per_page):
            number += 1
            title = f"{paper}{day:%m月%d日}第{label}版第{k + 1}篇稿件"
            titles[label].append(title)
            href = to_content + art.format(number)
            items.append(f'<li><a href="{href}?div=-1">{title}</a></li>')
            areas.append(f'<area shape="rect" coords="{k},{k},{k + 10},{k + 10}" href="{href}?div=0">')
            body = "".join(
                f'<img src="{pic_rel}/a{number}_{i}.jpg"><p>图为第{i + 1}幅图片。（记者 林小河 摄）</p>'
                for i in range(images)
            )
            files[f"{content}/{art.format(number)}"] = _page(
                charset,
                f"{paper}-数字报",
                f'<p id="nowLayout">{label}</p><font id="main-title">{title}</font>'
                f'<font id="author">{day:%Y年%m月%d日}</font>'
                f"{body}"
                f"<founder-content><!--enpcontent--><p>　　{title}正文第一段，讲述{_name(p)}的新闻。</p>"
                f"<p>　　第二段，编号{number}。</p><!--/enpcontent-->"
                f"<!--enpproperty <date>{day:%Y-%m-%d} 00:00:00:0</date><title>{title}</title>/enpproperty-->"
                f"</founder-content>",
            )
            for i in range(images):
                files[f"{pics}/a{number}_{i}.jpg"] = jpeg(number * 7 + i)
        yesterday = day - dt.timedelta(days=1)
        files[f"{layout}/{node.format(p)}"] = _page(
            charset,
            f"{paper}-数字报",
            f'<img src="{up}../images/logo.gif"><div class="date">{day:%Y年%m月%d日}</div><div class="banci">第{label}版：{_name(p)}</div>'
            f'<img src="{pic_rel}/page{label}.jpg" usemap="#PagePicMap" width="300" height="450">'
            f'<map name="PagePicMap">{"".join(areas)}</map><ul>{"".join(items)}</ul>'
            f'<div class="bmname">{page_list}</div>'
            f'<a href="{pic_rel}/page{label}.pdf">PDF下载</a>'
            f'<a href="http://elsewhere.example/news/{day:%Y-%m}/{day:%d}/content_1.htm">友情链接</a>'
            f'<a href="../../{yesterday:%Y-%m}/{yesterday:%d}/{node.format(1)}">往期</a>',
        )
        files[f"{pics}/page{label}.jpg"] = jpeg(p, (300, 450))
        files[f"{pics}/page{label}.pdf"] = pdf(label)
    return Issue(day, titles, files, f"{layout}/{node.format(1)}")


def _name(page: int) -> str:
    return ("要闻", "综合", "经济", "文化", "体育", "国际", "副刊", "评论")[(page - 1) % 8]


def _page(charset: str, title: str, body: str) -> bytes:
    text = (
        f'<!DOCTYPE html>\n<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset={charset}">\n'
        f"<title>{title}</title>\n</head>\n<body>\n{body}\n</body>\n</html>\n"
    )
    return text.encode("gb18030" if charset.lower() in ("gbk", "gb2312") else charset)


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data)
