"""What the delivery team sees of each project that no customer does.

The team's dashboard reads the whole portfolio: internal, draft and
embargoed updates, every audience's items. These facts say what it shows
of a project: how its updates stand, how its surveys trend, whether its
numbers look green while the customer is unhappy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Sequence

from .. import model as m
from .clock import Clock
from .microsite import release_time, told_updates
from .rules import DEFAULT_GRACE_DAYS, LOW_SURVEY_SHARE


@dataclass(frozen=True)
class Trend:
    key: str     # "rising", "falling", "steady", "first"
    word: str
    icon: str


_TRENDS = {
    "rising": Trend("rising", "Rising", "▲"),
    "falling": Trend("falling", "Falling", "▼"),
    "steady": Trend("steady", "Steady", "▶"),
    "first": Trend("first", "First survey", "●"),
}


def share(survey: m.SurveyResult) -> float:
    """A survey's score as a share of its scale."""
    return survey.score / survey.scale if survey.scale else 0.0


def surveys(project: m.Project) -> list[m.SurveyResult]:
    """A project's surveys, oldest first."""
    return sorted(project.surveys, key=lambda s: s.date)


def survey_trend(project: m.Project) -> Trend | None:
    """How the latest survey compares with the one before (as a share of the scale)."""
    found = surveys(project)
    if not found:
        return None
    if len(found) == 1:
        return _TRENDS["first"]
    latest, previous = share(found[-1]), share(found[-2])
    if latest > previous:
        return _TRENDS["rising"]
    if latest < previous:
        return _TRENDS["falling"]
    return _TRENDS["steady"]


def green_but_unhappy(project: m.Project) -> bool:
    """Every measure met while the latest survey is low or falling (as the
    ``cx/green-but-unhappy`` rule decides it)."""
    if not project.measures or not all(measure.met for measure in project.measures):
        return False
    found = surveys(project)
    if not found:
        return False
    trend = survey_trend(project)
    return share(found[-1]) < LOW_SURVEY_SHARE or (trend is not None and trend.key == "falling")


@dataclass(frozen=True)
class UpdateState:
    last: m.Update | None
    due: dt.date | None        # None: the project promises no updates (not running)
    overdue_days: int          # > 0 beyond the grace period
    published: int
    internal: int
    draft: int
    embargoed: int
    next_release: dt.datetime | None


def update_state(customer: m.Customer, project: m.Project, clock: Clock,
                 grace_days: int = DEFAULT_GRACE_DAYS) -> UpdateState:
    today = clock.today(customer.zone)
    told = list(told_updates(customer, project, clock))
    last = told[0] if told else None
    due, overdue = None, 0
    if project.status in (m.Status.ACTIVE, m.Status.ON_HOLD):
        since = last.published.astimezone(customer.zone).date() if last else project.start
        due = since + dt.timedelta(days=project.update_cadence.days)
        late = (today - due).days
        overdue = late if late > grace_days else 0
    internal = draft = 0
    embargoed: list[dt.datetime] = []   # release times of updates not yet due
    for update in project.updates:
        if update.internal:
            internal += 1
        elif update.draft:
            draft += 1
        elif not clock.passed(release := release_time(update)):
            embargoed.append(release)
    return UpdateState(last=last, due=due, overdue_days=overdue, published=len(told), internal=internal,
                       draft=draft, embargoed=len(embargoed), next_release=min(embargoed, default=None))


def audience_names(customer: m.Customer, ids: Sequence[str]) -> str:
    """Who sees an item: its audiences' names, or every audience."""
    if not ids:
        return "every audience"
    names = {a.id: a.name for a in customer.audiences}
    return ", ".join(names.get(i, i) for i in ids)
