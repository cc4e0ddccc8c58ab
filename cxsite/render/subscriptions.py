"""All subscription files of one microsite, as artifacts for the build."""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from ..views import Microsite
from .artifacts import Alternate, FileArtifact
from .calendar import render_calendar, render_event
from .feeds import feed_items, render_atom, render_json_feed, render_rss
from .i18n import Locale
from .paths import SitePaths
from .prose import Prose
from .vcards import photo_for_vcard, render_vcard

RSS, ATOM, JSON_FEED = "application/rss+xml", "application/atom+xml", "application/feed+json"
ICS, VCF = "text/calendar", "text/vcard"


def render_subscriptions(site: Microsite, paths: SitePaths, prose: Prose,
                         images: Mapping[Path, bytes]) -> tuple[list[FileArtifact], list[Alternate]]:
    """Feeds (site-wide and per project), calendars, single-event files and
    vCards; plus the feeds every page announces in its head."""
    customer = site.customer
    loc = Locale(customer.language, customer.zone)
    files: list[FileArtifact] = []
    limit = customer.site.feed_limit
    everything = feed_items(site, None, prose)
    title = f"{customer.name}: {loc.t('updates')}"
    files += [
        FileArtifact(paths.rss, render_rss(site, everything, title=title, self_path=paths.rss, limit=limit), RSS),
        FileArtifact(paths.atom, render_atom(site, everything, title=title, self_path=paths.atom, limit=limit), ATOM),
        FileArtifact(paths.json_feed, render_json_feed(site, everything, title=title, self_path=paths.json_feed,
                                                       limit=limit),
                     JSON_FEED),
        FileArtifact(paths.calendar, render_calendar(site), ICS),
    ]
    for project in customer.projects:
        items = feed_items(site, project, prose)
        page = SitePaths.project(project.slug)
        project_title = f"{customer.name}: {project.name}"
        rss, atom = paths.project_rss(project.slug), paths.project_atom(project.slug)
        files += [
            FileArtifact(rss, render_rss(site, items, title=project_title, self_path=rss, page_path=page, limit=limit), RSS),
            FileArtifact(atom, render_atom(site, items, title=project_title, self_path=atom, page_path=page,
                                         limit=limit), ATOM),
            FileArtifact(paths.project_calendar(project.slug), render_calendar(site, project), ICS),
        ]
        for disruption in project.disruptions:
            files.append(FileArtifact(paths.event(project.slug, disruption.id),
                                      render_event(site, project, disruption), ICS))
    for person in site.people:
        photo = photo_for_vcard(person, images)
        card = render_vcard(person, site.organisation, photo_bytes=photo[0] if photo else None,
                            photo_type=photo[1] if photo else "JPEG")
        files.append(FileArtifact(paths.vcard(person.id), card, VCF))
    alternates = [Alternate(f"{title} (RSS)", paths.rss, RSS), Alternate(f"{title} (Atom)", paths.atom, ATOM),
                  Alternate(f"{title} (JSON Feed)", paths.json_feed, JSON_FEED)]
    return files, alternates
