"""Privacy audit of a built site: is anything there that must not be?

:mod:`cxsite.views` decides who sees what, and everything downstream renders
only what a view holds. The audit checks that promise from the other end,
on the bytes that would be published: for every microsite it looks for
the strings that audience must never see (:mod:`.needles`) in every file
of the microsite's folder (pages, feeds, calendars, vCards, sitemap,
search index, 404, images), reading each file once (:mod:`.search`). It
also refuses a manifest or a symbolic link inside a microsite, and, for
unlisted and private sites, an HTML page without
``<meta name="robots" content="noindex">``. The build audits each
microsite in the worker that built it (:func:`audit_microsite`); ``cxsite
audit`` runs the same check over a whole output folder (:func:`audit_site`).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator

from .. import model as m
from ..diagnostics import CxsiteError
from ..render.paths import DASHBOARD_SLUG
from ..render.prose import Prose
from ..views import Microsite, microsite
from ..views.clock import Clock
from .manifest import MANIFEST, read_manifest
from .needles import allowed_text, microsite_needles, portfolio_needles
from .search import Haystack, Needle, NeedleSearch, decoded


class AuditError(CxsiteError):
    """The audit could not run (no manifest, site and portfolio disagree)."""


@dataclass(frozen=True)
class Finding:
    path: str       # relative to the site folder, with "/"
    what: str
    excerpt: str = ""

    def format(self) -> str:
        return f"{self.path}: {self.what}" + (f": «{self.excerpt}»" if self.excerpt else "")



# ---------------------------------------------------------------------- scan

_NOINDEX = re.compile(rb"<meta\s+name=\"robots\"\s+content=\"[^\"]*noindex", re.IGNORECASE)


def _files(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            yield Path(dirpath, name)


def _is_theme_asset(relative: Path) -> bool:
    """Files the theme ships (``assets/<folder>/...``: scripts, styles,
    fonts, icons) are the same for every site and hold no portfolio data;
    searching them only finds ordinary words ("draft", "future") in
    minified code. Images cxsite copies from the portfolio sit flat in
    ``assets/`` and are searched."""
    parts = relative.parts
    return len(parts) > 2 and parts[0] == "assets"


def audit_microsite(site_dir: Path, folder: str, view: Microsite, customer: m.Customer,
                    shared: Iterable[Needle], markers: Iterable[str] = (),
                    manifest_data: bytes | None = None, prose: Prose | None = None) -> list[Finding]:
    """Every finding in one built microsite, ``site_dir/folder``.

    ``view`` is what its audience may see, ``customer`` the whole customer
    it was cut from, ``shared`` the :func:`portfolio_needles`, ``prose`` the
    conversions of the customer's Markdown (what it renders to is what may
    be found). The build runs this in its workers right after each
    microsite is written.
    """
    prose = prose or Prose.converting()
    root = Path(site_dir) / folder
    if not root.is_dir():
        return [Finding(folder + "/", "microsite listed in the manifest is missing")]
    needles = microsite_needles(shared, customer, view, prose, markers)
    search: NeedleSearch | None = None
    access = view.customer.site.access.value
    findings: list[Finding] = []
    for path in _files(root):
        rel = f"{folder}/{path.relative_to(root).as_posix()}"
        if path.is_symlink():
            findings.append(Finding(rel, f"symbolic link to {os.readlink(path)}: publish would copy "
                                         "whatever it points to"))
            continue
        data = path.read_bytes()
        if path.name == MANIFEST or (manifest_data is not None and data == manifest_data):
            findings.append(Finding(rel, "the build manifest (it lists every customer's microsites) "
                                         "is inside a microsite"))
        if access != m.Access.PUBLIC.value and path.suffix in (".html", ".htm") \
                and rel != f"{folder}/404.html" and not _NOINDEX.search(data):
            # 404.html is exempt: it is served with status 404, which search engines never index.
            findings.append(Finding(rel, f"page of an {access} microsite without "
                                         '<meta name="robots" content="noindex">'))
        if _is_theme_asset(path.relative_to(root)):
            continue
        if search is None:
            search = NeedleSearch(needles, lambda: allowed_text(view, prose))
        haystack = Haystack(*decoded(data, path.name))
        for needle, index in search.find_all(haystack):
            findings.append(Finding(rel, needle.what, haystack.excerpt(index, len(needle.text))))
    return findings


def audit_site(site_dir: Path, portfolio: m.Portfolio, cutoff: dt.datetime | None = None,
               markers: Iterable[str] = (), only: Iterable[str] = (), jobs: int | None = None) -> list[Finding]:
    """Every finding in the built site ``site_dir`` (empty: clean).

    ``cutoff`` defaults to the manifest's (the moment the site was built
    for); ``only`` limits the audit to some microsites (``customer`` or
    ``customer/audience``) and then skips the check for stray files.
    ``jobs`` microsites are audited at a time (default: one per core).
    """
    site_dir = Path(site_dir)
    manifest = read_manifest(site_dir)
    cutoff = cutoff or manifest.cutoff
    markers = tuple(markers)
    entries = manifest.select(only)
    for entry in entries:
        try:
            portfolio.customer(entry.customer).audience(entry.audience)
        except KeyError:
            raise AuditError(f"{entry.key} is in {site_dir / MANIFEST} but not in the portfolio: "
                             "audit the site with the portfolio it was built from") from None
    clock = Clock(cutoff)
    context = (site_dir, portfolio, clock, portfolio_needles(portfolio, clock), markers, manifest.data)
    jobs = jobs or os.cpu_count() or 1
    keys = [(entry.folder, entry.customer, entry.audience) for entry in entries]
    findings: list[Finding] = []
    if jobs > 1 and len(keys) >= PARALLEL_FROM:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("forkserver"),
                                 initializer=_set_context, initargs=context) as pool:
            for found in pool.map(_audit_entry, keys, chunksize=max(1, len(keys) // (jobs * 8))):
                findings += found
    else:
        _set_context(*context)
        for key in keys:
            findings += _audit_entry(key)

    if not tuple(only):
        folders = {entry.folder for entry in manifest.sites}
        for path in _files(site_dir):
            rel = path.relative_to(site_dir).as_posix()
            if rel.startswith(DASHBOARD_SLUG + "/"):
                continue  # the team's own dashboard: never published (see cxsite.dashboard)
            if rel != MANIFEST and not any(rel.startswith(folder + "/") for folder in folders):
                findings.append(Finding(rel, "file outside every microsite: a host serving the whole "
                                             "folder would publish it"))
    return sorted_findings(findings)


PARALLEL_FROM = 8  # fewer microsites than this are audited faster in this process
_CONTEXT: tuple = ()


def _set_context(*context: object) -> None:
    """What every microsite's audit needs, handed to each worker once."""
    global _CONTEXT
    _CONTEXT = context


def _audit_entry(key: tuple[str, str, str]) -> list[Finding]:
    site_dir, portfolio, clock, shared, markers, manifest_data = _CONTEXT
    folder, customer_slug, audience_id = key
    customer = portfolio.customer(customer_slug)
    view = microsite(portfolio, customer, customer.audience(audience_id), clock)
    return audit_microsite(site_dir, folder, view, customer, shared, markers, manifest_data)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per file and kind, in path order."""
    unique = {(f.path, f.what): f for f in reversed(list(findings))}
    return sorted(unique.values(), key=lambda f: (f.path, f.what))