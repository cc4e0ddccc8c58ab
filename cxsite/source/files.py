"""Reading one portfolio file safely: size limits, links out, unreadable files.

What a file holds is its :data:`Content`: its bytes, or the reason they
could not be read. Deciding what the bytes mean is :mod:`.documents`' job,
so that a file's content (and nothing else) decides what it parses to.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from ..diagnostics import Collector, Location

MAX_YAML_BYTES = 1 << 20        # 1 MiB: a project.yml is a few KiB
MAX_MARKDOWN_BYTES = 512 << 10  # 512 KiB: an update is a few KiB


@dataclass(frozen=True)
class TooLarge:
    """The file is larger than its kind allows; it was not read."""

    size: int
    limit: int


@dataclass(frozen=True)
class Unreadable:
    """The file could not be read (the operating system's reason)."""

    reason: str


Content = bytes | TooLarge | Unreadable


def read_content(path: Path, limit: int) -> Content:
    """The bytes of ``path``, unless it is larger than ``limit`` or cannot be read."""
    try:
        size = os.stat(path).st_size
        if size > limit:
            return TooLarge(size, limit)
        with open(path, "rb") as handle:
            return handle.read(limit + 1)
    except OSError as exc:
        return Unreadable(exc.strerror or str(exc))


def here(path: Path | str, line: int = 0, column: int = 0) -> Location:
    """A location in a portfolio file. Paths are absolute, so a diagnostic
    means the same whatever the working folder; they are shown relative to
    it when printed (:meth:`cxsite.diagnostics.Diagnostic.format`)."""
    return Location(os.path.abspath(path), line, column)


class Bounds:
    """Which paths lie inside the portfolio: a link that leads out of it is
    refused (with a diagnostic), as is any file behind it."""

    def __init__(self, root: Path) -> None:
        self.root = Path(os.path.abspath(root))
        self._real_root = Path(os.path.realpath(self.root))
        self._inside: set[str] = {str(self.root)}  # folders known to lie inside (not links)

    def inside(self, path: Path, diagnostics: Collector) -> bool:
        """False (with a diagnostic) when a symlink leads out of the portfolio.

        A plain file or folder in a folder already found inside is inside
        too; only links (and the first look at a folder) need resolving."""
        parent = os.path.dirname(path)
        if parent in self._inside and not os.path.islink(path):
            if os.path.isdir(path):
                self._inside.add(str(path))
            return True
        real = Path(os.path.realpath(path))
        if real == self._real_root or self._real_root in real.parents:
            if not os.path.islink(path) and os.path.isdir(path):
                self._inside.add(str(path))
            return True
        diagnostics.error(here(path), "this link points outside the portfolio folder",
                          "copy the file into the portfolio instead of linking to it")
        return False


def read_images(paths: Iterable[Path]) -> dict[Path, bytes]:
    """The bytes to publish of each image file (a renderer's input;
    cxsite.render.site.site_images): an SVG rebuilt from an allow-list
    (:func:`~cxsite.source.svg.clean_svg`; ``check`` refused any it cannot
    clean), any other image as it is."""
    from .svg import clean_svg

    images = {}
    for path in paths:
        data = Path(path).read_bytes()
        images[path] = clean_svg(data) if Path(path).suffix.lower() == ".svg" else data
    return images
