"""Inputs that an output format cannot carry are found by ``check`` at their
file and line, or made safe, and never first met by ``build`` as a traceback."""

from __future__ import annotations

import datetime as dt

import pytest

from cxsite.build import build_portfolio

from .conftest import PROJECT, REPO, UPDATE, messages

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)




@pytest.mark.parametrize("reference", ["&#14;", "&#x1F;", "&#0;", "&#xD800;", "&#xFFFE;", "&#1114112;"])
def test_a_reference_to_a_character_no_output_can_carry_is_shown_as_a_replacement(portfolio, tmp_path, reference):
    """``&#14;`` is a control character: XML (every feed) and iCalendar
    cannot hold it. check says where it is; the pages, feeds and calendars
    show U+FFFD there, as a browser would, and every one of them reads."""
    import feedparser
    from icalendar import Calendar

    root = portfolio({
        "acme/erp/updates/kickoff.md": UPDATE.replace("We started.", f"We started.\n\nA bad {reference} reference."),
        "acme/erp/project.yml": PROJECT.replace("affects: Finance team",
                                                f"affects: Finance team\n    description: 'Down {reference} all night'"),
    })
    assert f"acme/erp/updates/kickoff.md:9:1: warning: {reference} refers to a character that pages, feeds and " \
           "calendars cannot carry; it is shown as \ufffd (remove it, or write the character itself)" in messages(root)
    out = tmp_path / "site"
    build_portfolio(root, out, config_file=REPO / "mkdocs.yml", cutoff=NOW)
    feeds = [path for path in out.rglob("*.xml") if path.name != "sitemap.xml"]
    assert feeds
    for path in feeds:
        parsed = feedparser.parse(path.read_bytes())
        assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    for path in out.rglob("*.ics"):
        Calendar.from_ical(path.read_bytes())
    update = next(out.glob("acme/everyone/projects/erp/updates/*/index.html")).read_text(encoding="utf-8")
    assert "A bad \ufffd reference." in update or "A bad &#xFFFD; reference." in update


BUDGET = "budget: {{currency: GBP, approved: {approved}, spent: {spent}, audiences: [executives]}}\n"


@pytest.mark.parametrize("files, expected", [
    pytest.param({"acme/erp/project.yml": PROJECT + BUDGET.format(approved="1e309", spent=1)},
                 "acme/erp/project.yml:22:35: error: 1e309 is too large: numbers have at most 15 digits before the "
                 "decimal point (write a smaller number, for example the amount in thousands)", id="float-overflow"),
    pytest.param({"acme/erp/project.yml": PROJECT + BUDGET.format(approved=1, spent="9" * 5000)},
                 "acme/erp/project.yml:22:45: error: " + "9" * 40 + " is too large", id="5000-digit-number"),
    pytest.param({"acme/erp/project.yml": PROJECT.replace("percent_complete: 40", "percent_complete: " + "4" * 5000)},
                 "acme/erp/project.yml:6:19: error: this number has 5000 digits; at most 15 can be shown exactly "
                 "(write a smaller number)", id="5000-digit-whole-number"),
])
def test_a_number_too_large_to_show_is_refused_by_check_at_its_place(portfolio, tmp_path, files, expected):
    """Before, 1e309 passed check and build died of an OverflowError, and a
    5,000-digit number raised Python's ValueError inside check."""
    found = messages(portfolio(files))
    assert any(message.startswith(expected) for message in found), found


@pytest.mark.parametrize("nesting, place", [
    pytest.param("extra: " + "[" * 1000 + "]" * 1000 + "\n", "22:39", id="flow-1000"),
    pytest.param("extra:\n" + "".join("  " * i + "a:\n" for i in range(1, 700)) + "  " * 700 + "b: 1\n", "54:65",
                 id="block-700"),
])
def test_yaml_nested_a_thousand_levels_deep_gets_the_same_clean_error(portfolio, nesting, place):
    """200 and 400 levels were refused cleanly; 1,000 crashed ruamel's
    recursive composer with a RecursionError. The error names the place
    where the 33rd level opens."""
    found = messages(portfolio({"acme/erp/project.yml": PROJECT + nesting}))
    assert [m for m in found if "nested" in m] == [
        f"acme/erp/project.yml:{place}: error: nested more than 32 levels deep (flatten the structure)"]
