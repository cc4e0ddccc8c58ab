"""Calendars subscribers can trust: events update in place, at the right instant, in any zone."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from icalendar import Calendar

from cxsite.render.paths import SitePaths
from cxsite.checks.readback import verify_outputs
from cxsite.render.calendar import event_uid, render_calendar, render_event
from cxsite.model.load import load_portfolio
from cxsite.views import Microsite, microsites

from .conftest import CUSTOMER, PROJECT

CUTOFF = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone.utc)
UTC = dt.timezone.utc
TRICKY = "Zoë O'Brien; Jr., Ὀδυσσεύς 山田 & <b> \"q\""

DST_DISRUPTION = """\
  - id: dst-move
    title: Data centre move
    start: 2027-03-27T22:00
    end: 2027-03-28T06:00
    affects: Everyone
    impact: medium
    announced: 2027-02-01
"""


def site_of(root: Path, cutoff: dt.datetime = CUTOFF, audience: str = "everyone") -> Microsite:
    model, _ = load_portfolio(root)
    return {site.audience.id: site for site in microsites(model, cutoff)}[audience]


def project_yml(disruption_extra: str = "", more: str = "") -> str:
    """The fixture project, with extra keys for its cut-over and more disruptions after it."""
    return PROJECT.replace("    impact: high\n", "    impact: high\n" + disruption_extra) + more


def events(data: bytes) -> dict[str, Calendar]:
    calendar = Calendar.from_ical(data)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def cutover(data: bytes):
    return events(data)["acme.erp.disruption.cutover@cxsite"]


def test_calendar_parses_and_every_event_has_uid_start_and_stamp(portfolio):
    root = portfolio({"acme/erp/project.yml": project_yml(more=DST_DISRUPTION)})
    site = site_of(root)
    data = render_calendar(site)
    calendar = Calendar.from_ical(data)
    assert str(calendar["VERSION"]) == "2.0" and str(calendar["METHOD"]) == "PUBLISH"
    assert str(calendar["PRODID"]).startswith("-//cxsite//")
    assert str(calendar["X-WR-CALNAME"]) == "Acme & Co"
    assert str(calendar["X-WR-TIMEZONE"]) == "Europe/London"
    assert set(events(data)) == {"acme.erp.milestone.design@cxsite", "acme.erp.disruption.cutover@cxsite",
                                 "acme.erp.disruption.dst-move@cxsite"}
    for event in calendar.walk("VEVENT"):
        assert {"UID", "DTSTART", "DTEND", "DTSTAMP", "SEQUENCE", "SUMMARY", "DESCRIPTION"} <= set(event)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/London"]
    project_calendar = render_calendar(site, site.customer.projects[0])
    assert verify_outputs({"calendar.ics": data, "projects/erp/calendar.ics": project_calendar}) == []


def test_a_disruption_across_the_clock_change_has_the_right_instants(portfolio):
    root = portfolio({"acme/erp/project.yml": project_yml(more=DST_DISRUPTION)})
    data = render_calendar(site_of(root))
    event = events(data)["acme.erp.disruption.dst-move@cxsite"]
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert start.astimezone(UTC) == dt.datetime(2027, 3, 27, 22, 0, tzinfo=UTC)   # 22:00 GMT
    assert end.astimezone(UTC) == dt.datetime(2027, 3, 28, 5, 0, tzinfo=UTC)      # 06:00 BST
    assert b"DTSTART;TZID=Europe/London:20270327T220000" in data
    assert b"DTEND;TZID=Europe/London:20270328T060000" in data
    # A client without a tz database relies on the VTIMEZONE alone: it must say the same.
    zone = Calendar.from_ical(data).walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)
    assert dt.datetime(2027, 3, 27, 22, 0, tzinfo=zone).astimezone(UTC) == dt.datetime(2027, 3, 27, 22, tzinfo=UTC)
    assert dt.datetime(2027, 3, 28, 6, 0, tzinfo=zone).astimezone(UTC) == dt.datetime(2027, 3, 28, 5, tzinfo=UTC)


def test_a_window_given_with_an_offset_is_shown_in_the_customers_zone(portfolio):
    more = DST_DISRUPTION.replace("2027-03-27T22:00", "2027-03-27T22:00Z").replace("2027-03-28T06:00",
                                                                                  "2027-03-28T05:00Z")
    data = render_calendar(site_of(portfolio({"acme/erp/project.yml": project_yml(more=more)})))
    assert b"DTSTART;TZID=Europe/London:20270327T220000" in data
    assert b"DTEND;TZID=Europe/London:20270328T060000" in data


def test_cancelling_raises_sequence_and_marks_the_event_cancelled(portfolio):
    scheduled = cutover(render_calendar(site_of(portfolio({"acme/erp/project.yml": project_yml(
        "    announced: 2026-10-01\n")}))))
    cancelled = cutover(render_calendar(site_of(portfolio({"acme/erp/project.yml": project_yml(
        "    announced: 2026-10-01\n    status: cancelled\n    changed: 2026-10-15\n")}))))
    assert str(scheduled["STATUS"]) == "CONFIRMED"
    assert str(cancelled["STATUS"]) == "CANCELLED"
    assert cancelled["SEQUENCE"] > scheduled["SEQUENCE"]
    assert cancelled.decoded("DTSTAMP") > scheduled.decoded("DTSTAMP")
    assert str(cancelled["UID"]) == str(scheduled["UID"])


def test_a_rescheduled_disruption_has_one_sequence_step_per_earlier_window(portfolio):
    root = portfolio({"acme/erp/project.yml": project_yml(
        "    announced: 2026-09-01\n    changed: 2026-10-12\n    previous_windows:\n"
        "      - {start: 2026-10-10T22:00, end: 2026-10-11T04:00}\n"
        "      - {start: 2026-10-17T22:00, end: 2026-10-18T04:00}\n")})
    event = cutover(render_calendar(site_of(root)))
    assert event["SEQUENCE"] == 2
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event.decoded("DTSTART").astimezone(UTC) == dt.datetime(2026, 10, 24, 21, 0, tzinfo=UTC)
    assert event.decoded("DTSTAMP") == dt.datetime(2026, 10, 12, 8, 0, tzinfo=UTC)  # changed, 09:00 BST


def test_milestones_are_all_day_events_on_their_current_date(portfolio):
    project = PROJECT.replace("    done: 2026-03-02\n", "    done: 2026-03-02\n"
                              "  - id: go-live\n    title: Go-live\n    planned: 2026-11-02\n"
                              "    forecast: 2026-11-16\n  - id: training\n    title: Training\n"
                              "    planned: 2026-12-01\n")
    data = render_calendar(site_of(portfolio({"acme/erp/project.yml": project})))
    found = events(data)
    assert b"DTSTART;VALUE=DATE:20261116" in data and b"DTEND;VALUE=DATE:20261117" in data
    design, go_live, training = (found[f"acme.erp.milestone.{id}@cxsite"] for id in ("design", "go-live", "training"))
    assert design.decoded("DTSTART") == dt.date(2026, 3, 2)
    assert go_live.decoded("DTSTART") == dt.date(2026, 11, 16)
    assert go_live.decoded("DTEND") == dt.date(2026, 11, 17)
    assert (training["SEQUENCE"], go_live["SEQUENCE"], design["SEQUENCE"]) == (0, 1, 2)
    assert (str(training["STATUS"]), str(design["STATUS"])) == ("TENTATIVE", "CONFIRMED")


def test_uids_are_stable_and_the_same_in_every_calendar(portfolio):
    root = portfolio()
    site = site_of(root)
    project = site.customer.projects[0]
    site_wide = events(render_calendar(site))
    per_project = events(render_calendar(site, project))
    single = events(render_event(site, project, project.disruptions[0]))
    assert set(single) <= set(per_project) == set(site_wide)
    uid = event_uid(site, project, project.disruptions[0])
    assert single[uid].to_ical() == site_wide[uid].to_ical() == per_project[uid].to_ical()
    assert "status.example" not in uid
    moved = site_of(portfolio({"acme/customer.yml": CUSTOMER.replace("status.example", "elsewhere.example")}))
    assert set(events(render_calendar(moved))) == set(site_wide)
    milestone = events(render_event(site, project, project.milestones[0]))
    assert list(milestone) == ["acme.erp.milestone.design@cxsite"]


def test_events_link_to_the_project_page_and_need_no_base_url(portfolio):
    event = cutover(render_calendar(site_of(portfolio())))
    assert str(event["URL"]) == "https://status.example/acme/everyone/" + SitePaths.url_of(SitePaths.project("erp"))
    without = CUSTOMER.replace('site: {base_url: "https://status.example/acme/"}', "site: {feeds: false}")
    no_url = portfolio({"acme/customer.yml": without})
    data = render_calendar(site_of(no_url))
    assert "URL" not in cutover(data)
    assert verify_outputs({"c.ics": data}) == []


def test_stamps_and_bytes_do_not_follow_the_build_clock(portfolio):
    root = portfolio({"acme/erp/project.yml": project_yml("    announced: 2026-10-01\n", DST_DISRUPTION)})
    first = render_calendar(site_of(root, CUTOFF))
    again = render_calendar(site_of(root, CUTOFF))
    later = render_calendar(site_of(root, CUTOFF + dt.timedelta(days=30)))
    assert first == again == later
    assert cutover(first).decoded("DTSTAMP") == dt.datetime(2026, 10, 1, 8, 0, tzinfo=UTC)  # announced, 09:00 BST


def test_names_with_markup_and_any_script_survive(portfolio):
    project = PROJECT.replace("name: ERP roll-out", f"name: {json.dumps(TRICKY)}")
    project = project.replace("affects: Finance team", f"affects: {json.dumps(TRICKY)}")
    project = project.replace("title: Finance system offline", f"title: {json.dumps(TRICKY)}")
    root = portfolio({"acme/customer.yml": CUSTOMER.replace("name: Acme & Co", f"name: {json.dumps(TRICKY)}"),
                      "acme/erp/project.yml": project})
    site = site_of(root)
    data = render_calendar(site)
    calendar = Calendar.from_ical(data)
    assert str(calendar["X-WR-CALNAME"]) == TRICKY
    event = cutover(data)
    assert str(event["SUMMARY"]) == f"{TRICKY}: {TRICKY}"
    assert f"Affects: {TRICKY}\n" in str(event["DESCRIPTION"])
    assert str(events(render_calendar(site, site.customer.projects[0]))["acme.erp.milestone.design@cxsite"]
               ["SUMMARY"]) == f"{TRICKY}: Design signed off"


def test_other_audiences_events_are_absent(portfolio):
    more = DST_DISRUPTION.replace("Data centre move", "MARKER-EXEC") + "    audiences: [executives]\n"
    root = portfolio({"acme/erp/project.yml": project_yml(more=more)})
    assert b"MARKER-EXEC" not in render_calendar(site_of(root))
    assert b"MARKER-EXEC" in render_calendar(site_of(root, audience="executives"))
    site = site_of(root)
    model, _ = load_portfolio(root)
    hidden = model.customer("acme").projects[0].disruptions[1]
    with pytest.raises(KeyError):  # even when handed the unfiltered model's disruption
        render_event(site, site.customer.projects[0], hidden)


def test_verify_reports_events_missing_what_clients_need():
    broken = (b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//EN\r\nBEGIN:VEVENT\r\nUID:a@x\r\n"
              b"DTSTART:20260101T000000Z\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n")
    assert verify_outputs({"calendar.ics": broken}) == ["calendar.ics: a@x has no DTSTAMP"]
    assert verify_outputs({"x.ics": b"not a calendar"})[0].startswith("x.ics: not a valid calendar")


def test_one_event_reads_the_same_in_the_site_calendar_its_projects_and_its_own_file(portfolio):
    """A subscriber to the site calendar and to a project's, who also added
    the event from its page, holds one event: same UID, same content."""
    root = portfolio({"acme/erp/project.yml": project_yml(more=DST_DISRUPTION)})
    site = site_of(root)
    data = render_calendar(site)
    parsed = Calendar.from_ical(data)
    assert parsed.walk("VTIMEZONE") and len(parsed.walk("VEVENT")) >= 3
    project = site.customer.projects[0]
    disruption = next(d for d in project.disruptions if d.id == "dst-move")
    event = Calendar.from_ical(render_event(site, project, disruption)).walk("VEVENT")[0].to_ical()
    assert event in data and event in render_calendar(site, project)
