"""A microsite's artifacts: its pages' bodies, feeds, calendars, vCards and images.

:class:`SiteRenderer` turns one :class:`~cxsite.views.Microsite` into its
:class:`~cxsite.render.artifacts.MicrositeArtifacts`, given the conversions
of its Markdown (:class:`~cxsite.render.prose.Prose`) and the bytes of the
images it shows (:func:`site_images`). It reads nothing and keeps nothing;
nothing here imports MkDocs.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Mapping

from jinja2 import BytecodeCache

from .. import model as m
from ..views import Microsite
from .artifacts import Alternate, FileArtifact, MicrositeArtifacts, NavItem
from .i18n import Locale
from .pages import PageContext, PageRenderer
from .paths import SitePaths, microsite_base_url
from .prose import Prose

MEDIA_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
               ".svg": "image/svg+xml", ".webp": "image/webp"}


def site_images(site: Microsite) -> list[Path]:
    """Every image file the microsite shows: its people's photos and the customer's logo."""
    paths = [person.photo for person in site.people if person.photo]
    if site.customer.brand.logo:
        paths.append(site.customer.brand.logo)
    return paths


def asset_name(prefix: str, path: Path, data: bytes) -> str:
    """A flat, content-addressed name for a copied image."""
    digest = hashlib.sha256(data).hexdigest()[:12]
    return f"{prefix}-{digest}{path.suffix.lower()}"


class SiteRenderer:
    """Renders microsites; reuse one instance across many (its Jinja
    environment compiles each template once)."""

    def __init__(self, compiled: BytecodeCache | None = None) -> None:
        self.pages = PageRenderer(compiled)

    def render(self, site: Microsite, prose: Prose, images: Mapping[Path, bytes]) -> MicrositeArtifacts:
        """``prose`` holds every Markdown text of ``site``
        (:func:`~cxsite.render.prose.markdown_texts`), ``images`` the bytes of
        every path :func:`site_images` names."""
        customer = site.customer
        base_url = microsite_base_url(customer.site.base_url, site.audience.id)
        paths = SitePaths(base_url)
        loc = Locale(customer.language, customer.zone)
        files: list[FileArtifact] = []

        photos: dict[str, str] = {}
        for person in site.people:
            if person.photo:
                data = images[person.photo]
                photos[person.id] = SitePaths.asset(asset_name(f"person-{person.id}", person.photo, data))
                files.append(FileArtifact(photos[person.id], data, MEDIA_TYPES[person.photo.suffix.lower()]))
        logo = None
        if customer.brand.logo:
            data = images[customer.brand.logo]
            logo = SitePaths.asset(asset_name("logo", customer.brand.logo, data))
            files.append(FileArtifact(logo, data, MEDIA_TYPES[customer.brand.logo.suffix.lower()]))

        has_feeds = bool(base_url) and customer.site.feeds
        subscriptions = self._subscriptions(site, paths, prose, images) if has_feeds else ([], [])
        files.extend(subscriptions[0])
        ctx = PageContext(site=site, paths=paths, loc=loc, prose=prose, photo=lambda p: photos.get(p.id),
                          has_feeds=has_feeds, has_calendars=has_feeds, has_vcards=has_feeds)
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

    def _subscriptions(self, site: Microsite, paths: SitePaths, prose: Prose,
                       images: Mapping[Path, bytes]) -> tuple[list[FileArtifact], list[Alternate]]:
        """Feeds, calendars and vCards (see cxsite.render.subscriptions)."""
        from .subscriptions import render_subscriptions

        return render_subscriptions(site, paths, prose, images)


def people_by_id(site: Microsite) -> dict[str, m.Person]:
    return {p.id: p for p in site.people}
