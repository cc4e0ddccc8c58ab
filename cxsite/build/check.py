"""``cxsite check``: every problem of the portfolio, and the CX rules' findings.

The same loading as a build (:mod:`.portfolio`), so a check just before a
build leaves the build nothing to validate, and a check after an edit
validates the edited customer only; the findings of the others are kept
by their models' keys and the clock's answers (:mod:`.derived`).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from ..cache.index import FileIndex
from ..cache.keys import digest
from ..cache.store import Store
from ..cache.toolchain import toolchain_digest
from ..diagnostics import Diagnostic, Severity
from ..views.clock import Clock
from ..views.rules import DEFAULT_NOTICE_DAYS, Settings, contact_findings, sort_findings
from .portfolio import PortfolioSource
from .steps import Steps


def open_source(projects_dir: Path) -> PortfolioSource:
    """The portfolio, read through the build's kept steps."""
    store = Store.default()
    root = Path(os.path.abspath(projects_dir))
    index = FileIndex(store.folder / "index" / f"{digest(os.path.realpath(root))[:24]}.pickle"
                      if store.folder is not None else None)
    return PortfolioSource(root, Steps(store, toolchain_digest(), index))


def close_source(source: PortfolioSource) -> None:
    source.steps.files.save()
    source.steps.store.finish()


def check_portfolio(projects_dir: Path, now: dt.datetime | None = None, *,
                    notice_days: int = DEFAULT_NOTICE_DAYS, jobs: int = 1) -> tuple[Diagnostic, ...]:
    """Every diagnostic, never raising: format errors and warnings, then
    (when the portfolio is well formed and ``now`` is given) the CX rules'
    findings as of ``now``. Customers nothing is kept of are validated
    ``jobs`` at a time."""
    from .derived import Derived
    from .warm import warm

    source = open_source(projects_dir)
    try:
        if source.layout.root.is_dir():
            warm(source, jobs, now, notice_days)
        problems = source.problems()
        if now is None or any(d.severity is Severity.ERROR for d in problems):
            return problems
        derived = Derived(source, Clock(now), Settings(notice_days=notice_days))
        folders = [folder for folder in source.folders if source.is_customer(folder)]
        found = [derived.findings(folder) for folder in folders]
        findings = [finding for own, _, _ in found for finding in own]
        findings += contact_findings(source.team.value[0], (owner for _, _, owner in found),
                                     (roles for _, roles, _ in found))
        return problems + tuple(sort_findings(findings))
    finally:
        close_source(source)


def load_portfolio(projects_dir: Path, *, freeze: bool = False):  # type: ignore[no-untyped-def]
    """(Portfolio, warnings) read through the build's kept steps, as every
    command that needs the model reads it; PortfolioError when it has errors."""
    source = open_source(projects_dir)
    try:
        return source.load(freeze=freeze)
    finally:
        close_source(source)


def prose_for(texts):  # type: ignore[no-untyped-def]
    """A Prose of ``texts``, each conversion kept in the build's store."""
    store = Store.default()
    try:
        return Steps(store, toolchain_digest(), FileIndex(None)).prose(texts)
    finally:
        store.finish()
