"""Markdown is converted once per render, from a table the render is given,
and read as text and summarised by one function each."""

from __future__ import annotations

import datetime as dt

import feedparser
import pytest

from cxsite.model.load import load_portfolio
from cxsite.render.dashboard import render_dashboard
from cxsite.render.prose import Prose, markdown_texts
from cxsite.render.site import SiteRenderer, site_images
from cxsite.render.text import summary
from cxsite.source.files import read_images
from cxsite.views import microsites
from cxsite.views.rules import cx_findings

from .conftest import DEMO, UPDATE

NOW = dt.datetime(2026, 11, 25, 12, tzinfo=dt.timezone.utc)
LONG = ("The data migration has run twice without errors on the test system, and the finance team checked "
        "every ledger against the old one; what remains is the sign-off by the controller next week and the "
        "cut-over weekend itself, which we plan for the end of the month.")


def test_the_model_declares_every_markdown_text_a_page_or_feed_shows():
    """Each demo microsite and the dashboard render from a table of exactly
    the texts the model marks as Markdown: a text the renderers asked for
    and the model did not declare would fail here."""
    model, _ = load_portfolio(DEMO)
    renderer = SiteRenderer()
    for site in microsites(model, NOW):
        renderer.render(site, Prose.of(markdown_texts(site.customer)), read_images(site_images(site)))
    render_dashboard(model, NOW, cx_findings(model, NOW), Prose.of(markdown_texts(model.customers)))


def test_a_text_missing_from_the_table_is_a_bug_not_a_silent_conversion():
    with pytest.raises(KeyError, match="not converted for this render"):
        Prose({})["Some *text*"]
    assert Prose.converting()["Some *text*"].html == "<p>Some <em>text</em></p>"


def test_markdown_texts_finds_only_markdown_fields_once_each(portfolio):
    model, _ = load_portfolio(portfolio())
    texts = markdown_texts(model.customers, model.customers)
    assert "New ERP for finance." in texts and "We started." in texts      # a project summary, an update body
    assert "Kick-off" not in texts and "All good." not in texts            # a title, a health reason
    assert len(texts) == len(set(texts))


def test_a_page_description_a_feed_summary_and_the_summariser_agree(portfolio, tmp_path):
    from cxsite.build import build_portfolio

    root = portfolio({"acme/erp/updates/kickoff.md": UPDATE.replace("We started.", LONG)})
    out = tmp_path / "site"
    build_portfolio(root, out, cutoff=NOW, config_file=DEMO.parent / "mkdocs.yml")
    expected = summary(LONG)
    assert len(expected) <= 200 and LONG.startswith(expected.rstrip("…"))   # whole words, then "…"
    page = (out / "acme/everyone/projects/erp/updates/kickoff/index.html").read_text(encoding="utf-8")
    assert f'<meta name="description" content="{expected}">' in page
    feed = feedparser.parse((out / "acme/everyone/feed.xml").read_bytes())
    assert next(e for e in feed.entries if e.title == "Kick-off").summary == expected
