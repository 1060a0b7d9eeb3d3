"""exporter.images: photos ready for books; a plain JPEG keeps its own compressed data, minus metadata."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from PIL import Image, ImageChops

from exporter.images import MAX_PIXELS, prepare


def noisy(size: tuple[int, int] = (320, 200), mode: str = "RGB") -> Image.Image:
    return Image.effect_noise(size, 40).convert(mode)


def jpeg_with_metadata(path: Path, image: Image.Image, orientation: int = 1, **options: object) -> Path:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"  # Make
    exif[0x0112] = orientation
    image.save(path, "JPEG", quality=90, exif=exif, comment=b"shot at home", icc_profile=b"fake-icc" * 8, **options)
    return path


def test_plain_jpeg_keeps_its_pixels_and_loses_its_metadata(tmp_path: Path) -> None:
    source = jpeg_with_metadata(tmp_path / "a.jpg", noisy())
    source.write_bytes(source.read_bytes() + b"appended after the end marker")
    prepared = prepare(str(source), MAX_PIXELS)
    assert prepared.media_type == "image/jpeg" and (prepared.width, prepared.height) == (320, 200)
    for secret in (b"SecretCam", b"shot at home", b"fake-icc", b"Exif\x00\x00", b"appended"):
        assert secret not in prepared.data
    with Image.open(io.BytesIO(prepared.data)) as out, Image.open(source) as original:
        assert not out.getexif() and "icc_profile" not in out.info
        assert ImageChops.difference(out.convert("RGB"), original.convert("RGB")).getbbox() is None  # Not re-encoded.
    assert prepared.data.endswith(b"\xff\xd9")


@pytest.mark.parametrize("mode", ["L", "RGB"])
def test_grey_and_colour_jpegs_go_in_as_they_are(tmp_path: Path, mode: str) -> None:
    source = tmp_path / "a.jpg"
    noisy(mode=mode).save(source, "JPEG", quality=90)
    data = source.read_bytes()
    prepared = prepare(str(source), MAX_PIXELS)
    assert prepared.data == data  # Nothing to cut: the very same bytes.


def test_rotated_jpeg_is_turned_upright(tmp_path: Path) -> None:
    source = jpeg_with_metadata(tmp_path / "a.jpg", noisy((320, 200)), orientation=6)
    prepared = prepare(str(source), MAX_PIXELS)
    assert (prepared.width, prepared.height) == (200, 320)
    assert b"SecretCam" not in prepared.data


def test_progressive_jpeg_becomes_baseline(tmp_path: Path) -> None:
    source = jpeg_with_metadata(tmp_path / "a.jpg", noisy(), progressive=True)
    prepared = prepare(str(source), MAX_PIXELS)
    with Image.open(io.BytesIO(prepared.data)) as out:
        assert not out.info.get("progressive")
    assert b"SecretCam" not in prepared.data


def test_cmyk_and_large_jpegs_are_encoded_afresh(tmp_path: Path) -> None:
    cmyk = tmp_path / "cmyk.jpg"
    noisy().convert("CMYK").save(cmyk, "JPEG")
    with Image.open(io.BytesIO(prepare(str(cmyk), MAX_PIXELS).data)) as out:
        assert out.mode == "RGB"
    large = jpeg_with_metadata(tmp_path / "large.jpg", noisy((2000, 1500)))
    prepared = prepare(str(large), MAX_PIXELS)
    assert prepared.width * prepared.height <= MAX_PIXELS
    assert b"SecretCam" not in prepared.data


def segment(marker: int, payload: bytes) -> bytes:
    return bytes([0xFF, marker]) + (len(payload) + 2).to_bytes(2, "big") + payload


def test_metadata_between_scans_and_in_standard_segments_is_cut(tmp_path: Path) -> None:
    """Three baseline scans with restart markers (cjpeg -scans -restart), metadata slipped in between
    the scans (a comment holding an end-of-image marker), a JFIF thumbnail and a non-Adobe APP14."""
    plain = (Path(__file__).parent / "fixtures" / "images" / "baseline-three-scans.jpg").read_bytes()
    second_scan = plain.index(b"\xff\xda", plain.index(b"\xff\xda") + 2)
    thumbnail = b"JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x02\x02" + b"THUMB" + bytes(7)
    crafted = (
        plain[:2]
        + segment(0xE0, thumbnail)
        + segment(0xEE, b"Ducky secret owner")
        + plain[2:second_scan]
        + segment(0xFE, b"x\xff\xd9y secret")
        + segment(0xE1, b"Exif\x00\x00 secret")
        + plain[second_scan:]
    )
    source = tmp_path / "a.jpg"
    source.write_bytes(crafted)
    prepared = prepare(str(source), MAX_PIXELS)
    for secret in (b"THUMB", b"Ducky", b"secret", b"Exif"):
        assert secret not in prepared.data
    with Image.open(io.BytesIO(prepared.data)) as out, Image.open(io.BytesIO(plain)) as original:
        out.load()  # Complete: a cut stream would raise "image file is truncated".
        assert ImageChops.difference(out, original).getbbox() is None
