"""``cxsite new customer|project|update``: start a file from a commented template.

After writing, the portfolio is checked and whatever is reported about the
new file is printed, so a typo in a name shows up at once.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..diagnostics import Severity, display_path
from ..scaffold import (KINDS, LANGUAGES, AuthoringError, diagnostics_for, environment_editor, new_customer,
                        new_project, new_update)

projects_option = click.option(
    "--projects", "projects_dir", type=click.Path(file_okay=False, path_type=Path), default="projects",
    show_default=True, help="The portfolio folder.")


def _stdin_is_tty() -> bool:
    return sys.stdin.isatty()


def _fail(exc: AuthoringError) -> None:
    click.echo(f"error: {exc}", err=True)
    sys.exit(1)


def _report(projects_dir: Path, path: Path, next_step: str = "") -> None:
    """Print the diagnostics about the new file; exit 1 on errors."""
    diagnostics = diagnostics_for(projects_dir, path)
    for diagnostic in diagnostics:
        click.echo(diagnostic.format(), err=True)
    click.echo(f"created {display_path(path)}", err=True)
    if any(d.severity is Severity.ERROR for d in diagnostics):
        click.echo("fix the errors above, then run `cxsite check`", err=True)
        sys.exit(1)
    if next_step:
        click.echo(f"next: {next_step}", err=True)


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
def customer(slug: str, name: str, timezone: str, language: str, cx_owner: str | None, base_url: str | None,
             projects_dir: Path) -> None:
    """Create SLUG/customer.yml in the portfolio."""
    try:
        path = new_customer(projects_dir, slug, name=name, timezone=timezone, language=language, cx_owner=cx_owner,
                            base_url=base_url)
    except AuthoringError as exc:
        _fail(exc)
    _report(projects_dir, path, f'cxsite new project {slug}/PROJECT --name "..."')


@new.command("project")
@click.argument("ref", metavar="CUSTOMER/SLUG")
@click.option("--name", required=True, help="Project name, e.g. 'Electronic patient record'.")
@projects_option
def project(ref: str, name: str, projects_dir: Path) -> None:
    """Create CUSTOMER/SLUG/project.yml: planned, on track, 0 %, from today for 90 days."""
    try:
        path = new_project(projects_dir, ref, name=name)
    except AuthoringError as exc:
        _fail(exc)
    _report(projects_dir, path, f"edit the summary and dates in {display_path(path)}")


@new.command("update")
@click.argument("ref", metavar="CUSTOMER/PROJECT")
@click.argument("title")
@click.option("--author", metavar="PERSON", help="Person id from team.yml [default: matched by git user.email].")
@click.option("--kind", type=click.Choice(KINDS), default="progress", show_default=True)
@click.option("--date", metavar="DATETIME", help="YYYY-MM-DDTHH:MM [default: now in the customer's zone].")
@click.option("--draft/--no-draft", default=True, show_default=True,
              help="Start as a draft (never published until the 'draft: true' line is deleted).")
@click.option("--no-edit", is_flag=True, help="Do not open $VISUAL / $EDITOR.")
@projects_option
def update(ref: str, title: str, author: str | None, kind: str, date: str | None, draft: bool, no_edit: bool,
           projects_dir: Path) -> None:
    """Create CUSTOMER/PROJECT/updates/YYYY-MM-DD-<title>.md and open it in your editor."""
    try:
        path = new_update(projects_dir, ref, title, author=author, kind=kind, date=date, draft=draft)
    except AuthoringError as exc:
        _fail(exc)
    editor = environment_editor()
    if editor and not no_edit and _stdin_is_tty():
        click.edit(filename=str(path), editor=editor)
    _report(projects_dir, path, "delete the 'draft: true' line when the text is ready" if draft else "")
