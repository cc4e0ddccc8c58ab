"""Edits of project.yml change the lines they must and nothing else, and never make the portfolio invalid."""

from __future__ import annotations

import difflib
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxsite.cli.edit import COMMANDS
from cxsite.authoring.edit import splice, validate_overlay
from cxsite.model.load import load_portfolio

from .conftest import DEMO, PROJECT

COMMAND = {command.name: command for command in COMMANDS}

# Every style a hand-written file has: comments (own line, end of line,
# trailing), 'single', "double" and plain scalars, flow mappings and lists,
# blank lines, and two list indentation styles in one file.
TRICKY = """\
# Project file with every style a human might use.
name: 'ERP roll-out'   # single quoted
summary: "New ERP for finance."
status: active
health: on_track    # reviewed weekly
health_reason: All good.
percent_complete: 40
start: 2026-01-05
planned_end: 2026-12-18

update_cadence: monthly
contacts: [ana, tom]

milestones:
  - {id: design, title: Design signed off, planned: 2026-03-01, done: 2026-03-02}
  - id: build   # the big one
    title: "Build complete"
    planned: 2026-06-30

    # keep an eye on this one
  - id: go-live
    title: 'Go-live'
    planned: 2026-10-05
disruptions:
- id: cutover
  title: Finance system offline
  start: 2026-10-24T22:00
  end: '2026-10-25T04:00'
  affects: Finance team
  impact: high

decisions:
  - id: training
    title: Confirm training dates
    owner: "Dr. Priya Natarajan, CNIO"
    due: 2026-09-15
    status: open

# the end
"""

REF = "acme/erp"


@pytest.fixture(autouse=True)
def new_users_environment(monkeypatch):
    """No SOURCE_DATE_EPOCH and no CXSITE_PROJECTS unless a test sets them."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("CXSITE_PROJECTS", raising=False)


@pytest.fixture
def tricky(portfolio) -> Path:
    return portfolio({"acme/erp/project.yml": TRICKY})


def run(root: Path, command: str, *args: str):
    return CliRunner().invoke(COMMAND[command], [*args, "--projects", str(root)])


def project_file(root: Path) -> Path:
    return root / "acme" / "erp" / "project.yml"


def changes(before: str, after: str) -> tuple[list[str], list[str]]:
    """(removed lines, added lines), in file order."""
    removed, added = [], []
    for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0):
        if line.startswith(("---", "+++", "@@")):
            continue
        (removed if line.startswith("-") else added).append(line[1:])
    return removed, added


def edited(root: Path, command: str, *args: str) -> tuple[list[str], list[str]]:
    result = run(root, command, *args)
    assert result.exit_code == 0, result.output
    text = project_file(root).read_text(encoding="utf-8")
    load_portfolio(root)  # still valid
    return changes(TRICKY, text)


# ------------------------------------------------------------ set-health


def test_set_health_changes_two_lines_and_keeps_the_comment_column(tricky):
    assert edited(tricky, "set-health", REF, "at_risk", "--reason", "Data migration is two weeks late.") == (
        ["health: on_track    # reviewed weekly", "health_reason: All good."],
        ["health: at_risk     # reviewed weekly", "health_reason: Data migration is two weeks late."])


def test_set_health_keeps_the_quoting_of_the_reason(portfolio):
    root = portfolio({"acme/erp/project.yml": TRICKY.replace("health_reason: All good.",
                                                             "health_reason: 'All good.'")})
    run(root, "set-health", REF, "off_track", "--reason", "Vendor: bankrupt")
    assert "health_reason: 'Vendor: bankrupt'\n" in project_file(root).read_text()


def test_unknown_health_is_refused_by_the_command_line(tricky):
    result = run(tricky, "set-health", REF, "amber", "--reason", "x")
    assert result.exit_code == 2 and "'amber' is not one of" in result.output
    assert project_file(tricky).read_text() == TRICKY


# ------------------------------------------------------------- milestone


def test_forecast_is_added_below_planned_at_the_end_of_a_list(tricky):
    # The next list (disruptions) uses another indentation style: untouched.
    assert edited(tricky, "milestone", REF, "go-live", "--forecast", "2026-10-19") == (
        [], ["    forecast: 2026-10-19"])
    text = project_file(tricky).read_text()
    assert "    planned: 2026-10-05\n    forecast: 2026-10-19\ndisruptions:\n- id: cutover\n" in text


def test_done_goes_directly_below_planned_before_blank_line_and_comment(tricky):
    assert edited(tricky, "milestone", REF, "build", "--done", "2026-07-01") == ([], ["    done: 2026-07-01"])
    text = project_file(tricky).read_text()
    assert "    planned: 2026-06-30\n    done: 2026-07-01\n\n    # keep an eye on this one\n" in text


def test_flow_mapping_item_stays_on_its_line(tricky):
    assert edited(tricky, "milestone", REF, "design", "--forecast", "2026-03-03") == (
        ["  - {id: design, title: Design signed off, planned: 2026-03-01, done: 2026-03-02}"],
        ["  - {id: design, title: Design signed off, planned: 2026-03-01, forecast: 2026-03-03, done: 2026-03-02}"])


def test_impossible_date_changes_nothing_and_prints_the_diagnostic(tricky):
    result = run(tricky, "milestone", REF, "go-live", "--forecast", "2026-02-30")
    assert result.exit_code == 1
    assert project_file(tricky).read_bytes() == TRICKY.encode()
    assert "project.yml:24:15: error: '2026-02-30' is not a real date" in result.output
    assert "was not changed: the edit would make the portfolio invalid" in result.output


def test_unknown_milestone_suggests_the_closest_or_adding_it(tricky):
    result = run(tricky, "milestone", REF, "golive", "--done", "2026-10-05")
    assert result.exit_code == 1
    assert ("error: project acme/erp has no milestone 'golive' (did you mean 'go-live'? "
            'Or add it with --add --title "..." --planned YYYY-MM-DD)') in result.output


def test_add_milestone_appends_one_in_the_lists_style(tricky):
    assert edited(tricky, "milestone", REF, "training", "--add", "--title", "Training: all wards",
                  "--planned", "2026-09-30", "--forecast", "2026-10-02", "--description", "Staff can use it.",
                  "--audience", "executives") == ([], [
        "  - id: training",
        "    title: 'Training: all wards'",
        "    planned: 2026-09-30",
        "    forecast: 2026-10-02",
        "    description: Staff can use it.",
        "    audiences: [executives]"])
    assert "    planned: 2026-10-05\n  - id: training\n" in project_file(tricky).read_text()


def test_the_first_milestone_can_be_added_where_there_are_none(portfolio):
    without = PROJECT[:PROJECT.index("milestones:")] + PROJECT[PROJECT.index("disruptions:"):]
    root = portfolio({"acme/erp/project.yml": without})
    result = run(root, "milestone", REF, "go-live", "--forecast", "2026-10-19")
    assert result.exit_code == 1
    assert ("error: project acme/erp has no milestone 'go-live' (there are no milestones yet; "
            'add it with --add --title "..." --planned YYYY-MM-DD)') in result.output

    result = run(root, "milestone", REF, "go-live", "--add", "--title", "Go-live", "--planned", "2026-10-05")
    assert result.exit_code == 0, result.output
    assert "updated" in result.output and "milestone 'go-live' added" in result.output
    assert changes(without, project_file(root).read_text()) == (
        [], ["milestones:", "  - id: go-live", "    title: Go-live", "    planned: 2026-10-05"])
    [go_live] = load_portfolio(root)[0].customer("acme").projects[0].milestones
    assert (go_live.id, go_live.title, str(go_live.planned), go_live.forecast) == ("go-live", "Go-live", "2026-10-05",
                                                                                  None)


def test_add_milestone_refuses_an_existing_id(tricky):
    result = run(tricky, "milestone", REF, "go-live", "--add", "--title", "Go-live", "--planned", "2026-10-05")
    assert result.exit_code == 1
    assert ("error: project acme/erp already has a milestone 'go-live' "
            "(ids are stable: record progress with --done or --forecast, or pick a new id)") in result.output
    assert project_file(tricky).read_text() == TRICKY


@pytest.mark.parametrize("args, message", [
    (["--planned", "2026-02-30"], "error: '2026-02-30' is not a real date"),
    (["--planned", "2026-10-05", "--audience", "ward-staff"], "error: unknown audience 'ward-staff'"),
])
def test_add_milestone_is_validated_and_changes_nothing_when_invalid(tricky, args, message):
    result = run(tricky, "milestone", REF, "training", "--add", "--title", "Training", *args)
    assert result.exit_code != 0 and message in result.output
    assert project_file(tricky).read_text() == TRICKY


def test_add_milestone_refuses_an_id_that_is_no_slug(tricky):
    result = run(tricky, "milestone", REF, "Go Live", "--add", "--title", "Go-live", "--planned", "2026-10-05")
    assert result.exit_code == 1 and "'Go Live' is not a valid milestone id (try 'go-live';" in result.output


@pytest.mark.parametrize("args, message", [
    (["--add", "--title", "Training"], "--add needs --planned"),
    (["--title", "Training", "--forecast", "2026-10-19"], "--title only go with --add"),
    (["--done", "2026-10-05", "--planned", "2026-10-01"], "--planned only go with --add"),
    ([], "give --done DATE or --forecast DATE, or --add a new milestone"),
])
def test_milestone_options_that_do_not_fit_are_usage_errors(tricky, args, message):
    result = run(tricky, "milestone", REF, "go-live", *args)
    assert result.exit_code == 2 and message in result.output
    assert project_file(tricky).read_text() == TRICKY


def test_unknown_project_and_customer_suggest_the_closest(tricky):
    assert "no project 'epr' (did you mean 'erp'?)" in run(tricky, "milestone", "acme/epr", "x", "--done",
                                                           "2026-01-01").output
    assert "no customer 'acm' in" in run(tricky, "milestone", "acm/erp", "x", "--done", "2026-01-01").output
    assert "is not CUSTOMER/PROJECT" in run(tricky, "milestone", "erp", "x", "--done", "2026-01-01").output


# ------------------------------------------------------------ disruption

RESCHEDULED = TRICKY.replace("""\
  start: 2026-10-24T22:00
  end: '2026-10-25T04:00'
  affects: Finance team
  impact: high
""", """\
  start: 2026-10-31T22:00
  end: '2026-11-01T04:00'
  affects: Finance team
  impact: high
  changed: 2026-10-01
  previous_windows:
  - start: 2026-10-24T22:00
    end: '2026-10-25T04:00'
""")


def test_reschedule_keeps_the_old_window_and_the_file_byte_for_byte(tricky):
    result = run(tricky, "disruption", REF, "cutover", "--reschedule", "--start", "2026-10-31T22:00",
                 "--end", "2026-11-01T04:00", "--changed", "2026-10-01")
    assert result.exit_code == 0, result.output
    assert project_file(tricky).read_text() == RESCHEDULED
    cutover = load_portfolio(tricky)[0].customer("acme").projects[0].disruptions[0]
    assert [w.start.isoformat() for w in cutover.previous_windows] == ["2026-10-24T22:00:00+01:00"]


def test_second_reschedule_appends_oldest_first_and_changed_defaults_to_today(portfolio):
    import datetime as dt
    from zoneinfo import ZoneInfo

    root = portfolio({"acme/erp/project.yml": RESCHEDULED})
    assert run(root, "disruption", REF, "cutover", "--reschedule", "--end", "2026-11-01T06:00").exit_code == 0
    removed, added = changes(RESCHEDULED, project_file(root).read_text())
    today = dt.datetime.now(ZoneInfo("Europe/London")).date().isoformat()
    assert removed == ["  end: '2026-11-01T04:00'", "  changed: 2026-10-01"]
    assert added == ["  end: '2026-11-01T06:00'", f"  changed: {today}",
                     "  - start: 2026-10-31T22:00", "    end: '2026-11-01T04:00'"]


def test_reschedule_with_end_before_start_changes_nothing(tricky):
    result = run(tricky, "disruption", REF, "cutover", "--reschedule", "--end", "2026-10-24T21:00")
    assert result.exit_code == 1
    assert project_file(tricky).read_bytes() == TRICKY.encode()
    assert "error: end 2026-10-24 21:00 is not after start 2026-10-24 22:00" in result.output


def test_cancel_adds_status_and_changed_after_impact(tricky):
    assert edited(tricky, "disruption", REF, "cutover", "--cancel", "--changed", "2026-10-01") == (
        [], ["  status: cancelled", "  changed: 2026-10-01"])


def test_a_cancelled_disruption_cannot_be_moved(portfolio):
    cancelled = TRICKY.replace("  impact: high\n", "  impact: high\n  status: cancelled\n")
    root = portfolio({"acme/erp/project.yml": cancelled})
    result = run(root, "disruption", REF, "cutover", "--reschedule", "--start", "2026-11-01T22:00")
    assert result.exit_code == 1 and "is cancelled and cannot be rescheduled" in result.output


def test_schedule_appends_an_item_in_the_lists_own_style(tricky):
    assert edited(tricky, "disruption", REF, "payroll", "--schedule", "--title", "Payroll: offline",
                  "--start", "2026-11-07T08:00", "--end", "2026-11-07T12:00", "--affects", "Payroll team",
                  "--impact", "low", "--audience", "executives", "--announced", "2026-10-01") == ([], [
        "- id: payroll",
        "  title: 'Payroll: offline'",
        "  start: 2026-11-07T08:00",
        "  end: 2026-11-07T12:00",
        "  affects: Payroll team",
        "  impact: low",
        "  announced: 2026-10-01",
        "  audiences: [executives]"])
    assert "  audiences: [executives]\n\ndecisions:\n" in project_file(tricky).read_text()


def test_schedule_refuses_an_existing_id(tricky):
    result = run(tricky, "disruption", REF, "cutover", "--schedule", "--title", "T", "--start", "2026-11-07T08:00",
                 "--end", "2026-11-07T12:00", "--affects", "A", "--impact", "low")
    assert result.exit_code == 1 and "already has a disruption 'cutover'" in result.output


def test_unknown_disruption_suggests_the_closest(tricky):
    result = run(tricky, "disruption", REF, "cut-over", "--cancel")
    assert "has no disruption 'cut-over' (did you mean 'cutover'?)" in result.output


def test_disruption_needs_exactly_one_mode(tricky):
    result = run(tricky, "disruption", REF, "cutover", "--cancel", "--reschedule")
    assert result.exit_code == 2 and "exactly one of --schedule, --reschedule, --cancel" in result.output


# -------------------------------------------------------------- decision


def test_decided_sets_status_and_outcome_before_the_trailing_comment(tricky):
    assert edited(tricky, "decision", REF, "training", "--decided", "--outcome", "Week of 5 October.") == (
        ["    status: open"], ["    status: decided", "    outcome: Week of 5 October."])
    assert project_file(tricky).read_text().endswith("    outcome: Week of 5 October.\n\n# the end\n")


def test_add_decision_appends_an_open_one(tricky):
    assert edited(tricky, "decision", REF, "hosting", "--add", "--title", "Choose hosting", "--owner", "CIO",
                  "--due", "2026-11-30") == ([], [
        "  - id: hosting", "    title: Choose hosting", "    owner: CIO", "    due: 2026-11-30", "    status: open"])


def test_first_item_of_a_new_list_goes_after_its_predecessor(portfolio):
    project = TRICKY.replace(TRICKY[TRICKY.index("decisions:"):], "# the end\n")
    root = portfolio({"acme/erp/project.yml": project})
    run(root, "decision", REF, "hosting", "--add", "--title", "Hosting", "--owner", "CIO", "--due", "2026-11-30")
    assert project_file(root).read_text().endswith(
        "  impact: high\ndecisions:\n  - id: hosting\n    title: Hosting\n    owner: CIO\n    due: 2026-11-30\n"
        "    status: open\n\n# the end\n")


# ------------------------------------------------------------------ today
# "Today" is the customer's date at --now, else at SOURCE_DATE_EPOCH, else by the clock.

LATE_ON_30_SEPTEMBER = "2026-09-30T23:30Z"  # in London (BST): 1 October, 00:30


def test_today_is_the_customers_date_at_now(tricky):
    assert edited(tricky, "disruption", REF, "cutover", "--cancel", "--now", LATE_ON_30_SEPTEMBER) == (
        [], ["  status: cancelled", "  changed: 2026-10-01"])


def test_without_now_today_comes_from_source_date_epoch(tricky, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1790811000")  # 2026-09-30T23:30Z
    removed, added = edited(tricky, "disruption", REF, "payroll", "--schedule", "--title", "Payroll offline",
                            "--start", "2026-11-07T08:00", "--end", "2026-11-07T12:00", "--affects", "Payroll",
                            "--impact", "low")
    assert "  announced: 2026-10-01" in added
    result = run(tricky, "disruption", REF, "payroll", "--reschedule", "--end", "2026-11-07T13:00",
                 "--now", "2026-10-15T12:00Z")  # --now wins
    assert result.exit_code == 0, result.output
    assert "  changed: 2026-10-15\n" in project_file(tricky).read_text()


def test_a_now_that_is_not_a_date_time_changes_nothing(tricky):
    result = run(tricky, "set-health", REF, "at_risk", "--reason", "Late.", "--now", "2026-13-01")
    assert result.exit_code == 2 and "Invalid value for '--now'" in result.output
    assert project_file(tricky).read_text() == TRICKY


def test_the_portfolio_can_be_named_by_cxsite_projects(tricky):
    result = CliRunner().invoke(COMMAND["set-health"], [REF, "at_risk", "--reason", "Late."],
                                env={"CXSITE_PROJECTS": str(tricky)})
    assert result.exit_code == 0, result.output
    assert "health: at_risk" in project_file(tricky).read_text()


# ---------------------------------------------------------- the machinery


def test_line_endings_and_byte_order_mark_are_kept(portfolio):
    root = portfolio({"acme/erp/project.yml": TRICKY.replace("\n", "\r\n").encode("utf-8-sig")})
    assert run(root, "disruption", REF, "cutover", "--cancel", "--changed", "2026-10-01").exit_code == 0
    raw = project_file(root).read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf# Project file") and b"\n" not in raw.replace(b"\r\n", b"")
    assert b"  impact: high\r\n  status: cancelled\r\n  changed: 2026-10-01\r\n\r\n" in raw


def test_dry_run_prints_the_diff_and_writes_nothing(tricky):
    result = run(tricky, "milestone", REF, "go-live", "--forecast", "2026-10-19", "--dry-run")
    assert result.exit_code == 0
    assert "+    forecast: 2026-10-19\n" in result.output
    assert project_file(tricky).read_text() == TRICKY


def test_a_broken_file_elsewhere_does_not_block_an_edit(portfolio):
    root = portfolio({"acme/erp/updates/kickoff.md": "---\nid: u-kickoff\ntitle: Kick-off\n---\nNo date.\n"})
    result = run(root, "set-health", REF, "at_risk", "--reason", "Late.")
    assert result.exit_code == 0, result.output


def test_validation_sees_the_edit_in_memory_only(tricky):
    path = project_file(tricky)
    broken = TRICKY.replace("percent_complete: 40", "percent_complete: 140")
    messages = [d.message for d in validate_overlay(tricky, {path: broken})]
    assert any("140" in message for message in messages)
    assert path.read_text() == TRICKY and validate_overlay(tricky) == ()


def test_splice_keeps_lines_ruamel_would_reformat():
    original = "a: 1   # spaced\nlist:\n-   x\n-   y\nb: 2\n"
    before = "a: 1 # spaced\nlist:\n  - x\n  - y\nb: 2\n"
    after = "a: 1 # spaced\nlist:\n  - x\n  - y\nb: 3\n"
    assert splice(original, before, after) == "a: 1   # spaced\nlist:\n-   x\n-   y\nb: 3\n"


@pytest.mark.parametrize("project", sorted(p.parent for p in DEMO.glob("*/*/project.yml")),
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_set_health_on_every_demo_project_touches_only_its_two_keys(project):
    from cxsite.authoring.edit import set_health

    text = (project / "project.yml").read_text()
    edit = set_health(DEMO, f"{project.parent.name}/{project.name}", "off_track", "Waiting for the customer.")
    removed, added = changes(text, edit.after)
    reason = re.search(r"^health_reason:.*\n(?:[ ].*\n)*", text, re.MULTILINE).group(0).splitlines()
    health = re.search(r"^health: .*$", text, re.MULTILINE).group(0)
    assert removed and all(line in [health, *reason] for line in removed)
    assert added[-1].endswith("Waiting for the customer.") and len(added) <= 2


def test_demo_reschedule_is_a_minimal_diff(tmp_path):
    root = tmp_path / "projects"
    shutil.copytree(DEMO, root)
    path = root / "northbridge-health" / "epr-rollout" / "project.yml"
    before = path.read_text()
    result = run(root, "disruption", "northbridge-health/epr-rollout", "epr-upgrade-december", "--reschedule",
                 "--start", "2026-12-19T23:00", "--end", "2026-12-20T02:00", "--changed", "2026-11-25")
    assert result.exit_code == 0, result.output
    assert changes(before, path.read_text()) == (
        ["    start: 2026-12-12T23:00", "    end: 2026-12-13T02:00"],
        ["    start: 2026-12-19T23:00", "    end: 2026-12-20T02:00", "    changed: 2026-11-25",
         "    previous_windows:", "      - start: 2026-12-12T23:00", "        end: 2026-12-13T02:00"])
