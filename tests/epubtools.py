"""Helpers for the EPUB tests: open a written EPUB, parse its parts with namespaces, run EPUBCheck.

Also the shelf of books the EPUB tests share: each is exported once per session, by the CLI
as a user would, so that EPUBCheck (about 10 s of Java start-up per file) runs once per book.
"""

from __future__ import annotations

import contextlib
import io
import json
import os
import shutil
import subprocess
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from types import SimpleNamespace
from unittest import mock

import pytest
from lxml import etree
from PIL import Image

from exporter import checks as check_module
from exporter.checks import Report, check_epub, epubcheck_jar
from tests.conftest import EXAMPLES, SEED, run_cli

NS = {
    "x": "http://www.w3.org/1999/xhtml",
    "epub": "http://www.idpf.org/2007/ops",
    "opf": "http://www.idpf.org/2007/opf",
    "dc": "http://purl.org/dc/elements/1.1/",
    "ncx": "http://www.daisy.org/z3986/2005/ncx/",
    "c": "urn:oasis:names:tc:opendocument:xmlns:container",
}
EPUB_TYPE = f"{{{NS['epub']}}}type"  # The epub:type attribute's Clark name.
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def has_class(name: str) -> str:
    """Return an XPath predicate body matching elements whose class list holds `name`."""
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def text_of(element: etree._Element) -> str:
    """Return all the text inside an element, as a reader sees it (markup dropped)."""
    return "".join(element.itertext())


@dataclass(frozen=True, slots=True)
class ManifestItem:
    id: str
    href: str  # Relative to the OPF's folder.
    media_type: str
    properties: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class NavEntry:
    title: str
    href: str
    children: tuple[NavEntry, ...] = ()

    def flat(self) -> Iterator[NavEntry]:
        yield self
        for child in self.children:
            yield from child.flat()


class EpubFile:
    """A written EPUB, opened read-only: zip entries, OPF, nav, NCX and content documents."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.data = path.read_bytes()
        with zipfile.ZipFile(io.BytesIO(self.data)) as archive:
            self.infos = archive.infolist()  # In the order they are stored.
            self.entries = {info.filename: archive.read(info) for info in self.infos}

    @property
    def names(self) -> list[str]:
        return [info.filename for info in self.infos]

    def xml(self, name: str) -> etree._Element:
        """Parse a zip entry as XML (it must be well-formed)."""
        return etree.fromstring(self.entries[name], _PARSER)

    # --- package document -----------------------------------------------------------

    @cached_property
    def opf_name(self) -> str:
        container = self.xml("META-INF/container.xml")
        return container.xpath("string(//c:rootfile/@full-path)", namespaces=NS)

    @cached_property
    def opf(self) -> etree._Element:
        return self.xml(self.opf_name)

    def name_of(self, href: str) -> str:
        """Return the zip entry name of an href relative to the OPF (fragment dropped)."""
        base = PurePosixPath(self.opf_name).parent
        return str(base / href.split("#", 1)[0])

    @cached_property
    def manifest(self) -> list[ManifestItem]:
        return [
            ManifestItem(i.get("id"), i.get("href"), i.get("media-type"), tuple((i.get("properties") or "").split()))
            for i in self.opf.xpath("/opf:package/opf:manifest/opf:item", namespaces=NS)
        ]

    def item_with(self, prop: str) -> ManifestItem:
        found = [i for i in self.manifest if prop in i.properties]
        assert len(found) == 1, f"{self.path}: {len(found)} manifest items with properties {prop}"
        return found[0]

    @cached_property
    def spine(self) -> list[str]:
        """Return the hrefs of the spine, in reading order."""
        by_id = {i.id: i.href for i in self.manifest}
        return [by_id[r] for r in self.opf.xpath("/opf:package/opf:spine/opf:itemref/@idref", namespaces=NS)]

    @property
    def chapters(self) -> list[str]:
        """Return the spine's content documents after the cover and the contents page."""
        nav = self.item_with("nav").href
        cover = self.cover_page
        return [href for href in self.spine if href not in (nav, cover)]

    @property
    def cover_page(self) -> str:
        marks = {e.get(EPUB_TYPE): e.get("href") for e in self.landmarks}
        return marks["cover"]

    def dc(self, name: str) -> list[str]:
        return [e.text or "" for e in self.opf.xpath(f"/opf:package/opf:metadata/dc:{name}", namespaces=NS)]

    def meta(self, prop: str, refines: str | None = None) -> list[str]:
        """Return the values of `<meta property=…>` (optionally refining an id)."""
        cond = f"@property='{prop}'" + (f" and @refines='#{refines}'" if refines else " and not(@refines)")
        return [e.text or "" for e in self.opf.xpath(f"/opf:package/opf:metadata/opf:meta[{cond}]", namespaces=NS)]

    def meta_name(self, name: str) -> list[str]:
        """Return the contents of EPUB 2 style `<meta name=… content=…>`."""
        return self.opf.xpath(f"/opf:package/opf:metadata/opf:meta[@name='{name}']/@content", namespaces=NS)

    # --- content documents --------------------------------------------------------------

    def doc(self, href: str) -> etree._Element:
        return self.xml(self.name_of(href))

    def text(self, href: str) -> str:
        return text_of(self.doc(href).xpath("/x:html/x:body", namespaces=NS)[0])

    def target(self, href: str) -> etree._Element:
        """Return the element an href (file#id) points at; the whole body when there is no fragment."""
        file, _, fragment = href.partition("#")
        doc = self.doc(file)
        if not fragment:
            return doc.xpath("/x:html/x:body", namespaces=NS)[0]
        found = doc.xpath(f"//*[@id='{fragment}']")
        assert len(found) == 1, f"{href}: {len(found)} elements with that id"
        return found[0]

    def image(self, href: str) -> Image.Image:
        image = Image.open(io.BytesIO(self.entries[self.name_of(href)]))
        image.load()
        return image

    # --- navigation ---------------------------------------------------------------------

    @cached_property
    def nav(self) -> etree._Element:
        return self.doc(self.item_with("nav").href)

    @property
    def toc(self) -> list[NavEntry]:
        """Return the nav document's epub:type="toc" tree."""
        navs = self.nav.xpath("//x:nav[@epub:type='toc']", namespaces=NS)
        assert len(navs) == 1, "the nav document needs exactly one toc nav"
        return _nav_entries(navs[0].xpath("x:ol", namespaces=NS)[0])

    @property
    def landmarks(self) -> list[etree._Element]:
        return self.nav.xpath("//x:nav[@epub:type='landmarks']/x:ol/x:li/x:a", namespaces=NS)

    @cached_property
    def ncx(self) -> etree._Element:
        items = [i for i in self.manifest if i.media_type == "application/x-dtbncx+xml"]
        assert len(items) == 1, "one NCX in the manifest"
        return self.doc(items[0].href)

    @property
    def ncx_toc(self) -> list[NavEntry]:
        return _ncx_entries(self.ncx.xpath("/ncx:ncx/ncx:navMap", namespaces=NS)[0])


def _nav_entries(ol: etree._Element) -> list[NavEntry]:
    out = []
    for li in ol.xpath("x:li", namespaces=NS):
        link = li.xpath("x:a", namespaces=NS)[0]
        nested = li.xpath("x:ol", namespaces=NS)
        children = tuple(_nav_entries(nested[0])) if nested else ()
        out.append(NavEntry(text_of(link).strip(), link.get("href"), children))
    return out


def _ncx_entries(parent: etree._Element) -> list[NavEntry]:
    return [
        NavEntry(
            point.xpath("string(ncx:navLabel/ncx:text)", namespaces=NS).strip(),
            point.xpath("string(ncx:content/@src)", namespaces=NS),
            tuple(_ncx_entries(point)),
        )
        for point in parent.xpath("ncx:navPoint", namespaces=NS)
    ]


def without_entry(source: Path, target: Path, drop: str) -> Path:
    """Copy an EPUB leaving one zip entry out (a deliberately broken book)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for info in old.infolist():
            if info.filename != drop:
                new.writestr(info, old.read(info))
    return target


# --- EPUBCheck ------------------------------------------------------------------------

# Short-lived JVMs start faster with the client compiler only; the checks are the same.
FAST_JVM = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto"

# One JVM checks many books (EPUBCheck's CLI takes one file and most of its ~10 s is start-up).
_BATCH_CHECKER = """
import com.adobe.epubcheck.tool.EpubChecker;

public class BatchCheck {
    public static void main(String[] args) {
        for (int i = 0; i + 1 < args.length; i += 2) {
            new EpubChecker().run(new String[] {args[i], "--json", args[i + 1], "--quiet"});
        }
    }
}
"""


def epubcheck(paths: Sequence[Path]) -> dict[Path, Report]:
    """Return exporter.checks.check_epub's verdict on every file, running EPUBCheck's JVM once.

    EPUBCheck writes one JSON report per book in a single JVM; check_epub then reads each
    report exactly as `epaper check` does (its java call answered with the report already
    made). Without a JDK to run the batch, each book gets its own check_epub, two at a time.
    """
    java = shutil.which("java")
    if java is None:
        pytest.skip("EPUBCheck needs Java")
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp, "BatchCheck.java")
        source.write_text(_BATCH_CHECKER, encoding="utf-8")
        reports = {path: Path(tmp, f"{n}.json") for n, path in enumerate(paths)}
        pairs = [str(x) for path, json_file in reports.items() for x in (path, json_file)]
        cmd = [java, *FAST_JVM.split(), "-cp", str(epubcheck_jar()), str(source), *pairs]
        subprocess.run(cmd, capture_output=True, text=True, timeout=1800)
        if not all(r.exists() for r in reports.values()):
            with fast_jvm(), ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
                return dict(zip(paths, pool.map(check_epub, paths), strict=True))
        return {path: _check_with_report(path, reports[path]) for path in paths}


def _check_with_report(path: Path, made: Path) -> Report:
    """Run check_epub on `path`, its EPUBCheck call answered by the report `made` for that file."""

    def answer(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        assert cmd[-3:-2] == [str(path)] and cmd[-2] == "--json", cmd
        shutil.copyfile(made, cmd[-1])
        return subprocess.CompletedProcess(cmd, 0, "", "")

    with mock.patch.object(check_module, "subprocess", SimpleNamespace(run=answer)):
        return check_epub(path)


@contextlib.contextmanager
def fast_jvm() -> Iterator[None]:
    old = os.environ.get("JAVA_TOOL_OPTIONS")
    os.environ["JAVA_TOOL_OPTIONS"] = FAST_JVM
    try:
        yield
    finally:
        if old is None:
            del os.environ["JAVA_TOOL_OPTIONS"]
        else:
            os.environ["JAVA_TOOL_OPTIONS"] = old


# --- the shelf of books ------------------------------------------------------------------


@dataclass(slots=True)
class Export:
    """One run of `epaper export`: its folder, process result and the EPUBs it wrote."""

    out: Path
    proc: subprocess.CompletedProcess[str]
    epubs: list[Path] = field(default_factory=list)

    @property
    def epub(self) -> Path:
        assert len(self.epubs) == 1, self.epubs
        return self.epubs[0]


class Shelf:
    """Books exported once per session and shared by the EPUB test modules."""

    _sessions: dict[Path, Shelf] = {}  # noqa: RUF012 -- one shelf per pytest base temp folder.

    def __init__(self, root: Path) -> None:
        self.root = root
        self.exports: dict[str, Export] = {}

    @classmethod
    def for_session(cls, tmp_path_factory: pytest.TempPathFactory) -> Shelf:
        base = tmp_path_factory.getbasetemp()
        if base not in cls._sessions:
            cls._sessions[base] = cls(tmp_path_factory.mktemp("epub-shelf"))
        return cls._sessions[base]

    def export(self, name: str, *args: str | Path, env: dict[str, str] | None = None) -> Export:
        """Run `epaper export ARGS -f epub -o <shelf>/<name>` once; later calls return the same result."""
        if name not in self.exports:
            out = self.root / name
            report = self.report(name)
            # An empty SOURCE_DATE_EPOCH means "unset" (the CI's own value must not leak in).
            env = {"SOURCE_DATE_EPOCH": "", **(env or {})}
            proc = run_cli("export", *args, "-f", "epub", "-o", out, "--report", report, env=env)
            assert proc.returncode == 0, f"epaper export {name} failed ({proc.returncode}):\n{proc.stderr}"
            # The exit status alone is not trusted: every book of the report must be written.
            entries = json.loads(report.read_text(encoding="utf-8"))["issues"]
            failed = [f"{e['date']}: {e['error']}" for e in entries if e["status"] != "written"]
            assert entries and not failed, f"epaper export {name}: books not written: {failed}\n{proc.stderr}"
            self.exports[name] = Export(out, proc, sorted(out.rglob("*.epub")))
        return self.exports[name]

    def report(self, name: str) -> Path:
        return self.root / f"{name}.json"

    # The books: what each test module asks for.

    def seed(self) -> Export:
        _need(SEED)
        return self.export("seed", SEED)

    def archive(self) -> Export:
        _need(EXAMPLES)
        return self.export("archive", EXAMPLES)

    def rmrb(self, rmrb_dir: Path) -> Export:
        return self.export("rmrb", rmrb_dir)

    def toc3(self) -> Export:
        """The seed with section headings in the navigation, language zh-Hans (Apple Books)."""
        _need(SEED)
        return self.export("toc3", SEED, "--toc-depth", "3", "--lang", "zh-Hans")

    def override(self) -> Export:
        """The seed with a user stylesheet and a user template that changes one block."""
        _need(SEED)
        folder = self.root / "override-src"
        (folder / "templates" / "epub").mkdir(parents=True, exist_ok=True)
        (folder / "templates" / "epub" / "article.xhtml.j2").write_text(USER_ARTICLE_TEMPLATE, encoding="utf-8")
        (folder / "user.css").write_text(USER_CSS, encoding="utf-8")
        return self.export("override", SEED, "--templates", folder / "templates", "--css", folder / "user.css")

    def synthetic(self) -> Export:
        """An issue made up here: odd image formats, broken images, text that looks like markup."""
        folder = self.root / "synthetic-src"
        if not folder.exists():
            write_synthetic_sources(folder)
        return self.export("synthetic", folder)


def _need(path: Path) -> None:
    if not path.exists():
        pytest.skip(f"{path} is absent")


USER_CSS = "/* user stylesheet */\n.title { color: #035; }\n"
USER_FOOTER = "本段由用户模板添加"
USER_ARTICLE_TEMPLATE = (
    '{% extends "!base/epub/article.xhtml.j2" %}\n'
    "{% block footer %}\n"
    "{{ super() }}\n"
    f'<p class="user-footer">{USER_FOOTER}</p>\n'
    "{% endblock %}\n"
)

# --- a made-up issue ---------------------------------------------------------------------

SYNTHETIC_PAPER = "测试日报"
SYNTHETIC_DATE = "2026-05-04"
HOSTILE = ("<script>alert(1)</script>", "&amp;", "{{ 7*7 }}", "{% if %}")
EXIF_MAKE = "EpaperTestCam"
CONTROL_TEXT = "这一段有\x0b垂直制表符和\x01控制字符。"  # U+000B and U+0001: XML 1.0 forbids both.

# Image file → its caption.
IMAGES = {
    "photo.webp": "WebP格式的新闻图片",
    "scan.tiff": "TIFF格式的扫描图片",
    "old.bmp": "BMP格式的旧图片",
    "huge.jpg": "三千乘两千像素的大图",
    "camera.jpg": "带有相机EXIF信息的照片",
    "broken.jpg": "文件已经损坏的图片",
    "missing.jpg": "文件并不存在的图片",
}


def write_synthetic_sources(folder: Path) -> Path:
    """Write a three-page issue: 01 photos, 02 markup-like text, 03 characters XML forbids."""
    day = folder / SYNTHETIC_DATE
    images = day / "images"
    images.mkdir(parents=True)
    Image.new("RGB", (320, 200), (200, 40, 40)).save(images / "photo.webp", "WEBP")
    Image.new("RGB", (300, 200), (40, 160, 40)).save(images / "scan.tiff", "TIFF")
    Image.new("RGB", (240, 160), (40, 40, 200)).save(images / "old.bmp", "BMP")
    Image.new("RGB", (3000, 2000), (120, 120, 120)).save(images / "huge.jpg", "JPEG", quality=60)
    exif = Image.Exif()
    exif[0x010F] = EXIF_MAKE  # Make
    exif[0x0110] = "Model X"  # Model
    exif[0x0131] = "PhotoEditor 9"  # Software
    Image.new("RGB", (300, 200), (200, 200, 40)).save(images / "camera.jpg", "JPEG", exif=exif.tobytes())
    (images / "broken.jpg").write_bytes(b"\xff\xd8\xff\xe0 this is not really a JPEG" * 4)

    figures = "\n\n".join(f"![{caption}](images/{name})" for name, caption in IMAGES.items())
    photos = f"""---
paper: {SYNTHETIC_PAPER}
date: {SYNTHETIC_DATE}
page: "01"
page_name: 图片
order: 1
title: 各种格式的图片
---

本文的图片来自各种格式的文件。

{figures}

图片之后还有一段正文。
"""
    hostile_title = "标题里的 <script>alert(1)</script> 与 &amp;"
    markup = f"""---
paper: {SYNTHETIC_PAPER}
date: {SYNTHETIC_DATE}
page: "02"
page_name: 文字
order: 1
kicker: '引题 {{{{ 7*7 }}}}'
title: '{hostile_title}'
subtitle: '——副题 {{% if %}} 不是模板'
byline: 本报记者 &amp; 通讯员
---

正文里写着 <script>alert(1)</script> 这样的字样。

还有实体 &amp; 与模板语法 {{{{ 7*7 }}}} 以及 {{% if %}} 标签，都应原样显示。

## 小标题 <b>不是粗体</b>

最后一段。
"""
    control = f"""---
paper: {SYNTHETIC_PAPER}
date: {SYNTHETIC_DATE}
page: "03"
title: 控制字符
---

{CONTROL_TEXT}
"""
    (day / "p01-photos.md").write_text(photos, encoding="utf-8")
    (day / "p02-markup.md").write_text(markup, encoding="utf-8")
    (day / "p03-control.md").write_text(control, encoding="utf-8")
    return folder
