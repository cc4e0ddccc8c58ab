"""CX rules: each promise to the customer is checked once, and pointed at the line to change."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

import cxsite.views.rules
from cxsite.diagnostics import Severity
from cxsite.model import PrimaryContact
from cxsite.views.rules import cx_findings, rule_names
from cxsite.model.load import load_portfolio

from .conftest import CUSTOMER as CONFTEST_CUSTOMER, DEMO, PROJECT

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)

TEAM = """\
organisation:
  name: Brightline Delivery
people:
  ana:
    name: Ana Souza
    email: ana@brightline.example
  tom:
    name: Tom Okafor
    email: tom@brightline.example
  eve:
    name: Eve Adams
    email: eve@brightline.example
    phone: "+44 20 7946 0103"
"""

CUSTOMER = """\
name: Acme & Co
timezone: Europe/London
cx_owner: ana
primary_contacts: []
escalation: [tom, eve]
audiences:
  everyone: {name: Everyone}
  executives: {name: Executives}
site: {base_url: "https://status.example/acme/"}
"""

BROKEN_PROJECT = """\
name: ERP roll-out
summary: New ERP for finance.
status: active
health: on_track
health_reason: All good.
percent_complete: 40
start: 2026-01-05
planned_end: 2026-12-18
update_cadence: weekly
contacts: [tom, ana]
milestones:
  - id: design
    title: Design signed off
    planned: 2026-03-01
    done: 2026-03-02
  - id: build
    title: Build complete
    planned: 2026-11-01
  - id: test
    title: Testing complete
    planned: 2026-11-10
    forecast: 2026-12-01
disruptions:
  - id: cutover
    title: Finance system offline
    start: 2026-12-01T22:00
    end: 2026-12-02T04:00
    affects: Finance team
    impact: high
    announced: 2026-11-24
  - id: old-outage
    title: Old outage, never announced
    start: 2026-10-01T22:00
    end: 2026-10-02T04:00
    affects: Finance team
    impact: low
  - id: called-off
    title: Called off at short notice
    start: 2026-11-28T22:00
    end: 2026-11-29T04:00
    affects: Finance team
    impact: low
    status: cancelled
measures:
  - {id: invoices, name: Invoices paid on time, target: 90, actual: 95, unit: "%"}
  - {id: tickets, name: Open tickets, target: 20, actual: 12, better: lower}
decisions:
  - id: signoff
    title: Sign off the chart of accounts
    owner: CFO
    due: 2026-11-20
  - id: vendor
    title: Choose the vendor
    owner: CFO
    due: 2026-10-01
    status: decided
    outcome: Vendor A.
surveys:
  - date: 2026-09-30
    score: 4.5
    scale: 5
  - date: 2026-10-30
    score: 4.0
    scale: 5
"""


def update_md(uid: str, date: str, **front: str) -> str:
    extra = "".join(f"{key}: {value}\n" for key, value in front.items())
    return f"---\nid: {uid}\ntitle: {uid}\ndate: {date}\nauthor: ana\n{extra}---\nText.\n"


#: The last update any audience can read is from 1 November; the newer ones do not count.
UPDATES = {
    "acme/erp/updates/for-executives.md": update_md("u-exec", "2026-11-01T09:00", audiences="[executives]"),
    "acme/erp/updates/internal.md": update_md("u-internal", "2026-11-20T09:00", internal="true"),
    "acme/erp/updates/draft.md": update_md("u-draft", "2026-11-21T09:00", draft="true"),
    "acme/erp/updates/embargoed.md": update_md("u-embargoed", "2026-11-22T09:00", publish_after="2026-12-01T08:00"),
}


def line_of(root: Path, name: str, needle: str) -> int:
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    return next(number for number, line in enumerate(lines, start=1) if needle in line)


def findings(root: Path, now: dt.datetime = NOW, **options):
    model, _ = load_portfolio(root)
    return cx_findings(model, now, **options)


def rules_of(root: Path, now: dt.datetime = NOW, **options) -> list[str]:
    return [finding.rule for finding in findings(root, now, **options)]


@pytest.fixture
def broken(portfolio) -> Path:
    """A portfolio that breaks every rule exactly once."""
    return portfolio({"team.yml": TEAM, "acme/customer.yml": CUSTOMER, "acme/erp/project.yml": BROKEN_PROJECT,
                      **UPDATES})


def with_project(portfolio, project: str, files: dict | None = None) -> Path:
    return portfolio({"acme/erp/project.yml": project, **(files or {})})


# ------------------------------------------------------------ the whole set

def test_a_portfolio_breaking_every_rule_reports_each_once_at_its_line(broken):
    team, customer, project = "team.yml", "acme/customer.yml", "acme/erp/project.yml"
    expected = {
        "cx/cx-owner": (customer, line_of(broken, customer, "cx_owner:"), "has no phone number"),
        "cx/primary-contacts": (customer, line_of(broken, customer, "primary_contacts:"), "no primary contact"),
        "cx/contact-details": (team, line_of(broken, team, "  tom:"), "Tom Okafor has no phone number"),
        "cx/update-overdue": (project, line_of(broken, project, "update_cadence:"), "update overdue by 17 days"),
        "cx/disruption-notice": (project, line_of(broken, project, "id: cutover"), "only 7 days ahead"),
        "cx/decision-overdue": (project, line_of(broken, project, "id: signoff"), "still open (5 days late)"),
        "cx/milestone-overdue": (project, line_of(broken, project, "id: build"), "neither a done nor a forecast"),
        "cx/green-but-unhappy": (project, line_of(broken, project, "date: 2026-10-30"), "fell from 4.5 to 4 of 5"),
    }
    reported = findings(broken)
    assert sorted(f.rule for f in reported) == sorted(rule_names())
    for finding in reported:
        name, line, words = expected[finding.rule]
        assert (Path(finding.location.path), finding.location.line) == (broken / name, line), finding.rule
        assert words in finding.message, finding.message
        assert finding.severity is Severity.WARNING
        assert finding.hint


def test_findings_are_sorted_by_file_and_line(broken):
    locations = [(f.location.path, f.location.line) for f in findings(broken)]
    assert locations == sorted(locations)


def test_every_rule_is_documented_in_the_module_docstring():
    for name in rule_names():
        assert f"``{name}``" in cxsite.views.rules.__doc__


def test_the_demo_portfolio_keeps_every_promise():
    model, _ = load_portfolio(DEMO)
    assert [f.format() for f in cx_findings(model, NOW)] == []


def test_now_must_be_timezone_aware(portfolio):
    model, _ = load_portfolio(portfolio())
    with pytest.raises(ValueError):
        cx_findings(model, NOW.replace(tzinfo=None))


def test_the_minimal_portfolio_has_no_findings_when_recently_updated(portfolio):
    root = portfolio({"acme/erp/updates/recent.md": update_md("u-recent", "2026-11-20T09:00")})
    assert rules_of(root) == []


# ------------------------------------------------------------------ people

def test_a_person_in_many_roles_is_reported_once_naming_them_all(broken):
    finding = next(f for f in findings(broken) if f.rule == "cx/contact-details")
    assert "on the escalation path of Acme & Co" in finding.message
    assert "contact for ERP roll-out" in finding.message
    assert "'phone:'" in finding.hint


def test_a_cx_owner_missing_details_is_reported_as_cx_owner_only(broken):
    """Ana owns the customer and is a project contact: one finding, not two."""
    about_ana = [f for f in findings(broken) if "Ana Souza" in f.message]
    assert [f.rule for f in about_ana] == ["cx/cx-owner"]


def test_a_cx_owner_who_is_not_on_the_team_is_reported(portfolio):
    model, _ = load_portfolio(portfolio({"acme/erp/updates/recent.md": update_md("u-recent", "2026-11-20T09:00")}))
    customer = dataclasses.replace(model.customers[0], cx_owner_id="nobody")
    (finding,) = cx_findings(dataclasses.replace(model, customers=(customer,)), NOW)
    assert finding.rule == "cx/cx-owner" and "'nobody'" in finding.message
    assert finding.location.line == line_of(model.root, "acme/customer.yml", "cx_owner:")


def test_more_than_two_primary_contacts_points_at_the_third(portfolio):
    model, _ = load_portfolio(portfolio({"acme/erp/updates/recent.md": update_md("u-recent", "2026-11-20T09:00")}))
    customer = model.customers[0]
    first = customer.primary_contacts[0]
    third = PrimaryContact("ana", "Even more", dataclasses.replace(first.location, line=99))
    crowded = dataclasses.replace(customer, primary_contacts=(first, first, third))
    (finding,) = cx_findings(dataclasses.replace(model, customers=(crowded,)), NOW)
    assert finding.rule == "cx/primary-contacts" and "3 primary contacts" in finding.message
    assert finding.location.line == 99


def test_people_nobody_is_told_to_contact_may_lack_details(portfolio):
    """Tom has no phone in the shared fixture, but no customer is told to call him."""
    root = portfolio({"acme/erp/updates/recent.md": update_md("u-recent", "2026-11-20T09:00")})
    assert "cx/contact-details" not in rules_of(root)


# ------------------------------------------------------------------ updates

@pytest.mark.parametrize("now, overdue", [
    (dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc), False),  # due 23 Nov, 2 days of grace
    (dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc), True),   # 3 days late
])
def test_an_update_is_overdue_after_the_cadence_plus_grace(portfolio, now, overdue):
    root = with_project(portfolio, PROJECT.replace("update_cadence: monthly", "update_cadence: weekly"),
                        {"acme/erp/updates/recent.md": update_md("u-recent", "2026-11-16T09:00")})
    messages = [f.message for f in findings(root, now) if f.rule == "cx/update-overdue"]
    assert messages == (["update overdue by 3 days: ERP roll-out promises one weekly; the last published one is "
                         "from 2026-11-16, so the next was due on 2026-11-23"] if overdue else [])


def test_grace_days_can_be_changed(portfolio):
    root = with_project(portfolio, PROJECT.replace("update_cadence: monthly", "update_cadence: weekly"),
                        {"acme/erp/updates/recent.md": update_md("u-recent", "2026-11-16T09:00")})
    assert "cx/update-overdue" in rules_of(root, grace_days=0)


def test_an_embargoed_update_counts_once_released(portfolio):
    root = portfolio({"acme/erp/updates/embargoed.md": update_md("u-embargoed", "2026-11-10T09:00",
                                                                 publish_after="2026-11-20T08:00")})
    assert "cx/update-overdue" not in rules_of(root)


def test_a_project_without_published_updates_counts_from_its_start(portfolio):
    root = portfolio({"acme/erp/updates/kickoff.md": update_md("u-kickoff", "2026-01-06T09:30", draft="true")})
    (finding,) = [f for f in findings(root) if f.rule == "cx/update-overdue"]
    assert "none published since the start on 2026-01-05" in finding.message


@pytest.mark.parametrize("status", ["planned", "completed", "cancelled"])
def test_projects_that_are_not_running_promise_no_updates(portfolio, status):
    project = PROJECT.replace("status: active", f"status: {status}").replace("percent_complete: 40",
                                                                            "percent_complete: 100")
    assert "cx/update-overdue" not in rules_of(with_project(portfolio, project))


def test_an_on_hold_project_still_owes_its_updates(portfolio):
    project = PROJECT.replace("status: active", "status: on_hold")
    assert "cx/update-overdue" in rules_of(with_project(portfolio, project))


# -------------------------------------------------------------- disruptions

def disruption(start: str, *extra: str) -> str:
    lines = "".join(f"    {line}\n" for line in extra)
    return PROJECT.split("disruptions:")[0] + (
        "disruptions:\n  - id: outage\n    title: Outage\n"
        f"    start: {start}\n    end: {start[:11]}23:59\n    affects: Everyone\n    impact: low\n{lines}")


RECENT = {"acme/erp/updates/recent.md": update_md("u-recent", "2026-11-20T09:00")}


@pytest.mark.parametrize("announced, warned", [("2026-11-25", False), ("2026-11-26", True)])
def test_disruptions_need_ten_days_notice(portfolio, announced, warned):
    root = with_project(portfolio, disruption("2026-12-05T09:00", f"announced: {announced}"), RECENT)
    assert rules_of(root) == (["cx/disruption-notice"] if warned else [])


def test_notice_days_can_be_changed(portfolio):
    root = with_project(portfolio, disruption("2026-12-05T09:00", "announced: 2026-11-25"), RECENT)
    (finding,) = findings(root, notice_days=14)
    assert "only 10 days ahead (on 2026-11-25); customers need 14 days" in finding.message


def test_a_future_disruption_without_announcement_date_is_reported(portfolio):
    root = with_project(portfolio, disruption("2027-02-01T09:00"), RECENT)
    (finding,) = findings(root)
    assert finding.rule == "cx/disruption-notice" and "has no announcement date" in finding.message


@pytest.mark.parametrize("extra", [("status: cancelled",), ("status: completed",)])
def test_cancelled_and_past_disruptions_are_not_checked(portfolio, extra):
    start = "2026-11-30T09:00" if extra == ("status: cancelled",) else "2026-11-01T09:00"
    assert rules_of(with_project(portfolio, disruption(start, *extra), RECENT)) == []


def test_a_moved_start_counts_its_notice_from_the_change(portfolio):
    project = disruption("2026-12-05T09:00", "announced: 2026-10-01", "changed: 2026-11-30",
                         "previous_windows:", "  - {start: 2026-12-20T09:00, end: 2026-12-20T17:00}")
    (finding,) = findings(with_project(portfolio, project, RECENT), dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc))
    assert "was rescheduled only 5 days ahead (on 2026-11-30)" in finding.message


def test_an_extended_end_keeps_the_original_notice(portfolio):
    project = disruption("2026-12-05T09:00", "announced: 2026-10-01", "changed: 2026-11-30",
                         "previous_windows:", "  - {start: 2026-12-05T09:00, end: 2026-12-05T12:00}")
    assert rules_of(with_project(portfolio, project, RECENT), dt.datetime(2026, 12, 1, tzinfo=dt.timezone.utc)) == []


# ------------------------------------------------- decisions and milestones

def decision(due: str, status: str = "open") -> str:
    outcome = "    outcome: Yes.\n" if status == "decided" else ""
    return PROJECT + f"decisions:\n  - id: d1\n    title: Sign\n    owner: CFO\n    due: {due}\n    status: {status}\n{outcome}"


@pytest.mark.parametrize("due, status, warned", [
    ("2026-11-24", "open", True), ("2026-11-25", "open", False), ("2026-11-01", "decided", False),
    ("2026-11-01", "withdrawn", False)])
def test_an_open_decision_past_its_due_date_is_reported(portfolio, due, status, warned):
    root = with_project(portfolio, decision(due, status), RECENT)
    assert rules_of(root) == (["cx/decision-overdue"] if warned else [])


def test_today_is_the_customers_date(portfolio):
    """23:30 UTC on 24 November is already the 25th in Berlin: a decision due on the 24th is late there."""
    late_evening = dt.datetime(2026, 11, 24, 23, 30, tzinfo=dt.timezone.utc)
    london = with_project(portfolio, decision("2026-11-24"), RECENT)
    assert rules_of(london, late_evening) == []
    berlin = with_project(portfolio, decision("2026-11-24"),
                          {**RECENT, "acme/customer.yml": CONFTEST_CUSTOMER.replace("Europe/London", "Europe/Berlin")})
    assert rules_of(berlin, late_evening) == ["cx/decision-overdue"]


@pytest.mark.parametrize("dates, warned", [
    ("planned: 2026-11-24", True), ("planned: 2026-11-25", False),
    ("planned: 2026-11-01\n    forecast: 2026-12-01", False), ("planned: 2026-11-01\n    done: 2026-11-02", False)])
def test_a_past_milestone_needs_a_done_or_forecast_date(portfolio, dates, warned):
    project = PROJECT.replace("disruptions:", f"  - id: m2\n    title: Build\n    {dates}\ndisruptions:")
    assert rules_of(with_project(portfolio, project, RECENT)) == (["cx/milestone-overdue"] if warned else [])


# -------------------------------------------------- measures versus surveys

def measured(actual: float, *scores: float) -> str:
    surveys = "".join(f"  - {{date: 2026-{9 + i:02d}-30, score: {score}, scale: 10}}\n" for i, score in enumerate(scores))
    return PROJECT + f"measures:\n  - {{id: m1, name: Uptime, target: 99, actual: {actual}}}\nsurveys:\n{surveys}"


@pytest.mark.parametrize("actual, scores, warned", [
    (99.5, (5.5,), True),          # all green, but the customer gives 5.5 of 10
    (99.5, (9, 8), True),          # all green, but falling
    (99.5, (6, 6), False),         # 60 % is not low, and not falling
    (99.5, (7, 8), False),         # rising
    (90, (5.5,), False),           # the measures are not green either: nothing hidden
])
def test_green_measures_with_an_unhappy_customer_are_reported(portfolio, actual, scores, warned):
    root = with_project(portfolio, measured(actual, *scores), RECENT)
    assert rules_of(root) == (["cx/green-but-unhappy"] if warned else [])


def test_surveys_on_different_scales_are_compared_as_shares(portfolio):
    project = PROJECT + ("measures:\n  - {id: m1, name: Uptime, target: 99, actual: 99.5}\nsurveys:\n"
                         "  - {date: 2026-09-30, score: 4, scale: 5}\n  - {date: 2026-10-30, score: 8.5, scale: 10}\n")
    assert rules_of(with_project(portfolio, project, RECENT)) == []
