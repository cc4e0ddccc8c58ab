"""Feeds subscribers can trust: each item once, nothing early, nothing leaked, same bytes every build."""

from __future__ import annotations

import datetime as dt
import email.utils
import html
import json
import re
from html import unescape
from pathlib import Path

import feedparser
import pytest

from cxsite.model import Project, Update
from cxsite.render.paths import SitePaths
from cxsite.checks.readback import verify_outputs
from cxsite.render.calendar import render_calendar
from cxsite.render.feeds import FeedsNeedBaseUrl, feed_items, render_atom, render_json_feed, render_rss
from cxsite.render.markdown import RenderedMarkdown
from cxsite.render.prose import Prose, markdown_texts
from cxsite.render.feeds import EMPTY_FEED_UPDATED
from cxsite.model.load import load_portfolio
from cxsite.views import Microsite, microsites

from .conftest import CUSTOMER, PROJECT, TEAM

CUTOFF = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.timezone.utc)
LONDON = "Europe/London"
TRICKY = "Zoë O'Brien; Jr., Ὀδυσσεύς 山田 & <b> \"q\""


@pytest.fixture
def portfolio(portfolio):
    """The shared minimal portfolio, with its cut-over announced on 1 October 2026."""
    def make(files=None):
        base = {"acme/erp/project.yml": PROJECT.replace("    impact: high\n",
                                                        "    impact: high\n    announced: 2026-10-01\n")}
        base.update(files or {})
        return portfolio(base)
    return make


def stand_in(site: Microsite, html_of=lambda text: f"<p>{html.escape(text.strip())}</p>") -> Prose:
    """Stands in for the Markdown converter: each text as one escaped paragraph."""
    table = {}
    for text in markdown_texts(site.customer):
        body = html_of(text)
        table[text] = RenderedMarkdown(body, " ".join(unescape(re.sub("<[^>]+>", " ", body)).split()), ())
    return Prose(table)


def update_md(id: str, title: str, date: str, body: str = "Text.", **front: str) -> str:
    extra = "".join(f"{key}: {value}\n" for key, value in front.items())
    return f"---\nid: {id}\ntitle: {title}\ndate: {date}\nauthor: ana\n{extra}---\n{body}\n"


def sites(root: Path, cutoff: dt.datetime = CUTOFF) -> dict[str, Microsite]:
    model, _ = load_portfolio(root)
    return {site.audience.id: site for site in microsites(model, cutoff)}


def site_of(root: Path, cutoff: dt.datetime = CUTOFF, audience: str = "everyone") -> Microsite:
    return sites(root, cutoff)[audience]


def render_feeds(site: Microsite, limit: int = 50) -> dict[str, bytes]:
    """Every feed of a microsite, site-wide and per project, by output path."""
    out: dict[str, bytes] = {}
    scopes: list[tuple[Project | None, str, str, str]] = [
        (None, SitePaths.rss, SitePaths.atom, SitePaths.json_feed)]
    for project in site.customer.projects:
        folder = f"projects/{project.slug}/"
        scopes.append((project, SitePaths.project_rss(project.slug), SitePaths.project_atom(project.slug),
                       folder + "feed.json"))
    for project, rss, atom, json_path in scopes:
        items = feed_items(site, project, stand_in(site))
        title = site.customer.name if project is None else project.name
        page = SitePaths.home if project is None else SitePaths.project(project.slug)
        out[rss] = render_rss(site, items, title=title, self_path=rss, page_path=page, limit=limit)
        out[atom] = render_atom(site, items, title=title, self_path=atom, page_path=page, limit=limit)
        out[json_path] = render_json_feed(site, items, title=title, self_path=json_path, page_path=page,
                                          limit=limit)
    return out


def render_everything(site: Microsite) -> dict[str, bytes]:
    out = render_feeds(site)
    out[SitePaths.calendar] = render_calendar(site)
    for project in site.customer.projects:
        out[SitePaths.project_calendar(project.slug)] = render_calendar(site, project)
    return out


def parse(data: bytes) -> feedparser.FeedParserDict:
    parsed = feedparser.parse(data)
    assert parsed.bozo == 0, parsed.get("bozo_exception")
    return parsed


# --------------------------------------------------------------- validity

def test_every_feed_parses_cleanly_in_every_format(portfolio):
    root = portfolio({"acme/erp/updates/second.md": update_md("u-second", "Second", "2026-02-10T10:00")})
    files = render_feeds(site_of(root))
    assert set(files) >= {"feed.xml", "atom.xml", "feed.json", "projects/erp/feed.xml", "projects/erp/atom.xml"}
    for path, data in files.items():
        if path.endswith(".xml"):
            parsed = parse(data)
            assert parsed.version in ("rss20", "atom10"), path
            assert len(parsed.entries) == 4, path  # two updates, a milestone reached, an announcement
        else:
            feed = json.loads(data)
            assert feed["version"] == "https://jsonfeed.org/version/1.1"
    assert verify_outputs(files) == []


def test_items_are_updates_reached_milestones_and_disruption_notices(portfolio):
    root = portfolio({"acme/erp/updates/second.md": update_md("u-second", "Second", "2026-02-10T10:00",
                                                              kind="risk")})
    items = feed_items(site_of(root), None, stand_in(site_of(root)))
    assert [(item.title, item.categories) for item in items] == [
        ("Planned disruption: Finance system offline", ("disruption", "ERP roll-out")),
        ("Milestone reached: Design signed off", ("milestone", "ERP roll-out")),
        ("Second", ("risk", "ERP roll-out")),
        ("Kick-off", ("progress", "ERP roll-out")),
    ]


def test_a_disruption_without_an_announcement_date_has_no_announcement(portfolio):
    root = portfolio({"acme/erp/project.yml": PROJECT})
    assert [i.categories[0] for i in feed_items(site_of(root), None, stand_in(site_of(root)))] == ["milestone", "progress"]


def test_feeds_carry_language_author_categories_and_absolute_links(portfolio):
    root = portfolio({"acme/erp/updates/kickoff.md": update_md(
        "u-kickoff", "Kick-off", "2026-01-06T09:30",
        body='See <a href="../../">the plan</a> and <img src="chart.png" alt="chart"> or '
             '<a href="https://elsewhere.example/x">this</a>.')})
    site = site_of(root)

    items = feed_items(site, None, stand_in(site, str.strip))  # the text is the HTML, its links relative to the page
    page = "https://status.example/acme/everyone/projects/erp/updates/kickoff/"
    atom = parse(render_atom(site, items, title="Acme", self_path=SitePaths.atom))
    rss = parse(render_rss(site, items, title="Acme", self_path=SitePaths.rss))
    assert atom.feed.language == "en" and rss.feed.language == "en"
    for parsed, self_url in ((atom, "https://status.example/acme/everyone/atom.xml"),
                             (rss, "https://status.example/acme/everyone/feed.xml")):
        assert {link.href for link in parsed.feed.links if link.rel == "self"} == {self_url}
        entry = next(e for e in parsed.entries if e.title == "Kick-off")
        assert entry.link == page
        assert entry.author == ("Ana Souza (ana@brightline.example)" if parsed is atom
                                else "ana@brightline.example (Ana Souza)")  # RSS: "email (name)"
        assert [t.term for t in entry.tags] == ["progress", "ERP roll-out"]
        content = entry.content[0].value
        assert 'href="https://status.example/acme/everyone/projects/erp/"' in content
        assert f'src="{page}chart.png"' in content
        assert 'href="https://elsewhere.example/x"' in content
        assert entry.published_parsed is not None
    assert atom.entries[0].content[0].type == "text/html"
    assert rss.entries[0].guidislink is False


def test_every_date_carries_its_time_zone(portfolio):
    root = portfolio()
    data = render_rss(site_of(root), feed_items(site_of(root), None, stand_in(site_of(root))), title="Acme",
                      self_path=SitePaths.rss)
    parsed = parse(data)
    for entry in parsed.entries:
        assert email.utils.parsedate_tz(entry.published)[9] is not None
    assert b"+0000</pubDate>" in data and b"+0100</pubDate>" in data  # GMT and BST dates alike


def test_date_only_items_are_dated_nine_in_the_morning_in_the_customers_zone(portfolio):
    root = portfolio({"acme/customer.yml": CUSTOMER.replace("Europe/London", "America/New_York")})
    items = {item.categories[0]: item for item in feed_items(site_of(root), None, stand_in(site_of(root)))}
    reached = items["milestone"].published
    assert (reached.date(), reached.hour, reached.minute) == (dt.date(2026, 3, 2), 9, 0)
    assert reached.utcoffset() == dt.timedelta(hours=-5)
    assert items["disruption"].published.isoformat() == "2026-10-01T09:00:00-04:00"


def test_dates_in_items_read_as_on_the_customers_pages(portfolio):
    """A British customer reads British dates and a 24-hour clock, an American one the American forms."""
    def notice(customer_yml: str) -> str:
        root = portfolio({"acme/customer.yml": customer_yml})
        items = feed_items(site_of(root), None, stand_in(site_of(root)))
        return next(i for i in items if i.categories[0] == "disruption").content_html

    british = notice(CUSTOMER)
    assert "Saturday, 24 October 2026, 22:00" in british and "Sunday, 25 October 2026, 04:00" in british
    american = notice(CUSTOMER.replace("Europe/London", "America/New_York"))
    assert "Saturday, October 24, 2026" in american and "PM" in american


# ---------------------------------------------------------------- GUIDs

def test_guid_survives_retitle_rename_and_redate(portfolio):
    first = site_of(portfolio())
    before = {e.id: e for e in parse(render_atom(first, feed_items(first, None, stand_in(first)), title="A",
                                                 self_path=SitePaths.atom)).entries}
    root = portfolio({
        "acme/erp/updates/kickoff.md": None,
        "acme/erp/updates/2026-04-we-began.md": update_md("u-kickoff", "We have begun", "2026-04-20T14:00"),
    })
    second = site_of(root)
    after_atom = parse(render_atom(second, feed_items(second, None, stand_in(second)), title="A", self_path=SitePaths.atom))
    after = {e.id: e for e in after_atom.entries}
    assert set(after) == set(before)
    [guid] = [guid for guid, entry in after.items() if entry.title == "We have begun"]
    assert before[guid].title == "Kick-off"
    assert before[guid].link.endswith("/updates/kickoff/")
    assert after[guid].link.endswith("/updates/2026-04-we-began/")
    assert guid.startswith("urn:uuid:")
    rss = parse(render_rss(second, feed_items(second, None, stand_in(second)), title="A", self_path=SitePaths.rss))
    assert guid in {entry.id for entry in rss.entries}


def test_guid_does_not_depend_on_the_base_url(portfolio):
    one = site_of(portfolio())
    other = site_of(portfolio({"acme/customer.yml": CUSTOMER.replace("https://status.example/acme/",
                                                                      "https://elsewhere.example/x/")}))
    assert [i.guid for i in feed_items(one, None, stand_in(one))] == [i.guid for i in feed_items(other, None, stand_in(other))]


def test_each_reschedule_and_the_cancellation_is_a_new_item(portfolio):
    def disruption(extra: str) -> str:
        return PROJECT.replace("    impact: high\n", "    impact: high\n    announced: 2026-10-01\n" + extra)

    rescheduled = ("    changed: 2026-10-12\n    previous_windows:\n"
                   "      - {start: 2026-10-17T22:00, end: 2026-10-18T04:00}\n")
    root = portfolio({"acme/erp/project.yml": disruption(rescheduled)})
    items = feed_items(site_of(root), None, stand_in(site_of(root)))
    notices = [item for item in items if item.categories[0].startswith("disruption")]
    assert [item.categories[0] for item in notices] == ["disruption-rescheduled", "disruption"]
    assert notices[0].published.isoformat() == "2026-10-12T09:00:00+01:00"
    announced_guid, v1_guid = notices[1].guid, notices[0].guid

    root = portfolio({"acme/erp/project.yml": disruption(rescheduled + "    status: cancelled\n")})
    notices = [i for i in feed_items(site_of(root), None, stand_in(site_of(root))) if i.categories[0].startswith("disruption")]
    assert [item.categories[0] for item in notices] == ["disruption-cancelled", "disruption"]
    assert notices[1].guid == announced_guid
    assert notices[0].guid not in (announced_guid, v1_guid)
    assert "Cancelled" in notices[0].title


def test_the_announcement_keeps_its_content_when_the_window_moves(portfolio):
    """A reader that compares content must not see the announcement as a new item."""
    before = next(i for i in feed_items(site_of(portfolio()), None, stand_in(site_of(portfolio()))) if i.categories[0] == "disruption")
    moved = PROJECT.replace("2026-10-24T22:00", "2026-10-31T22:00").replace("2026-10-25T04:00", "2026-11-01T04:00")
    moved = moved.replace("    impact: high\n", "    impact: high\n    announced: 2026-10-01\n    changed: 2026-10-20\n"
                          "    previous_windows: [{start: 2026-10-24T22:00, end: 2026-10-25T04:00}]\n")
    after = next(i for i in feed_items(site_of(portfolio({"acme/erp/project.yml": moved})), None, stand_in(site_of(portfolio({"acme/erp/project.yml": moved}))))
                 if i.categories[0] == "disruption")
    assert after == before


# ------------------------------------------------------------ feed dates

def test_last_build_date_is_the_newest_items_date_not_the_clock(portfolio):
    root = portfolio({"acme/erp/updates/late.md": update_md("u-late", "Late news", "2026-10-20T16:45")})
    early, later = site_of(root, CUTOFF), site_of(root, CUTOFF + dt.timedelta(days=40))
    for site in (early, later):
        parsed = parse(render_rss(site, feed_items(site, None, stand_in(site)), title="A", self_path=SitePaths.rss))
        assert parsed.feed.updated_parsed == parsed.entries[0].published_parsed
        assert email.utils.parsedate_to_datetime(parsed.feed.updated) == dt.datetime(
            2026, 10, 20, 15, 45, tzinfo=dt.timezone.utc)
        atom = parse(render_atom(site, feed_items(site, None, stand_in(site)), title="A", self_path=SitePaths.atom))
        assert atom.feed.updated == "2026-10-20T16:45:00+01:00"
    assert render_feeds(early) == render_feeds(later)


def test_no_item_and_no_feed_date_after_the_cutoff(portfolio):
    cutoff = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.timezone.utc)  # the milestone is done today, at 09:00
    root = portfolio({"acme/erp/updates/late.md": update_md("u-late", "Late news", "2026-10-20T16:45")})
    site = site_of(root, cutoff)
    items = feed_items(site, None, stand_in(site))
    assert [item.title for item in items] == ["Kick-off"]
    assert all(item.date <= cutoff for item in items)
    atom = parse(render_atom(site, items, title="A", self_path=SitePaths.atom))
    assert dt.datetime.fromisoformat(atom.feed.updated) <= cutoff


def test_an_embargoed_update_is_dated_by_its_release_once_released(portfolio):
    root = portfolio({"acme/erp/updates/held.md": update_md(
        "u-held", "Held back", "2026-10-01T09:00", publish_after="2026-10-28T08:00")})
    site = site_of(root)
    item = next(i for i in feed_items(site, None, stand_in(site)) if i.title == "Held back")
    assert item.published.isoformat() == "2026-10-01T09:00:00+01:00"
    assert item.updated is not None and item.updated.isoformat() == "2026-10-28T08:00:00+00:00"
    atom = parse(render_atom(site, feed_items(site, None, stand_in(site)), title="A", self_path=SitePaths.atom))
    assert atom.feed.updated == "2026-10-28T08:00:00+00:00"
    data = json.loads(render_json_feed(site, [item], title="A", self_path=SitePaths.json_feed))
    assert data["items"][0]["date_modified"] == "2026-10-28T08:00:00+00:00"


def test_an_empty_feed_has_a_stable_date(portfolio):
    site = site_of(portfolio(), dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))
    assert feed_items(site, None, stand_in(site)) == []
    rss = render_rss(site, [], title="A", self_path=SitePaths.rss)
    assert b"lastBuildDate" not in rss
    parse(rss)
    atom = parse(render_atom(site, [], title="A", self_path=SitePaths.atom))
    assert dt.datetime.fromisoformat(atom.feed.updated) == EMPTY_FEED_UPDATED
    later = site_of(portfolio(), dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc))
    assert render_feeds(later) == render_feeds(site)


def test_the_limit_keeps_the_newest_items(portfolio):
    root = portfolio({f"acme/erp/updates/u{n}.md": update_md(f"u-{n}", f"Update {n}", f"2026-05-{n:02}T10:00")
                      for n in range(1, 10)})
    site = site_of(root)
    items = feed_items(site, None, stand_in(site))
    for data in (render_rss(site, items, title="A", self_path=SitePaths.rss, limit=3),
                 render_atom(site, items, title="A", self_path=SitePaths.atom, limit=3)):
        assert [e.title for e in parse(data).entries] == [
            "Planned disruption: Finance system offline", "Update 9", "Update 8"]
    assert len(json.loads(render_json_feed(site, items, title="A", self_path=SitePaths.json_feed))["items"]) == 12
    assert len(parse(render_rss(site, items, title="A", self_path=SitePaths.rss)).entries) == 12


# ------------------------------------------------------ nothing leaks out

def test_unpublished_updates_are_in_no_feed_and_no_calendar(portfolio):
    root = portfolio({
        "acme/erp/updates/internal.md": update_md("u-int", "MARKER-INTERNAL", "2026-02-01T10:00",
                                                  body="MARKER-INTERNAL-BODY", internal="true"),
        "acme/erp/updates/draft.md": update_md("u-draft", "MARKER-DRAFT", "2026-02-02T10:00",
                                               body="MARKER-DRAFT-BODY", draft="true"),
        "acme/erp/updates/future.md": update_md("u-future", "MARKER-FUTURE", "2026-12-24T10:00",
                                                body="MARKER-FUTURE-BODY"),
        "acme/erp/updates/embargo.md": update_md("u-embargo", "MARKER-EMBARGO", "2026-02-03T10:00",
                                                 body="MARKER-EMBARGO-BODY", publish_after="2026-11-30T08:00"),
        "acme/erp/updates/public.md": update_md("u-public", "MARKER-PUBLIC", "2026-02-04T10:00"),
    })
    for audience, site in sites(root).items():
        files = render_everything(site)
        blob = b"\n".join(files.values())
        assert b"MARKER-PUBLIC" in blob, audience  # the scan can see what is there
        for marker in (b"MARKER-INTERNAL", b"MARKER-DRAFT", b"MARKER-FUTURE", b"MARKER-EMBARGO"):
            assert marker not in blob, (audience, marker)
    # Once the embargo and the future date have passed they appear, once each.
    released = render_feeds(site_of(root, dt.datetime(2027, 1, 1, tzinfo=dt.timezone.utc)))
    assert released["feed.xml"].count(b"<title>MARKER-EMBARGO</title>") == 1
    assert released["feed.xml"].count(b"<title>MARKER-FUTURE</title>") == 1


def test_other_audiences_items_are_absent(portfolio):
    project = PROJECT.replace("    impact: high\n", "    impact: high\n    announced: 2026-10-01\n") + """\
  - id: board-move
    title: MARKER-EXEC-DISRUPTION
    start: 2026-09-01T18:00
    end: 2026-09-01T20:00
    affects: Board room
    impact: low
    announced: 2026-08-01
    audiences: [executives]
"""
    project = project.replace("    done: 2026-03-02\n", "    done: 2026-03-02\n"
                              "  - id: budget-ok\n    title: MARKER-EXEC-MILESTONE\n    planned: 2026-04-01\n"
                              "    done: 2026-04-01\n    audiences: [executives]\n")
    root = portfolio({
        "acme/erp/project.yml": project,
        "acme/erp/updates/board.md": update_md("u-board", "MARKER-EXEC-UPDATE", "2026-03-03T10:00",
                                               audiences="[executives]"),
        "acme/secret/project.yml": PROJECT.replace("ERP roll-out", "MARKER-EXEC-PROJECT")
                                          .replace("id: cutover", "id: other") + "audiences: [executives]\n",
    })
    by_audience = sites(root)
    markers = [b"MARKER-EXEC-DISRUPTION", b"MARKER-EXEC-MILESTONE", b"MARKER-EXEC-UPDATE", b"MARKER-EXEC-PROJECT"]
    everyone = b"\n".join(render_everything(by_audience["everyone"]).values())
    executives = b"\n".join(render_everything(by_audience["executives"]).values())
    for marker in markers:
        assert marker not in everyone, marker
        assert marker in executives, marker  # the scan would have found it


def test_a_project_from_the_unfiltered_model_is_swapped_for_the_sites_own(portfolio):
    root = portfolio({"acme/erp/updates/board.md": update_md("u-board", "MARKER-EXEC-UPDATE", "2026-03-03T10:00",
                                                             audiences="[executives]")})
    model, _ = load_portfolio(root)
    raw_project = model.customer("acme").projects[0]
    site = {s.audience.id: s for s in microsites(model, CUTOFF)}["everyone"]
    titles = [item.title for item in feed_items(site, raw_project, stand_in(site))]
    assert "MARKER-EXEC-UPDATE" not in titles and "Kick-off" in titles


# ------------------------------------------------------- text and errors

def test_names_with_markup_and_any_script_survive(portfolio):
    root = portfolio({
        "team.yml": TEAM.replace("name: Ana Souza", f"name: {json.dumps(TRICKY)}"),
        "acme/erp/project.yml": PROJECT.replace("name: ERP roll-out", f"name: {json.dumps(TRICKY)}"),
        "acme/erp/updates/kickoff.md": update_md("u-kickoff", json.dumps(TRICKY), "2026-01-06T09:30",
                                                 summary=json.dumps(TRICKY)),
    })
    site = site_of(root)
    items = feed_items(site, None, stand_in(site))
    for data in (render_atom(site, items, title=TRICKY, self_path=SitePaths.atom),
                 render_rss(site, items, title=TRICKY, self_path=SitePaths.rss)):
        parsed = parse(data)
        assert parsed.feed.title == TRICKY
        entry = next(e for e in parsed.entries if e.title == TRICKY)
        if entry.summary_detail.type == "text/html":   # RSS: readers render the description as HTML
            assert html.unescape(entry.summary) == TRICKY and "<" not in entry.summary
        else:                                          # Atom says type="text"
            assert entry.summary_detail.type == "text/plain" and entry.summary == TRICKY
        assert TRICKY in [tag.term for tag in entry.tags]
    atom_entry = next(e for e in parse(render_atom(site, items, title="A", self_path=SitePaths.atom)).entries
                      if e.title == TRICKY)
    assert atom_entry.author_detail.name == TRICKY
    data = json.loads(render_json_feed(site, items, title=TRICKY, self_path=SitePaths.json_feed))
    [entry] = [e for e in data["items"] if e["title"] == TRICKY]
    assert entry["authors"][0]["name"] == TRICKY and TRICKY in entry["tags"] and data["title"] == TRICKY


def test_a_person_without_email_is_named_by_dc_creator_in_rss(portfolio):
    root = portfolio({"team.yml": TEAM.replace("    email: ana@brightline.example\n", "")})
    site = site_of(root)
    data = render_rss(site, feed_items(site, None, stand_in(site)), title="A", self_path=SitePaths.rss)
    entry = next(e for e in parse(data).entries if e.title == "Kick-off")
    assert entry.author == "Ana Souza"


def test_feeds_without_a_base_url_say_how_to_fix_it(portfolio):
    # `cxsite check` already refuses feeds without a base URL; the writers refuse too, as a second line.
    root = portfolio({"acme/customer.yml": CUSTOMER.replace('site: {base_url: "https://status.example/acme/"}',
                                                            "site: {feeds: false}")})
    site = site_of(root)
    attempts = [lambda: feed_items(site, None, stand_in(site))]   # items hold absolute links already
    attempts += [lambda render=render: render(site, [], title="A", self_path=SitePaths.rss)
                 for render in (render_rss, render_atom, render_json_feed)]
    for attempt in attempts:
        with pytest.raises(FeedsNeedBaseUrl) as caught:
            attempt()
        message = str(caught.value)
        assert "site.base_url" in message and "customer.yml" in message and "https://" in message
        assert isinstance(caught.value, ValueError)


def test_same_input_gives_identical_bytes(portfolio):
    root = portfolio({"acme/erp/updates/second.md": update_md("u-second", "Second", "2026-02-10T10:00")})
    first = render_everything(site_of(root))
    second = render_everything(site_of(root))  # loaded afresh
    assert first == second
    assert b"python-feedgen" not in b"".join(first.values())


def test_verify_reports_broken_feeds_by_path():
    problems = verify_outputs({
        "feed.xml": b"<rss version='2.0'><channel><title>x</title>",
        "feed.json": b'{"version": "https://jsonfeed.org/version/1.1", "title": "x", "items": [{"id": "a"}]}',
        "bad.json": b"{",
        "index.html": b"<not checked",
    })
    assert [p.split(":")[0] for p in problems] == ["bad.json", "feed.json", "feed.xml"]
    assert "not a well-formed feed" in problems[2]
    assert "has no content_html" in problems[1]


def test_feeds_speak_the_customers_language(portfolio):
    root = portfolio({"acme/customer.yml": CUSTOMER.replace("timezone: Europe/London",
                                                            "timezone: Europe/Berlin\nlanguage: de")})
    site = site_of(root)
    items = feed_items(site, None, stand_in(site))
    parsed = parse(render_rss(site, items, title="Acme", self_path=SitePaths.rss))
    assert parsed.feed.language == "de"
    assert [e.title for e in parsed.entries][:2] == ["Geplante Unterbrechung: Finance system offline",
                                                     "Meilenstein erreicht: Design signed off"]
    assert "Samstag, 24. Oktober 2026, 22:00 – Sonntag, 25. Oktober 2026, 04:00 (Europe/Berlin)" in \
        parsed.entries[0].summary
