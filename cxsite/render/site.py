"""The pipeline without a site engine: portfolio -> microsites -> artifacts.

:class:`SiteRenderer` turns one :class:`~cxsite.views.Microsite` into its
:class:`~cxsite.render.artifacts.MicrositeArtifacts`: page bodies, feeds,
calendars, vCards and copied images. Nothing here imports MkDocs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from .. import model as m
from ..views import Microsite
from .artifacts import Alternate, FileArtifact, MicrositeArtifacts, NavItem
from .i18n import Locale
from .markdown import MarkdownRenderer, shared_renderer
from .pages import PageContext, PageRenderer
from .paths import SitePaths, microsite_base_url

MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}


def asset_name(prefix: str, path: Path) -> tuple[str, bytes]:
    """A flat, content-addressed name for a copied image."""
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{prefix}-{digest}{path.suffix.lower()}", data


class SiteRenderer:
    """Renders microsites; reuse one instance across many for speed."""

    def __init__(self, markdown: MarkdownRenderer | None = None) -> None:
        self.markdown = markdown or shared_renderer()
        self.pages = PageRenderer(self.markdown)

    def render(self, site: Microsite) -> MicrositeArtifacts:
        customer = site.customer
        base_url = microsite_base_url(customer.site.base_url, site.audience.id)
        paths = SitePaths(base_url)
        loc = Locale(customer.language, customer.zone)
        files: list[FileArtifact] = []

        photos: dict[str, str] = {}
        for person in site.people:
            if person.photo:
                name, data = asset_name(f"person-{person.id}", person.photo)
                photos[person.id] = SitePaths.asset(name)
                files.append(FileArtifact(photos[person.id], data, MEDIA_TYPES[person.photo.suffix.lower()]))
        logo = None
        if customer.brand.logo:
            name, data = asset_name("logo", customer.brand.logo)
            logo = SitePaths.asset(name)
            files.append(FileArtifact(logo, data, MEDIA_TYPES[customer.brand.logo.suffix.lower()]))

        has_feeds = bool(base_url) and customer.site.feeds
        subscriptions = self._subscriptions(site, paths, photos) if has_feeds else ([], [])
        files.extend(subscriptions[0])
        ctx = PageContext(site=site, paths=paths, loc=loc, photo=lambda p: photos.get(p.id), has_feeds=has_feeds,
                          has_calendars=has_feeds, has_vcards=has_feeds)
        pages = self.pages.render(ctx)
        nav = self._nav(site, loc, has_feeds)
        return MicrositeArtifacts(site=site, base_url=base_url, pages=tuple(pages), files=tuple(files),
                                  nav=tuple(nav), alternates=tuple(subscriptions[1]), logo=logo)

    def _nav(self, site: Microsite, loc: Locale, has_feeds: bool) -> list[NavItem]:
        nav = [NavItem(loc.t("home"), SitePaths.home)]
        projects = tuple(NavItem(p.name, SitePaths.project(p.slug)) for p in site.customer.projects)
        if projects:
            nav.append(NavItem(loc.t("projects"), None, projects))
        nav.append(NavItem(loc.t("updates"), SitePaths.updates_archive))
        nav.append(NavItem(loc.t("contacts"), SitePaths.contacts))
        if has_feeds:
            nav.append(NavItem(loc.t("subscribe"), SitePaths.subscribe))
        return nav

    def _subscriptions(self, site: Microsite, paths: SitePaths,
                       photos: dict[str, str]) -> tuple[list[FileArtifact], list[Alternate]]:
        """Feeds, calendars and vCards (see cxsite.subscriptions)."""
        from .subscriptions import render_subscriptions

        return render_subscriptions(site, paths, self.markdown, photos)


def people_by_id(site: Microsite) -> dict[str, m.Person]:
    return {p.id: p for p in site.people}
