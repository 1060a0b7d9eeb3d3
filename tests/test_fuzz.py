"""Fuzzing harness (issue 18): Hypothesis builds whole source folders of dumps, Markdown, normalized
JSON and saved HTML — random nesting, encodings, sizes, hostile attributes and paths — and runs the
real `epaper export` on each under resource limits (resource.setrlimit in the child).

Every run must: exit 0, 1 or 2; print no traceback; stay within its time and memory budget; write
nothing outside -o; and keep every planted text run — in a book, or its file named in a refusal or a
"skipped" warning.

The short profile runs with the suite (a few examples, about half a minute); the long one runs with
`pytest -m fuzz` (deselected by default in pyproject's addopts).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from exporter.errors import printable
from tests.conftest import ROOT
from tests.hostile import dump_source, epub_text, founder_page, markdown_source, normalized_source, squash

HAN = "甲乙丙丁戊己庚辛壬癸子丑寅卯辰巳午未申酉戌亥金木水火土日月山川"
HOSTILE_PATHS = [
    "/dev/zero", "/etc/passwd", "/proc/self/environ", "../../secret.jpg", "images/../../../x.png",
    "file:///etc/passwd", "http://127.0.0.1:9/x.png", "javascript:alert(1)", "..%2F..%2Fx.jpg", "C:\\x.jpg",
    "images/ok.png", "",
]  # fmt: skip
HOSTILE_ATTRIBUTES = [
    'onclick="alert(1)"', 'style="background:url(http://127.0.0.1:9/t.png)"', 'onload="x()"',
    'href="javascript:alert(1)"', 'src="data:text/html,<script>x</script>"', 'class="&#x202e;"',
]  # fmt: skip
ENCODINGS = ["utf-8", "utf-8-sig", "gb18030", "utf-16"]
NAMES = ["a", "b c", "..", ".hidden", "p\u202egpj", "深/层", "x" * 100, "版面01", "-dash"]

# Runs `epaper ARGS` with limits; prints the exit code (or -signal) and the child's peak RSS in KiB.
LIMITED = """
import resource, subprocess, sys
memory, cpu = int(sys.argv[1]), int(sys.argv[2])
def limits():
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 30, 1 << 30))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
code = subprocess.run(sys.argv[3:], preexec_fn=limits, stdout=subprocess.DEVNULL).returncode
print(code, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


@dataclass
class Source:
    """One file of a generated source folder, and the text runs planted in it."""

    path: str  # Relative to the source folder.
    data: bytes
    runs: list[str] = field(default_factory=list)
    fifo: bool = False


@dataclass(frozen=True)
class Profile:
    examples: int
    max_repeat: int  # Filler lines per file.
    max_depth: int  # Nesting of HTML elements, YAML and JSON.
    seconds: int  # Wall and CPU budget of one export.
    memory: int  # Address-space limit of the export process, bytes.


SHORT = Profile(examples=12, max_repeat=50, max_depth=3000, seconds=120, memory=3 << 30)
LONG = Profile(examples=150, max_repeat=20_000, max_depth=200_000, seconds=300, memory=4 << 30)


@st.composite
def text_run(draw: st.DrawFn) -> str:
    """A text run to find again: six ideographs (reader punctuation rules never touch them)."""
    return "".join(draw(st.lists(st.sampled_from(HAN), min_size=6, max_size=6)))


@st.composite
def source_file(draw: st.DrawFn, n: int, profile: Profile) -> Source:
    kind = draw(st.sampled_from(["dump", "markdown", "json", "html", "fifo"]))
    name = draw(st.sampled_from(NAMES)) + f"-{n}"
    folder = draw(st.sampled_from(["", "sub/", "sub/deeper/", ".dot/"]))
    runs = draw(st.lists(text_run(), min_size=1, max_size=4, unique=True))
    title = f"标题{runs[0]}"
    day = f"2026-01-{draw(st.integers(1, 3)):02d}"
    filler = ["填充的正文段落。"] * draw(st.integers(0, profile.max_repeat))
    image = draw(st.sampled_from(HOSTILE_PATHS))
    depth = draw(st.sampled_from([0, 1, 10, 63, 65, 300, profile.max_depth]))
    if kind == "fifo":
        return Source(f"{folder}{name}.md", b"", [], fifo=True)
    if kind == "dump":
        body = [*runs[1:], *filler]
        text = dump_source(body, title=title)
        return Source(f"{folder}{name}.txt", _encode(draw, text), [title, *runs[1:]])
    if kind == "markdown":
        nesting = "" if depth == 0 else "x: " + "[" * depth + "]" * depth + "\n"
        body = "\n\n".join([f"![图{runs[0]}](<{image}>)", *runs[1:], *filler]) + "\n"
        text = markdown_source(body, title=title, date=day).replace("---\n\n", nesting + "---\n\n", 1)
        return Source(f"{folder}{name}.md", _encode(draw, text), [title, f"图{runs[0]}", *runs[1:]])
    if kind == "json":
        blocks: list[object] = [{"type": "figure", "caption": f"图{runs[0]}", "image": image}]
        blocks += [{"type": "paragraph", "text": t} for t in [*runs[1:], *filler]]
        article = {"title": title, "blocks": blocks, "extra": "NESTED"}
        issue = {"paper": "青川晚报", "date": day, "pages": [{"label": "01", "articles": [article]}]}
        text = normalized_source([issue]).replace('"NESTED"', "[" * depth + '"\\u5e95"' + "]" * depth)
        return Source(f"{folder}{name}.json", text.encode(), [title, f"图{runs[0]}", *runs[1:]])
    attribute = draw(st.sampled_from(HOSTILE_ATTRIBUTES))
    paragraphs = "".join(f"<p {attribute}>{t}</p>" for t in runs[1:])
    linked = f'<p>链接<a {attribute}>{runs[0]}</a></p><img src="{image}" {attribute}>'
    script = "<script>document.write('<p>脚本</p>')</script>"
    body = "<div>" * depth + paragraphs + "</div>" * depth + linked + script + "".join(f"<p>{t}</p>" for t in filler)
    page = founder_page(title, body)
    encoding = draw(st.sampled_from(["utf-8", "gb18030"]))
    page = page.replace('charset="utf-8"', f'charset="{encoding}"')
    return Source(f"{folder}content_{n}.htm", page.encode(encoding), [title, *runs])


def _encode(draw: st.DrawFn, text: str) -> bytes:
    return text.encode(draw(st.sampled_from(ENCODINGS)))


@st.composite
def source_folder(draw: st.DrawFn, profile: Profile) -> list[Source]:
    count = draw(st.integers(1, 5))
    files = [draw(source_file(n, profile)) for n in range(count)]
    return list({f.path: f for f in files}.values())


def snapshot(folder: Path, skip: tuple[Path, ...]) -> dict[str, tuple[int, int]]:
    found = {}
    for path in folder.rglob("*"):
        if any(path == s or s in path.parents for s in skip):
            continue
        info = path.lstat()
        found[str(path)] = (info.st_size, info.st_mtime_ns)
    return found


def run_export(sources: list[Source], profile: Profile) -> None:
    with tempfile.TemporaryDirectory(prefix="epaper-fuzz-") as tmp:
        base = Path(tmp)
        src, out, cache = base / "src", base / "out", base / "cache"
        (src / "images").mkdir(parents=True)
        (src / "images" / "ok.png").write_bytes(_PNG)
        (base / "secret.jpg").write_bytes(b"secret")
        for source in sources:
            path = src / source.path
            path.parent.mkdir(parents=True, exist_ok=True)
            if source.fifo:
                os.mkfifo(path)
            else:
                path.write_bytes(source.data)
        before = snapshot(base, skip=(out, cache))
        command = [sys.executable, "-c", LIMITED, str(profile.memory), str(profile.seconds)]
        command += [sys.executable, "-m", "exporter", "export", str(src), "-o", str(out), "-f", "epub", "-j", "1"]
        env = {**os.environ, "XDG_CACHE_HOME": str(cache)}  # Jinja's bytecode cache: the one file outside -o.
        proc = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=profile.seconds + 30)
        code, rss = (int(x) for x in proc.stdout.split())
        stderr = proc.stderr
        assert code in (0, 1, 2), (code, stderr[-2000:])
        assert "Traceback" not in stderr, stderr[-4000:]
        assert rss * 1024 < profile.memory, rss
        assert snapshot(base, skip=(out, cache)) == before, "nothing written outside -o"
        books = "".join(squash(epub_text(p)) for p in out.rglob("*.epub"))
        named = [line for line in stderr.splitlines() if "refused: " in line or "skipped" in line or "not read" in line]
        for source in sources:
            missing = [r for r in source.runs if squash(r) not in books]
            if missing:
                shown = printable(str(src / source.path))
                folders = [printable(str(p)) for p in (src / source.path).parents if p.name.startswith(".")]
                assert any(shown in line or any(f"{f}: hidden folder" in line for f in folders) for line in named), (
                    source.path,
                    missing,
                    stderr[-3000:],
                )


_PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415408d763f8cfc0000003010100"
    "c9fe92ef0000000049454e44ae426082"
)


@settings(max_examples=SHORT.examples, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
@given(source_folder(SHORT))
def test_fuzz_short_profile(sources: list[Source]) -> None:
    run_export(sources, SHORT)


@pytest.mark.fuzz
@settings(max_examples=LONG.examples, deadline=None, suppress_health_check=list(HealthCheck))
@given(source_folder(LONG))
def test_fuzz_long_profile(sources: list[Source]) -> None:
    run_export(sources, LONG)


def test_the_harness_sees_a_lost_run(tmp_path: Path) -> None:
    """The oracle can fail: a run planted in a file that is read but whose text is not in the book."""
    lost = Source("a.md", markdown_source("正文。\n").encode(), ["不在书里的字"])
    with pytest.raises(AssertionError, match="不在书里的字"):
        run_export([lost], SHORT)
