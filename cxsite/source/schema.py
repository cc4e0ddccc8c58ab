"""The portfolio format, declared once.

Each file type is a :class:`Record` of :class:`Field` s. The same
declaration drives validation (:mod:`cxsite.model.validate`) and the reference
documentation (``docs/format.md`` is generated from it by
``cxsite format-doc``, and a test keeps the two equal), so the docs can
never drift from what the loader accepts.

A kind converts one YAML node into a plain Python value, or reports a
diagnostic and returns :data:`INVALID`. Kinds never raise on bad data.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ruamel.yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..diagnostics import Collector, Location
from .uri import uri

INVALID: Any = type("Invalid", (), {"__repr__": lambda self: "INVALID", "__bool__": lambda self: False})()

SLUG_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
SLUG_HINT = "use lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. 'go-live'"
NULL_TAG = "tag:yaml.org,2002:null"
BOOL_TAG = "tag:yaml.org,2002:bool"
STR_TAG = "tag:yaml.org,2002:str"


@dataclass
class Context:
    """Where nodes come from: a file, and the line its YAML starts on."""

    path: str
    diagnostics: Collector
    line_offset: int = 0

    def loc(self, node: Node) -> Location:
        mark = node.start_mark
        return Location(self.path, mark.line + 1 + self.line_offset, mark.column + 1)

    def error(self, node: Node, message: str, hint: str = "") -> Any:
        self.diagnostics.error(self.loc(node), message, hint)
        return INVALID


def describe(node: Node) -> str:
    """How a wrong value looks to the user, for 'expected X, got Y'."""
    if isinstance(node, MappingNode):
        return "a mapping (key: value pairs)"
    if isinstance(node, SequenceNode):
        return "a list"
    if node.tag == NULL_TAG:
        return "nothing (null)"
    text = node.value if len(node.value) <= 40 else node.value[:37] + "..."
    if node.tag == BOOL_TAG:
        return f"the boolean {text}"
    return repr(text)


def scalar_text(ctx: Context, node: Node, what: str) -> str | Any:
    """The text of a scalar exactly as written (YAML 1.2 keeps '0123' and
    'yes' as typed because we never use the resolved value for text)."""
    if not isinstance(node, ScalarNode) or node.tag == NULL_TAG:
        return ctx.error(node, f"expected {what}, got {describe(node)}")
    return node.value


# --------------------------------------------------------------------- kinds


class Kind:
    """How one value is written and checked. ``doc`` names it in the docs."""

    doc = "value"

    def convert(self, ctx: Context, node: Node) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Text(Kind):
    max_length: int = 2000
    multiline: bool = False

    @property
    def doc(self) -> str:  # type: ignore[override]
        return "text (Markdown allowed)" if self.multiline else "text"

    def convert(self, ctx: Context, node: Node) -> Any:
        text = scalar_text(ctx, node, "text")
        if text is INVALID:
            return INVALID
        if node.tag == BOOL_TAG:
            return ctx.error(node, f"expected text, got {describe(node)}", f"put it in quotes: \"{text}\"")
        text = text.strip()
        if not text:
            return ctx.error(node, "expected text, got an empty string", "write a value or remove the key")
        if len(text) > self.max_length:
            return ctx.error(node, f"text is {len(text)} characters long; at most {self.max_length} are allowed",
                             "shorten it, or move the detail into an update")
        if not self.multiline and "\n" in text:
            return ctx.error(node, "expected a single line of text", "join the lines into one")
        if any(ord(c) < 32 and c not in "\n\t" for c in text):
            return ctx.error(node, "text contains control characters", "remove them")
        return text


#: Digits of the largest number shown: what a float holds exactly (2**53 has 16).
MAX_DIGITS = 15


@dataclass(frozen=True)
class Integer(Kind):
    minimum: int | None = None
    maximum: int | None = None

    @property
    def doc(self) -> str:  # type: ignore[override]
        return _range_doc("whole number", self.minimum, self.maximum)

    def convert(self, ctx: Context, node: Node) -> Any:
        text = scalar_text(ctx, node, "a whole number")
        if text is INVALID:
            return INVALID
        digits = text.strip().replace("_", "")
        if not re.fullmatch(r"[-+]?\d+", digits):
            return ctx.error(node, f"expected a whole number, got {describe(node)}")
        if len(digits.lstrip("+-").lstrip("0")) > MAX_DIGITS:
            return ctx.error(node, f"this number has {len(digits.lstrip('+-').lstrip('0'))} digits; at most "
                             f"{MAX_DIGITS} can be shown exactly", "write a smaller number")
        return _check_range(ctx, node, int(digits), self.minimum, self.maximum)


@dataclass(frozen=True)
class Number(Kind):
    minimum: float | None = None
    maximum: float | None = None

    @property
    def doc(self) -> str:  # type: ignore[override]
        return _range_doc("number", self.minimum, self.maximum)

    def convert(self, ctx: Context, node: Node) -> Any:
        text = scalar_text(ctx, node, "a number")
        if text is INVALID:
            return INVALID
        cleaned = text.strip().replace("_", "")
        if not re.fullmatch(r"[-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?", cleaned):
            return ctx.error(node, f"expected a number, got {describe(node)}",
                             "write digits only, with '.' for decimals and no currency sign or thousands separator")
        value = float(cleaned)
        if not math.isfinite(value) or abs(value) >= 10 ** MAX_DIGITS:
            return ctx.error(node, f"{text.strip()[:40]} is too large: numbers have at most {MAX_DIGITS} digits "
                             "before the decimal point", "write a smaller number, for example the amount in thousands")
        return _check_range(ctx, node, value, self.minimum, self.maximum)


def _range_doc(name: str, minimum: float | None, maximum: float | None) -> str:
    fmt = lambda v: f"{v:g}"  # noqa: E731
    if minimum is not None and maximum is not None:
        return f"{name}, {fmt(minimum)} to {fmt(maximum)}"
    if minimum is not None:
        return f"{name}, at least {fmt(minimum)}"
    return name


def _check_range(ctx: Context, node: Node, value: float, minimum: float | None, maximum: float | None) -> Any:
    if minimum is not None and value < minimum:
        return ctx.error(node, f"{value:g} is below the minimum of {minimum:g}")
    if maximum is not None and value > maximum:
        return ctx.error(node, f"{value:g} is above the maximum of {maximum:g}")
    return value


class Boolean(Kind):
    doc = "true or false"

    def convert(self, ctx: Context, node: Node) -> Any:
        if isinstance(node, ScalarNode) and node.tag == BOOL_TAG:
            return node.value.lower() == "true"
        return ctx.error(node, f"expected true or false, got {describe(node)}",
                         "write true or false without quotes")


_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_DATETIME = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2}))?(?:\.\d+)?\s*(Z|z|[-+]\d{2}:?\d{2})?"
)


def _make_date(ctx: Context, node: Node, year: str, month: str, day: str) -> Any:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError as exc:
        return ctx.error(node, f"'{node.value}' is not a real date: {exc}", "check the day and the month")


class Date(Kind):
    doc = "date, YYYY-MM-DD"

    def convert(self, ctx: Context, node: Node) -> Any:
        text = scalar_text(ctx, node, "a date (YYYY-MM-DD)")
        if text is INVALID:
            return INVALID
        match = _DATE.fullmatch(text.strip())
        if not match:
            return ctx.error(node, f"expected a date (YYYY-MM-DD), got {describe(node)}", "for example 2026-03-31")
        return _make_date(ctx, node, *match.groups())


@dataclass(frozen=True)
class DateTime(Kind):
    """An ISO 8601 date and time. Without an offset it is a *local* time,
    returned naive: the validator resolves it in the customer's zone."""

    allow_date_only: bool = False

    @property
    def doc(self) -> str:  # type: ignore[override]
        base = "date and time, YYYY-MM-DDTHH:MM with optional offset (+01:00 or Z)"
        return base + "; a bare date means 00:00" if self.allow_date_only else base

    def convert(self, ctx: Context, node: Node) -> Any:
        text = scalar_text(ctx, node, "a date and time")
        if text is INVALID:
            return INVALID
        text = text.strip()
        hint = "for example 2026-10-24T22:00 (customer's time zone) or 2026-10-24T22:00+01:00"
        if self.allow_date_only and (match := _DATE.fullmatch(text)):
            day = _make_date(ctx, node, *match.groups())
            return day if day is INVALID else dt.datetime.combine(day, dt.time())
        match = _DATETIME.fullmatch(text)
        if not match:
            return ctx.error(node, f"expected a date and time, got {describe(node)}", hint)
        year, month, day, hour, minute, second, offset = match.groups()
        date = _make_date(ctx, node, year, month, day)
        if date is INVALID:
            return INVALID
        try:
            time = dt.time(int(hour), int(minute), int(second or 0))
        except ValueError as exc:
            return ctx.error(node, f"'{text}' is not a real time of day: {exc}", "hours run 00-23, minutes 00-59")
        tzinfo = None
        if offset:
            if offset in ("Z", "z"):
                tzinfo = dt.timezone.utc
            else:
                sign = -1 if offset[0] == "-" else 1
                digits = offset[1:].replace(":", "")
                hours, minutes = int(digits[:2]), int(digits[2:])
                if hours > 18 or minutes > 59:
                    return ctx.error(node, f"'{offset}' is not a valid UTC offset", hint)
                tzinfo = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
        return dt.datetime.combine(date, time, tzinfo)


@lru_cache(maxsize=1)
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=512)
def _is_zone(name: str) -> bool:
    """Cheap check first: listing every zone scans the disk (slow)."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*", name):
        return False
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return name in _zones() if name.upper() in ("LOCALTIME", "FACTORY") else True


class TimeZone(Kind):
    doc = "IANA time zone, e.g. Europe/Berlin"

    def convert(self, ctx: Context, node: Node) -> Any:
        text = scalar_text(ctx, node, "a time zone name")
        if text is INVALID:
            return INVALID
        text = text.strip()
        if _is_zone(text):
            return text
        close = difflib.get_close_matches(text, sorted(_zones()), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "use an IANA name such as Europe/London or America/Chicago"
        return ctx.error(node, f"unknown time zone '{text}'", hint)


@dataclass(frozen=True)
class Pattern(Kind):
    """Text that must match a regular expression."""

    pattern: str
    doc: str = "text"
    hint: str = ""
    what: str = "value"
    normalise: Callable[[str], str] | None = None

    def convert(self, ctx: Context, node: Node) -> Any:
        text = scalar_text(ctx, node, self.what)
        if text is INVALID:
            return INVALID
        text = text.strip()
        if not re.fullmatch(self.pattern, text):
            return ctx.error(node, f"{describe(node)} is not a valid {self.what}", self.hint)
        return self.normalise(text) if self.normalise else text


Slug = Pattern(SLUG_PATTERN.pattern, doc="id: lower-case letters, digits, '-'", hint=SLUG_HINT, what="id")
PersonRef = Pattern(SLUG_PATTERN.pattern, doc="person id from team.yml", hint=SLUG_HINT, what="person id")
AudienceRef = Pattern(SLUG_PATTERN.pattern, doc="audience id", hint=SLUG_HINT, what="audience id")
MilestoneRef = Pattern(SLUG_PATTERN.pattern, doc="milestone id of the same project", hint=SLUG_HINT,
                       what="milestone id")


@dataclass(frozen=True)
class EmailAddress(Kind):
    """An address as mail uses it: the RFC 5321 ``Mailbox`` / RFC 5322
    ``addr-spec``, checked by email-validator without any DNS look-up.

    The part before the ``@`` is a dot-atom: atext (letters, digits and
    ``!#$%&'*+-/=?^_`{|}~``, RFC 5322 3.2.3; other letters too, RFC 6531),
    dots only between them, at most 64 octets. The domain is LDH labels with
    a dot, in ASCII or Unicode (IDNA 2008), not a special-use name.
    Refused although RFC 5322 has them: quoted local parts (``"a b"@x``),
    address literals (``a@[192.0.2.1]``) and display names, which most mail
    systems and forms refuse too. The address is kept as written; links
    percent-encode it (:func:`cxsite.render.urls.mailto`)."""

    doc = "e-mail address"
    hint = ("write one address such as ana.souza@example.com: letters, digits and !#$%&'*+-/=?^_`{|}~ "
            "before the @, dots only between them")
    quoted_hint = ("cxsite does not accept quoted local parts: write the address without quotes, as most mail "
                   "systems require")

    def convert(self, ctx: Context, node: Node) -> Any:
        text = scalar_text(ctx, node, "an e-mail address")
        if text is INVALID:
            return INVALID
        text = text.strip()
        problem = _email_problem(text)
        if problem:
            hint = self.quoted_hint if text.startswith('"') else self.hint
            return ctx.error(node, f"{describe(node)} is not a valid e-mail address: {problem}", hint)
        return text


def _email_problem(text: str) -> str:
    """Why *text* is not an address mail accepts, or '' when it is."""
    from email_validator import validate_email  # imported on first use: a quicker start for every command

    brackets = sorted({c for c in text if c in "<>"})
    if brackets and not text.endswith(">"):  # not `Name <address>`: email-validator's word would puzzle
        return "the email address contains invalid characters: " + ", ".join(repr(c) for c in brackets)
    try:
        validate_email(text, check_deliverability=False, allow_smtputf8=True, allow_empty_local=False,
                       allow_quoted_local=False, allow_domain_literal=False, allow_display_name=False,
                       strict=True, globally_deliverable=True)
    except ValueError as exc:  # EmailNotValidError, and any codec error beneath it
        reason = str(exc).rstrip(".")
        return reason[:1].lower() + reason[1:]
    return ""


Email = EmailAddress()
# URLs are kept as URIs (RFC 3986): what a URL may not hold percent-encoded, a Unicode host as its
# A-label, so every writer can put them into an attribute, a feed or a vCard as they are.
Url = Pattern(r"https?://[^\s<>\"]+", doc="URL (http or https)",
              hint="write a full address starting with https://", what="URL", normalise=uri)
BaseUrl = Pattern(r"https?://[^\s<>\"?#]+", doc="URL (http or https) where the sites are served",
                  hint="write a full address such as https://status.example.com/", what="base URL",
                  normalise=lambda text: uri(text if text.endswith("/") else text + "/"))
Phone = Pattern(r"\+?[0-9][0-9 ()./-]{4,30}", doc="phone number, international format preferred",
                hint="for example +44 20 7946 0123", what="phone number")
Colour = Pattern(r"#(?:[0-9a-fA-F]{3}){1,2}", doc="colour, #rrggbb", hint="for example #0b6e4f", what="colour",
                 normalise=str.lower)
Currency = Pattern(r"[A-Z]{3}", doc="ISO 4217 currency code, e.g. EUR", hint="for example EUR, GBP or USD",
                   what="currency code")
ImagePath = Pattern(r"[^\s<>\"|*?]+\.(?:png|jpe?g|gif|svg|webp|PNG|JPE?G|GIF|SVG|WEBP)",
                    doc="image file (png, jpg, gif, svg, webp), path relative to this file; an SVG is published "
                        "without its scripts, event handlers and links to other files",
                    hint="for example photos/ana.jpg", what="image path")


@dataclass(frozen=True)
class Choice(Kind):
    values: tuple[str, ...]

    @property
    def doc(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(f"`{v}`" for v in self.values)

    def convert(self, ctx: Context, node: Node) -> Any:
        text = scalar_text(ctx, node, "one of " + ", ".join(self.values))
        if text is INVALID:
            return INVALID
        normal = text.strip().lower().replace(" ", "_").replace("-", "_")
        if normal in self.values:
            return normal
        close = difflib.get_close_matches(normal, self.values, n=1)
        hint = f"did you mean '{close[0]}'?" if close else "use one of " + ", ".join(self.values)
        return ctx.error(node, f"{describe(node)} is not one of {', '.join(self.values)}", hint)


@dataclass(frozen=True)
class ListOf(Kind):
    item: Kind
    min_items: int = 0
    max_items: int | None = None
    unique_key: str | None = None  # for lists of records: the key that must be unique

    @property
    def doc(self) -> str:  # type: ignore[override]
        if isinstance(self.item, Record):
            return f"list of {self.item.name}"
        return f"list of {self.item.doc}"

    def convert(self, ctx: Context, node: Node) -> Any:
        if isinstance(node, ScalarNode) and node.tag != NULL_TAG and not isinstance(self.item, Record):
            # `audiences: executives` is a common slip for a one-item list.
            return ctx.error(node, f"expected a list, got {describe(node)}",
                             f"write it as a list: [{node.value}]")
        if not isinstance(node, SequenceNode):
            return ctx.error(node, f"expected a list, got {describe(node)}")
        count = len(node.value)
        if count < self.min_items:
            return ctx.error(node, f"needs at least {self.min_items} item{'s' if self.min_items > 1 else ''}, got {count}")
        if self.max_items is not None and count > self.max_items:
            return ctx.error(node, f"allows at most {self.max_items} item{'s' if self.max_items > 1 else ''}, got {count}")
        values = [self.item.convert(ctx, child) for child in node.value]
        seen: dict[Any, Node] = {}
        for child, value in zip(node.value, values):
            key = value.get(self.unique_key) if self.unique_key and isinstance(value, dict) else (
                value if not self.unique_key and not isinstance(value, dict) else None)
            if key is None or key is INVALID:
                continue
            if key in seen:
                first = ctx.loc(seen[key])
                what = f"{self.unique_key} '{key}'" if self.unique_key else f"'{key}'"
                ctx.error(child, f"duplicate {what}", f"it is already used at line {first.line}")
            else:
                seen[key] = child
        if any(v is INVALID for v in values):
            return [v for v in values if v is not INVALID]  # keep going: report deeper problems too
        return values


@dataclass(frozen=True)
class Field:
    key: str
    kind: Kind
    doc: str
    required: bool = False
    example: str = ""
    default: str = ""  # shown in the docs only; absent keys convert to None


@dataclass(frozen=True)
class Record(Kind):
    """A mapping with known keys. Converts to a dict that also holds the
    location of the mapping (``__loc__``), of each key's value (``__keys__``)
    and of each key itself (``__key_at__``)."""

    name: str
    fields: tuple[Field, ...]
    summary: str = ""

    @property
    def doc(self) -> str:  # type: ignore[override]
        return f"mapping ({self.name})"

    def field(self, key: str) -> Field:
        for candidate in self.fields:
            if candidate.key == key:
                return candidate
        raise KeyError(key)

    def convert(self, ctx: Context, node: Node) -> Any:
        if not isinstance(node, MappingNode):
            return ctx.error(node, f"expected a mapping of keys for {self.name}, got {describe(node)}")
        known = {f.key: f for f in self.fields}
        result: dict[str, Any] = {"__loc__": ctx.loc(node), "__keys__": {}, "__key_at__": {}}
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode) or key_node.tag == NULL_TAG:
                ctx.error(key_node, "keys must be plain words")
                continue
            key = key_node.value
            if key in result["__keys__"]:
                first = result["__keys__"][key]
                ctx.error(key_node, f"duplicate key '{key}'", f"it is already set at line {first.line}")
                continue
            result["__keys__"][key] = result["__key_at__"][key] = ctx.loc(key_node)
            spec = known.get(key)
            if spec is None:
                close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
                hint = f"did you mean '{close[0]}'?" if close else "known keys: " + ", ".join(known)
                ctx.error(key_node, f"unknown key '{key}' in {self.name}", hint)
                continue
            if isinstance(value_node, ScalarNode) and value_node.tag == NULL_TAG and not spec.required:
                continue  # `key:` with nothing after it means "not set"
            result[key] = spec.kind.convert(ctx, value_node)
            result["__keys__"][key] = ctx.loc(value_node)
        for spec in self.fields:
            if spec.required and spec.key not in result:
                example = f": {spec.example}" if spec.example else ""
                ctx.error(node, f"{self.name} is missing required key '{spec.key}'", f"add '{spec.key}{example}'")
                result[spec.key] = INVALID
        return result


@dataclass(frozen=True)
class MapOf(Kind):
    """A mapping from ids to records, e.g. ``people: {ana: {...}}``."""

    item: Record
    key_doc: str = "id"

    @property
    def doc(self) -> str:  # type: ignore[override]
        return f"mapping of {self.key_doc} to {self.item.name}"

    def convert(self, ctx: Context, node: Node) -> Any:
        if not isinstance(node, MappingNode):
            return ctx.error(node, f"expected a mapping of {self.key_doc} to {self.item.name}, got {describe(node)}")
        result: dict[str, Any] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, ScalarNode) else None
            if key is None or not SLUG_PATTERN.fullmatch(key):
                ctx.error(key_node, f"{describe(key_node)} is not a valid {self.key_doc}", SLUG_HINT)
                continue
            if key in result:
                first = result[key]["__loc__"] if isinstance(result[key], dict) else None
                where = f"at line {first.line}" if first else "above"
                ctx.error(key_node, f"duplicate {self.key_doc} '{key}'", f"it is already defined {where}")
                continue
            value = self.item.convert(ctx, value_node)
            if isinstance(value, dict):
                value["__loc__"] = ctx.loc(key_node)
            result[key] = value
        return result


# ------------------------------------------------------------------- records

AUDIENCES_FIELD = Field(
    "audiences", ListOf(AudienceRef, unique_key=None),
    "Which of the customer's audiences see this. Leave it out for all of them.",
    example="[executives]", default="all audiences")
INTERNAL_NOTE_FIELD = Field(
    "internal_note", Text(multiline=True, max_length=5000),
    "A note for the team. Never published anywhere.", example="Sponsor is nervous about Q3.")

PERSON = Record("person", (
    Field("name", Text(max_length=120), "Full name as customers should see it.", required=True, example="Ana Souza"),
    Field("title", Text(max_length=120), "Job title.", example="Delivery Lead"),
    Field("email", Email, "Work e-mail address.", example="ana.souza@brightline.example"),
    Field("phone", Phone, "Work phone, international format.", example="\"+44 20 7946 0101\""),
    Field("timezone", TimeZone(), "Where this person works, shown on contact cards.", example="Europe/London"),
    Field("photo", ImagePath, "Portrait, relative to `team.yml`. Initials are shown without one.",
          example="photos/ana-souza.jpg"),
), summary="Someone on the delivery team.")

ORGANISATION = Record("organisation", (
    Field("name", Text(max_length=120), "Name of the delivery organisation.", required=True,
          example="Brightline Delivery"),
    Field("website", Url, "Its public website.", example="https://brightline.example"),
))

TEAM = Record("team.yml", (
    Field("organisation", ORGANISATION, "Who delivers the projects.", required=True),
    Field("people", MapOf(PERSON, key_doc="person id"), "Everyone customers may deal with, by person id.",
          required=True),
), summary="`projects/team.yml`: the delivery organisation and its people.")

AUDIENCE = Record("audience", (
    Field("name", Text(max_length=80), "Display name of the segment.", required=True, example="Executives"),
    Field("description", Text(max_length=300), "Who belongs to it.", example="Sponsors and the steering group"),
    Field("lead_with", Choice(("projects", "disruptions")),
          "What the microsite's home page leads with: project status, or the disruptions that affect this "
          "audience (for end users).", default="projects", example="disruptions"),
))

PRIMARY_CONTACT = Record("primary contact", (
    Field("person", PersonRef, "Person id from `team.yml`.", required=True, example="ana-souza"),
    Field("handles", Text(max_length=200), "What to contact this person about.", required=True,
          example="Scope, schedule and escalations"),
))

BRAND = Record("brand", (
    Field("colour", Colour, "Primary colour of the customer's microsites.", example="\"#0b6e4f\""),
    Field("logo", ImagePath, "Logo, relative to `customer.yml`.", example="logo.svg"),
))

FEEDBACK = Record("feedback", (
    Field("form_url", Url, "Where customers tell you how you are doing.", example="https://forms.example/northwind"),
    Field("email", Email, "Feedback by e-mail (the subject names the project and page).",
          example="feedback@brightline.example"),
    Field("survey_url", Url, "Post-project survey, offered on completed projects.",
          example="https://forms.example/northwind-survey"),
))

SITE = Record("site", (
    Field("base_url", BaseUrl, "Absolute URL under which this customer's microsites are served. Required for "
          "feeds and calendars, whose links must be absolute.", example="https://status.brightline.example/northwind/"),
    Field("access", Choice(("public", "unlisted", "private")),
          "`public`: indexed; `unlisted`: anyone with the link, not indexed; `private`: behind HTTP "
          "authentication generated by `cxsite publish`.", default="public", example="private"),
    Field("path_token", Pattern(r"[a-z0-9]{16,64}", doc="16 to 64 lower-case letters and digits",
                                hint="generate one, e.g. python3 -c 'import secrets; print(secrets.token_hex(12))'",
                                what="path token"),
          "Unguessable addresses for an unlisted customer: its folder becomes `<customer>-<token>`, so the "
          "address cannot be guessed from its name (include it in `base_url` too). Not authentication: "
          "anyone with the link can read; use `access: private` for that.",
          example="7f3a9c1e5b2d8f40a6c4e1b9"),
    Field("feeds", Boolean(), "Publish feeds, calendars and vCards (they need `base_url`).", default="true",
          example="false"),
    Field("feed_limit", Integer(minimum=1, maximum=1000), "Most recent items per feed.", default="50",
          example="100"),
))

CUSTOMER = Record("customer.yml", (
    Field("name", Text(max_length=120), "Customer's display name.", required=True, example="Northwind Health"),
    Field("timezone", TimeZone(), "Customer's time zone: all times on its sites are shown in it, and times "
          "written without an offset are read in it.", required=True, example="Europe/London"),
    Field("language", Choice(("en", "de")), "Language of its sites.", default="en", example="de"),
    Field("brand", BRAND, "Colour and logo."),
    Field("cx_owner", PersonRef, "The one person accountable for this customer's experience.", required=True,
          example="ana-souza"),
    Field("primary_contacts", ListOf(PRIMARY_CONTACT, max_items=2, unique_key="person"),
          "The customer's one or two assigned contacts, and what each handles.", required=True,
          example="[{person: ana-souza, handles: Scope and escalations}]"),
    Field("escalation", ListOf(PersonRef), "Escalation path, first call first (person ids).",
          example="[ana-souza, marcus-reid]"),
    Field("audiences", MapOf(AUDIENCE, key_doc="audience id"),
          "Customer segments; each gets its own microsite.", default="one audience, `everyone`"),
    Field("feedback", FEEDBACK, "How the customer tells you how you are doing."),
    Field("site", SITE, "Where and how its microsites are published."),
    Field("distribution_list", ListOf(Email), "Addresses that receive e-mail digests.",
          example="[project-updates@northwind.example]"),
    INTERNAL_NOTE_FIELD,
), summary="`projects/<customer>/customer.yml`: one customer.")

MILESTONE = Record("milestone", (
    Field("id", Slug, "Stable id. Never change it: calendars use it to update events in place.", required=True,
          example="go-live"),
    Field("title", Text(max_length=160), "What is reached.", required=True, example="Go-live in all wards"),
    Field("planned", Date(), "Date originally agreed.", required=True, example="2026-10-05"),
    Field("forecast", Date(), "Current forecast, when it differs from the plan.", example="2026-10-19"),
    Field("done", Date(), "Date it was reached.", example="2026-10-16"),
    Field("description", Text(multiline=True), "What it means for the customer.", example="All wards on the new system."),
    AUDIENCES_FIELD,
    INTERNAL_NOTE_FIELD,
))

WINDOW = Record("window", (
    Field("start", DateTime(), "Start.", required=True, example="2026-10-24T22:00"),
    Field("end", DateTime(), "End.", required=True, example="2026-10-25T04:00"),
))

DISRUPTION = Record("disruption", (
    Field("id", Slug, "Stable id. Never change it: calendars use it to update events in place.", required=True,
          example="ehr-cutover"),
    Field("title", Text(max_length=160), "What happens.", required=True, example="Patient record system offline"),
    Field("start", DateTime(), "Start, in the customer's zone unless an offset is given.", required=True,
          example="2026-10-24T22:00"),
    Field("end", DateTime(), "End.", required=True, example="2026-10-25T04:00"),
    Field("affects", Text(max_length=300), "What and who is affected.", required=True,
          example="All wards; use paper forms"),
    Field("impact", Choice(("low", "medium", "high")), "How much it affects people.", required=True,
          example="high"),
    Field("status", Choice(("scheduled", "in_progress", "completed", "cancelled")), "Current state.",
          default="scheduled", example="cancelled"),
    Field("description", Text(multiline=True), "Details and what to do.", example="Paper forms are in each ward."),
    Field("announced", Date(), "When customers were first told (the CX rules check the notice given).",
          example="2026-10-01"),
    Field("changed", Date(), "When the latest reschedule or cancellation was announced: feeds date the change "
          "notice by it.", example="2026-10-12"),
    Field("previous_windows", ListOf(WINDOW), "Earlier windows, oldest first, kept when it is rescheduled: "
          "calendar SEQUENCE counts them, so subscribed calendars update the event."),
    AUDIENCES_FIELD,
    INTERNAL_NOTE_FIELD,
))

BUDGET = Record("budget", (
    Field("currency", Currency, "Currency of all amounts.", required=True, example="GBP"),
    Field("approved", Number(minimum=0), "Approved budget.", required=True, example="1250000"),
    Field("spent", Number(minimum=0), "Spent to date.", example="830000"),
    Field("forecast", Number(minimum=0), "Forecast at completion.", example="1310000"),
    AUDIENCES_FIELD,
    INTERNAL_NOTE_FIELD,
))

MEASURE = Record("measure", (
    Field("id", Slug, "Stable id.", required=True, example="first-call-resolution"),
    Field("name", Text(max_length=120), "What is measured.", required=True, example="First-call resolution"),
    Field("target", Number(), "Target value.", required=True, example="80"),
    Field("actual", Number(), "Latest actual value.", example="76.5"),
    Field("unit", Text(max_length=20), "Unit shown after values.", example="%"),
    Field("better", Choice(("higher", "lower")), "Which direction is better.", default="higher", example="lower"),
    AUDIENCES_FIELD,
))

DECISION = Record("decision", (
    Field("id", Slug, "Stable id.", required=True, example="training-dates"),
    Field("title", Text(max_length=160), "What the customer needs to decide.", required=True,
          example="Confirm training dates for ward staff"),
    Field("owner", Text(max_length=120), "Who decides, on the customer's side.", required=True,
          example="Dr. Priya Natarajan, CNIO"),
    Field("due", Date(), "When the decision is needed.", required=True, example="2026-09-15"),
    Field("status", Choice(("open", "decided", "withdrawn")), "Current state.", default="open", example="decided"),
    Field("outcome", Text(multiline=True), "What was decided.", example="Training in the week of 5 October."),
    Field("description", Text(multiline=True), "Why it matters.", example="Rooms must be booked six weeks ahead."),
    AUDIENCES_FIELD,
))

SURVEY = Record("survey result", (
    Field("date", Date(), "When the survey closed.", required=True, example="2026-06-30"),
    Field("score", Number(minimum=0), "Average score.", required=True, example="4.2"),
    Field("scale", Number(minimum=1), "Best possible score.", required=True, example="5"),
    Field("respondents", Integer(minimum=0), "How many answered.", example="37"),
    Field("comment", Text(multiline=True), "A comment the team chose to publish.",
          example="\"Updates are clear, but we hear about downtime late.\""),
    AUDIENCES_FIELD,
))

PROJECT = Record("project.yml", (
    Field("name", Text(max_length=120), "Project name.", required=True, example="Electronic patient record"),
    Field("summary", Text(multiline=True, max_length=1000), "What it delivers, in a sentence or two.",
          required=True, example="Replaces paper charts in all wards."),
    Field("status", Choice(("planned", "active", "on_hold", "completed", "cancelled")), "Where it stands.",
          required=True, example="active"),
    Field("health", Choice(("on_track", "at_risk", "off_track")), "Is it on track?", required=True,
          example="at_risk"),
    Field("health_reason", Text(max_length=500), "Why it has this health, in the customer's words.",
          required=True, example="Data migration is two weeks late."),
    Field("percent_complete", Integer(minimum=0, maximum=100), "Progress, 0 to 100.", required=True, example="45"),
    Field("start", Date(), "Start date.", required=True, example="2026-02-02"),
    Field("planned_end", Date(), "Agreed end date.", required=True, example="2026-12-18"),
    Field("forecast_end", Date(), "Forecast end date, when it differs from the plan.", example="2027-01-29"),
    Field("update_cadence", Choice(("weekly", "fortnightly", "monthly")),
          "How often the customer was promised an update.", required=True, example="fortnightly"),
    Field("contacts", ListOf(PersonRef), "Project contacts (person ids).", example="[ana-souza, tom-okafor]"),
    Field("audiences", ListOf(AudienceRef), "Which audiences see this project at all.", default="all audiences",
          example="[everyone, executives]"),
    Field("milestones", ListOf(MILESTONE, unique_key="id"), "Milestones."),
    Field("disruptions", ListOf(DISRUPTION, unique_key="id"), "Scheduled disruptions."),
    Field("budget", BUDGET, "Budget; shown only to the audiences listed in it."),
    Field("measures", ListOf(MEASURE, unique_key="id"), "Performance measures."),
    Field("decisions", ListOf(DECISION, unique_key="id"), "Decisions needed from the customer."),
    Field("surveys", ListOf(SURVEY), "Survey results: what the customer told you."),
    INTERNAL_NOTE_FIELD,
), summary="`projects/<customer>/<project>/project.yml`: one project.")

UPDATE = Record("update front matter", (
    Field("id", Slug, "Stable id: the feed GUID. Never change it, even when the title or file name changes.",
          required=True, example="u-2026-03-kickoff"),
    Field("title", Text(max_length=160), "Headline.", required=True, example="Kick-off done, plan agreed"),
    Field("date", DateTime(allow_date_only=True), "When it is dated (customer's zone unless an offset is given).",
          required=True, example="2026-03-04T09:30"),
    Field("author", PersonRef, "Person id from `team.yml`.", required=True, example="ana-souza"),
    Field("kind", Choice(("progress", "milestone", "disruption", "decision", "risk")), "What it is about.",
          default="progress", example="milestone"),
    Field("summary", Text(max_length=300), "One-line teaser for lists and feeds.",
          example="Plan agreed; next: data migration."),
    AUDIENCES_FIELD,
    Field("internal", Boolean(), "Team-only: never published.", default="false", example="true"),
    Field("draft", Boolean(), "Not finished: never published.", default="false", example="true"),
    Field("publish_after", DateTime(allow_date_only=True), "Embargo: not published before this moment.",
          example="2026-12-01T08:00"),
    Field("milestone", MilestoneRef, "Related milestone of the same project.", example="go-live"),
), summary="Front matter of `projects/<customer>/<project>/updates/*.md`.")

ALL_RECORDS: tuple[Record, ...] = (
    TEAM, ORGANISATION, PERSON, CUSTOMER, AUDIENCE, PRIMARY_CONTACT, BRAND, FEEDBACK, SITE, PROJECT, MILESTONE,
    DISRUPTION, WINDOW, BUDGET, MEASURE, DECISION, SURVEY, UPDATE,
)
