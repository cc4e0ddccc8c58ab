"""``cxsite set-health | milestone | disruption | decision``: small edits of project.yml.

Each command changes the lines it must and nothing else (comments, quoting
and layout stay), validates the portfolio as it would be, and writes the
file only when it stays valid. ``--dry-run`` prints the diff instead.
"Today" (the default of ``--announced`` and ``--changed``) is the customer's
date at ``--now``, else at SOURCE_DATE_EPOCH, else by the clock.
Register them with ``for command in COMMANDS: main.add_command(command)``.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Callable

import click

from ..authoring import edit as ops
from ..authoring.scaffold import AuthoringError
from ..diagnostics import display_path
from .new import now_option, projects_option

dry_run_option = click.option("--dry-run", is_flag=True, help="Print the diff; change nothing.")
ref_argument = click.argument("ref", metavar="CUSTOMER/PROJECT")


def _run(make: Callable[[], ops.Edit], dry_run: bool) -> None:
    """Make the edit, print what happened, write it unless ``dry_run``."""
    try:
        edit = make()
        if not edit.changed:
            click.echo(f"{display_path(edit.path)} already says that: nothing to change", err=True)
            return
        if not dry_run:
            ops.write(edit)
    except ops.InvalidEdit as exc:
        click.echo(exc.diff, nl=False)
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(), err=True)
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    except AuthoringError as exc:
        click.echo(f"error: {exc}", err=True)
        sys.exit(1)
    for diagnostic in edit.warnings:
        click.echo(diagnostic.format(), err=True)
    if dry_run:
        click.echo(edit.diff(), nl=False)
        click.echo(f"dry run: {display_path(edit.path)} was not changed ({edit.summary})", err=True)
    else:
        click.echo(f"updated {display_path(edit.path)}: {edit.summary}", err=True)


def _one_mode(modes: dict[str, bool]) -> str:
    chosen = [name for name, on in modes.items() if on]
    if len(chosen) != 1:
        raise click.UsageError(f"give exactly one of {', '.join('--' + m for m in modes)}")
    return chosen[0]


def _require(mode: str, **values: object) -> None:
    missing = [f"--{k.replace('_', '-')}" for k, v in values.items() if v in (None, "")]
    if missing:
        raise click.UsageError(f"--{mode} needs {', '.join(missing)}")


@click.command("set-health")
@ref_argument
@click.argument("health", type=click.Choice(ops.HEALTHS))
@click.option("--reason", required=True, help="Why, in the customer's words (health_reason).")
@projects_option
@now_option
@dry_run_option
def set_health(ref: str, health: str, reason: str, projects_dir: Path, now: dt.datetime | None,
               dry_run: bool) -> None:
    """Set a project's health and the reason the customer sees."""
    _run(lambda: ops.set_health(projects_dir, ref, health, reason, now=now), dry_run)


@click.command("milestone")
@ref_argument
@click.argument("milestone_id", metavar="ID")
@click.option("--add", is_flag=True, help="Add a new milestone: give --title and --planned.")
@click.option("--done", metavar="DATE", help="Date it was reached (YYYY-MM-DD).")
@click.option("--forecast", metavar="DATE", help="Current forecast (YYYY-MM-DD).")
@click.option("--title", help="What is reached (--add).")
@click.option("--planned", metavar="DATE", help="Date originally agreed, YYYY-MM-DD (--add).")
@click.option("--description", help="What it means for the customer (--add).")
@click.option("--audience", "audiences", multiple=True, metavar="AUDIENCE", help="Only these audiences (--add).")
@projects_option
@now_option
@dry_run_option
def milestone(ref: str, milestone_id: str, add: bool, done: str | None, forecast: str | None, title: str | None,
              planned: str | None, description: str | None, audiences: tuple[str, ...], projects_dir: Path,
              now: dt.datetime | None, dry_run: bool) -> None:
    """Record that a milestone was reached or its new forecast, or add one with --add."""
    if add:
        _require("add", title=title, planned=planned)
        _run(lambda: ops.add_milestone(projects_dir, ref, milestone_id, title=title, planned=planned,
                                       forecast=forecast, done=done, description=description, audiences=audiences,
                                       now=now), dry_run)
        return
    only_with_add = [option for option, value in (("--title", title), ("--planned", planned),
                                                  ("--description", description), ("--audience", audiences))
                     if value]
    if only_with_add:
        raise click.UsageError(f"{', '.join(only_with_add)} only go with --add (a new milestone)")
    if done is None and forecast is None:
        raise click.UsageError("give --done DATE or --forecast DATE, or --add a new milestone")
    _run(lambda: ops.milestone(projects_dir, ref, milestone_id, done=done, forecast=forecast, now=now), dry_run)


@click.command("disruption")
@ref_argument
@click.argument("disruption_id", metavar="ID")
@click.option("--schedule", is_flag=True, help="Add a new disruption.")
@click.option("--reschedule", is_flag=True, help="Move it; the old window is kept in previous_windows.")
@click.option("--cancel", is_flag=True, help="Cancel it.")
@click.option("--title", help="What happens (--schedule).")
@click.option("--start", metavar="DATETIME", help="YYYY-MM-DDTHH:MM, customer's zone unless an offset is given.")
@click.option("--end", metavar="DATETIME", help="YYYY-MM-DDTHH:MM.")
@click.option("--affects", help="What and who is affected (--schedule).")
@click.option("--impact", type=click.Choice(ops.IMPACTS), help="How much (--schedule).")
@click.option("--description", help="Details and what to do (--schedule).")
@click.option("--audience", "audiences", multiple=True, metavar="AUDIENCE", help="Only these audiences (--schedule).")
@click.option("--announced", metavar="DATE", help="When customers are told (--schedule) [default: today].")
@click.option("--changed", metavar="DATE", help="When the change is announced (--reschedule, --cancel) "
              "[default: today].")
@projects_option
@now_option
@dry_run_option
def disruption(ref: str, disruption_id: str, schedule: bool, reschedule: bool, cancel: bool, title: str | None,
               start: str | None, end: str | None, affects: str | None, impact: str | None,
               description: str | None, audiences: tuple[str, ...], announced: str | None, changed: str | None,
               projects_dir: Path, now: dt.datetime | None, dry_run: bool) -> None:
    """Schedule, reschedule or cancel a disruption ("today" is the customer's today)."""
    mode = _one_mode({"schedule": schedule, "reschedule": reschedule, "cancel": cancel})
    if mode == "schedule":
        _require(mode, title=title, start=start, end=end, affects=affects, impact=impact)
        _run(lambda: ops.schedule_disruption(projects_dir, ref, disruption_id, title=title, start=start, end=end,
                                             affects=affects, impact=impact, description=description,
                                             audiences=audiences, announced=announced, now=now), dry_run)
    elif mode == "reschedule":
        if not (start or end):
            raise click.UsageError("--reschedule needs --start and/or --end")
        _run(lambda: ops.reschedule_disruption(projects_dir, ref, disruption_id, start=start, end=end,
                                               changed=changed, now=now), dry_run)
    else:
        _run(lambda: ops.cancel_disruption(projects_dir, ref, disruption_id, changed=changed, now=now), dry_run)


@click.command("decision")
@ref_argument
@click.argument("decision_id", metavar="ID")
@click.option("--decided", is_flag=True, help="The customer decided: give --outcome.")
@click.option("--withdrawn", is_flag=True, help="The decision is no longer needed.")
@click.option("--add", is_flag=True, help="Add a new open decision: give --title, --owner and --due.")
@click.option("--outcome", help="What was decided.")
@click.option("--title", help="What the customer needs to decide (--add).")
@click.option("--owner", help="Who decides, on the customer's side (--add).")
@click.option("--due", metavar="DATE", help="When the decision is needed (--add).")
@click.option("--description", help="Why it matters (--add).")
@projects_option
@now_option
@dry_run_option
def decision(ref: str, decision_id: str, decided: bool, withdrawn: bool, add: bool, outcome: str | None,
             title: str | None, owner: str | None, due: str | None, description: str | None, projects_dir: Path,
             now: dt.datetime | None, dry_run: bool) -> None:
    """Record a customer decision, or add one the customer needs to make."""
    mode = _one_mode({"decided": decided, "withdrawn": withdrawn, "add": add})
    if mode == "add":
        _require(mode, title=title, owner=owner, due=due)
        _run(lambda: ops.add_decision(projects_dir, ref, decision_id, title=title, owner=owner, due=due,
                                      description=description, now=now), dry_run)
    else:
        if mode == "decided":
            _require(mode, outcome=outcome)
        _run(lambda: ops.decide(projects_dir, ref, decision_id, outcome=outcome, status=mode, now=now), dry_run)


COMMANDS = (set_health, milestone, disruption, decision)
