"""The parse cache never changes what cxsite reports: a warm check equals a
cold one, and any edit to a file is seen at once."""

from __future__ import annotations

import os

from cxsite.validate import check_portfolio, load_portfolio

from .conftest import CUSTOMER, DEMO, PROJECT, TEAM, UPDATE


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


# --------------------------------------------------------------- model cache

def _validations(monkeypatch) -> list[str]:
    """Records which customers are validated (not taken from the model cache)."""
    from cxsite.validate import Builder

    seen: list[str] = []
    original = Builder.customer

    def counting(self, raw, raw_customer):  # type: ignore[no-untyped-def]
        seen.append(raw_customer.folder.name)
        return original(self, raw, raw_customer)

    monkeypatch.setattr(Builder, "customer", counting)
    return seen


def test_only_the_customer_whose_files_changed_is_validated_again(portfolio, monkeypatch):
    root = portfolio({"globex/customer.yml": CUSTOMER.replace("Acme & Co", "Globex"),
                      "globex/erp/project.yml": PROJECT, "globex/erp/updates/kickoff.md": UPDATE})
    cold, _ = load_portfolio(root)
    validated = _validations(monkeypatch)
    assert load_portfolio(root)[0] == cold and validated == []
    (root / "globex/erp/updates/later.md").write_text(UPDATE.replace("id: u-kickoff", "id: u-later"))
    warm, _ = load_portfolio(root)
    assert validated == ["globex"]
    assert sorted(u.id for u in warm.customer("globex").projects[0].updates) == ["u-kickoff", "u-later"]
    assert warm.customer("acme") == cold.customer("acme")


def test_a_change_to_team_yml_validates_every_customer_again(portfolio):
    root = portfolio()
    load_portfolio(root)
    (root / "team.yml").write_text(TEAM.replace("  ana:\n    name: Ana Souza\n", "  anna:\n    name: Ana Souza\n"))
    problems = [d.format() for d in check_portfolio(root)]
    assert any("unknown person 'ana'" in p for p in problems)


def test_a_customer_with_errors_reports_them_on_every_run(portfolio, monkeypatch):
    root = portfolio({"acme/erp/project.yml": PROJECT.replace("percent_complete: 40", "percent_complete: 140")})
    first = [d.format() for d in check_portfolio(root)]
    validated = _validations(monkeypatch)
    second = [d.format() for d in check_portfolio(root)]
    assert first == second and any("maximum of 100" in p for p in first) and validated == ["acme"]


def test_warnings_of_a_cached_customer_are_still_reported(portfolio):
    root = portfolio({"acme/erp/project.yml": PROJECT.replace("health: on_track", "health: green")})
    cold = [d.format() for d in check_portfolio(root)]
    warm = [d.format() for d in check_portfolio(root)]
    assert cold == warm and cold
