"""The internal portfolio dashboard: the whole portfolio, for the delivery team only."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path

import pytest
from icalendar import Calendar

from cxsite.render.dashboard import DashboardPaths, render_dashboard, render_dashboard_calendar
from cxsite.render.paths import DASHBOARD_FOLDER
from cxsite.diagnostics import Location
from cxsite.model import Access
from cxsite.render.paths import site_folder
from cxsite.render.text import html_to_text
from cxsite.views.rules import cx_findings
from cxsite.checks.readback import verify_outputs
from cxsite.model.load import load_portfolio

from .conftest import CUSTOMER, PROJECT, REPO


def plain(html: str) -> str:
    """What a reader sees of a page, as one line of words."""
    return " ".join(html_to_text(html).split())

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)

HOSTILE_CUSTOMER = "Acme <script>alert('acme')</script> & Co"
HOSTILE_PROJECT = "ERP <img src=x onerror=alert(1)>"

ACME = CUSTOMER.replace("name: Acme & Co", f'name: "{HOSTILE_CUSTOMER}"') + """\
internal_note: Renewal talk in March; the CFO is sceptical.
"""

ERP = PROJECT.replace("name: ERP roll-out", f'name: "{HOSTILE_PROJECT}"').replace(
    "start: 2026-10-24T22:00", "start: 2027-01-09T22:00").replace("end: 2026-10-25T04:00", "end: 2027-01-10T04:00") + """\
  - id: dry-run
    title: Dress rehearsal
    start: 2026-12-05T09:00
    end: 2026-12-05T12:00
    affects: Finance super-users
    impact: low
    status: cancelled
    announced: 2026-11-01
internal_note: Supplier invoice CR-7 is disputed.
decisions:
  - id: chart-of-accounts
    title: Approve the new chart of accounts
    owner: Finance director
    due: 2026-10-01
  - id: training-dates
    title: Pick the training dates
    owner: HR lead
    due: 2026-12-20
measures:
  - id: invoices
    name: Invoices posted on time
    target: 90
    actual: 95
    unit: "%"
surveys:
  - date: 2026-06-30
    score: 8
    scale: 10
  - date: 2026-10-31
    score: 5
    scale: 10
    comment: Nobody tells us anything.
"""

INTERNAL_UPDATE = """\
---
id: u-internal
title: Commercial position (team only)
date: 2026-11-20T09:00
author: ana
internal: true
---
Margin is thin.
"""

DRAFT_UPDATE = """\
---
id: u-draft
title: Cut-over readiness (draft)
date: 2026-11-21T09:00
author: ana
draft: true
---
Not ready yet.
"""

EMBARGOED_UPDATE = """\
---
id: u-embargo
title: Go-live date announced
date: 2026-11-22T09:00
author: ana
publish_after: 2026-12-01T08:00
---
We go live in February.
"""

GLOBEX = """\
name: Globex Utilities
timezone: America/New_York
cx_owner: ana
primary_contacts:
  - person: ana
    handles: Everything
audiences:
  everyone: {name: Everyone}
site: {base_url: "https://status.example/globex/", access: private}
"""

GRID = """\
name: Grid upgrade
summary: New substations.
status: active
health: off_track
health_reason: Transformer delivery slipped.
percent_complete: 20
start: 2026-11-01
planned_end: 2027-06-30
update_cadence: monthly
milestones:
  - id: transformers
    title: Transformers delivered
    planned: 2027-01-15
    forecast: 2027-02-20
    internal_note: Second supplier on standby.
disruptions:
  - id: substation-a
    title: Substation A switched over
    start: 2026-12-12T01:00
    end: 2026-12-12T05:00
    affects: East district
    impact: medium
    announced: 2026-11-10
    internal_note: Crew overtime approved.
"""


@pytest.fixture
def root(portfolio) -> Path:
    return portfolio({
        "acme/customer.yml": ACME,
        "acme/erp/project.yml": ERP,
        "acme/erp/updates/internal.md": INTERNAL_UPDATE,
        "acme/erp/updates/draft.md": DRAFT_UPDATE,
        "acme/erp/updates/embargo.md": EMBARGOED_UPDATE,
        "globex/customer.yml": GLOBEX,
        "globex/grid/project.yml": GRID,
    })


@pytest.fixture
def loaded(root):
    portfolio, _ = load_portfolio(root)
    return portfolio


@pytest.fixture
def artifacts(loaded):
    return render_dashboard(loaded, NOW, cx_findings(loaded, NOW))


def page(artifacts, path: str) -> str:
    return next(p.html for p in artifacts.pages if p.path == path)


def text(artifacts, path: str) -> str:
    return plain(page(artifacts, path))


# ------------------------------------------------------------------ shape

def test_the_dashboard_has_its_pages_nav_and_calendar(artifacts):
    assert [p.path for p in artifacts.pages] == [DashboardPaths.home, DashboardPaths.disruptions,
                                                DashboardPaths.decisions, DashboardPaths.surveys,
                                                DashboardPaths.findings]
    assert [item.title for item in artifacts.nav] == ["Overview", "Disruptions", "Decisions", "Surveys",
                                                      "CX findings"]
    assert [f.path for f in artifacts.files] == [DashboardPaths.calendar]


def test_the_synthetic_site_is_private_internal_and_cannot_get_a_customer_folder(artifacts):
    site = artifacts.site
    assert site.customer.name == "Brightline Delivery – portfolio dashboard"
    assert site.customer.language == "en"
    assert site.customer.site.access is Access.PRIVATE and not site.customer.site.feeds
    assert site.customer.projects == () and site.people == () and not site.customer.internal_note
    assert site.key == DASHBOARD_FOLDER == "_internal/dashboard"
    with pytest.raises(ValueError):
        site_folder(site.customer.slug, site.audience.id)  # never among the customers' folders


def test_the_zone_is_utc_when_customers_differ(artifacts):
    assert artifacts.site.customer.timezone == "UTC"


# --------------------------------------------------------------- overview

def test_overview_lists_every_customer_and_project(artifacts, loaded):
    overview = text(artifacts, DashboardPaths.home)
    for customer in loaded.customers:
        assert customer.name in overview
        for project in customer.projects:
            assert project.name in overview
    assert "Off track" in overview and "On track" in overview and "✖" in overview
    assert "40 % complete" in overview and "20 % complete" in overview
    assert "Transformers delivered" in overview  # next milestone


def test_overview_flags_the_overdue_update_and_counts_unpublished_ones(artifacts):
    overview = text(artifacts, DashboardPaths.home)
    # ERP promises a monthly update; only the January kick-off was ever published.
    assert re.search(r"Update overdue by \d+ days", overview)
    assert "1 published · 1 internal · 1 draft · 1 embargoed" in overview
    assert "Last published: Kick-off" in overview  # not the internal, draft or embargoed ones


def test_overview_counts_open_decisions_and_shows_the_latest_survey_trend(artifacts):
    html = page(artifacts, DashboardPaths.home)
    row = html.split('id="project-acme-erp"', 1)[1].split("</article>", 1)[0]
    assert "2</a>" in row and "1 overdue" in row
    assert "5 / 10" in row and "Falling" in row and "▼" in row and "Green but unhappy" in row


def test_internal_notes_appear_on_the_teams_site(artifacts):
    overview = text(artifacts, DashboardPaths.home)
    assert "Renewal talk in March; the CFO is sceptical." in overview       # customer
    assert "Supplier invoice CR-7 is disputed." in overview                 # project
    assert "Second supplier on standby." in overview                        # milestone
    assert "Crew overtime approved." in text(artifacts, DashboardPaths.disruptions)


# ------------------------------------------------------------ other pages

def test_disruptions_across_the_portfolio_in_each_customers_zone(artifacts):
    html = page(artifacts, DashboardPaths.disruptions)
    listing = plain(html)
    assert listing.index("Dress rehearsal") < listing.index("Substation A") < listing.index("Finance system offline")
    row = html.split('id="disruption-globex-grid-substation-a"', 1)[1].split("</tr>", 1)[0]
    assert "America/New_York" in row and "EST" in row and "1:00" in row        # local time, zone named
    cancelled = html.split('id="disruption-acme-erp-dry-run"', 1)[1].split("</tr>", 1)[0]
    assert "Cancelled" in cancelled and "Europe/London" in cancelled
    assert "Not announced" in listing  # the cut-over has no 'announced' date


def test_decisions_waiting_on_customers_with_overdue_flagged(artifacts):
    html = page(artifacts, DashboardPaths.decisions)
    overdue = html.split('id="decision-acme-erp-chart-of-accounts"', 1)[1].split("</tr>", 1)[0]
    assert "Overdue by 55 days" in overdue and "Finance director" in overdue
    on_time = html.split('id="decision-acme-erp-training-dates"', 1)[1].split("</tr>", 1)[0]
    assert "Overdue" not in on_time


def test_surveys_show_scores_over_time_and_green_but_unhappy(artifacts):
    surveys = text(artifacts, DashboardPaths.surveys)
    assert "8 / 10" in surveys and "5 / 10" in surveys and "Nobody tells us anything." in surveys
    assert "Falling" in surveys and "Green but unhappy" in surveys and "all green" in surveys


def test_every_cx_finding_appears_grouped_by_rule_with_file_line_and_hint(artifacts, loaded):
    findings = cx_findings(loaded, NOW)
    rules = {f.rule for f in findings}
    assert {"cx/update-overdue", "cx/decision-overdue", "cx/green-but-unhappy", "cx/disruption-notice"} <= rules
    html = page(artifacts, DashboardPaths.findings)
    listing = plain(html)
    for finding in findings:
        assert f'id="rule-{finding.rule.replace("/", "-")}"' in html
        assert finding.message in listing and finding.hint in listing
        rel = Path(finding.location.path).resolve().relative_to(loaded.root.parent.resolve()).as_posix()
        assert f"{rel}:{finding.location.line}" in listing
    assert "projects/acme/erp/project.yml:" in listing   # relative to the portfolio, not the working folder


def test_findings_of_an_unknown_rule_are_listed_too(loaded):
    from cxsite.diagnostics import Diagnostic, Severity

    odd = Diagnostic(Location(str(loaded.root / "team.yml"), 3, 1), "odd thing", "fix it", Severity.WARNING,
                     "cx/new-rule")
    html = page(render_dashboard(loaded, NOW, [odd]), DashboardPaths.findings)
    assert 'id="rule-cx-new-rule"' in html and "projects/team.yml:3" in html


# ------------------------------------------------------------------ safety

def test_hostile_names_are_escaped_on_every_page(artifacts):
    for artifact in artifacts.pages:
        assert "<script>alert" not in artifact.html, artifact.path
        assert not re.search(r"<img\b[^>]*onerror", artifact.html, re.I), artifact.path
    overview = page(artifacts, DashboardPaths.home)
    assert "Acme &lt;script&gt;alert(&#39;acme&#39;)&lt;/script&gt; &amp; Co" in overview
    assert "ERP &lt;img src=x onerror=alert(1)&gt;" in overview


def test_cutoff_must_be_aware(loaded):
    with pytest.raises(ValueError):
        render_dashboard(loaded, NOW.replace(tzinfo=None), [])


def test_same_input_same_bytes(loaded):
    one = render_dashboard(loaded, NOW, cx_findings(loaded, NOW))
    two = render_dashboard(loaded, NOW, cx_findings(loaded, NOW))
    assert one.pages == two.pages and one.files == two.files


# ---------------------------------------------------------------- calendar

def events(data: bytes) -> dict[str, object]:
    return {str(e["UID"]): e for e in Calendar.from_ical(data).walk("VEVENT")}


def test_calendar_parses_and_holds_upcoming_events_of_every_customer(artifacts):
    data = artifacts.files[0].content
    assert verify_outputs({"calendar.ics": data}) == []
    found = events(data)
    assert set(found) == {
        "dashboard.acme.erp.disruption.cutover@cxsite",
        "dashboard.acme.erp.disruption.dry-run@cxsite",
        "dashboard.globex.grid.disruption.substation-a@cxsite",
        "dashboard.globex.grid.milestone.transformers@cxsite",
    }  # the reached 'design' milestone is not upcoming
    assert str(found["dashboard.acme.erp.disruption.dry-run@cxsite"]["STATUS"]) == "CANCELLED"
    assert found["dashboard.acme.erp.disruption.dry-run@cxsite"]["SEQUENCE"] == 1
    grid = found["dashboard.globex.grid.disruption.substation-a@cxsite"]
    assert grid["DTSTART"].dt.tzinfo.key == "America/New_York"  # type: ignore[attr-defined]
    assert "Crew overtime approved." in str(grid["DESCRIPTION"])
    tzids = {str(tz["TZID"]) for tz in Calendar.from_ical(data).walk("VTIMEZONE")}
    assert tzids == {"Europe/London", "America/New_York"}


def test_calendar_uids_are_stable_and_no_build_clock_leaks(loaded):
    first = render_dashboard_calendar(loaded, NOW)
    later = render_dashboard_calendar(loaded, NOW + dt.timedelta(hours=1))
    assert first == later  # nothing changed in between, so nothing in the file changes
    assert b"20261125T12" not in first  # nothing stamped with the cutoff
    stamps = {str(e["UID"]): e["DTSTAMP"].dt for e in Calendar.from_ical(first).walk("VEVENT")}
    assert stamps["dashboard.globex.grid.disruption.substation-a@cxsite"] == \
        dt.datetime(2026, 11, 10, 14, 0, tzinfo=dt.timezone.utc)  # announced, 09:00 New York


def test_the_calendar_link_is_on_the_overview(artifacts):
    assert 'href="calendar.ics"' in page(artifacts, DashboardPaths.home)


# ------------------------------------------------------------- end to end

def test_builds_through_the_real_mkdocs_adapter_as_a_noindex_site(artifacts, tmp_path):
    from cxsite.engine.adapter import build_microsite

    out = tmp_path / "dashboard"
    assert build_microsite(artifacts, REPO / "mkdocs.yml", out).warnings == ()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<meta name="robots" content="noindex' in index
    assert "Brightline Delivery – portfolio dashboard" in index
    assert "Supplier invoice CR-7 is disputed." in index
    assert "<script>alert" not in index
    for path in ("disruptions/index.html", "decisions/index.html", "surveys/index.html", "findings/index.html",
                 "calendar.ics"):
        assert (out / path).is_file(), path
    for html in out.rglob("*.html"):
        if html.name != "404.html":
            assert '<meta name="robots" content="noindex' in html.read_text(encoding="utf-8"), html
    assert (out / "calendar.ics").read_bytes() == artifacts.files[0].content


def test_the_demo_portfolio_renders(tmp_path):
    from .conftest import DEMO

    portfolio, _ = load_portfolio(DEMO)
    result = render_dashboard(portfolio, NOW, cx_findings(portfolio, NOW))
    overview = text(result, DashboardPaths.home)
    for customer in portfolio.customers:
        assert customer.name in overview
    assert verify_outputs({"calendar.ics": result.files[0].content}) == []


# ------------------------------------------------- beside the microsites

def test_a_site_with_the_dashboard_passes_the_audit_and_publish_never_copies_it(portfolio, tmp_path):
    from cxsite.checks.audit import audit_site
    from cxsite.build import build_portfolio
    from cxsite.engine.adapter import build_microsite
    from cxsite.publish import publish

    root = portfolio()
    out = tmp_path / "site"
    build_portfolio(root, out, config_file=REPO / "mkdocs.yml", cutoff=NOW)
    model, _ = load_portfolio(root)
    build_microsite(render_dashboard(model, NOW, cx_findings(model, NOW)), REPO / "mkdocs.yml",
                    out / DASHBOARD_FOLDER)
    assert (out / DASHBOARD_FOLDER / "index.html").is_file()
    assert audit_site(out, model) == []
    dest = tmp_path / "www"
    publish(out, f"folder:{dest}", model, environ={})
    assert (dest / "acme/everyone/index.html").is_file()
    assert not (dest / "_internal").exists()


def test_no_customer_microsite_links_to_the_dashboard(demo_site):
    """The dashboard is built beside the microsites, and nothing points to it."""
    assert (demo_site / "_internal/dashboard/index.html").is_file()
    for path in demo_site.glob("*/*/**/*"):
        if path.is_file() and not path.relative_to(demo_site).parts[0].startswith("_"):
            data = path.read_bytes()
            assert b"_internal" not in data and b"portfolio dashboard" not in data, path


def test_the_calendar_put_together_from_each_customers_events_is_what_icalendar_writes(loaded):
    """The team's calendar joins events each customer's part serialised; the
    bytes are those icalendar writes for the same components."""
    data = render_dashboard_calendar(loaded, NOW)
    parsed = Calendar.from_ical(data)
    rebuilt = Calendar()
    for name, value in parsed.property_items(recursive=False)[1:-1]:
        rebuilt.add(name, value, encode=False)
    for component in parsed.subcomponents:
        rebuilt.add_component(component)
    assert rebuilt.to_ical() == data
