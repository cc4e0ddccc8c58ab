"""A whole build: load -> views -> render -> verify -> swap into place.

Everything is written to a staging folder beside the output folder; only
when every microsite is built and every feed, calendar and vCard has been
read back successfully is the staging folder swapped in. Any failure
leaves the previous output exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import dataclasses
import hashlib
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

from . import __version__
from .buildsetup import DASHBOARD_FOLDER, MANIFEST, build_cutoff, find_config
from .diagnostics import BuildError, Diagnostic, PortfolioError
from .fsutil import JOURNAL, commit_folders, discard_stale, recover, swap_into_place
from .incremental import code_fingerprint, deduplicate, input_signature, link_tree
from .paths import site_folder
from .scan import PortfolioScan, scan_portfolio, stat_line
from .shards import in_shard

# The rendering side (MkDocs, Material, the audit, the model) is imported
# where it is used: a build with nothing to do never needs it.
if TYPE_CHECKING:
    from . import model as m
    from .audit import Finding, Needle
    from .pipeline import SiteRenderer
    from .views import Microsite



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
    fingerprint: str = ""
    valid_until: str = ""      # ISO 8601: when this microsite's pages next change with the time
    next_embargo: str = ""     # ISO 8601: its next embargoed update's release, if any


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
    below the given microsite folders of it).

    A file whose exact bytes read back cleanly before is not parsed again:
    an edit usually leaves most feeds and calendars (and the dashboard's
    portfolio calendar) byte-identical. The digests of such files are kept
    in the cache folder (``CXSITE_CACHE=0`` turns this off)."""
    from .memo import make_versioned_folder
    from .parsecache import cache_home, enabled
    from .subscriptions.verify import verify_outputs

    seen = cache_home() / f"verified-{_verifier_key()}" if enabled() else None
    files, digests = {}, {}
    tops = [root / folder for folder in folders] if folders is not None else [root]
    for path in sorted(p for top in tops for p in top.rglob("*")):
        if path.is_file() and path.suffix in (".xml", ".ics", ".vcf", ".json") and path.name != MANIFEST \
                and not path.name.startswith("search_index") and path.name != "sitemap.xml":
            data = path.read_bytes()
            digest = hashlib.sha256(data).hexdigest()
            if seen is not None and (seen / digest).exists():
                continue
            name = str(path.relative_to(root))
            files[name], digests[name] = data, digest
    problems = verify_outputs(files)
    if seen is not None:
        broken = {problem.split(": ", 1)[0] for problem in problems}
        try:
            make_versioned_folder(seen)
            for name, digest in digests.items():
                if name not in broken:
                    (seen / digest).touch()
        except OSError:
            pass  # a cache must never fail a build
    return problems


def _verifier_key() -> str:
    """cxsite's source and the parsing libraries' versions: a file that read
    back cleanly counts as checked only for the same checks."""
    from importlib.metadata import version

    from .scan import source_fingerprint

    libraries = "".join(f"{name}={version(name)};" for name in ("lxml", "icalendar", "vobject"))
    return hashlib.sha256(f"{source_fingerprint()}\0{libraries}".encode()).hexdigest()[:16]


def _refuse_findings(findings: list[Finding]) -> None:
    """Nothing is swapped in that the audit objects to (see cxsite.audit)."""
    from .audit import sorted_findings

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


def build_one(site: Microsite, customer: m.Customer, config: Path, staging: Path,
              fingerprint: str = "", previous: Path | None = None) -> tuple[SiteRecord, list[Finding], int]:
    """Render, build, read back and audit one microsite (in a worker, or in
    this process); ``customer`` is the whole customer ``site`` was cut from;
    ``previous`` the folder holding the previous build's microsites, if any.
    The renderer and MkDocs' theme environment live as long as the process.
    Also returns the process's peak memory so far, in MB."""
    from .framememo import KeptFrames
    from .audit import audit_microsite
    from .mkdocs_adapter import build_microsite
    from .pipeline import SiteRenderer

    global _RENDERER
    if _RENDERER is None:
        _RENDERER = SiteRenderer()
    # The microsite's update bodies as converted last time: an edit converts only what changed.
    store = _site_memo("markdown", customer, site.key, "markdown", "nh3")
    _RENDERER.markdown.remember_in(store)
    try:
        artifacts = _RENDERER.render(site)
    finally:
        _RENDERER.markdown.remember_in(None)
    store.save()
    folder = site_folder(site.customer.slug, site.audience.id, site.customer.site.path_token)
    # Material's search entries of unchanged pages, and the files the audit found clean, as last time.
    search = _site_memo("search", customer, site.key, "mkdocs-material")
    # Pages whose frame would come out as last time are taken from the previous build's files.
    frames = KeptFrames(_site_memo("frames", customer, site.key, "mkdocs", "mkdocs-material", "jinja2", "markupsafe"),
                        previous / folder if previous is not None else None)
    build_microsite(artifacts, config, staging / folder, search, frames)
    search.save()
    frames.save()
    # Read back what subscribers will read, here in the worker, in parallel.
    problems = verify_tree(staging, [folder])
    if problems:
        raise BuildError("the build wrote files that do not read back:\n  " + "\n  ".join(problems))
    untouched = _site_memo("audit", customer, site.key, "pyahocorasick")
    findings = audit_microsite(staging, folder, site, customer, *_AUDIT, untouched=untouched)
    untouched.save()
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux: KiB
    return dataclasses.replace(_record(artifacts, folder), fingerprint=fingerprint), findings, peak_mb


def _site_memo(kind: str, customer: m.Customer, key: str, *packages: str):  # type: ignore[no-untyped-def]
    """Microsite ``key``'s memo of ``kind`` (cxsite/memo.py), as the last build
    left it, named for the versions of the ``packages`` that make its results."""
    from importlib.metadata import version

    from .memo import DiskMemo

    return DiskMemo.named(kind, _portfolio_of(customer), key, *(version(package) for package in packages))


def _portfolio_of(customer: m.Customer) -> Path:
    """The portfolio folder, from where the customer's ``customer.yml`` is."""
    return Path(customer.location.path).parent.parent


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


def _build_all(sites: list[Microsite], customers: dict[str, m.Customer], fingerprints: list[str], config: Path,
               staging: Path, jobs: int, audit: tuple[tuple[Needle, ...], tuple[str, ...]],
               progress: Callable[[int, int, str], None] | None,
               meanwhile: Callable[[], None] | None = None,
               previous: Path | None = None) -> tuple[list[SiteRecord], list[Finding], int]:
    """Build every given microsite, ``jobs`` at a time, and run ``meanwhile``
    while they are built (in this process while workers build them, or in a
    fork of it while this process builds a few); records come back in site order,
    with the audit's findings and the largest peak memory of a builder (MB)."""
    findings: list[Finding] = []
    peak = 0
    if jobs <= 1 or len(sites) < PARALLEL_FROM:
        _prepare_process(*audit)
        records = []
        # A few microsites (an edit): with a second core, the dashboard is
        # built at the same time by a fork of this process, which already
        # holds the portfolio, instead of after them.
        beside = _Forked(meanwhile) if meanwhile is not None and jobs > 1 and sites else None
        try:
            for index, site in enumerate(sites):
                record, found, peak = build_one(site, customers[site.customer.slug], config, staging,
                                                fingerprints[index], previous)
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
            futures = {pool.submit(build_one, sites[index], customers[sites[index].customer.slug], config, staging,
                                   fingerprints[index], previous): index
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
                    changed: Iterable[Path] | None = None, dashboard: bool = True, progress: Callable[[int, int, str], None] | None = None,
                    freeze: bool = False) -> BuildResult:
    """Build the portfolio into ``out_dir`` (see ``cxsite build --help`` and
    docs/scaling.md); ``freeze``: see :func:`cxsite.validate.load_portfolio`."""
    started = time.perf_counter()
    projects_dir, out_dir = Path(projects_dir), Path(out_dir).absolute()
    only = tuple(only)
    if shard is not None and not 1 <= shard[0] <= shard[1]:
        raise BuildError(f"--shard {shard[0]}/{shard[1]}: I must be between 1 and N")
    moment = build_cutoff(cutoff)
    if out_dir.is_dir():
        recover(out_dir)  # finish a commit a killed build left half done
        discard_stale(out_dir)
    before = {} if clean else _previous_manifest(out_dir)
    config = find_config(projects_dir, config_file)
    code = code_fingerprint(config)
    touched = None if clean or only or changed is None else _changed_customers(projects_dir, before, changed, code,
                                                                               moment)
    signature = scan = None
    if touched is None:
        scan = scan_portfolio(projects_dir.resolve())
        signature = input_signature(projects_dir, code + (f"\0shard {shard[0]}/{shard[1]}" if shard else ""), scan)
        unchanged = None if only else _unchanged_since_last_build(before, signature, moment)
        if unchanged is not None:
            return BuildResult(out_dir, unchanged, (), moment, None, time.perf_counter() - started, unchanged=True)
    previous = _previous_records(before)
    # With --changed, customers not touched are taken from the model cache as the previous build recorded them.
    recorded = before.get("models") or {} if touched is not None else {}
    trusted = {slug: recorded[slug] for slug in {record.customer for record in previous.values()} - (touched or set())
               if slug in recorded}
    signatures: dict[str, str] = {}
    from .audit import markers_from_env, portfolio_needles
    from .incremental import site_fingerprint, valid_until
    from .validate import load_portfolio
    from .views import microsites

    portfolio, warnings = load_portfolio(projects_dir, unchanged=trusted, scan=scan, signatures=signatures,
                                         freeze=freeze)
    shared = _shared_inputs(portfolio, scan, signatures)
    if touched is not None:
        # --changed did not scan: record the top of the portfolio as the last scan found it.
        # The next scan compares that with what it finds, so a change to the top that was
        # not listed is still noticed then, and an untouched top lets it trust this build.
        shared["top"] = (before.get("shared") or {}).get("top")
    # Customers whose model is the one the previous build used keep their microsites' fingerprints.
    trusted = {} if only else _unchanged_customers(before, code, moment, shared, signatures,
                                                    scanned=touched is None)
    if strict and warnings:
        raise PortfolioError(d.as_error() for d in warnings)
    # Microsites of customers whose model the previous build used, still in place,
    # keep their records as they are: their views are not even made (0.8 s on 500 customers).
    kept = {key: record for key, record in _kept_records(portfolio, trusted, previous, out_dir).items()
            if in_shard(key, shard)}
    sites = [site for site in microsites(portfolio, moment, only, skip={record.customer for record in kept.values()})
             if in_shard(site.key, shard)]
    viewed = {site.key for site in sites}
    keys = [key for key in (f"{c.slug}/{a.id}" for c in portfolio.customers for a in c.audiences)
            if key in kept or key in viewed]
    if not keys and shard is None:
        raise BuildError(f"nothing to build: no microsite matches {', '.join(only)}" if only else
                         "nothing to build: the portfolio has no customers")
    if not _is_replaceable(out_dir):
        raise BuildError(f"refusing to replace {out_dir}: it is not a cxsite output folder (no {MANIFEST}); "
                         "choose another --out or empty it")
    fingerprints = {site.key: previous[site.key].fingerprint if site.customer.slug in trusted and site.key in previous
                    else site_fingerprint(site, code) for site in sites} | {
        key: record.fingerprint for key, record in kept.items()}
    reuse = {key for key, fingerprint in fingerprints.items()
             if key in previous and previous[key].fingerprint == fingerprint and (out_dir / previous[key].folder).is_dir()}
    # When each microsite's pages next change with the time, and its next embargo.
    times = {site.key: (valid_until(site), site.next_embargo) for site in sites} | {
        key: _record_times(record) for key, record in kept.items()}
    embargo = min((release for _, release in times.values() if release), default=None)
    want_dashboard = dashboard and not only and (shard is None or shard[0] == 1)
    # The dashboard shows what no microsite does (internal notes, CX findings): when
    # a portfolio file changed it is rebuilt even if every microsite is reused.
    if (out_dir / MANIFEST).is_file() and reuse == set(fingerprints) == set(previous) and not want_dashboard:
        records = tuple(previous[key] for key in keys)
        return BuildResult(out_dir, records, warnings, moment, embargo, time.perf_counter() - started,
                           rebuilt=(), unchanged=True)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    # With a previous output, only what changed is built and moved in
    # (fsutil.commit_folders); otherwise a whole new tree is swapped in.
    in_place = bool(previous) and not only and out_dir.is_dir()
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        if not in_place:
            for key in sorted(reuse):
                link_tree(out_dir / previous[key].folder, staging / previous[key].folder)
        fresh = [site for site in sites if site.key not in reuse]
        customers = {customer.slug: customer for customer in portfolio.customers}
        audit = (portfolio_needles(portfolio, moment), markers_from_env())
        with_dashboard = want_dashboard
        # --no-dashboard leaves the previous dashboard as it was (see docs/scaling.md).
        keep_dashboard = not dashboard and in_place and (out_dir / DASHBOARD_FOLDER).is_dir()
        meanwhile = (lambda: _build_dashboard(portfolio, moment, config, staging, signatures)) if with_dashboard else None
        built, findings, peak_mb = _build_all(fresh, customers, [fingerprints[site.key] for site in fresh], config, staging,
                                              jobs, audit, progress, meanwhile=meanwhile,
                                              previous=out_dir if before and out_dir.is_dir() else None)
        _refuse_findings(findings)
        by_key = {record.key: record for record in built} | {key: previous[key] for key in reuse}
        records = [dataclasses.replace(by_key[key], valid_until=times[key][0].isoformat(),
                                       next_embargo=times[key][1].isoformat() if times[key][1] else "")
                   for key in keys]
        fresh_folders = [record.folder for record in built]
        problems = verify_tree(staging, [DASHBOARD_FOLDER]) if with_dashboard else []
        if problems:
            raise BuildError("the build wrote files that do not read back:\n  " + "\n  ".join(problems))
        manifest = {
            "generator": f"cxsite {__version__}",
            "cutoff": moment.isoformat(),
            "next_embargo": embargo.isoformat() if embargo else None,
            # A later build with the same inputs before this moment writes nothing (see _unchanged_since_last_build).
            # No shortcut next time when the dashboard was skipped: it must be brought up to date.
            "inputs": signature if not only and dashboard else None,
            "models": signatures,
            "shared": shared,
            "code": code,
            "valid_until": min([until for until, _ in times.values()], default=moment + dt.timedelta(days=1)).isoformat(),
            "internal": [DASHBOARD_FOLDER] if with_dashboard or keep_dashboard else [],  # never published
            "shard": f"{shard[0]}/{shard[1]}" if shard else None,
            "sites": [dataclasses.asdict(record) for record in records],
        }
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        reused = [out_dir / previous[key].folder if in_place else staging / previous[key].folder for key in sorted(reuse)]
        deduplicate([staging / folder for folder in fresh_folders], reused)
        if in_place:
            present = {record.folder for record in records}
            gone = sorted({record.folder for record in previous.values()} - present)
            dashboard_folders = [DASHBOARD_FOLDER] if with_dashboard else []
            if not with_dashboard and not keep_dashboard and (out_dir / DASHBOARD_FOLDER).is_dir():
                gone.append(DASHBOARD_FOLDER)
            commit_folders(staging, out_dir, replace=fresh_folders + dashboard_folders, remove=gone, files=[MANIFEST])
        else:
            swap_into_place(staging, out_dir)
    except BaseException:
        if not (out_dir / JOURNAL).exists():  # once the commit has begun, the next run completes it from staging
            shutil.rmtree(staging, ignore_errors=True)
        raise
    return BuildResult(out_dir, tuple(records), warnings, moment, embargo, time.perf_counter() - started,
                       rebuilt=tuple(record.key for record in built), builder_peak_mb=peak_mb)


def _build_dashboard(portfolio, moment: dt.datetime, config: Path, staging: Path,  # type: ignore[no-untyped-def]
                     signatures: dict[str, str]) -> None:
    """The delivery team's dashboard over the whole portfolio, in its own
    folder beside (never inside) the customers' microsites; each customer's
    share of it is kept under its model's signature."""
    from .dashboard import render_dashboard
    from .rules import cx_findings

    from .mkdocs_adapter import build_microsite
    from .pipeline import SiteRenderer

    global _RENDERER
    if _RENDERER is None:
        _RENDERER = SiteRenderer()
    artifacts = render_dashboard(portfolio, moment, cx_findings(portfolio, moment), _RENDERER.markdown,
                                 signatures=signatures)
    build_microsite(artifacts, config, staging / DASHBOARD_FOLDER)


def _previous_manifest(out_dir: Path) -> dict:
    """The previous build's manifest, read once per build; empty when there
    is none, it is unreadable, or another cxsite wrote it."""
    try:
        manifest = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return manifest if isinstance(manifest, dict) and manifest.get("generator") == f"cxsite {__version__}" else {}


def _still_valid(manifest: dict, moment: dt.datetime, code: str | None = None) -> bool:
    """The previous build holds for ``moment``: built with this code (when
    ``code`` is given), and no page has changed with the time since."""
    try:
        return (code is None or manifest.get("code") == code) and \
            dt.datetime.fromisoformat(manifest["cutoff"]) <= moment < dt.datetime.fromisoformat(manifest["valid_until"])
    except (KeyError, TypeError, ValueError):
        return False


def _changed_customers(projects_dir: Path, manifest: dict, changed: Iterable[Path], code: str,
                       moment: dt.datetime) -> set[str] | None:
    """The customers (folder names) the ``changed`` paths belong to, when
    the previous build can be trusted for everything else: same cxsite,
    same code and theme, and no page that changes with time since then.
    None means: scan the whole portfolio (a top-level file such as
    team.yml changed, or the previous build cannot be trusted)."""
    if not _still_valid(manifest, moment, code):
        return None
    root = projects_dir.resolve()
    customers = set()
    for path in changed:
        resolved = Path(path).resolve()
        if not resolved.exists():
            return None  # deleted, or given relative to another folder: look at everything
        try:
            parts = resolved.relative_to(root).parts
        except ValueError:
            continue  # elsewhere in the repository; the code fingerprint covers mkdocs.yml and theme/
        if len(parts) < 2 or not (root / parts[0] / "customer.yml").is_file():
            return None  # team.yml, or a folder of shared images: may show on any customer's pages
        customers.add(parts[0])
    return customers


def _shared_inputs(portfolio, scan: PortfolioScan | None, signatures: dict[str, str]) -> dict[str, str | None]:  # type: ignore[no-untyped-def]
    """What a customer's microsites may show besides its own folder: the
    top of the portfolio (``team.yml``, folders that are no customer's;
    known only after a scan), the team's photos and any logo kept outside
    its customer's folder, wherever they are (another customer's folder)."""
    from .modelcache import outside_files

    files = [str(person.photo) for person in portfolio.team.people if person.photo]
    for customer in portfolio.customers:
        files += outside_files(customer, Path(customer.location.path).parent)
    stats = hashlib.sha256("\n".join(stat_line(path, path) for path in files).encode())
    top = None
    if scan is not None:
        digest = hashlib.sha256(scan.top.encode())
        for name in sorted(set(scan.folders) - set(signatures)):
            digest.update(f"\n{name}\0{scan.folders[name]}".encode())
        top = digest.hexdigest()
    return {"top": top, "files": stats.hexdigest()}


def _unchanged_customers(manifest: dict, code: str, moment: dt.datetime, shared: dict[str, str | None],
                         signatures: dict[str, str], scanned: bool) -> dict[str, str]:
    """Customers whose model is the one the previous build used, when that
    build can be trusted for everything else (same cxsite and code, no page
    that changes with time since, the same shared inputs): their microsites
    keep their fingerprints, which saves hashing every view of a large
    portfolio. After a scan the top of the portfolio must match too; with
    ``--changed`` a changed top-level path already made the build scan."""
    if not _still_valid(manifest, moment, code):
        return {}
    before = manifest.get("shared") or {}
    if before.get("files") != shared["files"] or (scanned and (shared["top"] is None
                                                               or before.get("top") != shared["top"])):
        return {}
    recorded = manifest.get("models") or {}
    return {slug: signature for slug, signature in signatures.items() if recorded.get(slug) == signature}


def _kept_records(portfolio, trusted: dict[str, str], previous: dict[str, SiteRecord],  # type: ignore[no-untyped-def]
                  out_dir: Path) -> dict[str, SiteRecord]:
    """The previous records of every microsite of the ``trusted`` customers
    (whose model the previous build used) when all of them are still in
    place. Their fingerprints, and when their pages next change with the
    time, are what they were: the previous build holds until its earliest
    such moment (:func:`_still_valid`), so none of theirs has come."""
    kept: dict[str, SiteRecord] = {}
    for customer in portfolio.customers:
        if customer.slug not in trusted:
            continue
        records = [previous.get(f"{customer.slug}/{audience.id}") for audience in customer.audiences]
        if all(record is not None and _record_times(record) is not None and (out_dir / record.folder).is_dir()
               for record in records):
            kept.update((record.key, record) for record in records if record is not None)
    return kept


def _record_times(record: SiteRecord) -> tuple[dt.datetime, dt.datetime | None] | None:
    """When the recorded microsite's pages next change with the time, and its
    next embargo; None when the record does not say (an older manifest)."""
    try:
        return (dt.datetime.fromisoformat(record.valid_until),
                dt.datetime.fromisoformat(record.next_embargo) if record.next_embargo else None)
    except (TypeError, ValueError):
        return None


def _unchanged_since_last_build(manifest: dict, signature: str, moment: dt.datetime) -> tuple[SiteRecord, ...] | None:
    """The previous build's records when nothing it depends on has changed:
    the same portfolio files (names, sizes, times), the same code and theme
    (both in ``signature``), and a cutoff before the first moment that would
    change any page. Then the build needs neither to read the portfolio nor
    to write anything."""
    if manifest.get("inputs") != signature or not _still_valid(manifest, moment):
        return None
    records = _previous_records(manifest)
    return tuple(records.values()) if records else None


def _previous_records(manifest: dict) -> dict[str, SiteRecord]:
    """The microsites of the previous build, by key (empty when unknown)."""
    try:
        records = {}
        for entry in manifest.get("sites") or ():
            entry = dict(entry)
            for name in ("feeds", "calendars", "vcards"):
                entry[name] = tuple(entry[name])
            record = SiteRecord(**entry)
            records[record.key] = record
        return records
    except (KeyError, TypeError):
        return {}
