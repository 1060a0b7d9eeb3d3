"""Re-create the photos of the sample archive (examples/archive/*/images/).

The sample paper, 青川晚报, is fictional and so are its photos: simple drawn scenes
(gradients and shapes), made deterministically (fixed seeds, fixed sizes) so that running
this script again gives the same pictures. They exercise the image paths of the
exporter: JPEG and PNG at a modest 800×533, one WebP (converted for EPUB readers) and
one 3000×2000 JPEG (downscaled on export).

    .venv/bin/python examples/make_images.py
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter

ARCHIVE = Path(__file__).resolve().parent / "archive"
Color = tuple[int, int, int]


def vertical_gradient(size: tuple[int, int], top: Color, bottom: Color) -> Image.Image:
    w, h = size
    img = Image.new("RGB", size, top)
    draw = ImageDraw.Draw(img)
    for y in range(h):
        t = y / max(h - 1, 1)
        draw.line([(0, y), (w, y)], fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)))
    return img


def construction_site(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A building site at morning: sky, hills, a tower crane, red flags."""
    w, h = size
    img = vertical_gradient(size, (120, 170, 225), (215, 230, 240))
    d = ImageDraw.Draw(img)
    horizon = int(h * 0.62)
    d.polygon([(0, horizon), (w * 0.25, h * 0.45), (w * 0.55, horizon)], fill=(110, 145, 120))
    d.polygon([(w * 0.4, horizon), (w * 0.75, h * 0.4), (w, horizon)], fill=(95, 130, 110))
    d.rectangle([0, horizon, w, h], fill=(150, 120, 90))
    for _ in range(6):  # Half-built blocks.
        x = rng.randint(0, w - 120)
        top = rng.randint(int(h * 0.3), horizon - 40)
        d.rectangle([x, top, x + rng.randint(60, 120), horizon], fill=(185, 185, 180), outline=(120, 120, 120))
    mast = int(w * 0.68)  # Tower crane.
    d.rectangle([mast, int(h * 0.12), mast + 10, horizon], fill=(235, 190, 40))
    d.rectangle([int(w * 0.3), int(h * 0.12), int(w * 0.95), int(h * 0.12) + 8], fill=(235, 190, 40))
    d.line([(int(w * 0.4), int(h * 0.13)), (int(w * 0.4), int(h * 0.35))], fill=(60, 60, 60), width=2)
    for i in range(9):  # A row of red flags.
        x = int(w * 0.05) + i * int(w * 0.1)
        d.line([(x, horizon + 40), (x, horizon - 10)], fill=(90, 70, 50), width=3)
        d.polygon([(x, horizon - 10), (x + 28, horizon - 2), (x, horizon + 6)], fill=(215, 40, 40))
    return img.filter(ImageFilter.GaussianBlur(0.8))


def workshop(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A factory hall: grey floor, machines in rows, blue robot arms."""
    w, h = size
    img = vertical_gradient(size, (200, 205, 210), (120, 125, 130))
    d = ImageDraw.Draw(img)
    for x in range(0, w, 80):  # Roof beams.
        d.line([(x, 0), (w // 2, h // 3)], fill=(170, 175, 180), width=2)
    for row in range(3):
        y = int(h * (0.45 + row * 0.15))
        for col in range(5):
            x = int(w * 0.08) + col * int(w * 0.18) + row * 12
            d.rectangle([x, y, x + 90, y + 45], fill=(230, 232, 235), outline=(90, 95, 100))
            d.line([(x + 45, y), (x + 70, y - 35), (x + 95, y - 25)], fill=(40, 110, 200), width=6)
            d.ellipse([x + 64, y - 41, x + 76, y - 29], fill=(250, 160, 30))
    for _ in range(40):  # Lights.
        x, y = rng.randint(0, w), rng.randint(0, h // 4)
        d.ellipse([x - 3, y - 3, x + 3, y + 3], fill=(255, 250, 220))
    return img.filter(ImageFilter.GaussianBlur(0.6))


def lantern_night(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """Lanterns over a river at night, with their reflections."""
    w, h = size
    img = vertical_gradient(size, (15, 20, 55), (60, 40, 80))
    d = ImageDraw.Draw(img)
    river = int(h * 0.7)
    d.rectangle([0, river, w, h], fill=(25, 35, 70))
    d.rectangle([0, river - h // 40, w, river], fill=(60, 50, 45))
    r = w // 60
    for i in range(28):
        x = int(w * (i + 0.5) / 28) + rng.randint(-r, r)
        y = int(h * 0.2) + rng.randint(0, int(h * 0.3))
        d.line([(x, 0), (x, y - r)], fill=(120, 90, 60), width=max(1, w // 1000))
        d.ellipse([x - r * 2, y - r * 2, x + r * 2, y + r * 2], fill=(120, 30, 25))  # Glow.
        d.ellipse([x - r, y - int(r * 1.2), x + r, y + int(r * 1.2)], fill=(225, 45, 35))
        d.rectangle([x - r // 2, y + int(r * 1.2), x + r // 2, y + int(r * 1.6)], fill=(240, 200, 60))
        ry = river + (river - y) // 3  # Reflection.
        d.ellipse([x - r, ry - r // 2, x + r, ry + r // 2], fill=(120, 40, 45))
    return img.filter(ImageFilter.GaussianBlur(w / 800))


def meeting_hall(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A meeting hall: red banner over a stage, rows of seats."""
    w, h = size
    img = vertical_gradient(size, (235, 225, 205), (170, 150, 120))
    d = ImageDraw.Draw(img)
    d.rectangle([int(w * 0.1), int(h * 0.08), int(w * 0.9), int(h * 0.18)], fill=(200, 30, 35))
    for i in range(12):  # Banner "characters" as golden blocks.
        x = int(w * 0.14) + i * int(w * 0.06)
        d.rectangle([x, int(h * 0.1), x + int(w * 0.035), int(h * 0.16)], fill=(245, 210, 90))
    d.rectangle([int(w * 0.15), int(h * 0.25), int(w * 0.85), int(h * 0.38)], fill=(120, 60, 40))
    for row in range(6):
        y = int(h * (0.45 + row * 0.09))
        for col in range(14):
            x = int(w * 0.04) + col * int(w * 0.068) + (row % 2) * 10
            shade = 40 + rng.randint(0, 30)
            d.ellipse([x, y, x + 26, y + 26], fill=(shade, shade, shade + 10))
            d.rectangle([x - 4, y + 24, x + 30, y + 40], fill=(30, 60, 130))
    return img.filter(ImageFilter.GaussianBlur(0.7))


def station(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A railway platform with a white high-speed train and travellers."""
    w, h = size
    img = vertical_gradient(size, (180, 200, 215), (230, 232, 235))
    d = ImageDraw.Draw(img)
    d.polygon([(0, int(h * 0.55)), (w, int(h * 0.5)), (w, int(h * 0.72)), (0, int(h * 0.8))], fill=(245, 245, 245))
    d.line([(0, int(h * 0.64)), (w, int(h * 0.6))], fill=(30, 90, 170), width=10)
    for i in range(10):  # Windows.
        x = int(w * 0.05) + i * int(w * 0.09)
        d.rectangle([x, int(h * 0.55) - i, x + int(w * 0.06), int(h * 0.59) - i], fill=(60, 80, 100))
    d.rectangle([0, int(h * 0.8), w, h], fill=(150, 150, 145))
    d.line([(0, int(h * 0.82)), (w, int(h * 0.78))], fill=(240, 200, 30), width=6)
    for _ in range(26):  # People with suitcases.
        x = rng.randint(10, w - 20)
        y = rng.randint(int(h * 0.84), h - 40)
        coat = rng.choice([(200, 40, 40), (40, 60, 120), (60, 60, 60), (220, 180, 60), (70, 130, 90)])
        d.ellipse([x, y, x + 12, y + 12], fill=(60, 40, 30))
        d.rectangle([x - 2, y + 12, x + 14, y + 38], fill=coat)
        d.rectangle([x + 16, y + 24, x + 26, y + 40], fill=(90, 90, 100))
    return img.filter(ImageFilter.GaussianBlur(0.6))


def tangyuan(rng: random.Random, size: tuple[int, int]) -> Image.Image:
    """A bowl of tangyuan on a red table cloth (flat colours: a small PNG)."""
    w, h = size
    img = Image.new("RGB", size, (190, 35, 40))
    d = ImageDraw.Draw(img)
    for x in range(-h, w, 60):  # Cloth pattern.
        d.line([(x, 0), (x + h, h)], fill=(170, 28, 34), width=14)
    cx, cy = w // 2, int(h * 0.55)
    d.ellipse([cx - 300, cy - 150, cx + 300, cy + 190], fill=(120, 20, 25))  # Shadow.
    d.ellipse([cx - 290, cy - 170, cx + 290, cy + 160], fill=(245, 240, 225))  # Bowl.
    d.ellipse([cx - 250, cy - 140, cx + 250, cy + 120], fill=(235, 215, 170))  # Soup.
    for _ in range(9):
        x = cx + rng.randint(-170, 150)
        y = cy + rng.randint(-100, 60)
        d.ellipse([x, y, x + 62, y + 56], fill=(200, 190, 170))
        d.ellipse([x, y - 4, x + 60, y + 50], fill=(252, 250, 245))
    d.rectangle([cx + 200, cy - 260, cx + 230, cy - 60], fill=(150, 110, 60))  # Spoon handle.
    return img.convert("P", palette=Image.Palette.ADAPTIVE, colors=32)


# (path under archive/, drawing, seed, size, save options)
IMAGES: list[tuple[str, Callable[[random.Random, tuple[int, int]], Image.Image], int, tuple[int, int], dict]] = [
    ("2026-03-02/images/kaigong-xianchang.jpg", construction_site, 302, (800, 533), {"quality": 82}),
    ("2026-03-02/images/zhineng-chejian.jpg", workshop, 303, (800, 533), {"quality": 82}),
    ("2026-03-02/images/denghui-large.jpg", lantern_night, 304, (3000, 2000), {"quality": 80}),
    ("2026-03-03/images/yingshang-dahui.webp", meeting_hall, 305, (800, 533), {"quality": 80, "method": 4}),
    ("2026-03-03/images/chunyun-fancheng.jpg", station, 306, (800, 533), {"quality": 82}),
    ("2026-03-03/images/yuanxiao-tangyuan.png", tangyuan, 307, (800, 533), {"optimize": True}),
]


def main() -> None:
    for relative, draw, seed, size, options in IMAGES:
        path = ARCHIVE / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        draw(random.Random(seed), size).save(path, **options)
        print(f"{path.relative_to(ARCHIVE.parent)}  {size[0]}×{size[1]}  {path.stat().st_size // 1024} KiB")


if __name__ == "__main__":
    main()
