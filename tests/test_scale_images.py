"""exporter.images at scale: a JPEG that goes in unchanged is read from its header, never decoded; a cut or
damaged one is still refused with one line."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image, ImageFile

from exporter.images import MAX_PIXELS, ImageProblem, prepare
from tests.conftest import ROOT


def noisy_jpeg(path: Path, size: tuple[int, int] = (640, 400), **options: object) -> bytes:
    Image.effect_noise(size, 40).convert("RGB").save(path, "JPEG", quality=90, **options)
    return path.read_bytes()


@pytest.fixture
def decodes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every pixel decode Pillow does (ImageFile.load reads and decodes the whole image)."""
    seen: list[str] = []
    real = ImageFile.ImageFile.load

    def load(self: ImageFile.ImageFile) -> object:
        seen.append(self.format or "?")
        return real(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", load)
    return seen


def test_plain_jpeg_is_not_decoded(tmp_path: Path, decodes: list[str]) -> None:
    data = noisy_jpeg(tmp_path / "a.jpg")
    prepared = prepare(str(tmp_path / "a.jpg"), MAX_PIXELS)
    assert prepared.data == data and (prepared.width, prepared.height) == (640, 400)
    assert decodes == []


def test_a_jpeg_that_must_change_is_decoded(tmp_path: Path, decodes: list[str]) -> None:
    noisy_jpeg(tmp_path / "p.jpg", progressive=True)  # Old Kindles fail on progressive JPEGs: re-encoded.
    prepared = prepare(str(tmp_path / "p.jpg"), MAX_PIXELS)
    assert "JPEG" in decodes  # load() runs again on the loaded image (a no-op): count once or more.
    with Image.open(io.BytesIO(prepared.data)) as out:
        assert not out.info.get("progressive")


@pytest.mark.parametrize(
    "cut",
    [
        pytest.param(lambda d: d[: len(d) // 2], id="half"),
        pytest.param(lambda d: d[:-2], id="no-end-marker"),
        pytest.param(lambda d: d[:400], id="inside-the-tables"),
        pytest.param(lambda d: d[:2] + b"\xff\xdb\xff\xff" + d[6:], id="segment-length-past-the-end"),
    ],
)
def test_cut_or_damaged_jpeg_is_refused_in_one_line(tmp_path: Path, cut: object) -> None:
    good = noisy_jpeg(tmp_path / "good.jpg")
    bad = tmp_path / "bad.jpg"
    bad.write_bytes(cut(good))  # type: ignore[operator]
    with pytest.raises(ImageProblem) as caught:
        prepare(str(bad), MAX_PIXELS)
    message = str(caught.value)
    assert str(bad) in message and "\n" not in message
    assert message.endswith("not embedded")


def test_plain_jpeg_needs_no_pillow(tmp_path: Path) -> None:
    """An EPUB of plain JPEGs: the photos are read from their headers, Pillow is never imported."""
    data = noisy_jpeg(tmp_path / "a.jpg", (800, 540))
    script = (
        "import sys; from exporter.images import prepare, MAX_PIXELS; "
        f"p = prepare({str(tmp_path / 'a.jpg')!r}, MAX_PIXELS); "
        "print(p.width, p.height, len(p.data), 'PIL' in sys.modules)"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["800", "540", str(len(data)), "False"]


def exif_orientation(value: int, big_endian: bool) -> bytes:
    order = "big" if big_endian else "little"
    entry = (0x0112).to_bytes(2, order) + (3).to_bytes(2, order) + (1).to_bytes(4, order)
    entry += value.to_bytes(2, order) + b"\0\0"
    tiff = (b"MM" if big_endian else b"II") + (42).to_bytes(2, order) + (8).to_bytes(4, order)
    return tiff + (1).to_bytes(2, order) + entry + (0).to_bytes(4, order)


@pytest.mark.parametrize("big_endian", [False, True])
def test_a_rotated_jpeg_is_turned_whatever_the_exif_byte_order(tmp_path: Path, big_endian: bool) -> None:
    source = tmp_path / "r.jpg"
    Image.effect_noise((320, 200), 40).convert("RGB").save(
        source, "JPEG", exif=b"Exif\0\0" + exif_orientation(6, big_endian)
    )
    prepared = prepare(str(source), MAX_PIXELS)
    assert (prepared.width, prepared.height) == (200, 320)


def test_xmp_orientation_is_obeyed(tmp_path: Path, decodes: list[str]) -> None:
    """Pillow also reads tiff:Orientation from XMP: such a photo is left to it (turned upright)."""
    source = tmp_path / "x.jpg"
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description tiff:Orientation="6"/></x:xmpmeta>'
    Image.effect_noise((320, 200), 40).convert("RGB").save(source, "JPEG", xmp=xmp)
    prepared = prepare(str(source), MAX_PIXELS)
    assert "JPEG" in decodes
    assert (prepared.width, prepared.height) == (200, 320)


def test_cmyk_and_too_large_jpegs_are_left_to_pillow(tmp_path: Path, decodes: list[str]) -> None:
    source = tmp_path / "c.jpg"
    Image.effect_noise((320, 200), 40).convert("CMYK").save(source, "JPEG")
    prepared = prepare(str(source), MAX_PIXELS)
    assert "JPEG" in decodes
    with Image.open(io.BytesIO(prepared.data)) as out:
        assert out.mode == "RGB"
    decodes.clear()
    noisy_jpeg(tmp_path / "big.jpg", (400, 300))
    assert prepare(str(tmp_path / "big.jpg"), 100_000).width < 400  # Over the limit: scaled down.
    assert "JPEG" in decodes


@pytest.mark.parametrize("progressive", [False, True])
def test_a_jpeg_ending_inside_its_scan_is_cut_whatever_the_decoder_makes_of_it(
    tmp_path: Path, progressive: bool
) -> None:
    """libjpeg decodes about 3 % of noise JPEGs cut just before their end marker without complaint
    (the last bits fall whole): epaper refuses every one, from the structure."""
    from exporter.images import _cut_in_scan

    good = noisy_jpeg(tmp_path / "good.jpg", progressive=progressive)
    assert not _cut_in_scan(good)
    assert not _cut_in_scan(good + b"\0" * 16)  # Padding after the end marker is not a cut.
    for cut in (good[:-2], good[:-1], good[: len(good) * 3 // 4]):
        assert _cut_in_scan(cut)
