"""Scaffolding: start a customer, a project or an update from a commented template.

Each new file is valid as written (``cxsite check --strict`` passes right
after it is created), explains its keys in short ``#`` comments and shows
optional keys commented out, so an author edits rather than looks up. Files
are created exclusively: nothing is ever overwritten.

The helpers that find a customer or project from a ``CUSTOMER/PROJECT``
reference live here too; :mod:`cxsite.authoring.edit` uses them.
"""

from __future__ import annotations

import base64
import datetime as dt
import difflib
import io
import os
import re
import secrets
import subprocess
import unicodedata
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from ..diagnostics import CxsiteError, Diagnostic, display_path
from ..source.layout import CUSTOMER_FILE, PROJECT_FILE, TEAM_FILE, UPDATES_DIR
from ..source.schema import CUSTOMER, PROJECT, SITE, SLUG_HINT, SLUG_PATTERN, UPDATE

LANGUAGES: tuple[str, ...] = CUSTOMER.field("language").kind.values
KINDS: tuple[str, ...] = UPDATE.field("kind").kind.values
STATUSES: tuple[str, ...] = PROJECT.field("status").kind.values
HEALTHS: tuple[str, ...] = PROJECT.field("health").kind.values
CADENCES: tuple[str, ...] = PROJECT.field("update_cadence").kind.values
PROJECT_DAYS = 90  # placeholder planned_end: start + 90 days


class AuthoringError(CxsiteError):
    """A command cannot do what was asked; ``hint`` says what to do instead."""

    def __init__(self, message: str, hint: str = ""):
        self.message, self.hint = message, hint
        super().__init__(f"{message} ({hint})" if hint else message)


# ------------------------------------------------------------ locating things


def did_you_mean(value: str, known: Iterable[str], plural: str) -> str:
    """The hint for an unknown id: the closest known one, else the list."""
    known = sorted(known)
    close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
    if close:
        return f"did you mean '{close[0]}'?"
    if not known:
        return f"there are no {plural} yet"
    return f"known {plural}: {', '.join(known[:12])}{'...' if len(known) > 12 else ''}"


def check_slug(value: str, what: str) -> str:
    if not SLUG_PATTERN.fullmatch(value):
        raise AuthoringError(f"'{value}' is not a valid {what}", f"try '{slugify(value)}'; {SLUG_HINT}")
    return value


def slugify(text: str, max_length: int = 64) -> str:
    """A slug for ``text``: accents dropped (Müller -> muller), the rest '-'."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].strip("-")


def portfolio_root(projects_dir: Path | str) -> Path:
    root = Path(projects_dir)
    if not (root / TEAM_FILE).is_file():
        raise AuthoringError(f"{display_path(root)} is not a portfolio: it has no {TEAM_FILE}",
                             "pass the portfolio folder with --projects DIR, or set CXSITE_PROJECTS")
    return root


def _children(folder: Path, marker: str) -> list[str]:
    try:
        return sorted(p.name for p in folder.iterdir() if not p.name.startswith(".") and (p / marker).is_file())
    except OSError:
        return []


def customer_folder(root: Path, customer: str) -> Path:
    folder = root / customer
    if not (folder / CUSTOMER_FILE).is_file():
        raise AuthoringError(f"no customer '{customer}' in {display_path(root)}",
                             did_you_mean(customer, _children(root, CUSTOMER_FILE), "customers"))
    return folder


def split_ref(ref: str) -> tuple[str, str]:
    """``acme/erp`` -> ("acme", "erp"); both parts must be slugs."""
    parts = ref.strip("/").split("/")
    if len(parts) != 2 or not all(parts):
        raise AuthoringError(f"'{ref}' is not CUSTOMER/PROJECT", "for example acme/erp-rollout")
    return check_slug(parts[0], "customer id"), check_slug(parts[1], "project id")


def project_folder(root: Path, ref: str) -> Path:
    customer, project = split_ref(ref)
    folder = customer_folder(root, customer) / project
    if not (folder / PROJECT_FILE).is_file():
        raise AuthoringError(f"customer '{customer}' has no project '{project}'",
                             did_you_mean(project, _children(folder.parent, PROJECT_FILE), "projects"))
    return folder


def read_yaml(path: Path) -> Any:
    """A file's plain data, or None when it cannot be read: callers only
    peek (team ids, a time zone); ``cxsite check`` reports the real problem."""
    try:
        return YAML(typ="safe", pure=True).load(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, YAMLError):
        return None


def team_people(root: Path) -> dict[str, dict]:
    team = read_yaml(root / TEAM_FILE)
    people = team.get("people") if isinstance(team, dict) else None
    return {str(k): (v if isinstance(v, dict) else {}) for k, v in people.items()} if isinstance(people, dict) else {}


def customer_zone(customer_dir: Path) -> ZoneInfo | None:
    data = read_yaml(customer_dir / CUSTOMER_FILE)
    try:
        return ZoneInfo(str(data["timezone"]))
    except (TypeError, KeyError, ValueError, ZoneInfoNotFoundError):
        return None


def parse_now(value: str) -> dt.datetime:
    """``--now``: an ISO 8601 date-time; without an offset it is UTC, as
    for ``check`` and ``build``."""
    try:
        moment = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise AuthoringError(f"'{value}' is not an ISO 8601 date-time",
                             "for example 2026-12-01T12:00Z or 2026-12-01T12:00+01:00") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def customer_now(customer_dir: Path, now: dt.datetime | None = None) -> dt.datetime:
    """The current moment as the customer's wall clock shows it (naive),
    else as local time.

    The moment is the one ``check`` and ``build`` use: ``now`` when given,
    else ``SOURCE_DATE_EPOCH``, else the clock (:func:`cxsite.views.clock.build_cutoff`).
    """
    from ..diagnostics import BuildError
    from ..views.clock import build_cutoff

    try:
        moment = build_cutoff(now)
    except BuildError as exc:
        raise AuthoringError(str(exc), "fix or unset it, or give --now DATETIME") from None
    zone = customer_zone(customer_dir)
    return moment.astimezone(zone).replace(tzinfo=None) if zone else moment.astimezone().replace(tzinfo=None)


def parse_day(value: str | dt.date, option: str) -> dt.date:
    """A ``YYYY-MM-DD`` date given as ``option``."""
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise AuthoringError(f"{option} '{value}' is not a date", "write it as YYYY-MM-DD, e.g. 2026-03-04") from None


def check_choice(value: str, choices: tuple[str, ...], what: str) -> str:
    if value not in choices:
        raise AuthoringError(f"{what} '{value}' is unknown", f"use one of {', '.join(choices)}")
    return value


def check_person(root: Path, person: str) -> str:
    people = team_people(root)
    if person not in people:
        raise AuthoringError(f"no person '{person}' in {TEAM_FILE}", did_you_mean(person, people, "people"))
    return person


def yaml_text(value: str) -> str:
    """``value`` as a one-line YAML scalar, quoted only when it must be."""
    if not value.strip() or "\n" in value or "\r" in value:
        raise AuthoringError(f"{value!r} is not a one-line text", "give a short, single-line value")
    yaml = YAML(typ="rt")
    yaml.width = 1 << 16
    out = io.StringIO()
    yaml.dump({"k": value.strip()}, out)
    return out.getvalue()[len("k: "):].rstrip("\n")


def _create(path: Path, text: str) -> Path:
    """Write a new file; refuse if it exists (also when created meanwhile)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    except FileExistsError:
        raise AuthoringError(f"{display_path(path)} already exists", "cxsite never overwrites a file") from None
    return path


# ---------------------------------------------------------------- customer

CUSTOMER_TEMPLATE = """\
# {name}: one customer. Each folder beside this file is one of its projects.
# Every key is described in docs/format.md (customer.yml).

# Display name on its microsites.
name: {name_yaml}
# All times on its sites are shown in this zone, and times written without
# an offset (2026-10-24T22:00) are read in it.
timezone: {timezone}
# Language of its sites: {languages}.
language: {language}

# The one person accountable for this customer's experience (an id from team.yml).
cx_owner: {cx_owner}

# One or two named people the customer deals with, and what each handles.
primary_contacts:
  - person: {cx_owner}
    handles: Scope, schedule and escalations

# Escalation path, first call first (ids from team.yml).
# escalation: [{cx_owner}]

# Customer segments: each gets its own microsite. Without this key there is
# one audience, `everyone`.
# audiences:
#   everyone: {{name: Everyone}}
#   executives: {{name: Executives, description: Sponsors and the steering group}}

# Colour and logo (the logo file sits beside this file).
# brand: {{colour: "#0b6e4f", logo: logo.svg}}

# How the customer tells you how you are doing.
# feedback: {{email: feedback@example.com, form_url: "https://forms.example.com/{slug}"}}

# Where and how its microsites are published.
{site}
# Addresses that receive e-mail digests.
# distribution_list: [project-updates@example.com]

# A note for the team. Never published anywhere.
# internal_note: Who the sponsor is, what worries them.
"""


def _site_block(slug: str, base_url: str | None) -> str:
    """The ``site:`` block. Feeds, calendars and vCards need ``base_url``:
    without one they are switched off (when this cxsite version can), so
    the new file is valid either way."""
    example = f'"https://status.example.com/{slug}/"'
    access = "access: private   # public (indexed), unlisted, or private (HTTP authentication)"
    if base_url:
        return f"site:\n  base_url: {yaml_text(base_url)}\n  # {access}\n"
    if "feeds" not in {f.key for f in SITE.fields}:
        return f"# site:\n#   base_url: {example}\n#   {access}\n"
    return (f"site:\n  # base_url: {example}\n"
            f"  # Feeds, calendars and vCards need base_url: off until it is set.\n"
            f"  feeds: false\n  # {access}\n")


def check_zone(name: str) -> str:
    try:
        ZoneInfo(name)
        return name
    except (ValueError, ZoneInfoNotFoundError):
        close = difflib.get_close_matches(name, sorted(available_timezones()), n=1, cutoff=0.6)
        hint = f"did you mean '{close[0]}'?" if close else "use an IANA name such as Europe/Berlin"
        raise AuthoringError(f"'{name}' is not a time zone", hint) from None


def new_customer(projects_dir: Path | str, slug: str, *, name: str, timezone: str, language: str = "en",
                 cx_owner: str | None = None, base_url: str | None = None) -> Path:
    """Create ``<slug>/customer.yml``. The CX owner (default: the first
    person in team.yml) is also its one primary contact, so the file
    satisfies the rules that want someone accountable and reachable."""
    root = portfolio_root(projects_dir)
    check_slug(slug, "customer id")
    if (root / slug).exists():
        raise AuthoringError(f"{display_path(root / slug)} already exists", "pick another customer id")
    if language not in LANGUAGES:
        raise AuthoringError(f"language '{language}' is not supported", f"use one of {', '.join(LANGUAGES)}")
    people = team_people(root)
    if cx_owner is None:
        if not people:
            raise AuthoringError(f"{TEAM_FILE} lists nobody under 'people'", "add the team first")
        cx_owner = next(iter(people))
    check_person(root, cx_owner)
    text = CUSTOMER_TEMPLATE.format(name=name.strip(), name_yaml=yaml_text(name), timezone=check_zone(timezone),
                                    language=language, languages=" or ".join(LANGUAGES), cx_owner=cx_owner,
                                    slug=slug, site=_site_block(slug, base_url))
    return _create(root / slug / CUSTOMER_FILE, text)


# ----------------------------------------------------------------- project

PROJECT_TEMPLATE = """\
# {name}: a project for {customer_name}.
# Every key is described in docs/format.md (project.yml).

name: {name_yaml}
# What it delivers, in a sentence or two (Markdown allowed): customers read this first.
summary: {summary}
# planned, active, on_hold, completed or cancelled.
status: {status}
# on_track, at_risk or off_track, and why, in the customer's words.
# Change both with `cxsite set-health {ref} HEALTH --reason "..."`.
health: {health}
health_reason: {health_reason}
# Progress, 0 to 100.
percent_complete: 0
start: {start}
# The agreed end date. Add forecast_end when the forecast differs from it.
planned_end: {end}
# forecast_end: {end}
# How often the customer was promised an update: weekly, fortnightly or monthly.
update_cadence: {cadence}
# Project contacts (ids from team.yml).
# contacts: [{cx_owner}]
# Which of the customer's audiences see this project (default: all of them).
# audiences: [everyone]

# Milestones: ids are stable (calendars use them). Add one with
# `cxsite milestone {ref} ID --add --title "..." --planned DATE`; record
# progress with `cxsite milestone {ref} ID --done DATE` or `--forecast DATE`.
# milestones:
#   - id: go-live
#     title: Go-live
#     planned: {end}

# Scheduled disruptions: add one with `cxsite disruption {ref} ID --schedule ...`.
# disruptions:
#   - id: cutover
#     title: Old system offline for the cut-over
#     start: {end}T22:00
#     end: {end_next}T04:00
#     affects: Everyone using the old system
#     impact: high

# Decisions needed from the customer: `cxsite decision {ref} ID --add ...`.
# decisions:
#   - id: training-dates
#     title: Confirm the training dates
#     owner: Name, role
#     due: {start}

# Budget, shown only to the audiences listed in it; measures; survey results.
# budget: {{currency: EUR, approved: 100000, spent: 0, audiences: [executives]}}
# measures: [{{id: first-call-resolution, name: First-call resolution, target: 80, unit: "%"}}]
# surveys: [{{date: {start}, score: 4.2, scale: 5, respondents: 12}}]

# A note for the team. Never published anywhere.
# internal_note: Who worries about what.
"""


PROJECT_SUMMARY = "Summary to follow."
PROJECT_HEALTH_REASON = "Planning has started."


def new_project(projects_dir: Path | str, ref: str, *, name: str, today: dt.date | None = None,
                now: dt.datetime | None = None, summary: str | None = None, start: str | dt.date | None = None,
                planned_end: str | dt.date | None = None, cadence: str = "fortnightly", status: str = "planned",
                health: str = "on_track", health_reason: str | None = None) -> Path:
    """Create ``<customer>/<project>/project.yml``.

    What is not given is a placeholder: planned, on track, 0 %, fortnightly,
    from ``start`` (default: the customer's today, see :func:`customer_now`)
    to ``planned_end`` (default: :data:`PROJECT_DAYS` days after the start).
    """
    root = portfolio_root(projects_dir)
    customer, project = split_ref(ref)
    folder = customer_folder(root, customer)
    if (folder / project).exists():
        raise AuthoringError(f"{display_path(folder / project)} already exists", "pick another project id")
    texts = {"name": yaml_text(name), "summary": yaml_text(PROJECT_SUMMARY if summary is None else summary),
             "health_reason": yaml_text(PROJECT_HEALTH_REASON if health_reason is None else health_reason)}
    choices = {"status": check_choice(status, STATUSES, "status"), "health": check_choice(health, HEALTHS, "health"),
               "cadence": check_choice(cadence, CADENCES, "update cadence")}
    data = read_yaml(folder / CUSTOMER_FILE)
    data = data if isinstance(data, dict) else {}
    hint = "give a later --planned-end" if start else "give --start DATE too"
    start = parse_day(start, "--start") if start else today or customer_now(folder, now).date()
    end = parse_day(planned_end, "--planned-end") if planned_end else start + dt.timedelta(days=PROJECT_DAYS)
    if end < start:
        raise AuthoringError(f"the planned end {end} is before the start {start}", hint)
    text = PROJECT_TEMPLATE.format(name=name.strip(), name_yaml=texts["name"], summary=texts["summary"],
                                   health_reason=texts["health_reason"], **choices,
                                   customer_name=str(data.get("name") or customer), ref=f"{customer}/{project}",
                                   start=start.isoformat(), end=end.isoformat(),
                                   end_next=(end + dt.timedelta(days=1)).isoformat(),
                                   cx_owner=str(data.get("cx_owner") or "person-id"))
    return _create(folder / project / PROJECT_FILE, text)


# ------------------------------------------------------------------ update

UPDATE_TEMPLATE = """\
---
# Stable id: the feed GUID. Never change it, even when you rename the file.
id: {id}
title: {title}
# In {zone} time unless an offset (+01:00 or Z) is given.
date: {date}
author: {author}
# progress, milestone, disruption, decision or risk.
kind: {kind}
{summary}
# audiences: [executives]            # only these audiences see it
# milestone: go-live                 # a milestone of this project
# internal: true                     # team-only: never published
# publish_after: {date}   # embargo: not published before then
{draft}---
{body}"""
UPDATE_BODY = """\
Write what happened and what it means for {customer_name}. Markdown works:
**bold**, lists, links.
"""
SUMMARY_LINE = "# summary: One-line teaser for lists and feeds."
DRAFT_LINE = "# Not published while this line is here: delete it when the text is ready.\ndraft: true\n"


def new_update_id() -> str:
    """``u-`` and 8 random base32 characters (40 bits), lower-case: a slug."""
    return "u-" + base64.b32encode(secrets.token_bytes(5)).decode("ascii").lower()


_ID_LINE = re.compile(r"^id:\s*['\"]?([^'\"#\s]+)", re.MULTILINE)


def _update_ids(customer_dir: Path) -> set[str]:
    """Ids already used by the customer's updates (ids are unique per customer)."""
    ids = set()
    for path in customer_dir.glob(f"*/{UPDATES_DIR}/*.md"):
        try:
            ids.update(_ID_LINE.findall(path.read_text(encoding="utf-8-sig", errors="replace")[:4096]))
        except OSError:
            continue
    return ids


def git_email(cwd: Path) -> str | None:
    """``git config user.email`` as seen from ``cwd``; None without git."""
    try:
        result = subprocess.run(["git", "config", "--get", "user.email"], cwd=cwd, capture_output=True,
                                text=True, timeout=10)
    except (OSError, subprocess.SubprocessError):
        return None
    return result.stdout.strip() or None


def find_author(root: Path, author: str | None) -> str:
    """``author`` if given, else the person whose team.yml e-mail is git's user.email."""
    if author:
        return check_person(root, author)
    email = git_email(root)
    people = team_people(root)
    if email:
        for person_id, person in people.items():
            if str(person.get("email") or "").strip().lower() == email.lower():
                return person_id
        raise AuthoringError(f"git's user.email {email} belongs to nobody in {TEAM_FILE}",
                             "pass --author PERSON, or add that e-mail to your entry in team.yml")
    raise AuthoringError("cannot tell who is writing: git has no user.email",
                         f"pass --author PERSON ({did_you_mean('', people, 'people')})")


def update_file_name(updates_dir: Path, day: dt.date, title: str) -> Path:
    """``YYYY-MM-DD-<slug-of-title>.md``, with -2, -3... when taken; the
    stem stays a valid slug (at most 64 characters)."""
    stem = f"{day.isoformat()}-{slugify(title, 64 - 11 - 4) or 'update'}"
    candidate, number = updates_dir / f"{stem}.md", 2
    while candidate.exists():
        candidate, number = updates_dir / f"{stem}-{number}.md", number + 1
    return candidate


def _parse_date(value: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(value.strip().replace("z", "Z"))
    except ValueError:
        raise AuthoringError(f"'{value}' is not a date or date and time",
                             "for example 2026-03-04 or 2026-03-04T09:30") from None


def new_update(projects_dir: Path | str, ref: str, title: str, *, author: str | None = None,
               kind: str = "progress", date: str | None = None, draft: bool = True, now: dt.datetime | None = None,
               summary: str | None = None, body: str | None = None) -> Path:
    """Create ``updates/YYYY-MM-DD-<slug>.md`` dated ``date``, else now
    (see :func:`customer_now`) in the customer's zone.

    The date is written without an offset (minute precision): times without
    one are read in the customer's zone, which is what the author means.
    ``body`` is the Markdown text (default: a placeholder to replace).
    New updates are drafts by default, so that a placeholder is never
    published by accident; ``draft=False`` leaves the line out.
    """
    root = portfolio_root(projects_dir)
    folder = project_folder(root, ref)
    customer_dir = folder.parent
    if kind not in KINDS:
        raise AuthoringError(f"kind '{kind}' is unknown", f"use one of {', '.join(KINDS)}")
    title_yaml = yaml_text(title)
    summary_line = f"summary: {yaml_text(summary)}" if summary is not None else SUMMARY_LINE
    if body is not None and not body.strip():
        raise AuthoringError("the update's text is empty", "give --body-file a file with the Markdown text")
    author_id = find_author(root, author)
    if date:
        moment = _parse_date(date)
        date_text = date.strip()
    else:
        moment = customer_now(customer_dir, now)
        date_text = moment.strftime("%Y-%m-%dT%H:%M")
    used = _update_ids(customer_dir)
    update_id = new_update_id()
    while update_id in used:
        update_id = new_update_id()
    zone = customer_zone(customer_dir)
    data = read_yaml(customer_dir / CUSTOMER_FILE)
    customer_name = str(data.get("name")) if isinstance(data, dict) and data.get("name") else "the customer"
    body = UPDATE_BODY.format(customer_name=customer_name) if body is None else body.rstrip() + "\n"
    text = UPDATE_TEMPLATE.format(id=update_id, title=title_yaml, zone=zone.key if zone else "the customer's",
                                  date=date_text, author=author_id, kind=kind, summary=summary_line,
                                  draft=DRAFT_LINE if draft else "", body=body)
    return _create(update_file_name(folder / UPDATES_DIR, moment.date(), title), text)


# ------------------------------------------------------------------- check


def diagnostics_for(projects_dir: Path | str, path: Path) -> tuple[Diagnostic, ...]:
    """Check the whole portfolio; keep what is reported about ``path``."""
    from ..views.rules import check_portfolio

    shown = display_path(path)
    return tuple(d for d in check_portfolio(projects_dir) if d.location.path == shown)


def environment_editor(environ: dict[str, str] | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    return environ.get("VISUAL") or environ.get("EDITOR") or None
