"""``cxsite new customer|project|update``: start a file from a commented template.

After writing, the portfolio is checked and whatever is reported about the
new file is printed, so a typo in a name shows up at once, followed by the
next steps as commands that work as printed.

The options every authoring command shares (``--projects``, ``--now``) and
the hints' ``--projects`` live here; :mod:`cxsite.cli.edit` uses them.
"""

from __future__ import annotations

import datetime as dt
import shlex
import sys
from pathlib import Path
from typing import Any

import click
from click.core import ParameterSource

from ..diagnostics import Severity, display_path
from ..authoring.scaffold import (CADENCES, HEALTHS, KINDS, LANGUAGES, STATUSES, AuthoringError, diagnostics_for,
                        environment_editor, new_customer, new_project, new_update, parse_now)

PROJECTS_ENV = "CXSITE_PROJECTS"

projects_option = click.option(
    "--projects", "projects_dir", type=click.Path(file_okay=False, path_type=Path), default="projects",
    metavar="DIR", envvar=PROJECTS_ENV, show_envvar=True, show_default=True, help="The portfolio folder.")


class Moment(click.ParamType):
    """An ISO 8601 date-time; UTC unless it has an offset (as ``check --now``)."""

    name = "datetime"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        try:
            return parse_now(str(value))
        except AuthoringError as exc:
            self.fail(str(exc), param, ctx)


now_option = click.option(
    "--now", type=Moment(), metavar="DATETIME",
    help="What \"now\" is for the dates this command fills in (ISO 8601; UTC unless an offset is given) "
         "[default: SOURCE_DATE_EPOCH, else the clock].")


def projects_hint() -> str:
    """`` --projects DIR`` when the command was given one, so that a command
    printed as a hint works on the same portfolio when copied; empty when
    the portfolio came from the default or CXSITE_PROJECTS (still in effect)."""
    ctx = click.get_current_context()
    if ctx.get_parameter_source("projects_dir") is not ParameterSource.COMMANDLINE:
        return ""
    return f" --projects {shlex.quote(str(ctx.params['projects_dir']))}"


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _fail(exc: AuthoringError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


def _report(projects_dir: Path, path: Path, steps: tuple[str, ...] = (), note: str = "") -> None:
    """Print the diagnostics about the new file (exit 1 on errors), then
    what was created (and ``note`` on it) and the next ``steps``."""
    diagnostics = diagnostics_for(projects_dir, path)
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)
    click.echo(f"created {display_path(path)}{' ' + note if note else ''}", err=True)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        click.echo("fix the errors above, then run `cxsite check`", err=True)
        sys.exit(1)
    for number, step in enumerate(steps):
        click.echo(f"{'then' if number else 'next'}: {step}", err=True)


@click.group("new")
def new() -> None:
    """Create a customer, project or update from a commented template."""


@new.command("customer")
@click.argument("slug")
@click.option("--name", required=True, help="Display name, e.g. 'Northwind Health'.")
@click.option("--timezone", required=True, help="IANA time zone, e.g. Europe/Berlin.")
@click.option("--language", type=click.Choice(LANGUAGES), default="en", show_default=True,
              help="Language of its sites.")
@click.option("--cx-owner", metavar="PERSON", help="Accountable person from team.yml [default: the first one].")
@click.option("--base-url", metavar="URL", help="Where its microsites are served (feeds and calendars need it).")
@projects_option
@now_option
def customer(slug: str, name: str, timezone: str, language: str, cx_owner: str | None, base_url: str | None,
             projects_dir: Path, now: dt.datetime | None) -> None:
    """Create SLUG/customer.yml in the portfolio (it holds no dates: --now is accepted for uniformity)."""
    try:
        path = new_customer(projects_dir, slug, name=name, timezone=timezone, language=language, cx_owner=cx_owner,
                            base_url=base_url)
    except AuthoringError as exc:
        _fail(exc)
    _report(projects_dir, path, (f'cxsite new project {slug}/PROJECT --name "..."{projects_hint()}',))


@new.command("project")
@click.argument("ref", metavar="CUSTOMER/SLUG")
@click.option("--name", required=True, help="Project name, e.g. 'Electronic patient record'.")
@click.option("--summary", help="What it delivers, in a sentence or two [default: a placeholder].")
@click.option("--start", metavar="DATE", help="Start date, YYYY-MM-DD [default: the customer's today].")
@click.option("--planned-end", metavar="DATE", help="Agreed end date, YYYY-MM-DD [default: 90 days after the start].")
@click.option("--cadence", type=click.Choice(CADENCES), default="fortnightly", show_default=True,
              help="How often the customer was promised an update.")
@click.option("--status", type=click.Choice(STATUSES), default="planned", show_default=True)
@click.option("--health", type=click.Choice(HEALTHS), default="on_track", show_default=True)
@click.option("--health-reason", metavar="TEXT", help="Why, in the customer's words [default: a placeholder].")
@projects_option
@now_option
def project(ref: str, name: str, summary: str | None, start: str | None, planned_end: str | None, cadence: str,
            status: str, health: str, health_reason: str | None, projects_dir: Path, now: dt.datetime | None) -> None:
    """Create CUSTOMER/SLUG/project.yml. What is not given is a placeholder: planned, on track, 0 %,
    fortnightly, from the customer's today for 90 days."""
    try:
        path = new_project(projects_dir, ref, name=name, now=now, summary=summary, start=start,
                           planned_end=planned_end, cadence=cadence, status=status, health=health,
                           health_reason=health_reason)
    except AuthoringError as exc:
        _fail(exc)
    ref = f"{path.parent.parent.name}/{path.parent.name}"
    steps = (f'cxsite milestone {ref} ID --add --title "..." --planned YYYY-MM-DD{projects_hint()}',
             f'cxsite new update {ref} "TITLE"{projects_hint()}')
    if summary is None or planned_end is None:
        steps = (f"edit the summary and dates in {display_path(path)}", *steps)
    _report(projects_dir, path, steps)


@new.command("update")
@click.argument("ref", metavar="CUSTOMER/PROJECT")
@click.argument("title")
@click.option("--author", metavar="PERSON", help="Person id from team.yml [default: matched by git user.email].")
@click.option("--kind", type=click.Choice(KINDS), default="progress", show_default=True)
@click.option("--date", metavar="DATETIME", help="YYYY-MM-DDTHH:MM [default: now in the customer's zone].")
@click.option("--summary", help="One-line teaser for lists and feeds.")
@click.option("--body-file", type=click.File("r", encoding="utf-8-sig"), metavar="FILE|-",
              help="The Markdown text, from FILE or, with '-', from standard input [default: a placeholder, "
                   "and your editor opens].")
@click.option("--draft/--no-draft", " /--publish", default=True, show_default=True,
              help="Start as a draft, never published until the 'draft: true' line is deleted; "
                   "--no-draft (or --publish) publishes it as written.")
@click.option("--no-edit", is_flag=True, help="Do not open $VISUAL / $EDITOR.")
@projects_option
@now_option
def update(ref: str, title: str, author: str | None, kind: str, date: str | None, summary: str | None,
           body_file: Any, draft: bool, no_edit: bool, projects_dir: Path, now: dt.datetime | None) -> None:
    """Create CUSTOMER/PROJECT/updates/YYYY-MM-DD-<title>.md and open it in your editor (unless --body-file
    gives the text)."""
    try:
        body = body_file.read() if body_file is not None else None
        path = new_update(projects_dir, ref, title, author=author, kind=kind, date=date, draft=draft, now=now,
                          summary=summary, body=body)
    except AuthoringError as exc:
        _fail(exc)
    except (OSError, UnicodeDecodeError) as exc:
        _fail(AuthoringError(f"cannot read --body-file: {exc}", "give a UTF-8 text file, or - for standard input"))
    editor = environment_editor()
    if body is None and editor and not no_edit and _stdin_is_tty():
        click.edit(filename=str(path), editor=editor)
    if not draft:
        _report(projects_dir, path)
        return
    steps = ("delete the 'draft: true' line when the text is ready",) if body is None else ()
    _report(projects_dir, path, steps, note="as a draft: remove 'draft: true' (or pass --no-draft) to publish")
