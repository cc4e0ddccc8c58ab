"""RSS 2.0, Atom 1.0 and JSON Feed 1.1 for one microsite (or one of its projects).

What a subscriber can rely on:

* **An item is delivered once.** Every GUID is derived from stable ids only
  (customer slug, project slug, update / milestone / disruption id), never
  from a URL, title, date or file name: retitling an update, renaming its
  file or moving its date changes its link, not its GUID. GUIDs are
  ``urn:uuid:`` + uuid5(:data:`CXSITE_NAMESPACE`, name) with these names:

  ================================  ==============================================
  update                            ``<customer>/update/<update id>``
  milestone reached                 ``<customer>/<project>/milestone/<id>/reached``
  disruption announced              ``<customer>/<project>/disruption/<id>/announced``
  disruption rescheduled/cancelled  ``<customer>/<project>/disruption/<id>/v<SEQUENCE>``
  ================================  ==============================================

  (Update ids are unique within a customer; milestone and disruption ids
  only within a project, hence the project slug.)
* **Nothing from the future.** Only updates the microsite already publishes
  (see :mod:`cxsite.views`), and milestones, announcements and change
  notices dated no later than the build's moment.
* **Date-only values** (milestone ``done``, disruption ``announced`` and
  ``changed``) are dated 09:00 on that day in the customer's time zone
  (:data:`~cxsite.render.words.DATE_ONLY_TIME`); they appear once
  that instant has come.
* **The feed date is content, not the clock.** RSS ``lastBuildDate``, Atom
  ``updated`` are the newest item's date (its ``updated`` if set, else its
  ``published``), so rebuilding later with nothing new gives the same
  bytes. With no items, RSS leaves ``lastBuildDate`` out (it is optional)
  and Atom, where ``updated`` is required, says 1970-01-01T00:00:00Z
  (:data:`EMPTY_FEED_UPDATED`): stable, never in the future, and obviously
  "nothing yet". No generator version and no build clock appear anywhere:
  the same input always gives the same bytes.
* **Links work in any reader.** Links and images in item content are
  absolute, resolved against the item's own page URL; that needs the
  customer's ``site.base_url`` (:class:`FeedsNeedBaseUrl` otherwise).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass
from typing import Iterable, Sequence

from feedgen.feed import FeedGenerator
from lxml import etree

from .. import model as m
from ..diagnostics import CxsiteError
from .paths import SitePaths
from ..views import Microsite, release_time
from .prose import Prose
from .sanitise import absolutize
from .text import html_to_text, summary, text_to_html
from .urls import mailto, uri
from .words import CXSITE_NAMESPACE, at_nine, format_day, format_window, is_reached, site_paths, site_project, \
    stable_uuid, words

__all__ = [
    "CXSITE_NAMESPACE", "DEFAULT_LIMIT", "EMPTY_FEED_UPDATED", "FeedItem", "FeedsNeedBaseUrl",
    "feed_items", "feed_paths", "render_atom", "render_json_feed", "render_rss",
]

DEFAULT_LIMIT = 50
#: Atom's required feed ``updated`` when a feed has no items (RSS omits lastBuildDate then).
EMPTY_FEED_UPDATED = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
JSON_FEED_VERSION = "https://jsonfeed.org/version/1.1"
GENERATOR = "cxsite"


class FeedsNeedBaseUrl(CxsiteError, ValueError):
    """Feeds were asked for, but the customer has no ``site.base_url``."""

    def __init__(self, customer: m.Customer):
        self.customer = customer
        where = customer.location.path if customer.location.path != "<none>" else f"{customer.slug}/customer.yml"
        super().__init__(
            f"{where}: feeds for customer '{customer.slug}' need absolute links, but customer.yml has no "
            f"site.base_url. Add the URL the microsites are served under, e.g. "
            f'site: {{base_url: "https://status.example.com/{customer.slug}/"}} (absolute, ending in "/").')


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed, in any of the three formats."""

    guid: str                      # urn:uuid:…, from stable ids only
    title: str
    link: str                      # output path (SitePaths) of the item's page; content is relative to it
    published: dt.datetime         # aware
    updated: dt.datetime | None    # aware; set when the item appeared later than it is dated (embargo)
    author: m.Person | None
    categories: tuple[str, ...]
    content_html: str              # full HTML, its links and images absolute
    summary: str                   # plain text

    @property
    def date(self) -> dt.datetime:
        """When the item last changed: what feed dates and ordering use."""
        return self.updated or self.published


# ------------------------------------------------------------------ items

def feed_items(site: Microsite, project: m.Project | None, prose: Prose) -> list[FeedItem]:
    """Every item a feed of ``site`` (or of one of its projects) may carry, newest first.

    ``prose`` holds the conversions of the site's Markdown (update bodies,
    milestone and disruption descriptions). ``project`` is looked up on the
    microsite by slug, so only what the audience may see is used even if an
    unfiltered project is passed.
    """
    paths = feed_paths(site)
    projects = (site_project(site, project),) if project is not None else site.customer.projects
    wanted = {p.slug for p in projects}
    items: list[FeedItem] = []
    for owner, update in site.updates:
        if owner.slug in wanted:
            items.extend(_update_item(site, owner, update, prose))
    for owner in projects:
        for milestone in owner.milestones:
            items.extend(_milestone_item(site, owner, milestone, prose))
        for disruption in owner.disruptions:
            items.extend(_disruption_items(site, owner, disruption, prose))
    items = [dataclasses.replace(item, content_html=absolutize(item.content_html, paths.absolute(item.link)))
             for item in items if site.clock.passed(item.date)]
    return _newest_first(items)


def _newest_first(items: Iterable[FeedItem]) -> list[FeedItem]:
    return sorted(items, key=lambda item: (item.date, item.published, item.guid), reverse=True)


def _update_item(site: Microsite, project: m.Project, update: m.Update, prose: Prose) -> list[FeedItem]:
    released = release_time(update)
    if update.internal or update.draft or not site.clock.passed(released):  # the views did this; never trust twice
        return []
    try:
        author: m.Person | None = site.person(update.author_id)
    except KeyError:
        author = None
    content = prose[update.body_markdown].html
    return [FeedItem(
        guid=stable_uuid(f"{site.customer.slug}/update/{update.id}"),
        title=update.title,
        link=SitePaths.update(project.slug, update.slug),
        published=update.published,
        updated=released if released > update.published else None,
        author=author,
        categories=(update.kind.value, project.name),
        content_html=content,
        summary=update.summary or summary(prose[update.body_markdown].text) or update.title,
    )]


def _milestone_item(site: Microsite, project: m.Project, milestone: m.Milestone, prose: Prose) -> list[FeedItem]:
    if not is_reached(site, milestone):
        return []
    assert milestone.done is not None
    customer, w = site.customer, words(site.customer)
    reached = text_to_html(w["reached_on"].format(date=format_day(milestone.done, customer)))
    content = (prose[milestone.description].html if milestone.description else "") + f"<p>{reached}</p>"
    return [FeedItem(
        guid=stable_uuid(f"{customer.slug}/{project.slug}/milestone/{milestone.id}/reached"),
        title=w["milestone_reached"].format(title=milestone.title),
        link=SitePaths.project(project.slug),
        published=at_nine(milestone.done, customer),
        updated=None,
        author=None,
        categories=("milestone", project.name),
        content_html=content,
        summary=summary(html_to_text(content)),
    )]


def _facts(rows: Sequence[tuple[str, str]]) -> str:
    return "".join(f"<p><strong>{text_to_html(label)}:</strong> {text_to_html(value)}</p>" for label, value in rows)


def _disruption_items(site: Microsite, project: m.Project, disruption: m.Disruption,
                      prose: Prose) -> list[FeedItem]:
    customer, w = site.customer, words(site.customer)
    base = f"{customer.slug}/{project.slug}/disruption/{disruption.id}"
    link = SitePaths.project(project.slug)
    description = prose[disruption.description].html if disruption.description else ""
    impact = w[disruption.impact.value]
    items = []
    if disruption.announced is not None:
        # The announcement keeps describing the window it announced (the
        # first one), so its content never changes under the same GUID;
        # later changes arrive as change notices of their own.
        first = disruption.previous_windows[0] if disruption.previous_windows else disruption.window
        content = _facts([(w["when"], format_window(first, customer)), (w["affects"], disruption.affects),
                          (w["impact"], impact)]) + description
        items.append(FeedItem(
            guid=stable_uuid(f"{base}/announced"),
            title=w["disruption_planned"].format(title=disruption.title),
            link=link, published=at_nine(disruption.announced, customer), updated=None, author=None,
            categories=("disruption", project.name), content_html=content,
            summary=summary(html_to_text(content))))
    cancelled = disruption.status is m.DisruptionStatus.CANCELLED
    if disruption.changed is not None and (cancelled or disruption.previous_windows):
        if cancelled:
            title, category = w["disruption_cancelled"], "disruption-cancelled"
            content = (f"<p>{text_to_html(w['cancelled_text'])}</p>"
                       + _facts([(w["was"], format_window(disruption.window, customer)),
                                 (w["affects"], disruption.affects)]))
        else:
            title, category = w["disruption_rescheduled"], "disruption-rescheduled"
            content = _facts([(w["when"], format_window(disruption.window, customer)),
                              (w["was"], format_window(disruption.previous_windows[-1], customer)),
                              (w["affects"], disruption.affects), (w["impact"], impact)]) + description
        items.append(FeedItem(
            guid=stable_uuid(f"{base}/v{disruption.sequence}"),
            title=title.format(title=disruption.title),
            link=link, published=at_nine(disruption.changed, customer), updated=None, author=None,
            categories=(category, project.name), content_html=content,
            summary=summary(html_to_text(content))))
    return items


# -------------------------------------------------------------- rendering

def feed_paths(site: Microsite) -> SitePaths:
    """The microsite's paths with its absolute base URL; raises
    :class:`FeedsNeedBaseUrl` when the customer has no ``site.base_url``."""
    if not site.customer.site.base_url:
        raise FeedsNeedBaseUrl(site.customer)
    return site_paths(site)


def _select(items: Iterable[FeedItem], limit: int) -> list[FeedItem]:
    if limit < 1:
        raise ValueError(f"a feed needs room for at least one item, not {limit}")
    return _newest_first(items)[:limit]


def _local(site: Microsite, when: dt.datetime) -> dt.datetime:
    return when.astimezone(site.customer.zone)




def _generator(site: Microsite, paths: SitePaths, items: list[FeedItem], *, title: str, self_path: str,
               page_path: str, description: str, self_type: str) -> FeedGenerator:
    """The feed for either format. RSS has no way to say that a description
    is text, and readers render it as HTML, so an RSS description is the
    text as HTML (:func:`text_to_html`, escaped once more in the XML);
    Atom's subtitle and summary say type="text" and carry the text itself."""
    rss = self_type == "application/rss+xml"
    customer = site.customer
    fg = FeedGenerator()
    fg.id(stable_uuid(f"{customer.slug}/{site.audience.id}/{self_path}"))
    fg.title(title)
    fg.description(text_to_html(description or title) if rss else description or title)
    fg.language(customer.language)
    fg.generator(GENERATOR)
    fg.author({"name": site.organisation.name, **({"uri": uri(site.organisation.website)}
                                                   if site.organisation.website else {})})
    fg.link(href=paths.absolute(self_path), rel="self", type=self_type)
    fg.link(href=paths.absolute(page_path), rel="alternate")  # last: feedgen makes it the RSS channel link
    fg.updated(_local(site, items[0].date) if items else EMPTY_FEED_UPDATED)
    if any(item.author is not None and not item.author.email for item in items):
        fg.load_extension("dc", atom=False, rss=True)  # RSS <author> needs an e-mail; dc:creator does not
    for item in items:
        entry = fg.add_entry(order="append")
        entry.id(item.guid)
        entry.guid(item.guid, permalink=False)
        entry.title(item.title)
        entry.link(href=paths.absolute(item.link), rel="alternate")
        entry.published(_local(site, item.published))
        entry.updated(_local(site, item.date))
        entry.content(item.content_html, type="html")
        if rss:
            entry.description(text_to_html(item.summary), isSummary=True)
        else:
            entry.summary(item.summary, type="text")
        if item.author is not None:
            person = item.author
            entry.author({"name": person.name, **({"email": person.email} if person.email else {})})
            if not person.email:
                entry.dc.dc_creator(person.name)
        entry.category([{"term": category} for category in item.categories])
    return fg


def render_rss(site: Microsite, items: Iterable[FeedItem], *, title: str, self_path: str,
               page_path: str = SitePaths.home, description: str = "", limit: int = DEFAULT_LIMIT) -> bytes:
    """RSS 2.0 (with content:encoded and atom:link rel=self) of the newest ``limit`` items.

    ``self_path`` is the feed's own output path (e.g. ``SitePaths.rss``),
    ``page_path`` the page it belongs to (the channel link)."""
    paths = feed_paths(site)
    chosen = _select(items, limit)
    fg = _generator(site, paths, chosen, title=title, self_path=self_path, page_path=page_path,
                    description=description, self_type="application/rss+xml")
    data = fg.rss_str(pretty=True)
    if not chosen:  # no content, so no honest lastBuildDate: leave the optional element out
        root = etree.fromstring(data, etree.XMLParser(remove_blank_text=True))
        for element in root.iter("lastBuildDate"):
            element.getparent().remove(element)
        data = etree.tostring(root, pretty_print=True, xml_declaration=True, encoding="UTF-8")
    return ascii_xml(data)


def render_atom(site: Microsite, items: Iterable[FeedItem], *, title: str, self_path: str,
                page_path: str = SitePaths.home, description: str = "", limit: int = DEFAULT_LIMIT) -> bytes:
    """Atom 1.0 of the newest ``limit`` items (content type="html", link rel=self)."""
    paths = feed_paths(site)
    chosen = _select(items, limit)
    fg = _generator(site, paths, chosen, title=title, self_path=self_path, page_path=page_path,
                    description=description, self_type="application/atom+xml")
    return ascii_xml(fg.atom_str(pretty=True))


def ascii_xml(data: bytes) -> bytes:
    """A feed's UTF-8 XML as ASCII bytes, every other character written as a
    character reference: stock nginx and Apache send ``text/xml`` without a
    charset, which RFC 3023 reads as US-ASCII, so "£" in UTF-8 makes readers
    report a broken feed; ASCII reads the same under any charset. (Names,
    comments and CDATA, where references do not work, are ASCII in what
    feedgen and lxml write.)"""
    return data.decode("utf-8").encode("ascii", "xmlcharrefreplace")


def render_json_feed(site: Microsite, items: Iterable[FeedItem], *, title: str, self_path: str,
                     page_path: str = SitePaths.home, description: str = "",
                     limit: int = DEFAULT_LIMIT) -> bytes:
    """JSON Feed 1.1 of the newest ``limit`` items (UTF-8, stable key order)."""
    paths = feed_paths(site)
    chosen = _select(items, limit)
    organisation = {"name": site.organisation.name}
    if site.organisation.website:
        organisation["url"] = uri(site.organisation.website)
    feed: dict[str, object] = {
        "version": JSON_FEED_VERSION,
        "title": title,
        "home_page_url": paths.absolute(page_path),
        "feed_url": paths.absolute(self_path),
    }
    if description:
        feed["description"] = description
    feed["language"] = site.customer.language
    feed["authors"] = [organisation]
    entries = []
    for item in chosen:
        entry: dict[str, object] = {
            "id": item.guid,
            "url": paths.absolute(item.link),
            "title": item.title,
            "content_html": item.content_html,
            "summary": item.summary,
            "date_published": _local(site, item.published).isoformat(),
        }
        if item.updated is not None:
            entry["date_modified"] = _local(site, item.updated).isoformat()
        if item.author is not None:
            author = {"name": item.author.name}
            if item.author.email:
                author["url"] = mailto(item.author.email)
            entry["authors"] = [author]
        entry["tags"] = list(item.categories)
        entries.append(entry)
    feed["items"] = entries
    return (json.dumps(feed, ensure_ascii=False, indent=2) + "\n").encode("utf-8")

