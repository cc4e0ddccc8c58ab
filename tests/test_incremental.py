"""Incremental builds: only what can show a change is made again, a build with
no change writes nothing, and no page is ever stale."""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cxsite.build import build_portfolio

from .conftest import CUSTOMER, PROJECT, REPO, TEAM, UPDATE, write_tree

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
SITES = {"acme/everyone", "acme/executives", "beta/everyone"}
BETA = (CUSTOMER.replace("Acme & Co", "Beta Ltd").replace("  executives: {name: Executives}\n", "")
        .replace("cx_owner: ana", "cx_owner: tom").replace("person: ana", "person: tom").replace("/acme/", "/beta/"))


@pytest.fixture
def setup(tmp_path):
    """A two-customer portfolio with its own copy of mkdocs.yml and theme/, built once."""
    shutil.copy(REPO / "mkdocs.yml", tmp_path / "mkdocs.yml")
    shutil.copytree(REPO / "theme", tmp_path / "theme")
    root = write_tree(tmp_path / "projects", {
        "team.yml": TEAM,
        "acme/customer.yml": CUSTOMER,
        "acme/erp/project.yml": PROJECT,
        "acme/erp/updates/kickoff.md": UPDATE,
        "beta/customer.yml": BETA,
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
    _internal/ covers the whole portfolio)."""
    names = {n for n in before.keys() | after.keys() if before.get(n) != after.get(n) and n != "manifest.json"}
    return {"/".join(Path(n).parts[:2]) for n in names if not n.startswith("_internal/")}


def clean_build(root: Path, config: Path, out: Path, moment: dt.datetime = NOW) -> dict[str, bytes]:
    """What a build that keeps nothing and starts from nothing writes."""
    saved = os.environ.get("CXSITE_CACHE")
    os.environ["CXSITE_CACHE"] = "0"
    try:
        build_portfolio(root, out, config_file=config, cutoff=moment, clean=True)
    finally:
        if saved is None:
            del os.environ["CXSITE_CACHE"]
        else:
            os.environ["CXSITE_CACHE"] = saved
    return snapshot(out)


# ------------------------------------------------------------ what is kept

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
    incremental = snapshot(out)
    assert incremental == clean_build(root, tmp / "mkdocs.yml", tmp / "clean")   # never a stale page
    assert changed_sites(before, incremental) <= expected


def test_time_passing_rebuilds_what_depends_on_it(setup):
    tmp, root, out, build = setup
    (root / "acme/erp/updates/later.md").write_text(UPDATE.replace("u-kickoff", "u-later").replace(
        "author: ana", "author: ana\npublish_after: 2026-12-07T08:00"))
    build()
    assert build(NOW + dt.timedelta(hours=1)).unchanged  # same day, nothing falls due
    released = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.timezone.utc)
    result = build(released)  # the embargo lifts; the date moves
    assert set(result.rebuilt) == SITES
    assert (out / "acme/everyone/projects/erp/updates/later/index.html").is_file()
    assert snapshot(out) == clean_build(root, tmp / "mkdocs.yml", tmp / "clean", released)


def test_the_build_says_when_its_pages_next_change_with_the_time(setup):
    _, root, _, build = setup
    (root / "acme/erp/updates/later.md").write_text(UPDATE.replace("u-kickoff", "u-later").replace(
        "author: ana", "author: ana\npublish_after: 2026-11-25T15:00"))
    result = build()
    assert result.next_embargo == dt.datetime(2026, 11, 25, 15, 0, tzinfo=dt.timezone.utc)
    assert result.next_change == result.next_embargo   # before London's midnight


def test_theme_assets_are_stored_once(setup):
    _, _, out, _ = setup
    css = [out / site / "assets/stylesheets" for site in sorted(SITES)]
    files = [sorted(folder.glob("main.*.min.css"))[0] for folder in css]
    assert len({f.stat().st_ino for f in files}) == 1


def test_an_incremental_build_replaces_only_the_changed_folders(setup):
    _, root, out, build = setup
    untouched = (out / "beta/everyone").stat().st_ino
    (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))
    build()
    assert (out / "beta/everyone").stat().st_ino == untouched  # moved nothing, linked nothing
    assert "45" in (out / "acme/everyone/projects/erp/index.html").read_text()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".site.")]  # no staging or journal left


def test_a_file_added_to_the_theme_is_copied_into_every_site(setup):
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
    photo.write_text(SVG.format("blue"))
    result = build(changed=[photo]) if told else build()
    assert "beta/everyone" in result.rebuilt
    assert any(b"blue" in data for name, data in snapshot(out).items() if name.startswith("beta/everyone/"))


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


def test_an_image_named_but_missing_is_found_once_it_is_added(setup):
    """A model depends on the files it looked for, found or not: a logo kept
    outside the customer's folder is seen once it is there."""
    from cxsite.diagnostics import PortfolioError

    _, root, out, build = setup
    (root / "shared").mkdir()
    customer = root / "beta/customer.yml"
    customer.write_text(customer.read_text() + "brand: {logo: ../shared/beta.svg}\n")
    with pytest.raises(PortfolioError) as refused:
        build()
    assert any("image '../shared/beta.svg' not found" in d.message for d in refused.value.diagnostics)
    (root / "shared/beta.svg").write_text(SVG.format("green"))
    assert "beta/everyone" in build().rebuilt


# ------------------------------------------------- what the key holds, and not

def test_the_working_folder_changes_no_key(setup, monkeypatch):
    """The same edit rebuilds the same microsites whichever folder the build runs from."""
    tmp, root, out, build = setup
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    for folder, percent in ((elsewhere, "45"), (tmp, "46"), (root / "beta", "47")):
        monkeypatch.chdir(folder)
        (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40",
                                                                   f"percent_complete: {percent}"))
        assert set(build().rebuilt) == {"acme/everyone", "acme/executives"}, folder


def test_the_command_line_keys_alike_from_a_checkout_and_from_anywhere_else(setup):
    """`python -m cxsite` puts the working folder on the path; a checkout's
    leftover metadata there (an editable install's `*.egg-info`) is not a
    distribution of the toolchain."""
    tmp, root, out, _ = setup
    from importlib.metadata import distribution

    installed = distribution("cxsite")
    leftover = tmp / "checkout" / "cxsite.egg-info"
    leftover.mkdir(parents=True)
    (leftover / "PKG-INFO").write_text(f"Metadata-Version: 2.1\nName: cxsite\nVersion: {installed.version}\n")
    (leftover / "entry_points.txt").write_text(installed.read_text("entry_points.txt") or "")
    checkout = leftover.parent
    _build_in_subprocess(root, out, tmp / "mkdocs.yml", {}, cwd=checkout)
    assert "nothing changed" in _build_in_subprocess(root, out, tmp / "mkdocs.yml", {}, cwd=tmp)


def test_a_touch_changes_no_key(setup):
    _, root, _, build = setup
    for path in root.rglob("*"):
        os.utime(path)
    assert build().unchanged


def test_an_installed_librarys_new_version_makes_every_page_again(setup, tmp_path, monkeypatch):
    """A distribution's version is part of every key (the toolchain)."""
    tmp, root, out, build = setup
    site_packages = tmp_path / "fake-site"
    (site_packages / "fakelib-1.0.dist-info").mkdir(parents=True)
    monkeypatch.syspath_prepend(str(site_packages))
    assert set(build().rebuilt) == SITES    # a distribution appeared
    assert build().unchanged
    (site_packages / "fakelib-1.0.dist-info").rename(site_packages / "fakelib-1.1.dist-info")
    assert set(build().rebuilt) == SITES


SHIM = '''\
import markdown.core
convert = markdown.core.Markdown.convert
markdown.core.Markdown.convert = lambda self, text: convert(self, text) + "<p>{marker}</p>"
'''


def _build_in_subprocess(root: Path, out: Path, config: Path, env: dict[str, str], cwd: Path | None = None) -> str:
    done = subprocess.run([sys.executable, "-m", "cxsite", "build", str(root), "--out", str(out), "--config",
                           str(config), "--now", NOW.isoformat(), "-j", "1"],
                          capture_output=True, text=True, env={**os.environ, **env}, cwd=cwd or root.parent)
    assert done.returncode == 0, done.stderr
    return done.stderr


def test_a_new_python_markdown_that_writes_other_html_reaches_every_page(setup, tmp_path):
    """A shim stands in for an upgraded library: a new version (its
    dist-info) whose HTML differs. Every page it touches is made again, and
    made again once more when the shim goes."""
    tmp, root, out, build = setup
    from importlib.metadata import distribution

    shim = tmp_path / "shim"
    installed = Path(distribution("Markdown")._path)  # type: ignore[attr-defined]
    shutil.copytree(installed, shim / "Markdown-99.0.dist-info")   # its entry points, a new version
    metadata = shim / "Markdown-99.0.dist-info" / "METADATA"
    metadata.write_text(re.sub(r"(?m)^Version: .*$", "Version: 99.0", metadata.read_text()))
    (shim / "sitecustomize.py").write_text(SHIM.format(marker="Converted by the new release"))
    pythonpath = os.pathsep.join([str(shim), os.environ.get("PYTHONPATH", "")])
    assert "3 rebuilt" in _build_in_subprocess(root, out, tmp / "mkdocs.yml", {"PYTHONPATH": pythonpath})
    update = (out / "acme/everyone/projects/erp/updates/kickoff/index.html").read_text()
    assert "Converted by the new release" in update
    assert b"Converted by the new release" in (out / "acme/everyone/feed.xml").read_bytes()
    assert "3 rebuilt" in _build_in_subprocess(root, out, tmp / "mkdocs.yml", {})
    assert "Converted by the new release" not in (out / "acme/everyone/projects/erp/updates/kickoff/index.html"
                                                  ).read_text()


def _copy_of_cxsite(tmp_path: Path) -> Path:
    """cxsite's own files, copied, to be changed as a developer would."""
    copy = tmp_path / "cxsite-copy"
    shutil.copytree(REPO / "cxsite", copy / "cxsite", ignore=shutil.ignore_patterns("__pycache__"))
    return copy


def test_a_changed_template_of_cxsite_makes_every_page_that_uses_it_again(setup, tmp_path):
    tmp, root, out, _ = setup
    copy = _copy_of_cxsite(tmp_path)
    template = copy / "cxsite/render/templates/update.html"
    template.write_text(template.read_text() + "<p>Template 2</p>\n")
    assert "3 rebuilt" in _build_in_subprocess(root, out, tmp / "mkdocs.yml", {"PYTHONPATH": str(copy)})
    assert "Template 2" in (out / "acme/everyone/projects/erp/updates/kickoff/index.html").read_text()


def test_a_tighter_loader_is_not_hidden_by_what_an_older_one_kept(setup, tmp_path):
    """A lower nesting limit in the loader finds what the parse it kept did not
    (a milestone's date is three levels deep)."""
    tmp, root, _, _ = setup

    def check(env: dict[str, str]) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "cxsite", "check", str(root), "--no-cx-rules"],
                              capture_output=True, text=True, env={**os.environ, **env}, cwd=root.parent)

    assert check({}).returncode == 0
    copy = _copy_of_cxsite(tmp_path)
    loader = copy / "cxsite/source/yaml.py"
    loader.write_text(loader.read_text().replace("MAX_DEPTH = 32", "MAX_DEPTH = 3"))
    tighter = check({"PYTHONPATH": str(copy)})
    assert tighter.returncode == 1 and "nested more than 3 levels deep" in tighter.stderr


# ------------------------------------------------------------ twelve edits

def _edits(tmp: Path, root: Path, site_packages: Path) -> list[tuple[str, object]]:
    """Twelve kinds of edit a team makes, each applied to what the one before left."""
    def write(path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")

    def replace(path: Path, old: str, new: str) -> None:
        text = path.read_text(encoding="utf-8")
        assert old in text, (path, old)
        write(path, text.replace(old, new))

    later = UPDATE.replace("u-kickoff", "u-later").replace("author: ana", "author: ana\npublish_after: 2026-11-27T09:00")
    return [
        ("update body", lambda: replace(root / "acme/erp/updates/kickoff.md", "We started.", "We started on time.")),
        ("health", lambda: replace(root / "acme/erp/project.yml", "health: on_track\nhealth_reason: All good.",
                                   "health: at_risk\nhealth_reason: The vendor is late.")),
        ("a person in team.yml", lambda: replace(root / "team.yml", "Tom Okafor", "Tom Okafor-Smith")),
        ("an audience", lambda: replace(root / "acme/customer.yml", "executives: {name: Executives}",
                                        "executives: {name: Board}")),
        ("a milestone date", lambda: replace(root / "acme/erp/project.yml", "planned: 2026-03-01",
                                             "planned: 2026-02-20")),
        ("an embargoed update", lambda: write(root / "acme/erp/updates/later.md", later)),
        ("a deleted update", lambda: (root / "acme/erp/updates/kickoff.md").unlink()),
        ("a renamed project folder", lambda: (root / "beta/crm").rename(root / "beta/crm-2027")),
        ("mkdocs.yml", lambda: replace(tmp / "mkdocs.yml", "  - search\n", "")),
        ("a file in theme/", lambda: write(tmp / "theme/assets/cxsite/cxsite.css",
                                           (tmp / "theme/assets/cxsite/cxsite.css").read_text() + "\n/* v2 */\n")),
        ("a logo", lambda: (write(root / "beta/logo.svg", SVG.format("red")),
                            replace(root / "beta/customer.yml", "cx_owner: tom", "cx_owner: tom\nbrand: {logo: logo.svg}"))),
        ("a library version", lambda: (site_packages / "fakelib-1.0.dist-info").mkdir(parents=True)),
    ]


def test_warm_output_is_cold_output_after_each_of_twelve_kinds_of_edit(setup, tmp_path, monkeypatch):
    """After each edit in turn, the build that keeps everything it can
    writes byte for byte what a --clean build with caching off writes."""
    tmp, root, out, build = setup
    site_packages = tmp_path / "fake-site"
    site_packages.mkdir()
    monkeypatch.syspath_prepend(str(site_packages))
    moment = NOW
    rebuilt = {}
    for name, edit in _edits(tmp, root, site_packages):
        edit()   # type: ignore[operator]
        if name == "an embargoed update":
            build(moment)
            moment = dt.datetime(2026, 11, 27, 9, 0, tzinfo=dt.timezone.utc)   # time passes the embargo
        result = build(moment)
        rebuilt[name] = set(result.rebuilt)
        assert snapshot(out) == clean_build(root, tmp / "mkdocs.yml", tmp / f"clean-{len(rebuilt)}", moment), name
    assert rebuilt["a person in team.yml"] == {"beta/everyone"}
    assert rebuilt["an audience"] == {"acme/executives"}
    assert rebuilt["a library version"] == SITES


# ------------------------------------------------------------ committing

def test_a_build_killed_between_two_moves_is_completed_by_the_next_command(setup, monkeypatch):
    import cxsite.build.commit as commit

    tmp_path, root, out, build = setup
    (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))
    real_rename, moves = os.rename, {"n": 0}

    def die_on_third(source, destination):  # type: ignore[no-untyped-def]
        moves["n"] += 1
        if moves["n"] == 3:
            raise KeyboardInterrupt("killed between two renames")
        return real_rename(source, destination)

    monkeypatch.setattr(commit.os, "rename", die_on_third)
    with pytest.raises(KeyboardInterrupt):
        build()
    monkeypatch.setattr(commit.os, "rename", real_rename)
    assert (out / commit.JOURNAL).exists()
    assert commit.recover(out) and not (out / commit.JOURNAL).exists()
    recovered = snapshot(out)
    shutil.rmtree(out)
    build()
    assert recovered == snapshot(out)


def test_a_dashboard_that_fails_beside_the_site_fails_the_build_and_changes_nothing(setup, monkeypatch):
    import cxsite.build.microsite as microsite

    _, root, out, build = setup
    before = snapshot(out)
    (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise RuntimeError("the dashboard's engine broke")

    monkeypatch.setattr(microsite, "build_dashboard", broken)
    with pytest.raises(Exception, match="dashboard"):
        build(jobs=2)
    assert snapshot(out) == before


def test_with_two_jobs_an_edit_builds_the_dashboard_beside_the_site_and_the_same_bytes(setup):
    tmp, root, out, build = setup
    (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))
    result = build(jobs=2)
    assert set(result.rebuilt) == {"acme/everyone", "acme/executives"}
    assert snapshot(out) == clean_build(root, tmp / "mkdocs.yml", tmp / "clean")


# ---------------------------------------------------------- --changed, shards

def test_changed_paths_rebuild_their_customer_without_looking_at_the_others(setup, monkeypatch):
    import cxsite.build.portfolio as portfolio

    _, root, out, build = setup
    before = snapshot(out)
    edited = root / "acme/erp/project.yml"
    edited.write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))
    looked_at: list[str] = []
    real = portfolio.folder_contents
    monkeypatch.setattr(portfolio, "folder_contents", lambda folder, files: looked_at.append(folder.name)
                        or real(folder, files))
    (root.parent / "README.md").write_text("Elsewhere in the repository.\n")
    result = build(changed=[edited, root.parent / "README.md"])
    assert set(result.rebuilt) == {"acme/everyone", "acme/executives"}
    assert looked_at == ["acme"]
    assert changed_sites(before, snapshot(out)) == {"acme/everyone", "acme/executives"}


def test_a_changed_team_yml_makes_the_build_look_at_everything(setup):
    _, root, out, build = setup
    (root / "team.yml").write_text(TEAM.replace("Tom Okafor", "Tom Okafor-Smith"))
    result = build(changed=[root / "team.yml"])
    assert result.rebuilt == ("beta/everyone",)
    assert "Tom Okafor-Smith" in (out / "beta/everyone/contacts/index.html").read_text()


def test_team_yml_is_read_even_when_a_push_does_not_list_it(setup):
    """It is one file, and every customer's pages show its people."""
    _, root, out, build = setup
    (root / "team.yml").write_text(TEAM.replace("Tom Okafor", "Tom Okafor-Smith"))
    (root / "acme/erp/project.yml").write_text(PROJECT.replace("percent_complete: 40", "percent_complete: 45"))
    assert "beta/everyone" in build(changed=[root / "acme/erp/project.yml"]).rebuilt
    assert "Tom Okafor-Smith" in (out / "beta/everyone/contacts/index.html").read_text()


def test_changed_paths_that_point_nowhere_make_the_build_look_at_everything(setup, monkeypatch):
    _, root, out, build = setup
    (root / "beta/crm/project.yml").write_text(PROJECT.replace("ERP roll-out", "CRM").replace("40", "41"))
    monkeypatch.chdir(root / "acme")  # `git diff --name-only` run from a sub-folder: repository-relative paths
    result = build(changed=[Path("projects/beta/crm/project.yml")])
    assert result.rebuilt == ("beta/everyone",)
    assert "41 % complete" in (out / "beta/everyone/index.html").read_text()


def test_shards_split_the_microsites_and_merge_into_the_whole_site(setup):
    from cxsite.build.shards import merge_outputs

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
    assert not build().unchanged   # the dashboard is brought up to date
    assert snapshot(out / "_internal/dashboard") != dashboard


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


def test_a_build_with_nothing_to_do_imports_neither_the_renderer_nor_the_authoring_code(setup):
    """`cxsite build` runs on every push and schedule: with nothing to do it
    compares what it finds with the manifest and stops, having imported little."""
    tmp, root, out, _ = setup
    probe = ("import sys, runpy; sys.argv = ['cxsite', 'build', sys.argv[1], '--out', sys.argv[2], '--config', "
             "sys.argv[3], '--now', '2026-11-25T12:05:00+00:00']\n"
             "try:\n    runpy.run_module('cxsite', run_name='__main__')\nexcept SystemExit:\n    pass\n"
             "print(sorted(m for m in sys.modules if m.startswith(('cxsite', 'mkdocs', 'material', 'markdown'))))")
    done = subprocess.run([sys.executable, "-c", probe, str(root), str(out), str(tmp / "mkdocs.yml")],
                          capture_output=True, text=True, check=True)
    assert "nothing changed" in done.stderr
    loaded = done.stdout
    for heavy in ("cxsite.authoring", "cxsite.render.site", "cxsite.engine.adapter", "'mkdocs", "'material",
                  "'markdown"):
        assert heavy not in loaded, heavy
