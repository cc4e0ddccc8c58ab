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

import hashlib
import os
import pickle
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any, Iterable, Sequence

from icalendar import Calendar, Event

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
    """Digest of an event's fields -> its bytes, loaded from and saved to ``path``."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: dict[bytes, bytes] = {}
        self._used: dict[bytes, bytes] = {}
        self.built = 0  # how many events this run serialised (not found in the memo)
        if path is not None:
            try:
                with open(path, "rb") as stream:
                    loaded = pickle.load(stream)
                if isinstance(loaded, dict):
                    self._known = loaded
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ValueError):
                pass  # no memo yet, or an unreadable one: build every event

    @classmethod
    def for_calendar(cls, name: str) -> EventCache:
        """The memo of one calendar (by name) in the cache folder, or an in-memory one when caching is off."""
        from ..parsecache import cache_home, enabled
        from ..scan import source_fingerprint

        if not enabled():
            return cls(None)
        tag = f"{name}\0{source_fingerprint()}\0{version('icalendar')}"
        return cls(cache_home() / f"events-{hashlib.sha256(tag.encode()).hexdigest()[:24]}.pickle")

    def get(self, fields: Fields) -> bytes:
        key = hashlib.sha256(repr(tuple(fields)).encode("utf-8")).digest()
        data = self._known.get(key)
        if data is None:
            data = event_bytes(fields)
            self.built += 1
        self._used[key] = data
        return data

    def save(self) -> None:
        """Keep what this run used, if it built anything (a cache never fails a build)."""
        if self.path is None or (not self.built and len(self._used) == len(self._known)):
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".events-")
            with os.fdopen(fd, "wb") as stream:
                pickle.dump(self._used, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except OSError:
            pass
