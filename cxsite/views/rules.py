"""CX rules: is the customer being looked after?

The validator checks that the portfolio is *well formed*; these rules check
that it keeps the promises a customer sees: someone accountable and
reachable, updates on the promised cadence, disruptions announced in good
time, decisions and milestones that do not silently go stale, and numbers
that do not say "all green" while the customer says otherwise.

Every finding is a :class:`~cxsite.diagnostics.Diagnostic` of severity
WARNING with a ``rule`` name, the ``file:line`` of what to change and a
hint for the team lead. Each finding is reported once, however many
audiences, customers or projects it touches. "Today" is the customer's
date at the build's moment, asked through the build's clock.

Every rule but ``cx/contact-details`` looks at one customer at a time
(:func:`customer_findings`); that one names each person once with every
role they hold across the portfolio (:func:`contact_findings`), from what
:func:`customer_roles` found in each customer.

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
from dataclasses import dataclass
from typing import Callable, Iterable, Iterator, Mapping

from .. import model as m
from ..diagnostics import Diagnostic, Location, Severity, sort_key
from .clock import Clock, as_clock
from .microsite import last_told

DEFAULT_NOTICE_DAYS = 10
DEFAULT_GRACE_DAYS = 2
LOW_SURVEY_SHARE = 0.6  # a score below 60 % of the scale is "low"

_RULES: dict[str, Callable[..., Iterator[Diagnostic]]] = {}
CONTACT_DETAILS = "cx/contact-details"


def _rule(name: str):
    def register(function):
        _RULES[name] = function
        return function
    return register


def rule_names() -> list[str]:
    """Every rule, in the order they are documented and run."""
    names = list(_RULES)
    names.insert(names.index("cx/primary-contacts") + 1, CONTACT_DETAILS)
    return names


@dataclass(frozen=True)
class Settings:
    notice_days: int = DEFAULT_NOTICE_DAYS
    grace_days: int = DEFAULT_GRACE_DAYS


@dataclass(frozen=True)
class _Context:
    customer: m.Customer
    people: Mapping[str, m.Person]
    clock: Clock
    settings: Settings

    @property
    def today(self) -> dt.date:
        return self.clock.today(self.customer.zone)


def customer_findings(customer: m.Customer, team: m.Team, clock: Clock,
                      settings: Settings = Settings()) -> list[Diagnostic]:
    """Every finding of every rule that looks at one customer."""
    context = _Context(customer, {person.id: person for person in team.people}, clock, settings)
    return [finding for check in _RULES.values() for finding in check(context)]


def customer_roles(customer: m.Customer) -> dict[str, list[str]]:
    """Whom this customer is told to contact, and as what (for cx/contact-details)."""
    roles: dict[str, list[str]] = {}

    def add(person_id: str, role: str) -> None:
        if role not in roles.setdefault(person_id, []):
            roles[person_id].append(role)

    for contact in customer.primary_contacts:
        add(contact.person_id, f"primary contact of {customer.name}")
    for person_id in customer.escalation:
        add(person_id, f"on the escalation path of {customer.name}")
    for project in customer.projects:
        for person_id in project.contact_ids:
            add(person_id, f"contact for {project.name}")
    return roles


def contact_findings(team: m.Team, cx_owners: Iterable[str],
                     roles: Iterable[Mapping[str, list[str]]]) -> list[Diagnostic]:
    """``cx/contact-details``: each person customers are told to contact who
    has no e-mail or phone, once, with every role they hold (CX owners are
    reported by ``cx/cx-owner``)."""
    owners = set(cx_owners)
    held: dict[str, list[str]] = {}
    for found in roles:
        for person_id, names in found.items():
            if person_id not in owners:
                held.setdefault(person_id, []).extend(name for name in names if name not in held[person_id])
    people = {person.id: person for person in team.people}
    findings = []
    for person_id, names in held.items():
        person = people.get(person_id)
        if person is None or not _missing_details(person):
            continue
        field = "email" if not person.email else "phone"
        findings.append(_warn(CONTACT_DETAILS, person.location,
                              f"{person.name} has no {_missing_details(person)} but is {_join(names)}",
                              f"add '{field}:' for '{person.id}' here: customers are told to contact this person"))
    return findings


def cx_findings(portfolio: m.Portfolio, when: Clock | dt.datetime, *, notice_days: int = DEFAULT_NOTICE_DAYS,
                grace_days: int = DEFAULT_GRACE_DAYS) -> list[Diagnostic]:
    """Every CX rule finding for the portfolio at the build's moment, sorted by file and line."""
    clock, settings = as_clock(when), Settings(notice_days, grace_days)
    findings = [finding for customer in portfolio.customers
                for finding in customer_findings(customer, portfolio.team, clock, settings)]
    findings += contact_findings(portfolio.team, (customer.cx_owner_id for customer in portfolio.customers),
                                 (customer_roles(customer) for customer in portfolio.customers))
    return sort_findings(findings)


def sort_findings(findings: Iterable[Diagnostic]) -> list[Diagnostic]:
    return sorted(findings, key=lambda d: (*sort_key(d), d.rule))


def _warn(rule: str, location: Location, message: str, hint: str) -> Diagnostic:
    return Diagnostic(location, message, hint, Severity.WARNING, rule)


def _days(count: int) -> str:
    return f"{count} day{'' if count == 1 else 's'}"


def _missing_details(person: m.Person) -> str:
    missing = [what for what, value in (("e-mail", person.email), ("phone number", person.phone)) if not value]
    return " or ".join(missing)


def _join(items: list[str]) -> str:
    if len(items) <= 3:
        return ", ".join(items[:-1]) + (" and " if len(items) > 1 else "") + items[-1]
    return f"{', '.join(items[:2])} and {len(items) - 2} more"


def _at_line(location: Location) -> Location:
    return Location(location.path, location.line, 1) if location.line else location


# --------------------------------------------------------------- people

@_rule("cx/cx-owner")
def _cx_owner(ctx: _Context) -> Iterator[Diagnostic]:
    customer = ctx.customer
    where = _at_line(customer.where("cx_owner"))
    owner = ctx.people.get(customer.cx_owner_id)
    if owner is None:
        yield _warn("cx/cx-owner", where,
                    f"CX owner '{customer.cx_owner_id}' of {customer.name} is not on the team",
                    "name one person from team.yml who is accountable for this customer's experience")
        return
    missing = _missing_details(owner)
    if missing:
        field = "email" if not owner.email else "phone"
        yield _warn("cx/cx-owner", where,
                    f"CX owner {owner.name} of {customer.name} has no {missing}",
                    f"add '{field}:' for '{owner.id}' in team.yml: the CX owner is the one person "
                    "this customer must always be able to reach")


@_rule("cx/primary-contacts")
def _primary_contacts(ctx: _Context) -> Iterator[Diagnostic]:
    customer = ctx.customer
    contacts = customer.primary_contacts
    if not contacts:
        yield _warn("cx/primary-contacts", _at_line(customer.where("primary_contacts")),
                    f"{customer.name} has no primary contact",
                    "name one or two people under 'primary_contacts', with what each handles, "
                    "so the customer knows whom to call")
    elif len(contacts) > 2:
        yield _warn("cx/primary-contacts", contacts[2].location,
                    f"{customer.name} has {len(contacts)} primary contacts",
                    "keep one or two: with more, nobody is the customer's contact; list the others "
                    "as project contacts or on the escalation path")


# ------------------------------------------------------------- projects

@_rule("cx/update-overdue")
def _update_overdue(ctx: _Context) -> Iterator[Diagnostic]:
    customer = ctx.customer
    for project in customer.projects:
        if project.status not in (m.Status.ACTIVE, m.Status.ON_HOLD):
            continue
        latest = last_told(customer, project, ctx.clock)
        last = latest.published.astimezone(customer.zone).date() if latest else project.start
        due = last + dt.timedelta(days=project.update_cadence.days)
        late = (ctx.today - due).days
        if late <= ctx.settings.grace_days:
            continue
        since = f"the last published one is from {last}" if latest else f"none published since the start on {last}"
        yield _warn("cx/update-overdue", _at_line(project.where("update_cadence")),
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
    customer, notice_days = ctx.customer, ctx.settings.notice_days
    for project in customer.projects:
        for disruption in project.disruptions:
            if disruption.status is m.DisruptionStatus.CANCELLED or ctx.clock.passed(disruption.window.start):
                continue
            starts = disruption.window.start.astimezone(customer.zone).date()
            announced, how = _announced_for_current_window(disruption, ctx.today)
            if announced is None:
                yield _warn("cx/disruption-notice", disruption.location,
                            f"disruption '{disruption.id}' starting {starts} has no announcement date",
                            f"tell the customer at least {_days(notice_days)} ahead and record when with "
                            "'announced:'")
                continue
            notice = (starts - announced).days
            if notice < notice_days:
                yield _warn("cx/disruption-notice", disruption.location,
                            f"disruption '{disruption.id}' starting {starts} was {how} only {_days(notice)} ahead "
                            f"(on {announced}); customers need {_days(notice_days)}",
                            "move it later if you can; if not, call the affected teams now rather than "
                            "relying on the page")


@_rule("cx/decision-overdue")
def _decision_overdue(ctx: _Context) -> Iterator[Diagnostic]:
    for project in ctx.customer.projects:
        for decision in project.decisions:
            if decision.status is m.DecisionStatus.OPEN and decision.due < ctx.today:
                late = (ctx.today - decision.due).days
                yield _warn("cx/decision-overdue", decision.location,
                            f"decision '{decision.id}' was due on {decision.due} and is still open "
                            f"({_days(late)} late)",
                            f"chase the owner ({decision.owner}) and find out what they need to decide; then "
                            "record the outcome ('status: decided'), agree a new 'due' date, or withdraw it")


@_rule("cx/milestone-overdue")
def _milestone_overdue(ctx: _Context) -> Iterator[Diagnostic]:
    for project in ctx.customer.projects:
        for milestone in project.milestones:
            if milestone.planned < ctx.today and milestone.done is None and milestone.forecast is None:
                yield _warn("cx/milestone-overdue", milestone.location,
                            f"milestone '{milestone.id}' was planned for {milestone.planned} and has neither "
                            "a done nor a forecast date",
                            "add 'done:' if it was reached, else a 'forecast:' date the customer can plan with")


@_rule("cx/green-but-unhappy")
def _green_but_unhappy(ctx: _Context) -> Iterator[Diagnostic]:
    for project in ctx.customer.projects:
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
