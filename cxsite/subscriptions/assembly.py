"""A calendar written from events serialised one by one.

The dashboard's portfolio calendar carries every upcoming event of every
customer: 10,000 VEVENTs on a 500-customer portfolio, which icalendar
builds and folds in about 6 s. The dashboard keeps each customer's
serialised events between builds (``cxsite.dashboard._Blocks``), so a
calendar is assembled from bytes: its header, the events' bytes and its
footer, byte for byte what ``Calendar.to_ical()`` writes for the same
components, because a component's lines are its subcomponents' lines in
order (a test checks this).
"""

from __future__ import annotations

from typing import Any, Iterable, Sequence

from icalendar import Calendar, Event

Fields = Sequence[tuple[str, Any]]
_FOOTER = b"END:VCALENDAR\r\n"


def event_bytes(fields: Fields) -> bytes:
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
