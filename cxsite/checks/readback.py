"""Parse every generated subscription file back, the way subscribers' software will.

The build fails when :func:`verify_outputs` returns anything, so a feed,
calendar or card that a reader would choke on is never published.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
from typing import Mapping

import vobject
from icalendar import Calendar
from lxml import etree

__all__ = ["check_file", "verify_outputs"]

_JSON_FEED_VERSIONS = ("https://jsonfeed.org/version/1", "https://jsonfeed.org/version/1.1")


_ATOM = "{http://www.w3.org/2005/Atom}"
_XML = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)


def _rfc822(value: str | None) -> bool:
    try:
        return value is not None and email.utils.parsedate_to_datetime(value) is not None
    except (TypeError, ValueError):
        return False


def _rfc3339(value: str | None) -> bool:
    try:
        return value is not None and dt.datetime.fromisoformat(value).tzinfo is not None
    except ValueError:
        return False


def _rss(channel: etree._Element) -> list[str]:
    problems = [] if channel.findtext("title") else ["RSS channel has no title"]
    seen: set[str] = set()
    for index, item in enumerate(channel.iterfind("item")):
        guid = item.findtext("guid")
        if not guid:
            problems.append(f"item {index} has no guid")
        elif guid in seen:
            problems.append(f"item {index} repeats guid {guid}")
        seen.add(guid or "")
        if not _rfc822(item.findtext("pubDate")):
            problems.append(f"item {guid or index} has no valid pubDate")
    return problems


def _atom(feed: etree._Element) -> list[str]:
    problems = [f"Atom feed has no {name}" for name in ("id", "title") if not feed.findtext(_ATOM + name)]
    if not _rfc3339(feed.findtext(_ATOM + "updated")):
        problems.append("Atom feed has no valid updated date")
    seen: set[str] = set()
    for index, entry in enumerate(feed.iterfind(_ATOM + "entry")):
        entry_id = entry.findtext(_ATOM + "id")
        if not entry_id:
            problems.append(f"entry {index} has no id")
        elif entry_id in seen:
            problems.append(f"entry {index} repeats id {entry_id}")
        seen.add(entry_id or "")
        if not _rfc3339(entry.findtext(_ATOM + "updated")):
            problems.append(f"entry {entry_id or index} has no valid updated date")
    return problems


def _xml_feed(data: bytes) -> list[str]:
    """A strict XML parse (what makes feed readers flag a feed as broken)
    and the fields they key items on: ids and dates. Parsed by lxml in C,
    because the build reads back every feed of every microsite; the test
    suite reads the demo's feeds with feedparser and real readers."""
    try:
        root = etree.fromstring(data, _XML)
    except etree.XMLSyntaxError as exc:
        return [f"not a well-formed feed: {exc}"]
    if root.tag == "rss" and root.find("channel") is not None:
        return _rss(root.find("channel"))
    if root.tag == _ATOM + "feed":
        return _atom(root)
    return ["not recognised as RSS or Atom"]


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


def check_file(suffix: str, data: bytes) -> list[str]:
    """The problems of one subscription file, by its suffix (``.ics``, …);
    none for a file of another kind."""
    check = _CHECKS.get(suffix.lower())
    return check(data) if check is not None else []


def verify_outputs(files: Mapping[str, bytes]) -> list[str]:
    """Problems with the subscription files among ``files`` (output path →
    bytes), as ``"path: problem"``, sorted; other files are skipped."""
    return [f"{path}: {problem}" for path in sorted(files)
            for problem in check_file(_suffix(path), files[path])]


def _suffix(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name[name.rfind("."):] if "." in name else ""
