"""E-mail digests: what one audience should know since a date, in one e-mail.

:func:`build_digest` turns a :class:`~cxsite.views.Microsite` into a
``multipart/alternative`` message (plain text first, then HTML) holding:
the updates released since ``since``, milestones reached since then,
milestones and disruptions of the next :data:`LOOKAHEAD_DAYS` days (times in
the customer's zone, cancelled ones marked), the decisions the customer
still owes, and links to the status page, its RSS feed and its calendar.

It reads only the microsite, so it cannot show what the audience may not
see; cut that microsite at the moment of sending. Updates count by their
release time (an embargoed update is news when its embargo lifts) and are
shown as a plain-text excerpt of the body rendered by
:mod:`cxsite.render.markdown`, so no image, raw HTML or relative link reaches the
e-mail.

The HTML is written for mail clients, not browsers: tables for layout,
inline styles only (no ``<style>``), no images or web fonts, 640 px wide.

There is deliberately no unsubscribe link: digests go to a customer's
distribution *lists*, so one reader's click would unsubscribe everyone.
The footer says whom to ask instead, and replies go to the CX owner.

:func:`cxsite.publish.mail.send_digest` delivers it over SMTP.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import textwrap
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr
from typing import Sequence

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from .. import model as m
from ..diagnostics import CxsiteError
from ..model.prose import MarkdownTooComplex
from ..views import Microsite, facts, release_time
from .i18n import Locale
from .prose import Prose
from .paths import SitePaths, microsite_base_url
from .text import summary

LOOKAHEAD_DAYS = 30
EXCERPT_CHARS = 280
DEFAULT_COLOUR = "#1f2937"

#: Words only the digest uses (the rest come from :mod:`cxsite.render.i18n`).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "digest_subject": "{customer} – project update, {date}",
        "digest_intro": "What happened since {date}, and what comes next.",
        "digest_updates": "New updates",
        "digest_reached": "Milestones reached",
        "digest_milestones": "Milestones in the next {days} days",
        "digest_disruptions": "Disruptions in the next {days} days",
        "digest_nothing_new": "Nothing new since {date}, and nothing planned for the next {days} days.",
        "digest_read_more": "Read the update",
        "digest_project_page": "Project page",
        "digest_status_page": "Status page",
        "digest_calendar": "Calendar",
        "digest_questions": "Questions? Reply to this e-mail or contact {owner}.",
        "digest_why": "You receive this because you are on {lists}. To stop, reply to {owner}.",
        "digest_no_links": "This status page has no web address yet, so this e-mail has no links.",
    },
    "de": {
        "digest_subject": "{customer} – Projektstand, {date}",
        "digest_intro": "Was seit dem {date} passiert ist und was als Nächstes kommt.",
        "digest_updates": "Neue Beiträge",
        "digest_reached": "Erreichte Meilensteine",
        "digest_milestones": "Meilensteine in den nächsten {days} Tagen",
        "digest_disruptions": "Einschränkungen in den nächsten {days} Tagen",
        "digest_nothing_new": "Seit dem {date} gibt es nichts Neues, und für die nächsten {days} Tage ist nichts "
                              "geplant.",
        "digest_read_more": "Beitrag lesen",
        "digest_project_page": "Projektseite",
        "digest_status_page": "Statusseite",
        "digest_calendar": "Kalender",
        "digest_questions": "Fragen? Antworten Sie auf diese E-Mail oder wenden Sie sich an {owner}.",
        "digest_why": "Sie erhalten diese E-Mail, weil Sie auf dem Verteiler {lists} stehen. Zum Abbestellen "
                      "antworten Sie bitte {owner}.",
        "digest_no_links": "Für diese Statusseite ist noch keine Webadresse hinterlegt, daher enthält diese "
                           "E-Mail keine Links.",
    },
}


class DigestError(CxsiteError):
    """A digest could not be built or sent (missing sender, recipients, SMTP settings...)."""


# ------------------------------------------------------------------ content

@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class UpdateItem:
    id: str
    title: str
    project: str
    date: str
    kind: str
    excerpt: str
    url: str


@dataclass(frozen=True)
class MilestoneItem:
    id: str
    title: str
    project: str
    date: str
    note: str        # e.g. "3 days later than planned"
    url: str


@dataclass(frozen=True)
class DisruptionItem:
    id: str
    title: str
    project: str
    when: str
    previously: str  # the earlier window of a rescheduled disruption, else ""
    affects: str
    impact: str
    cancelled: bool
    url: str         # its single-event .ics
    project_url: str


@dataclass(frozen=True)
class DecisionItem:
    id: str
    title: str
    project: str
    owner: str
    due: str
    overdue: bool
    description: str
    url: str


@dataclass(frozen=True)
class DigestContent:
    """What a digest says, already in the customer's words and zone."""

    site: Microsite
    since: dt.date
    updates: tuple[UpdateItem, ...]
    reached: tuple[MilestoneItem, ...]
    upcoming: tuple[MilestoneItem, ...]
    disruptions: tuple[DisruptionItem, ...]
    decisions: tuple[DecisionItem, ...]
    links: tuple[Link, ...]     # status page, RSS, calendar (those the site publishes); empty without a base URL

    @property
    def empty(self) -> bool:
        return not (self.updates or self.reached or self.upcoming or self.disruptions or self.decisions)


def _words(loc: Locale):
    def t(key: str, **values: object) -> str:
        text = WORDS.get(loc.language, WORDS["en"]).get(key) or WORDS["en"].get(key)
        if text is None:
            return loc.t(key, **values)
        return text.format(**values) if values else text
    return t


def _excerpt(update: m.Update, prose: Prose) -> str:
    if update.summary:
        return update.summary
    try:
        return summary(prose.text(update.body_markdown), EXCERPT_CHARS)
    except MarkdownTooComplex:
        return ""


def digest_content(site: Microsite, since: dt.date, prose: Prose | None = None) -> DigestContent:
    """The items of a digest, up to the moment the microsite was cut for;
    ``since`` is a day in the customer's zone, included."""
    customer = site.customer
    prose = prose or Prose.converting()
    loc = Locale(customer.language, customer.zone)
    t = _words(loc)
    paths = SitePaths(microsite_base_url(customer.site.base_url, site.audience.id))
    url = paths.absolute if paths.base_url else (lambda path: "")
    feeds = bool(paths.base_url) and customer.site.feeds   # feeds, calendars and event .ics are built
    today = site.clock.today(customer.zone)
    start = dt.datetime.combine(since, dt.time(0), tzinfo=customer.zone)
    horizon = today + dt.timedelta(days=LOOKAHEAD_DAYS)

    updates = tuple(
        UpdateItem(u.id, u.title, p.name, loc.date(u.published.astimezone(customer.zone).date()), t(u.kind.value),
                   _excerpt(u, prose), url(SitePaths.update(p.slug, u.slug)))
        for p, u in site.updates if start <= release_time(u))   # the view holds only what is released

    def milestone(project: m.Project, ms: m.Milestone) -> MilestoneItem:
        late = facts.slip_days(ms)
        note = t("late_by", days=late) if late > 0 else ""
        return MilestoneItem(ms.id, ms.title, project.name, loc.date(facts.milestone_date(ms)), note,
                             url(SitePaths.project(project.slug)))

    reached, upcoming, disruptions, decisions = [], [], [], []
    for project in customer.projects:
        for ms in facts.timeline(project):
            if ms.done and since <= ms.done <= today:
                reached.append((ms.done, milestone(project, ms)))
            elif not ms.done and today <= (ms.forecast or ms.planned) <= horizon:
                upcoming.append((ms.forecast or ms.planned, milestone(project, ms)))
        for d in facts.upcoming_disruptions(project, site.clock):
            if d.window.start.astimezone(customer.zone).date() > horizon:
                continue
            before = d.previous_windows[-1] if d.previous_windows else None
            disruptions.append((d.window.start, DisruptionItem(
                d.id, d.title, project.name, loc.window(d.window.start, d.window.end),
                loc.window(before.start, before.end) if before else "", d.affects, t(d.impact.value),
                d.status is m.DisruptionStatus.CANCELLED, url(paths.event(project.slug, d.id)) if feeds else "",
                url(SitePaths.project(project.slug)))))
        for decision in facts.open_decisions(project):
            decisions.append((decision.due, DecisionItem(
                decision.id, decision.title, project.name, decision.owner, loc.date(decision.due),
                decision.due < today, decision.description, url(SitePaths.project(project.slug)))))

    links: tuple[Link, ...] = ()
    if paths.base_url:
        links = (Link(t("digest_status_page"), url(SitePaths.home)),)
    if feeds:
        links += (Link(t("feed_rss"), url(SitePaths.rss)), Link(t("digest_calendar"), url(SitePaths.calendar)))

    def ordered(pairs):
        return tuple(item for _, item in sorted(pairs, key=lambda pair: (pair[0], pair[1].project, pair[1].id)))

    return DigestContent(site, since, updates, ordered(reached), ordered(upcoming), ordered(disruptions),
                         ordered(decisions), links)


# ------------------------------------------------------------------ message

def _environment() -> Environment:
    env = Environment(loader=PackageLoader("cxsite.render", "templates"), undefined=StrictUndefined,
                      autoescape=select_autoescape(["html"]), trim_blocks=True, lstrip_blocks=True)
    env.filters["wrap"] = lambda text, indent=0: textwrap.fill(
        " ".join(str(text).split()), width=72, initial_indent=" " * indent, subsequent_indent=" " * indent,
        break_long_words=False, break_on_hyphens=False)
    return env


def _text_colour(background: str) -> str:
    """White or near-black, whichever reads better on ``background`` (#rgb or #rrggbb)."""
    hex_ = background.lstrip("#")
    if len(hex_) == 3:
        hex_ = "".join(c * 2 for c in hex_)
    r, g, b = (int(hex_[i:i + 2], 16) / 255 for i in (0, 2, 4))
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
    luminance = 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    return "#ffffff" if luminance < 0.4 else "#111827"


def _address(text: str) -> Address:
    name, addr = parseaddr(text)
    if "@" not in addr:
        raise DigestError(f"'{text}' is not an e-mail address")
    return Address(name, addr_spec=addr)


def _cx_owner(site: Microsite) -> m.Person | None:
    try:
        return site.person(site.customer.cx_owner_id)
    except KeyError:
        return None


def build_digest(site: Microsite, since: dt.date, *, now: dt.datetime, sender: str | None = None,
                 recipients: Sequence[str] = (), prose: Prose | None = None) -> EmailMessage:
    """The digest e-mail of ``site`` for what changed from ``since`` up to
    the moment it was cut for; ``now`` is that moment, for the Date header.

    From is the CX owner unless ``sender`` ("Name <addr>" or "addr") is given;
    To is the customer's ``distribution_list`` unless ``recipients`` is.
    Headers are deterministic: the same inputs give the same message.
    """
    content = digest_content(site, since, prose)
    customer = site.customer
    loc = Locale(customer.language, customer.zone)
    t = _words(loc)
    owner = _cx_owner(site)
    if sender:
        from_ = _address(sender)
    elif owner and owner.email:
        from_ = Address(owner.name, addr_spec=owner.email)
    else:
        raise DigestError(f"the CX owner of {customer.name} has no e-mail address in team.yml: add one, or "
                          "give the sender with --from")
    to = [_address(r) for r in recipients] if recipients else [_address(a) for a in customer.distribution_list]
    if not to:
        raise DigestError(f"{customer.name} has no distribution_list in customer.yml: add one, or give the "
                          "recipients with --to")
    owner_name = owner.name if owner else (from_.display_name or from_.addr_spec)
    reach = [value for value in (owner.email, owner.phone) if value] if owner else [from_.addr_spec]
    owner_text = f"{owner_name} ({', '.join(reach)})" if reach else owner_name
    today = site.clock.today(customer.zone)
    subject = t("digest_subject", customer=customer.name, date=loc.date(today))
    colour = customer.brand.colour or DEFAULT_COLOUR
    values = dict(
        d=content, t=t, lang=customer.language, subject=subject, days=LOOKAHEAD_DAYS,
        customer=customer, audience=site.audience, organisation=site.organisation,
        since=loc.date(since), today=loc.date(today), zone=customer.timezone,
        colour=colour, on_colour=_text_colour(colour),
        owner=owner_text, owner_name=owner_name,
        lists=", ".join(a.addr_spec for a in to))
    env = _environment()
    text = env.get_template("digest.txt").render(values)
    html = env.get_template("digest.html").render(values)

    domain = from_.domain or "cxsite.invalid"
    key = f"{customer.slug}/{site.audience.id}/{since.isoformat()}/{now.isoformat()}"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = from_
    message["To"] = to
    if owner and owner.email and owner.email != from_.addr_spec:
        message["Reply-To"] = Address(owner.name, addr_spec=owner.email)
    message["Date"] = format_datetime(now)
    message["Message-ID"] = f"<digest.{hashlib.sha256(key.encode()).hexdigest()[:32]}@{domain}>"
    message["List-Id"] = f"<{site.audience.id}.{customer.slug}.digest.{domain}>"
    message["X-Auto-Response-Suppress"] = "OOF, AutoReply"  # no out-of-office flood to the CX owner
    # Quoted-printable keeps both parts 7-bit, so no SMTP server needs 8BITMIME.
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    message["Content-Language"] = customer.language  # after set_content, which clears Content-* headers
    message.set_boundary(f"=_cxsite_{hashlib.sha256(key.encode()).hexdigest()[32:56]}")
    return message
