"""iCalendar (.ics) for a microsite, a project, or one event ("Add to calendar").

Subscribed calendars must be able to update an event in place, so every
field that identifies or orders versions of an event is derived from the
data alone, with no database and no build clock:

* **UID** ``<customer>.<project>.milestone.<id>@cxsite`` or
  ``<customer>.<project>.disruption.<id>@cxsite``: stable ids only, no base
  URL, so moving the site keeps the events (dots, because slugs contain
  hyphens but never dots, keep the parts unambiguous). The same event has
  the same UID and the same content in the site calendar, the project
  calendar and its single-event file.
* **SEQUENCE** of a disruption is :attr:`cxsite.model.Disruption.sequence`:
  the number of earlier windows (``previous_windows`` is append-only), plus
  one once it is cancelled, so every reschedule and the cancellation raise
  it. A milestone's SEQUENCE is 0 while it is due on its planned date, 1
  once a forecast differs from the plan, 2 once it is reached (see
  :func:`milestone_sequence`).
* **DTSTAMP** is when the event's current version was announced, never the
  build time: a disruption's ``changed`` date, else its ``announced`` date;
  a reached milestone's ``done`` date; otherwise the project's ``start``.
  Date-only values are 09:00 in the customer's zone, written in UTC.
* **STATUS** is CANCELLED for a cancelled disruption (the event stays in the
  feed so calendars strike it out), CONFIRMED for other disruptions and
  reached milestones, TENTATIVE for milestones not reached yet.

Milestones are all-day events on their done, else forecast, else planned
date (DTEND the day after). Disruptions are timed events in the customer's
zone, with a VTIMEZONE generated from the tz database for the years the
events span, so clients convert correctly across daylight-saving changes.
All events are TRANSP:TRANSPARENT: they inform, they do not block anyone's
free/busy time.
"""

from __future__ import annotations

import datetime as dt
from typing import Union
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from .. import model as m
from .paths import SitePaths
from ..views import Microsite
from .words import at_nine, format_day, is_reached, site_paths, site_project, words

__all__ = ["PRODID", "event_uid", "milestone_sequence", "render_calendar", "render_event"]

PRODID = "-//cxsite//cxsite status calendar//EN"

Item = Union[m.Disruption, m.Milestone]


def event_uid(site: Microsite, project: m.Project, item: Item) -> str:
    kind = "disruption" if isinstance(item, m.Disruption) else "milestone"
    return f"{site.customer.slug}.{project.slug}.{kind}.{item.id}@cxsite"


def milestone_day(site: Microsite, milestone: m.Milestone) -> dt.date:
    """The day a milestone's event sits on: done (once reached), else forecast, else planned."""
    if is_reached(site, milestone):
        assert milestone.done is not None
        return milestone.done
    return milestone.forecast or milestone.planned


def milestone_sequence(site: Microsite, milestone: m.Milestone) -> int:
    """0 on plan, 1 once a forecast differs from the plan, 2 once reached.

    Derived from the data alone, it rises along the usual life of a
    milestone (planned → slipped → reached). Without a history of forecasts
    in the data it cannot rise when a forecast moves a second time (the
    date still changes, and subscribed calendars replace the event) and
    would fall if a forecast were withdrawn."""
    if is_reached(site, milestone):
        return 2
    if milestone.forecast is not None and milestone.forecast != milestone.planned:
        return 1
    return 0


def _utc(when: dt.datetime) -> dt.datetime:
    return when.astimezone(dt.timezone.utc)


def _url(site: Microsite, project: m.Project) -> str:
    paths = site_paths(site)
    return paths.absolute(SitePaths.project(project.slug)) if paths.base_url else ""


def _description(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def _milestone_event(site: Microsite, project: m.Project, milestone: m.Milestone) -> Event:
    customer, w = site.customer, words(site.customer)
    day = milestone_day(site, milestone)
    reached = is_reached(site, milestone)
    if reached:
        assert milestone.done is not None
        when = w["reached_on"].format(date=format_day(milestone.done, customer))
        stamp = at_nine(milestone.done, customer)
    else:
        when = w["planned_for"].format(date=format_day(day, customer))
        stamp = at_nine(project.start, customer)
    url = _url(site, project)
    event = Event()
    event.add("uid", event_uid(site, project, milestone))
    event.add("dtstamp", _utc(stamp))
    event.add("sequence", milestone_sequence(site, milestone))
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))
    event.add("summary", f"{project.name}: {milestone.title}")
    event.add("description", _description(milestone.description, when, url))
    event.add("status", "CONFIRMED" if reached else "TENTATIVE")
    event.add("transp", "TRANSPARENT")
    event.add("categories", [w["milestone"]])
    if url:
        event.add("url", url)
    return event


def _disruption_event(site: Microsite, project: m.Project, disruption: m.Disruption) -> Event:
    customer, w = site.customer, words(site.customer)
    zone = customer.zone
    cancelled = disruption.status is m.DisruptionStatus.CANCELLED
    stamp_day = disruption.changed or disruption.announced or project.start
    title = f"{project.name}: {disruption.title}"
    if cancelled:
        title = w["disruption_cancelled"].format(title=title)
    url = _url(site, project)
    event = Event()
    event.add("uid", event_uid(site, project, disruption))
    event.add("dtstamp", _utc(at_nine(stamp_day, customer)))
    event.add("sequence", disruption.sequence)
    event.add("dtstart", disruption.window.start.astimezone(zone))
    event.add("dtend", disruption.window.end.astimezone(zone))
    event.add("summary", title)
    event.add("description", _description(
        w["cancelled_text"] if cancelled else "",
        f"{w['affects']}: {disruption.affects}\n{w['impact']}: {w[disruption.impact.value]}",
        disruption.description, url))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT")
    if url:
        event.add("url", url)
    return event


def _event(site: Microsite, project: m.Project, item: Item) -> Event:
    if isinstance(item, m.Disruption):
        return _disruption_event(site, project, item)
    return _milestone_event(site, project, item)


def _timezone(name: str, first: int, last: int) -> Timezone:
    """The VTIMEZONE of a zone's transitions from ``first`` to a year after ``last``."""
    return Timezone.from_tzinfo(ZoneInfo(name), tzid=name, first_date=dt.date(first, 1, 1),
                                last_date=dt.date(last + 1, 12, 31))


def _calendar(site: Microsite, events: list[tuple[m.Project, Item]], name: str | None) -> bytes:
    customer = site.customer
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    if name is not None:
        cal.add("x-wr-calname", name)
        cal.add("x-wr-timezone", customer.timezone)
    windows = [item.window for _, item in events if isinstance(item, m.Disruption)]
    if windows:
        zone = customer.zone
        first = min(w.start.astimezone(zone) for w in windows).year
        last = max(w.end.astimezone(zone) for w in windows).year
        cal.add_component(_timezone(customer.timezone, first, last))
    for project, item in events:
        cal.add_component(_event(site, project, item))
    return cal.to_ical()


def render_calendar(site: Microsite, project: m.Project | None = None) -> bytes:
    """Every milestone and disruption of the microsite (or of one of its
    projects) as a subscribable calendar. ``project`` is looked up on the
    microsite, so only what the audience may see is used."""
    projects = (site_project(site, project),) if project is not None else site.customer.projects
    events: list[tuple[m.Project, Item]] = []
    for owner in projects:
        events.extend((owner, milestone) for milestone in owner.milestones)
        events.extend((owner, disruption) for disruption in owner.disruptions)
    name = site.customer.name if project is None else f"{site.customer.name} – {projects[0].name}"
    return _calendar(site, events, name)


def render_event(site: Microsite, project: m.Project, item: Item) -> bytes:
    """One milestone or disruption as an .ics file ("Add to calendar"): the
    same UID, SEQUENCE and content as in the subscribable calendars."""
    owner = site_project(site, project)
    candidates: tuple[Item, ...] = owner.disruptions if isinstance(item, m.Disruption) else owner.milestones
    for candidate in candidates:
        if candidate.id == item.id:
            return _calendar(site, [(owner, candidate)], None)
    raise KeyError(f"'{item.id}' is not on project '{owner.slug}' of the microsite {site.key}")
