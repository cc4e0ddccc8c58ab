"""The ``cxsite`` command line (click).

The CLI parses options, calls the pipeline and prints diagnostics; it never
renders anything itself.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Iterable

import click

from . import __version__
from .diagnostics import CxsiteError, Diagnostic, PortfolioError, Severity

DEFAULT_PROJECTS = "projects"


def _print_diagnostics(diagnostics: Iterable[Diagnostic], fmt: str, strict: bool) -> tuple[int, int]:
    errors = warnings = 0
    for diagnostic in diagnostics:
        if strict:
            diagnostic = diagnostic.as_error()
        if diagnostic.severity is Severity.ERROR:
            errors += 1
        else:
            warnings += 1
        line = diagnostic.format_github() if fmt == "github" else diagnostic.format()
        click.echo(line, err=fmt != "github")
    return errors, warnings


def _summary(errors: int, warnings: int) -> str:
    plural = lambda n, word: f"{n} {word}{'' if n == 1 else 's'}"  # noqa: E731
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


projects_argument = click.argument(
    "projects_dir", required=False, default=DEFAULT_PROJECTS,
    type=click.Path(file_okay=False, path_type=Path))


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cxsite")
def main() -> None:
    """Customer-facing project status microsites from a folder of YAML and Markdown."""


@main.command()
@projects_argument
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "github"]), default="text", show_default=True,
              help="'github' prints GitHub Actions annotations.")
def check(projects_dir: Path, strict: bool, fmt: str) -> None:
    """Validate the portfolio in PROJECTS_DIR (default: projects/)."""
    from .validate import check_portfolio

    started = time.perf_counter()
    diagnostics = check_portfolio(projects_dir)
    errors, warnings = _print_diagnostics(diagnostics, fmt, strict)
    elapsed = time.perf_counter() - started
    verdict = "failed" if errors else "ok"
    click.echo(f"cxsite check {verdict}: {_summary(errors, warnings)} in {projects_dir} ({elapsed:.2f} s)", err=True)
    sys.exit(1 if errors else 0)


def run() -> None:
    """Entry point that turns user-facing errors into messages, not tracebacks."""
    try:
        main(standalone_mode=True)
    except PortfolioError as exc:  # pragma: no cover - commands handle their own
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(), err=True)
        sys.exit(exc.exit_code)
    except CxsiteError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(exc.exit_code)


@main.command("format-doc", hidden=True)
def format_doc() -> None:
    """Print the portfolio format reference (docs/format.md)."""
    from .formatdoc import render_format_doc

    click.echo(render_format_doc(), nl=False)
