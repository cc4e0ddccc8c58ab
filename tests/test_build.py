"""`cxsite build`: one self-contained microsite per customer audience,
written atomically, with a manifest beside them."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxsite.build import build_portfolio
from cxsite.cli import main
from cxsite.diagnostics import BuildError, PortfolioError

from .conftest import CUSTOMER, DEMO, DEMO_NOW, PROJECT, REPO, UPDATE

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
CONFIG = REPO / "mkdocs.yml"


def build(root: Path, out: Path, **kwargs):
    return build_portfolio(root, out, config_file=CONFIG, cutoff=NOW, **kwargs)


def read(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def snapshot(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    from .conftest import TEAM, write_tree

    root = write_tree(tmp_path_factory.mktemp("p") / "projects", {
        "team.yml": TEAM, "acme/customer.yml": CUSTOMER, "acme/erp/project.yml": PROJECT,
        "acme/erp/updates/kickoff.md": UPDATE})
    out = tmp_path_factory.mktemp("out") / "site"
    build(root, out)
    return out


def test_each_audience_gets_its_own_complete_microsite(built):
    for audience in ("everyone", "executives"):
        site = built / "acme" / audience
        for page in ("index.html", "projects/erp/index.html", "projects/erp/updates/kickoff/index.html",
                     "updates/index.html", "contacts/index.html", "subscribe/index.html", "404.html",
                     "sitemap.xml", "search/search_index.json", "feed.xml", "atom.xml", "feed.json",
                     "calendar.ics", "projects/erp/feed.xml", "projects/erp/calendar.ics",
                     "projects/erp/events/cutover.ics", "contacts/ana.vcf"):
            assert (site / page).is_file(), f"{audience}: {page} missing"


def test_manifest_lists_every_microsite_outside_them(built):
    manifest = json.loads(read(built / "manifest.json"))
    assert [s["key"] for s in manifest["sites"]] == ["acme/everyone", "acme/executives"]
    first = manifest["sites"][0]
    assert first["folder"] == "acme/everyone"
    assert first["base_url"] == "https://status.example/acme/everyone/"
    assert "feed.xml" in first["feeds"] and "calendar.ics" in first["calendars"]
    assert first["vcards"] == ["contacts/ana.vcf"]
    assert manifest["cutoff"] == "2026-11-25T12:00:00+00:00"


def test_pages_say_what_the_data_says(built):
    home = read(built / "acme/everyone/index.html")
    assert "Acme &amp; Co" in home
    assert "On track" in home and "✔" in home           # health as icon + word, not colour alone
    assert "40 % complete" in home
    assert "Ana Souza" in home and "mailto:ana@brightline.example" in home and "tel:+442079460101" in home
    project = read(built / "acme/everyone/projects/erp/index.html")
    # The disruption is in the customer's zone (London, summer time), with the zone named.
    assert "24 Oct 2026, 22:00 BST – 25 Oct 2026, 04:00 GMT" in project
    assert "Design signed off" in project


def test_links_are_relative_and_assets_stay_inside_the_microsite(built):
    for page in (built / "acme/everyone").rglob("*.html"):
        html = read(page)
        for url in re.findall(r'(?:href|src)="([^"]+)"', html):
            if page.name == "404.html":  # served at any depth, so it links from the site's own root path
                assert not url.startswith("/") or url.startswith("/acme/everyone/"), (page, url)
                continue
            assert not url.startswith("/"), (page, url)
            if url.startswith(("http://", "https://")):
                assert url.startswith("https://status.example/acme/everyone/"), (page, url)


def test_no_request_to_any_outside_host(built):
    for page in (built / "acme/everyone").rglob("*.html"):
        html = read(page)
        assert "fonts.googleapis" not in html and "fonts.gstatic" not in html
        for url in re.findall(r'<(?:script|link|img)[^>]+(?:href|src)="(https?://[^"]+)"', html):
            assert url.startswith("https://status.example/acme/everyone/"), (page, url)


def test_the_same_input_gives_identical_bytes(tmp_path, portfolio):
    root = portfolio()
    build(root, tmp_path / "a")
    build(root, tmp_path / "b")
    first, second = snapshot(tmp_path / "a"), snapshot(tmp_path / "b")
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []


def test_a_failed_build_leaves_the_previous_site_untouched(tmp_path, portfolio, monkeypatch):
    root = portfolio()
    out = tmp_path / "site"
    build(root, out)
    before = snapshot(out)
    import cxsite.engine.adapter as build_module

    calls = {"n": 0}
    real = build_module.build_microsite

    def explode_on_second(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("killed half-way")
        return real(*args, **kwargs)

    monkeypatch.setattr(build_module, "build_microsite", explode_on_second)
    with pytest.raises(RuntimeError):
        build(root, out, clean=True)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["projects", "site"]  # no staging left behind


def test_a_broken_portfolio_builds_nothing(tmp_path, portfolio):
    out = tmp_path / "site"
    build(portfolio(), out)
    before = snapshot(out)
    broken = portfolio({"acme/erp/project.yml": PROJECT.replace("health: on_track", "health: green")})
    with pytest.raises(PortfolioError):
        build(broken, out)
    assert snapshot(out) == before


def test_refuses_to_replace_a_folder_that_is_not_a_cxsite_output(tmp_path, portfolio):
    precious = tmp_path / "precious"
    precious.mkdir()
    (precious / "thesis.tex").write_text("do not delete")
    with pytest.raises(BuildError, match="not a cxsite output folder"):
        build(portfolio(), precious)
    assert (precious / "thesis.tex").read_text() == "do not delete"


def test_cli_build_reports_sites_and_next_embargo(tmp_path, portfolio):
    root = portfolio({"acme/erp/updates/later.md": UPDATE.replace("u-kickoff", "u-later").replace(
        "author: ana", "author: ana\npublish_after: 2026-12-07T08:00")})
    result = CliRunner().invoke(main, ["build", str(root), "--out", str(tmp_path / "site"), "--config", str(CONFIG),
                                       "--now", "2026-11-25T12:00:00+00:00"])
    assert result.exit_code == 0, result.output
    assert "cxsite built 2 microsites" in result.output
    assert "next embargoed update falls due at 2026-12-07T08:00:00+00:00" in result.output
    assert "acme/everyone" in result.output


def test_the_build_audits_what_it_built_and_refuses_a_leak(tmp_path, portfolio, monkeypatch):
    """A marker from CXSITE_SECRET_MARKERS found in the output fails the build,
    and the previous site stays in place."""
    root = portfolio()
    out = tmp_path / "site"
    build(root, out)
    before = snapshot(out)
    monkeypatch.setenv("CXSITE_SECRET_MARKERS", "Design signed off")  # shown on every project page
    with pytest.raises(BuildError, match="the audit found"):
        build(root, out, clean=True)
    assert snapshot(out) == before


def test_a_site_without_feeds_or_projects_has_no_dead_links(tmp_path, portfolio):
    """Every relative link of every page resolves to a file in the microsite."""
    root = portfolio({"acme/customer.yml": CUSTOMER.replace('site: {base_url: "https://status.example/acme/"}',
                                                            "site: {feeds: false}"),
                      "acme/erp/project.yml": None, "acme/erp/updates/kickoff.md": None})
    out = tmp_path / "site"
    build(root, out)
    site = out / "acme/everyone"
    assert "There are no projects to show yet." in read(site / "index.html")
    for page in site.rglob("*.html"):
        if page.name == "404.html":
            continue
        for url in re.findall(r'href="([^"#:?]+)"', read(page)):
            target = (page.parent / url).resolve()
            assert target.is_file() or (target / "index.html").is_file(), (page.relative_to(site), url)


def test_the_demo_has_no_dead_links(demo_site):
    dead = []
    for page in demo_site.rglob("*.html"):
        if page.name == "404.html":
            continue
        for url in set(re.findall(r'(?:href|src)="([^"#:?]+)(?:#[^"]*)?"', read(page))):
            target = (page.parent / url).resolve()
            if not (target.is_file() or (target / "index.html").is_file()):
                dead.append(f"{page.relative_to(demo_site)} -> {url}")
    assert dead == []


def test_a_light_brand_colour_still_gives_readable_links_and_header(tmp_path, portfolio):
    root = portfolio({"acme/customer.yml": CUSTOMER + 'brand: {colour: "#ffd700"}\n'})
    out = tmp_path / "site"
    build(root, out)
    head = read(out / "acme/everyone/index.html").split("</head>")[0]
    light = re.search(r'\[data-md-color-scheme="default"\]\{([^}]*)\}', head).group(1)
    from cxsite.render.colours import contrast

    link = re.search(r"--md-typeset-a-color:(#[0-9a-f]{6})", light).group(1)
    assert link != "#ffd700" and contrast(link, "#ffffff") >= 4.5   # gold darkened until it reads on white
    assert "--md-primary-bg-color:#000000" in light                  # black header text on the yellow header


def test_a_path_token_gives_unguessable_folders_that_audit_and_publish_accept(tmp_path, portfolio):
    token = "7f3a9c1e5b2d8f40a6c4e1b9"
    customer = CUSTOMER.replace('site: {base_url: "https://status.example/acme/"}',
                                f'site: {{base_url: "https://status.example/acme-{token}/", access: unlisted, '
                                f'path_token: {token}}}')
    root = portfolio({"acme/customer.yml": customer})
    out = tmp_path / "site"
    build(root, out)
    assert (out / f"acme-{token}/everyone/index.html").is_file() and not (out / "acme").exists()
    manifest = json.loads(read(out / "manifest.json"))
    assert manifest["sites"][0]["key"] == "acme/everyone"
    assert manifest["sites"][0]["base_url"] == f"https://status.example/acme-{token}/everyone/"
    from cxsite.publish import publish
    from cxsite.model.load import load_portfolio

    model, _ = load_portfolio(root)
    publish(out, f"folder:{tmp_path / 'www'}", model)
    assert (tmp_path / f"www/acme-{token}/everyone/index.html").is_file()


def test_a_path_token_must_be_in_the_base_url(portfolio):
    from cxsite.views.rules import check_portfolio

    root = portfolio({"acme/customer.yml": CUSTOMER.replace(
        'site: {base_url: "https://status.example/acme/"}',
        'site: {base_url: "https://status.example/acme/", path_token: 7f3a9c1e5b2d8f40a6c4e1b9}')})
    assert any("base_url does not contain the path token" in d.message for d in check_portfolio(root))


def test_workers_are_replaced_as_they_reach_their_quota_and_the_build_finishes(tmp_path):
    """Workers are recycled (memory stays bounded) without the hang of
    Python 3.11's max_tasks_per_child: here after every single microsite."""
    import subprocess
    import sys

    script = ("import sys, datetime as dt, cxsite.build as b\nfrom pathlib import Path\n"
              "b.RECYCLE_AFTER = 1\n"
              "r = b.build_portfolio(sys.argv[1], sys.argv[2], config_file=Path(sys.argv[3]), jobs=2,\n"
              "                      cutoff=dt.datetime.fromisoformat(sys.argv[4]))\n"
              "print(len(r.rebuilt))\n")
    result = subprocess.run([sys.executable, "-c", script, str(DEMO), str(tmp_path / "site"), str(REPO / "mkdocs.yml"),
                             DEMO_NOW], capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.split() == ["13"]
