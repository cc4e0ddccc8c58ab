"""Who sees what: views.py is the only place that decides, so it is tested
as a specification of the visibility rules."""

from __future__ import annotations

import dataclasses
import datetime as dt

from cxsite.model.load import load_portfolio
from cxsite.views import last_told, microsites, told_updates
from cxsite.views.clock import Clock

from .conftest import CUSTOMER, PROJECT, UPDATE

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)


def update(uid: str, extra: str = "", date: str = "2026-11-01T09:00") -> str:
    return UPDATE.replace("u-kickoff", uid).replace("2026-01-06T09:30", date).replace(
        "author: ana", "author: ana\n" + extra if extra else "author: ana")


def site(portfolio_root, key: str, now: dt.datetime = NOW):
    model, _ = load_portfolio(portfolio_root)
    return next(s for s in microsites(model, now) if s.key == key)


def all_text(value) -> str:
    """Every string reachable from a model object, for leak checks."""
    if dataclasses.is_dataclass(value):
        return " ".join(all_text(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, (tuple, list)):
        return " ".join(all_text(v) for v in value)
    return str(value)


def test_one_microsite_per_customer_audience(portfolio):
    model, _ = load_portfolio(portfolio({"beta/customer.yml": CUSTOMER.replace("Acme & Co", "Beta Ltd")
                                         .replace("  executives: {name: Executives}\n", "")}))
    assert [s.key for s in microsites(model, NOW)] == ["acme/everyone", "acme/executives", "beta/everyone"]


def test_a_customer_without_audiences_has_one_for_everyone(portfolio):
    root = portfolio({"acme/customer.yml": CUSTOMER.replace("audiences:\n  everyone: {name: Everyone}\n"
                                                           "  executives: {name: Executives}\n", "")})
    model, _ = load_portfolio(root)
    assert [s.key for s in microsites(model, NOW)] == ["acme/everyone"]


def test_what_the_customer_has_been_told_is_what_some_audience_can_read(portfolio):
    """The dashboard's update counts and the overdue rule both start from this."""
    root = portfolio({
        "acme/erp/updates/internal.md": update("u-internal", "internal: true", date="2026-11-20T09:00"),
        "acme/erp/updates/draft.md": update("u-draft", "draft: true", date="2026-11-21T09:00"),
        "acme/erp/updates/embargo.md": update("u-embargo", "publish_after: 2026-12-07T08:00", date="2026-11-22T09:00"),
        "acme/erp/updates/execs.md": update("u-execs", "audiences: [executives]", date="2026-11-10T09:00"),
        "acme/erp/updates/older.md": update("u-older", date="2026-11-01T09:00"),
    })
    model, _ = load_portfolio(root)
    [customer] = model.customers
    [project] = customer.projects
    assert [u.id for u in told_updates(customer, project, Clock(NOW))] == ["u-execs", "u-older", "u-kickoff"]
    assert last_told(customer, project, Clock(NOW)).id == "u-execs"
    assert last_told(customer, project, Clock(dt.datetime(2026, 1, 1, tzinfo=dt.timezone.utc))) is None


def test_the_newest_update_told_goes_by_its_date_and_then_by_its_id(portfolio):
    """An embargo decides when an update is told, not where it stands: a released one
    keeps its own date; two of the same date are ordered by id, the same in every build."""
    root = portfolio({
        "acme/erp/updates/b.md": update("u-b", date="2026-11-10T09:00"),
        "acme/erp/updates/a.md": update("u-a", date="2026-11-10T09:00"),
        "acme/erp/updates/held.md": update("u-held", "publish_after: 2026-11-24T08:00", date="2026-11-05T09:00"),
    })
    model, _ = load_portfolio(root)
    [customer] = model.customers
    [project] = customer.projects
    assert [u.id for u in told_updates(customer, project, Clock(NOW))] == ["u-b", "u-a", "u-held", "u-kickoff"]
    assert last_told(customer, project, Clock(NOW)).id == "u-b"


def test_internal_draft_future_and_embargoed_updates_are_not_published(portfolio):
    root = portfolio({
        "acme/erp/updates/internal.md": update("u-internal", "internal: true"),
        "acme/erp/updates/draft.md": update("u-draft", "draft: true"),
        "acme/erp/updates/future.md": update("u-future", date="2026-12-01T09:00"),
        "acme/erp/updates/embargo.md": update("u-embargo", "publish_after: 2026-12-07T08:00"),
        "acme/erp/updates/released.md": update("u-released", "publish_after: 2026-11-20T08:00"),
    })
    shown = {u.id for _, u in site(root, "acme/everyone").updates}
    assert shown == {"u-kickoff", "u-released"}


def test_an_embargo_lifts_at_its_moment_and_the_build_says_when(portfolio):
    root = portfolio({"acme/erp/updates/embargo.md": update("u-embargo", "publish_after: 2026-12-07T08:00")})
    before = site(root, "acme/everyone")
    assert before.next_embargo == dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.timezone.utc)  # London winter = UTC
    after = site(root, "acme/everyone", dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.timezone.utc))
    assert "u-embargo" in {u.id for _, u in after.updates}
    assert after.next_embargo is None


def test_audience_restricted_content_reaches_only_that_audience(portfolio):
    project = PROJECT.replace("    done: 2026-03-02\n", "    done: 2026-03-02\n    audiences: [executives]\n") + (
        "budget: {currency: GBP, approved: 100, audiences: [executives]}\n"
        "decisions:\n  - {id: d1, title: Sign, owner: CFO, due: 2026-12-01, audiences: [executives]}\n")
    root = portfolio({"acme/erp/project.yml": project,
                      "acme/erp/updates/exec.md": update("u-exec", "audiences: [executives]")})
    everyone, executives = site(root, "acme/everyone"), site(root, "acme/executives")
    erp_all, erp_exec = everyone.customer.projects[0], executives.customer.projects[0]
    assert (erp_all.budget, erp_all.decisions, erp_all.milestones) == (None, (), ())
    assert erp_exec.budget.approved == 100 and erp_exec.decisions[0].id == "d1"
    assert [m.id for m in erp_exec.milestones] == ["design"]
    assert "u-exec" not in {u.id for _, u in everyone.updates}
    assert "u-exec" in {u.id for _, u in executives.updates}


def test_a_project_for_one_audience_is_absent_from_the_others(portfolio):
    root = portfolio({"acme/erp/project.yml": PROJECT + "audiences: [executives]\n"})
    assert site(root, "acme/everyone").customer.projects == ()
    assert len(site(root, "acme/executives").customer.projects) == 1


def test_internal_notes_never_reach_a_microsite(portfolio):
    project = PROJECT.replace("    done: 2026-03-02\n", "    done: 2026-03-02\n    internal_note: SECRET-MS\n")
    project = project.replace("    impact: high\n", "    impact: high\n    internal_note: SECRET-DIS\n")
    project += "internal_note: SECRET-PROJECT\nbudget: {currency: GBP, approved: 1, internal_note: SECRET-BUDGET}\n"
    root = portfolio({"acme/customer.yml": CUSTOMER + "internal_note: SECRET-CUSTOMER\n",
                      "acme/erp/project.yml": project})
    for key in ("acme/everyone", "acme/executives"):
        assert "SECRET" not in all_text(site(root, key))


def test_a_microsite_knows_only_its_own_audience_and_customer(portfolio):
    root = portfolio({"beta/customer.yml": CUSTOMER.replace("Acme & Co", "Beta SECRET-OTHER"),
                      "beta/crm/project.yml": PROJECT.replace("ERP roll-out", "SECRET-OTHER-PROJECT")})
    acme = site(root, "acme/everyone")
    assert [a.id for a in acme.customer.audiences] == ["everyone"]
    assert "SECRET-OTHER" not in all_text(acme)


def test_only_the_people_a_site_shows_are_in_it(portfolio):
    acme = site(portfolio(), "acme/everyone")
    assert [p.id for p in acme.people] == ["ana"]  # tom is on the team but nowhere on this site
