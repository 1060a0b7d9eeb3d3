"""The `epaper` command line: a thin layer over the library (exporter.archive, exporter.pipeline.batch)."""

import datetime as dt
import io
import json
import os
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import click
import typer
import typer.core

from exporter import __version__
from exporter.errors import EpaperError, InputError, printable

if TYPE_CHECKING:
    from exporter.missing import Run
    from exporter.pipeline.batch import Outcome

# Typer escapes "[default: …]" as "\\[default: …]" for rich whenever rich is installed, even with rich help off.
typer.core.HAS_RICH = False

app = typer.Typer(
    name="epaper",
    help=(
        "Turn the digital editions of Chinese daily newspapers (电子报) into EPUB 3 and print-ready PDF books.\n\n"
        "\b\nExamples:\n"
        "  epaper inspect examples/archive\n"
        "  epaper export examples/archive -f epub,pdf -o out\n"
        "  epaper check out/青川晚报/2026-03-02.epub"
    ),
    add_completion=False,
    invoke_without_command=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Sources = Annotated[
    list[Path],
    typer.Argument(metavar="SOURCES...", help="Source files or folders (searched recursively); any mix of formats."),
]
PaperOpt = Annotated[str | None, typer.Option("--paper", help="Only this paper; also names papers that sources omit.")]
FromOpt = Annotated[str | None, typer.Option("--from", help="First date, YYYY-MM-DD (inclusive).")]
ToOpt = Annotated[str | None, typer.Option("--to", help="Last date, YYYY-MM-DD (inclusive).")]
KeepPunct = Annotated[
    bool, typer.Option("--keep-punctuation", help="Keep the ASCII punctuation of reader dumps as exported.")
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"epaper {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    ctx: typer.Context,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")
    ] = False,
) -> None:
    """Show the help when no command is given."""
    if ctx.invoked_subcommand is None:
        typer.echo(ctx.get_help())
        raise typer.Exit(0)


def parse_date(value: str | None, option: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise EpaperError(f"{option} {value!r}: expected a date as YYYY-MM-DD") from None


@app.command()
def inspect(
    sources: Sources,
    as_json: Annotated[bool, typer.Option("--json", help="Print the normalized model as JSON.")] = False,
    paper: PaperOpt = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    keep_punctuation: KeepPunct = False,
) -> None:
    """Show the papers, issues, pages and articles found in SOURCES, with every warning.

    \b
    Examples:
      epaper inspect examples/archive
      epaper inspect ~/dumps --json > issue.json
    Exit 0 when every file was read, 1 when some were refused, 2 when none could be read.
    """
    from exporter import inspect as view
    from exporter import normalized
    from exporter.archive import open_archive
    from exporter.assemble import Selection
    from exporter.sources import ReadOptions

    selection = Selection(paper, parse_date(date_from, "--from"), parse_date(date_to, "--to"))
    archive = open_archive(sources, ReadOptions(keep_punctuation, paper), selection)
    if as_json:
        sys.stdout.write(
            json.dumps(normalized.dump(list(archive.issues), list(archive.notices)), ensure_ascii=False, indent=2)
            + "\n"
        )
        for error in archive.refused:
            typer.echo(f"refused: {error}", err=True)
    elif sys.stdout.isatty():
        from rich.console import Console

        console = Console()
        for tree in view.rich_tree(archive):
            console.print(tree)
        for notice in archive.notices:
            console.print(f"[yellow]warning:[/] {notice}", markup=True, highlight=False)
        for error in archive.refused:
            console.print(f"[red]refused:[/] {error}", markup=True, highlight=False)
        console.print(view.totals(archive), highlight=False)
    else:
        sys.stdout.write(view.plain(archive) + "\n")
    raise typer.Exit(_read_status(archive.files, archive.unreadable, len(archive.refused), sources))


@app.command()
def export(
    sources: Sources,
    out: Annotated[Path, typer.Option("-o", "--out", help="Output folder.")] = Path("out"),
    formats: Annotated[str, typer.Option("-f", "--formats", help="Comma-separated: epub, pdf.")] = "epub",
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    paper: PaperOpt = None,
    bundle: Annotated[str, typer.Option("--bundle", help="One book per issue, month or the whole range.")] = "issue",
    jobs: Annotated[
        int | None, typer.Option("-j", "--jobs", min=1, help="Worker processes (default: number of CPUs).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Rebuild outputs even when unchanged.")] = False,
    fail_fast: Annotated[bool, typer.Option("--fail-fast", help="Stop at the first book that fails.")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write a JSON report here.")] = None,
    templates: Annotated[
        Path | None, typer.Option("--templates", help="Folder whose templates override the built-in ones.")
    ] = None,
    css: Annotated[Path | None, typer.Option("--css", help="Stylesheet added after the built-in CSS.")] = None,
    toc_depth: Annotated[int, typer.Option("--toc-depth", min=1, max=3, help="1 版面, 2 +articles, 3 +headings.")] = 2,
    lang: Annotated[str | None, typer.Option("--lang", help="Book language, e.g. zh-Hans for Apple Books.")] = None,
    keep_punctuation: KeepPunct = False,
    pdf_profile: Annotated[str, typer.Option("--pdf-profile", help="screen, print or archive.")] = "screen",
    page_size: Annotated[str, typer.Option("--page-size", help="A4, A5, B5, Letter or WxHmm.")] = "A4",
    columns: Annotated[int, typer.Option("--columns", min=1, max=2, help="Article columns in the PDF.")] = 1,
    facsimile: Annotated[
        bool | None,
        typer.Option(
            "--facsimile/--no-facsimile",
            help="Open each 版面 with its page picture, when the source has one (default: for issues, not volumes).",
        ),
    ] = None,
    original_pages: Annotated[
        str | None,
        typer.Option(
            "--original-pages", help="The site's page PDFs: embed (default with archive), append or none (PDF)."
        ),
    ] = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="No progress, only errors and the summary.")] = False,
    today: Annotated[bool, typer.Option("--today", help="Only today's issue (China's date): for daily runs.")] = False,
    yesterday: Annotated[bool, typer.Option("--yesterday", help="Only yesterday's issue (China's date).")] = False,
    library: Annotated[
        bool | None,
        typer.Option(
            "--library/--no-library", help="Refresh OUT/index.html and OUT/opds/ (default: when OUT has them)."
        ),
    ] = None,
    send_to: Annotated[
        str | None, typer.Option("--send", metavar="PROFILE", help="E-mail the books through this profile (once each).")
    ] = None,
    executor: Annotated[
        str | None,
        typer.Option("--executor", help="local (worker processes here) or dask (default: dask with --scheduler)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option("--scheduler", help="Dask scheduler, e.g. tcp://host:8786 (none: a local cluster of --jobs)."),
    ] = None,
    book_timeout: Annotated[
        float,
        typer.Option("--book-timeout", min=0, help="Seconds per issue a book may take before it fails (0: no limit)."),
    ] = 600,
    max_memory: Annotated[
        int | None, typer.Option("--max-memory", min=64, help="MiB one worker may use; a book over it fails alone.")
    ] = None,
) -> None:
    """Write EPUB and/or PDF books, one per issue (or per month / range volume).

    \b
    Examples:
      epaper export examples/archive -f epub,pdf -o out
      epaper export ~/dumps --from 2026-01-01 --to 2026-01-31 -f epub,pdf --jobs 2
      epaper export ~/dumps --from 2026-01-01 --to 2026-01-31 --bundle month -f pdf
      epaper export /mnt/archive -o /mnt/books -f epub,pdf --scheduler tcp://host:8786
    Outputs: OUT/<paper>/<YYYY-MM-DD>.epub|.pdf (volumes: <YYYY-MM> or <FROM>_<TO>).
    A second run skips books whose sources and options have not changed (--force rebuilds).
    Exit 0 when everything was written, 1 when some issues or sources failed, 2 on usage or input errors.
    """
    import time

    from exporter import fonts

    fonts.list_early()
    from exporter.archive import open_archive
    from exporter.assemble import Selection
    from exporter.background import Helper
    from exporter.cover import warm_up
    from exporter.missing import missing_runs
    from exporter.papers import is_language_tag
    from exporter.pipeline import rerun
    from exporter.pipeline.batch import (
        FORMATS,
        Executor,
        check_writable,
        execute,
        output_lock,
        plan,
        prepare,
        remove_stale_parts,
    )
    from exporter.pipeline.executors import LocalExecutor
    from exporter.pipeline.limits import Limits
    from exporter.pipeline.manifest import MANIFEST
    from exporter.pipeline.progress import Progress, Reading
    from exporter.sources import ReadOptions
    from exporter.writers import WriteOptions

    started = time.perf_counter()
    wanted = list(dict.fromkeys(f.strip().lower() for f in formats.split(",") if f.strip()))
    if not wanted or any(f not in FORMATS for f in wanted):
        raise EpaperError(f"-f {formats!r}: formats are epub and pdf (e.g. -f epub,pdf)")
    if bundle not in ("issue", "month", "range"):
        raise EpaperError(f"--bundle {bundle!r}: expected issue, month or range")
    if pdf_profile not in ("screen", "print", "archive"):
        raise EpaperError(f"--pdf-profile {pdf_profile!r}: expected screen, print or archive")
    if original_pages not in (None, "embed", "append", "none"):
        raise EpaperError(f"--original-pages {original_pages!r}: expected embed, append or none")
    if templates is not None and not templates.is_dir():
        raise EpaperError(f"--templates {templates}: not a folder of templates")
    if css is not None and not css.is_file():
        raise EpaperError(f"--css {css}: not a stylesheet file")
    if report is not None and (
        not _creatable(report) or report.resolve() in (out.resolve(), (out / MANIFEST).resolve())
    ):
        raise EpaperError(f"--report {report}: cannot be written there")
    if lang is not None and not is_language_tag(lang):
        raise EpaperError(f"--lang {lang!r}: not a language tag such as zh-CN, zh-Hans or zh-Hant-TW")
    if css is not None:
        from exporter.overrides import check_stylesheet, stylesheet_for_books

        for warning in check_stylesheet(css):
            typer.echo(f"epaper: warning: {warning}", err=True)
        css = stylesheet_for_books(css.resolve())  # Imports inlined, URLs dropped: what both books can carry.
    engine = executor or ("dask" if scheduler else "local")
    if engine not in ("local", "dask"):
        raise EpaperError(f"--executor {executor!r}: expected local or dask")
    if scheduler and engine != "dask":
        raise EpaperError(f"--scheduler {scheduler}: only with --executor dask")
    if engine == "dask":  # Workers elsewhere have another working folder: name every file by absolute path.
        sources = [s.absolute() for s in sources]
    first, last = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if today or yesterday:
        from exporter.library.daily import paper_day

        if (today and yesterday) or date_from or date_to:
            raise EpaperError("--today and --yesterday go alone: without each other, --from or --to")
        first = last = paper_day(1 if yesterday else 0)
    if send_to is not None:  # A missing profile is found before the export, not after.
        from exporter.library.config import profile

        profile(send_to)
    if first and last and first > last:
        raise EpaperError(f"--from {first} is after --to {last}")
    options = WriteOptions(
        templates=templates.resolve() if templates else None,
        css=css.resolve() if css else None,
        toc_depth=toc_depth,
        language=lang,
        pdf_profile=pdf_profile,  # type: ignore[arg-type]
        page_size=page_size,
        columns=columns,
        facsimile=facsimile if facsimile is not None else bundle == "issue",  # A month of pictures is ~700 MB.
        original_pages=original_pages or "auto",  # type: ignore[arg-type]
    )
    read_options, selection = ReadOptions(keep_punctuation, paper), Selection(paper, first, last)
    run_key = (
        None
        if force
        else rerun.fingerprint(sources, rerun.request(out, wanted, bundle, selection, read_options, options))
    )
    if run_key and (out / rerun.RUNS).is_file():  # Nothing moved since the last complete run: report it again.
        with output_lock(out):
            again = rerun.replay(out, run_key)
        if again is not None:
            if not quiet:
                for line in again.notices:
                    typer.echo(f"epaper: warning: {line}", err=True)
            unsent = _after_export(out, again.outcomes, library, send_to, templates, quiet)
            _finish(again.outcomes, again.missing, [], report, quiet, started, unsent)

    fonts.require_cjk()  # The EPUB cover is drawn in them too: one clear line now, not one failure per book.
    if "pdf" in wanted:
        from exporter.writers.pdfsetup import check_page_size, preflight

        check_page_size(page_size)
        for warning in preflight():
            typer.echo(f"epaper: warning: {warning}", err=True)

    limits = Limits(book_timeout or None, max_memory)
    workers = jobs or os.cpu_count() or 1
    if engine == "dask":  # Its module and logging only for Dask runs.
        from exporter.pipeline.cluster import DaskExecutor

        runner: Executor = DaskExecutor(scheduler, workers, limits)
    else:
        runner = LocalExecutor(workers, limits)
    local_helper = engine == "local" and "epub" in wanted and jobs in (None, 1)
    # Forked now, the helper that draws EPUB covers loads Pillow and the fonts while the sources are read.
    with Helper(warm_up) if local_helper else nullcontext() as helper, runner:
        reading = Reading(quiet)
        try:  # Forked readers only beside no threads: a Dask client runs some.
            archive = open_archive(sources, read_options, selection, reading, workers if engine == "local" else 1)
        finally:
            reading.close()
        for error in archive.refused:
            typer.echo(f"epaper: refused: {error}", err=True)
        if not quiet:  # Before the checks below: "skipped" warnings say why no source may be left.
            for notice in archive.notices:
                typer.echo(f"epaper: warning: {notice}", err=True)
        _require_sources(archive.files, sources)
        if archive.unreadable == archive.files:
            raise EpaperError("no source could be read")
        if not archive.issues:
            raise EpaperError(_nothing_to_export(sources, paper, first, last))

        check_writable(out)  # One error and exit 2, rather than every book failing the same way.
        with output_lock(out):
            batch = prepare(plan(archive.issues, bundle, first, last), wanted, out, options, force)  # type: ignore[arg-type]
            remove_stale_parts(out)
            progress = Progress(len(batch.tasks), quiet)
            outcomes = list(batch.skipped)
            try:
                outcomes += execute(
                    batch,
                    runner,
                    on_start=progress.start,
                    on_done=progress.finish,
                    fail_fast=fail_fast,
                    helper=helper,
                )
            except KeyboardInterrupt:
                progress.close()
                typer.echo(
                    f"epaper: interrupted: {progress.written} of {len(batch.tasks)} books written; run again to resume",
                    err=True,
                )
                raise typer.Exit(130) from None
            progress.close()
            outcomes.sort(key=lambda o: (o.paper, o.date))
            missing = missing_runs(archive.issues, first, last)
            if not archive.refused:
                photos = [f.image for i in archive.issues for a in i.articles for f in a.figures if f.image]
                notices = [str(n) for n in archive.notices]
                rerun.remember(out, run_key, outcomes, photos, missing, notices)
    unsent = _after_export(out, outcomes, library, send_to, templates, quiet)
    _finish(outcomes, missing, [str(e) for e in archive.refused], report, quiet, started, unsent)


def _finish(
    outcomes: "list[Outcome]",
    missing: "dict[str, list[Run]]",
    refused: list[str],
    report: Path | None,
    quiet: bool,
    started: float,
    unsent: bool = False,
) -> None:
    """Write the report and the summary, name the missing dates, and exit 0, or 1 when anything failed."""
    import time

    from exporter.missing import SHOWN_RUNS, days, listed
    from exporter.pipeline.batch import write_report
    from exporter.pipeline.progress import print_summary, summary

    if report is not None:
        write_report(report, outcomes, missing, refused)
    missing_count = sum(days(runs) for runs in missing.values())
    print_summary(summary(outcomes, len(refused), missing_count, time.perf_counter() - started))
    if missing_count and not quiet:
        for name, runs in missing.items():
            if runs:
                typer.echo(printable(f"no issue of {name} on: {', '.join(listed(runs, SHOWN_RUNS))}"), err=True)
    failed = any(o.status == "failed" for o in outcomes) or unsent
    raise typer.Exit(1 if failed or refused else 0)


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(metavar="FILES...", help="EPUB or PDF files to validate.")],
) -> None:
    """Validate EPUB files with EPUBCheck and PDF files for fonts, outline and page boxes.

    \b
    Examples:
      epaper check out/宜春日报/2026-01-14.epub
      epaper check out/*/*.pdf
    Exit 0 when every file passes, 1 when any has an error or warning, 2 when a file is missing.
    """
    from exporter.checks import check as check_file
    from exporter.checks import checkable

    for file in files:  # A wrong name is a usage error (exit 2), found before minutes of checking.
        checkable(file)
    failed = 0
    for file in files:
        try:
            result = check_file(file)
        except EpaperError as exc:  # One unreadable file is one failure; the others are still checked.
            typer.echo(f"{file}: FAILED\n  {exc}")
            failed += 1
            continue
        status = "ok" if result.ok else "FAILED"
        typer.echo(f"{file}: {status}")
        for fact in result.facts:
            typer.echo(f"  {fact}")
        for problem in result.problems:
            typer.echo(f"  {problem}")
        failed += not result.ok
    raise typer.Exit(1 if failed else 0)


# --- epaper fetch -------------------------------------------------------------------------------


@app.command()
def fetch(
    site: Annotated[
        str | None, typer.Argument(metavar="SITE", help="A preset (rmrb, gmrb …) or a first-page URL template.")
    ] = None,
    archive: Annotated[Path, typer.Option("-o", "--archive", help="Folder the pages are saved in.")] = Path("archive"),
    date: Annotated[str | None, typer.Option("--date", help="One date, YYYY-MM-DD.")] = None,
    date_from: FromOpt = None,
    date_to: ToOpt = None,
    today: Annotated[bool, typer.Option("--today", help="Today's issue (China time).")] = False,
    yesterday: Annotated[bool, typer.Option("--yesterday", help="Yesterday's issue (China time).")] = False,
    paper: Annotated[str | None, typer.Option("--paper", help="The paper's name (needed with a URL template).")] = None,
    family: Annotated[
        str | None, typer.Option("--family", help="Site family of a URL template (see --list-sites).")
    ] = None,
    site_file: Annotated[Path | None, typer.Option("--site", help="A site preset of your own (TOML).")] = None,
    list_sites: Annotated[bool, typer.Option("--list-sites", help="List the presets and site families.")] = False,
    rate: Annotated[float, typer.Option("--rate", min=0, help="Requests a second per host; 0 = no limit.")] = 4.0,
    retries: Annotated[int, typer.Option("--retries", min=0, max=20, help="Tries after the first.")] = 4,
    backoff: Annotated[float, typer.Option("--backoff", min=0, help="First retry delay, seconds (doubles).")] = 1.0,
    connect_timeout: Annotated[float, typer.Option("--connect-timeout", min=0.01, help="Seconds.")] = 10.0,
    read_timeout: Annotated[float, typer.Option("--read-timeout", min=0.01, help="Seconds of silence.")] = 30.0,
    total_timeout: Annotated[float, typer.Option("--total-timeout", min=0.01, help="Seconds per file.")] = 120.0,
    refresh: Annotated[
        bool, typer.Option("--refresh", help="Ask again for saved files (only changed ones are downloaded).")
    ] = False,
    export_formats: Annotated[
        str | None, typer.Option("--export", help="Export each date as it completes: epub, pdf or epub,pdf.")
    ] = None,
    out: Annotated[Path, typer.Option("--out", help="Output folder of --export.")] = Path("out"),
    library: Annotated[
        bool | None,
        typer.Option("--library/--no-library", help="With --export: refresh OUT's library page and catalog."),
    ] = None,
    send_to: Annotated[
        str | None, typer.Option("--send", metavar="PROFILE", help="With --export: e-mail each new book (once).")
    ] = None,
    report: Annotated[Path | None, typer.Option("--report", help="Write a JSON report here.")] = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="No progress, only failures and the summary.")] = False,
) -> None:
    """Fetch a date range of an e-paper from its web site into a folder that `epaper export` reads.

    \b
    Examples:
      epaper fetch rmrb --from 2024-12-01 --to 2024-12-31 -o archive
      epaper fetch 'https://paper.example.cn/html/{yyyy}-{mm}/{dd}/node_1.htm' --paper 某某日报 --date 2023-02-10
      epaper fetch rmrb --yesterday -o archive --export epub,pdf --out out
      epaper fetch --list-sites
    Saved as ARCHIVE/<paper>/<YYYY-MM-DD>/… (the site's own paths) with fetch.json per date.
    A re-run fetches only what is missing or failed. Polite: robots.txt, --rate per host, retries.
    Exit 0 when every date was fetched or has no issue, 1 when some files failed, 2 on usage errors.
    """
    import time

    from exporter.fetch import dates as fetching
    from exporter.fetch import preset as presets
    from exporter.fetch.client import Politeness
    from exporter.fetch.crawl import DateResult, Tally
    from exporter.fetch.progress import FetchProgress
    from exporter.fetch.progress import summary as fetch_summary

    if list_sites:
        typer.echo(presets.listing())
        raise typer.Exit(0)
    preset = presets.choose(site, family=family, paper=paper, site_file=site_file)
    days = presets.date_range(
        parse_date(date, "--date"), parse_date(date_from, "--from"), parse_date(date_to, "--to"), today, yesterday
    )
    wanted: list[str] = []
    if export_formats is not None:
        wanted = list(dict.fromkeys(f.strip().lower() for f in export_formats.split(",") if f.strip()))
        if not wanted or any(f not in ("epub", "pdf") for f in wanted):
            raise EpaperError(f"--export {export_formats!r}: formats are epub and pdf (e.g. --export epub,pdf)")
    if report is not None and not _creatable(report):
        raise EpaperError(f"--report {report}: cannot be written there")
    if send_to is not None:
        if not wanted:
            raise EpaperError("--send needs --export: only exported books can be sent")
        from exporter.library.config import profile

        profile(send_to)  # An unknown profile is found before fetching, not after.
    politeness = Politeness(
        rate=rate,
        retries=retries,
        backoff=backoff,
        backoff_max=max(backoff, 60.0),
        connect_timeout=connect_timeout,
        read_timeout=read_timeout,
        total_timeout=total_timeout,
    )
    started = time.perf_counter()
    tally = Tally()
    progress = FetchProgress(len(days), tally, quiet)
    export_failed = []

    def finished(result: DateResult) -> None:
        progress.date_done(result)
        if wanted and result.state in ("complete", "unchanged"):
            code = _export_date(result.folder, out, ",".join(wanted), library, send_to)
            if code == 130:  # Ctrl-C while exporting stops the whole run.
                raise KeyboardInterrupt
            if code:
                export_failed.append(result.date.isoformat())

    try:
        results = fetching.fetch_dates(
            preset,
            days,
            archive,
            fetching.FetchOptions(politeness, refresh),
            tally=tally,
            on_change=progress.changed,
            on_start=lambda day: progress.date_started(day.isoformat()),
            on_date=finished,
        )
    except KeyboardInterrupt:
        progress.close()
        typer.echo("epaper: interrupted: every file saved is whole; run again to fetch the rest", err=True)
        raise typer.Exit(130) from None
    finally:
        progress.close()
    if report is not None:
        from exporter.writers.atomic import write_bytes

        data = fetching.report(results, preset, tally)
        write_bytes(report, (json.dumps(data, ensure_ascii=False, indent=2) + "\n").encode("utf-8"))
    typer.echo(fetch_summary(results, tally, time.perf_counter() - started), err=True)
    if export_failed:
        typer.echo(f"epaper: export failed for {', '.join(export_failed)}", err=True)
    raise typer.Exit(1 if export_failed or not all(r.ok for r in results) else 0)


def _export_date(folder: Path, out: Path, formats: str, library: bool | None, send_to: str | None) -> int:
    """Export one fetched date as `epaper export FOLDER -f FORMATS -o OUT` would; return its exit code."""
    try:
        export(sources=[folder], out=out, formats=formats, quiet=True, jobs=1, library=library, send_to=send_to)
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except EpaperError as exc:
        typer.echo(f"epaper: export of {folder}: {exc}", err=True)
        return 2
    return 0


def _nothing_to_export(sources: list[Path], paper: str | None, first: dt.date | None, last: dt.date | None) -> str:
    """Say why no book can be made: what was asked for, or that the sources hold no article."""
    where = ", ".join(str(s) for s in sources)
    asked = [f"--paper {paper}" if paper else "", f"--from {first}" if first else "", f"--to {last}" if last else ""]
    if any(asked):
        return f"{where}: no issue matches {' '.join(a for a in asked if a)} (epaper inspect lists what is there)"
    return f"{where}: no article found, nothing to export (index pages only?)"


def _creatable(path: Path) -> bool:
    """Say whether a file could be written at `path` (its folder may be made on the way)."""
    folder = path.absolute().parent
    while not folder.exists():
        folder = folder.parent
    return folder.is_dir() and os.access(folder, os.W_OK) and not path.is_dir()


def _require_sources(files: int, sources: list[Path]) -> None:
    if files == 0:
        raise InputError(", ".join(str(s) for s in sources), "no article sources found (.txt, .md, .json, .htm, .html)")


def _read_status(files: int, unreadable: int, refused: int, sources: list[Path]) -> int:
    """Exit 2 when no source could be read, 1 when some file (a source or a paper.toml) was refused."""
    _require_sources(files, sources)
    if unreadable == files:
        return 2
    return 1 if refused else 0


def main() -> None:
    """Run the CLI: user errors become one line on stderr and exit code 2, never a traceback."""
    if isinstance(sys.stdout, io.TextIOWrapper):  # File names in undecodable bytes print as \udcff, never crash.
        sys.stdout.reconfigure(errors="backslashreplace")
    try:
        code = app(standalone_mode=False)  # Returns typer.Exit's code instead of exiting.
    except EpaperError as exc:
        typer.echo(f"epaper: error: {printable(str(exc))}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        typer.echo("epaper: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as exc:  # Usage errors: unknown option, missing argument …
        message = exc.format_message()
        typer.echo(f"epaper: error: {message} (see epaper --help)", err=True)
        sys.exit(2)
    sys.exit(code if isinstance(code, int) else 0)


def run() -> None:
    """The console entry point: main(), then exit without tearing the interpreter down.

    Freeing the few hundred modules an export loads costs tens of milliseconds and saves nothing:
    every output is complete (atomically renamed) and the workers and helper are stopped before
    main() returns; only the standard streams need flushing.
    """
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 0 if exc.code is None else 1
        if isinstance(exc.code, str):
            print(exc.code, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # A closed pipe (epaper … | head): nothing more to say there.
            code = code or 1
    os._exit(code)


# --- The library: the books reach their readers (exporter/library). ---


def _after_export(
    out: Path, outcomes: list, library: bool | None, profile: str | None, templates: Path | None, quiet: bool
) -> bool:
    """Refresh the library page and catalog (when OUT has one, or --library), then send (--send).

    Return whether some book could not be sent.
    """
    if library if library is not None else (out / "index.html").is_file():
        from exporter.library.build import build

        build(out, templates.resolve() if templates else None)
    if profile is not None:
        from exporter.library.send import send_books

        stems = [Path(p).with_suffix("") for o in outcomes if o.status != "failed" for p in o.outputs]
        result = send_books(list(dict.fromkeys(stems)), profile, say=(lambda line: None) if quiet else typer.echo)
        for file, reason in result.failed:
            typer.echo(f"epaper: failed: {file}: {reason}", err=True)
        return not result.ok
    return False


@app.command()
def library(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="The output folder of epaper export.")],
    templates: Annotated[
        Path | None, typer.Option("--templates", help="Folder whose library/*.j2 override the built-in page and feeds.")
    ] = None,
    css: Annotated[Path | None, typer.Option("--css", help="Stylesheet added after the page's built-in CSS.")] = None,
    title: Annotated[str | None, typer.Option("--title", help="The page's and catalog's title.")] = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print nothing but errors.")] = False,
) -> None:
    """Write OUT/index.html (papers, years, month calendars, search) and the OPDS catalog OUT/opds/.

    \b
    Examples:
      epaper library out                 # then open out/index.html
      epaper library out --css mine.css
    Only new or changed books are read again; `epaper export` refreshes an existing library by itself.
    """
    from exporter.library.build import TITLE, build

    if templates is not None and not templates.is_dir():
        raise EpaperError(f"--templates {templates}: not a folder of templates")
    if css is not None and not css.is_file():
        raise EpaperError(f"--css {css}: not a stylesheet file")
    result = build(out, templates.resolve() if templates else None, css, title or TITLE)
    if not quiet:
        typer.echo(
            f"{out}/index.html: {result.books} book{'s' * (result.books != 1)} of "
            f"{result.papers} paper{'s' * (result.papers != 1)}; "
            f"{result.written} files updated; OPDS catalog {out}/opds/root.xml"
        )


@app.command()
def serve(
    out: Annotated[Path, typer.Argument(metavar="OUT", help="The output folder (with its library).")],
    host: Annotated[str, typer.Option("--host", help="Address to listen on; 0.0.0.0 for the whole LAN.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=0, max=65535, help="Port (0: any free one).")] = 8080,
    user: Annotated[
        str | None,
        typer.Option("--user", help="Require HTTP basic auth as this user; password in $EPAPER_SERVE_PASSWORD."),
    ] = None,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="No request log.")] = False,
) -> None:
    """Serve OUT read-only over HTTP: the library page, the OPDS catalog (/opds/root.xml) and the books.

    \b
    Examples:
      epaper serve out                                  # http://127.0.0.1:8080/
      EPAPER_SERVE_PASSWORD=… epaper serve out --host 0.0.0.0 --user reader
    E-readers (KOReader, calibre) add http://HOST:PORT/opds/root.xml as an OPDS catalog.
    """
    from exporter.library.serve import serve as run_server

    run_server(out, host, port, user, quiet)


@app.command()
def send(
    books: Annotated[list[Path], typer.Argument(metavar="BOOK...", help="EPUB/PDF files (or OUT/<paper>/<date>).")],
    to: Annotated[
        str | None, typer.Option("--to", help="Recipient address (the profile's SMTP server is used).")
    ] = None,
    profile: Annotated[str | None, typer.Option("--profile", help="A [send.NAME] profile of the config file.")] = None,
    config_file: Annotated[
        Path | None, typer.Option("--config", help="Config file (default ~/.config/epaper/config.toml).")
    ] = None,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Write the messages as .eml files instead of sending.")
    ] = False,
    outbox: Annotated[
        Path | None, typer.Option("--outbox", help="Folder for --dry-run's .eml files (default: here).")
    ] = None,
    record: Annotated[
        Path | None, typer.Option("--record", help="Record of what was sent (default ~/.local/state/epaper/sent.json).")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Send again what the record says was sent.")] = False,
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="Print only failures.")] = False,
) -> None:
    """E-mail books (Send to Kindle, Kobo, yourself) through an SMTP profile; each book is sent once.

    \b
    Examples:
      epaper send out/人民日报/2024-12-25.epub --to me@kindle.com
      epaper send out/人民日报/2024-12-25.epub --profile kindle --dry-run
    The password comes from $EPAPER_SMTP_PASSWORD (or the profile's password_env) or the system keyring.
    Exit 0 when all were sent (or sent before), 1 when some failed, 2 on usage or configuration errors.
    """
    from exporter.library.send import send_books

    result = send_books(
        books,
        profile,
        config_file,
        to=to,
        dry_run=dry_run,
        outbox=outbox,
        record=record,
        force=force,
        say=(lambda line: None) if quiet else (lambda line: typer.echo(line)),
    )
    for file, reason in result.failed:
        typer.echo(f"epaper: failed: {file}: {reason}", err=True)
    raise typer.Exit(0 if result.ok else 1)
