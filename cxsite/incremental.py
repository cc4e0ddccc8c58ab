"""Incremental builds: rebuild only the microsites whose output can change.

A microsite's *fingerprint* hashes everything its files are made from:

- the code and the look: cxsite's own source and templates, the base
  ``mkdocs.yml``, the theme overrides folder, and the MkDocs and Material
  versions;
- the data: the :class:`~cxsite.views.Microsite` itself, i.e. exactly what
  this audience may see (so an edit to another customer, or to content this
  audience cannot see, leaves it alone), plus the bytes of the images it
  shows;
- time: the build cutoff changes every build, so instead of the cutoff the
  fingerprint holds what the pages *derive* from it: the customer's local
  date (timeline "today", overdue updates) and, for every moment the pages
  or feeds compare with the cutoff, which side of it the cutoff falls on.

Equal fingerprints mean equal output, so the previous folder is reused by
hard-linking it into the new output instead of rendering it again.
"""

from __future__ import annotations

import dataclasses
import filecmp
import datetime as dt
import hashlib
import os
import shutil
from importlib.metadata import version
from pathlib import Path
from typing import TYPE_CHECKING

from . import model as m
from .views import Microsite

if TYPE_CHECKING:
    from .scan import PortfolioScan

PACKAGE = Path(__file__).resolve().parent
DATE_ONLY_TIME = dt.time(9, 0)  # date-only moments in feeds and calendars (cxsite.subscriptions)


def _hash_tree(digest: "hashlib._Hash", root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(str(path.relative_to(root)).encode())
            digest.update(path.read_bytes())


def code_fingerprint(config_file: Path) -> str:
    """Everything but the data: cxsite's code and templates, mkdocs.yml, the
    theme overrides, and the MkDocs and Material versions."""
    digest = hashlib.sha256()
    _hash_tree(digest, PACKAGE)
    from ruamel.yaml import YAML

    digest.update(config_file.read_bytes())
    config = YAML(typ="safe", pure=True).load(config_file.read_text(encoding="utf-8")) or {}
    theme = config.get("theme") if isinstance(config.get("theme"), dict) else {}
    custom_dir = theme.get("custom_dir")
    if custom_dir:
        _hash_tree(digest, (config_file.parent / custom_dir).resolve())
    for package in ("mkdocs", "mkdocs-material"):
        digest.update(f"{package}={version(package)}".encode())
    return digest.hexdigest()


def _at_nine(day: dt.date, customer: m.Customer) -> dt.datetime:
    return dt.datetime.combine(day, DATE_ONLY_TIME, tzinfo=customer.zone)


def _moments(site: Microsite) -> list[dt.datetime]:
    """Every moment the pages or feeds of a site compare with the cutoff."""
    customer = site.customer
    moments: list[dt.datetime] = []
    for project in customer.projects:
        for disruption in project.disruptions:
            moments += [disruption.window.start, disruption.window.end]
            moments += [_at_nine(d, customer) for d in (disruption.announced, disruption.changed) if d]
        for milestone in project.milestones:
            moments += [_at_nine(d, customer) for d in (milestone.done, milestone.forecast, milestone.planned) if d]
    return moments


def time_state(site: Microsite) -> tuple:
    """What the output derives from the cutoff, without the cutoff itself."""
    customer, cutoff = site.customer, site.cutoff
    local_date = cutoff.astimezone(customer.zone).date()
    return local_date.isoformat(), tuple(moment <= cutoff for moment in _moments(site)), site.next_embargo


def valid_until(site: Microsite) -> dt.datetime:
    """The first moment after the cutoff at which :func:`time_state` changes
    (the next local midnight at the latest): until then, with the same
    inputs, a build would write the same bytes."""
    cutoff = site.cutoff
    local = cutoff.astimezone(site.customer.zone)
    midnight = dt.datetime.combine(local.date() + dt.timedelta(days=1), dt.time(), tzinfo=site.customer.zone)
    later = [moment for moment in _moments(site) if moment > cutoff]
    if site.next_embargo:
        later.append(site.next_embargo)
    return min([midnight, *later])


def input_signature(projects_dir: Path, code: str, scan: "PortfolioScan | None" = None) -> str:
    """Names, sizes and modification times of every portfolio file, plus the
    code fingerprint: cheap to compute without reading the files, and
    different whenever anything a build reads has changed."""
    from .scan import scan_portfolio

    scan = scan or scan_portfolio(Path(projects_dir).resolve())
    return hashlib.sha256(f"{code}\0{scan.signature}".encode()).hexdigest()


def _image_bytes(site: Microsite) -> list[bytes]:
    paths = [person.photo for person in site.people if person.photo]
    if site.customer.brand.logo:
        paths.append(site.customer.brand.logo)
    return [hashlib.sha256(path.read_bytes()).digest() for path in paths]


def site_fingerprint(site: Microsite, code: str) -> str:
    digest = hashlib.sha256(code.encode())
    without_clock = dataclasses.replace(site, cutoff=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc),
                                        next_embargo=None)
    digest.update(repr(without_clock).encode())
    digest.update(repr(time_state(site)).encode())
    for image in _image_bytes(site):
        digest.update(image)
    return digest.hexdigest()


def link_tree(source: Path, target: Path) -> None:
    """Reuse a previous microsite: hard links where the file system allows,
    copies where it does not (another device)."""
    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link_or_copy)


def deduplicate(fresh: list[Path], reused: list[Path]) -> int:
    """Store identical theme assets once: each file under ``<folder>/assets/``
    of a freshly built folder is hard-linked to an identical file of the same
    name in another microsite. Theme assets are the same in every microsite,
    so one reused folder (already linked to the rest) is enough to compare
    with. Returns the bytes saved."""
    index: dict[tuple[str, int], Path] = {}
    for folder in reused:
        assets = folder / "assets"
        if assets.is_dir():
            for path in assets.rglob("*"):
                if path.is_file():
                    index.setdefault((str(path.relative_to(assets)), path.stat().st_size), path)
            break
    saved = 0
    for folder in fresh:
        assets = folder / "assets"
        if not assets.is_dir():
            continue
        for path in sorted(assets.rglob("*")):
            if not path.is_file():
                continue
            size = path.stat().st_size
            key = (str(path.relative_to(assets)), size)
            original = index.setdefault(key, path)
            if original == path or os.path.samefile(original, path) or not filecmp.cmp(original, path, shallow=False):
                continue
            temporary = path.with_name(path.name + ".cxsite-link")
            try:
                os.link(original, temporary)
                os.replace(temporary, path)
                saved += size
            except OSError:
                temporary.unlink(missing_ok=True)
    return saved
