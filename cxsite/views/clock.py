"""The build's one moment ("now"): taken once per build, never read deep inside."""

from __future__ import annotations

import datetime as dt
import os

from ..diagnostics import BuildError


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
