"""Who sees what: the ONLY place that decides.

:func:`microsites` turns a portfolio and the build's clock into one
:class:`Microsite` per (customer, audience). A microsite holds *filtered
copies* of model objects: projects, milestones, disruptions, budgets,
measures, decisions, surveys and updates the audience may not see are
simply absent, internal notes are blanked, drafts, internal and not-yet-due
updates are gone, and the team is cut down to the people the site shows.
Everything downstream (pages, feeds, calendars, vCards, search index)
renders a microsite as it is, so it cannot leak what it was never given.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace
from typing import Collection, Iterable, Iterator, Protocol, TypeVar

from .. import model as m
from .clock import Clock, as_clock


class _HasAudiences(Protocol):
    audiences: tuple[str, ...]


T = TypeVar("T", bound=_HasAudiences)


@dataclass(frozen=True)
class Microsite:
    """Everything one audience of one customer may see, and nothing else."""

    customer: m.Customer           # filtered: visible projects only, no internal notes
    audience: m.Audience
    organisation: m.Organisation
    people: tuple[m.Person, ...]   # only the people this site shows
    next_embargo: dt.datetime | None  # when the next held-back update falls due
    # The build's moment, asked through the clock (nothing after it is published);
    # not part of what the view is: two views of the same data are equal.
    clock: Clock = field(compare=False, repr=False)

    @property
    def key(self) -> str:
        return f"{self.customer.slug}/{self.audience.id}"

    def person(self, person_id: str) -> m.Person:
        for person in self.people:
            if person.id == person_id:
                return person
        raise KeyError(person_id)

    @property
    def updates(self) -> tuple[tuple[m.Project, m.Update], ...]:
        """Every published update of the site, newest first."""
        pairs = [(project, update) for project in self.customer.projects for update in project.updates]
        return tuple(sorted(pairs, key=lambda pair: (pair[1].published, pair[1].id), reverse=True))


def visible_to(audience_id: str, item: _HasAudiences) -> bool:
    """An item without an audiences list is for every audience."""
    return not item.audiences or audience_id in item.audiences


def _only(audience_id: str, items: Iterable[T]) -> tuple[T, ...]:
    return tuple(item for item in items if visible_to(audience_id, item))


def release_time(update: m.Update) -> dt.datetime:
    """When an update may first be published: its date, or its embargo if later."""
    if update.publish_after and update.publish_after > update.published:
        return update.publish_after
    return update.published


def is_published(update: m.Update, audience_id: str, clock: Clock) -> bool:
    return (not update.internal and not update.draft and visible_to(audience_id, update)
            and clock.passed(release_time(update)))


def told_updates(customer: m.Customer, project: m.Project, clock: Clock) -> Iterator[m.Update]:
    """The project's updates that at least one of the customer's audiences who
    see the project can read at the build's moment (what the customer has been told),
    newest first as the model keeps them."""
    audiences = [a.id for a in customer.audiences if visible_to(a.id, project)]
    for update in project.updates:   # the dashboard and the CX rules ask for 2,500 projects: kept lean
        if update.internal or update.draft or not clock.passed(release_time(update)):
            continue
        if audiences and (not update.audiences or any(a in update.audiences for a in audiences)):
            yield update


def last_told(customer: m.Customer, project: m.Project, clock: Clock) -> m.Update | None:
    """The newest update the customer has been told (see :func:`told_updates`)."""
    return next(told_updates(customer, project, clock), None)


def _project_view(project: m.Project, audience_id: str, clock: Clock) -> m.Project:
    budget = project.budget
    if budget is not None:
        budget = replace(budget, internal_note="") if visible_to(audience_id, budget) else None
    return replace(
        project,
        milestones=tuple(replace(ms, internal_note="") for ms in _only(audience_id, project.milestones)),
        disruptions=tuple(replace(d, internal_note="") for d in _only(audience_id, project.disruptions)),
        budget=budget,
        measures=_only(audience_id, project.measures),
        decisions=_only(audience_id, project.decisions),
        surveys=_only(audience_id, project.surveys),
        updates=tuple(u for u in project.updates if is_published(u, audience_id, clock)),
        internal_note="",
    )


def _next_embargo(customer: m.Customer, audience_id: str, clock: Clock) -> dt.datetime | None:
    due = [release_time(u) for p in customer.projects if visible_to(audience_id, p) for u in p.updates
           if not u.internal and not u.draft and visible_to(audience_id, u) and not clock.passed(release_time(u))]
    return min(due, default=None)


def _people_shown(customer: m.Customer, team: m.Team) -> tuple[m.Person, ...]:
    wanted = {customer.cx_owner_id, *customer.escalation, *(c.person_id for c in customer.primary_contacts)}
    for project in customer.projects:
        wanted.update(project.contact_ids)
        wanted.update(update.author_id for update in project.updates)
    return tuple(person for person in team.people if person.id in wanted)


def microsite(portfolio: m.Portfolio, customer: m.Customer, audience: m.Audience,
              when: Clock | dt.datetime) -> Microsite:
    clock = as_clock(when)
    projects = tuple(_project_view(p, audience.id, clock) for p in customer.projects if visible_to(audience.id, p))
    view = replace(customer, projects=projects, internal_note="", audiences=(audience,))
    return Microsite(
        customer=view, audience=audience, organisation=portfolio.team.organisation,
        people=_people_shown(view, portfolio.team), clock=clock,
        next_embargo=_next_embargo(customer, audience.id, clock))


def microsites(portfolio: m.Portfolio, when: Clock | dt.datetime, only: Iterable[str] = (),
               skip: Collection[str] = ()) -> tuple[Microsite, ...]:
    """One microsite per (customer, audience), optionally only those whose
    key (``customer`` or ``customer/audience``) is in ``only``, and none of
    the customers in ``skip``."""
    clock = as_clock(when)
    selected = set(only)
    sites = []
    for customer in portfolio.customers:
        if customer.slug in skip:
            continue
        for audience in customer.audiences:
            key = f"{customer.slug}/{audience.id}"
            if selected and customer.slug not in selected and key not in selected:
                continue
            sites.append(microsite(portfolio, customer, audience, clock))
    return tuple(sites)


def next_embargo(sites: Iterable[Microsite]) -> dt.datetime | None:
    return min((s.next_embargo for s in sites if s.next_embargo), default=None)
