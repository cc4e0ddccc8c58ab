"""Hostile strings in YAML and hostile Markdown never become active content
in any output: pages, search index, feeds, calendars or vCards."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from cxsite.build import build_portfolio

from .conftest import CUSTOMER, PROJECT, REPO, TEAM, UPDATE, write_tree

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
HOSTILE_NAME = "Acme <script>alert('name')</script> & \"Co\""
HOSTILE_TITLE = "</title><script>alert(1)</script>"
HOSTILE_ATTR = "\"><img src=x onerror=alert(2)>"
HOSTILE_SUMMARY = "\"><img src=x onerror=alert(11)> <b>bold</b> & more"
HOSTILE_BODY = """\
<script>alert(3)</script>

[click](javascript:alert(4)) and <a href="jav&#x09;ascript:alert(5)">x</a>

A paragraph with attributes
{: onclick="alert(6)" class="md-header" }

![img](x.png){: onerror="alert(7)" }

<iframe src="https://evil.example"></iframe><svg onload=alert(8)></svg>

| a | b |
|---|---|
| <b onmouseover=alert(9)>cell</b> | ok |
"""


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    project = PROJECT.replace("name: ERP roll-out", f"name: '{HOSTILE_TITLE}'")
    project = project.replace("affects: Finance team", f"affects: '{HOSTILE_ATTR}'")
    project = project.replace("summary: New ERP for finance.", "summary: '[x](javascript:alert(10)) <script>x</script>'")
    team = TEAM.replace("name: Ana Souza", "name: '<b>Ana</b> \"Souza\" & Co; O''Brien, 山田'")
    update = (UPDATE.replace("title: Kick-off", f"title: '{HOSTILE_ATTR}'\nsummary: '{HOSTILE_SUMMARY}'")
              .replace("We started.", HOSTILE_BODY))
    root = write_tree(tmp_path_factory.mktemp("xss") / "projects", {
        "team.yml": team,
        "acme/customer.yml": CUSTOMER.replace("name: Acme & Co", f"name: \"{HOSTILE_NAME.replace(chr(34), '')}\""),
        "acme/erp/project.yml": project,
        "acme/erp/updates/kickoff.md": update,
    })
    out = tmp_path_factory.mktemp("out") / "site"
    build_portfolio(root, out, config_file=REPO / "mkdocs.yml", cutoff=NOW)
    return out


def outputs(built: Path, *suffixes: str):
    for path in sorted(built.rglob("*")):
        if path.is_file() and path.suffix in suffixes:
            yield path, path.read_text(encoding="utf-8", errors="replace")


def test_no_script_or_event_handler_reaches_any_page(built):
    for path, text in outputs(built, ".html"):
        assert not re.search(r"<script>\s*alert", text), path
        assert not re.search(r"<(?:img|a|p|b|svg|iframe)\b[^>]*\son\w+\s*=", text, re.I), path
        assert not re.search(r"""href\s*=\s*["']?\s*(?:javascript|vbscript|data):""", text, re.I), path
        assert "<iframe" not in text, path
        assert 'class="md-header"' not in text.split('<article', 1)[-1], path  # no class injection into content


def test_hostile_titles_are_shown_as_text(built):
    page = (built / "acme/everyone/projects/erp/index.html").read_text(encoding="utf-8")
    title = re.search(r"<title>(.*?)</title>", page, re.S).group(1)
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;" in title
    assert "&lt;/title&gt;&lt;script&gt;alert(1)&lt;/script&gt;</h1>" in page


def test_markdown_that_is_safe_still_renders(built):
    update = next((built / "acme/everyone/projects/erp/updates").glob("*/index.html")).read_text(encoding="utf-8")
    assert "<table>" in update and "<td>ok</td>" in update
    assert 'alt="img"' in update


def test_feeds_and_search_index_carry_no_active_content(built):
    import feedparser

    for path, text in outputs(built, ".xml"):
        if path.name == "sitemap.xml":
            continue
        feed = feedparser.parse(text.encode("utf-8"), sanitize_html=False)
        for entry in feed.entries:
            assert entry.title_detail.type == "text/plain", path  # titles are text, never markup
            for content in entry.get("content", []):
                html = content.value
                assert not re.search(r"<script", html, re.I), path
                assert not re.search(r"<[^>]+\son\w+\s*=", html, re.I), path
                assert not re.search(r"href=[\"']?(?:javascript|data):", html, re.I), path
    index = (built / "acme/everyone/search/search_index.json").read_text(encoding="utf-8")
    assert "<script" not in index and not re.search(r"<img[^>]*onerror", index)


def test_rss_descriptions_are_text_shown_as_text_in_readers(built):
    """RSS cannot say that a description is plain text, and readers render
    it as HTML: a summary's markup must arrive escaped, as text, never as an
    element (the item's own HTML is content:encoded)."""
    import lxml.html
    from lxml import etree

    feeds = [path for path, _ in outputs(built, ".xml") if path.name != "sitemap.xml"
             and etree.parse(str(path)).getroot().tag == "rss"]
    assert feeds
    seen = False
    for path in feeds:
        for description in etree.parse(str(path)).getroot().iter("description"):
            shown = lxml.html.fragment_fromstring(description.text or "", create_parent="div")
            assert [element.tag for element in shown.iter()] == ["div"], (path, description.text)
            seen = seen or HOSTILE_SUMMARY in shown.text_content()
    assert seen   # the summary is there, word for word, as text
