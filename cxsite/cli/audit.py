"""``cxsite audit SITE``: refuse to let a leak out of the build folder."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Iterable, NoReturn

import click

from ..diagnostics import CxsiteError, PortfolioError

site_argument = click.argument("site_dir", required=False, default="site",
                               type=click.Path(file_okay=False, path_type=Path))
projects_option = click.option(
    "--projects", "projects_dir", type=click.Path(file_okay=False, path_type=Path), default="projects",
    show_default=True, help="The portfolio SITE was built from (it says what each audience may not see).")
marker_option = click.option(
    "--marker", "markers", multiple=True, metavar="TEXT",
    help="A string that must appear nowhere (repeatable); CXSITE_SECRET_MARKERS adds more, comma-separated.")


def fail(message: str, command: str) -> NoReturn:
    click.echo(f"error: {message}", err=True)
    click.echo(f"cxsite {command} failed", err=True)
    sys.exit(1)


def load(projects_dir: Path, command: str):  # type: ignore[no-untyped-def]
    """The portfolio, or a clean exit listing its errors."""
    from ..build.check import load_portfolio

    if not projects_dir.is_dir():
        context = click.get_current_context(silent=True)
        given = context is not None and context.get_parameter_source("projects_dir") not in (
            None, click.core.ParameterSource.DEFAULT)
        if given:
            fail(f"portfolio folder {projects_dir} not found: pass --projects DIR: the portfolio this site was "
                 "built from (the folder that holds team.yml)", command)
        fail(f"no portfolio folder {projects_dir}/ here: pass --projects DIR: the portfolio this site was built "
             "from (it says what each audience may not see)", command)
    try:
        portfolio, _ = load_portfolio(projects_dir)
    except PortfolioError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(), err=True)
        click.echo(f"cxsite {command} failed: the portfolio in {projects_dir} has errors", err=True)
        sys.exit(1)
    return portfolio


def all_markers(markers: Iterable[str]) -> tuple[str, ...]:
    from ..checks.markers import markers_from_env

    return tuple(markers) + markers_from_env()


def print_findings(findings) -> None:  # type: ignore[no-untyped-def]
    for finding in findings:
        click.echo(finding.format(), err=True)


@click.command("audit")
@site_argument
@projects_option
@marker_option
@click.option("-j", "--jobs", type=click.IntRange(1), default=None, show_default="number of cores",
              help="Microsites audited in parallel.")
def audit(site_dir: Path, projects_dir: Path, markers: tuple[str, ...], jobs: int | None) -> None:
    """Check every file of the built SITE (default: site/) for what its audience must not see.

    Other customers' names, internal notes, internal, draft and embargoed
    updates, other audiences' items and secret markers; exit 1 on any.
    """
    from ..build.commit import recover
    from ..checks.audit import audit_site
    from ..checks.manifest import read_manifest

    started = time.perf_counter()
    portfolio = load(projects_dir, "audit")
    try:
        if site_dir.is_dir():
            recover(site_dir)  # a build killed while moving microsites in: finish it before reading anything
        sites = read_manifest(site_dir).sites
        findings = audit_site(site_dir, portfolio, markers=all_markers(markers), jobs=jobs)
    except CxsiteError as exc:
        fail(str(exc), "audit")
    elapsed = time.perf_counter() - started
    print_findings(findings)
    if findings:
        files = len({f.path for f in findings})
        click.echo(f"cxsite audit failed: {len(findings)} finding{'s' if len(findings) != 1 else ''} in {files} "
                   f"file{'s' if files != 1 else ''} of {site_dir} ({elapsed:.1f} s): do not publish it", err=True)
        sys.exit(1)
    click.echo(f"cxsite audit ok: {len(sites)} microsites in {site_dir} are clean ({elapsed:.1f} s)", err=True)
