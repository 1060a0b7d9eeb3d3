"""Hostile input, round two (issue 18): paths from content, files that are not files, names that spoof.

Each case is run as a user would (a real `epaper` process) and ends with one named line, nothing
read outside the sources, nothing hung.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from PIL import Image

from tests.conftest import run_cli
from tests.hostile import epub_images, epub_text, markdown_source, normalized_source

WARNING = "epaper: warning: "


def warnings(stderr: str) -> list[str]:
    return [line.removeprefix(WARNING) for line in stderr.splitlines() if line.startswith(WARNING)]


def figure(caption: str, image: str) -> dict[str, object]:
    return {"type": "figure", "caption": caption, "image": image}


def json_with_photos(photos: dict[str, str]) -> str:
    """A normalized JSON of one article: a paragraph, then one figure per (caption, image path)."""
    blocks: list[dict[str, object]] = [{"type": "paragraph", "text": "正文一段。"}]
    blocks += [figure(caption, image) for caption, image in photos.items()]
    issue = {"paper": "合成日报", "date": "2026-01-14", "pages": [{"label": "01", "articles": [
        {"title": "标题", "blocks": blocks, "file": "somewhere-else.md", "line": 7}]}]}  # fmt: skip
    # One block a line, so the test can say on which line each image is named.
    return normalized_source([issue]).replace('{"type": "figure"', '\n{"type": "figure"')


def test_json_naming_devices_and_system_files_is_refused_per_photo_naming_the_json(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "images").mkdir(parents=True)
    Image.new("RGB", (16, 12), "green").save(src / "images" / "ok.png")
    (src / "fifo.jpg").parent.mkdir(exist_ok=True)
    os.mkfifo(src / "fifo.jpg")
    (src / "huge.jpg").write_bytes(b"")
    os.truncate(src / "huge.jpg", 65 * 1024 * 1024)  # Sparse: 65 MiB on paper, nothing on disk.
    photos = {
        "零设备": "/dev/zero",
        "口令文件": "/etc/passwd",
        "进程环境": "/proc/self/environ",
        "管道": str(src / "fifo.jpg"),
        "过大": str(src / "huge.jpg"),
        "上溯": str(src / "images" / ".." / ".." / "secret.png"),
        "好照片": str(src / "images" / "ok.png"),
    }
    why = {
        "零设备": "points outside the source folder",
        "口令文件": "points outside the source folder",
        "进程环境": "points outside the source folder",
        "管道": "is a FIFO, not an image file",
        "过大": "65 MiB, over the 64 MiB limit",
        "上溯": "points outside the source folder",
    }
    text = json_with_photos(photos)
    (src / "issue.json").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    result = run_cli("export", src, "-o", out, "-f", "epub", timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    found = warnings(result.stderr)
    lines = text.split("\n")
    for caption, reason in why.items():
        line = next(n for n, row in enumerate(lines, 1) if json.dumps(caption)[1:-1] in row)
        (named,) = [w for w in found if w.startswith(f"{src / 'issue.json'}:{line}: image ")]
        assert reason in named and named.endswith("caption kept without the photo"), named
    assert not any("somewhere-else.md" in w for w in found), "warnings name the JSON, not the file it claims"
    assert len(found) == len(why)
    (epub,) = out.glob("*/*.epub")
    assert len([n for n in epub_images(epub) if not n.endswith("cover.jpg")]) == 1
    words = epub_text(epub)
    assert all(caption in words for caption in photos)
    assert "root:" not in words


def test_a_fifo_in_the_source_folder_is_skipped_not_waited_on(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text(markdown_source("正文。\n"), encoding="utf-8")
    os.mkfifo(src / "pipe.md")
    os.mkfifo(src / "paper.toml")
    result = run_cli("export", src, "-o", tmp_path / "out", "-f", "epub", timeout=60)
    assert result.returncode == 0, result.stderr
    found = warnings(result.stderr)
    assert f"{src / 'pipe.md'}: a FIFO, not a regular file: skipped" in found
    assert f"{src / 'paper.toml'}: a FIFO, not a regular file: skipped" in found
    assert len(list((tmp_path / "out").glob("*/*.epub"))) == 1


def test_a_fifo_named_on_the_command_line_or_linked_is_refused_in_one_line(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text(markdown_source("正文。\n"), encoding="utf-8")
    os.mkfifo(tmp_path / "named.md")
    os.symlink(tmp_path / "named.md", src / "link.md")  # Outside: skipped as every outside link is.
    os.mkfifo(src / "inner")
    os.symlink(src / "inner", src / "inner-link.md")  # Inside: the reader refuses it on the open descriptor.
    result = run_cli("export", src, tmp_path / "named.md", "-o", tmp_path / "out", "-f", "epub", timeout=60)
    assert result.returncode == 1, result.stderr
    assert f"{tmp_path / 'named.md'}: a FIFO, not a regular file: skipped" in warnings(result.stderr)
    assert f"{src / 'inner-link.md'}: cannot read: a FIFO, not a regular file" in result.stderr


@pytest.mark.parametrize("name", ["..md", ".draft.md", ".note.txt"])
def test_a_hidden_source_is_skipped_with_the_warning_the_readme_promises(tmp_path: Path, name: str) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "a.md").write_text(markdown_source("正文。\n"), encoding="utf-8")
    (src / name).write_text(markdown_source("隐藏的正文。\n", title="隐藏"), encoding="utf-8")
    (src / ".DS_Store").write_bytes(b"\x00\x01")  # Not a source by its name: left out without a word.
    result = run_cli("export", src, "-o", tmp_path / "out", "-f", "epub")
    assert result.returncode == 0, result.stderr
    assert warnings(result.stderr) == [f"{src / name}: hidden file (name starts with a dot): skipped"]
    (epub,) = (tmp_path / "out").glob("*/*.epub")
    assert "隐藏" not in epub_text(epub)


def test_json_images_inside_the_sources_still_round_trip(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src / "images").mkdir(parents=True)
    Image.new("RGB", (16, 12), "green").save(src / "images" / "ok.png")
    (src / "a.md").write_text(markdown_source("![图](images/ok.png)\n\n正文。\n"), encoding="utf-8")
    dumped = run_cli("inspect", "--json", src)
    assert dumped.returncode == 0, dumped.stderr
    (src / "again.json").write_text(dumped.stdout, encoding="utf-8")
    (src / "a.md").unlink()
    again = run_cli("inspect", "--json", src / "again.json")
    assert again.returncode == 0, again.stderr
    assert json.loads(again.stdout)["issues"] == json.loads(dumped.stdout)["issues"]


def test_control_and_bidi_characters_in_names_and_quoted_text_are_escaped_in_every_message(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "good.md").write_text(markdown_source("正文。\n", title="好\u202e标题"), encoding="utf-8")
    (src / "evil\u202edm.txt").write_text("", encoding="utf-8")  # Shows as `evil.txt…md` when printed raw.
    (src / "photo\u2067.md").write_text(markdown_source("![图](<x\u202e\x1b[2Jgpj.png>)\n\n正文。\n"), encoding="utf-8")
    result = run_cli("export", src, "-o", tmp_path / "out", "-f", "epub")
    assert result.returncode == 1, result.stderr
    for raw in ("\u202e", "\u2067", "\x1b"):
        assert raw not in result.stderr, ascii(result.stderr)
    assert f"epaper: refused: {src}/evil\\u202edm.txt: empty file" in result.stderr
    assert f"{src}/photo\\u2067.md:" in result.stderr
    assert "missing image 'x%E2%80%AE%1B%5B2Jgpj.png'" in result.stderr  # markdown-it percent-encodes it.
