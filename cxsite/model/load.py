"""A whole portfolio, read from disk and validated, with nothing kept.

The one composition of the first two layers that every caller without a
build shares (tests, authoring); ``cxsite`` commands load through the
build layer, which keeps each step's result (docs/architecture.md).
"""

from __future__ import annotations

import gc
from pathlib import Path

from . import objects as m
from ..diagnostics import Collector, Diagnostic, sort_key
from ..source.layout import read_portfolio
from .validate import Builder


def load_portfolio(root: Path | str, *, freeze: bool = False) -> tuple[m.Portfolio, tuple[Diagnostic, ...]]:
    """Read, validate and build the portfolio below ``root``.

    Returns the model and the warnings; raises
    :class:`~cxsite.diagnostics.PortfolioError` listing every error (and
    warning) when anything is wrong. ``freeze`` is for a command that keeps
    the portfolio until it exits: what the process holds then is frozen
    (``gc.freeze``) so that no later collection walks it. A process that
    loads again and again (``cxsite serve``, tests) must not freeze:
    garbage frozen with it is never freed.
    """
    raw, found = read_portfolio(Path(root))
    diagnostics = Collector()
    diagnostics.extend(found)
    builder = Builder(diagnostics)
    team = builder.team(raw.root, raw.team)
    customers = [customer for raw_customer in raw.customers
                 if (customer := builder.customer(raw.root, raw_customer)) is not None]
    if freeze:
        gc.freeze()
    diagnostics.raise_if_errors()
    assert team is not None
    return m.Portfolio(raw.root, team, tuple(customers)), tuple(sorted(diagnostics.items, key=sort_key))
