"""`cxsite audit`: a built site holds nothing its audience must not see.

A small portfolio is seeded with unique markers in every place that must
never be published (internal notes, internal/draft/future/embargoed
updates), with executives-only items, and with a second customer. It is
built once; the audit must pass. Then leaks are planted, escaped the way
each file format escapes text, and the audit must name each one and its file.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxsite.checks.audit import AuditError, audit_site
from cxsite.checks.markers import markers_from_env
from cxsite.checks.needles import forbidden_needles
from cxsite.checks.manifest import ManifestError, read_manifest
from cxsite.build import build_portfolio
from cxsite.cli.audit import audit as audit_command
from cxsite.model.load import load_portfolio

from .conftest import DEMO, REPO, TEAM, UPDATE, write_tree

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
CONFIG = REPO / "mkdocs.yml"

ACME = """\
name: Acme & Co
timezone: Europe/London
cx_owner: ana
primary_contacts:
  - person: ana
    handles: Everything
audiences:
  everyone: {name: Everyone}
  executives: {name: Executives}
site: {base_url: "https://status.example/acme/", access: private}
internal_note: The renewal is at risk, SECRET-CUSTNOTE-7f3a, the sponsor wants a discount of twelve percent.
"""

ACME_PROJECT = """\
name: ERP roll-out
summary: New ERP for finance.
status: active
health: on_track
health_reason: All good.
percent_complete: 40
start: 2026-01-05
planned_end: 2026-12-18
update_cadence: monthly
internal_note: SECRET-PROJNOTE-7f3a the margin on this job is already down to six percent.
milestones:
  - id: design
    title: Design signed off
    planned: 2026-03-01
    done: 2026-03-02
    internal_note: SECRET-MSNOTE-7f3a signed off late on purpose.
  - id: board
    title: Board approval EXECONLY-MS-7f3a
    planned: 2026-06-01
    done: 2026-06-01
    audiences: [executives]
disruptions:
  - id: cutover
    title: Finance system offline
    start: 2026-10-24T22:00
    end: 2026-10-25T04:00
    affects: Finance team
    impact: high
    internal_note: SECRET-DISNOTE-7f3a rota pay needs checking with HR.
budget:
  currency: GBP
  approved: 100000
  spent: 50000
  audiences: [executives]
  internal_note: SECRET-BUDNOTE-7f3a the overrun is not billable.
decisions:
  - id: change-request
    title: Sign change request EXECONLY-DEC-7f3a
    owner: Chief Finance Officer
    due: 2026-12-01
    audiences: [executives]
"""


def update(uid: str, title: str, body: str, extra: str = "", date: str = "2026-11-02T09:30") -> str:
    return f"---\nid: {uid}\ntitle: \"{title}\"\ndate: {date}\nauthor: ana\n{extra}---\n{body}\n"


INTERNAL_BODY = "We agreed a discount of twelve percent, which the customer must not hear about before renewal."
EXEC_BODY = "The steering group approved the extra spend on the condition that the go-live date holds."

UPDATES = {
    "acme/erp/updates/kickoff.md": UPDATE,
    "acme/erp/updates/internal.md": update("u-internal", "SECRET-INTUPD-7f3a commercial position", INTERNAL_BODY,
                                           "internal: true\n"),
    "acme/erp/updates/draft.md": update("u-draft", "SECRET-DRAFT-7f3a readiness",
                                        "Half-written, SECRET-DRAFTBODY-7f3a, numbers still to be checked.",
                                        "draft: true\n"),
    "acme/erp/updates/future.md": update("u-future", "SECRET-FUTURE-7f3a go-live done",
                                         "Everything went live without a hitch on the first of December.",
                                         date="2026-12-01T09:00"),
    "acme/erp/updates/embargo.md": update("u-embargo", "SECRET-EMBARGO-7f3a price announcement",
                                          "The new prices take effect in January, announced at the fair.",
                                          "publish_after: 2026-12-07T08:00\n"),
    "acme/erp/updates/execs.md": update("u-execs", "Budget extension EXECONLY-UPD-7f3a", EXEC_BODY,
                                        "audiences: [executives]\n"),
}

GLOBEX = """\
name: Globex Société
timezone: Europe/Paris
cx_owner: tom
primary_contacts:
  - person: tom
    handles: Everything
site: {base_url: "https://status.example/globex/"}
internal_note: SECRET-GLOBEXNOTE-7f3a Le directeur général préfère le téléphone aux courriels.
"""

GLOBEX_PROJECT = re.sub(r"(?m)^ *audiences: \[executives\]\n", "", ACME_PROJECT.replace(
    "ERP roll-out", "Plant automation").replace("SECRET-", "SECRET-GLOBEX-").replace("EXECONLY-", "GLOBEX-"))

FILES = {"team.yml": TEAM, "acme/customer.yml": ACME, "acme/erp/project.yml": ACME_PROJECT, **UPDATES,
         "globex/customer.yml": GLOBEX, "globex/plant/project.yml": GLOBEX_PROJECT,
         "globex/plant/updates/kickoff.md": UPDATE}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, Path]:
    root = write_tree(tmp_path_factory.mktemp("p") / "projects", FILES)
    out = tmp_path_factory.mktemp("out") / "site"
    build_portfolio(root, out, config_file=CONFIG, cutoff=NOW)
    return root, out


@pytest.fixture(scope="module")
def portfolio_model(built):
    return load_portfolio(built[0])[0]


@pytest.fixture
def site(built, tmp_path) -> Path:
    """A private copy of the built site to plant leaks in (hard links: cheap)."""
    copy = tmp_path / "site"
    shutil.copytree(built[1], copy, copy_function=os.link)
    return copy


def plant(site: Path, rel: str, transform) -> None:
    """Rewrite one file of the copy (a new inode, so the shared build stays clean)."""
    path = site / rel
    data = path.read_bytes() if path.exists() else b""
    if path.exists():
        path.unlink()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(transform(data))


def before_body_end(snippet: str):
    return lambda data: data.replace(b"</body>", snippet.encode() + b"</body>", 1)


def found(findings, path: str, what: str) -> bool:
    return any(f.path == path and what in f.what for f in findings)


# ------------------------------------------------------------ clean builds

def test_a_clean_build_passes(built, portfolio_model):
    assert audit_site(built[1], portfolio_model) == []


def test_no_seeded_secret_reaches_any_byte_of_any_file(built, portfolio_model):
    """Every never-publish field carries 'SECRET-': as a marker it must be nowhere."""
    assert audit_site(built[1], portfolio_model, markers=["SECRET-"]) == []


def test_executives_only_items_reach_the_executives_and_no_one_else(built):
    def contains(folder: str, text: bytes) -> bool:
        return any(text in p.read_bytes() for p in (built[1] / folder).rglob("*") if p.is_file())

    for token in (b"EXECONLY-MS-7f3a", b"EXECONLY-DEC-7f3a", b"EXECONLY-UPD-7f3a"):
        assert contains("acme/executives", token) and not contains("acme/everyone", token), token
    assert not contains("globex/everyone", b"Acme")


def test_needles_are_distinctive_not_common_words(portfolio_model):
    acme = portfolio_model.customer("acme")
    needles = {n.text: n for n in forbidden_needles(portfolio_model, acme, acme.audience("everyone"), NOW)}
    assert "globex société" in needles and needles["globex"].token
    assert "board approval execonly-ms-7f3a" in needles               # a title for executives only
    assert "acme & co" not in needles and "design signed off" not in needles  # visible to everyone
    assert all(len(text) >= 4 for text in needles)
    assert any("discount of twelve percent" in text for text in needles)  # a run of an internal body


# ------------------------------------------------------------------ leaks

def test_a_marker_appended_to_a_page_is_found(site, portfolio_model):
    plant(site, "acme/everyone/index.html", before_body_end("<p>TOPSECRET-42</p>"))
    findings = audit_site(site, portfolio_model, markers=["topsecret-42"])
    assert [(f.path, f.what) for f in findings] == [("acme/everyone/index.html", "secret marker 'topsecret-42'")]
    assert "TOPSECRET-42" in findings[0].excerpt


def test_markers_come_from_the_environment_too():
    assert markers_from_env({"CXSITE_SECRET_MARKERS": " PROJECT-X , ,CODENAME-Y"}) == ("PROJECT-X", "CODENAME-Y")
    assert markers_from_env({}) == ()


def test_another_customers_name_in_a_feed_is_found_through_double_xml_escaping(site, portfolio_model):
    item = "<item><description>&lt;p&gt;Thanks to Globex Soci&amp;#233;t&amp;#233;!&lt;/p&gt;</description></item>"
    plant(site, "acme/everyone/feed.xml", lambda data: data.replace(b"</channel>", item.encode() + b"</channel>"))
    findings = audit_site(site, portfolio_model)
    assert found(findings, "acme/everyone/feed.xml", "another customer's name 'Globex Société'")


def test_a_slug_counts_only_as_a_whole_token(site, portfolio_model):
    plant(site, "acme/everyone/sitemap.xml",
          lambda data: data.replace(b"</urlset>", b"<url><loc>https://status.example/globex/everyone/</loc></url>"
                                                  b"</urlset>"))
    plant(site, "acme/everyone/contacts/index.html", before_body_end("<p>megaglobex globexx globex-tools</p>"))
    findings = audit_site(site, portfolio_model)
    assert found(findings, "acme/everyone/sitemap.xml", "another customer's slug 'globex'")
    assert not any(f.path == "acme/everyone/contacts/index.html" for f in findings)


def _fold(line: str) -> str:
    """iCalendar/vCard folding: lines of at most 75 characters, continued after CRLF + space."""
    return "\r\n ".join(line[i:i + 60] for i in range(0, len(line), 60))


def test_internal_update_text_in_a_calendar_is_found_despite_folding_and_escaping(site, portfolio_model):
    description = "DESCRIPTION:" + INTERNAL_BODY.replace(",", "\\,")
    assert "\r\n " in _fold(description)
    plant(site, "acme/everyone/calendar.ics",
          lambda data: data.replace(b"END:VEVENT", (_fold(description) + "\r\nEND:VEVENT").encode(), 1))
    findings = audit_site(site, portfolio_model)
    assert found(findings, "acme/everyone/calendar.ics", "internal update 'SECRET-INTUPD-7f3a commercial position'")


def test_another_customers_name_in_a_vcard_is_found_despite_folding(site, portfolio_model):
    note = "NOTE:Also looks after the account of our friends at Globex Soci\u00e9t\u00e9 in Paris\\, France"
    plant(site, "acme/everyone/contacts/ana.vcf",
          lambda data: data.replace(b"END:VCARD", (_fold(note) + "\r\nEND:VCARD").encode()))
    assert found(audit_site(site, portfolio_model), "acme/everyone/contacts/ana.vcf", "another customer's name")


def test_an_internal_note_in_the_search_index_is_found_through_unicode_escapes(site, portfolio_model):
    note = "Le directeur général préfère le téléphone aux courriels."
    leak = json.dumps({"location": "x/", "title": "x", "text": note})
    assert "\\u00e9" in leak
    plant(site, "globex/everyone/search/search_index.json", lambda data: data.replace(b'"docs":[', b'"docs":['
                                                                                      + leak.encode() + b",", 1))
    findings = audit_site(site, portfolio_model)
    assert found(findings, "globex/everyone/search/search_index.json", "internal note of customer 'Globex Société'")


@pytest.mark.parametrize("title, what", [
    ("SECRET-DRAFT-7f3a readiness", "draft update"),
    ("SECRET-FUTURE-7f3a go-live done", "update not released until 2026-12-01"),
    ("SECRET-EMBARGO-7f3a price announcement", "update not released until 2026-12-07"),
])
def test_drafts_and_updates_not_yet_due_are_found(site, portfolio_model, title, what):
    plant(site, "acme/executives/updates/index.html", before_body_end(f"<h2>{title}</h2>"))
    assert found(audit_site(site, portfolio_model), "acme/executives/updates/index.html", what)


def test_executives_only_content_is_a_leak_for_everyone_but_not_for_the_executives(site, portfolio_model):
    plant(site, "acme/everyone/index.html", before_body_end("<li><em>Board approval</em> EXECONLY-MS-7f3a</li>"))
    plant(site, "acme/everyone/projects/erp/index.html",
          before_body_end(f"<p>{EXEC_BODY.replace('extra spend', '<strong>extra spend</strong>')}</p>"))
    plant(site, "acme/executives/index.html", before_body_end("<p>Board approval EXECONLY-MS-7f3a</p>"))
    findings = audit_site(site, portfolio_model)
    assert found(findings, "acme/everyone/index.html",
                 "milestone 'Board approval EXECONLY-MS-7f3a' for executives only")
    assert found(findings, "acme/everyone/projects/erp/index.html", "update for executives only")
    assert not any(f.path.startswith("acme/executives/") for f in findings)


def test_a_gzipped_sitemap_is_read_uncompressed(site, portfolio_model):
    plant(site, "acme/everyone/sitemap.xml.gz", lambda data: gzip.compress(
        gzip.decompress(data).replace(b"</urlset>", b"<!-- Globex Soci&#233;t&#233; --></urlset>")))
    assert found(audit_site(site, portfolio_model), "acme/everyone/sitemap.xml.gz", "another customer's name")


def test_the_manifest_must_not_be_inside_a_microsite(site, portfolio_model):
    shutil.copy(site / "manifest.json", site / "acme/everyone/assets/data.json")
    findings = audit_site(site, portfolio_model)
    assert found(findings, "acme/everyone/assets/data.json", "the build manifest")


def test_pages_of_a_private_site_must_say_noindex(site, portfolio_model):
    plant(site, "acme/everyone/contacts/index.html", lambda data: data.replace(b'name="robots"', b'name="x"'))
    assert found(audit_site(site, portfolio_model), "acme/everyone/contacts/index.html", "without <meta name")


def test_stray_files_and_symbolic_links_are_findings(site, portfolio_model):
    (site / "notes.txt").write_text("scratch")
    os.symlink(site.parent, site / "acme/everyone/escape")
    findings = audit_site(site, portfolio_model)
    assert found(findings, "notes.txt", "file outside every microsite")
    assert found(findings, "acme/everyone/escape", "symbolic link")


def test_only_audits_the_chosen_microsites(site, portfolio_model):
    plant(site, "acme/everyone/index.html", before_body_end("<p>Globex Société</p>"))
    assert audit_site(site, portfolio_model, only=["globex"]) == []
    assert audit_site(site, portfolio_model, only=["acme/everyone"]) != []


def test_a_site_from_another_portfolio_cannot_be_audited(site, tmp_path, portfolio):
    other = load_portfolio(portfolio())[0]  # has acme, but no globex
    with pytest.raises(AuditError, match="globex/everyone is in .* but not in the portfolio"):
        audit_site(site, other)
    with pytest.raises(ManifestError, match="not found"):
        read_manifest(tmp_path)


# -------------------------------------------------------------------- CLI

def test_cli_reports_each_finding_with_its_file_and_exits_1(built, site):
    ok = CliRunner().invoke(audit_command, [str(built[1]), "--projects", str(built[0])])
    assert ok.exit_code == 0, ok.output
    assert "cxsite audit ok: 3 microsites" in ok.output

    plant(site, "acme/everyone/feed.json", lambda data: data.replace(b'"items"', b'"x": "CODENAME-Q", "items"', 1))
    plant(site, "acme/everyone/index.html", before_body_end("<p>Plant automation</p>"))
    bad = CliRunner().invoke(audit_command, [str(site), "--projects", str(built[0]), "--marker", "codename-q"],
                             env={"CXSITE_SECRET_MARKERS": "NEVER-THERE"})
    assert bad.exit_code == 1
    assert "acme/everyone/feed.json: secret marker 'codename-q'" in bad.output
    assert "cxsite audit failed: 1 finding in 1 file" in bad.output  # a project name alone is not secret


def test_cli_explains_a_missing_manifest_and_a_broken_portfolio(built, tmp_path, portfolio):
    missing = CliRunner().invoke(audit_command, [str(tmp_path), "--projects", str(built[0])])
    assert missing.exit_code == 1 and "manifest.json not found" in missing.output
    assert "Traceback" not in missing.output
    broken = portfolio({"acme/erp/project.yml": "name: [unclosed"})
    result = CliRunner().invoke(audit_command, [str(built[1]), "--projects", str(broken)])
    assert result.exit_code == 1 and "has errors" in result.output


# ------------------------------------------------------------------- demo

def test_the_demo_portfolio_builds_and_audits_clean(tmp_path):
    out = tmp_path / "site"
    build_portfolio(DEMO, out, config_file=CONFIG, cutoff=NOW)
    portfolio_model = load_portfolio(DEMO)[0]
    assert [f.format() for f in audit_site(out, portfolio_model)] == []
