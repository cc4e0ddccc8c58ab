"""A whole build: load -> views -> render -> verify -> swap into place.

Everything is written to a staging folder beside the output folder; only
when every microsite is built and every feed, calendar and vCard has been
read back successfully is the staging folder swapped in. Any failure
leaves the previous output exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from . import __version__
from .diagnostics import BuildError, Diagnostic, PortfolioError
from .mkdocs_adapter import build_microsite, find_config
from .paths import SitePaths, site_folder
from .pipeline import SiteRenderer, build_cutoff
from .validate import load_portfolio
from .views import microsites, next_embargo

MANIFEST = "manifest.json"


@dataclass(frozen=True)
class SiteRecord:
    key: str
    customer: str
    audience: str
    folder: str
    base_url: str
    access: str
    pages: int
    feeds: tuple[str, ...]
    calendars: tuple[str, ...]
    vcards: tuple[str, ...]


@dataclass(frozen=True)
class BuildResult:
    out_dir: Path
    sites: tuple[SiteRecord, ...]
    warnings: tuple[Diagnostic, ...]
    cutoff: dt.datetime
    next_embargo: dt.datetime | None
    seconds: float


def _record(artifacts, folder: str) -> SiteRecord:  # type: ignore[no-untyped-def]
    paths = [f.path for f in artifacts.files]
    site = artifacts.site
    return SiteRecord(
        key=site.key, customer=site.customer.slug, audience=site.audience.id, folder=folder,
        base_url=artifacts.base_url, access=site.customer.site.access.value, pages=len(artifacts.pages),
        feeds=tuple(p for p in paths if p.endswith((".xml", ".json"))),
        calendars=tuple(p for p in paths if p.endswith(".ics") and "/events/" not in p),
        vcards=tuple(p for p in paths if p.endswith(".vcf")))


def _is_replaceable(out_dir: Path) -> bool:
    """Only an empty folder or a previous cxsite output may be replaced."""
    if not out_dir.exists():
        return True
    if not out_dir.is_dir():
        return False
    return (out_dir / MANIFEST).is_file() or not any(out_dir.iterdir())


def _swap_into_place(staging: Path, out_dir: Path) -> None:
    old = None
    if out_dir.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.old-", dir=out_dir.parent))
        os.rmdir(old)
        os.rename(out_dir, old)
    try:
        os.rename(staging, out_dir)
    except OSError:
        if old is not None:
            os.rename(old, out_dir)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def verify_tree(root: Path) -> list[str]:
    """Read back every feed, calendar and vCard written below ``root``."""
    from .subscriptions.verify import verify_outputs

    files = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in (".xml", ".ics", ".vcf", ".json") and path.name != MANIFEST \
                and not path.name.startswith("search_index") and path.name != "sitemap.xml":
            files[str(path.relative_to(root))] = path.read_bytes()
    return verify_outputs(files)


def _audit(staging: Path, portfolio, moment: dt.datetime) -> None:  # type: ignore[no-untyped-def]
    """Nothing is swapped in that the audit objects to (see cxsite.audit)."""
    from .audit import audit_site, markers_from_env

    findings = audit_site(staging, portfolio, moment, markers_from_env())
    if findings:
        shown = "\n  ".join(finding.format() for finding in findings[:50])
        more = f"\n  ... and {len(findings) - 50} more" if len(findings) > 50 else ""
        raise BuildError(f"the audit found {len(findings)} problem(s) in what was built; nothing was published:"
                         f"\n  {shown}{more}")


def build_portfolio(projects_dir: Path, out_dir: Path, *, config_file: Path | None = None,
                    cutoff: dt.datetime | None = None, only: Iterable[str] = (), strict: bool = False,
                    progress: Callable[[int, int, str], None] | None = None) -> BuildResult:
    started = time.perf_counter()
    projects_dir, out_dir = Path(projects_dir), Path(out_dir).absolute()
    portfolio, warnings = load_portfolio(projects_dir)
    if strict and warnings:
        raise PortfolioError(d.as_error() for d in warnings)
    config = find_config(projects_dir, config_file)
    moment = build_cutoff(cutoff)
    sites = microsites(portfolio, moment, only)
    if not sites:
        raise BuildError(f"nothing to build: no microsite matches {', '.join(only)}" if only else
                         "nothing to build: the portfolio has no customers")
    if not _is_replaceable(out_dir):
        raise BuildError(f"refusing to replace {out_dir}: it is not a cxsite output folder (no {MANIFEST}); "
                         "choose another --out or empty it")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        renderer = SiteRenderer()
        records = []
        for index, site in enumerate(sites):
            if progress:
                progress(index, len(sites), site.key)
            artifacts = renderer.render(site)
            folder = site_folder(site.customer.slug, site.audience.id)
            build_microsite(artifacts, config, staging / folder)
            records.append(_record(artifacts, folder))
        problems = verify_tree(staging)
        if problems:
            raise BuildError("the build wrote files that do not read back:\n  " + "\n  ".join(problems))
        embargo = next_embargo(sites)
        manifest = {
            "generator": f"cxsite {__version__}",
            "cutoff": moment.isoformat(),
            "next_embargo": embargo.isoformat() if embargo else None,
            "sites": [record.__dict__ | {"feeds": list(record.feeds), "calendars": list(record.calendars),
                                         "vcards": list(record.vcards)} for record in records],
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        _audit(staging, portfolio, moment)
        _swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(out_dir, tuple(records), warnings, moment, embargo, time.perf_counter() - started)


def site_url_path(record: SiteRecord) -> str:
    return SitePaths.url_of(record.folder)
