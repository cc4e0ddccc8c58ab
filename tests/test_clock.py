"""The build's clock: the only way the views learn the time, and a record of how they did."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from cxsite.model.load import load_portfolio
from cxsite.views import microsite
from cxsite.views.clock import Clock, Passed, Today, build_cutoff, next_change

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def test_the_clock_answers_and_writes_down_every_question():
    clock = Clock(NOW)
    assert clock.passed(NOW) and clock.passed(NOW - dt.timedelta(seconds=1))
    assert not clock.passed(NOW + dt.timedelta(seconds=1))
    assert clock.today(ZoneInfo("Pacific/Auckland")) == dt.date(2026, 11, 26)   # already tomorrow there
    assert clock.asked == {Passed(NOW): True, Passed(NOW - dt.timedelta(seconds=1)): True,
                           Passed(NOW + dt.timedelta(seconds=1)): False, Today("Pacific/Auckland"): dt.date(2026, 11, 26)}


def test_a_moment_is_the_same_question_in_any_zone():
    clock = Clock(NOW)
    clock.passed(dt.datetime(2026, 11, 25, 13, 0, tzinfo=ZoneInfo("Europe/Berlin")))
    clock.passed(NOW)
    assert list(clock.asked) == [Passed(NOW)]


def test_the_answers_hold_until_the_first_one_would_change():
    clock = Clock(NOW)
    clock.passed(NOW - dt.timedelta(days=3))                 # true for good
    clock.passed(dt.datetime(2026, 12, 7, 8, tzinfo=UTC))    # an embargo
    assert next_change(clock.asked) == dt.datetime(2026, 12, 7, 8, tzinfo=UTC)
    clock.today("Europe/London")                             # the date changes at midnight there
    assert next_change(clock.asked) == dt.datetime(2026, 11, 26, 0, 0, tzinfo=UTC)
    assert next_change({}) is None


def test_midnight_is_found_across_a_change_of_the_clocks():
    """Santiago moves its clocks forward at midnight: the next day starts at
    the change itself, 03:00 UTC, not an hour before it."""
    clock = Clock(dt.datetime(2026, 9, 5, 12, tzinfo=UTC))
    assert clock.today("America/Santiago") == dt.date(2026, 9, 5)
    turn = next_change(clock.asked)
    assert turn is not None
    assert (turn - dt.timedelta(seconds=1)).astimezone(ZoneInfo("America/Santiago")).date() == dt.date(2026, 9, 5)
    assert turn.astimezone(ZoneInfo("America/Santiago")).date() == dt.date(2026, 9, 6)


def test_a_steps_clock_starts_with_nothing_asked_and_hands_its_answers_on():
    clock = Clock(NOW)
    step = clock.fresh()
    step.passed(NOW)
    assert clock.asked == {} and step.asked == {Passed(NOW): True}
    clock.take(step.asked)
    assert clock.asked == {Passed(NOW): True}


def test_a_view_asks_about_exactly_the_moments_that_decide_what_it_holds(portfolio):
    """An embargoed update is asked about; its answer (not yet) is why it is
    absent, and the view holds until it comes."""
    root = portfolio({"acme/erp/updates/later.md": """\
        ---
        id: u-later
        title: Next week
        date: 2026-11-20T09:00
        publish_after: 2026-12-01T09:00
        author: ana
        ---
        Soon.
        """})
    model, _ = load_portfolio(root)
    acme = model.customer("acme")
    clock = Clock(NOW)
    view = microsite(model, acme, acme.audience("everyone"), clock)
    assert [u.id for u in view.customer.projects[0].updates] == ["u-kickoff"]
    release = dt.datetime(2026, 12, 1, 9, tzinfo=ZoneInfo("Europe/London"))
    assert clock.asked[Passed(release.astimezone(UTC))] is False
    assert next_change(clock.asked) == release
    assert view.next_embargo == release


def test_two_views_of_the_same_data_are_equal_whatever_their_clock(portfolio):
    model, _ = load_portfolio(portfolio())
    acme = model.customer("acme")
    one = microsite(model, acme, acme.audience("everyone"), NOW)
    other = microsite(model, acme, acme.audience("everyone"), NOW + dt.timedelta(hours=1))
    assert one == other and repr(one) == repr(other)


def test_the_build_moment_is_given_else_source_date_epoch_else_the_clock(monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795608000")
    assert build_cutoff() == NOW
    assert build_cutoff(dt.datetime(2026, 1, 1, 9)) == dt.datetime(2026, 1, 1, 9, tzinfo=UTC)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(Exception, match="SOURCE_DATE_EPOCH must be whole seconds"):
        build_cutoff()
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    assert abs(build_cutoff() - dt.datetime.now(UTC)) < dt.timedelta(minutes=5)
