"""Every output path and URL of a microsite, computed in one place.

Paths are built only from validated slugs and ids (never from titles or
raw file names), so data can never choose where a file is written. Pages
use directory URLs (``projects/erp/`` is ``projects/erp/index.html``).
All paths here are relative to the microsite's own folder, whose location
in the output is :func:`site_folder`.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from ..source.schema import SLUG_PATTERN
from ..source.uri import uri

#: The delivery team's dashboard is the microsite of a customer that cannot
#: exist: its slug is deliberately not a valid one (leading underscore), so
#: :func:`site_folder` and the manifest refuse it (see cxsite.render.dashboard).
DASHBOARD_SLUG = "_internal"
DASHBOARD_AUDIENCE = "dashboard"
#: Where ``cxsite build`` writes the dashboard, relative to SITE_DIR.
DASHBOARD_FOLDER = f"{DASHBOARD_SLUG}/{DASHBOARD_AUDIENCE}"


def _slug(value: str) -> str:
    if not SLUG_PATTERN.fullmatch(value):
        raise ValueError(f"not a validated slug: {value!r}")
    return value


def site_folder(customer_slug: str, audience_id: str, path_token: str = "") -> str:
    """Where a microsite lives below the output folder: ``<customer>/<audience>``,
    or ``<customer>-<token>/<audience>`` with an unguessable path token."""
    customer = _slug(customer_slug)
    if path_token:
        if not re.fullmatch(r"[a-z0-9]{16,64}", path_token):
            raise ValueError(f"not a validated path token: {path_token!r}")
        customer = f"{customer}-{path_token}"
    return f"{customer}/{_slug(audience_id)}"


@dataclass(frozen=True)
class SitePaths:
    """Output paths (relative to the microsite folder) and absolute URLs."""

    base_url: str = ""  # absolute URL of the microsite folder, ending in "/"; "" when unknown

    # ----------------------------------------------------------- pages
    home = "index.md"
    updates_archive = "updates/index.md"
    contacts = "contacts/index.md"
    subscribe = "subscribe/index.md"

    @staticmethod
    def project(project_slug: str) -> str:
        return f"projects/{_slug(project_slug)}/index.md"

    @staticmethod
    def update(project_slug: str, update_slug: str) -> str:
        return f"projects/{_slug(project_slug)}/updates/{_slug(update_slug)}/index.md"

    # ----------------------------------------------------- subscriptions
    rss = "feed.xml"
    atom = "atom.xml"
    json_feed = "feed.json"
    calendar = "calendar.ics"

    @staticmethod
    def project_rss(project_slug: str) -> str:
        return f"projects/{_slug(project_slug)}/feed.xml"

    @staticmethod
    def project_atom(project_slug: str) -> str:
        return f"projects/{_slug(project_slug)}/atom.xml"

    @staticmethod
    def project_calendar(project_slug: str) -> str:
        return f"projects/{_slug(project_slug)}/calendar.ics"

    @staticmethod
    def event(project_slug: str, event_id: str) -> str:
        """A single-event .ics ("Add to calendar") for a disruption or milestone."""
        return f"projects/{_slug(project_slug)}/events/{_slug(event_id)}.ics"

    @staticmethod
    def vcard(person_id: str) -> str:
        return f"contacts/{_slug(person_id)}.vcf"

    @staticmethod
    def asset(name: str) -> str:
        """A copied image: ``assets/<name>``; ``name`` is built by the caller
        from slugs and a content hash, never from user text."""
        if "/" in name or name.startswith("."):
            raise ValueError(f"not a flat asset name: {name!r}")
        return f"assets/{name}"

    # ------------------------------------------------------------- URLs

    @staticmethod
    def url_of(path: str) -> str:
        """The site-relative URL of an output path: pages lose ``index.md``."""
        if path.endswith("index.md"):
            return path[: -len("index.md")]
        if path.endswith(".md"):
            return path[:-3] + "/"
        return path

    def absolute(self, path: str) -> str:
        """The absolute URL of an output path, a valid URI whatever base it was given."""
        if not self.base_url:
            raise ValueError("this microsite has no base URL")
        return uri(self.base_url + self.url_of(path))

    @staticmethod
    def relative(from_page: str, to_path: str) -> str:
        """A relative link from one output page to another output path."""
        source_dir = SitePaths.url_of(from_page).rstrip("/") or "."
        target = SitePaths.url_of(to_path)
        link = posixpath.relpath(target.rstrip("/") or ".", source_dir)
        if target.endswith("/") or not target:
            link = "./" if link == "." else link + "/"
        return link


def microsite_base_url(customer_base_url: str, audience_id: str) -> str:
    """The absolute URL of one audience's microsite below the customer's base URL."""
    if not customer_base_url:
        return ""
    return uri(f"{customer_base_url}{_slug(audience_id)}/")
