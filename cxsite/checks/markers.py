"""Secret markers: strings a team plants so that the audit proves they never leak.

Read from ``CXSITE_SECRET_MARKERS`` (comma-separated) by the build and the
audit alike; kept apart from the audit so that a build with nothing to do
need not load it.
"""

from __future__ import annotations

import os
from typing import Mapping

MARKERS_ENV = "CXSITE_SECRET_MARKERS"


def markers_from_env(environ: Mapping[str, str] | None = None) -> tuple[str, ...]:
    """Secret markers from ``CXSITE_SECRET_MARKERS`` (comma-separated)."""
    value = (os.environ if environ is None else environ).get(MARKERS_ENV, "")
    return tuple(part.strip() for part in value.split(",") if part.strip())
