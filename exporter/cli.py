"""The `epaper` command line: a thin layer over the library (exporter.archive, exporter.batch)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from exporter import __version__
from exporter.errors import EpaperError, InputError

app = typer.Typer(
    name="epaper",
    help="Turn the digital editions of Chinese daily newspapers (电子报) into EPUB 3 and print-ready PDF books.",
    add_completion=False,
    invoke_without_command=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)

Sources = Annotated[
    list[Path],
    typer.Argument(metavar="SOURCES", help="Source files or folders (searched recursively); any mix of formats."),
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
    """Turn the digital editions of Chinese daily newspapers (电子报) into EPUB 3 and print-ready PDF books.

    Example: epaper export examples/archive -f epub,pdf -o out
    """
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
    from exporter.readers import ReadOptions

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
    raise typer.Exit(_read_status(archive.files, len(archive.refused), sources))


def _read_status(files: int, refused: int, sources: list[Path]) -> int:
    if files == 0:
        raise InputError(", ".join(str(s) for s in sources), "no article sources found (.txt, .md, .json)")
    if refused == files:
        return 2
    return 1 if refused else 0


def main() -> None:
    """Run the CLI: user errors become one line on stderr and exit code 2, never a traceback."""
    try:
        app(standalone_mode=False)
    except EpaperError as exc:
        typer.echo(f"epaper: error: {exc}", err=True)
        sys.exit(2)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    except (KeyboardInterrupt, typer.Abort):
        typer.echo("epaper: interrupted", err=True)
        sys.exit(130)
    except typer.TyperException as exc:  # Usage errors: unknown option, missing argument …
        message = exc.format_message() if hasattr(exc, "format_message") else str(exc)
        typer.echo(f"epaper: error: {message} (see epaper --help)", err=True)
        sys.exit(2)
