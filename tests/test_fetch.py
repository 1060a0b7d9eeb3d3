"""`epaper fetch` against replicas of e-paper sites served by a real HTTP server in a thread, with faults."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from exporter.fetch.client import Politeness
from exporter.fetch.crawl import DateResult, Tally
from exporter.fetch.dates import FetchOptions, fetch_dates
from exporter.fetch.preset import PRESETS, Preset, from_template, load
from tests.conftest import CORPUS, ROOT, needs, run_cli
from tests.fetchsite import Fault, Issue, Site, founder_issue, kjrb_issue, rmrb_new_issue, rmrb_old_issue

PAPER = "青山日报"
DAY = dt.date(2024, 1, 5)
FAST = Politeness(rate=0, retries=2, backoff=0.05, backoff_max=0.2, read_timeout=2, total_timeout=5)
RMRB_NEW = CORPUS / "real" / "html" / "rmrb_2024-12-25" / "New-RMRB-URL-20241225.html"
KJRB = CORPUS / "real" / "html" / "kjrb_2023-02-10" / "node_2.htm"


@pytest.fixture
def site() -> Iterator[Site]:
    server = Site().start()
    yield server
    server.stop()


def serve(site: Site, *issues: Issue) -> None:
    for issue in issues:
        site.files.update(issue.files)


def founder(site: Site) -> Preset:
    return from_template(site.base + "/html/{yyyy}-{mm}/{dd}/node_1.htm", "founder", PAPER)


def fetch(
    preset: Preset, days: list[dt.date], out: Path, politeness: Politeness = FAST, **kw: bool
) -> list[DateResult]:
    return fetch_dates(preset, days, out, FetchOptions(politeness, kw.get("refresh", False)), tally=Tally())


def saved(out: Path, paper: str, day: dt.date) -> dict[str, bytes]:
    """Every file saved for a date, by URL path (fetch.json and paper.toml aside)."""
    folder = out / paper / day.isoformat()
    return {
        "/" + p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != "fetch.json"
    }


def assert_saved(out: Path, paper: str, issue: Issue, missing: tuple[str, ...] = ()) -> None:
    files = saved(out, paper, issue.date)
    expected = {k: v for k, v in issue.files.items() if k not in missing}
    assert sorted(files) == sorted(expected)
    for path, body in expected.items():
        assert files[path] == body, path  # Byte for byte.


def inspect(path: Path) -> dict[str, list[str]]:
    """Pages and article titles `epaper inspect --json` reads from a saved tree."""
    result = run_cli("inspect", path, "--json", timeout=120)
    data = json.loads(result.stdout)
    pages: dict[str, list[str]] = {}
    for issue in data["issues"]:
        for page in issue["pages"]:
            pages.setdefault(page["label"], []).extend(a["title"] for a in page["articles"])
    return pages


def titles(pages: dict[str, list[str]]) -> list[str]:
    return sorted(t.replace(" ", "") for ts in pages.values() for t in ts)


# --- whole issues -------------------------------------------------------------------------------


def test_founder_issue_two_dates_and_a_missing_one(site: Site, tmp_path: Path) -> None:
    first, second = founder_issue(DAY), founder_issue(DAY + dt.timedelta(days=2), first_id=5000)
    serve(site, first, second)
    results = fetch(founder(site), [DAY, DAY + dt.timedelta(days=1), DAY + dt.timedelta(days=2)], tmp_path)
    assert [r.state for r in results] == ["complete", "no issue", "complete"]
    assert_saved(tmp_path, PAPER, first)
    assert_saved(tmp_path, PAPER, second)
    assert not (tmp_path / PAPER / "2024-01-06").exists()
    assert site.requests("/images/logo.gif") == 0  # Not of the date: not followed.
    ledger = json.loads((tmp_path / PAPER / "2024-01-05" / "fetch.json").read_text("utf-8"))
    assert ledger["state"] == "complete"
    by_path = {r["path"]: r for r in ledger["files"]}
    for path, body in first.files.items():
        record = by_path[path.lstrip("/")]
        assert record["sha256"] == hashlib.sha256(body).hexdigest()
        assert record["bytes"] == len(body) and record["status"] == 200 and record["etag"]
    # The saved tree is an ordinary source: every page and every article of both dates.
    pages = inspect(tmp_path / PAPER)
    assert sorted(pages) == ["01", "02", "03", "04"]
    assert sorted(p.name for p in tmp_path.iterdir()) == [PAPER]  # Nothing written elsewhere.
    assert sorted(p.name for p in (tmp_path / PAPER).iterdir()) == ["2024-01-05", "2024-01-07", "paper.toml"]
    assert titles(pages) == sorted(t for issue in (first, second) for ts in issue.pages.values() for t in ts)


def test_a_first_page_sent_elsewhere_is_no_issue(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY)
    serve(site, issue)
    site.files["/index.htm"] = b"<html><body>home</body></html>"
    sunday, monday = DAY + dt.timedelta(days=2), DAY + dt.timedelta(days=3)
    site.faults["/html/2024-01/07/node_1.htm"] = [Fault("redirect", 302, {"Location": "/index.htm"})]
    site.faults["/html/2024-01/08/node_1.htm"] = [Fault("redirect", 302, {"Location": issue.first_page})]
    results = fetch(founder(site), [sunday, monday], tmp_path)
    assert [r.state for r in results] == ["no issue", "no issue"]
    assert not (tmp_path / PAPER / "2024-01-07").exists() and not (tmp_path / PAPER / "2024-01-08").exists()


def test_rerun_fetches_nothing_again_and_refresh_asks_conditionally(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY, pages=2, per_page=3)
    serve(site, issue)
    fetch(founder(site), [DAY], tmp_path)
    before = len(site.log)
    assert fetch(founder(site), [DAY], tmp_path)[0].state == "unchanged"
    assert len(site.log) == before  # Complete before: no request at all.
    assert fetch(founder(site), [DAY], tmp_path, refresh=True)[0].state == "complete"
    asked = site.log[before:]
    page = next(h for p, h in asked if p == issue.first_page)
    assert page.get("if-none-match")  # Conditional: the site answers 304, nothing rewritten.
    assert len(asked) == len(issue.files) + 1  # Every file asked again, robots.txt once.
    lost = tmp_path / PAPER / "2024-01-05" / issue.first_page.lstrip("/")
    lost.unlink()  # Deleted since: the date is crawled again, only that file fetched.
    before = len(site.log)
    assert fetch(founder(site), [DAY], tmp_path)[0].state == "complete"
    assert [p for p, _ in site.log[before:]] == ["/robots.txt", issue.first_page]
    (tmp_path / PAPER / "2024-01-05" / "fetch.json").unlink()  # Without its ledger, files on disk are kept.
    before = len(site.log)
    assert fetch(founder(site), [DAY], tmp_path)[0].state == "complete"
    assert site.log[before:] == []  # Every file was on disk: not even robots.txt was needed.
    assert_saved(tmp_path, PAPER, issue)


def test_pc_layout_via_cli_with_report(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY, pc=True, pages=2, per_page=3, content_dir="con")  # pc/con/: a Windows device name.
    serve(site, issue)
    template = site.base + "/pc/layout/{yyyymm}/{dd}/node_01.html"
    report = tmp_path / "report.json"
    result = run_cli(
        "fetch", template, "--paper", PAPER, "--date", "2024-01-05", "-o", tmp_path / "a", "--rate", "0",
        "--report", report, "-q",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "fetched 1 dates (1 complete" in result.stderr
    assert_saved(tmp_path / "a", PAPER, issue)
    data = json.loads(report.read_text("utf-8"))
    assert data["dates"][0]["state"] == "complete"
    assert data["dates"][0]["files"] == {"index": 2, "article": 6, "image": 6, "picture": 2, "pdf": 2}


@pytest.mark.slow
def test_fetch_then_export_each_date(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY, pages=2, per_page=2)
    serve(site, issue)
    result = run_cli(
        "fetch", site.base + "/html/{yyyy}-{mm}/{dd}/node_1.htm", "--paper", PAPER, "--date", "2024-01-05",
        "-o", tmp_path / "a", "--rate", "0", "--export", "epub", "--out", tmp_path / "out", "-q",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "out" / PAPER / "2024-01-05.epub").is_file()
    articles = sum(len(titles) for titles in issue.pages.values())
    assert f"pages: {len(issue.pages)}\n" in result.stderr and f"articles: {articles}\n" in result.stderr


# --- presets against replicas of their URL layouts ------------------------------------------------


def local_preset(site: Site, name: str, tmp_path: Path) -> Preset:
    """A built-in preset with its host pointed at the replica (the URL layout unchanged)."""
    text = (PRESETS / f"{name}.toml").read_text("utf-8")
    for host in ("http://paper.people.com.cn", "https://epaper.gmw.cn"):
        text = text.replace(host, site.base)
    path = tmp_path / f"{name}.toml"
    path.write_text(text.replace('hosts = ["paper.people.com.cn"]', "hosts = []"), "utf-8")
    return load(path)


def test_rmrb_preset_old_layout_gbk_pages(site: Site, tmp_path: Path) -> None:
    issue = rmrb_old_issue()
    serve(site, issue)
    result = fetch(local_preset(site, "rmrb", tmp_path), [issue.date], tmp_path / "a")[0]
    assert result.state == "complete", result.failed
    assert_saved(tmp_path / "a", "人民日报", issue)
    assert titles(inspect(tmp_path / "a" / "人民日报")) == titles(issue.pages)


@pytest.mark.slow
@needs(RMRB_NEW)
def test_rmrb_preset_new_layout_from_the_saved_first_page(site: Site, tmp_path: Path) -> None:
    issue = rmrb_new_issue(RMRB_NEW)
    serve(site, issue)
    result = fetch(local_preset(site, "rmrb", tmp_path), [issue.date], tmp_path / "a")[0]
    assert result.state == "complete", result.failed[:3]
    assert_saved(tmp_path / "a", "人民日报", issue)
    saved_first = tmp_path / "a" / "人民日报" / "2024-12-25" / "rmrb/pc/layout/202412/25/node_01.html"
    assert saved_first.read_bytes() == RMRB_NEW.read_bytes()
    assert len(titles(inspect(tmp_path / "a" / "人民日报"))) == len(titles(issue.pages)) == 140


def test_gmrb_preset_both_eras(site: Site, tmp_path: Path) -> None:
    old = rmrb_old_issue(prefix="/gmrb")
    old.files = {
        k.replace("renmrb", "gmrb"): v.replace(b"renmrb", b"gmrb").replace(
            "人民日报".encode("gb18030"), "光明日报".encode("gb18030")
        )
        for k, v in old.files.items()
    }
    old.first_page = old.first_page.replace("renmrb", "gmrb")
    new = founder_issue(
        dt.date(2026, 3, 5), pc=True, prefix="/gmrb", pc_root="html", paper="光明日报", pages=2, per_page=2
    )
    # Before the preset's switch day, but already in the new layout: found by trying the other era.
    early = founder_issue(
        dt.date(2025, 11, 20), pc=True, prefix="/gmrb", pc_root="html", paper="光明日报", pages=1, first_id=7000
    )
    serve(site, old, new, early)
    preset = local_preset(site, "gmrb", tmp_path)
    missing = dt.date(2025, 11, 21)
    results = fetch(preset, [old.date, early.date, missing, new.date], tmp_path / "a")
    assert [r.state for r in results] == ["complete", "complete", "no issue", "complete"], [r.failed for r in results]
    for issue in (old, early, new):
        assert_saved(tmp_path / "a", "光明日报", issue)
    assert site.requests("/gmrb/html/2025-11/21/nbs.D110000gmrb_01.htm") == 1
    assert site.requests("/gmrb/html/layout/202511/21/node_01.html") == 1  # Both layouts asked, then "no issue".


@needs(KJRB)
def test_founder_family_from_the_saved_kjrb_page(site: Site, tmp_path: Path) -> None:
    issue = kjrb_issue(KJRB)
    serve(site, issue)
    preset = from_template(site.base + "/html/{yyyy}-{mm}/{dd}/node_2.htm", "founder", "科技日报")
    result = fetch(preset, [issue.date], tmp_path)[0]
    assert result.state == "complete", result.failed
    assert_saved(tmp_path, "科技日报", issue)
    assert titles(inspect(tmp_path / "科技日报")) == titles(issue.pages)


# --- faults -------------------------------------------------------------------------------------


def test_transient_faults_are_retried(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY, pages=2, per_page=3)
    serve(site, issue)
    articles = sorted(p for p in issue.files if "content_" in p)
    site.faults[issue.first_page] = [Fault("status", 503)]
    site.faults[articles[0]] = [Fault("stall", seconds=3)]  # Silent past the read timeout.
    site.faults[articles[1]] = [Fault("short")]  # Shorter than its Content-Length.
    site.faults[articles[2]] = [Fault("status", 429, {"Retry-After": "1"})]
    tally = Tally()
    politeness = Politeness(rate=0, retries=2, backoff=0.05, read_timeout=0.5, total_timeout=5)
    result = fetch_dates(founder(site), [DAY], tmp_path, FetchOptions(politeness), tally=tally)[0]
    assert result.state == "complete", result.failed
    assert tally.retries == 4
    assert_saved(tmp_path, PAPER, issue)
    times = [float(h["_time"]) for p, h in site.log if p == articles[2]]
    assert len(times) == 2 and times[1] - times[0] >= 0.9  # Retry-After honoured.


def test_failures_are_reported_and_nothing_half_is_saved(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY, pages=2, per_page=3)
    serve(site, issue)
    articles = sorted(p for p in issue.files if "content_" in p)
    ids = [a.rsplit("_", 1)[1].removesuffix(".htm") for a in articles]
    images = [f"/pic/2024-01/05/a{ids[3]}_0.jpg", f"/pic/2024-01/05/a{ids[4]}_0.jpg"]  # Of articles that load.
    site.faults[articles[0]] = [Fault("redirect", headers={"Location": "http://elsewhere.example/x.htm"})]
    site.faults[articles[1]] = [Fault("body", body="<html><body>页面不存在</body></html>".encode())]
    site.faults[articles[2]] = [Fault("status", 503)] * 3  # Never better within the retries.
    site.faults[images[0]] = [Fault("bomb", size=40 << 20)]  # 40 MiB of zeros, gzip-compressed.
    site.faults[images[1]] = [Fault("huge", size=3 << 20)]
    politeness = Politeness(rate=0, retries=2, backoff=0.01, max_bytes=2 << 20)  # 2 MiB for the plain one.
    result = fetch(founder(site), [DAY], tmp_path, politeness)[0]
    reasons = {f["url"].removeprefix(site.base): f["reason"] for f in result.failed}
    assert "another site, refused" in reasons[articles[0]]
    assert "not an article page" in reasons[articles[1]]
    assert "HTTP 503" in reasons[articles[2]]
    assert "limit" in reasons[images[0]] and "limit" in reasons[images[1]]
    assert result.state == "partial"
    # The failed files are absent (and the images of the articles never read), everything else whole.
    not_read = tuple(f"/pic/2024-01/05/a{n}_0.jpg" for n in ids[:3])
    assert_saved(tmp_path, PAPER, issue, missing=(*articles[:3], *images[:2], *not_read))
    assert not list((tmp_path / PAPER).rglob(".*.part"))
    # A re-run completes what failed (the faults are spent).
    assert fetch(founder(site), [DAY], tmp_path)[0].state == "complete"
    assert_saved(tmp_path, PAPER, issue)


def test_gzip_bomb_stops_at_the_64_mib_limit(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY, pages=1, per_page=1)
    serve(site, issue)
    picture = next(p for p in issue.files if "/page01.jpg" in p)
    site.faults[picture] = [Fault("bomb", size=80 << 20)]
    result = fetch(founder(site), [DAY], tmp_path, Politeness(rate=0, retries=0))[0]
    assert [f["reason"] for f in result.failed] == ["larger than the 64 MiB limit: stopped"]
    assert_saved(tmp_path, PAPER, issue, missing=(picture,))


def test_an_error_page_is_not_saved_over_a_good_copy(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY, pages=1, per_page=2)
    serve(site, issue)
    fetch(founder(site), [DAY], tmp_path)
    article = next(p for p in issue.files if "content_" in p)
    site.files[article] = "<html><head><title>验证码</title></head><body>请输入验证码</body></html>".encode()
    result = fetch(founder(site), [DAY], tmp_path, refresh=True)[0]
    assert [f["url"].removeprefix(site.base) for f in result.failed] == [article]
    assert "the saved copy is kept" in result.failed[0]["reason"]
    assert_saved(tmp_path, PAPER, issue)  # The good copy, byte for byte.


def test_robots_txt_disallow_and_crawl_delay(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY, pages=1, per_page=3, images=0)
    serve(site, issue)
    article = sorted(p for p in issue.files if "content_" in p)[1]
    site.files["/robots.txt"] = f"User-agent: *\nDisallow: {article}\nCrawl-delay: 0.3\n".encode()
    started = time.monotonic()
    result = fetch(founder(site), [DAY], tmp_path)[0]
    assert result.disallowed == [site.base + article] and not result.failed
    assert site.requests(article) == 0
    assert_saved(tmp_path, PAPER, issue, missing=(article,))
    assert time.monotonic() - started >= 0.3 * 4  # Five files after robots.txt, 0.3 s apart.


def test_a_redirect_within_the_site_is_followed(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY, pages=1, per_page=1)
    serve(site, issue)
    moved = issue.first_page.replace("node_1", "node_01")
    site.files[moved] = site.files.pop(issue.first_page)
    site.faults[issue.first_page] = [Fault("redirect", 301, {"Location": moved.rsplit("/", 1)[1]})]
    result = fetch(founder(site), [DAY], tmp_path)[0]
    assert result.state == "complete", result.failed


# --- interrupted -----------------------------------------------------------------------------------


def test_sigint_then_rerun_completes(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY, pages=4, per_page=6)
    serve(site, issue)
    site.delay = 0.03
    archive = tmp_path / "a"
    command = [
        sys.executable, "-m", "exporter", "fetch", site.base + "/html/{yyyy}-{mm}/{dd}/node_1.htm",
        "--paper", PAPER, "--date", "2024-01-05", "-o", str(archive), "--rate", "0", "-q",
    ]  # fmt: skip
    process = subprocess.Popen(
        command,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        # As in a terminal's foreground: tests started in the background (cmd &) inherit an ignored SIGINT.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    folder = archive / PAPER / "2024-01-05"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and len(list(folder.rglob("content_*"))) < 5:
        time.sleep(0.02)
    process.send_signal(signal.SIGINT)
    _, err = process.communicate(timeout=30)
    assert process.returncode == 130, err
    assert "interrupted" in err
    had = saved(archive, PAPER, DAY)
    assert 0 < len(had) < len(issue.files)
    assert not list(archive.rglob(".*.part"))
    for path, body in had.items():
        assert issue.files[path] == body  # Whatever is there is whole.
    ledger = json.loads((folder / "fetch.json").read_text("utf-8"))
    assert ledger["state"] == "partial"
    for record in ledger["files"]:  # A write finishing after the interrupt is on disk, not yet listed.
        assert hashlib.sha256(had["/" + record["path"]]).hexdigest() == record["sha256"]
    site.delay = 0
    before = len(site.log)
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    assert_saved(archive, PAPER, issue)
    again = [p for p, _ in site.log[before:]]
    assert not set(again) & set(had)  # Nothing saved before was asked for again.


def test_leftovers_of_a_killed_run_are_removed_and_two_runs_do_not_mix(site: Site, tmp_path: Path) -> None:
    from exporter.errors import OutputError
    from exporter.fetch.dates import _hold

    issue = founder_issue(DAY, pages=1, per_page=1)
    serve(site, issue)
    leftover = tmp_path / PAPER / "2024-01-05" / "html" / "2024-01" / "05" / ".node_1.htm.1a2b3c4d.part"
    leftover.parent.mkdir(parents=True)
    leftover.write_bytes(b"<html>half")
    with _hold(tmp_path / PAPER), pytest.raises(OutputError, match="another epaper fetch"):
        fetch(founder(site), [DAY], tmp_path)
    assert leftover.exists() and site.log == []
    assert fetch(founder(site), [DAY], tmp_path)[0].state == "complete"
    assert not leftover.exists()
    assert_saved(tmp_path, PAPER, issue)


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    for args in (
        ("rmrb",),  # No date.
        ("nope", "--date", "2024-01-01"),
        ("https://x.example/{yyyy}/{dd}/node_1.htm", "--date", "2024-01-01"),  # No --paper.
        ("https://x.example/{yyyy}/{dd}/index.htm", "--paper", "某报", "--date", "2024-01-01"),  # Family unknown.
        ("rmrb", "--from", "2024-01-05", "--to", "2024-01-01"),
        ("rmrb", "--date", "2024-01-01", "--export", "mobi"),
    ):
        result = run_cli("fetch", *args, "-o", tmp_path)
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.startswith("epaper: error:") and "Traceback" not in result.stderr
    assert not any(tmp_path.iterdir())


def test_list_sites() -> None:
    result = run_cli("fetch", "--list-sites")
    assert result.returncode == 0
    for word in ("rmrb", "人民日报", "gmrb", "光明日报", "founder", "founder-pc", "{yyyymm}"):
        assert word in result.stdout


def test_pictures_from_an_image_host_the_preset_lists(site: Site, tmp_path: Path) -> None:
    issue = founder_issue(DAY, pages=1, per_page=2)
    port = site.base.rsplit(":", 1)[1]
    for path in [p for p in issue.files if "content_" in p]:
        number = path.rsplit("_", 1)[1].removesuffix(".htm")
        old = f"../../../pic/2024-01/05/a{number}_0.jpg"
        issue.files[path] = issue.files[path].replace(
            old.encode(), f'http://localhost:{port}/upload/a{number}.jpg"><img src="/images/icon.gif'.encode()
        )
        issue.files[f"/upload/a{number}.jpg"] = issue.files.pop(f"/pic/2024-01/05/a{number}_0.jpg")
    serve(site, issue)
    site.files["/images/icon.gif"] = b"GIF89a"
    mine = tmp_path / "mine.toml"
    mine.write_text(
        f'paper = "{PAPER}"\nhosts = ["localhost"]\n[[era]]\nfamily = "founder"\n'
        f'first_page = "{site.base}/html/{{yyyy}}-{{mm}}/{{dd}}/node_1.htm"\n',
        "utf-8",
    )
    result = run_cli("fetch", "--site", mine, "--date", "2024-01-05", "-o", tmp_path / "a", "--rate", "0", "-q")
    assert result.returncode == 0, result.stderr
    files = saved(tmp_path / "a", PAPER, DAY)
    for path, body in issue.files.items():
        where = f"/_hosts/localhost_{port}{path}" if path.startswith("/upload/") else path
        assert files[where] == body
    assert len(files) == len(issue.files)
    assert site.requests("/images/icon.gif") == 0  # Undated on the site's own host: a logo, not followed.
