"""Helpers shared by feeds, calendars and vCards (private to the package)."""

from __future__ import annotations

import datetime as dt
import uuid

from babel.dates import format_date, format_time

from .. import model as m
from .paths import SitePaths, microsite_base_url
from ..render.i18n import babel_locale
from ..views import Microsite

#: Fixed namespace of every cxsite UUID (feed GUIDs, Atom ids, vCard UIDs).
#: Never change it: every subscriber would see every item again.
CXSITE_NAMESPACE = uuid.UUID("6f1c7f2e-3b4a-5d8e-9c1f-2a7b4e6d8c90")

#: Date-only values (milestone ``done``, disruption ``announced`` and
#: ``changed``, project ``start``) become this wall-clock time in the
#: customer's zone wherever an instant is needed: the start of a working
#: morning, so a reader shows the right day in every zone near the customer's.
DATE_ONLY_TIME = dt.time(9, 0)


def stable_uuid(name: str) -> str:
    """``urn:uuid:`` + uuid5 of ``name`` in the cxsite namespace."""
    return f"urn:uuid:{uuid.uuid5(CXSITE_NAMESPACE, name)}"


def at_nine(day: dt.date, customer: m.Customer) -> dt.datetime:
    """A date-only value as an instant: 09:00 on that day in the customer's zone."""
    return dt.datetime.combine(day, DATE_ONLY_TIME, tzinfo=customer.zone)


def is_reached(site: Microsite, milestone: m.Milestone) -> bool:
    """A milestone counts as reached once its ``done`` date (at 09:00 local)
    has come: a ``done`` in the future is not news yet."""
    return milestone.done is not None and site.clock.passed(at_nine(milestone.done, site.customer))


def site_project(site: Microsite, project: m.Project) -> m.Project:
    """The microsite's own (audience-filtered) copy of ``project``.

    Callers may hand in a project from the unfiltered model by mistake;
    looking it up by slug in the microsite means only what the audience may
    see is ever rendered."""
    for candidate in site.customer.projects:
        if candidate.slug == project.slug:
            return candidate
    raise KeyError(f"project '{project.slug}' is not on the microsite {site.key}")


def site_paths(site: Microsite) -> SitePaths:
    """The microsite's paths; their ``base_url`` is "" when the customer has none."""
    return SitePaths(microsite_base_url(site.customer.site.base_url, site.audience.id))


# ------------------------------------------------------------------ words

_WORDS = {
    "en": {
        "milestone_reached": "Milestone reached: {title}",
        "disruption_planned": "Planned disruption: {title}",
        "disruption_rescheduled": "Rescheduled: {title}",
        "disruption_cancelled": "Cancelled: {title}",
        "reached_on": "Reached on {date}.",
        "planned_for": "Planned for {date}.",
        "when": "When",
        "was": "Previously",
        "affects": "Affects",
        "impact": "Impact",
        "low": "low", "medium": "medium", "high": "high",
        "cancelled_text": "This disruption will not take place.",
        "milestone": "Milestone",
        "details": "Details",
    },
    "de": {
        "milestone_reached": "Meilenstein erreicht: {title}",
        "disruption_planned": "Geplante Unterbrechung: {title}",
        "disruption_rescheduled": "Verschoben: {title}",
        "disruption_cancelled": "Abgesagt: {title}",
        "reached_on": "Erreicht am {date}.",
        "planned_for": "Geplant für {date}.",
        "when": "Wann",
        "was": "Bisher",
        "affects": "Betroffen",
        "impact": "Auswirkung",
        "low": "gering", "medium": "mittel", "high": "hoch",
        "cancelled_text": "Diese Unterbrechung findet nicht statt.",
        "milestone": "Meilenstein",
        "details": "Details",
    },
}


def words(customer: m.Customer) -> dict[str, str]:
    return _WORDS.get(customer.language, _WORDS["en"])


def _locale(customer: m.Customer) -> str:
    """The customer's formatting locale, as on their pages (en + Europe/London -> en_GB)."""
    return babel_locale(customer.language, customer.zone)


def format_day(day: dt.date, customer: m.Customer) -> str:
    return format_date(day, "full", locale=_locale(customer))


def format_window(window: m.Window, customer: m.Customer) -> str:
    """``Saturday, October 24, 2026, 22:00 – Sunday, October 25, 2026, 04:00 (Europe/London)``,
    in the customer's zone and language; the end's date only when it differs."""
    zone, lang = customer.zone, _locale(customer)
    start, end = window.start.astimezone(zone), window.end.astimezone(zone)
    text = f"{format_date(start.date(), 'full', locale=lang)}, {format_time(start, 'short', tzinfo=zone, locale=lang)}"
    end_time = format_time(end, "short", tzinfo=zone, locale=lang)
    if end.date() != start.date():
        end_time = f"{format_date(end.date(), 'full', locale=lang)}, {end_time}"
    return f"{text} – {end_time} ({customer.timezone})"
