"""Privacy by construction: a portfolio seeded with unique secret markers in
everything that must not be published; no byte of any output of any
microsite that must not see a marker contains it."""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path

import pytest

from cxsite.build import build_portfolio

from .conftest import CUSTOMER, PROJECT, REPO, TEAM, UPDATE, write_tree

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)


def update(uid: str, title: str, body: str, extra: str = "") -> str:
    text = UPDATE.replace("u-kickoff", uid).replace("title: Kick-off", f"title: {title}")
    text = text.replace("We started.", body).replace("2026-01-06T09:30", "2026-11-01T09:30")
    return text.replace("author: ana", "author: ana\n" + extra) if extra else text


# marker -> the microsites allowed to contain it (none: never published)
EXPECTED: dict[str, set[str]] = {
    "SECRET-CUSTOMER-NOTE": set(),
    "SECRET-PROJECT-NOTE": set(),
    "SECRET-MILESTONE-NOTE": set(),
    "SECRET-DISRUPTION-NOTE": set(),
    "SECRET-BUDGET-NOTE": set(),
    "SECRET-INTERNAL-UPDATE": set(),
    "SECRET-DRAFT-UPDATE": set(),
    "SECRET-FUTURE-UPDATE": set(),
    "SECRET-EMBARGOED-UPDATE": set(),
    "SECRET-EXEC-UPDATE": {"acme/executives"},
    "SECRET-EXEC-MILESTONE": {"acme/executives"},
    "SECRET-EXEC-DECISION": {"acme/executives"},
    "SECRET-OTHER-CUSTOMER": {"other/everyone"},
    "SECRET-OTHER-PERSON": {"other/everyone"},
    "7,777,777": {"acme/executives"},  # the executives-only budget amount, as a page shows it
}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = PROJECT.replace("    done: 2026-03-02\n", "    done: 2026-03-02\n    internal_note: SECRET-MILESTONE-NOTE\n"
                              "  - id: board\n    title: SECRET-EXEC-MILESTONE\n    planned: 2026-12-01\n"
                              "    audiences: [executives]\n")
    project = project.replace("    impact: high\n", "    impact: high\n    internal_note: SECRET-DISRUPTION-NOTE\n")
    project += ("internal_note: SECRET-PROJECT-NOTE\n"
                "budget: {currency: GBP, approved: 7777777, audiences: [executives], internal_note: SECRET-BUDGET-NOTE}\n"
                "decisions:\n  - {id: d1, title: SECRET-EXEC-DECISION, owner: CFO, due: 2026-12-20, "
                "audiences: [executives]}\n")
    team = TEAM + "  zed:\n    name: SECRET-OTHER-PERSON\n    email: zed@brightline.example\n"
    files = {
        "team.yml": team,
        "acme/customer.yml": CUSTOMER + "internal_note: SECRET-CUSTOMER-NOTE\n",
        "acme/erp/project.yml": project,
        "acme/erp/updates/kickoff.md": UPDATE,
        "acme/erp/updates/internal.md": update("u-int", "Margin talk", "SECRET-INTERNAL-UPDATE", "internal: true"),
        "acme/erp/updates/draft.md": update("u-draft", "Draft", "SECRET-DRAFT-UPDATE", "draft: true"),
        "acme/erp/updates/future.md": update("u-future", "Future", "SECRET-FUTURE-UPDATE").replace(
            "2026-11-01T09:30", "2026-12-24T09:30"),
        "acme/erp/updates/embargo.md": update("u-emb", "Embargo", "SECRET-EMBARGOED-UPDATE",
                                              "publish_after: 2026-12-07T08:00"),
        "acme/erp/updates/exec.md": update("u-exec", "Board", "SECRET-EXEC-UPDATE", "audiences: [executives]"),
        "other/customer.yml": CUSTOMER.replace("Acme & Co", "SECRET-OTHER-CUSTOMER").replace(
            "cx_owner: ana", "cx_owner: zed").replace("person: ana", "person: zed").replace(
            "  executives: {name: Executives}\n", "").replace("status.example/acme/", "status.example/other/"),
    }
    root = write_tree(tmp_path_factory.mktemp("leak") / "projects", files)
    out = tmp_path_factory.mktemp("out") / "site"
    build_portfolio(root, out, config_file=REPO / "mkdocs.yml", cutoff=NOW)
    return out


def readable(data: bytes) -> str:
    """The bytes as text, plus unescaped forms (HTML entities, JSON escapes,
    iCalendar/vCard folding), so an escaped leak is still found."""
    text = data.decode("utf-8", errors="replace")
    unfolded = text.replace("\r\n ", "").replace("\n ", "")
    try:
        as_json = json.dumps(json.loads(text), ensure_ascii=False)
    except ValueError:
        as_json = ""
    return "\n".join((text, html.unescape(text), unfolded, as_json))


def test_every_microsite_was_built(built):
    """Besides the microsites there is only the team's dashboard, which holds
    the internal notes on purpose and is never published (see test_publish)."""
    assert sorted(p.relative_to(built).as_posix() for p in built.glob("*/*") if p.is_dir()) == [
        "_internal/dashboard", "acme/everyone", "acme/executives", "other/everyone"]


@pytest.mark.parametrize("marker", sorted(EXPECTED))
def test_no_output_contains_what_its_audience_may_not_see(built, marker):
    found = set()
    for site in ("acme/everyone", "acme/executives", "other/everyone"):
        for path in (built / site).rglob("*"):
            if path.is_file() and marker in readable(path.read_bytes()):
                found.add(site)
                if site not in EXPECTED[marker]:
                    pytest.fail(f"{marker} leaked into {path.relative_to(built)}")
    # Each marker that some audience may see really is shown there (the test can fail both ways).
    assert found == EXPECTED[marker]


def test_the_manifest_is_outside_every_microsite(built):
    assert (built / "manifest.json").is_file()
    assert not list(built.glob("*/*/manifest.json"))
