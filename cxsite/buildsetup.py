"""What a build settles before it reads anything: its time, its mkdocs.yml,
and where the dashboard goes. Kept free of heavy imports, so that a build
with nothing to do (cxsite.build's no-change check) starts in a blink."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from .diagnostics import BuildError

#: Not a valid slug on purpose (leading underscore): see cxsite.dashboard.
DASHBOARD_SLUG = "_internal"
DASHBOARD_AUDIENCE = "dashboard"
#: Where ``cxsite build`` writes the dashboard, relative to SITE_DIR.
DASHBOARD_FOLDER = f"{DASHBOARD_SLUG}/{DASHBOARD_AUDIENCE}"
MANIFEST = "manifest.json"  # at the top of every build output: what it holds and how it was built


def build_cutoff(explicit: dt.datetime | None = None) -> dt.datetime:
    """The one "now" of a build: explicit, else SOURCE_DATE_EPOCH, else the clock."""
    if explicit is not None:
        return explicit if explicit.tzinfo else explicit.replace(tzinfo=dt.timezone.utc)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except ValueError as exc:
            raise BuildError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}") from exc
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def find_config(projects_dir: Path, explicit: Path | None = None) -> Path:
    """The mkdocs.yml to use: explicit, else beside the portfolio, else in
    the working directory."""
    candidates = [explicit] if explicit else [projects_dir.resolve().parent / "mkdocs.yml", Path("mkdocs.yml")]
    for candidate in candidates:
        if candidate and candidate.is_file():
            return candidate.resolve()
    raise BuildError(f"no mkdocs.yml found (looked at {', '.join(str(c) for c in candidates if c)}); "
                     "pass --config or create one from the repository's mkdocs.yml")
