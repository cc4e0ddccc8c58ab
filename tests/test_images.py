"""Images a portfolio shows are inert on the site: an SVG logo or photo is
published rebuilt from an allow-list (no script, handler, outside link or
embedded document), opened at its own URL in a real browser it runs
nothing and fetches nothing, and what cannot be made safe is refused by
``check`` at its file and line."""

from __future__ import annotations

import datetime as dt
import functools
import http.server
import threading
from pathlib import Path

import pytest
from lxml import etree

from cxsite.build import build_portfolio

from .conftest import CUSTOMER, REPO, TEAM, messages, write_tree

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
SVG_NS = "{http://www.w3.org/2000/svg}"
HOSTILE_SVG = """\
<?xml version="1.0"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40"
     onload="window.pwned = 'onload'">
  <script>window.pwned = 'script'</script>
  <rect width="40" height="40" fill="#0b6e4f"/>
  <a href="javascript:window.pwned='link'"><circle cx="20" cy="20" r="5" fill="#fff"/></a>
  <a xlink:href="https://evil.example/"><circle cx="5" cy="5" r="2"/></a>
  <foreignObject width="40" height="40"><iframe xmlns="http://www.w3.org/1999/xhtml" src="https://evil.example/"/></foreignObject>
  <image href="https://evil.example/track.png" width="1" height="1"/>
  <set attributeName="href" to="javascript:window.pwned='set'"/>
  <text x="2" y="38" onclick="window.pwned = 'click'">Acme</text>
</svg>
"""


def customer_with_logo(logo: str = "logo.svg") -> str:
    return CUSTOMER + f"brand: {{colour: '#0b6e4f', logo: {logo}}}\n"


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    root = write_tree(tmp_path_factory.mktemp("images") / "projects", {
        "team.yml": TEAM.replace('    phone: "+44 20 7946 0101"\n', '    phone: "+44 20 7946 0101"\n    photo: ana.svg\n'),
        "ana.svg": HOSTILE_SVG,
        "acme/customer.yml": customer_with_logo(),
        "acme/logo.svg": HOSTILE_SVG,
    })
    out = tmp_path_factory.mktemp("out") / "site"
    build_portfolio(root, out, config_file=REPO / "mkdocs.yml", cutoff=NOW)
    return out


def published_svgs(site: Path) -> list[Path]:
    return sorted(site.glob("acme/*/assets/*.svg"))


def test_published_svgs_keep_their_shapes_and_lose_everything_active(built):
    svgs = published_svgs(built)
    assert {path.name.split("-")[0] for path in svgs} == {"logo", "person"}
    for path in svgs:
        root = etree.parse(str(path)).getroot()
        assert root.tag == f"{SVG_NS}svg"
        names = {etree.QName(element).localname for element in root.iter() if isinstance(element.tag, str)}
        assert {"rect", "circle", "text"} <= names, path            # the picture is still there
        assert not names & {"script", "foreignObject", "iframe"}, path
        for element in root.iter():
            for attribute, value in element.attrib.items():
                assert not etree.QName(attribute).localname.lower().startswith("on"), (path, attribute)
                if etree.QName(attribute).localname == "href":
                    assert value.startswith("#"), (path, value)   # nothing outside the image
            if etree.QName(element).localname in ("set", "animate"):
                assert element.get("attributeName") not in ("href", "xlink:href"), path  # cannot retarget a link


def test_a_published_svg_opened_at_its_own_url_runs_and_fetches_nothing(built, browser):
    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(built)))
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    requests, dialogs = [], []
    context = browser.new_context()
    context.on("request", lambda request: requests.append(request.url))
    page = context.new_page()
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    try:
        for path in published_svgs(built):
            page.goto(base + path.relative_to(built).as_posix(), wait_until="networkidle")
            page.mouse.click(5, 37)   # on the text that had an onclick
            page.mouse.click(20, 20)  # on the link that was javascript:
            assert page.evaluate("() => window.pwned === undefined"), path
    finally:
        context.close()
        httpd.shutdown()
    assert dialogs == []
    assert [url for url in requests if not url.startswith(base)] == []




def test_check_says_what_the_published_copy_leaves_out_and_where(portfolio):
    found = messages(portfolio({"acme/customer.yml": customer_with_logo(), "acme/logo.svg": HOSTILE_SVG}))
    assert [m for m in found if "logo.svg" in m] == [
        "acme/logo.svg:3: warning: the published copy of this SVG leaves out its onload handler on <svg> "
        "and 7 more active parts (images may not run script or load other files; remove those parts to "
        "silence this)"]


@pytest.mark.parametrize("svg, expected", [
    pytest.param('<svg xmlns="http://www.w3.org/2000/svg">\n  <rect>\n</svg>\n',
                 "acme/logo.svg:3: error: this SVG is not well-formed XML: ", id="malformed"),
    pytest.param('<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaa">]>\n'
                 '<svg xmlns="http://www.w3.org/2000/svg"><text>&a;</text></svg>\n',
                 "acme/logo.svg:1: error: this SVG declares entities, which the published copy cannot keep",
                 id="entities"),
    pytest.param('<?xml version="1.0"?>\n<html xmlns="http://www.w3.org/1999/xhtml"><script>x()</script></html>\n',
                 "acme/logo.svg:2: error: this file is not an SVG image: its root is "
                 "<{http://www.w3.org/1999/xhtml}html>", id="not-svg"),
    pytest.param("\xff\xfe", "acme/logo.svg:1: error: this SVG is not well-formed XML: ", id="not-text"),
])
def test_an_svg_that_cannot_be_made_safe_is_refused_at_its_line(portfolio, svg, expected):
    found = messages(portfolio({"acme/customer.yml": customer_with_logo(), "acme/logo.svg": svg}))
    assert any(m.startswith(expected) for m in found), found
