"""The response headers a published microsite is served with, whatever the host.

One table of types (each text type with ``charset=utf-8``, so no client
guesses) and one set of security headers per microsite: its
Content-Security-Policy (:mod:`cxsite.render.csp`, from the digests the
build recorded in the manifest), ``X-Content-Type-Options: nosniff`` (a
browser never runs a feed or a vCard as a page), ``Referrer-Policy:
same-origin`` (a link out of an unlisted microsite does not hand its
address to the other site) and, for non-public microsites,
``X-Robots-Tag``. The nginx, Apache, ``_headers`` and S3 recipes all
write these.
"""

from __future__ import annotations

import mimetypes
import os

from ..checks.manifest import SiteRecord
from ..render.csp import content_security_policy

NOINDEX = "noindex, nofollow"

#: Every kind of file a microsite holds, by suffix.
CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json; charset=utf-8",
    ".map": "application/json; charset=utf-8", ".xml": "application/xml; charset=utf-8",
    ".ics": "text/calendar; charset=utf-8", ".vcf": "text/vcard; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon",
    ".woff": "font/woff", ".woff2": "font/woff2", ".gz": "application/gzip",
}
#: Where a host can type by name, feeds get their own types.
_BY_NAME = {"feed.xml": "application/rss+xml; charset=utf-8", "atom.xml": "application/atom+xml; charset=utf-8",
            "feed.json": "application/feed+json; charset=utf-8", "_headers": "text/plain; charset=utf-8"}

SECURITY_HEADERS = (("X-Content-Type-Options", "nosniff"), ("Referrer-Policy", "same-origin"))


def content_type(path: str) -> str:
    """The type of one file, for hosts that take a type per file (S3)."""
    name = path.rsplit("/", 1)[-1]
    if name in _BY_NAME:
        return _BY_NAME[name]
    suffix = os.path.splitext(name)[1].lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def site_headers(site: SiteRecord) -> tuple[tuple[str, str], ...]:
    """The headers every response of ``site`` carries."""
    headers = (("Content-Security-Policy", content_security_policy(site.scripts, site.styles)), *SECURITY_HEADERS)
    if site.access != "public":
        headers += (("X-Robots-Tag", NOINDEX),)
    return headers


def outside_headers() -> tuple[tuple[str, str], ...]:
    """The headers of what lies outside every microsite (robots.txt, a 404)."""
    return (("Content-Security-Policy", "default-src 'none'; frame-ancestors 'none'"), *SECURITY_HEADERS)
