"""A whole build: load -> views -> render -> verify -> swap into place.

Everything is written to a staging folder beside the output folder; only
when every microsite is built and every feed, calendar and vCard has been
read back successfully is the staging folder swapped in. Any failure
leaves the previous output exactly as it was.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import multiprocessing
import resource
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import TYPE_CHECKING, Callable, Iterable

from .. import __version__
from ..checks.manifest import MANIFEST, Manifest, SiteRecord
from ..diagnostics import BuildError, Diagnostic, PortfolioError
from ..engine.config import find_config
from ..render.paths import DASHBOARD_FOLDER, site_folder
from ..views.clock import build_cutoff
from .commit import deduplicate, discard_stale, recover, swap_into_place
from .shards import in_shard

# The rendering side (MkDocs, Material, the audit, the model) is imported
# where it is used: a build with nothing to do never needs it.
if TYPE_CHECKING:
    from .. import model as m
    from ..checks.audit import Finding, Needle
    from ..render.site import SiteRenderer
    from ..views import Microsite



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
    rebuilt: tuple[str, ...] = ()      # keys of the microsites rendered this time
    unchanged: bool = False            # nothing changed: the output was not touched
    builder_peak_mb: int = 0           # the largest peak memory of a process that built microsites


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


def verify_tree(root: Path, folders: Iterable[str] | None = None) -> list[str]:
    """Read back every feed, calendar and vCard written below ``root`` (or
    below the given microsite folders of it)."""
    from ..checks.readback import verify_outputs

    files = {}
    tops = [root / folder for folder in folders] if folders is not None else [root]
    for path in sorted(p for top in tops for p in top.rglob("*")):
        if path.is_file() and path.suffix in (".xml", ".ics", ".vcf", ".json") and path.name != MANIFEST \
                and not path.name.startswith("search_index") and path.name != "sitemap.xml":
            files[str(path.relative_to(root))] = path.read_bytes()
    return verify_outputs(files)


def _refuse_findings(findings: list[Finding]) -> None:
    """Nothing is swapped in that the audit objects to (see cxsite.audit)."""
    from ..checks.audit import sorted_findings

    if findings:
        findings = sorted_findings(findings)
        shown = "\n  ".join(finding.format() for finding in findings[:50])
        more = f"\n  ... and {len(findings) - 50} more" if len(findings) > 50 else ""
        raise BuildError(f"the audit found {len(findings)} problem(s) in what was built; nothing was published:"
                         f"\n  {shown}{more}")


_RENDERER: SiteRenderer | None = None
_AUDIT: tuple[tuple[Needle, ...], tuple[str, ...]] = ((), ())  # shared needles and secret markers
RECYCLE_AFTER = 200  # microsites per worker process before it is replaced (bounds memory)
PARALLEL_FROM = 6    # fewer microsites than this build faster in-process than with worker start-up


def _prepare_process(shared: tuple[Needle, ...], markers: tuple[str, ...]) -> None:
    """What every microsite's audit needs, handed to each worker once."""
    global _AUDIT
    _AUDIT = (shared, markers)


def build_one(site: Microsite, customer: m.Customer, config: Path, staging: Path) -> tuple[SiteRecord, list[Finding], int]:
    """Render, build, read back and audit one microsite (in a worker, or in
    this process); ``customer`` is the whole customer ``site`` was cut from.
    The renderer and MkDocs' theme environment live as long as the process.
    Also returns the process's peak memory so far, in MB."""
    from ..checks.audit import audit_microsite
    from ..engine.adapter import build_microsite
    from ..render.prose import Prose, markdown_texts
    from ..render.site import SiteRenderer, site_images
    from ..source.files import read_images

    global _RENDERER
    if _RENDERER is None:
        _RENDERER = SiteRenderer()
    prose = Prose.of(markdown_texts(customer))
    artifacts = _RENDERER.render(site, prose, read_images(site_images(site)))
    folder = site_folder(site.customer.slug, site.audience.id, site.customer.site.path_token)
    build_microsite(artifacts, config, staging / folder)
    # Read back what subscribers will read, here in the worker, in parallel.
    problems = verify_tree(staging, [folder])
    if problems:
        raise BuildError("the build wrote files that do not read back:\n  " + "\n  ".join(problems))
    findings = audit_microsite(staging, folder, site, customer, *_AUDIT, prose=prose)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux: KiB
    return _record(artifacts, folder), findings, peak_mb


class _Forked:
    """``work()`` run in a forked child while this process goes on; ``join``
    waits for it and raises what it raised. Forking is only safe here
    because this process runs no threads at that point (no pool exists)."""

    def __init__(self, work: Callable[[], None]) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=self._run, args=(work, send), daemon=True)
        self._process.start()
        send.close()

    @staticmethod
    def _run(work: Callable[[], None], send) -> None:  # type: ignore[no-untyped-def]
        import traceback

        try:
            work()
            send.send(None)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
            send.send(exc if isinstance(exc, BuildError) else
                      BuildError("building the dashboard failed:\n" + traceback.format_exc()))

    def join(self) -> None:
        try:
            outcome = self._receive.recv()
        except EOFError:
            outcome = BuildError("building the dashboard failed: its process ended without a word")
        self._process.join()
        if outcome is not None:
            raise outcome

    def stop(self) -> None:
        """The build failed anyway: do not wait for the child."""
        self._process.kill()
        self._process.join()


def _build_all(sites: list[Microsite], customers: dict[str, m.Customer], config: Path,
               staging: Path, jobs: int, audit: tuple[tuple[Needle, ...], tuple[str, ...]],
               progress: Callable[[int, int, str], None] | None,
               meanwhile: Callable[[], None] | None = None) -> tuple[list[SiteRecord], list[Finding], int]:
    """Build every given microsite, ``jobs`` at a time, and run ``meanwhile``
    while they are built (in this process while workers build them, or in a
    fork of it while this process builds a few); records come back in site order,
    with the audit's findings and the largest peak memory of a builder (MB)."""
    findings: list[Finding] = []
    peak = 0
    if jobs <= 1 or len(sites) < PARALLEL_FROM:
        _prepare_process(*audit)
        records = []
        # A few microsites: with a second core, the dashboard is built at the
        # same time by a fork of this process, which already holds the
        # portfolio, instead of after them.
        beside = _Forked(meanwhile) if meanwhile is not None and jobs > 1 and sites else None
        try:
            for index, site in enumerate(sites):
                record, found, peak = build_one(site, customers[site.customer.slug], config, staging)
                records.append(record)
                findings += found
                if progress:
                    progress(index + 1, len(sites), site.key)
            if beside is not None:
                beside.join()
        except BaseException:
            if beside is not None:
                beside.stop()
            raise
        if beside is None and meanwhile is not None:
            meanwhile()
        return records, findings, peak
    context = multiprocessing.get_context("forkserver")
    workers = min(jobs, len(sites))
    batch = RECYCLE_AFTER * workers
    results: dict[int, SiteRecord] = {}
    done = 0
    for start in range(0, len(sites), batch):
        # A fresh pool per batch replaces the workers every RECYCLE_AFTER
        # microsites, which bounds their memory. (ProcessPoolExecutor's own
        # max_tasks_per_child can hang for good in Python 3.11: gh-115634.)
        indexes = range(start, min(start + batch, len(sites)))
        with ProcessPoolExecutor(max_workers=min(workers, len(indexes)), mp_context=context,
                                 initializer=_prepare_process, initargs=audit) as pool:
            futures = {pool.submit(build_one, sites[index], customers[sites[index].customer.slug], config,
                                   staging): index
                       for index in indexes}
            if start == 0 and meanwhile is not None:
                meanwhile()
            for future in as_completed(futures):
                index = futures[future]
                results[index], found, worker_peak = future.result()
                findings += found
                peak = max(peak, worker_peak)
                done += 1
                if progress:
                    progress(done, len(sites), sites[index].key)
    return [results[index] for index in range(len(sites))], findings, peak


def build_portfolio(projects_dir: Path, out_dir: Path, *, config_file: Path | None = None,
                    cutoff: dt.datetime | None = None, only: Iterable[str] = (), strict: bool = False,
                    jobs: int = 1, clean: bool = False, shard: tuple[int, int] | None = None,
                    changed: Iterable[Path] | None = None, dashboard: bool = True,
                    progress: Callable[[int, int, str], None] | None = None,
                    freeze: bool = False) -> BuildResult:
    """Build the portfolio into ``out_dir`` (see ``cxsite build --help`` and
    docs/scaling.md); ``freeze``: see :func:`cxsite.validate.load_portfolio`."""
    from ..checks.audit import markers_from_env, portfolio_needles
    from ..model.load import load_portfolio
    from ..views import microsites

    started = time.perf_counter()
    projects_dir, out_dir = Path(projects_dir), Path(out_dir).absolute()
    only = tuple(only)
    if shard is not None and not 1 <= shard[0] <= shard[1]:
        raise BuildError(f"--shard {shard[0]}/{shard[1]}: I must be between 1 and N")
    moment = build_cutoff(cutoff)
    if out_dir.is_dir():
        recover(out_dir)  # finish a commit a killed build left half done
        discard_stale(out_dir)
    config = find_config(projects_dir, config_file)
    portfolio, warnings = load_portfolio(projects_dir, freeze=freeze)
    if strict and warnings:
        raise PortfolioError(d.as_error() for d in warnings)
    sites = [site for site in microsites(portfolio, moment, only) if in_shard(site.key, shard)]
    if not sites and shard is None:
        raise BuildError(f"nothing to build: no microsite matches {', '.join(only)}" if only else
                         "nothing to build: the portfolio has no customers")
    if not _is_replaceable(out_dir):
        raise BuildError(f"refusing to replace {out_dir}: it is not a cxsite output folder (no {MANIFEST}); "
                         "choose another --out or empty it")
    embargo = min((site.next_embargo for site in sites if site.next_embargo), default=None)
    with_dashboard = dashboard and not only and (shard is None or shard[0] == 1)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        customers = {customer.slug: customer for customer in portfolio.customers}
        audit = (portfolio_needles(portfolio, moment), markers_from_env())
        meanwhile = (lambda: _build_dashboard(portfolio, moment, config, staging)) if with_dashboard else None
        records, findings, peak_mb = _build_all(sites, customers, config, staging, jobs, audit, progress,
                                                meanwhile=meanwhile)
        _refuse_findings(findings)
        problems = verify_tree(staging, [DASHBOARD_FOLDER]) if with_dashboard else []
        if problems:
            raise BuildError("the build wrote files that do not read back:\n  " + "\n  ".join(problems))
        manifest = {
            "generator": f"cxsite {__version__}",
            "cutoff": moment.isoformat(),
            "next_embargo": embargo.isoformat() if embargo else None,
            "internal": [DASHBOARD_FOLDER] if with_dashboard else [],  # never published
            "shard": f"{shard[0]}/{shard[1]}" if shard else None,
            "sites": [dataclasses.asdict(record) for record in records],
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        folders = [staging / record.folder for record in records]
        deduplicate(folders[1:], folders[:1])
        swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(out_dir, tuple(records), warnings, moment, embargo, time.perf_counter() - started,
                       rebuilt=tuple(record.key for record in records), builder_peak_mb=peak_mb)


def _build_dashboard(portfolio, moment: dt.datetime, config: Path, staging: Path) -> None:  # type: ignore[no-untyped-def]
    """The delivery team's dashboard over the whole portfolio, in its own
    folder beside (never inside) the customers' microsites."""
    from ..engine.adapter import build_microsite
    from ..render.dashboard import render_dashboard
    from ..render.prose import Prose, markdown_texts
    from ..views.rules import cx_findings

    prose = Prose.of(markdown_texts(portfolio.customers))
    artifacts = render_dashboard(portfolio, moment, cx_findings(portfolio, moment), prose)
    build_microsite(artifacts, config, staging / DASHBOARD_FOLDER)
