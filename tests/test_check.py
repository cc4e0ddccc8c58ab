"""`cxsite check`: every problem in one run, each as path:line:col with a fix."""

from __future__ import annotations

import os

import pytest
from click.testing import CliRunner

from cxsite.cli import main
from cxsite.model.load import load_portfolio
from cxsite.views.rules import check_portfolio

from .conftest import CUSTOMER, DEMO, PROJECT, TEAM, UPDATE, messages

FIXTURE_NOW = "2026-01-10T12:00:00+00:00"  # the minimal portfolio's last update is days old then
ANNOUNCED = PROJECT.replace("    impact: high\n", "    impact: high\n    announced: 2025-12-01\n")  # no CX findings




def test_minimal_portfolio_is_valid(portfolio):
    model, warnings = load_portfolio(portfolio())
    assert warnings == ()
    customer = model.customer("acme")
    assert customer.name == "Acme & Co"
    project = customer.projects[0]
    assert project.updates[0].published.isoformat() == "2026-01-06T09:30:00+00:00"
    # A local time in summer is read in the customer's zone (BST, +01:00).
    assert project.disruptions[0].window.start.isoformat() == "2026-10-24T22:00:00+01:00"


def test_demo_portfolio_passes_strict_check():
    from .conftest import DEMO_NOW

    result = CliRunner().invoke(main, ["check", str(DEMO), "--strict", "--now", DEMO_NOW])
    assert result.exit_code == 0, result.output


def test_documented_examples_are_valid(tmp_path):
    """The examples in docs/format.md load as they stand."""
    from cxsite.source.formatdoc import EXAMPLES
    from .conftest import write_tree

    root = write_tree(tmp_path / "p", {
        "team.yml": EXAMPLES["team.yml"],
        "northwind/customer.yml": EXAMPLES["customer.yml"].replace("logo: logo.svg", "").replace(", }", "}"),
        "northwind/ehr/project.yml": EXAMPLES["project.yml"],
        "northwind/ehr/updates/2026-03-kickoff.md": EXAMPLES["update front matter"],
    })
    model, _ = load_portfolio(root)
    assert model.customer("northwind").projects[0].budget.approved == 1250000


def test_format_doc_is_generated_from_the_schema():
    from cxsite.source.formatdoc import render_format_doc

    committed = (DEMO.parent / "docs" / "format.md").read_text(encoding="utf-8")
    assert committed == render_format_doc(), "regenerate with: cxsite format-doc > docs/format.md"


@pytest.mark.parametrize("files, expected", [
    pytest.param({"acme/erp/project.yml": PROJECT.replace("percent_complete: 40", "percent_complete: '40%'")},
                 "acme/erp/project.yml:6:19: error: expected a whole number, got '40%'", id="wrong-type"),
    pytest.param({"acme/erp/project.yml": PROJECT.replace("health: on_track", "helth: on_track")},
                 "acme/erp/project.yml:4:1: error: unknown key 'helth' in project.yml (did you mean 'health'?)",
                 id="unknown-key"),
    pytest.param({"acme/erp/project.yml": PROJECT.replace("start: 2026-01-05", "start: 2026-02-30")},
                 "acme/erp/project.yml:7:8: error: '2026-02-30' is not a real date: day is out of range for month "
                 "(check the day and the month)", id="impossible-date"),
    pytest.param({"acme/customer.yml": CUSTOMER.replace("Europe/London", "Europe/Londn")},
                 "acme/customer.yml:2:11: error: unknown time zone 'Europe/Londn' (did you mean 'Europe/London'?)",
                 id="unknown-zone"),
    pytest.param({"acme/customer.yml": CUSTOMER.replace("cx_owner: ana", "cx_owner: anna")},
                 "acme/customer.yml:3:11: error: unknown person 'anna' (did you mean 'ana'?)", id="dangling-person"),
    pytest.param({"acme/erp/updates/kickoff.md": UPDATE.replace("author: ana", "author: ana\nmilestone: golive")},
                 "acme/erp/updates/kickoff.md:6:12: error: unknown milestone 'golive' (known milestones: design)",
                 id="dangling-milestone"),
    pytest.param({"acme/erp/updates/kickoff.md": UPDATE.replace("author: ana", "author: ana\naudiences: [execs]")},
                 "acme/erp/updates/kickoff.md:6:12: error: unknown audience 'execs' (did you mean 'executives'?)",
                 id="dangling-audience"),
    pytest.param({"acme/erp/project.yml": PROJECT.replace("disruptions:", "  - id: design\n    title: Again\n"
                                                                          "    planned: 2026-04-01\ndisruptions:")},
                 "acme/erp/project.yml:15:5: error: duplicate id 'design' (it is already used at line 11)",
                 id="duplicate-milestone-id"),
    pytest.param({"acme/erp/updates/again.md": UPDATE},
                 "acme/erp/updates/kickoff.md:2:1: error: duplicate update id 'u-kickoff' "
                 "(acme/erp/updates/again.md already uses it; give this update a new id "
                 "(ids must be unique within a customer))", id="duplicate-update-id"),
    pytest.param({"acme/erp/project.yml": PROJECT.replace("end: 2026-10-25T04:00", "end: 2026-10-24T21:00")},
                 "acme/erp/project.yml:19:10: error: end 2026-10-24 21:00 is not after start 2026-10-24 22:00 "
                 "(check the two times)", id="end-before-start"),
    pytest.param({"acme/erp/project.yml": PROJECT.replace("start: 2026-10-24T22:00", "start: 2027-03-28T01:30")
                  .replace("end: 2026-10-25T04:00", "end: 2027-03-28T04:00")},
                 "acme/erp/project.yml:18:12: error: 2027-03-28 01:30 does not exist in Europe/London: the clocks go "
                 "forward then (pick a time outside the skipped hour, or give an offset)", id="nonexistent-local-time"),
    pytest.param({"acme/erp/project.yml": PROJECT.replace("percent_complete: 40", "percent_complete: 101")},
                 "acme/erp/project.yml:6:19: error: 101 is above the maximum of 100", id="percent-out-of-range"),
    pytest.param({"acme/customer.yml": CUSTOMER.replace("cx_owner: ana\n", "")},
                 "acme/customer.yml:1:1: error: customer.yml is missing required key 'cx_owner' "
                 "(add 'cx_owner: ana-souza')", id="no-cx-owner"),
    pytest.param({"acme/customer.yml": CUSTOMER.replace("    handles: Everything\n", "    handles: Everything\n"
                                                         "  - {person: tom, handles: A}\n  - {person: tom, handles: B}\n")},
                 "acme/customer.yml:5:3: error: allows at most 2 items, got 3", id="three-primary-contacts"),
    pytest.param({"acme/erp/project.yml": PROJECT.replace("name: ERP roll-out", "name: [ERP")},
                 "acme/erp/project.yml:2:8: error: YAML syntax error: expected ',' or ']', but got ':' while "
                 "parsing a flow sequence that starts at line 1 (check indentation, colons and closing brackets or "
                 "quotes)", id="yaml-syntax"),
    pytest.param({"acme/erp/updates/kickoff.md": b"---\nid: u\ntitle: \xe9t\xe9\n---\n"},
                 "acme/erp/updates/kickoff.md:3:8: error: file is not valid UTF-8 (byte 0xe9) "
                 "(save the file with UTF-8 encoding)", id="not-utf8"),
    pytest.param({"acme/erp/updates/kickoff.md": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"},
                 "acme/erp/updates/kickoff.md: error: this is a binary file, not text "
                 "(save it as plain UTF-8 text, or move it out of the portfolio)", id="binary"),
    pytest.param({"acme/erp/project.yml": ""},
                 "acme/erp/project.yml:1:1: error: file is empty (fill it in, or delete it)", id="empty"),
    pytest.param({"acme/erp/updates/kickoff.md": "We started.\n"},
                 "acme/erp/updates/kickoff.md:1:1: error: update has no front matter (start the file with a '---' "
                 "line, the keys (id, title, date, author), and another '---' line)", id="no-front-matter"),
    pytest.param({"acme/erp/updates/kickoff.md": "---\nid: u-kickoff\ntitle: Kick-off\n\nWe started.\n"},
                 "acme/erp/updates/kickoff.md:1:1: error: front matter is not closed "
                 "(add a line with '---' after the last key)", id="unterminated-front-matter"),
    pytest.param({"acme/erp/updates/kickoff.md": None, "acme/erp/updates/Kick Off.md": UPDATE},
                 "acme/erp/updates/Kick Off.md: error: update file name 'Kick Off.md' is not a valid slug "
                 "(rename it to 'kick-off.md'; use lower-case letters, digits and '-', starting and ending with a "
                 "letter or digit, e.g. 'go-live')", id="bad-update-file-name"),
    pytest.param({"acme/customer.yml": None, "acme/erp/project.yml": None, "acme/erp/updates/kickoff.md": None,
                  "Acme_Co/customer.yml": CUSTOMER},
                 "Acme_Co: error: customer folder name 'Acme_Co' is not a valid slug (rename it to 'acme-co'; use "
                 "lower-case letters, digits and '-', starting and ending with a letter or digit, e.g. 'go-live')",
                 id="bad-folder-slug"),
    pytest.param({"acme/erp/project.yml": PROJECT.replace("status: active", "status: actve")},
                 "acme/erp/project.yml:3:9: error: 'actve' is not one of planned, active, on_hold, completed, "
                 "cancelled (did you mean 'active'?)", id="bad-choice"),
    pytest.param({"acme/erp/updates/kickoff.md": UPDATE.replace("author: ana", "author: ana\ndraft: yes")},
                 "acme/erp/updates/kickoff.md:6:8: error: expected true or false, got 'yes' "
                 "(write true or false without quotes)", id="yaml11-boolean"),
    pytest.param({"team.yml": TEAM + "  ana:\n    name: Someone else\n"},
                 "team.yml:11:3: error: duplicate person id 'ana' (it is already defined at line 4)",
                 id="duplicate-person"),
    pytest.param({"acme/erp/project.yml": PROJECT + "internal_note: !!python/object/apply:os.system [ls]\n"},
                 "acme/erp/project.yml:22:16: error: YAML tag '!!python/object/apply:os.system' is not allowed "
                 "(remove the tag; cxsite reads plain values only)", id="python-tag"),
    pytest.param({"acme/notes.yaml": "x: 1\n"},
                 "acme/notes.yaml: error: cxsite does not read 'notes.yaml' here "
                 "(cxsite reads '.yml' files: rename it to 'notes.yml')", id="stray-file"),
])
def test_bad_input_gets_an_exact_diagnostic(portfolio, files, expected):
    assert expected in messages(portfolio(files))


def test_text_fields_keep_what_was_typed(portfolio):
    """YAML 1.2 and raw scalars: a leading zero, 'yes' and '24:00' stay text."""
    root = portfolio({"team.yml": TEAM.replace("name: Tom Okafor", "name: yes\n    title: 24:00")
                      .replace("email: tom@brightline.example", "phone: 0123456789")})
    model, _ = load_portfolio(root)
    tom = model.team.person("tom")
    assert (tom.name, tom.title, tom.phone) == ("yes", "24:00", "0123456789")


def test_ten_planted_mistakes_are_all_reported_in_one_run(portfolio):
    root = portfolio({
        "team.yml": TEAM.replace("email: tom@brightline.example", "email: tom-at-brightline"),        # 1
        "acme/customer.yml": CUSTOMER.replace("Europe/London", "Mars/Base")                          # 2
                                     .replace("handles: Everything", "handles: Everything\n    phone: 1"),  # 3
        "acme/erp/project.yml": PROJECT.replace("health: on_track", "health: green")                 # 4
                                       .replace("planned: 2026-03-01", "planned: 1 March")            # 5
                                       .replace("impact: high", "impact: high\n    audiences: [board]")  # 6
                                       .replace("percent_complete: 40", "percent_complete: -5"),      # 7
        "acme/erp/updates/kickoff.md": UPDATE.replace("author: ana", "author: zed"),                 # 8
        "acme/erp/updates/second.md": UPDATE.replace("u-kickoff", "u-second").replace("date: 2026-01-06T09:30",
                                                                                     "date: soon"),  # 9
        "acme/erp/updates/third.md": "---\ntitle: [unclosed\n---\n",                                 # 10
    })
    found = messages(root)
    expected_places = [
        "team.yml:10:12:", "acme/customer.yml:2:11:", "acme/customer.yml:7:5:", "acme/erp/project.yml:4:9:",
        "acme/erp/project.yml:13:14:", "acme/erp/project.yml:22:16:", "acme/erp/project.yml:6:19:",
        "acme/erp/updates/kickoff.md:5:9:", "acme/erp/updates/second.md:4:7:", "acme/erp/updates/third.md:2:17:",
    ]
    for place in expected_places:
        assert any(line.startswith(place) for line in found), (place, found)
    assert len([line for line in found if ": error: " in line]) == 10, found


def test_cli_exit_codes_and_summary(portfolio):
    runner = CliRunner()
    good = runner.invoke(main, ["check", str(portfolio({"acme/erp/project.yml": ANNOUNCED})), "--now", FIXTURE_NOW])
    assert good.exit_code == 0
    assert "cxsite check ok: 0 errors, 0 warnings" in good.output
    bad = runner.invoke(main, ["check", str(portfolio({"acme/erp/project.yml": PROJECT.replace("weekly", "x")
                                                      .replace("monthly", "daily")}))])
    assert bad.exit_code == 1
    assert "error: 'daily' is not one of weekly, fortnightly, monthly" in bad.output


def test_strict_turns_warnings_into_errors(portfolio):
    root = portfolio({"acme/erp/project.yml": ANNOUNCED.replace("status: active", "status: completed")})
    runner = CliRunner()
    assert runner.invoke(main, ["check", str(root), "--now", FIXTURE_NOW]).exit_code == 0
    strict = runner.invoke(main, ["check", str(root), "--strict", "--now", FIXTURE_NOW])
    assert strict.exit_code == 1
    assert "error: project is completed but only 40% complete (set percent_complete: 100)" in strict.output


def test_github_format_prints_annotations(portfolio):
    root = portfolio({"acme/erp/project.yml": PROJECT.replace("health: on_track", "health: green")})
    result = CliRunner().invoke(main, ["check", str(root), "--format", "github"])
    assert result.exit_code == 1
    annotation = next(line for line in result.output.splitlines() if line.startswith("::error "))
    assert annotation.startswith("::error file=")
    assert "acme/erp/project.yml,line=4,col=9::'green' is not one of on_track, at_risk, off_track" in annotation


def test_alias_bomb_is_refused_before_it_is_expanded(portfolio):
    bomb = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    bomb += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 10)]
    root = portfolio({"acme/erp/project.yml": PROJECT + "\n".join(bomb) + "\n"})
    found = messages(root)
    assert ("acme/erp/project.yml:1:1: error: more than 50000 values once aliases are expanded (remove the anchors "
            "(&) and aliases (*) that repeat each other)") in found


def test_huge_file_is_refused_without_reading_it(portfolio):
    root = portfolio()
    big = root / "acme/erp/updates/huge.md"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    found = messages(root)
    assert ("acme/erp/updates/huge.md: error: file is 50.0 MiB; at most 512 KiB is allowed (split it up or remove "
            "pasted data)") in found


def test_deep_nesting_is_refused(portfolio):
    root = portfolio({"acme/erp/project.yml": PROJECT + "internal_note: " + "[" * 40 + "]" * 40 + "\n"})
    assert any("nested more than 32 levels deep" in line for line in messages(root))


def test_symlink_out_of_the_portfolio_is_refused(portfolio, tmp_path):
    root = portfolio()
    outside = tmp_path / "secret.md"
    outside.write_text(UPDATE.replace("u-kickoff", "u-secret"))
    os.symlink(outside, root / "acme/erp/updates/linked.md")
    assert ("acme/erp/updates/linked.md: error: this link points outside the portfolio folder (copy the file into "
            "the portfolio instead of linking to it)") in messages(root)


def test_the_demo_portfolio_checks_clean():
    assert [d.format() for d in check_portfolio(DEMO)] == []


def test_feeds_need_a_base_url(portfolio):
    root = portfolio({"acme/customer.yml": CUSTOMER.replace('site: {base_url: "https://status.example/acme/"}\n', "")})
    assert ("acme/customer.yml:1:1: error: feeds and calendars need the address the sites are served from (add "
            "'site: {base_url: https://status.example.com/<customer>/}', or 'feeds: false' under 'site:' to publish "
            "without feeds, calendars and vCards)") in messages(root)
    without_feeds = portfolio({"acme/customer.yml": CUSTOMER.replace(
        'site: {base_url: "https://status.example/acme/"}', "site: {feeds: false}")})
    assert messages(without_feeds) == []


def test_cx_rules_run_in_check(portfolio):
    """The CX rules are warnings in `check` (errors under --strict), as of --now."""
    result = CliRunner().invoke(main, ["check", str(portfolio()), "--now", "2026-06-01T12:00:00+00:00"])
    assert result.exit_code == 0
    assert "warning: " in result.output and "update overdue by" in result.output


def test_update_bodies_are_checked_for_what_would_not_render(portfolio):
    root = portfolio({"acme/erp/updates/kickoff.md": UPDATE.replace("We started.", "Text\n\n" + "[" * 30000)})
    found = [line for line in messages(root) if "kickoff.md" in line and ": error: " in line]
    assert found and found[0].startswith("acme/erp/updates/kickoff.md:")


def test_loading_pauses_the_collector_but_freezes_only_when_the_command_asks(portfolio):
    """`cxsite serve` and tests load again and again: what they hold must stay collectable."""
    import gc

    root = portfolio()
    load_portfolio(root)
    load_portfolio(root)  # the second time from the model cache
    assert gc.isenabled() and gc.get_freeze_count() == 0
    try:
        load_portfolio(root, freeze=True)
        assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
