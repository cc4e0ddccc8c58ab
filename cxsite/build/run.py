"""A whole build: plan what changed, build that, commit it all or nothing.

1. **Plan** (:mod:`.plan`): the toolchain's digest, the portfolio by
   content (:mod:`.portfolio`), and for each microsite and the dashboard
   whether what the previous build recorded of it still holds: the same
   key, and the same answers from the clock. Nothing that holds is made
   again; a model is loaded only for a customer whose files changed.
2. **Run**: the microsites that changed are rendered, built by the
   engine, read back and audited, in worker processes (:mod:`.workers`);
   the dashboard is put together from each customer's kept part.
3. **Commit** (:mod:`.commit`): everything is written to a staging folder
   beside the output; only when all of it is built, read back and audited
   does it move in, by renames recorded in a journal first. Any failure
   leaves the previous output exactly as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from ..checks.manifest import MANIFEST, SiteRecord
from ..diagnostics import BuildError, Diagnostic, PortfolioError
from ..render.paths import DASHBOARD_FOLDER
from ..views.clock import build_cutoff
from .commit import JOURNAL, commit_folders, deduplicate, discard_stale, link_tree, recover, swap_into_place
from .plan import Plan, make_plan


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
    next_change: dt.datetime | None = None   # when some page next changes with the time


def _is_replaceable(out_dir: Path) -> bool:
    """Only an empty folder or a previous cxsite output may be replaced."""
    if not out_dir.exists():
        return True
    if not out_dir.is_dir():
        return False
    return (out_dir / MANIFEST).is_file() or not any(out_dir.iterdir())


def _refuse_findings(findings: list) -> None:  # type: ignore[type-arg]
    """Nothing is swapped in that the audit objects to (see cxsite.checks.audit)."""
    from ..checks.audit import sorted_findings

    if findings:
        findings = sorted_findings(findings)
        shown = "\n  ".join(finding.format() for finding in findings[:50])
        more = f"\n  ... and {len(findings) - 50} more" if len(findings) > 50 else ""
        raise BuildError(f"the audit found {len(findings)} problem(s) in what was built; nothing was published:"
                         f"\n  {shown}{more}")


def build_portfolio(projects_dir: Path, out_dir: Path, *, config_file: Path | None = None,
                    cutoff: dt.datetime | None = None, only: Iterable[str] = (), strict: bool = False,
                    jobs: int = 1, clean: bool = False, shard: tuple[int, int] | None = None,
                    changed: Iterable[Path] | None = None, dashboard: bool = True,
                    progress: Callable[[int, int, str], None] | None = None,
                    freeze: bool = False) -> BuildResult:
    """Build the portfolio into ``out_dir`` (see ``cxsite build --help`` and
    docs/scaling.md). ``clean``: make every microsite again, whatever the
    previous output holds; ``freeze``: see :func:`cxsite.model.load.load_portfolio`."""
    started = time.perf_counter()
    projects_dir, out_dir = Path(projects_dir), Path(out_dir).absolute()
    if shard is not None and not 1 <= shard[0] <= shard[1]:
        raise BuildError(f"--shard {shard[0]}/{shard[1]}: I must be between 1 and N")
    moment = build_cutoff(cutoff)
    if out_dir.is_dir():
        recover(out_dir)  # finish a commit a killed build left half done
        discard_stale(out_dir)
    if not _is_replaceable(out_dir):
        raise BuildError(f"refusing to replace {out_dir}: it is not a cxsite output folder (no {MANIFEST}); "
                         "choose another --out or empty it")
    plan = make_plan(projects_dir, out_dir, moment, config_file=config_file, only=tuple(only), clean=clean,
                     shard=shard, changed=changed, dashboard=dashboard, jobs=jobs)
    try:
        warnings = plan.warnings()
        if strict and warnings:
            raise PortfolioError(d.as_error() for d in warnings)
        if plan.nothing_to_do():
            return BuildResult(out_dir, plan.records(), warnings, moment, plan.next_embargo(),
                               time.perf_counter() - started, unchanged=True, next_change=plan.next_change())
        return _run(plan, out_dir, jobs, progress, freeze, started, warnings)
    finally:
        plan.finish()


def _run(plan: Plan, out_dir: Path, jobs: int, progress, freeze: bool,  # type: ignore[no-untyped-def]
         started: float, warnings: tuple[Diagnostic, ...]) -> BuildResult:
    from .microsite import Context
    from .workers import build_all

    fresh = plan.fresh_sites(freeze=freeze)
    if not fresh and not plan.keys() and plan.shard is None:
        raise BuildError(f"nothing to build: no microsite matches {', '.join(plan.only)}" if plan.only else
                         "nothing to build: the portfolio has no customers")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    in_place = plan.in_place()
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    os.chmod(staging, 0o755)   # a web root is read by the web server's user (mkdtemp gives 0700)
    try:
        if not in_place:
            for record in plan.kept_records():
                link_tree(out_dir / record.folder, staging / record.folder)
        context = Context(plan.config, staging, plan.store_folder, plan.steps.toolchain,
                          plan.needles() if fresh else (), plan.markers)
        built, asked = build_all([site for site, _ in fresh], plan.customers_of(fresh), plan.clock, context, jobs,
                                 progress, dashboard=plan.make_dashboard if plan.dashboard_fresh() else None)
        if plan.dashboard_fresh():
            plan.dashboard_made(asked)
        _refuse_findings([finding for result in built for finding in result.findings])
        plan.built(fresh, built)
        manifest = plan.manifest()
        (staging / MANIFEST).write_bytes(manifest.to_json())
        fresh_folders = [result.record.folder for result in built]
        kept = [out_dir / record.folder if in_place else staging / record.folder for record in plan.kept_records()]
        deduplicate([staging / folder for folder in fresh_folders], kept)
        if in_place:
            dashboards = [DASHBOARD_FOLDER] if plan.dashboard_fresh() else []
            gone = plan.gone_folders(out_dir)
            commit_folders(staging, out_dir, replace=fresh_folders + dashboards, remove=gone, files=[MANIFEST])
        else:
            if plan.keep_dashboard() and (out_dir / DASHBOARD_FOLDER).is_dir():
                link_tree(out_dir / DASHBOARD_FOLDER, staging / DASHBOARD_FOLDER)
            swap_into_place(staging, out_dir)
    except BaseException:
        if not (out_dir / JOURNAL).exists():  # once the commit has begun, the next run completes it from staging
            shutil.rmtree(staging, ignore_errors=True)
        raise
    peak = max((result.peak_mb for result in built), default=0)
    return BuildResult(out_dir, plan.records(), warnings, plan.moment, plan.next_embargo(),
                       time.perf_counter() - started, rebuilt=tuple(result.record.key for result in built),
                       builder_peak_mb=peak, next_change=plan.next_change())
