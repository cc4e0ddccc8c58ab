"""Facts derived from the model at the build's moment.

Pure functions shared by pages, feeds, digests and the CX rules: which
milestone is next or late, which disruption is upcoming, when the next
update is due. The moment is asked through the build's clock
(:mod:`.clock`), or given as the date it answered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import Enum

from .. import model as m
from .clock import Clock

CADENCE_GRACE_DAYS = 2


class MilestoneState(str, Enum):
    DONE = "done"
    LATE = "late"          # not done and its planned date has passed, or forecast after planned
    UPCOMING = "upcoming"


def milestone_date(milestone: m.Milestone) -> dt.date:
    """The date that places a milestone on the timeline."""
    return milestone.done or milestone.forecast or milestone.planned


def milestone_state(milestone: m.Milestone, today: dt.date) -> MilestoneState:
    if milestone.done:
        return MilestoneState.DONE
    expected = milestone.forecast or milestone.planned
    if milestone.planned < today or expected > milestone.planned:
        return MilestoneState.LATE
    return MilestoneState.UPCOMING


def slip_days(milestone: m.Milestone) -> int:
    """Days between the planned date and the done or forecast date (>0 = late)."""
    actual = milestone.done or milestone.forecast or milestone.planned
    return (actual - milestone.planned).days


def timeline(project: m.Project) -> tuple[m.Milestone, ...]:
    return tuple(sorted(project.milestones, key=lambda ms: (milestone_date(ms), ms.id)))


def next_milestone(project: m.Project, today: dt.date) -> m.Milestone | None:
    pending = [ms for ms in timeline(project) if not ms.done]
    return pending[0] if pending else None


def is_upcoming(disruption: m.Disruption, clock: Clock) -> bool:
    """Not over yet (cancelled ones stay listed until their window passes)."""
    return not clock.passed(disruption.window.end)


def upcoming_disruptions(project: m.Project, clock: Clock) -> tuple[m.Disruption, ...]:
    return tuple(sorted((d for d in project.disruptions if is_upcoming(d, clock)),
                        key=lambda d: (d.window.start, d.id)))


def past_disruptions(project: m.Project, clock: Clock) -> tuple[m.Disruption, ...]:
    return tuple(sorted((d for d in project.disruptions if not is_upcoming(d, clock)),
                        key=lambda d: (d.window.start, d.id), reverse=True))


def next_disruption(project: m.Project, clock: Clock) -> m.Disruption | None:
    active = [d for d in upcoming_disruptions(project, clock) if d.status is not m.DisruptionStatus.CANCELLED]
    return active[0] if active else None


def latest_update(project: m.Project) -> m.Update | None:
    return project.updates[0] if project.updates else None


@dataclass(frozen=True)
class UpdateDue:
    due: dt.date
    overdue_days: int  # > 0 when the promised update is late (beyond the grace period)


def next_update_due(project: m.Project, today: dt.date) -> UpdateDue | None:
    """When the next update is due under the promised cadence; None when the
    project is not running (nothing is promised for planned or closed ones)."""
    if project.status not in (m.Status.ACTIVE, m.Status.ON_HOLD):
        return None
    latest = latest_update(project)
    last = latest.published.date() if latest else project.start
    due = last + dt.timedelta(days=project.update_cadence.days)
    overdue = (today - due).days - CADENCE_GRACE_DAYS
    return UpdateDue(due, max(overdue, 0))


def open_decisions(project: m.Project) -> tuple[m.Decision, ...]:
    return tuple(sorted((d for d in project.decisions if d.status is m.DecisionStatus.OPEN),
                        key=lambda d: (d.due, d.id)))


def spent_share(budget: m.Budget) -> float | None:
    if budget.spent is None or not budget.approved:
        return None
    return budget.spent / budget.approved


def shown_status(disruption: m.Disruption, clock: Clock) -> m.DisruptionStatus:
    """The status to show: a window that has passed took place, whatever
    the data still says (nobody edits the file the morning after)."""
    if disruption.status in (m.DisruptionStatus.SCHEDULED, m.DisruptionStatus.IN_PROGRESS):
        if clock.passed(disruption.window.end):
            return m.DisruptionStatus.COMPLETED
        if clock.passed(disruption.window.start):
            return m.DisruptionStatus.IN_PROGRESS
    return disruption.status
