"""Subscriptions subscribers can trust: feeds, calendars and contact cards.

* :mod:`.feeds`: RSS 2.0, Atom 1.0 and JSON Feed 1.1, with GUIDs from stable
  ids only, dates from content only, absolute links in content.
* :mod:`.calendar`: iCalendar with stable UIDs, data-derived SEQUENCE and
  DTSTAMP, and a VTIMEZONE for the customer's zone.
* :mod:`.vcards`: vCard 3.0 cards for the people a microsite shows.
* :mod:`.verify`: parses every output back the way subscribers' software does.

Everything renders a :class:`cxsite.views.Microsite`, which already holds only
what one audience may see; all output is a pure function of it (no build
clock), so the same input gives the same bytes.
"""

from .calendar import event_uid, milestone_sequence, render_calendar, render_event
from .feeds import (CXSITE_NAMESPACE, DEFAULT_LIMIT, FeedItem, FeedsNeedBaseUrl, feed_items, feed_paths,
                    render_atom, render_json_feed, render_rss)
from .vcards import photo_for_vcard, render_vcard
from .verify import verify_outputs

__all__ = [
    "CXSITE_NAMESPACE", "DEFAULT_LIMIT", "FeedItem", "FeedsNeedBaseUrl", "event_uid", "feed_items", "feed_paths",
    "milestone_sequence", "photo_for_vcard", "render_atom", "render_calendar", "render_event",
    "render_json_feed", "render_rss", "render_vcard", "verify_outputs",
]
