"""The internal portfolio dashboard: one microsite for the delivery team.

Every customer microsite renders a :class:`~cxsite.views.Microsite`, a view
cut down to what one audience may see. The dashboard is the opposite: it
reads the **full** portfolio (internal notes, internal, draft and embargoed
updates, every audience's items, every customer at once) so the team can see
where each customer stands and what needs doing. That is exactly why it must
never be published with, or beside, the customers' microsites:

* it is written to its own folder (``SITE_DIR/_internal/dashboard/`` when
  ``cxsite build`` produces it), never to ``<customer>/<audience>/``;
* it is not a manifest entry, so ``cxsite publish`` (which copies only the
  microsites the manifest lists) never copies it;
* its synthetic customer slug is ``"_internal"``
  (:data:`cxsite.render.paths.DASHBOARD_SLUG`), deliberately *not* a valid
  slug: :func:`cxsite.render.paths.site_folder` and the manifest refuse it;
* its access is ``private`` (every page carries ``noindex``) and it has no
  feeds and no base URL unless one is passed.

It is made of one :class:`~.parts.CustomerPart` per customer
(:func:`~.parts.customer_part`: that customer's section of the overview,
its rows of the disruptions, decisions and surveys pages, its calendar
events), put together by :func:`~.site.assemble_dashboard` with the CX
findings of the whole portfolio. A part depends on one customer, the team
and the build's clock only, so a build keeps each part and an edit makes
one customer's part again (docs/architecture.md). :func:`render_dashboard`
does it all at once.
"""

from __future__ import annotations

import datetime as dt
from typing import Sequence

from ... import model as m
from ...diagnostics import Diagnostic
from ...views.clock import Clock, as_clock
from ..artifacts import MicrositeArtifacts
from ..pages import PageRenderer
from ..prose import Prose
from .parts import CustomerPart, customer_part, findings_per_project
from .site import DashboardPaths, assemble_dashboard, dashboard_site

__all__ = ["CustomerPart", "DashboardPaths", "assemble_dashboard", "customer_part", "dashboard_site",
           "render_dashboard", "render_dashboard_calendar"]


def render_dashboard(portfolio: m.Portfolio, when: Clock | dt.datetime, findings: Sequence[Diagnostic],
                     prose: Prose | None = None, *, base_url: str = "") -> MicrositeArtifacts:
    """The dashboard's artifacts, ready for the engine, from the FULL
    validated portfolio (not views), the build's clock, the CX findings
    (:func:`cxsite.views.rules.cx_findings` for the same portfolio and moment)
    and the conversions of its Markdown (made on the spot without them).
    ``base_url``, where the dashboard is served if known, is only used for
    links inside calendar events."""
    clock = as_clock(when)
    if base_url and not base_url.endswith("/"):
        raise ValueError("base_url must end with '/'")
    prose = prose or Prose.converting()
    renderer = PageRenderer()
    parts = [customer_part(customer, portfolio.team, clock, findings_per_project(customer, findings), prose,
                           renderer, base_url) for customer in portfolio.customers]
    return assemble_dashboard(parts, portfolio.team, portfolio.root, clock, findings, renderer, base_url)


def render_dashboard_calendar(portfolio: m.Portfolio, when: Clock | dt.datetime, base_url: str = "") -> bytes:
    """The dashboard's calendar alone (see :func:`.site.assemble_calendar`)."""
    artifacts = render_dashboard(portfolio, when, [], base_url=base_url)
    return next(file.content for file in artifacts.files if file.path == DashboardPaths.calendar)
