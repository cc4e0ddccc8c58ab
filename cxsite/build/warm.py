"""Validating many customers at once, on every core.

Reading YAML is most of validating a portfolio nothing is kept of yet (a
first check, a new cxsite). Worker processes validate the customers whose
models are not kept, one folder at a time, and keep each model (and its
CX findings, when asked) in the store; the main process then finds them
there, as if a previous run had made them. Nothing but the folders' names
crosses between the processes.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from .portfolio import PortfolioSource

PARALLEL_FROM = 8   # fewer customers than this are validated faster in this process


@dataclass(frozen=True)
class _Job:
    root: Path
    store: Path | None
    toolchain: str
    moment: dt.datetime | None        # also the CX findings, as of this moment
    notice_days: int
    grace_days: int


_JOB: _Job | None = None
_SOURCE: PortfolioSource | None = None


def _prepare(job: _Job) -> None:
    global _JOB, _SOURCE
    from ..cache.index import FileIndex
    from ..cache.store import Store
    from .steps import Steps

    _JOB = job
    _SOURCE = PortfolioSource(job.root, Steps(Store(job.store), job.toolchain, FileIndex(None)))


def _validate(names: Sequence[str]) -> None:
    from ..views.clock import Clock
    from ..views.rules import Settings
    from .derived import Derived

    assert _JOB is not None and _SOURCE is not None
    derived = Derived(_SOURCE, Clock(_JOB.moment), Settings(_JOB.notice_days, _JOB.grace_days)) \
        if _JOB.moment is not None else None
    for name in names:
        folder = _JOB.root / name
        customer = _SOURCE.customer(folder).value[0]
        if derived is not None and customer is not None:
            derived.findings(folder)
    _SOURCE.steps.store.flush()   # a worker ends without running exit handlers


def warm(source: PortfolioSource, jobs: int, moment: dt.datetime | None = None, notice_days: int = 10,
         grace_days: int = 2) -> int:
    """Validate, in ``jobs`` processes, every customer of ``source`` whose
    model is not kept (and keep its CX findings as of ``moment``, when
    given); returns how many were validated so."""
    if jobs < 2 or source.steps.store.folder is None:
        return 0
    names = [folder.name for folder in source.folders if source.key(folder) is None]
    if len(names) < PARALLEL_FROM:
        return 0
    source.team   # noqa: B018 - made and kept here, so that no worker makes it again
    source.steps.store.flush()
    job = _Job(source.root, source.steps.store.folder.parent, source.steps.toolchain, moment, notice_days,
               grace_days)
    workers = min(jobs, os.cpu_count() or 1, len(names))
    chunks = [names[index::workers * 4] for index in range(workers * 4)]
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("forkserver"),
                             initializer=_prepare, initargs=(job,)) as pool:
        for _ in pool.map(_validate, [chunk for chunk in chunks if chunk]):
            pass
    return len(names)
