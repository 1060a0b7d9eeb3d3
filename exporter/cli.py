"""The `epaper` command line: a thin layer over the library (exporter.archive, exporter.batch)."""

import datetime as dt
import io
import json
import os
import sys
from contextlib import nullcontext
from pathlib import Path
from typing import Annotated

import click
import typer
import typer.core

from exporter import __version__
from exporter.errors import EpaperError, InputError, printable

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
    quiet: Annotated[bool, typer.Option("-q", "--quiet", help="No progress, only errors and the summary.")] = False,
) -> None:
    """Write EPUB and/or PDF books, one per issue (or per month / range volume).

    \b
    Examples:
      epaper export examples/archive -f epub,pdf -o out
      epaper export ~/dumps --from 2026-01-01 --to 2026-01-31 -f epub,pdf --jobs 2
      epaper export ~/dumps --from 2026-01-01 --to 2026-01-31 --bundle month -f pdf
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
    from exporter.batch import (
        FORMATS,
        check_writable,
        execute,
        output_lock,
        plan,
        prepare,
        remove_stale_parts,
        write_report,
    )
    from exporter.cover import warm_up
    from exporter.manifest import MANIFEST
    from exporter.missing import SHOWN_RUNS, days, listed, missing_runs
    from exporter.papers import is_language_tag
    from exporter.progress import Progress, print_summary, summary
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
    first, last = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if first and last and first > last:
        raise EpaperError(f"--from {first} is after --to {last}")
    fonts.require_cjk()  # The EPUB cover is drawn in them too: one clear line now, not one failure per book.
    if "pdf" in wanted:
        from exporter.writers.pdfsetup import check_page_size, preflight

        check_page_size(page_size)
        for warning in preflight():
            typer.echo(f"epaper: warning: {warning}", err=True)

    options = WriteOptions(
        templates=templates.resolve() if templates else None,
        css=css.resolve() if css else None,
        toc_depth=toc_depth,
        language=lang,
        pdf_profile=pdf_profile,  # type: ignore[arg-type]
        page_size=page_size,
        columns=columns,
    )
    # Forked now, the helper that draws EPUB covers loads Pillow and the fonts while the sources are read.
    with Helper(warm_up) if "epub" in wanted and jobs in (None, 1) else nullcontext() as helper:
        archive = open_archive(sources, ReadOptions(keep_punctuation, paper), Selection(paper, first, last))
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
                    jobs or os.cpu_count() or 1,
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
    missing = missing_runs(archive.issues, first, last)
    if report is not None:
        write_report(report, outcomes, missing, [str(e) for e in archive.refused])
    missing_count = sum(days(runs) for runs in missing.values())
    print_summary(summary(outcomes, len(archive.refused), missing_count, time.perf_counter() - started))
    if missing_count and not quiet:
        for name, runs in missing.items():
            if runs:
                typer.echo(printable(f"no issue of {name} on: {', '.join(listed(runs, SHOWN_RUNS))}"), err=True)
    failed = any(o.status == "failed" for o in outcomes)
    raise typer.Exit(1 if failed or archive.refused else 0)


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
    from exporter.check import check as check_file
    from exporter.check import checkable

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
