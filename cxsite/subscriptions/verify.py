"""Parse every generated subscription file back, the way subscribers' software will.

The build fails when :func:`verify_outputs` returns anything, so a feed,
calendar or card that a reader would choke on is never published.
"""

from __future__ import annotations

import io
import json
from typing import Mapping

import feedparser
import vobject
from icalendar import Calendar

__all__ = ["verify_outputs"]

_JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")


def _xml_feed(data: bytes) -> list[str]:
    parsed = feedparser.parse(io.BytesIO(data))  # a stream: never read as a URL or file name
    if parsed.bozo:
        return [f"not a well-formed feed: {parsed.get('bozo_exception')}"]
    if not parsed.version:
        return ["not recognised as RSS or Atom"]
    return []


def _json_feed(data: bytes) -> list[str]:
    try:
        feed = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        return [f"not valid JSON: {exc}"]
    if not isinstance(feed, dict):
        return ["a JSON Feed must be an object"]
    problems = []
    if feed.get("version") not in _JSON_FEED_VERSIONS:
        problems.append(f"unknown JSON Feed version {feed.get('version')!r}")
    if not isinstance(feed.get("title"), str) or not feed.get("title"):
        problems.append("JSON Feed has no title")
    items = feed.get("items")
    if not isinstance(items, list):
        return problems + ["JSON Feed has no items list"]
    seen: set[str] = set()
    for index, item in enumerate(items):
        if not isinstance(item, dict) or not isinstance(item.get("id"), str) or not item["id"]:
            problems.append(f"item {index} has no id")
            continue
        if item["id"] in seen:
            problems.append(f"item {index} repeats id {item['id']}")
        seen.add(item["id"])
        if not any(isinstance(item.get(key), str) for key in ("content_html", "content_text")):
            problems.append(f"item {item['id']} has no content_html or content_text")
    return problems


def _calendar(data: bytes) -> list[str]:
    try:
        calendar = Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError and friends
        return [f"not a valid calendar: {exc}"]
    problems = []
    for key in ("VERSION", "PRODID"):
        if key not in calendar:
            problems.append(f"calendar has no {key}")
    for index, event in enumerate(calendar.walk("VEVENT")):
        name = str(event.get("UID", f"event {index}"))
        for key in ("UID", "DTSTART", "DTSTAMP"):
            if key not in event:
                problems.append(f"{name} has no {key}")
        for error in getattr(event, "errors", []) or []:
            problems.append(f"{name}: {error}")
    return problems


def _vcards(data: bytes) -> list[str]:
    try:
        cards = list(vobject.readComponents(data.decode("utf-8")))
    except Exception as exc:  # vobject raises ParseError, UnicodeDecodeError, …
        return [f"not a valid vCard: {exc}"]
    if not cards:
        return ["no vCard in the file"]
    problems = []
    for card in cards:
        for key in ("fn", "n", "version"):
            if key not in card.contents:
                problems.append(f"vCard has no {key.upper()}")
    return problems


_CHECKS = {".xml": _xml_feed, ".json": _json_feed, ".ics": _calendar, ".vcf": _vcards}


def verify_outputs(files: Mapping[str, bytes]) -> list[str]:
    """Problems with the subscription files among ``files`` (output path →
    bytes), as ``"path: problem"``, sorted; other files are skipped."""
    problems = []
    for path in sorted(files):
        for suffix, check in _CHECKS.items():
            if path.lower().endswith(suffix):
                problems.extend(f"{path}: {problem}" for problem in check(files[path]))
    return problems
