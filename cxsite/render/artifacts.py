"""What rendering produces for one microsite, before any site engine sees it.

Pages carry finished HTML bodies and their table of contents; files carry
bytes (feeds, calendars, vCards, images). The MkDocs adapter wraps pages in
the theme; everything else is written as it is.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..views import Microsite


@dataclass(frozen=True)
class TocEntry:
    id: str
    title: str  # plain text
    level: int


@dataclass(frozen=True)
class PageArtifact:
    path: str                  # e.g. "projects/erp/index.md" (see cxsite.render.paths)
    title: str                 # plain text; adapters escape it
    html: str                  # the finished, safe body
    toc: tuple[TocEntry, ...] = ()
    description: str = ""      # plain text for <meta name="description">


@dataclass(frozen=True)
class FileArtifact:
    path: str
    content: bytes
    media_type: str = "application/octet-stream"


@dataclass(frozen=True)
class NavItem:
    title: str                         # plain text
    path: str | None = None            # a page path, or None for a section
    children: tuple["NavItem", ...] = ()


@dataclass(frozen=True)
class Alternate:
    """A feed announced in every page head (<link rel="alternate">)."""

    title: str
    path: str
    media_type: str


@dataclass(frozen=True)
class MicrositeArtifacts:
    site: Microsite
    base_url: str                      # absolute URL of the microsite, or ""
    pages: tuple[PageArtifact, ...]
    files: tuple[FileArtifact, ...]
    nav: tuple[NavItem, ...]
    alternates: tuple[Alternate, ...] = ()
    logo: str | None = None            # path of the logo among files
    extra: dict = field(default_factory=dict)

    def paths(self) -> list[str]:
        return [p.path for p in self.pages] + [f.path for f in self.files]
