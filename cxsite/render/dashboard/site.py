"""The dashboard put together: its pages and calendar from every customer's part.

Pages (English): Overview, Disruptions, Decisions, Surveys, CX findings;
plus ``calendar.ics`` with every upcoming disruption and every milestone not
reached yet, across the portfolio. The MkDocs plugin and adapter take a
:class:`~cxsite.render.artifacts.MicrositeArtifacts` and read from its
``site`` only presentation settings, so :func:`dashboard_site` gives them a
synthetic :class:`~cxsite.views.Microsite` whose customer is
"<organisation> – portfolio dashboard", with no projects, people or notes:
the portfolio's data never goes through that object.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Sequence
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone
from markupsafe import Markup

from ... import model as m
from ...diagnostics import Diagnostic
from ...views import Microsite
from ...views.clock import Clock
from ...views.rules import LOW_SURVEY_SHARE, rule_names
from ..artifacts import FileArtifact, MicrositeArtifacts, NavItem, PageArtifact
from ..i18n import Locale
from ..ical import assemble
from ..markdown import distinct_footnotes
from ..pages import PageRenderer, toc_of
from ..paths import DASHBOARD_AUDIENCE, DASHBOARD_FOLDER, DASHBOARD_SLUG, SitePaths
from ..prose import Prose

if TYPE_CHECKING:
    from .parts import CustomerPart

LANGUAGE = "en"
PRODID = "-//cxsite//cxsite portfolio dashboard//EN"


@dataclass(frozen=True)
class TeamLocale(Locale):
    """English in any customer's zone, but with one date format across the
    dashboard (a customer's zone would otherwise pick en_GB, en_AU, en_US...)."""

    format_locale: str = LANGUAGE

    @property
    def formats(self) -> str:
        return self.format_locale


class DashboardPaths:
    """Output paths of the dashboard (relative to its folder)."""

    home = "index.md"
    disruptions = "disruptions/index.md"
    decisions = "decisions/index.md"
    surveys = "surveys/index.md"
    findings = "findings/index.md"
    calendar = "calendar.ics"


def dashboard_html(renderer: PageRenderer, template: str, path: str, loc: Locale, prose: Prose,
                   **values: object) -> str:
    """``dashboard/<template>`` for the page at ``path``, with what every dashboard template reads."""
    def link(target: str) -> str:
        return SitePaths.relative(path, target)

    return renderer.env.get_template(f"dashboard/{template}").render(
        loc=loc, t=loc.t, md=prose.html, link=link, dpaths=DashboardPaths, **values)


def dashboard_zone(zones: Iterable[str]) -> str:
    """The customers' zone when they all share one, else UTC. Every time on
    the dashboard is shown in its own customer's zone anyway, zone named;
    this one is only for the footer and the "as of" line."""
    found = set(zones)
    return found.pop() if len(found) == 1 else "UTC"


def dashboard_site(organisation: m.Organisation, zone: str, clock: Clock) -> Microsite:
    """The synthetic microsite the engine builds the dashboard as: presentation
    settings only (name, language, zone, private access, no feeds)."""
    audience = m.Audience(DASHBOARD_AUDIENCE, "Delivery team",
                          "Internal portfolio dashboard: never publish it to customers.")
    customer = m.Customer(
        slug=DASHBOARD_SLUG, name=f"{organisation.name} – portfolio dashboard",
        timezone=zone, language=LANGUAGE, cx_owner_id="", primary_contacts=(),
        audiences=(audience,), projects=(),
        site=m.SiteSettings(base_url="", access=m.Access.PRIVATE, feeds=False))
    return Microsite(customer=customer, audience=audience, organisation=organisation, people=(),
                     clock=clock, next_embargo=None)


# ------------------------------------------------------------ findings

def _shown_path(base: str, path: str) -> str:
    """A source ``path`` relative to ``base``, the folder holding the portfolio
    (``projects/acme/erp/project.yml``), independent of the working folder."""
    try:
        relative = os.path.relpath(os.path.abspath(path), base)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative.replace(os.sep, "/")


def finding_groups(root: Path, findings: Sequence[Diagnostic]) -> list[dict]:
    """Every rule in documented order (with its findings, possibly none),
    then findings of any rule not known here."""
    base = os.path.abspath(Path(root).parent)
    shown: dict[str, str] = {}
    by_rule: dict[str, list[dict]] = {name: [] for name in rule_names()}
    for finding in findings:
        path, line = finding.location.path, finding.location.line
        if path not in shown:
            shown[path] = _shown_path(base, path)
        by_rule.setdefault(finding.rule, []).append({
            "where": f"{shown[path]}:{line}" if line else shown[path], "message": finding.message,
            "hint": finding.hint, "severity": finding.severity.value})
    known = rule_names()
    names = known + sorted(set(by_rule) - set(known))
    return [{"rule": name or "(no rule)",
             "anchor": "rule-" + ("".join(ch if ch.isalnum() else "-" for ch in name).strip("-") or "other"),
             "entries": by_rule[name]} for name in names]


# --------------------------------------------------------------- the site

def assemble_dashboard(parts: Sequence[CustomerPart], team: m.Team, root: Path, clock: Clock,
                       findings: Sequence[Diagnostic], renderer: PageRenderer,
                       base_url: str = "") -> MicrositeArtifacts:
    """The dashboard's artifacts from every customer's part (in portfolio
    order), the team, the portfolio folder (findings name paths relative to
    its parent) and every CX finding."""
    zone = dashboard_zone(part.timezone for part in parts)
    site = dashboard_site(team.organisation, zone, clock)
    loc = TeamLocale(LANGUAGE, ZoneInfo(zone))
    today = clock.today(zone)
    empty = Prose({})

    def page(template: str, path: str, title: str, description: str = "", **values: object) -> PageArtifact:
        html = distinct_footnotes(dashboard_html(renderer, template, path, loc, empty, site=site, today=today,
                                                 as_of=loc.date(today, "full"), zone=zone, **values))
        return PageArtifact(path, title, html, toc_of(html), description)

    totals = {"projects": 0, "overdue_updates": 0, "open_decisions": 0, "overdue_decisions": 0,
              "off_track": 0, "at_risk": 0}
    for part in parts:
        for name, count in part.totals:
            totals[name] = totals.get(name, 0) + count
    disruptions = [row for _, row in sorted((item for part in parts for item in part.disruptions),
                                            key=lambda item: item[0])]
    decisions = [row for _, row in sorted((item for part in parts for item in part.decisions),
                                          key=lambda item: item[0])]
    groups = finding_groups(root, findings)
    listed = Markup(dashboard_html(renderer, "_findings.html", DashboardPaths.findings, loc, empty, groups=groups))
    pages = (
        page("overview.html", DashboardPaths.home, "Overview", description="Internal portfolio dashboard",
             sections=[Markup(part.overview) for part in parts], totals=totals, findings_count=len(findings)),
        page("disruptions.html", DashboardPaths.disruptions, "Disruptions", rows=[Markup(r) for r in disruptions]),
        page("decisions.html", DashboardPaths.decisions, "Decisions", rows=[Markup(r) for r in decisions],
             overdue=sum(part.overdue_decisions for part in parts)),
        page("surveys.html", DashboardPaths.surveys, "Surveys",
             sections=[Markup(section) for part in parts for section in part.surveys], low_share=LOW_SURVEY_SHARE),
        page("findings.html", DashboardPaths.findings, "CX findings", groups_html=listed, total=len(findings)),
    )
    calendar = FileArtifact(DashboardPaths.calendar, assemble_calendar(parts, team.organisation), "text/calendar")
    nav = (NavItem("Overview", DashboardPaths.home), NavItem("Disruptions", DashboardPaths.disruptions),
           NavItem("Decisions", DashboardPaths.decisions), NavItem("Surveys", DashboardPaths.surveys),
           NavItem("CX findings", DashboardPaths.findings))
    return MicrositeArtifacts(site=site, base_url=base_url, pages=pages, files=(calendar,), nav=nav,
                              extra={"internal": True, "folder": DASHBOARD_FOLDER})


def assemble_calendar(parts: Sequence[CustomerPart], organisation: m.Organisation) -> bytes:
    """Every upcoming disruption and milestone not reached yet, of every
    customer, as one calendar: a VTIMEZONE per zone their timed events use,
    then their events, earliest first."""
    zones: dict[str, tuple[int, int]] = {}
    for part in parts:
        if part.years:
            first, last = zones.get(part.timezone, part.years)
            zones[part.timezone] = (min(first, part.years[0]), max(last, part.years[1]))
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{organisation.name} – portfolio dashboard")
    for tzid in sorted(zones):
        first, last = zones[tzid]
        cal.add_component(Timezone.from_tzinfo(ZoneInfo(tzid), tzid=tzid, first_date=dt.date(first, 1, 1),
                                               last_date=dt.date(last + 1, 12, 31)))
    events = sorted((item for part in parts for item in part.events), key=lambda item: item[0])
    return assemble(cal, (event for _, event in events))
