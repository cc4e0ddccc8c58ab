"""What a customer's browser, an HTML checker and an accessibility checker
say about the demo microsites (real clients: Nu HTML Checker, Chromium, axe)."""

from __future__ import annotations

import functools
import http.server
import json
import os
import subprocess
import threading
from pathlib import Path

import pytest

from .conftest import REPO, require

TOOLS = Path(os.environ.get("CXSITE_TOOLS", REPO / ".tools"))
VNU = TOOLS / "node_modules/vnu-jar/build/dist/vnu.jar"
AXE = TOOLS / "node_modules/axe-core/axe.min.js"
SCREENSHOTS = Path(os.environ.get("CXSITE_SCREENSHOTS", REPO / "build" / "screenshots"))

# Every page type, in an English and a German microsite, and an end-users site.
PAGES = [
    "northbridge-health/executives/",
    "northbridge-health/executives/projects/epr-rollout/",
    "northbridge-health/executives/projects/epr-rollout/updates/2026-11-20-weekly-update/",
    "northbridge-health/executives/updates/",
    "northbridge-health/executives/contacts/",
    "northbridge-health/executives/subscribe/",
    "northbridge-health/clinical-staff/",
    "mueller-soehne/executives/",
    "mueller-soehne/executives/projects/linie-3-automatisierung/",
    "prairie-river-power/operations/projects/unit2-turbine-upgrade/",
]


@pytest.fixture(scope="module")
def server(demo_site):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = functools.partial(Quiet, directory=str(demo_site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()


def test_every_page_passes_the_nu_html_checker(demo_site):
    require(VNU, "vnu-jar")
    pages = sorted(str(p) for p in demo_site.rglob("*.html"))
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=900)
    messages = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').split('/site/')[-1]}:{m.get('lastLine')}: {m['message']}" for m in messages
              if m.get("type") == "error"]
    assert errors == [], f"{len(errors)} HTML errors, first ones:\n" + "\n".join(errors[:20])


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_serious_accessibility_violations(server, browser, scheme):
    require(AXE, "axe-core")
    axe = AXE.read_text(encoding="utf-8")
    problems = []
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    for path in PAGES:
        page.goto(server + path)
        page.add_script_tag(content=axe)
        result = page.evaluate("""async () => await axe.run(document, {
            runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})""")
        for violation in result["violations"]:
            if violation["impact"] in ("critical", "serious"):
                targets = [n["target"] for n in violation["nodes"][:3]]
                problems.append(f"{path}: {violation['id']} ({violation['impact']}): {violation['help']} {targets}")
    context.close()
    assert problems == [], "\n".join(problems)


def test_pages_request_nothing_from_outside_hosts(server, browser):
    outside = []
    context = browser.new_context()
    context.on("request", lambda request: outside.append(request.url)
               if not request.url.startswith(server) and not request.url.startswith("data:") else None)
    page = context.new_page()
    for path in PAGES:
        page.goto(server + path, wait_until="networkidle")
    context.close()
    assert outside == []


def test_pages_read_without_javascript(server, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(server + "northbridge-health/executives/")
    assert page.get_by_role("heading", name="Your projects").is_visible()
    page.get_by_role("link", name="Electronic patient record roll-out").first.click()
    assert page.get_by_role("heading", name="Timeline").is_visible()
    context.close()


@pytest.mark.parametrize("width, height, name", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_screenshots_at_desktop_and_phone_width(server, browser, width, height, name):
    """Writes screenshots to build/screenshots (for a person to look at) and
    checks that nothing overflows the viewport horizontally."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    for path in PAGES[:3] + PAGES[6:8]:
        page.goto(server + path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than a {width}px screen"
        page.screenshot(path=str(SCREENSHOTS / f"{path.strip('/').replace('/', '_')}-{name}.png"), full_page=True)
    context.close()


def test_a_project_page_prints_on_a4(server, browser):
    context = browser.new_context()
    page = context.new_page()
    page.goto(server + PAGES[1])
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    (SCREENSHOTS / "project-print.pdf").write_bytes(pdf)
    context.close()
