"""Replicas of e-paper sites for `epaper fetch` tests: files served by a real HTTP server in a thread, with faults.

A generated issue (Founder classic or pc layout) says what it holds — pages, their articles, images,
page pictures and PDFs — so tests count from the replica's own data, never from the code under test.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import re
import threading
import time
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from PIL import Image

TYPES = {
    ".htm": "text/html",
    ".html": "text/html",
    ".jpg": "image/jpeg",
    ".pdf": "application/pdf",
    ".txt": "text/plain",
}


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
            disable_nagle_algorithm = True  # Headers and body go in two writes: no 40 ms delayed-ACK stall.

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                with site.lock:
                    headers = {k.lower(): v for k, v in self.headers.items()}
                    site.log.append((path, {**headers, "_time": str(time.monotonic())}))
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
                    self._send(
                        fault.status if 300 <= fault.status < 400 else 302, b"", {"Location": fault.headers["Location"]}
                    )
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

        self.server = _Server(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


class _Server(ThreadingHTTPServer):
    def handle_error(self, request: object, client_address: object) -> None:
        """Say nothing: clients hang up mid-request on purpose here (timeouts, size limits, Ctrl-C)."""


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
    pc_root: str = "pc",
    content_dir: str = "content",
    paper: str = "青山日报",
    pages: int = 4,
    per_page: int = 6,
    images: int = 1,
    first_id: int = 1000,
    charset: str = "utf-8",
    article_count: int | None = None,
    image_count: int | None = None,
) -> Issue:
    """Generate one issue in the Founder classic (html/YYYY-MM/DD/node_N.htm) or pc layout.

    `article_count` spreads that many articles over the pages (else `per_page` each); `image_count`
    gives the first that many articles one image each (else `images` each).
    """
    total = article_count if article_count is not None else pages * per_page
    on_page = [total // pages + (1 if p < total % pages else 0) for p in range(pages)]
    if pc:
        layout = f"{prefix}/{pc_root}/layout/{day:%Y%m}/{day:%d}"
        content = f"{prefix}/{pc_root}/{content_dir}/{day:%Y%m}/{day:%d}"
        pics = f"{prefix}/{pc_root}/pic/{day:%Y%m}/{day:%d}"
        node, art, up = "node_{:02d}.html", "content_{}.html", "../../../"
        to_content = f"../../../{content_dir}/{day:%Y%m}/{day:%d}/"
    else:
        layout = content = f"{prefix}/html/{day:%Y-%m}/{day:%d}"
        pics = f"{prefix}/pic/{day:%Y-%m}/{day:%d}"
        node, art, up = "node_{}.htm", "content_{}.htm", "../../../"
        to_content = ""
    pic_rel = up + pics.removeprefix(prefix + (f"/{pc_root}/" if pc else "/"))
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
        for k in range(on_page[p - 1]):
            number += 1
            pictures = images if image_count is None else int(number - first_id <= image_count)
            title = f"{paper}{day:%m月%d日}第{label}版第{k + 1}篇稿件"
            titles[label].append(title)
            href = to_content + art.format(number)
            items.append(f'<li><a href="{href}?div=-1">{title}</a></li>')
            areas.append(f'<area shape="rect" coords="{k},{k},{k + 10},{k + 10}" href="{href}?div=0">')
            body = "".join(
                f'<img src="{pic_rel}/a{number}_{i}.jpg"><p>图为第{i + 1}幅图片。（记者 林小河 摄）</p>'
                for i in range(pictures)
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
            for i in range(pictures):
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


# --- replicas built from saved pages ------------------------------------------------------------

FIXTURES = Path(__file__).parent / "fixtures" / "html"


def rmrb_old_issue(prefix: str = "/rmrb") -> Issue:
    """人民日报 2017-04-23 in the nbs/nw layout, GB2312 pages, from the saved fixture pages."""
    folder = FIXTURES / "rmrb_old" / "html" / "2017-04" / "23"
    index = (folder / "nbs.D110000renmrb_03.htm").read_bytes()
    article = (folder / "nw.D110000renmrb_20170423_2-03.htm").read_bytes()
    text = index.decode("gb18030")
    empty = re.sub(r'<div id="titleList">.*?</div>', "", text, flags=re.S)  # Pages 01, 02: no article links.
    other = (
        article.decode("gb18030")
        .replace("一棵梨树<br>带富一个村", "另一篇文章")
        .replace("pear.jpg", "pear2.jpg")
        .replace("四月的石门村", "五月的石门村")
    )
    base = f"{prefix}/html/2017-04/23"
    files = {
        f"{base}/nbs.D110000renmrb_01.htm": empty.replace("第03版：经济</div>", "第01版：要闻</div>", 1).encode(
            "gb18030"
        ),
        f"{base}/nbs.D110000renmrb_02.htm": empty.replace("第03版：经济</div>", "第02版：要闻</div>", 1).encode(
            "gb18030"
        ),
        f"{base}/nbs.D110000renmrb_03.htm": index,
        f"{base}/nw.D110000renmrb_20170423_2-03.htm": article,
        f"{base}/nw.D110000renmrb_20170423_1-03.htm": other.encode("gb18030"),
        f"{prefix}/res/1/20170423/pear.jpg": jpeg(1),
        f"{prefix}/res/1/20170423/pear2.jpg": jpeg(2),
    }
    pages = {"01": [], "02": [], "03": ["另一篇文章", "一棵梨树 带富一个村"]}
    return Issue(dt.date(2017, 4, 23), pages, files, f"{base}/nbs.D110000renmrb_01.htm")


def rmrb_new_issue(corpus_page: Path, prefix: str = "/rmrb") -> Issue:
    """人民日报 2024-12-25 in the pc/layout layout: the saved first page (corpus) for all 20 pages, each with
    its own article ids, and article pages from the rmrb_new fixture."""
    index = corpus_page.read_bytes()
    template = (FIXTURES / "rmrb_new" / "pc" / "content" / "202412" / "25" / "content_9001.html").read_text("utf-8")
    text = index.decode("utf-8")
    ids = sorted(set(re.findall(r"content_(\d+)\.html", text)))
    picture = re.search(r'src="\.\./\.\./\.\./(pic/202412/25/[^"]+)"', text)
    pdf_link = re.search(r'href="\.\./\.\./\.\./(attachement/202412/25/[^"]+\.pdf)"', text)
    assert picture and pdf_link
    files: dict[str, bytes] = {}
    pages: dict[str, list[str]] = {}
    for page in range(1, 21):
        label = f"{page:02d}"
        body = text if page == 1 else text.replace("content_300480", f"content_{page:02d}300480")
        files[f"{prefix}/pc/layout/202412/25/node_{label}.html"] = index if page == 1 else body.encode("utf-8")
        pages[label] = []
        for number in ids:
            article_id = number if page == 1 else number.replace("300480", f"{page:02d}300480", 1)
            title = f"第{label}版稿件{article_id}"
            pages[label].append(title)
            files[f"{prefix}/pc/content/202412/25/content_{article_id}.html"] = (
                template.replace("一家小工厂的订单簿", title)
                .replace("第03版", f"第{label}版")
                .replace("workshop.jpg", f"w{article_id}.jpg")
                .replace("gone.jpg", f"g{article_id}.jpg")
                .encode("utf-8")
            )
            files[f"{prefix}/pc/pic/202412/25/w{article_id}.jpg"] = jpeg(int(article_id) % 997)
            files[f"{prefix}/pc/pic/202412/25/g{article_id}.jpg"] = jpeg(int(article_id) % 991)
    files[f"{prefix}/pc/{picture.group(1)}"] = jpeg(5, (300, 450))
    files[f"{prefix}/pc/{pdf_link.group(1)}"] = pdf("01")
    return Issue(dt.date(2024, 12, 25), pages, files, f"{prefix}/pc/layout/202412/25/node_01.html")


def kjrb_issue(corpus_page: Path) -> Issue:
    """科技日报 2023-02-10, Founder classic: the saved page index (corpus) for node_2 … node_9, articles generated."""
    index = corpus_page.read_bytes()
    template = (FIXTURES / "founder" / "pc" / "content" / "202401" / "05" / "content_101.html").read_text("utf-8")
    text = index.decode("utf-8", "replace")
    ids = list(dict.fromkeys(re.findall(r'href="(?:\./)?content_(\d+)\.htm', text)))
    base = "/html/2023-02/10"
    files = {f"{base}/node_{n}.htm": index for n in range(2, 10)}
    titles = []
    for number in ids:
        title = f"科技日报稿件{number}"
        titles.append(title)
        files[f"{base}/content_{number}.htm"] = (
            template.replace("小小育秧棚\n    撑起丰收梦", title)
            .replace("青山日报", "科技日报")
            .replace("2024年01月05日", "2023年02月10日")
            .replace("2024-01-05", "2023-02-10")
            .replace("../../../pic/202401/05/seedlings.jpg", f"../../../pic/2023-02/10/s{number}.jpg")
            .replace('<img src="../../../pic/202401/05/lost.jpg" style="border-style: none">', "")
            .encode("utf-8")
        )
        files[f"/pic/2023-02/10/s{number}.jpg"] = jpeg(int(number) % 251)
    files["/images/2023-02/10/01/KJRB2023021001_b.jpg"] = jpeg(9, (300, 450))
    files["/images/2023-02/10/01/KJRB2023021001.pdf"] = pdf("01")
    return Issue(dt.date(2023, 2, 10), {"01": titles}, files, f"{base}/node_2.htm")
