"""Golden output: the page bodies of the minimal portfolio, as cxsite renders
them before the theme frames them. A change here is a change customers see;
review the diff, then regenerate with CXSITE_UPDATE_GOLDEN=1."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest

from .conftest import rendered
from cxsite.model.load import load_portfolio
from cxsite.views import microsites

GOLDEN = Path(__file__).parent / "golden"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
PAGES = {"index.md": "home.html", "projects/erp/index.md": "project.html",
         "projects/erp/updates/kickoff/index.md": "update.html", "contacts/index.md": "contacts.html"}


@pytest.mark.parametrize("path, golden", sorted(PAGES.items()))
def test_page_bodies_match_the_golden_files(portfolio, path, golden):
    model, _ = load_portfolio(portfolio())
    site = next(s for s in microsites(model, NOW) if s.key == "acme/everyone")
    page = next(p for p in rendered(site).pages if p.path == path)
    expected = GOLDEN / golden
    if os.environ.get("CXSITE_UPDATE_GOLDEN"):
        expected.write_text(page.html, encoding="utf-8")
    assert page.html == expected.read_text(encoding="utf-8")
