"""A calendar written from events serialised one by one.

A calendar's lines are its properties', then each subcomponent's, in
order: so a calendar is its header (properties and time zones) followed by
its events' bytes and its footer, byte for byte what icalendar writes for
the same components (a test proves it). This lets the team's calendar,
with every customer's events, be put together from each customer's events
as they were serialised, not serialise 10,000 events again.
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from icalendar import Calendar, Event

_FOOTER = b"END:VCALENDAR\r\n"


def event_bytes(fields: Sequence[tuple[str, Any]]) -> bytes:
    """One VEVENT as icalendar writes it; ``fields`` are (name, value) pairs,
    exactly what is passed to :meth:`icalendar.Event.add`."""
    event = Event()
    for name, value in fields:
        event.add(name, value)
    return event.to_ical()


def assemble(header: Calendar, events: Iterable[bytes]) -> bytes:
    """``header`` (a calendar with its properties and time zones, no events)
    followed by the serialised events: what ``to_ical()`` would give had the
    events been added to it."""
    top = header.to_ical()
    if not top.endswith(_FOOTER):
        raise ValueError("not a serialised VCALENDAR")
    return b"".join([top[: -len(_FOOTER)], *events, _FOOTER])
