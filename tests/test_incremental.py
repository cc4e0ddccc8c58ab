"""Incremental builds: only the microsites that can show a change are
rebuilt, a build with no change writes nothing, and no page is ever stale."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

from cxsite.build import build_portfolio

from .conftest import CUSTOMER, PROJECT, REPO, TEAM, UPDATE, write_tree

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
SITES = {"acme/everyone", "acme/executives", "beta/everyone"}


@pytest.fixture
def setup(tmp_path):
    """A two-customer portfolio with its own copy of mkdocs.yml and theme/."""
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    root = write_tree(tmp_path / "projects", {
        "team.yml": TEAM,
        "acme/customer.yml": CUSTOMER,
        "acme/erp/project.yml": PROJECT,
        "acme/erp/updates/kickoff.md": UPDATE,
        "beta/customer.yml": CUSTOMER.replace("Acme & Co", "Beta Ltd").replace("  executives: {name: Executives}\n", "")
                                     .replace("cx_owner: ana", "cx_owner: tom").replace("person: ana", "person: tom")
                                     .replace("/acme/", "/beta/"),
        "beta/crm/project.yml": PROJECT.replace("ERP roll-out", "CRM"),
    })
    out = tmp_path / "site"

    def build(moment: dt.datetime = NOW, **kwargs):
        return build_portfolio(root, out, config_file=tmp_path / "mkdocs.yml", cutoff=moment, **kwargs)

    build()
    return tmp_path, root, out, build


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def changed_sites(before: dict[str, bytes], after: dict[str, bytes]) -> set[str]:
    """Customer microsites whose files changed (the team's dashboard in
    _internal/ covers the whole portfolio and is rebuilt on any change)."""
    names = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n) and n != "manifest.json"}
    return {"/".join(Path(n).parts[:2]) for n in names if not n.startswith("_internal/")}


def test_a_build_with_no_change_writes_nothing(setup):
    _, _, out, build = setup
    before = {p: p.stat().st_mtime_ns for p in out.rglob("*")}
    result = build(NOW + dt.timedelta(minutes=5))
    assert result.unchanged and result.rebuilt == ()
    assert {p: p.stat().st_mtime_ns for p in out.rglob("*")} == before


@pytest.mark.parametrize("edit, expected", [
    pytest.param(lambda t, r: (r / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40",
                                                                                      "percent_complete: 45")),
                 {"acme/everyone", "acme/executives"}, id="project-data"),
    pytest.param(lambda t, r: (r / "acme/erp/updates/news.md").write_text(
        UPDATE.replace("u-kickoff", "u-news").replace("author: ana", "author: ana\naudiences: [executives]")),
                 {"acme/executives"}, id="update-for-one-audience"),
    pytest.param(lambda t, r: (r / "team.yml").write_text(TEAM.replace("Tom Okafor", "Tom Okafor-Smith")),
                 {"beta/everyone"}, id="team-member-shown-on-one-site"),
    pytest.param(lambda t, r: (t / "theme/assets/cxsite/cxsite.css").write_text("/* new look */"),
                 SITES, id="theme"),
    pytest.param(lambda t, r: (t / "mkdocs.yml").write_text((t / "mkdocs.yml").read_text() + "\n# changed\n"),
                 SITES, id="mkdocs-yml"),
])
def test_an_edit_rebuilds_exactly_the_sites_that_can_show_it(setup, edit, expected):
    tmp, root, out, build = setup
    before = snapshot(out)
    edit(tmp, root)
    result = build()
    assert set(result.rebuilt) == expected
    # Never a stale page: a clean build of the same input is byte-identical.
    incremental = snapshot(out)
    build(clean=True)
    assert snapshot(out) == incremental
    assert changed_sites(before, incremental) <= expected


def test_time_passing_rebuilds_what_depends_on_it(setup):
    _, root, out, build = setup
    (root / "acme/erp/updates/later.md").write_text(UPDATE.replace("u-kickoff", "u-later").replace(
        "author: ana", "author: ana\npublish_after: 2026-12-07T08:00"))
    build()
    assert build(NOW + dt.timedelta(hours=1)).unchanged  # same day, nothing falls due
    result = build(dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.timezone.utc))  # the embargo lifts; the date moves
    assert set(result.rebuilt) == SITES
    assert "later" in str(list((out / "acme/everyone/projects/erp/updates").iterdir()))


def test_an_edit_views_only_its_customer_and_the_others_keep_their_embargoes(setup, monkeypatch):
    """Customers whose model the previous build used keep their records (fingerprint,
    next embargo, when their pages next change): their views are not even made."""
    import cxsite.views as views

    _, root, out, build = setup
    (root / "beta/crm/updates").mkdir()
    (root / "beta/crm/updates/later.md").write_text(UPDATE.replace("u-kickoff", "u-later").replace(
        "author: ana", "author: ana\npublish_after: 2026-11-25T18:00"))
    build()
    (root / "acme/erp/updates/kickoff.md").write_text(UPDATE.replace("We started.", "We started on time."))
    viewed = []
    original = views.microsite
    monkeypatch.setattr(views, "microsite", lambda portfolio, customer, *rest: (
        viewed.append(customer.slug), original(portfolio, customer, *rest))[1])
    result = build(NOW + dt.timedelta(hours=1))
    assert set(result.rebuilt) == {"acme/everyone", "acme/executives"}
    assert set(viewed) == {"acme"}
    assert result.next_embargo == dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.timezone.utc)
    result = build(dt.datetime(2026, 11, 25, 18, 0, tzinfo=dt.timezone.utc))  # the embargo lifts
    assert "beta/everyone" in result.rebuilt
    assert (out / "beta/everyone/projects/crm/updates/later/index.html").is_file()


def test_the_scheduled_build_after_a_push_views_no_customer_the_push_did_not_change(setup, monkeypatch):
    """A push builds with --changed --no-dashboard, the scheduled build then
    scans: it keeps the records of every customer, and only the dashboard is new."""
    import cxsite.views as views

    _, root, out, build = setup
    kickoff = root / "acme/erp/updates/kickoff.md"
    kickoff.write_text(UPDATE.replace("We started.", "We started on time."))
    assert set(build(changed=[kickoff], dashboard=False).rebuilt) == {"acme/everyone", "acme/executives"}
    viewed = []
    original = views.microsite
    monkeypatch.setattr(views, "microsite", lambda portfolio, customer, *rest: (
        viewed.append(customer.slug), original(portfolio, customer, *rest))[1])
    dashboard = out / "_internal/dashboard/index.html"
    skipped = dashboard.stat().st_mtime_ns
    result = build(NOW + dt.timedelta(minutes=5))
    assert result.rebuilt == () and viewed == []
    assert dashboard.stat().st_mtime_ns != skipped   # brought up to date


def test_a_change_to_team_yml_a_push_did_not_list_is_noticed_by_the_next_scan(setup):
    """--changed trusts the paths it is given; the scheduled scan after it
    finds what was left out and rebuilds what shows it."""
    _, root, out, build = setup
    kickoff = root / "acme/erp/updates/kickoff.md"
    kickoff.write_text(UPDATE.replace("We started.", "We started on time."))
    (root / "team.yml").write_text(TEAM.replace("Tom Okafor", "Tom Okafor-Smith"))
    build(changed=[kickoff], dashboard=False)
    assert "Tom Okafor-Smith" not in (out / "beta/everyone/contacts/index.html").read_text()
    assert "beta/everyone" in build(NOW + dt.timedelta(minutes=5)).rebuilt
    assert "Tom Okafor-Smith" in (out / "beta/everyone/contacts/index.html").read_text()


def test_theme_assets_are_stored_once(setup):
    _, _, out, _ = setup
    css = [out / site / "assets/stylesheets" for site in sorted(SITES)]
    files = [sorted(folder.glob("main.*.min.css"))[0] for folder in css]
    assert len({f.stat().st_ino for f in files}) == 1


def test_with_untouched_inputs_a_build_does_not_even_read_the_portfolio(setup, monkeypatch):
    _, root, _, build = setup
    import cxsite.validate as build_module

    def no_reading(*args, **kwargs):
        raise AssertionError("the portfolio was read")

    monkeypatch.setattr(build_module, "load_portfolio", no_reading)
    assert build(NOW + dt.timedelta(minutes=1)).unchanged
    (root / "acme/erp/project.yml").touch()  # a newer file: now it must look
    with pytest.raises(AssertionError, match="the portfolio was read"):
        build(NOW + dt.timedelta(minutes=2))


def test_an_incremental_build_replaces_only_the_changed_folders(setup):
    _, root, out, build = setup
    untouched = (out / "beta/everyone").stat().st_ino
    (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))
    build()
    assert (out / "beta/everyone").stat().st_ino == untouched  # moved nothing, linked nothing
    assert "45" in (out / "acme/everyone/projects/erp/index.html").read_text()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".site.")]  # no staging or journal left


def test_a_build_killed_between_two_moves_is_completed_by_the_next_command(setup, monkeypatch):
    import os

    import cxsite.fsutil as fsutil

    tmp_path, root, out, build = setup
    (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))
    real_rename, moves = os.rename, {"n": 0}

    def die_on_third(source, destination):  # type: ignore[no-untyped-def]
        moves["n"] += 1
        if moves["n"] == 3:
            raise KeyboardInterrupt("killed between two renames")
        return real_rename(source, destination)

    monkeypatch.setattr(fsutil.os, "rename", die_on_third)
    with pytest.raises(KeyboardInterrupt):
        build()
    monkeypatch.setattr(fsutil.os, "rename", real_rename)
    assert (out / fsutil.JOURNAL).exists()
    assert fsutil.recover(out) and not (out / fsutil.JOURNAL).exists()
    recovered = snapshot(out)
    shutil.rmtree(out)
    build()
    assert recovered == snapshot(out)


def test_shards_split_the_microsites_and_merge_into_the_whole_site(setup):
    from cxsite.shards import merge_outputs

    tmp_path, root, out, build = setup
    whole = snapshot(out)
    parts = [build_portfolio(root, tmp_path / f"shard-{i}", config_file=tmp_path / "mkdocs.yml", cutoff=NOW,
                             shard=(i, 3)) for i in (1, 2, 3)]
    keys = [sorted(site.key for site in part.sites) for part in parts]
    assert sorted(key for part in keys for key in part) == sorted(SITES)
    assert (tmp_path / "shard-1/_internal/dashboard/index.html").exists()
    assert not (tmp_path / "shard-2/_internal").exists()
    merge_outputs([tmp_path / f"shard-{i}" for i in (1, 2, 3)], tmp_path / "merged")
    merged = snapshot(tmp_path / "merged")
    assert merged.keys() == whole.keys()
    assert [name for name in whole if name != "manifest.json" and whole[name] != merged[name]] == []


def test_changed_paths_rebuild_their_customer_without_scanning_the_others(setup, monkeypatch):
    import cxsite.modelcache as modelcache

    _, root, out, build = setup
    before = snapshot(out)
    edited = root / "acme/erp/project.yml"
    edited.write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))
    looked_at: list[str] = []
    real = modelcache.tree_digest
    monkeypatch.setattr(modelcache, "tree_digest", lambda folder: looked_at.append(Path(folder).name) or real(folder))
    (root.parent / "README.md").write_text("Elsewhere in the repository.\n")
    result = build(changed=[edited, root.parent / "README.md"])
    assert set(result.rebuilt) == {"acme/everyone", "acme/executives"}
    assert "beta" not in looked_at and "acme" in looked_at
    assert changed_sites(before, snapshot(out)) == {"acme/everyone", "acme/executives"}


def test_a_changed_team_yml_makes_the_build_scan_everything(setup):
    _, root, out, build = setup
    (root / "team.yml").write_text(TEAM.replace("Tom Okafor", "Tom Okafor-Smith"))
    result = build(changed=[root / "team.yml"])
    assert result.rebuilt == ("beta/everyone",)
    assert "Tom Okafor-Smith" in (out / "beta/everyone/contacts/index.html").read_text()


def test_the_documented_shard_and_changed_commands_work_from_the_cli(setup, monkeypatch):
    from click.testing import CliRunner

    from cxsite.cli import main

    tmp_path, root, out, _ = setup
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    common = ["--config", "mkdocs.yml", "--now", NOW.isoformat(), "-j", "1"]
    for index in (1, 2):
        result = runner.invoke(main, ["build", "projects", "--shard", f"{index}/2", "--out", f"site-{index}", *common])
        assert result.exit_code == 0, result.output
    result = runner.invoke(main, ["merge", "site-1", "site-2", "--out", "merged"])
    assert result.exit_code == 0 and "merged 2 shards (3 microsites)" in result.output
    assert runner.invoke(main, ["merge", "site-1", "--out", "merged"]).exit_code == 1  # a shard is missing
    assert "between 1 and N" in runner.invoke(main, ["build", "projects", "--shard", "3/2"]).output
    # Diagnostics name files relative to the working folder, so build from this one first.
    assert runner.invoke(main, ["build", "projects", "--out", "site", "--clean", *common]).exit_code == 0
    (root / "beta/crm/project.yml").write_text(PROJECT.replace("ERP roll-out", "CRM").replace("40", "41"))
    result = runner.invoke(main, ["build", "projects", "--out", "site", "--changed", "-", *common],
                           input="projects/beta/crm/project.yml\n")
    assert result.exit_code == 0 and "1 rebuilt" in result.output, result.output


def test_no_dashboard_keeps_the_previous_dashboard_and_rebuilds_the_sites(setup):
    _, root, out, build = setup
    dashboard = snapshot(out / "_internal/dashboard")
    (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))
    result = build(dashboard=False)
    assert set(result.rebuilt) == {"acme/everyone", "acme/executives"}
    assert snapshot(out / "_internal/dashboard") == dashboard
    assert "45" in (out / "acme/everyone/index.html").read_text()
    build()
    assert snapshot(out / "_internal/dashboard") != dashboard


def test_a_rebuild_reads_back_only_subscription_files_whose_bytes_changed(setup, monkeypatch):
    import cxsite.subscriptions.verify as verify

    _, root, out, build = setup
    parsed: list[str] = []
    real = verify.verify_outputs
    monkeypatch.setattr(verify, "verify_outputs", lambda files: parsed.extend(files) or real(files))
    (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))
    build()
    rebuilt = [p for p in (out / "acme/everyone").rglob("*") if p.suffix in (".xml", ".ics", ".vcf")]
    assert rebuilt and any(p.name.endswith(".vcf") for p in rebuilt)
    assert not [name for name in parsed if name.endswith(".vcf")]  # the contact cards did not change
    assert "_internal/dashboard/calendar.ics" not in parsed          # nor did the portfolio calendar


def test_changed_paths_that_point_nowhere_make_the_build_look_at_everything(setup, tmp_path, monkeypatch):
    _, root, out, build = setup
    (root / "beta/crm/project.yml").write_text(PROJECT.replace("ERP roll-out", "CRM").replace("40", "41"))
    monkeypatch.chdir(root / "acme")  # `git diff --name-only` run from a sub-folder: repository-relative paths
    result = build(changed=[Path("projects/beta/crm/project.yml")])
    assert "beta/everyone" in result.rebuilt  # (the others too: diagnostics name files relative to the folder)
    assert "41 % complete" in (out / "beta/everyone/index.html").read_text()


def test_a_build_that_skipped_the_dashboard_is_not_taken_for_complete(tmp_path):
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    root = write_tree(tmp_path / "projects", {"team.yml": TEAM, "acme/customer.yml": CUSTOMER,
                                              "acme/erp/project.yml": PROJECT})
    out = tmp_path / "site"
    build_portfolio(root, out, config_file=tmp_path / "mkdocs.yml", cutoff=NOW, dashboard=False)
    assert not (out / "_internal").exists()
    result = build_portfolio(root, out, config_file=tmp_path / "mkdocs.yml", cutoff=NOW)
    assert not result.unchanged and (out / "_internal/dashboard/index.html").exists()


def test_with_two_jobs_an_edit_builds_the_dashboard_beside_the_site_and_the_same_bytes(setup, tmp_path, monkeypatch):
    """A few microsites are built in this process while a fork of it builds
    the dashboard; the result is what one job gives."""
    import cxsite.build as build_module

    _, root, out, build = setup
    forks: list[int] = []

    class Counted(build_module._Forked):
        def __init__(self, work):
            forks.append(1)
            super().__init__(work)

    monkeypatch.setattr(build_module, "_Forked", Counted)
    (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45")
                                               + "internal_note: Supplier invoice CR-9 is disputed.\n")
    result = build(jobs=2)
    assert set(result.rebuilt) == {"acme/everyone", "acme/executives"}
    assert "CR-9" in (out / "_internal/dashboard/index.html").read_text()
    assert "CR-9" not in (out / "acme/everyone/index.html").read_text()
    serial = tmp_path / "serial"
    build_portfolio(root, serial, config_file=tmp_path / "mkdocs.yml", cutoff=NOW, jobs=1)
    two, one = snapshot(out), snapshot(serial)
    assert [name for name in two.keys() | one.keys() if two.get(name) != one.get(name)] == []
    assert forks == [1]


def test_the_dashboard_after_edits_and_time_is_what_a_build_without_any_cache_writes(setup, tmp_path, monkeypatch):
    """The dashboard keeps each customer's share between builds; after a
    change to the team, to one customer and to the time it is byte for byte
    what a build that keeps nothing writes."""
    _, root, out, build = setup

    def uncached(moment: dt.datetime) -> dict[str, bytes]:
        with monkeypatch.context() as patch:
            patch.setenv("CXSITE_CACHE", "0")
            fresh = tmp_path / f"fresh-{moment:%m%d}"
            build_portfolio(root, fresh, config_file=tmp_path / "mkdocs.yml", cutoff=moment)
        return snapshot(fresh / "_internal")

    (root / "team.yml").write_text(TEAM.replace("Ana Souza", "Ana Souza-Lee"))
    build()
    assert "Ana Souza-Lee" in (out / "_internal/dashboard/index.html").read_text()
    assert snapshot(out / "_internal") == uncached(NOW)
    (root / "beta/crm/project.yml").write_text(PROJECT.replace("ERP roll-out", "CRM, phase 2"))
    later = NOW + dt.timedelta(days=45)   # updates fall due, a milestone slips past its date
    build(later)
    assert "CRM, phase 2" in (out / "_internal/dashboard/index.html").read_text()
    assert snapshot(out / "_internal") == uncached(later)


def test_a_dashboard_that_fails_beside_the_site_fails_the_build_and_changes_nothing(setup, monkeypatch):
    import cxsite.build as build_module

    _, root, out, build = setup
    before = snapshot(out)

    def broken(*args, **kwargs):
        raise ValueError("the dashboard broke")

    monkeypatch.setattr(build_module, "_build_dashboard", broken)
    (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))
    with pytest.raises(build_module.BuildError, match="the dashboard broke"):
        build(jobs=2)
    assert snapshot(out) == before
    assert sorted(p.name for p in out.parent.iterdir() if p.name.startswith(".site")) == []


def test_a_rebuilt_microsite_converts_only_the_update_bodies_that_changed(setup, monkeypatch):
    """Markdown is converted once per body and kept between runs (cxsite.memo)."""
    import cxsite.build as build_module
    import cxsite.markup as markup

    _, root, out, build = setup
    (root / "acme/erp/updates/news.md").write_text(
        UPDATE.replace("u-kickoff", "u-news").replace("We started.", "Fresh news arrived."))
    monkeypatch.setattr(build_module, "_RENDERER", None)  # as in a new process: nothing in memory
    monkeypatch.setattr(markup, "_default", None)
    result = build()
    assert set(result.rebuilt) == {"acme/everyone", "acme/executives"}
    assert build_module._RENDERER.markdown.conversions == 1  # the new body; the other came from the memo
    assert "Fresh news arrived." in (out / "acme/everyone/projects/erp/updates/news/index.html").read_text()


def test_a_rebuilt_microsite_indexes_for_search_only_the_pages_that_changed(setup, tmp_path, monkeypatch):
    """Material's search entries are kept per page between runs (cxsite.searchmemo); the
    index a rebuild writes is the one a build without anything kept writes."""
    import material.plugins.search.plugin as search

    tmp, root, out, build = setup
    (root / "acme/erp/updates/kickoff.md").write_text(UPDATE.replace("We started.", "Zanzibar cloves arrived."))
    parsed = []
    original = search.Parser.feed
    monkeypatch.setattr(search.Parser, "feed", lambda self, data: (parsed.append(data), original(self, data)))
    assert set(build().rebuilt) == {"acme/everyone", "acme/executives"}
    index = (out / "acme/everyone/search/search_index.json").read_text()
    assert "Zanzibar cloves arrived." in index and "We started." not in index
    assert len(parsed) == 2  # the edited update's page, in each of the two sites; their other pages are unchanged

    monkeypatch.setenv("CXSITE_CACHE", "0")
    fresh = build_portfolio(root, tmp_path / "fresh", config_file=tmp / "mkdocs.yml", cutoff=NOW)
    assert fresh.rebuilt
    for key in ("acme/everyone", "acme/executives"):
        assert (out / key / "search/search_index.json").read_bytes() == \
            (tmp_path / "fresh" / key / "search/search_index.json").read_bytes()


def test_a_rebuilt_microsite_renders_through_materials_frame_only_the_pages_that_changed(setup, tmp_path,
                                                                                         monkeypatch):
    """Pages whose frame would come out as last time are the previous build's
    files (cxsite.framememo); the site is byte for byte what a build without
    anything kept writes, a previous file that was altered is not taken, and
    a change to what every frame shows renders every page again."""
    import cxsite.framememo as framememo

    tmp, root, out, build = setup
    rendered: list[str] = []
    original = framememo.KeptFrames.remember
    monkeypatch.setattr(framememo.KeptFrames, "remember",
                        lambda self, page, output: (rendered.append(page.url), original(self, page, output)))

    def same_as_fresh(name: str) -> None:
        with monkeypatch.context() as patch:
            patch.setenv("CXSITE_CACHE", "0")
            build_portfolio(root, tmp_path / name, config_file=tmp / "mkdocs.yml", cutoff=NOW)
        for key in ("acme/everyone", "acme/executives"):
            assert snapshot(out / key) == snapshot(tmp_path / name / key), key

    pages = len(list((out / "acme/everyone").rglob("index.html")))
    contacts = out / "acme/executives/contacts/index.html"
    contacts.write_text(contacts.read_text().replace("</body>", "<!-- altered --></body>"))
    (root / "acme/erp/updates/kickoff.md").write_text(UPDATE.replace("We started.", "Zanzibar cloves arrived."))
    assert set(build().rebuilt) == {"acme/everyone", "acme/executives"}
    # The edited update's page in each site, and the altered one.
    assert sorted(rendered) == ["contacts/", "projects/erp/updates/kickoff/", "projects/erp/updates/kickoff/"]
    assert "<!-- altered -->" not in contacts.read_text()
    same_as_fresh("fresh")

    rendered.clear()
    (root / "acme/customer.yml").write_text(CUSTOMER + "brand: {colour: '#0b6e4f'}\n")
    assert set(build().rebuilt) == {"acme/everyone", "acme/executives"}
    assert len(rendered) == pages + len(list((out / "acme/executives").rglob("index.html")))   # every page
    assert "#0b6e4f" in (out / "acme/everyone/contacts/index.html").read_text()
    same_as_fresh("fresh-brand")


@pytest.mark.parametrize("edit, shows", [
    pytest.param(lambda t, r: (t / "mkdocs.yml").write_text((t / "mkdocs.yml").read_text().replace(
        "permalink: false", "permalink: false\n      title: Inhaltsverzeichnis")), "Inhaltsverzeichnis",
        id="toc-title-in-mkdocs-yml"),
    pytest.param(lambda t, r: (t / "mkdocs.yml").write_text((t / "mkdocs.yml").read_text().replace(
        "  - search\n", "  - search:\n      enabled: false\n")), None, id="search-turned-off"),
    pytest.param(lambda t, r: write_tree(r, {"acme/crm/project.yml": PROJECT.replace("ERP roll-out", "CRM rebuild")}),
                 "CRM rebuild", id="a-project-added-to-the-navigation"),
    pytest.param(lambda t, r: (r / "acme/customer.yml").write_text(CUSTOMER + "language: de\n"), 'lang="de"',
                 id="language"),
])
def test_after_a_change_to_what_every_frame_shows_no_page_is_taken_from_the_last_build(setup, tmp_path,
                                                                                       monkeypatch, edit, shows):
    """The whole site is what a build keeping nothing writes (cxsite.framememo)."""
    tmp, root, out, build = setup
    edit(tmp, root)
    build()
    contacts = (out / "acme/everyone/contacts/index.html").read_text()
    assert shows is None or shows in contacts
    monkeypatch.setenv("CXSITE_CACHE", "0")
    build_portfolio(root, tmp_path / "fresh", config_file=tmp / "mkdocs.yml", cutoff=NOW)
    for key in SITES:
        assert snapshot(out / key) == snapshot(tmp_path / "fresh" / key), key


def test_a_file_added_to_the_theme_is_copied_into_every_site(setup):
    """The theme's list of files is kept between builds (cxsite.mkdocs_adapter._theme_files)
    under the stat of every file in theme/: a new one is listed and copied."""
    tmp, _, out, build = setup
    (tmp / "theme/assets/cxsite/print.css").write_text("@media print { nav { display: none } }")
    assert set(build().rebuilt) == SITES
    for key in SITES:
        assert (out / key / "assets/cxsite/print.css").read_text().startswith("@media print")


SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"><rect width="8" height="8" fill="{}"/></svg>'


@pytest.mark.parametrize("told", [False, True], ids=["scan", "changed"])
def test_a_team_photo_kept_in_one_customers_folder_rebuilds_every_site_that_shows_it(setup, told):
    """Tom is Beta's CX owner; his photo happens to live in Acme's folder.
    Beta's files did not change, yet its pages show the new photo."""
    _, root, out, build = setup
    (root / "acme/photos").mkdir()
    photo = root / "acme/photos/tom.svg"
    photo.write_text(SVG.format("red"))
    (root / "team.yml").write_text(TEAM.replace("    email: tom@brightline.example",
                                                "    email: tom@brightline.example\n    photo: acme/photos/tom.svg"))
    build()
    before = snapshot(out)
    photo.write_text(SVG.format("blue"))
    result = build(changed=[photo]) if told else build()
    assert "beta/everyone" in result.rebuilt
    assert any(b"blue" in data for name, data in snapshot(out).items() if name.startswith("beta/everyone/"))
    assert changed_sites(before, snapshot(out)) >= {"beta/everyone"}


@pytest.mark.parametrize("told", [False, True], ids=["scan", "changed"])
def test_a_logo_kept_in_another_customers_folder_rebuilds_its_own_customers_sites(setup, told):
    """Beta's logo lives in a shared corner of Acme's folder: when it changes,
    Beta's pages change although none of Beta's files did."""
    _, root, out, build = setup
    logo = root / "acme/logos/beta.svg"
    logo.parent.mkdir()
    logo.write_text(SVG.format("red"))
    customer = root / "beta/customer.yml"
    customer.write_text(customer.read_text() + "brand: {logo: ../acme/logos/beta.svg}\n")
    build()
    logo.write_text(SVG.format("blue"))
    result = build(changed=[logo]) if told else build()
    assert "beta/everyone" in result.rebuilt
    assert any(b"blue" in data for name, data in snapshot(out).items() if name.startswith("beta/everyone/"))


def test_a_build_with_nothing_to_do_imports_neither_the_renderer_nor_the_authoring_code(setup):
    """`cxsite build` runs on every push and schedule: with nothing to do it
    compares a scan with the manifest and stops, having imported little."""
    import subprocess
    import sys

    tmp, root, out, _ = setup
    probe = ("import sys, runpy; sys.argv = ['cxsite', 'build', sys.argv[1], '--out', sys.argv[2], '--config', "
             "sys.argv[3], '--now', '2026-11-25T12:05:00+00:00']\n"
             "try:\n    runpy.run_module('cxsite', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith(('cxsite', 'mkdocs', 'material', 'markdown'))))")
    done = subprocess.run([sys.executable, "-c", probe, str(root), str(out), str(tmp / "mkdocs.yml")],
                          capture_output=True, text=True, check=True)
    assert "nothing changed" in done.stderr
    loaded = done.stdout
    for heavy in ("cxsite.edit", "cxsite.scaffold", "cxsite.pipeline", "cxsite.validate", "'mkdocs", "'material",
                  "'markdown"):
        assert heavy not in loaded, heavy
