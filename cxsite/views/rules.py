"""CX rules: is the customer being looked after?

The validator checks that the portfolio is *well formed*; these rules check
that it keeps the promises a customer sees: someone accountable and
reachable, updates on the promised cadence, disruptions announced in good
time, decisions and milestones that do not silently go stale, and numbers
that do not say "all green" while the customer says otherwise.

Every finding is a :class:`~cxsite.diagnostics.Diagnostic` of severity
WARNING with a ``rule`` name, the ``file:line`` of what to change and a
hint for the team lead. Each finding is reported once, however many
audiences, customers or projects it touches. "Today" is the date of ``now``
in the customer's time zone; ``now`` is passed in, never read from a clock.

The rules
---------

``cx/cx-owner``
    The customer's ``cx_owner`` is not on the team, or has no e-mail or no
    phone in ``team.yml``. Points at the ``cx_owner:`` line of
    ``customer.yml``. (A CX owner with missing details is reported here and
    not again under ``cx/contact-details``.)

``cx/primary-contacts``
    The customer names no primary contact, or more than two. Customers need
    one or two named people to call, not a team. Points at
    ``primary_contacts:`` (or at the third contact).

``cx/contact-details``
    Someone customers are told to contact (a primary contact, someone on the
    escalation path, a project contact) has no e-mail or no phone in
    ``team.yml``. Reported once per person, at their entry in ``team.yml``,
    naming every role they hold.

``cx/update-overdue``
    A running project (active or on hold, the ones whose pages promise the
    next update) has not *published* an update for longer than its
    ``update_cadence`` plus ``grace_days`` (default 2). Only updates some
    audience can read at ``now`` count: internal notes, drafts and updates
    still under embargo do not. A project without any counts from its
    ``start``. Points at ``update_cadence:`` in ``project.yml``.

``cx/disruption-notice``
    A disruption that has not started yet was announced fewer than
    ``notice_days`` (default 10) days before its start, or has no
    ``announced`` date at all. When the latest change moved the start, the
    notice counts from ``changed`` instead (an extended end moves nothing).
    Cancelled disruptions and ones already under way are not checked.

``cx/decision-overdue``
    A decision the customer owes is still ``open`` after its ``due`` date.

``cx/milestone-overdue``
    A milestone's planned date has passed and it has neither a ``done`` nor a
    ``forecast`` date, so the page cannot tell the customer when to expect it.

``cx/green-but-unhappy``
    Every measure of a project is met, yet its latest survey score is low
    (below 60 % of its scale) or lower than the survey before. The numbers
    are measuring the wrong thing, or the customer is not being heard.
    Points at the latest survey.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Callable, Iterator

from .. import model as m
from ..diagnostics import Diagnostic, Location, Severity, sort_key
from .microsite import last_told

DEFAULT_NOTICE_DAYS = 10
DEFAULT_GRACE_DAYS = 2
LOW_SURVEY_SHARE = 0.6  # a score below 60 % of the scale is "low"

_RULES: dict[str, Callable[..., Iterator[Diagnostic]]] = {}


def _rule(name: str):
    def register(function):
        _RULES[name] = function
        return function
    return register


def rule_names() -> list[str]:
    """Every rule, in the order they are documented and run."""
    return list(_RULES)


def cx_findings(portfolio: m.Portfolio, now: dt.datetime, *, notice_days: int = DEFAULT_NOTICE_DAYS,
                grace_days: int = DEFAULT_GRACE_DAYS) -> list[Diagnostic]:
    """Every CX rule finding for the portfolio at ``now`` (aware), sorted by file and line."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    context = _Context(portfolio, now, notice_days, grace_days)
    findings = [finding for check in _RULES.values() for finding in check(context)]
    return sorted(findings, key=lambda d: (*sort_key(d), d.rule))


class _Context:
    def __init__(self, portfolio: m.Portfolio, now: dt.datetime, notice_days: int, grace_days: int):
        self.portfolio = portfolio
        self.now = now
        self.notice_days = notice_days
        self.grace_days = grace_days
        self.people = {person.id: person for person in portfolio.team.people}
        self.lines: dict[str, tuple[str, ...]] = {}   # source files read again for key lines

    def today(self, customer: m.Customer) -> dt.date:
        return self.now.astimezone(customer.zone).date()

    def projects(self) -> Iterator[tuple[m.Customer, m.Project]]:
        for customer in self.portfolio.customers:
            for project in customer.projects:
                yield customer, project


def _warn(rule: str, location: Location, message: str, hint: str) -> Diagnostic:
    return Diagnostic(location, message, hint, Severity.WARNING, rule)


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


# ------------------------------------------------------------ locations

def _key_location(ctx: _Context, document: Location, key: str) -> Location:
    """The line of a top-level ``key:`` in the document ``document`` points
    into. The model keeps only the document's location, so the file is read
    again (once per run); when it cannot be (moved, or a model built in
    memory) the document's own location is the answer."""
    if document.path not in ctx.lines:
        try:
            ctx.lines[document.path] = tuple(Path(document.path).read_text(encoding="utf-8").splitlines())
        except (OSError, UnicodeDecodeError):
            ctx.lines[document.path] = ()
    pattern = re.compile(rf"{re.escape(key)}\s*:")
    for number, line in enumerate(ctx.lines[document.path], start=1):
        if pattern.match(line):
            return Location(document.path, number, 1)
    return document


def _missing_details(person: m.Person) -> str:
    missing = [what for what, value in (("e-mail", person.email), ("phone number", person.phone)) if not value]
    return " or ".join(missing)


# --------------------------------------------------------------- people

@_rule("cx/cx-owner")
def _cx_owner(ctx: _Context) -> Iterator[Diagnostic]:
    for customer in ctx.portfolio.customers:
        where = _key_location(ctx, customer.location, "cx_owner")
        owner = ctx.people.get(customer.cx_owner_id)
        if owner is None:
            yield _warn("cx/cx-owner", where,
                        f"CX owner '{customer.cx_owner_id}' of {customer.name} is not on the team",
                        "name one person from team.yml who is accountable for this customer's experience")
            continue
        missing = _missing_details(owner)
        if missing:
            field = "email" if not owner.email else "phone"
            yield _warn("cx/cx-owner", where,
                        f"CX owner {owner.name} of {customer.name} has no {missing}",
                        f"add '{field}:' for '{owner.id}' in team.yml: the CX owner is the one person "
                        "this customer must always be able to reach")


@_rule("cx/primary-contacts")
def _primary_contacts(ctx: _Context) -> Iterator[Diagnostic]:
    for customer in ctx.portfolio.customers:
        contacts = customer.primary_contacts
        if not contacts:
            yield _warn("cx/primary-contacts", _key_location(ctx, customer.location, "primary_contacts"),
                        f"{customer.name} has no primary contact",
                        "name one or two people under 'primary_contacts', with what each handles, "
                        "so the customer knows whom to call")
        elif len(contacts) > 2:
            yield _warn("cx/primary-contacts", contacts[2].location,
                        f"{customer.name} has {len(contacts)} primary contacts",
                        "keep one or two: with more, nobody is the customer's contact; list the others "
                        "as project contacts or on the escalation path")


@_rule("cx/contact-details")
def _contact_details(ctx: _Context) -> Iterator[Diagnostic]:
    cx_owners = {customer.cx_owner_id for customer in ctx.portfolio.customers}  # reported by cx/cx-owner
    roles: dict[str, list[str]] = {}

    def add(person_id: str, role: str) -> None:
        if person_id not in cx_owners and role not in roles.setdefault(person_id, []):
            roles[person_id].append(role)

    for customer in ctx.portfolio.customers:
        for contact in customer.primary_contacts:
            add(contact.person_id, f"primary contact of {customer.name}")
        for person_id in customer.escalation:
            add(person_id, f"on the escalation path of {customer.name}")
        for project in customer.projects:
            for person_id in project.contact_ids:
                add(person_id, f"contact for {project.name}")
    for person_id, held in roles.items():
        person = ctx.people.get(person_id)
        if person is None or not _missing_details(person):
            continue
        field = "email" if not person.email else "phone"
        yield _warn("cx/contact-details", person.location,
                    f"{person.name} has no {_missing_details(person)} but is {_join(held)}",
                    f"add '{field}:' for '{person.id}' here: customers are told to contact this person")


def _join(items: list[str]) -> str:
    if len(items) <= 3:
        return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]
    return f"{', '.join(items[:2])} and {len(items) - 2} more"


# ------------------------------------------------------------- projects

@_rule("cx/update-overdue")
def _update_overdue(ctx: _Context) -> Iterator[Diagnostic]:
    for customer, project in ctx.projects():
        if project.status not in (m.Status.ACTIVE, m.Status.ON_HOLD):
            continue
        latest = last_told(customer, project, ctx.now)
        last = latest.published.astimezone(customer.zone).date() if latest else project.start
        due = last + dt.timedelta(days=project.update_cadence.days)
        late = (ctx.today(customer) - due).days
        if late <= ctx.grace_days:
            continue
        since = f"the last published one is from {last}" if latest else f"none published since the start on {last}"
        yield _warn("cx/update-overdue", _key_location(ctx, project.location, "update_cadence"),
                    f"update overdue by {_days(late)}: {project.name} promises one {project.update_cadence.value}; "
                    f"{since}, so the next was due on {due}",
                    "publish an update now, even a short one, or change 'update_cadence' and tell the customer; "
                    "internal, draft and embargoed updates do not count")


def _announced_for_current_window(disruption: m.Disruption, today: dt.date) -> tuple[dt.date | None, str]:
    """When the customer learnt the current start, and how: from ``changed``
    when the latest change moved the start (a change already made by
    ``today``), else from ``announced`` (an extended end moves no start)."""
    moved = disruption.previous_windows and disruption.previous_windows[-1].start != disruption.window.start
    if moved and disruption.changed and disruption.changed <= today:
        return disruption.changed, "rescheduled"
    return disruption.announced, "announced"


@_rule("cx/disruption-notice")
def _disruption_notice(ctx: _Context) -> Iterator[Diagnostic]:
    for customer, project in ctx.projects():
        for disruption in project.disruptions:
            if disruption.status is m.DisruptionStatus.CANCELLED or disruption.window.start <= ctx.now:
                continue
            starts = disruption.window.start.astimezone(customer.zone).date()
            announced, how = _announced_for_current_window(disruption, ctx.today(customer))
            if announced is None:
                yield _warn("cx/disruption-notice", disruption.location,
                            f"disruption '{disruption.id}' starting {starts} has no announcement date",
                            f"tell the customer at least {_days(ctx.notice_days)} ahead and record when with "
                            "'announced:'")
                continue
            notice = (starts - announced).days
            if notice < ctx.notice_days:
                yield _warn("cx/disruption-notice", disruption.location,
                            f"disruption '{disruption.id}' starting {starts} was {how} only {_days(notice)} ahead "
                            f"(on {announced}); customers need {_days(ctx.notice_days)}",
                            "move it later if you can; if not, call the affected teams now rather than "
                            "relying on the page")


@_rule("cx/decision-overdue")
def _decision_overdue(ctx: _Context) -> Iterator[Diagnostic]:
    for customer, project in ctx.projects():
        today = ctx.today(customer)
        for decision in project.decisions:
            if decision.status is m.DecisionStatus.OPEN and decision.due < today:
                late = (today - decision.due).days
                yield _warn("cx/decision-overdue", decision.location,
                            f"decision '{decision.id}' was due on {decision.due} and is still open "
                            f"({_days(late)} late)",
                            f"chase the owner ({decision.owner}) and find out what they need to decide; then "
                            "record the outcome ('status: decided'), agree a new 'due' date, or withdraw it")


@_rule("cx/milestone-overdue")
def _milestone_overdue(ctx: _Context) -> Iterator[Diagnostic]:
    for customer, project in ctx.projects():
        today = ctx.today(customer)
        for milestone in project.milestones:
            if milestone.planned < today and milestone.done is None and milestone.forecast is None:
                yield _warn("cx/milestone-overdue", milestone.location,
                            f"milestone '{milestone.id}' was planned for {milestone.planned} and has neither "
                            "a done nor a forecast date",
                            "add 'done:' if it was reached, else a 'forecast:' date the customer can plan with")


@_rule("cx/green-but-unhappy")
def _green_but_unhappy(ctx: _Context) -> Iterator[Diagnostic]:
    for _, project in ctx.projects():
        if not project.measures or not all(measure.met for measure in project.measures) or not project.surveys:
            continue
        surveys = sorted(project.surveys, key=lambda s: s.date)
        latest = surveys[-1]
        share = latest.score / latest.scale if latest.scale else 0.0
        previous = surveys[-2] if len(surveys) > 1 else None
        if share < LOW_SURVEY_SHARE:
            why = f"is low ({latest.score:g} of {latest.scale:g})"
        elif previous and previous.scale and share < previous.score / previous.scale:
            why = f"fell from {previous.score:g} to {latest.score:g} of {latest.scale:g}"
        else:
            continue
        yield _warn("cx/green-but-unhappy", latest.location,
                    f"every measure of {project.name} is met, but the latest survey ({latest.date}) {why}",
                    "talk to the customer about what is not working, and add a measure for it so the page "
                    "stops saying all is well")


def check_portfolio(root, now: dt.datetime | None = None, *,  # type: ignore[no-untyped-def]
                    notice_days: int = DEFAULT_NOTICE_DAYS, freeze: bool = False) -> tuple[Diagnostic, ...]:
    """Every diagnostic for the portfolio below ``root``, never raising:
    format errors and warnings, then (when the portfolio is well formed and
    ``now`` is given) the CX rules' findings. ``freeze``: see
    :func:`cxsite.model.load.load_portfolio`."""
    from ..diagnostics import PortfolioError
    from ..model.load import load_portfolio

    try:
        portfolio, warnings = load_portfolio(root, freeze=freeze)
    except PortfolioError as exc:
        return exc.diagnostics
    if now is None:
        return warnings
    return warnings + tuple(cx_findings(portfolio, now, notice_days=notice_days))
