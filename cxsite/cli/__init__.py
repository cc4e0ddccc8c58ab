"""The ``cxsite`` command line (click).

The CLI parses options, calls the pipeline and prints diagnostics; it never
renders anything itself.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import sys
import time
from pathlib import Path
from typing import Iterable

import click

from .. import __version__
from ..diagnostics import CxsiteError, Diagnostic, PortfolioError, Severity

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
    "projects_dir", required=False, default=DEFAULT_PROJECTS, envvar="CXSITE_PROJECTS",
    type=click.Path(file_okay=False, path_type=Path))


class _LazyGroup(click.Group):
    """Commands that live in their own cxsite.cli modules are imported when used (or
    listed in help), so `cxsite build` with nothing to do does not import
    the authoring code."""

    LAZY = {
        "new": "cxsite.cli.new:new",
        "set-health": "cxsite.cli.edit:set_health",
        "milestone": "cxsite.cli.edit:milestone",
        "disruption": "cxsite.cli.edit:disruption",
        "decision": "cxsite.cli.edit:decision",
        "audit": "cxsite.cli.audit:audit",
        "publish": "cxsite.cli.publish:publish",
        "digest": "cxsite.cli.digest:digest",
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.LAZY})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        if name in self.LAZY and name not in self.commands:
            import importlib

            module, attribute = self.LAZY[name].split(":")
            self.add_command(getattr(importlib.import_module(module), attribute), name)
        return super().get_command(ctx, name)


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="cxsite")
def main() -> None:
    """Customer-facing project status microsites from a folder of YAML and Markdown."""


@main.command()
@projects_argument
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--format", "fmt", type=click.Choice(["text", "github"]), default="text", show_default=True,
              help="'github' prints GitHub Actions annotations.")
@click.option("--now", "now", metavar="DATETIME",
              help="Check the CX rules as of this time (ISO 8601); default SOURCE_DATE_EPOCH, else the clock.")
@click.option("--notice-days", default=10, show_default=True, type=click.IntRange(0),
              help="Days of notice a disruption needs (rule cx/disruption-notice).")
@click.option("--cx-rules/--no-cx-rules", default=True, show_default=True,
              help="Apply the CX rules (update cadence, notice, contacts...) besides the format checks.")
def check(projects_dir: Path, strict: bool, fmt: str, now: str | None, notice_days: int, cx_rules: bool) -> None:
    """Validate the portfolio in PROJECTS_DIR (default: projects/) and apply the CX rules."""
    from ..build.check import check_portfolio
    from ..views.clock import build_cutoff

    started = time.perf_counter()
    moment = build_cutoff(_parse_moment(now)) if cx_rules else None
    diagnostics = check_portfolio(projects_dir, moment, notice_days=notice_days, jobs=os.cpu_count() or 1)
    errors, warnings = _print_diagnostics(diagnostics, fmt, strict)
    elapsed = time.perf_counter() - started
    verdict = "failed" if errors else "ok"
    click.echo(f"cxsite check {verdict}: {_summary(errors, warnings)} in {projects_dir} ({elapsed:.2f} s)", err=True)
    sys.exit(1 if errors else 0)


def _parse_moment(value: str | None) -> dt.datetime | None:
    if not value:
        return None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not an ISO 8601 date-time such as 2026-11-25T09:00+00:00")
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def _parse_shard(value: str | None) -> tuple[int, int] | None:
    from ..build.shards import parse_shard

    if value is None:
        return None
    try:
        return parse_shard(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@main.command()
@click.argument("shards", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default="site", show_default=True,
              help="The merged output folder (replaced atomically).")
def merge(shards: tuple[Path, ...], out_dir: Path) -> None:
    """Join the outputs of `cxsite build --shard I/N` (one per shard) into one site."""
    from ..build.shards import merge_outputs

    try:
        merged = merge_outputs(shards, out_dir)
    except CxsiteError as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo(f"cxsite merge failed; {out_dir} was left as it was", err=True)
        sys.exit(1)
    click.echo(f"cxsite merged {len(shards)} shards ({len(merged['sites'])} microsites) into {out_dir}", err=True)


@main.command()
@projects_argument
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default="site",
              show_default=True, help="Output folder (replaced atomically when the build succeeds).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The base mkdocs.yml (default: beside PROJECTS_DIR, else ./mkdocs.yml).")
@click.option("--now", "now", metavar="DATETIME",
              help="Build time (ISO 8601); default SOURCE_DATE_EPOCH, else the clock. Nothing dated later is published.")
@click.option("--only", multiple=True, metavar="CUSTOMER[/AUDIENCE]", help="Build only these microsites.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--clean", is_flag=True, help="Rebuild every microsite, even those whose inputs did not change.")
@click.option("-j", "--jobs", type=click.IntRange(1), default=os.cpu_count() or 1, show_default="number of cores",
              help="Microsites built in parallel.")
@click.option("--shard", metavar="I/N", callback=lambda ctx, param, value: _parse_shard(value),
              help="Build only shard I of N (a fixed share of the microsites; the dashboard goes with shard 1). "
                   "Join the N outputs with `cxsite merge`.")
@click.option("--changed", "changed", type=click.Path(path_type=Path), multiple=True, metavar="PATH",
              help="Files changed since the last build (e.g. from `git diff --name-only`): only their customers "
                   "are read and checked again. Repeat it, or give '-' to read the paths from standard input.")
@click.option("--dashboard/--no-dashboard", default=True, show_default=True,
              help="Build the team's dashboard over the whole portfolio; --no-dashboard keeps the previous one "
                   "(for quick builds on every push, with the dashboard rebuilt on a schedule).")
def build(projects_dir: Path, out_dir: Path, config_file: Path | None, now: str | None, only: tuple[str, ...],
          strict: bool, clean: bool, jobs: int, shard: tuple[int, int] | None, changed: tuple[Path, ...],
          dashboard: bool) -> None:
    """Build one microsite per customer audience from PROJECTS_DIR into --out."""
    from ..build.run import build_portfolio

    if changed == (Path("-"),):
        changed = tuple(Path(line.strip()) for line in sys.stdin if line.strip())

    started = time.monotonic()
    interactive = sys.stderr.isatty() and not os.environ.get("CI")

    def progress(done: int, total: int, key: str) -> None:
        # A one-line progress bar on a terminal; silent in CI logs.
        if interactive:
            width = 30
            filled = width * done // total
            click.echo(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total} microsites, "
                       f"{time.monotonic() - started:.0f} s  ", nl=done == total, err=True)

    try:
        try:
            result = build_portfolio(projects_dir, out_dir, config_file=config_file, cutoff=_parse_moment(now),
                                     only=only, strict=strict, jobs=jobs, clean=clean, shard=shard,
                                     changed=changed or None, dashboard=dashboard, progress=progress, freeze=True)
        finally:
            gc.unfreeze()  # for a caller that goes on in this process (tests); cheap
    except PortfolioError as exc:
        errors, warnings = _print_diagnostics(exc.diagnostics, "text", strict)
        click.echo(f"cxsite build failed: {_summary(errors, warnings)}; {out_dir} was left as it was", err=True)
        sys.exit(1)
    except CxsiteError as exc:
        click.echo(f"error: {exc}", err=True)
        click.echo(f"cxsite build failed; {out_dir} was left as it was", err=True)
        sys.exit(1)
    _print_diagnostics(result.warnings, "text", False)
    pages = sum(site.pages for site in result.sites)
    if result.unchanged:
        click.echo(f"cxsite build: nothing changed; {out_dir} was left as it was ({result.seconds:.1f} s)", err=True)
    else:
        click.echo(f"cxsite built {len(result.sites)} microsites ({pages} pages; {len(result.rebuilt)} rebuilt, "
                   f"{len(result.sites) - len(result.rebuilt)} unchanged) into {out_dir} in {result.seconds:.1f} s "
                   f"(cutoff {result.cutoff.isoformat()}"
                   + (f"; largest builder {result.builder_peak_mb} MB)" if result.builder_peak_mb else ")"), err=True)
    if result.next_embargo:
        click.echo(f"next embargoed update falls due at {result.next_embargo.isoformat()}: build again then", err=True)
    for site in result.sites:
        click.echo(f"  {site.key:40} {out_dir / site.folder / 'index.html'}")


@main.command()
@click.argument("site_key", required=False, metavar="[CUSTOMER[/AUDIENCE]]")
@click.argument("audience", required=False, metavar="[AUDIENCE]")
@click.option("--projects", "projects_dir", type=click.Path(file_okay=False, path_type=Path), default=DEFAULT_PROJECTS,
              envvar="CXSITE_PROJECTS", show_default=True, help="The portfolio folder (or CXSITE_PROJECTS).")
@click.option("--config", "config_file", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="The base mkdocs.yml.")
@click.option("-a", "--dev-addr", default="127.0.0.1:8000", show_default=True, help="Address to serve on.")
@click.option("--now", "now", metavar="DATETIME", help="Preview as of this time (ISO 8601).")
def serve(site_key: str | None, audience: str | None, projects_dir: Path, config_file: Path | None, dev_addr: str,
          now: str | None) -> None:
    """Preview one microsite with live reload on changes under the portfolio, theme/ and mkdocs.yml.

    Name it as CUSTOMER AUDIENCE or CUSTOMER/AUDIENCE; without an audience,
    the customer's first; without a customer, the portfolio's first. It is
    built as `cxsite build` builds it, into a folder of its own."""
    import tempfile

    from ..build import build_portfolio
    from ..engine.config import engine_inputs, find_config
    from ..engine.serve import serve_folder

    if site_key and audience:
        site_key = f"{site_key}/{audience}"
    config = find_config(projects_dir, config_file)
    moment = _parse_moment(now)
    work = Path(tempfile.mkdtemp(prefix="cxsite-serve-"))
    out = work / "site"

    def build_it() -> str:
        result = build_portfolio(projects_dir, out, config_file=config, cutoff=moment,
                                 only=(site_key,) if site_key else (), dashboard=False)
        chosen = [record for record in result.sites if not site_key or record.key == site_key
                  or record.customer == site_key] or list(result.sites)
        return chosen[0].folder

    def rebuild() -> None:
        try:
            build_it()
        except PortfolioError as exc:
            _print_diagnostics(exc.diagnostics, "text", False)
            click.echo("cxsite serve: the portfolio has errors; still showing the last good build", err=True)
        except CxsiteError as exc:
            click.echo(f"error: {exc}", err=True)

    try:
        if not site_key:
            from ..build.check import close_source, open_source

            source = open_source(projects_dir)
            try:
                first = source.load()[0].customers[0]
            finally:
                close_source(source)
            site_key = f"{first.slug}/{first.audiences[0].id}"
        folder = build_it()
    except PortfolioError as exc:
        errors, warnings = _print_diagnostics(exc.diagnostics, "text", False)
        click.echo(f"cxsite serve failed: {_summary(errors, warnings)}", err=True)
        sys.exit(1)
    watch = [projects_dir.resolve(), *engine_inputs(config)[0]]
    click.echo(f"serving {site_key} on http://{dev_addr}/ (Ctrl+C to stop)", err=True)
    try:
        serve_folder(out / folder, rebuild, watch, dev_addr)
    except OSError as exc:
        raise CxsiteError(f"cannot serve on {dev_addr}: {exc.strerror}; pick another address with "
                          "--dev-addr, e.g. -a 127.0.0.1:8001") from exc
    finally:
        import shutil

        shutil.rmtree(work, ignore_errors=True)


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
    from ..source.formatdoc import render_format_doc

    click.echo(render_format_doc(), nl=False)

