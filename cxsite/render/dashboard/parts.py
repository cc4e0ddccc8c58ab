"""One customer's share of the dashboard, made from that customer alone.

A :class:`CustomerPart` holds, ready to be put together
(:func:`cxsite.render.dashboard.site.assemble_dashboard`): the customer's
section of the overview, its rows of the disruptions and decisions pages
(each with the key the pages sort by), its sections of the surveys page,
its events of the team's calendar, and its counts for "at a glance". It
reads the customer, the team, the conversions of the customer's Markdown
and the build's clock, nothing else (in particular no other customer), so
a build can keep it by the customer's model and the clock's answers.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Iterable, Mapping

from ... import model as m
from ...diagnostics import Diagnostic
from ...views import Microsite, facts
from ...views.clock import Clock
from ...views.rules import LOW_SURVEY_SHARE
from ...views.team import audience_names, green_but_unhappy, share, survey_trend, surveys, update_state
from ..calendar import event_uid, milestone_day, milestone_sequence
from ..i18n import Locale
from ..ical import event_bytes
from ..pages import PageRenderer
from ..paths import DASHBOARD_AUDIENCE, SitePaths
from ..prose import Prose
from ..words import at_nine
from .site import LANGUAGE, DashboardPaths, TeamLocale, dashboard_html

UID_PREFIX = "dashboard."


@dataclass(frozen=True)
class CustomerPart:
    slug: str
    timezone: str
    overview: str                                  # its section of the overview (HTML)
    totals: tuple[tuple[str, int], ...]            # what it adds to "at a glance"
    disruptions: tuple[tuple[tuple, str], ...]     # (sort key, table row) of each upcoming disruption
    decisions: tuple[tuple[tuple, str], ...]       # (sort key, table row) of each open decision
    overdue_decisions: int
    surveys: tuple[str, ...]                       # a section per project with surveys or measures
    events: tuple[tuple[tuple, bytes], ...]        # (sort key, VEVENT) of the team's calendar
    years: tuple[int, int] | None                  # the years its timed events span (for its VTIMEZONE)


def findings_per_project(customer: m.Customer, findings: Iterable[Diagnostic]) -> dict[str, int]:
    """How many findings point into each project's folder (project.yml, its updates)."""
    folders = {os.path.dirname(os.path.abspath(p.location.path)): p.slug for p in customer.projects
               if p.location.path != m.NOWHERE.path}
    counts: dict[str, int] = {}
    for finding in findings:
        folder = os.path.dirname(os.path.abspath(finding.location.path))
        while folder not in folders and os.path.dirname(folder) != folder:
            folder = os.path.dirname(folder)
        if folder in folders:
            counts[folders[folder]] = counts.get(folders[folder], 0) + 1
    return counts


def customer_part(customer: m.Customer, team: m.Team, clock: Clock, findings: Mapping[str, int], prose: Prose,
                  renderer: PageRenderer, base_url: str = "") -> CustomerPart:
    """The customer's share of the dashboard; ``findings`` counts the CX
    findings per project (:func:`findings_per_project`)."""
    loc = TeamLocale(LANGUAGE, customer.zone)
    today = clock.today(customer.zone)

    def html(template: str, path: str, **values: object) -> str:
        return dashboard_html(renderer, template, path, loc, prose, **values)

    rows = [_row(customer, project, clock, today, findings.get(project.slug, 0)) for project in customer.projects]
    owner = next((p for p in team.people if p.id == customer.cx_owner_id), None)
    overview = html("_customer.html", DashboardPaths.home, entry={
        "customer": customer, "rows": rows, "owner": owner,
        "audiences": ", ".join(a.name for a in customer.audiences)})
    totals = {"projects": len(rows), "overdue_updates": sum(1 for row in rows if row["state"].overdue_days),
              "open_decisions": sum(row["open_decisions"] for row in rows),
              "overdue_decisions": sum(row["overdue_decisions"] for row in rows), "off_track": 0, "at_risk": 0}
    for row in rows:
        health = row["project"].health.value
        totals[health] = totals.get(health, 0) + 1

    disruptions, decisions, sections, overdue = [], [], [], 0
    for project in customer.projects:
        for d in facts.upcoming_disruptions(project, clock):
            previous = d.previous_windows[-1] if d.previous_windows else None
            item = {"customer": customer, "project": project, "d": d,
                    "when": loc.window(d.window.start, d.window.end), "iso": loc.iso(d.window.start),
                    "previous": loc.window(previous.start, previous.end) if previous else "",
                    "started": clock.passed(d.window.start),
                    "notice": (d.window.start.astimezone(customer.zone).date() - d.announced).days
                    if d.announced else None,
                    "audiences": audience_names(customer, d.audiences)}
            disruptions.append(((d.window.start, customer.slug, project.slug, d.id),
                                html("_disruption_row.html", DashboardPaths.disruptions, i=item)))
        for d in facts.open_decisions(project):
            late = max((today - d.due).days, 0)
            overdue += 1 if late else 0
            item = {"customer": customer, "project": project, "d": d, "late": late,
                    "audiences": audience_names(customer, d.audiences)}
            decisions.append(((d.due, customer.slug, project.slug, d.id),
                              html("_decision_row.html", DashboardPaths.decisions, i=item)))
        if project.surveys or project.measures:
            met = [measure.met for measure in project.measures]
            entry = {"customer": customer, "project": project,
                     "surveys": [{"s": s, "share": share(s), "low": share(s) < LOW_SURVEY_SHARE,
                                  "audiences": audience_names(customer, s.audiences)}
                                 for s in reversed(surveys(project))],
                     "trend": survey_trend(project), "unhappy": green_but_unhappy(project),
                     "measures_met": sum(1 for x in met if x), "measures": len(met), "all_green": bool(met) and all(met)}
            sections.append(html("_survey.html", DashboardPaths.surveys, entry=entry))
    events, years = _events(customer, team, clock, today, base_url)
    return CustomerPart(customer.slug, customer.timezone, overview, tuple(sorted(totals.items())),
                        tuple(disruptions), tuple(decisions), overdue, tuple(sections), events, years)


def _row(customer: m.Customer, project: m.Project, clock: Clock, today: dt.date, findings: int) -> dict:
    decisions = facts.open_decisions(project)
    milestone = facts.next_milestone(project, today)
    found = surveys(project)
    return {
        "project": project, "state": update_state(customer, project, clock), "milestone": milestone,
        "milestone_state": facts.milestone_state(milestone, today).value if milestone else "",
        "milestone_date": (milestone.forecast or milestone.planned) if milestone else None,
        "open_decisions": len(decisions), "overdue_decisions": sum(1 for d in decisions if d.due < today),
        "findings": findings, "survey": found[-1] if found else None, "trend": survey_trend(project),
        "unhappy": green_but_unhappy(project), "audiences": audience_names(customer, project.audiences),
        "notes": [(f"Milestone “{ms.title}”", ms.internal_note) for ms in project.milestones if ms.internal_note]
                 + [(f"Disruption “{d.title}”", d.internal_note) for d in project.disruptions if d.internal_note]
                 + ([("Budget", project.budget.internal_note)] if project.budget and project.budget.internal_note
                    else []),
    }


# ------------------------------------------------------------ calendar

def _lines(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def _events(customer: m.Customer, team: m.Team, clock: Clock, today: dt.date,
            base_url: str) -> tuple[tuple[tuple[tuple, bytes], ...], tuple[int, int] | None]:
    """The customer's events of the team's calendar: every upcoming
    disruption (cancelled ones too, until their window has passed) and every
    milestone not reached yet, each with its sort key; and the years its
    timed events span. UIDs are those of the customer's own calendars with
    the prefix ``dashboard.``: stable, yet distinct from the customer's
    events, whose content differs."""
    page = (base_url + SitePaths.url_of(DashboardPaths.disruptions)) if base_url else ""
    audience = m.Audience(DASHBOARD_AUDIENCE, "Delivery team")
    site = Microsite(customer=customer, audience=audience, organisation=team.organisation, people=(),
                     clock=clock, next_embargo=None)   # for the calendar helpers: UIDs, SEQUENCE, reached-ness
    zone = customer.zone
    events: list[tuple[tuple, bytes]] = []
    years: tuple[int, int] | None = None
    for project in customer.projects:
        prefix = f"{customer.name} – {project.name}"
        for d in facts.upcoming_disruptions(project, clock):
            cancelled = d.status is m.DisruptionStatus.CANCELLED
            uid = UID_PREFIX + event_uid(site, project, d)
            stamp_day = d.changed or d.announced or project.start
            start, end = d.window.start.astimezone(zone), d.window.end.astimezone(zone)
            fields: list[tuple[str, object]] = [
                ("uid", uid),
                ("dtstamp", at_nine(stamp_day, customer).astimezone(dt.timezone.utc)),
                ("sequence", d.sequence),
                ("dtstart", start),
                ("dtend", end),
                ("summary", f"{'Cancelled: ' if cancelled else ''}{prefix}: {d.title}"),
                ("description", _lines(
                    "This disruption will not take place." if cancelled else "",
                    f"Affects: {d.affects}\nImpact: {d.impact.value}\nStatus: {d.status.value}\n"
                    f"Announced: {d.announced or 'not recorded'}\n"
                    f"Seen by: {audience_names(customer, d.audiences)}",
                    d.description, f"Internal note: {d.internal_note}" if d.internal_note else "", page)),
                ("status", "CANCELLED" if cancelled else "CONFIRMED"),
                ("transp", "TRANSPARENT"),
                ("categories", ["Disruption", customer.name]),
            ]
            if page:
                fields.append(("url", page))
            first, last = years or (start.year, end.year)
            years = (min(first, start.year), max(last, end.year))
            events.append(((d.window.start, uid), event_bytes(fields)))
        for ms in project.milestones:
            if ms.done is not None and clock.passed(at_nine(ms.done, customer)):
                continue   # reached: no longer upcoming
            late = facts.milestone_state(ms, today) is facts.MilestoneState.LATE
            day = milestone_day(site, ms)
            uid = UID_PREFIX + event_uid(site, project, ms)
            fields = [
                ("uid", uid),
                ("dtstamp", at_nine(project.start, customer).astimezone(dt.timezone.utc)),
                ("sequence", milestone_sequence(site, ms)),
                ("dtstart", day),
                ("dtend", day + dt.timedelta(days=1)),
                ("summary", f"{prefix}: {ms.title}"),
                ("description", _lines(
                    f"Planned for {ms.planned}." + (f" Forecast {ms.forecast}." if ms.forecast else "")
                    + (" Late." if late else ""),
                    f"Seen by: {audience_names(customer, ms.audiences)}",
                    ms.description, f"Internal note: {ms.internal_note}" if ms.internal_note else "")),
                ("status", "TENTATIVE"),
                ("transp", "TRANSPARENT"),
                ("categories", ["Milestone", customer.name]),
            ]
            events.append(((at_nine(day, customer), uid), event_bytes(fields)))
    return tuple(events), years
