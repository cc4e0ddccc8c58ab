"""`cxsite new`: commented files that pass `cxsite check --strict` as written, never overwriting anything."""

from __future__ import annotations

import datetime as dt
import re
import shlex
import stat
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

import cxsite.cli.new as new_module
from cxsite.cli import check, main
from cxsite.cli.edit import COMMANDS as EDIT_COMMANDS
from cxsite.cli.new import new
from cxsite.source.schema import CUSTOMER, PROJECT, SLUG_PATTERN, UPDATE
from cxsite.model.load import load_portfolio

from .conftest import CUSTOMER as ACME

ZONE = "Pacific/Auckland"  # far from UTC: a date taken in the wrong zone shows
NOW = "2026-12-01T12:00Z"  # in Auckland (UTC+13 in summer): 2 December, 01:00


@pytest.fixture(autouse=True)
def new_users_environment(monkeypatch):
    """No SOURCE_DATE_EPOCH and no CXSITE_PROJECTS unless a test sets them."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    monkeypatch.delenv("CXSITE_PROJECTS", raising=False)


@pytest.fixture
def root(portfolio) -> Path:
    return portfolio({"acme/customer.yml": ACME.replace("Europe/London", ZONE)})


def git_env(tmp_path: Path, email: str | None) -> dict[str, str]:
    """An isolated git configuration: no system or user settings leak in."""
    config = tmp_path / "gitconfig"
    config.write_text(f"[user]\n\temail = {email}\n" if email else "")
    return {"GIT_CONFIG_GLOBAL": str(config), "GIT_CONFIG_NOSYSTEM": "1", "HOME": str(tmp_path),
            "VISUAL": "", "EDITOR": ""}


def cxsite_new(root: Path, *args: str, env: dict[str, str] | None = None, input: str | None = None):
    return CliRunner().invoke(new, [*args, "--projects", str(root)], env=env, input=input)


def cxsite(*args: str, env: dict[str, str] | None = None):
    """The whole command line, as a user types it."""
    return CliRunner().invoke(main, list(args), env=env)


def next_steps(output: str) -> list[str]:
    """The `next:` and `then:` hints, in order."""
    return re.findall(r"^(?:next|then): (.*)$", output, re.MULTILINE)


def the_project(root: Path, slug: str = "crm"):
    return next(p for p in load_portfolio(root)[0].customer("acme").projects if p.slug == slug)


def strict_check(root: Path):
    # The format is what scaffolding promises; the fixture's own CX state (its
    # last update is from January) is not the subject here.
    result = CliRunner().invoke(check, [str(root), "--strict", "--no-cx-rules"])
    assert result.exit_code == 0, result.output
    return result


def keys_mentioned(text: str) -> set[str]:
    """Keys written (`key:`) or shown commented out (`# key:`) at any depth."""
    return set(re.findall(r"^[ #-]*([a-z_]+):", text, re.MULTILINE))


# -------------------------------------------------------------- customer


def test_new_customer_is_valid_and_explains_every_key(root):
    result = cxsite_new(root, "customer", "globex", "--name", "Globex: Söhne & Co", "--timezone", "Europe/Berlin",
                        "--language", "de")
    assert result.exit_code == 0, result.output
    path = root / "globex" / "customer.yml"
    assert f"created {path}" in result.output
    strict_check(root)
    text = path.read_text()
    assert {f.key for f in CUSTOMER.fields} <= keys_mentioned(text)
    assert "name: 'Globex: Söhne & Co'\n" in text and "language: de\n" in text
    customer = load_portfolio(root)[0].customer("globex")
    assert (customer.name, customer.timezone, customer.language) == ("Globex: Söhne & Co", "Europe/Berlin", "de")
    # Accountable and reachable: the first person of team.yml, as the one primary contact.
    assert customer.cx_owner_id == "ana" and [c.person_id for c in customer.primary_contacts] == ["ana"]


def test_base_url_is_written_when_given(root):
    assert cxsite_new(root, "customer", "globex", "--name", "Globex", "--timezone", "UTC",
                      "--base-url", "https://status.example.com/globex/").exit_code == 0
    strict_check(root)
    assert load_portfolio(root)[0].customer("globex").site.base_url == "https://status.example.com/globex/"


def test_cx_owner_can_be_chosen_and_must_exist(root):
    assert cxsite_new(root, "customer", "globex", "--name", "Globex", "--timezone", "UTC",
                      "--cx-owner", "tom").exit_code == 0
    assert load_portfolio(root)[0].customer("globex").cx_owner_id == "tom"
    result = cxsite_new(root, "customer", "initech", "--name", "Initech", "--timezone", "UTC", "--cx-owner", "tim")
    assert result.exit_code == 1
    assert "error: no person 'tim' in team.yml (did you mean 'tom'?)" in result.output
    assert not (root / "initech").exists()


@pytest.mark.parametrize("args, message", [
    (["Globex Corp", "--timezone", "UTC"], "'Globex Corp' is not a valid customer id (try 'globex-corp';"),
    (["globex", "--timezone", "Europe/Berln"], "'Europe/Berln' is not a time zone (did you mean 'Europe/Berlin'?)"),
    (["acme", "--timezone", "UTC"], "acme already exists (pick another customer id)"),
])
def test_new_customer_refuses_bad_input_with_a_hint(root, args, message):
    before = (root / "acme" / "customer.yml").read_bytes()
    result = cxsite_new(root, "customer", *args[:1], "--name", "Globex", *args[1:])
    assert result.exit_code == 1
    assert message in result.output
    assert (root / "acme" / "customer.yml").read_bytes() == before


def test_a_folder_without_team_yml_is_not_a_portfolio(tmp_path):
    result = cxsite_new(tmp_path, "customer", "globex", "--name", "G", "--timezone", "UTC")
    assert result.exit_code == 1 and "is not a portfolio: it has no team.yml" in result.output


# --------------------------------------------------------------- project


def test_new_project_has_sensible_placeholders_and_is_valid(root):
    result = cxsite_new(root, "project", "acme/crm", "--name", "CRM: phase 1")
    assert result.exit_code == 0, result.output
    strict_check(root)
    text = (root / "acme" / "crm" / "project.yml").read_text()
    assert {f.key for f in PROJECT.fields} <= keys_mentioned(text)
    project = next(p for p in load_portfolio(root)[0].customer("acme").projects if p.slug == "crm")
    today = dt.datetime.now(ZoneInfo(ZONE)).date()
    assert (project.name, project.status.value, project.health.value, project.percent_complete) == (
        "CRM: phase 1", "planned", "on_track", 0)
    assert project.health_reason and project.summary
    assert (project.start, project.planned_end) == (today, today + dt.timedelta(days=90))
    assert project.update_cadence.value == "fortnightly"


def test_new_project_refuses_to_overwrite_and_suggests_customers(root):
    before = (root / "acme" / "erp" / "project.yml").read_bytes()
    result = cxsite_new(root, "project", "acme/erp", "--name", "ERP again")
    assert result.exit_code == 1 and "erp already exists" in result.output
    assert (root / "acme" / "erp" / "project.yml").read_bytes() == before
    result = cxsite_new(root, "project", "acne/crm", "--name", "CRM")
    assert "error: no customer 'acne' in" in result.output and "(did you mean 'acme'?)" in result.output
    assert "is not CUSTOMER/PROJECT" in cxsite_new(root, "project", "crm", "--name", "CRM").output


def test_new_project_takes_what_is_known_from_options(root):
    result = cxsite_new(root, "project", "acme/crm", "--name", "CRM", "--summary", "One CRM for **all** sales teams.",
                        "--start", "2026-11-16", "--planned-end", "2027-03-31", "--cadence", "weekly",
                        "--status", "active", "--health", "at_risk", "--health-reason", "Licences: two weeks late.")
    assert result.exit_code == 0, result.output
    strict_check(root)
    project = the_project(root)
    assert (project.summary, project.start, project.planned_end, project.update_cadence.value, project.status.value,
            project.health.value, project.health_reason) == (
        "One CRM for **all** sales teams.", dt.date(2026, 11, 16), dt.date(2027, 3, 31), "weekly", "active",
        "at_risk", "Licences: two weeks late.")
    assert "health_reason: 'Licences: two weeks late.'\n" in (root / "acme" / "crm" / "project.yml").read_text()
    assert not any("edit the summary" in step for step in next_steps(result.output))  # nothing left to fill in


def test_without_a_planned_end_the_project_runs_90_days_from_its_start(root):
    assert cxsite_new(root, "project", "acme/crm", "--name", "CRM", "--start", "2027-01-04").exit_code == 0
    assert (the_project(root).start, the_project(root).planned_end) == (dt.date(2027, 1, 4), dt.date(2027, 4, 4))


@pytest.mark.parametrize("args, message", [
    (["--start", "2027-02-30"], "error: --start '2027-02-30' is not a date (write it as YYYY-MM-DD"),
    (["--start", "2027-01-04", "--planned-end", "2026-12-31"],
     "error: the planned end 2026-12-31 is before the start 2027-01-04 (give a later --planned-end)"),
    (["--planned-end", "2026-12-01", "--now", NOW],
     "error: the planned end 2026-12-01 is before the start 2026-12-02 (give --start DATE too)"),
    (["--summary", " "], "is not a one-line text"),
    (["--cadence", "daily"], "Invalid value for '--cadence': 'daily' is not one of 'weekly', 'fortnightly', 'monthly'"),
    (["--status", "started"], "Invalid value for '--status'"),
])
def test_new_project_refuses_bad_content_and_writes_nothing(root, args, message):
    result = cxsite_new(root, "project", "acme/crm", "--name", "CRM", *args)
    assert result.exit_code != 0 and message in result.output
    assert not (root / "acme" / "crm").exists()


# ---------------------------------------------------------------- update


def front_matter(path: Path) -> str:
    return path.read_text().split("---\n")[1]


def test_new_update_is_a_valid_draft_dated_now_in_the_customers_zone(root, tmp_path):
    earlier = dt.datetime.now(ZoneInfo(ZONE)).replace(second=0, microsecond=0, tzinfo=None)
    result = cxsite_new(root, "update", "acme/erp", "Kick-off: done & dusted!", "--author", "tom",
                        env=git_env(tmp_path, None))
    later = dt.datetime.now(ZoneInfo(ZONE)).replace(tzinfo=None)
    assert result.exit_code == 0, result.output
    [path] = (root / "acme" / "erp" / "updates").glob("*-kick-off-done-dusted.md")
    strict_check(root)
    text = path.read_text()
    assert {f.key for f in UPDATE.fields} <= keys_mentioned(front_matter(path))
    date = re.search(r"^date: (\S+)$", text, re.MULTILINE).group(1)
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}", date)  # minute precision, no offset
    assert earlier <= dt.datetime.fromisoformat(date) <= later
    assert path.name == f"{date[:10]}-kick-off-done-dusted.md"
    update_id = re.search(r"^id: (\S+)$", text, re.MULTILINE).group(1)
    assert re.fullmatch(r"u-[a-z2-7]{8}", update_id) and SLUG_PATTERN.fullmatch(update_id)
    assert "title: 'Kick-off: done & dusted!'\n" in text and "author: tom\n" in text
    assert "draft: true\n" in text and "delete the 'draft: true' line" in result.output
    assert f"created {path} as a draft: remove 'draft: true' (or pass --no-draft) to publish" in result.output


def test_update_ids_are_fresh_and_file_names_unique(root):
    for _ in range(3):
        assert cxsite_new(root, "update", "acme/erp", "Weekly", "--author", "ana", "--date",
                          "2026-03-04T09:30", "--no-draft").exit_code == 0
    names = sorted(p.name for p in (root / "acme" / "erp" / "updates").glob("2026-03-04-weekly*.md"))
    assert names == ["2026-03-04-weekly-2.md", "2026-03-04-weekly-3.md", "2026-03-04-weekly.md"]
    ids = {re.search(r"^id: (\S+)$", (root / "acme/erp/updates" / n).read_text(), re.MULTILINE).group(1)
           for n in names}
    assert len(ids) == 3
    strict_check(root)
    assert "draft" not in front_matter(root / "acme/erp/updates/2026-03-04-weekly.md").replace("# draft", "")


def test_author_comes_from_git_user_email(root, tmp_path):
    env = git_env(tmp_path, "Tom@Brightline.example")  # matched ignoring case
    result = cxsite_new(root, "update", "acme/erp", "Hello", "--no-edit", env=env)
    assert result.exit_code == 0, result.output
    [path] = (root / "acme" / "erp" / "updates").glob("*-hello.md")
    assert "author: tom\n" in path.read_text()


@pytest.mark.parametrize("email, message", [
    (None, "cannot tell who is writing: git has no user.email (pass --author PERSON (known people: ana, tom))"),
    ("eve@example.com", "git's user.email eve@example.com belongs to nobody in team.yml (pass --author PERSON"),
])
def test_without_a_known_author_nothing_is_written(root, tmp_path, email, message):
    result = cxsite_new(root, "update", "acme/erp", "Hello", env=git_env(tmp_path, email))
    assert result.exit_code == 1 and message in result.output
    assert not list((root / "acme" / "erp" / "updates").glob("*-hello.md"))


def test_unknown_author_or_project_gets_a_suggestion(root):
    assert "no person 'tomm' in team.yml (did you mean 'tom'?)" in cxsite_new(
        root, "update", "acme/erp", "Hi", "--author", "tomm").output
    assert "customer 'acme' has no project 'epr' (did you mean 'erp'?)" in cxsite_new(
        root, "update", "acme/epr", "Hi", "--author", "tom").output


def test_problems_with_the_new_file_are_reported_at_once(portfolio):
    # 01:30 on 29 March 2026 does not exist in London: the clocks go forward.
    root = portfolio()
    result = cxsite_new(root, "update", "acme/erp", "Night work", "--author", "ana", "--date", "2026-03-29T01:30")
    assert result.exit_code == 1
    assert "2026-03-29-night-work.md:6:7: error: 2026-03-29 01:30 does not exist in Europe/London" in result.output
    assert "fix the errors above" in result.output


def test_editor_opens_when_set_and_stdin_is_a_terminal(root, tmp_path, monkeypatch):
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\necho "Written in the editor." >> "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    env = {**git_env(tmp_path, None), "EDITOR": str(editor)}
    monkeypatch.setattr(new_module, "_stdin_is_tty", lambda: True)
    assert cxsite_new(root, "update", "acme/erp", "Edited", "--author", "tom", env=env).exit_code == 0
    assert cxsite_new(root, "update", "acme/erp", "Not edited", "--author", "tom", "--no-edit",
                      env=env).exit_code == 0
    updates = root / "acme" / "erp" / "updates"
    assert "Written in the editor." in next(path for path in updates.glob("*-edited.md") if not path.name.endswith("-not-edited.md")).read_text()
    assert "Written in the editor." not in next(updates.glob("*-not-edited.md")).read_text()


def test_new_update_takes_its_summary_and_text_from_options(root, tmp_path):
    text_file = tmp_path / "kick-off.md"
    text_file.write_text("Kick-off **done**.\n\n- Plan agreed\n- Next: data migration\n")
    result = cxsite_new(root, "update", "acme/erp", "Kick-off", "--author", "tom", "--date", "2026-03-04T09:30",
                        "--summary", "Plan agreed: next, data migration.", "--body-file", str(text_file))
    assert result.exit_code == 0, result.output
    path = root / "acme" / "erp" / "updates" / "2026-03-04-kick-off.md"
    text = path.read_text()
    assert "summary: 'Plan agreed: next, data migration.'\n" in text
    assert text.endswith("draft: true\n---\nKick-off **done**.\n\n- Plan agreed\n- Next: data migration\n")
    strict_check(root)
    # The text is there: publishing is all that is left.
    assert next_steps(result.output) == []
    assert "as a draft: remove 'draft: true' (or pass --no-draft) to publish" in result.output


def test_the_text_can_come_from_standard_input_and_the_editor_stays_closed(root, tmp_path, monkeypatch):
    editor = tmp_path / "editor.sh"
    editor.write_text('#!/bin/sh\necho "Written in the editor." >> "$1"\n')
    editor.chmod(editor.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setattr(new_module, "_stdin_is_tty", lambda: True)
    result = cxsite_new(root, "update", "acme/erp", "Piped", "--author", "tom", "--body-file", "-",
                        input="From a pipe.", env={**git_env(tmp_path, None), "EDITOR": str(editor)})
    assert result.exit_code == 0, result.output
    [path] = (root / "acme" / "erp" / "updates").glob("*-piped.md")
    assert path.read_text().endswith("---\nFrom a pipe.\n")


def test_an_empty_text_is_refused(root):
    result = cxsite_new(root, "update", "acme/erp", "Empty", "--author", "tom", "--body-file", "-", input="\n")
    assert result.exit_code == 1 and "error: the update's text is empty" in result.output
    assert not list((root / "acme" / "erp" / "updates").glob("*-empty.md"))


@pytest.mark.parametrize("flag", ["--no-draft", "--publish"])
def test_no_draft_or_publish_creates_an_update_that_is_published_as_written(root, flag):
    result = cxsite_new(root, "update", "acme/erp", "Live", "--author", "tom", "--date", "2026-03-04T09:30", flag)
    assert result.exit_code == 0, result.output
    assert "draft: true" not in (root / "acme" / "erp" / "updates" / "2026-03-04-live.md").read_text()
    assert "as a draft" not in result.output and "next:" not in result.output


# ------------------------------------------------------------------ now
# "Now" is the one of check and build: --now, else SOURCE_DATE_EPOCH, else the clock.


def test_now_is_the_start_of_a_new_project_in_the_customers_zone(root):
    assert cxsite_new(root, "project", "acme/crm", "--name", "CRM", "--now", NOW).exit_code == 0
    assert (the_project(root).start, the_project(root).planned_end) == (dt.date(2026, 12, 2), dt.date(2027, 3, 2))


@pytest.mark.parametrize("now", [NOW, "2026-12-01T12:00", "2026-12-01T13:00+01:00"])
def test_now_dates_a_new_update_and_names_its_file(root, now):
    """Without an offset --now is UTC, as for check and build."""
    assert cxsite_new(root, "update", "acme/erp", "Weekly", "--author", "tom", "--now", now).exit_code == 0
    text = (root / "acme" / "erp" / "updates" / "2026-12-02-weekly.md").read_text()
    assert "date: 2026-12-02T01:00\n" in text


def test_without_now_source_date_epoch_is_now(root, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(dt.datetime.fromisoformat(NOW).timestamp())))
    assert cxsite_new(root, "project", "acme/crm", "--name", "CRM").exit_code == 0
    assert the_project(root).start == dt.date(2026, 12, 2)
    assert cxsite_new(root, "update", "acme/erp", "Weekly", "--author", "tom").exit_code == 0
    assert "date: 2026-12-02T01:00\n" in (root / "acme/erp/updates/2026-12-02-weekly.md").read_text()
    # --now wins.
    result = cxsite_new(root, "update", "acme/erp", "Later", "--author", "tom", "--now", "2027-01-01T00:00Z")
    assert result.exit_code == 0, result.output
    assert "date: 2027-01-01T13:00\n" in (root / "acme/erp/updates/2027-01-01-later.md").read_text()


def test_a_now_that_is_not_a_date_time_is_refused_before_anything_is_written(root):
    result = cxsite_new(root, "project", "acme/crm", "--name", "CRM", "--now", "yesterday")
    assert result.exit_code == 2
    assert "Invalid value for '--now': 'yesterday' is not an ISO 8601 date-time" in result.output
    assert not (root / "acme" / "crm").exists()


def test_a_broken_source_date_epoch_is_reported(root, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "tomorrow")
    result = cxsite_new(root, "project", "acme/crm", "--name", "CRM")
    assert result.exit_code == 1
    assert "error: SOURCE_DATE_EPOCH must be whole seconds since 1970, got 'tomorrow'" in result.output


# ------------------------------------------- the portfolio, and the hints


def test_next_hints_work_as_printed_on_the_portfolio_they_were_given(portfolio, tmp_path, monkeypatch):
    """Copied from the output, each hint runs on the same portfolio: here
    there is no projects/ to fall back on, and the folder name needs quoting."""
    root = portfolio().rename(tmp_path / "my portfolio")
    monkeypatch.chdir(tmp_path)
    result = cxsite("new", "customer", "globex", "--name", "Globex", "--timezone", "UTC", "--projects", "my portfolio")
    assert next_steps(result.output) == ["cxsite new project globex/PROJECT --name \"...\" --projects 'my portfolio'"]

    result = cxsite(*shlex.split(next_steps(result.output)[0].replace("PROJECT", "crm").replace("...", "CRM"))[1:])
    assert result.exit_code == 0, result.output
    steps = next_steps(result.output)
    assert steps == [
        "edit the summary and dates in my portfolio/globex/crm/project.yml",
        "cxsite milestone globex/crm ID --add --title \"...\" --planned YYYY-MM-DD --projects 'my portfolio'",
        "cxsite new update globex/crm \"TITLE\" --projects 'my portfolio'"]

    milestone = steps[1].replace("ID", "go-live").replace("...", "Go-live").replace("YYYY-MM-DD", "2027-01-04")
    assert cxsite(*shlex.split(milestone)[1:]).exit_code == 0
    update = steps[2].replace("TITLE", "Kick-off")
    assert cxsite(*shlex.split(update)[1:], "--author", "ana", "--no-edit").exit_code == 0
    globex = load_portfolio(root)[0].customer("globex")
    assert [m.id for m in globex.projects[0].milestones] == ["go-live"] and len(globex.projects[0].updates) == 1


def test_the_portfolio_can_be_named_by_cxsite_projects(root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = cxsite("new", "customer", "globex", "--name", "Globex", "--timezone", "UTC",
                    env={"CXSITE_PROJECTS": str(root)})
    assert result.exit_code == 0, result.output
    assert (root / "globex" / "customer.yml").is_file()
    # The variable still names the portfolio when the hint is run: it need not say so.
    assert next_steps(result.output) == ['cxsite new project globex/PROJECT --name "..."']
    # --projects wins over the variable.
    result = cxsite("new", "project", "acme/crm", "--name", "CRM", "--projects", str(root),
                    env={"CXSITE_PROJECTS": str(tmp_path / "elsewhere")})
    assert result.exit_code == 0, result.output


AUTHORING_COMMANDS = [*new.commands.values(), *EDIT_COMMANDS]


@pytest.mark.parametrize("command", AUTHORING_COMMANDS, ids=lambda c: c.name)
def test_every_authoring_command_takes_now_and_the_portfolio_from_the_environment(command):
    help_text = " ".join(CliRunner().invoke(command, ["--help"]).output.split())
    assert "--projects DIR The portfolio folder. [env var: CXSITE_PROJECTS; default: projects]" in help_text
    assert "--now DATETIME" in help_text and "SOURCE_DATE_EPOCH" in help_text
