"""The parts of `epaper fetch` that need no server: safe file names, presets, dates, redirect targets."""

from __future__ import annotations

import datetime as dt
from pathlib import Path, PurePosixPath

import pytest

from exporter.errors import EpaperError, InputError
from exporter.fetch import preset as presets
from exporter.fetch.client import Client, FetchError, _private, _retry_after
from exporter.fetch.paths import PART_BYTES, local_path

HOST = "paper.example.cn"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://paper.example.cn/html/2024-12/25/node_1.htm", "html/2024-12/25/node_1.htm"),
        ("http://paper.example.cn/pic/2024-12/25/a%20b.jpg", "pic/2024-12/25/a b.jpg"),
        ("http://paper.example.cn/html/2024-12/25/", "html/2024-12/25/index.html"),
        ("http://img.example.cn:8080/p/1.jpg", "_hosts/img.example.cn_8080/p/1.jpg"),
        ("http://paper.example.cn/a/%2F..%2F..%2Fetc/passwd", "a/_.._.._etc/passwd"),  # %2F stays in one part.
        ("http://paper.example.cn/pc/con/202501/02/c.html", "pc/con/202501/02/c.html"),  # Founder's own folder.
        ("http://paper.example.cn/a/b%3Ac%3F.jpg.", "a/b_c_.jpg"),  # No : ? and no trailing dot.
        ("http://paper.example.cn/a/x%00y.htm", "a/x_y.htm"),
    ],
)
def test_local_paths_stay_inside(url: str, expected: str) -> None:
    assert local_path(url, HOST) == PurePosixPath(expected)


@pytest.mark.parametrize(
    "url",
    [
        "http://paper.example.cn/a/%2e%2e/%2e%2e/etc/passwd",  # Dots decoded after the URL was normalised.
        "http://paper.example.cn/" + "a/" * 30 + "x.htm",  # Too deep.
    ],
)
def test_unsafe_paths_are_refused(url: str) -> None:
    assert local_path(url, HOST) is None


def test_device_names_are_renamed_on_windows() -> None:
    assert local_path("http://paper.example.cn/pc/con/aux.jpg", HOST, windows=True) == PurePosixPath("pc/_con/_aux.jpg")


def test_long_names_are_shortened_keeping_the_suffix_and_staying_distinct() -> None:
    first = local_path("http://paper.example.cn/p/" + "图" * 100 + "1.jpg", HOST)
    second = local_path("http://paper.example.cn/p/" + "图" * 100 + "2.jpg", HOST)
    assert first is not None and second is not None and first != second
    assert first.suffix == ".jpg" and len(first.name.encode()) <= PART_BYTES


def test_builtin_presets_pick_the_layout_by_date() -> None:
    rmrb = presets.builtin()["rmrb"]
    assert rmrb.paper == "人民日报"
    assert rmrb.first_page(dt.date(2024, 11, 30)) == (
        "http://paper.people.com.cn/rmrb/html/2024-11/30/nbs.D110000renmrb_01.htm"
    )
    assert rmrb.first_page(dt.date(2024, 12, 1)) == "http://paper.people.com.cn/rmrb/pc/layout/202412/01/node_01.html"
    gmrb = presets.builtin()["gmrb"]
    assert gmrb.first_page(dt.date(2026, 3, 5)) == "https://epaper.gmw.cn/gmrb/html/layout/202603/05/node_01.html"
    assert gmrb.first_page(dt.date(2025, 6, 18)) == (
        "https://epaper.gmw.cn/gmrb/html/2025-06/18/nbs.D110000gmrb_01.htm"
    )
    assert gmrb.era(dt.date(2020, 1, 1)).family.name == "gmrb"  # type: ignore[union-attr]


def test_a_site_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(
        'paper = "某某日报"\nhosts = ["img.example.cn"]\n[[era]]\nsince = 2023-01-01\nfamily = "founder"\n'
        'first_page = "https://paper.example.cn/html/{yyyy}-{mm}/{dd}/node_1.htm"\n',
        "utf-8",
    )
    preset = presets.load(path)
    assert preset.key == "mine" and preset.paper == "某某日报"
    assert preset.first_page(dt.date(2022, 12, 31)) is None
    assert preset.first_page(dt.date(2023, 2, 10)) == "https://paper.example.cn/html/2023-02/10/node_1.htm"
    assert preset.allowed_hosts(dt.date(2023, 2, 10)) == {"paper.example.cn", "img.example.cn"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("paper = 1", 'needs paper = "<paper name>"'),
        ('paper = "x"', "needs at least one [[era]]"),
        ('paper = "x"\n[[era]]\nfamily = "founder"\nfirst_page = "ftp://x/{dd}"', "not an http(s) URL"),
        ('paper = "x"\n[[era]]\nfamily = "founder"\nfirst_page = "http://x/{yy}/{dd}"', "unknown placeholder {yy}"),
        ('paper = "x"\n[[era]]\nfamily = "founder"\nfirst_page = "http://x/{yyyy}/n.htm"', "has no day"),
        ('paper = "x"\n[[era]]\nfamily = "nope"\nfirst_page = "http://x/{dd}/n.htm"', "unknown site family"),
        ('paper = "x"\n[[era]]\nsince = "2024-01-01"\nfamily = "founder"\nfirst_page = "http://x/{dd}"', "since must"),
        ("paper = [", "bad TOML"),
    ],
)
def test_bad_site_files_are_named(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text, "utf-8")
    with pytest.raises(InputError) as caught:
        presets.load(path)
    assert message in str(caught.value) and str(path) in str(caught.value)


def test_a_url_template_names_its_family_by_its_file_names() -> None:
    chosen = presets.choose(
        "https://p.example.cn/pc/layout/{yyyymm}/{dd}/node_01.html", family=None, paper="某报", site_file=None
    )
    assert chosen.eras[0].family.name == "founder-pc" and chosen.paper == "某报"
    with pytest.raises(EpaperError, match="--family"):
        presets.choose("https://p.example.cn/{yyyy}/{dd}/index.html", family=None, paper="某报", site_file=None)
    with pytest.raises(EpaperError, match="not with a preset"):
        presets.choose("rmrb", family="founder", paper=None, site_file=None)


def test_date_ranges() -> None:
    day = dt.date(2024, 2, 28)
    assert presets.date_range(day, None, None, False, False) == [day]
    assert presets.date_range(None, day, dt.date(2024, 3, 1), False, False) == [
        dt.date(2024, 2, 28),
        dt.date(2024, 2, 29),
        dt.date(2024, 3, 1),
    ]
    assert presets.date_range(None, day, None, False, False) == [day]  # --from alone: that day.
    china_today = dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()
    assert presets.date_range(None, None, None, False, True) == [china_today - dt.timedelta(days=1)]
    for args in ((day, day, None, False, False), (None, None, None, False, False), (None, None, None, True, True)):
        with pytest.raises(EpaperError, match="one way"):
            presets.date_range(*args)
    with pytest.raises(EpaperError, match="more than"):
        presets.date_range(None, dt.date(2000, 1, 1), dt.date(2020, 1, 1), False, False)


def test_retry_after_in_seconds_or_as_a_date() -> None:
    assert _retry_after("7") == 7.0
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # In the past: at once.
    assert _retry_after("soon") is None and _retry_after(None) is None


async def _target(client: Client, target: str) -> str | None:
    try:
        client._check_target("http://paper.example.cn/x.htm", target)
    except FetchError as exc:
        return exc.reason
    return None


@pytest.mark.parametrize(
    ("target", "refused"),
    [
        ("http://paper.example.cn/y.htm", None),
        ("https://paper.example.cn/y.htm", None),
        ("http://evil.example/y.htm", "another site"),
        ("file:///etc/passwd", "not http(s)"),
        ("http://10.0.0.5/y.htm", "private or loopback"),  # Listed as an image host, but private.
    ],
)
def test_redirect_targets(target: str, refused: str | None) -> None:
    import asyncio

    async def check() -> str | None:
        async with Client(frozenset({HOST, "10.0.0.5"}), home=frozenset({HOST})) as client:
            return await _target(client, target)

    reason = asyncio.run(check())
    assert (reason is None) if refused is None else (reason is not None and refused in reason)


def test_private_addresses() -> None:
    assert _private("127.0.0.1") and _private("localhost") and _private("192.168.1.2") and _private("[::1]")
    assert not _private("paper.people.com.cn") and not _private("8.8.8.8")
