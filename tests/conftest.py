"""Shared fixtures: a minimal valid portfolio that each test bends a little."""

from __future__ import annotations

import os
import shutil
import tempfile
import textwrap
from pathlib import Path
from typing import Callable

import pytest

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"

# Whatever cxsite keeps between runs goes to a folder of this test run, not ~/.cache.
os.environ["XDG_CACHE_HOME"] = tempfile.mkdtemp(prefix="cxsite-test-cache-")


@pytest.fixture(autouse=True)
def own_cache(tmp_path_factory, monkeypatch) -> Path:
    """Each test keeps what it builds in a store of its own (and subprocesses
    it starts inherit it): no test sees what another kept."""
    folder = tmp_path_factory.mktemp("cache")
    monkeypatch.setenv("CXSITE_CACHE_DIR", str(folder))
    return folder

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / "projects"

TEAM = """\
organisation:
  name: Brightline Delivery
people:
  ana:
    name: Ana Souza
    email: ana@brightline.example
    phone: "+44 20 7946 0101"
  tom:
    name: Tom Okafor
    email: tom@brightline.example
"""

CUSTOMER = """\
name: Acme & Co
timezone: Europe/London
cx_owner: ana
primary_contacts:
  - person: ana
    handles: Everything
audiences:
  everyone: {name: Everyone}
  executives: {name: Executives}
site: {base_url: "https://status.example/acme/"}
"""

PROJECT = """\
name: ERP roll-out
summary: New ERP for finance.
status: active
health: on_track
health_reason: All good.
percent_complete: 40
start: 2026-01-05
planned_end: 2026-12-18
update_cadence: monthly
milestones:
  - id: design
    title: Design signed off
    planned: 2026-03-01
    done: 2026-03-02
disruptions:
  - id: cutover
    title: Finance system offline
    start: 2026-10-24T22:00
    end: 2026-10-25T04:00
    affects: Finance team
    impact: high
"""

UPDATE = """\
---
id: u-kickoff
title: Kick-off
date: 2026-01-06T09:30
author: ana
---
We started.
"""


def write_tree(root: Path, files: dict[str, str | bytes | None]) -> Path:
    for name, content in files.items():
        path = root / name
        if content is None:
            if path.exists():
                path.unlink()
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content), encoding="utf-8")
    return root


@pytest.fixture
def portfolio(tmp_path: Path) -> Callable[..., Path]:
    """``portfolio({"acme/customer.yml": "...", ...})``: the minimal valid
    portfolio with the given files replaced (None deletes a file)."""

    def make(files: dict[str, str | bytes | None] | None = None) -> Path:
        root = tmp_path / "projects"
        base = {
            "team.yml": TEAM,
            "acme/customer.yml": CUSTOMER,
            "acme/erp/project.yml": PROJECT,
            "acme/erp/updates/kickoff.md": UPDATE,
        }
        base.update(files or {})
        return write_tree(root, base)

    return make


DEMO_NOW = "2026-11-25T12:00:00+00:00"


@pytest.fixture(scope="session")
def demo_site(tmp_path_factory) -> Path:
    """The demo portfolio built once per test session, as of DEMO_NOW."""
    import datetime as dt

    from cxsite.build import build_portfolio

    out = tmp_path_factory.mktemp("demo") / "site"
    build_portfolio(DEMO, out, config_file=REPO / "mkdocs.yml", cutoff=dt.datetime.fromisoformat(DEMO_NOW))
    return out


def rendered(site):  # type: ignore[no-untyped-def]
    """One microsite's artifacts, as a build renders them (its Markdown
    converted, its images read), outside a build."""
    from cxsite.render.prose import Prose, markdown_texts
    from cxsite.render.site import SiteRenderer, site_images
    from cxsite.source.files import read_images

    return SiteRenderer().render(site, Prose.of(markdown_texts(site.customer)), read_images(site_images(site)))


def require(tool: Path | str, what: str) -> None:
    """Missing tools fail in CI (scripts/test installs them) and skip elsewhere."""
    if Path(tool).exists():
        return
    message = f"{what} not installed ({tool}); run scripts/test to install it"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, as a customer opens the pages."""
    require(CHROMIUM, "Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--disable-quic"])
        yield browser
        browser.close()


def messages(root: Path) -> list[str]:
    """``cxsite check``'s diagnostics for the portfolio at ``root``, formatted
    as the CLI prints them, with paths relative to it."""
    from cxsite.views.rules import check_portfolio

    cwd = os.getcwd()
    os.chdir(root)
    try:
        return [d.format() for d in check_portfolio(".")]
    finally:
        os.chdir(cwd)
