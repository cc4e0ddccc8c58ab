"""Links: e-mail addresses are the ones mail uses (RFC 5321/5322), every URL
cxsite writes into an attribute is a valid URL (RFC 3986, RFC 6068 for
mailto, RFC 3966 for tel), and footnotes stay unique on a page that shows
several Markdown texts."""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path

import lxml.html
import pytest
import vobject
from hypothesis import given
from hypothesis import strategies as st
from lxml import etree

from cxsite.build import build_portfolio
from cxsite.model.load import load_portfolio
from cxsite.render.urls import mailto, uri

from .conftest import CUSTOMER, PROJECT, REPO, TEAM, UPDATE, messages, require, write_tree
from .test_site_quality import VNU




def with_email(address: str) -> dict[str, str]:
    """The minimal portfolio with Tom's e-mail address replaced (line 10, column 12)."""
    quoted = "'" + address.replace("'", "''") + "'"
    return {"team.yml": TEAM.replace("email: tom@brightline.example", f"email: {quoted}")}


# ------------------------------------------------------------ e-mail syntax

@pytest.mark.parametrize("address", [
    "o'brien@example.com",                       # an apostrophe is atext (RFC 5322 3.2.3)
    "o'brien+{ops}@example.com",                 # so are + { }
    "a&b=c?d@example.com",
    "!#$%&'*+-/=?^_`{|}~@example.com",           # every atext special
    "first.last@sub.example.co.uk",
    "jörg@bücher.example",                       # internationalised (RFC 6531, IDNA)
    "ana@xn--bcher-kva.example",
])
def test_addresses_that_mail_uses_are_accepted(portfolio, address):
    model, _ = load_portfolio(portfolio(with_email(address)))
    assert model.team.person("tom").email == address


@pytest.mark.parametrize("address, problem", [
    ("a b@example.com", "invalid characters before the @-sign: SPACE"),
    ("a@b@example.com", "the part after the @-sign contains invalid characters: '@'"),
    ("<x>@example.com", "contains invalid characters: '<', '>'"),
    ("a..b@example.com", "cannot have two periods in a row"),
    (".a@example.com", "cannot start with a period"),
    ("a.@example.com", "cannot have a period immediately before the @-sign"),
    ("ana@example", "the part after the @-sign is not valid. It should have a period"),
    ("ana@-x.example", "cannot have a hyphen immediately after the @-sign"),
    ("ana@x_y.example", "the part after the @-sign contains invalid characters: '_'"),
    ("a,b@example.com", "invalid characters before the @-sign: ','"),
    ("ana@example.com;tom@example.com", "the part after the @-sign contains invalid characters"),
    ("Ana <ana@example.com>", "a display name and angle brackets"),
    ("ana@[192.0.2.1]", "a bracketed IP address after the @-sign is not allowed"),
    ("tom-at-brightline", "an email address must have an @-sign"),
])
def test_addresses_mail_refuses_get_a_diagnostic_with_a_fix(portfolio, address, problem):
    found = [line for line in messages(portfolio(with_email(address))) if line.startswith("team.yml:10:12: error: ")]
    assert len(found) == 1, messages(portfolio(with_email(address)))
    line = found[0]
    assert f"{address!r} is not a valid e-mail address: " in line
    assert problem.lower() in line.lower()
    assert line.endswith("(write one address such as ana.souza@example.com: letters, digits and "
                         "!#$%&'*+-/=?^_`{|}~ before the @, dots only between them)")


def test_a_quoted_local_part_is_refused_and_the_hint_says_so(portfolio):
    found = messages(portfolio(with_email('"ana souza"@example.com')))
    assert ("team.yml:10:12: error: '\"ana souza\"@example.com' is not a valid e-mail address: quoting the part "
            "before the @-sign is not allowed here (cxsite does not accept quoted local parts: write the address "
            "without quotes, as most mail systems require)") in found


# ------------------------------------------------------- URLs in the outputs

ODD = "o'brien+{ops}@example.com"                 # valid dot-atom; '{' and '}' are not allowed in a URL
ODD_HREF = "mailto:o'brien+%7Bops%7D@example.com"
WEBSITE = "https://bücher.example/über-uns?x={1}|2"
WEBSITE_URI = "https://xn--bcher-kva.example/%C3%BCber-uns?x=%7B1%7D%7C2"
NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
FOOTNOTED = "We started[^1], as planned[^1].\n\n[^1]: On the sixth."
#: A URI reference as RFC 3986 writes it: only these characters, '%' only in an escape, one '#'.
_URI_CHAR = r"(?:[A-Za-z0-9\-._~:/?@!$&'()*+,;=]|%[0-9A-Fa-f]{2})"
URI_REFERENCE = re.compile(rf"(?:{_URI_CHAR}|[\[\]])*(?:#{_URI_CHAR}*)?")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    team = (TEAM.replace("name: Brightline Delivery", f"name: Brightline Delivery\n  website: '{WEBSITE}'")
            .replace("email: tom@brightline.example", f"email: \"{ODD}\"\n    phone: \"+44 (20) 7946/0102\""))
    customer = (CUSTOMER.replace("cx_owner: ana", "cx_owner: ana\nescalation: [tom]")
                + 'feedback: {email: "feed|back{1}@example.com", form_url: "https://forms.example/{acme}|x"}\n')
    project = PROJECT.replace("update_cadence: monthly", "update_cadence: monthly\ncontacts: [tom]").replace(
        "summary: New ERP for finance.",
        f"summary: \"Mail [us](mailto:{ODD}?subject=a b) or see [the plan](https://example.com/{{plan}}|^).\"")
    project = project.replace("summary: \"Mail", "summary: \"New ERP[^1]. Mail").replace(
        "|^).\"", "|^).\\n\\n[^1]: For finance.\"")
    project = project.replace("    done: 2026-03-02\n", "    done: 2026-03-02\n    description: |\n"
                              "      Signed off[^1].\n\n      [^1]: By the steering group.\n")
    project = project.replace("    impact: high\n", "    impact: high\n    description: |\n"
                              "      Paper forms[^1] and a second note[^2].\n\n      [^1]: In each office.\n"
                              "      [^2]: Ask the team.\n")
    project += ("decisions:\n  - id: dates\n    title: Training dates\n    owner: Finance\n    due: 2026-12-01\n"
                "    description: |\n      Paper forms[^1] and a second note[^2].\n\n      [^1]: In each office.\n"
                "      [^2]: Ask the team.\n")           # the same text twice on one page
    update = UPDATE.replace("author: ana", "author: tom").replace("We started.", FOOTNOTED)
    root = write_tree(tmp_path_factory.mktemp("links") / "projects", {
        "team.yml": team, "acme/customer.yml": customer, "acme/erp/project.yml": project,
        "acme/erp/updates/kickoff.md": update,
        "acme/crm/project.yml": project.replace("name: ERP roll-out", "name: CRM")})   # its decision again
    out = tmp_path_factory.mktemp("out") / "site"
    build_portfolio(root, out, config_file=REPO / "mkdocs.yml", cutoff=NOW)
    return out / "acme" / "everyone"


def attribute_urls(page: Path) -> list[tuple[str, str]]:
    tree = lxml.html.fromstring(page.read_bytes())
    return [(element.tag, element.get(name)) for element in tree.iter() if isinstance(element.tag, str)
            for name in ("href", "src", "action") if element.get(name) is not None]


def test_a_person_with_an_odd_address_gets_a_percent_encoded_mailto_link(built):
    page = built / "contacts" / "index.html"
    links = {href: text for href, text in ((a.get("href"), a.text_content())
                                           for a in lxml.html.fromstring(page.read_bytes()).iter("a"))}
    assert links.get(ODD_HREF) == ODD             # the link text is the address as written
    assert f"mailto:{ODD}" not in links
    assert 'href="mailto:o&#39;brien+%7Bops%7D@example.com"' in page.read_text(encoding="utf-8")


def test_a_phone_link_holds_digits_and_visual_separators_only(built):
    hrefs = {href for _, href in attribute_urls(built / "contacts" / "index.html") if href.startswith("tel:")}
    assert hrefs == {"tel:+442079460101", "tel:+44(20)79460102"}      # "+44 20 7946 0101", "+44 (20) 7946/0102"


def test_the_feedback_mailto_encodes_address_and_subject(built):
    hrefs = [href for _, href in attribute_urls(built / "projects" / "erp" / "index.html")]
    feedback = next(href for href in hrefs if href.startswith("mailto:feed"))
    assert feedback.startswith("mailto:feed%7Cback%7B1%7D@example.com?subject=")
    assert "https://forms.example/%7Bacme%7D%7Cx" in hrefs


def test_links_written_in_markdown_are_encoded_too(built):
    hrefs = [href for _, href in attribute_urls(built / "projects" / "erp" / "index.html")]
    assert "mailto:o'brien+%7Bops%7D@example.com?subject=a%20b" in hrefs
    assert "https://example.com/%7Bplan%7D%7C%5E" in hrefs


def test_every_url_in_every_page_attribute_is_a_valid_uri_reference(built):
    bad = [f"{page.relative_to(built)}: <{tag}> {url!r}" for page in sorted(built.rglob("*.html"))
           for tag, url in attribute_urls(page) if not url.startswith("data:") and not URI_REFERENCE.fullmatch(url)]
    assert bad == []


def test_feeds_and_vcards_carry_uris_and_the_plain_address(built):
    card = vobject.readOne((built / "contacts" / "tom.vcf").read_text(encoding="utf-8"))
    assert card.email.value == ODD                 # an address, not a URL: as written
    assert card.url.value == WEBSITE_URI
    feed = json.loads((built / "feed.json").read_text(encoding="utf-8"))
    assert feed["authors"][0]["url"] == WEBSITE_URI
    authors = [author for item in feed["items"] for author in item.get("authors", [])]
    assert authors == [{"name": "Tom Okafor", "url": ODD_HREF}]
    atom = etree.fromstring((built / "atom.xml").read_bytes())
    uris = [element.text for element in atom.iter("{http://www.w3.org/2005/Atom}uri")]
    assert uris == [WEBSITE_URI]


def test_the_pages_with_odd_links_pass_the_nu_html_checker(built):
    require(VNU, "vnu-jar")
    pages = [str(built / "contacts" / "index.html"), str(built / "projects" / "erp" / "index.html"),
             str(built / "index.html")]
    result = subprocess.run(["java", "-jar", str(VNU), "--errors-only", "--format", "json", *pages],
                            capture_output=True, text=True, timeout=300)
    found = json.loads(result.stderr or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').rsplit('/everyone/', 1)[-1]}:{m.get('lastLine')}: {m['message']}" for m in found
              if m.get("type") == "error"]
    assert errors == []


@pytest.mark.parametrize("url", [
    "https://example.com/a/b?c=d&e=f#g", "https://user:pw@[2001:db8::1]:8443/p;x=1?q=%7B#top",
    "mailto:ana@example.com?subject=Hello%20there", "tel:+44-20-7946-0101", "../images/plan.png", "#fn:1",
    "https://example.com/~ana/(draft)/it's!*+,;=:@",
])
def test_a_valid_uri_is_written_unchanged(url):
    assert uri(url) == url


@pytest.mark.parametrize("url, expected", [
    ("https://example.com/{id}|^`", "https://example.com/%7Bid%7D%7C%5E%60"),
    ("https://example.com/50%", "https://example.com/50%25"),
    ("https://example.com/a?b=c d#e#f", "https://example.com/a?b=c%20d#e%23f"),
    ("https://bücher.example/straße", "https://xn--bcher-kva.example/stra%C3%9Fe"),
    ("https://example.com/[x]\"<>\\", "https://example.com/%5Bx%5D%22%3C%3E%5C"),
])
def test_what_rfc_3986_forbids_is_percent_encoded(url, expected):
    assert uri(url) == expected


@given(st.text())
def test_any_text_becomes_a_valid_uri_reference_once_and_for_all(text):
    written = uri(text)
    assert URI_REFERENCE.fullmatch(written), written
    assert uri(written) == written


@pytest.mark.parametrize("address, headers, expected", [
    ("ana@example.com", {}, "mailto:ana@example.com"),
    (ODD, {}, ODD_HREF),
    ("a&b=c?d#e%f/g@example.com", {}, "mailto:a%26b%3Dc%3Fd%23e%25f%2Fg@example.com"),
    ("jörg@bücher.example", {}, "mailto:j%C3%B6rg@b%C3%BCcher.example"),
    ("ana@example.com", {"subject": "Q&A: 50% / 2 – ok?"},
     "mailto:ana@example.com?subject=Q%26A:%2050%25%20%2F%202%20%E2%80%93%20ok%3F"),
])
def test_mailto_encodes_what_is_not_a_qchar(address, headers, expected):
    assert mailto(address, **headers) == expected


# ------------------------------------------------------------------ footnotes

def footnote_links(page: Path) -> tuple[list[str], list[tuple[str, str]]]:
    """Every id on the page, and each footnote link (class, target id)."""
    tree = lxml.html.fromstring(page.read_bytes())
    ids = [element.get("id") for element in tree.iter() if isinstance(element.tag, str) and element.get("id")]
    links = [(a.get("class"), a.get("href")[1:]) for a in tree.iter("a")
             if a.get("class") in ("footnote-ref", "footnote-backref")]
    return ids, links


def test_footnotes_of_several_markdown_fields_on_one_page_keep_distinct_ids(built):
    ids, links = footnote_links(built / "projects" / "erp" / "index.html")
    notes = [i for i in ids if i.startswith("fn")]
    # summary 1, milestone 1, disruption 2 and the decision's identical text 2: a mark and a note each
    assert len(notes) == 2 * (1 + 1 + 2 + 2)
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)
    assert len(links) == len(notes)


def test_every_footnote_mark_and_back_link_leads_within_its_own_text(built):
    """A browser follows ``#id`` to the first element with that id: the
    note a mark leads to, and the mark a back-link leads to, must be in the
    same Markdown text (the element that holds its ``div.footnote``)."""
    for page in (built / "projects" / "erp" / "index.html",
                 built / "projects" / "erp" / "updates" / "kickoff" / "index.html"):
        tree = lxml.html.fromstring(page.read_bytes())
        links = tree.xpath("//a[@class='footnote-ref' or @class='footnote-backref']")
        assert links, page
        for link in links:
            text = next(a for a in link.iterancestors() if a.find("div[@class='footnote']") is not None)
            targets = tree.xpath("//*[@id=$id]", id=link.get("href")[1:])
            assert targets, (page.name, link.get("href"))
            assert text in targets[0].iterancestors(), (page.name, link.get("href"), targets[0].text_content())


def test_the_dashboard_shows_the_same_text_twice_with_distinct_footnotes(built):
    page = built.parent.parent / "_internal" / "dashboard" / "decisions" / "index.html"
    ids, links = footnote_links(page)
    assert len([i for i in ids if i.startswith("fn")]) == 2 * 2 * 2      # two decisions, two notes each
    assert len(set(ids)) == len(ids), sorted(i for i in ids if ids.count(i) > 1)
    assert [target for _, target in links if target not in ids] == []


def test_footnote_ids_depend_on_the_text_alone(built):
    """A conversion is kept by the digest of its text: its ids may not
    depend on where or when it was converted."""
    from cxsite.render.markdown import MarkdownRenderer

    first, again = MarkdownRenderer().render(FOOTNOTED).html, MarkdownRenderer()
    again.render("Another text[^1].\n\n[^1]: Converted first.")
    assert again.render(FOOTNOTED).html == first
    assert 'id="fn:1"' not in first                     # not the id every text would give its first note
