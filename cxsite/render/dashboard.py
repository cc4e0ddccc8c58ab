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
* its synthetic customer slug is :data:`DASHBOARD_SLUG` = ``"_internal"``,
  which is deliberately *not* a valid slug: :func:`cxsite.paths.site_folder`
  and :func:`cxsite.audit.read_manifest` refuse it, so it cannot be given a
  customer folder or a manifest entry by mistake;
* its access is ``private`` (every page carries ``noindex``) and it has no
  feeds and no base URL unless one is passed.

Why a synthetic :class:`~cxsite.views.Microsite`
------------------------------------------------
The MkDocs plugin and adapter take a
:class:`~cxsite.render.artifacts.MicrositeArtifacts`, and read from its
``site`` only presentation settings: the customer's name (site name),
language, brand colour, ``site.access`` (noindex), time zone (footer), the
organisation (footer) and ``key`` (error messages). Rather than teach them a
second artifact type, :func:`dashboard_site` builds a ``Microsite`` whose
customer is a synthetic :class:`~cxsite.model.Customer` named
"<organisation> – portfolio dashboard" with no projects, no people and no
notes. The portfolio data never goes through that object: the dashboard's
pages and calendar are rendered here, from the portfolio itself, so the
existing plugin and adapter build the dashboard unchanged and nothing that
renders *customer* microsites ever sees the full portfolio.

Pages (English): Overview, Disruptions, Decisions, Surveys, CX findings;
plus ``calendar.ics`` with every upcoming disruption and every milestone not
reached yet, across the portfolio. The build's moment is asked through its
clock (:mod:`cxsite.views.clock`), never read, so the same input gives the same bytes.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Iterable, Sequence
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone
from markupsafe import Markup

from .. import model as m
from ..diagnostics import Diagnostic
from ..views import Microsite, facts, release_time, told_updates
from ..views.clock import Clock, as_clock
from ..views.rules import DEFAULT_GRACE_DAYS, LOW_SURVEY_SHARE, rule_names
from .artifacts import FileArtifact, MicrositeArtifacts, NavItem, PageArtifact
from .calendar import event_uid, milestone_day, milestone_sequence
from .i18n import Locale
from .prose import Prose
from .pages import PageRenderer, toc_of
from .paths import DASHBOARD_AUDIENCE, DASHBOARD_FOLDER, DASHBOARD_SLUG, SitePaths
from .words import at_nine

__all__ = ["DASHBOARD_AUDIENCE", "DASHBOARD_FOLDER", "DASHBOARD_SLUG", "DashboardPaths", "dashboard_site",
           "render_dashboard", "render_dashboard_calendar"]


LANGUAGE = "en"
PRODID = "-//cxsite//cxsite portfolio dashboard//EN"
UID_PREFIX = "dashboard."


@dataclass(frozen=True)
class _TeamLocale(Locale):
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


# ------------------------------------------------------------ the site

def _dashboard_zone(portfolio: m.Portfolio) -> str:
    """The customers' zone when they all share one, else UTC. Every time on
    the dashboard is shown in its own customer's zone anyway, zone named;
    this one is only for the footer and the "as of" line."""
    zones = {customer.timezone for customer in portfolio.customers}
    return zones.pop() if len(zones) == 1 else "UTC"


def dashboard_site(portfolio: m.Portfolio, clock: Clock) -> Microsite:
    """The synthetic microsite the MkDocs plugin builds the dashboard as.

    It holds presentation settings only (name, language, zone, private
    access, no feeds); no project, person or note of the portfolio."""
    organisation = portfolio.team.organisation
    audience = m.Audience(DASHBOARD_AUDIENCE, "Delivery team",
                          "Internal portfolio dashboard: never publish it to customers.")
    customer = m.Customer(
        slug=DASHBOARD_SLUG, name=f"{organisation.name} – portfolio dashboard",
        timezone=_dashboard_zone(portfolio), language=LANGUAGE, cx_owner_id="", primary_contacts=(),
        audiences=(audience,), projects=(),
        site=m.SiteSettings(base_url="", access=m.Access.PRIVATE, feeds=False))
    return Microsite(customer=customer, audience=audience, organisation=organisation, people=(),
                     clock=clock, next_embargo=None)


# --------------------------------------------------------------- facts

@dataclass(frozen=True)
class Trend:
    key: str     # "rising", "falling", "steady", "first"
    word: str
    icon: str


_TRENDS = {
    "rising": Trend("rising", "Rising", "▲"),
    "falling": Trend("falling", "Falling", "▼"),
    "steady": Trend("steady", "Steady", "▶"),
    "first": Trend("first", "First survey", "●"),
}


def _share(survey: m.SurveyResult) -> float:
    return survey.score / survey.scale if survey.scale else 0.0


def _surveys(project: m.Project) -> list[m.SurveyResult]:
    return sorted(project.surveys, key=lambda s: s.date)


def survey_trend(project: m.Project) -> Trend | None:
    """How the latest survey compares with the one before (as a share of the scale)."""
    surveys = _surveys(project)
    if not surveys:
        return None
    if len(surveys) == 1:
        return _TRENDS["first"]
    latest, previous = _share(surveys[-1]), _share(surveys[-2])
    if latest > previous:
        return _TRENDS["rising"]
    if latest < previous:
        return _TRENDS["falling"]
    return _TRENDS["steady"]


def green_but_unhappy(project: m.Project) -> bool:
    """Every measure met while the latest survey is low or falling (as the
    ``cx/green-but-unhappy`` rule decides it)."""
    if not project.measures or not all(measure.met for measure in project.measures):
        return False
    surveys = _surveys(project)
    if not surveys:
        return False
    trend = survey_trend(project)
    return _share(surveys[-1]) < LOW_SURVEY_SHARE or (trend is not None and trend.key == "falling")


@dataclass(frozen=True)
class UpdateState:
    last: m.Update | None
    due: dt.date | None        # None: the project promises no updates (not running)
    overdue_days: int          # > 0 beyond the grace period
    published: int
    internal: int
    draft: int
    embargoed: int
    next_release: dt.datetime | None


def update_state(customer: m.Customer, project: m.Project, clock: Clock,
                 grace_days: int = DEFAULT_GRACE_DAYS) -> UpdateState:
    today = clock.today(customer.zone)
    told = list(told_updates(customer, project, clock))
    last = told[0] if told else None
    due, overdue = None, 0
    if project.status in (m.Status.ACTIVE, m.Status.ON_HOLD):
        since = last.published.astimezone(customer.zone).date() if last else project.start
        due = since + dt.timedelta(days=project.update_cadence.days)
        late = (today - due).days
        overdue = late if late > grace_days else 0
    internal = draft = 0
    embargoed: list[dt.datetime] = []   # release times of updates not yet due
    for update in project.updates:
        if update.internal:
            internal += 1
        elif update.draft:
            draft += 1
        elif not clock.passed(release := release_time(update)):
            embargoed.append(release)
    return UpdateState(last=last, due=due, overdue_days=overdue, published=len(told), internal=internal,
                       draft=draft, embargoed=len(embargoed), next_release=min(embargoed, default=None))


def _audience_names(customer: m.Customer, ids: Sequence[str]) -> str:
    if not ids:
        return "every audience"
    names = {a.id: a.name for a in customer.audiences}
    return ", ".join(names.get(i, i) for i in ids)


# ------------------------------------------------------------ findings

def _shown_path(base: str, path: str) -> str:
    """A source ``path`` relative to ``base``, the folder holding the portfolio
    (``projects/acme/erp/project.yml``), independent of the working folder."""
    try:
        relative = os.path.relpath(os.path.abspath(path), base)
    except ValueError:
        return path
    return path if relative.startswith("..") else relative.replace(os.sep, "/")


def _folder_of(location: m.Location) -> str:
    return os.path.dirname(os.path.abspath(location.path))


def _findings_by_project(portfolio: m.Portfolio, findings: Iterable[Diagnostic]) -> dict[tuple[str, str], int]:
    """How many findings point into each project's folder (project.yml, its updates)."""
    folders = {_folder_of(p.location): (c.slug, p.slug) for c in portfolio.customers for p in c.projects
               if p.location.path != m.NOWHERE.path}
    project_of: dict[str, tuple[str, str] | None] = {}  # a large portfolio has thousands of findings in few files
    counts: dict[tuple[str, str], int] = {}
    for finding in findings:
        path = finding.location.path
        if path not in project_of:
            folder = os.path.dirname(os.path.abspath(path))
            while folder not in folders and os.path.dirname(folder) != folder:
                folder = os.path.dirname(folder)
            project_of[path] = folders.get(folder)
        project = project_of[path]
        if project is not None:
            counts[project] = counts.get(project, 0) + 1
    return counts


def _finding_groups(portfolio: m.Portfolio, findings: Sequence[Diagnostic]) -> list[dict]:
    """Every rule in documented order (with its findings, possibly none),
    then findings of any rule not known here."""
    base = os.path.abspath(portfolio.root.parent)
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


# --------------------------------------------------------------- pages

class _Pages:
    def __init__(self, portfolio: m.Portfolio, site: Microsite, findings: Sequence[Diagnostic],
                 renderer: PageRenderer, prose: Prose, base_url: str):
        self.portfolio = portfolio
        self.prose = prose
        self.site = site
        self.clock = site.clock
        self.findings = list(findings)
        self.renderer = renderer
        self.loc = _TeamLocale(LANGUAGE, ZoneInfo(site.customer.timezone))
        self.base_url = base_url
        self.locales = {c.slug: _TeamLocale(LANGUAGE, c.zone, self.loc.formats) for c in portfolio.customers}

    def today(self, customer: m.Customer) -> dt.date:
        return self.clock.today(customer.zone)

    def _html(self, template: str, path: str, **values: object) -> str:
        """``dashboard/<template>`` for the page at ``path``, with what every dashboard template reads."""
        def link(target: str) -> str:
            return SitePaths.relative(path, target)

        return self.renderer.env.get_template(f"dashboard/{template}").render(
            loc=self.loc, t=self.loc.t, md=self.prose.html, link=link, dpaths=DashboardPaths, **values)

    def render(self, template: str, path: str, title: str, description: str = "", **values: object) -> PageArtifact:
        today = self.clock.today(self.loc.zone)
        html = self._html(template, path, site=self.site, portfolio=self.portfolio, clock=self.clock,
                          today=today, as_of=self.loc.date(today, "full"), zone=self.site.customer.timezone, **values)
        return PageArtifact(path, title, html, toc_of(html), description)

    def fragment(self, template: str, path: str, **values: object) -> str:
        """HTML of part of the page at ``path``: it is given neither the time nor the portfolio."""
        return self._html(template, path, **values)

    # ---------------------------------------------------------- overview

    def overview(self) -> PageArtifact:
        per_project = _findings_by_project(self.portfolio, self.findings)
        sections = []
        totals = {"projects": 0, "overdue_updates": 0, "open_decisions": 0, "overdue_decisions": 0,
                  "off_track": 0, "at_risk": 0}
        for customer in self.portfolio.customers:
            rows = [self._row(customer, project, per_project) for project in customer.projects]
            for row in rows:
                totals["projects"] += 1
                totals["overdue_updates"] += 1 if row["state"].overdue_days else 0
                totals["open_decisions"] += row["open_decisions"]
                totals["overdue_decisions"] += row["overdue_decisions"]
                health = row["project"].health.value
                totals[health] = totals.get(health, 0) + 1
            sections.append(Markup(self._section(customer, rows)))
        return self.render("overview.html", DashboardPaths.home, "Overview",
                           description="Internal portfolio dashboard", sections=sections, totals=totals,
                           findings_count=len(self.findings))

    def _row(self, customer: m.Customer, project: m.Project, per_project: dict[tuple[str, str], int]) -> dict:
        today = self.today(customer)
        decisions = facts.open_decisions(project)
        milestone = facts.next_milestone(project, today)
        return {
            "project": project, "state": update_state(customer, project, self.clock), "milestone": milestone,
            "milestone_state": facts.milestone_state(milestone, today).value if milestone else "",
            "milestone_date": (milestone.forecast or milestone.planned) if milestone else None,
            "open_decisions": len(decisions),
            "overdue_decisions": sum(1 for d in decisions if d.due < today),
            "findings": per_project.get((customer.slug, project.slug), 0),
        }

    def _section(self, customer: m.Customer, rows: list[dict]) -> str:
        """One customer's section of the overview; ``rows`` hold what changes
        with the time, the rest is read from the model here."""
        cards = []
        for row in rows:
            project = row["project"]
            surveys = _surveys(project)
            cards.append(row | {
                "survey": surveys[-1] if surveys else None, "trend": survey_trend(project),
                "unhappy": green_but_unhappy(project),
                "audiences": _audience_names(customer, project.audiences),
                "notes": [(f"Milestone “{ms.title}”", ms.internal_note) for ms in project.milestones
                          if ms.internal_note]
                         + [(f"Disruption “{d.title}”", d.internal_note) for d in project.disruptions
                            if d.internal_note]
                         + ([("Budget", project.budget.internal_note)]
                            if project.budget and project.budget.internal_note else []),
            })
        owner = next((p for p in self.portfolio.team.people if p.id == customer.cx_owner_id), None)
        entry = {"customer": customer, "rows": cards, "owner": owner,
                 "audiences": ", ".join(a.name for a in customer.audiences)}
        return self.fragment("_customer.html", DashboardPaths.home, entry=entry)

    # ------------------------------------------------------- disruptions

    def disruptions(self) -> PageArtifact:
        items = []
        for customer in self.portfolio.customers:
            cloc = self.locales[customer.slug]
            for project in customer.projects:
                for d in facts.upcoming_disruptions(project, self.clock):
                    previous = d.previous_windows[-1] if d.previous_windows else None
                    items.append({
                        "customer": customer, "project": project, "d": d,
                        "when": cloc.window(d.window.start, d.window.end), "iso": cloc.iso(d.window.start),
                        "previous": cloc.window(previous.start, previous.end) if previous else "",
                        "started": self.clock.passed(d.window.start),
                        "notice": (d.window.start.astimezone(customer.zone).date() - d.announced).days
                        if d.announced else None,
                        "audiences": _audience_names(customer, d.audiences),
                    })
        items.sort(key=lambda i: (i["d"].window.start, i["customer"].slug, i["project"].slug, i["d"].id))
        return self.render("disruptions.html", DashboardPaths.disruptions, "Disruptions", items=items)

    # --------------------------------------------------------- decisions

    def decisions(self) -> PageArtifact:
        items = []
        for customer in self.portfolio.customers:
            today = self.today(customer)
            for project in customer.projects:
                for d in facts.open_decisions(project):
                    items.append({"customer": customer, "project": project, "d": d,
                                  "late": max((today - d.due).days, 0),
                                  "audiences": _audience_names(customer, d.audiences)})
        items.sort(key=lambda i: (i["d"].due, i["customer"].slug, i["project"].slug, i["d"].id))
        return self.render("decisions.html", DashboardPaths.decisions, "Decisions", items=items,
                           overdue=sum(1 for i in items if i["late"]))

    # ----------------------------------------------------------- surveys

    def surveys(self) -> PageArtifact:
        projects = []
        for customer in self.portfolio.customers:
            for project in customer.projects:
                if not project.surveys and not project.measures:
                    continue
                met = [ms.met for ms in project.measures]
                projects.append({
                    "customer": customer, "project": project,
                    "surveys": [{"s": s, "share": _share(s), "low": _share(s) < LOW_SURVEY_SHARE,
                                 "audiences": _audience_names(customer, s.audiences)}
                                for s in reversed(_surveys(project))],
                    "trend": survey_trend(project), "unhappy": green_but_unhappy(project),
                    "measures_met": sum(1 for x in met if x), "measures": len(met),
                    "all_green": bool(met) and all(met),
                })
        return self.render("surveys.html", DashboardPaths.surveys, "Surveys", projects=projects,
                           low_share=LOW_SURVEY_SHARE)

    # ---------------------------------------------------------- findings

    def findings_page(self) -> PageArtifact:
        groups = _finding_groups(self.portfolio, self.findings)
        listed = Markup(self.fragment("_findings.html", DashboardPaths.findings, groups=groups))
        return self.render("findings.html", DashboardPaths.findings, "CX findings", groups_html=listed,
                           total=len(self.findings))


# ------------------------------------------------------------ calendar

def _customer_view(portfolio: m.Portfolio, customer: m.Customer, clock: Clock) -> Microsite:
    """A full (unfiltered) view of one customer, only for the calendar helpers
    of :mod:`cxsite.subscriptions.calendar` (UIDs, SEQUENCE, reached-ness),
    which read its customer's slug and zone and the clock."""
    audience = m.Audience(DASHBOARD_AUDIENCE, "Delivery team")
    return Microsite(customer=customer, audience=audience, organisation=portfolio.team.organisation, people=(),
                     clock=clock, next_embargo=None)


def _lines(*parts: str) -> str:
    return "\n\n".join(part.strip() for part in parts if part and part.strip())


def render_dashboard_calendar(portfolio: m.Portfolio, when: Clock | dt.datetime, base_url: str = "") -> bytes:
    """Every upcoming disruption (cancelled ones too, as CANCELLED, until
    their window has passed) and every milestone not reached yet, of every
    customer, as one calendar.

    UIDs are those of the customers' calendars (:func:`event_uid`) with the
    prefix ``dashboard.``: stable across builds and moves, yet distinct from
    the customer's own events, whose content differs (no internal notes, one
    audience's items), so a client subscribed to both never mixes them up.
    SEQUENCE and DTSTAMP are derived from the data as in the customers'
    calendars; nothing depends on the build clock."""
    clock = as_clock(when)
    page = (base_url + SitePaths.url_of(DashboardPaths.disruptions)) if base_url else ""
    events: list[tuple[tuple, Event]] = []
    zones: dict[str, tuple[int, int]] = {}
    for customer in portfolio.customers:
        today = clock.today(customer.zone)
        upcoming = [(project, facts.upcoming_disruptions(project, clock),
                     [(ms, facts.milestone_state(ms, today) is facts.MilestoneState.LATE) for ms in project.milestones
                      if ms.done is None or not clock.passed(at_nine(ms.done, customer))])   # reached: not upcoming
                    for project in customer.projects]
        own, years = _customer_events(portfolio, customer, clock, upcoming, page)
        events.extend(own)
        if years:
            first, last = zones.get(customer.timezone, years)
            zones[customer.timezone] = (min(first, years[0]), max(last, years[1]))
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"{portfolio.team.organisation.name} – portfolio dashboard")
    for tzid in sorted(zones):
        first, last = zones[tzid]
        cal.add_component(Timezone.from_tzinfo(ZoneInfo(tzid), tzid=tzid, first_date=dt.date(first, 1, 1),
                                               last_date=dt.date(last + 1, 12, 31)))
    for _, event in sorted(events, key=lambda pair: pair[0]):
        cal.add_component(event)
    return cal.to_ical()


_Upcoming = Sequence[tuple[m.Project, Sequence[m.Disruption], Sequence[tuple[m.Milestone, bool]]]]


def _customer_events(portfolio: m.Portfolio, customer: m.Customer, clock: Clock, upcoming: _Upcoming,
                     page: str) -> tuple[list[tuple[tuple, Event]], tuple[int, int] | None]:
    """One customer's events of the dashboard calendar, each with its sort key,
    and the first and last year its disruptions span (for its VTIMEZONE):
    its upcoming disruptions and its milestones not reached yet, with
    whether each is late."""
    site = _customer_view(portfolio, customer, clock)
    zone = customer.zone
    events: list[tuple[tuple, Event]] = []
    years: tuple[int, int] | None = None
    for project, disruptions, milestones in upcoming:
        prefix = f"{customer.name} – {project.name}"
        for d in disruptions:
            cancelled = d.status is m.DisruptionStatus.CANCELLED
            uid = UID_PREFIX + event_uid(site, project, d)
            stamp_day = d.changed or d.announced or project.start
            start, end = d.window.start.astimezone(zone), d.window.end.astimezone(zone)
            fields: list[tuple[str, object]] = [
                ("uid", uid),
                ("dtstamp", at_nine(stamp_day, customer).astimezone(dt.timezone.utc)),
                ("sequence", d.sequence),
                ("dtstart", start),
                ("dtend", end),
                ("summary", f"{'Cancelled: ' if cancelled else ''}{prefix}: {d.title}"),
                ("description", _lines(
                    "This disruption will not take place." if cancelled else "",
                    f"Affects: {d.affects}\nImpact: {d.impact.value}\nStatus: {d.status.value}\n"
                    f"Announced: {d.announced or 'not recorded'}\n"
                    f"Seen by: {_audience_names(customer, d.audiences)}",
                    d.description, f"Internal note: {d.internal_note}" if d.internal_note else "", page)),
                ("status", "CANCELLED" if cancelled else "CONFIRMED"),
                ("transp", "TRANSPARENT"),
                ("categories", ["Disruption", customer.name]),
            ]
            if page:
                fields.append(("url", page))
            first, last = years or (start.year, end.year)
            years = (min(first, start.year), max(last, end.year))
            events.append(((d.window.start, uid), _vevent(fields)))
        for ms, late in milestones:
            day = milestone_day(site, ms)
            uid = UID_PREFIX + event_uid(site, project, ms)
            fields = [
                ("uid", uid),
                ("dtstamp", at_nine(project.start, customer).astimezone(dt.timezone.utc)),
                ("sequence", milestone_sequence(site, ms)),
                ("dtstart", day),
                ("dtend", day + dt.timedelta(days=1)),
                ("summary", f"{prefix}: {ms.title}"),
                ("description", _lines(
                    f"Planned for {ms.planned}." + (f" Forecast {ms.forecast}." if ms.forecast else "")
                    + (" Late." if late else ""),
                    f"Seen by: {_audience_names(customer, ms.audiences)}",
                    ms.description, f"Internal note: {ms.internal_note}" if ms.internal_note else "")),
                ("status", "TENTATIVE"),
                ("transp", "TRANSPARENT"),
                ("categories", ["Milestone", customer.name]),
            ]
            events.append(((at_nine(day, customer), uid), _vevent(fields)))
    return events, years


def _vevent(fields: Sequence[tuple[str, object]]) -> Event:
    event = Event()
    for name, value in fields:
        event.add(name, value)
    return event


# ------------------------------------------------------------- the API

def render_dashboard(portfolio: m.Portfolio, when: Clock | dt.datetime, findings: Sequence[Diagnostic],
                     prose: Prose | None = None, *, base_url: str = "") -> MicrositeArtifacts:
    """The dashboard's artifacts, ready for :func:`cxsite.mkdocs_adapter.build_microsite`.

    ``portfolio`` is the FULL validated portfolio (not views); ``when`` the
    build's clock; ``findings`` what :func:`cxsite.views.rules.cx_findings`
    returned for the same portfolio and moment; ``prose`` the conversions of
    its Markdown (:func:`~cxsite.render.prose.markdown_texts` of the
    portfolio's customers; converted on the spot without it); ``base_url`` where the
    dashboard is served, if known (only used for links inside calendar events).
    """
    clock = as_clock(when)
    if base_url and not base_url.endswith("/"):
        raise ValueError("base_url must end with '/'")
    site = dashboard_site(portfolio, clock)
    pages = _Pages(portfolio, site, findings, PageRenderer(), prose or Prose.converting(), base_url)
    artifacts = [pages.overview(), pages.disruptions(), pages.decisions(), pages.surveys(), pages.findings_page()]
    files = (FileArtifact(DashboardPaths.calendar, render_dashboard_calendar(portfolio, clock, base_url),
                          "text/calendar"),)
    nav = (NavItem("Overview", DashboardPaths.home), NavItem("Disruptions", DashboardPaths.disruptions),
           NavItem("Decisions", DashboardPaths.decisions), NavItem("Surveys", DashboardPaths.surveys),
           NavItem("CX findings", DashboardPaths.findings))
    return MicrositeArtifacts(site=site, base_url=base_url, pages=tuple(artifacts), files=files, nav=nav,
                              extra={"internal": True, "folder": DASHBOARD_FOLDER})
