"""The parse cache never changes what cxsite reports: a warm check equals a
cold one, and any edit to a file is seen at once."""

from __future__ import annotations

import os

from cxsite.validate import check_portfolio, load_portfolio

from .conftest import DEMO, PROJECT, UPDATE


def test_a_warm_check_reports_exactly_what_a_cold_one_does(portfolio, monkeypatch):
    root = portfolio({"acme/erp/updates/broken.md": "---\ntitle: [unclosed\n---\n",
                      "acme/erp/project.yml": PROJECT.replace("health: on_track", "health: green")})
    monkeypatch.setenv("CXSITE_CACHE", "0")
    cold = [d.format() for d in check_portfolio(root)]
    monkeypatch.setenv("CXSITE_CACHE", "1")
    first = [d.format() for d in check_portfolio(root)]
    warm = [d.format() for d in check_portfolio(root)]
    assert cold == first == warm and len(cold) == 2


def test_an_edit_is_seen_even_when_the_size_stays_the_same(portfolio):
    root = portfolio()
    model, _ = load_portfolio(root)
    assert model.customer("acme").projects[0].updates[0].title == "Kick-off"
    path = root / "acme/erp/updates/kickoff.md"
    path.write_text(UPDATE.replace("title: Kick-off", "title: Kick-on"))  # same size
    model, _ = load_portfolio(root)
    assert model.customer("acme").projects[0].updates[0].title == "Kick-on"
    path.write_text(UPDATE.replace("title: Kick-off", "title: [Kick"))
    assert any("kickoff.md:4:5: error: YAML syntax error" in d.format() for d in check_portfolio(root))


def test_the_demo_loads_the_same_model_from_the_cache(monkeypatch):
    monkeypatch.setenv("CXSITE_CACHE", "0")
    cold, _ = load_portfolio(DEMO)
    monkeypatch.setenv("CXSITE_CACHE", "1")
    load_portfolio(DEMO)
    warm, _ = load_portfolio(DEMO)
    assert warm == cold


def test_the_cache_lives_outside_the_portfolio(portfolio):
    root = portfolio()
    load_portfolio(root)
    assert not [p for p in root.rglob("*") if p.suffix in (".pickle", ".tmp")]
    assert any(os.scandir(os.environ["XDG_CACHE_HOME"]))
