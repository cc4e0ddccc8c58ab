"""iCalendar events serialised once, then reused while their fields stay the same.

The dashboard's portfolio calendar carries every upcoming event of every
customer: 10,000 VEVENTs on a 500-customer portfolio, which icalendar
builds and folds in about 6 s, on every build, although an edit changes a
handful of them. Here each event is described by its fields (name, value
pairs, exactly what is passed to :meth:`icalendar.Event.add`), and its
bytes are looked up by a digest of those fields; only a new or changed
event is built with icalendar. The calendar is then its header, the events'
bytes and its footer: byte for byte what ``Calendar.to_ical()`` writes for
the same components, because a component's lines are its subcomponents'
lines in order (a test checks this).

The memo is kept between builds in the cache folder, keyed by cxsite's
source and icalendar's version (``CXSITE_CACHE=0`` turns that off); a
build keeps only the entries it used, so it never grows beyond one
portfolio's events.
"""

from __future__ import annotations

import os
from importlib.metadata import version
from typing import Any, Iterable, Sequence

from icalendar import Calendar, Event

from ..memo import DiskMemo, digest

Fields = Sequence[tuple[str, Any]]
_FOOTER = b"END:VCALENDAR\r\n"


def event_bytes(fields: Fields) -> bytes:
    """One VEVENT as icalendar writes it."""
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


class EventCache:
    """Serialised events by a digest of their fields, kept between runs (:class:`~cxsite.memo.DiskMemo`)."""

    def __init__(self, memo: DiskMemo) -> None:
        self._memo = memo

    @classmethod
    def for_calendar(cls, portfolio: str | os.PathLike[str], name: str) -> EventCache:
        """The memo of one calendar (by name) of the portfolio at ``portfolio``
        in the cache folder, or an in-memory one when caching is off."""
        return cls(DiskMemo.named("events", portfolio, name, version("icalendar")))

    @property
    def built(self) -> int:
        """How many events this run serialised (not found in the memo)."""
        return self._memo.added

    def get(self, fields: Fields) -> bytes:
        key = digest(repr(tuple(fields)))
        data = self._memo.get(key)
        if data is None:
            data = event_bytes(fields)
            self._memo.put(key, data)
        return data

    def save(self) -> None:
        self._memo.save()
