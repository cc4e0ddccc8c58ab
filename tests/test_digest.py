"""E-mail digests: the right items for the audience, a message every mail client can read, and delivery."""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import re
import socket
from email.message import EmailMessage
from email.utils import getaddresses, parsedate_to_datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from cxsite.cli.digest import digest as digest_command
from cxsite.publish.mail import SmtpSettings, send_digest
from cxsite.render.digest import DigestError, build_digest, digest_content
from cxsite.model.load import load_portfolio
from cxsite.views import Microsite, microsite

from .conftest import DEMO

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)   # London is on GMT: 12:00 local
SINCE = dt.date(2026, 11, 1)

TEAM = """\
organisation:
  name: Brightline Delivery
people:
  zoe:
    name: Zoë 山田
    title: Head of CX
    email: zoe@brightline.example
    phone: "+44 20 7946 0101"
  ana:
    name: Ana Souza
    email: ana@brightline.example
"""

CUSTOMER = """\
name: Ακμή & Co
timezone: Europe/London
cx_owner: zoe
primary_contacts:
  - person: zoe
    handles: Everything
audiences:
  everyone: {name: Everyone}
  executives: {name: Executives}
site: {base_url: "https://status.example/acme/"}
distribution_list: [team@acme.example, board@acme.example]
"""

PROJECT = """\
name: ERP roll-out
summary: New ERP for finance.
status: active
health: on_track
health_reason: All good.
percent_complete: 40
start: 2026-01-05
planned_end: 2027-06-30
update_cadence: weekly
milestones:
  - {id: design, title: Design signed off, planned: 2026-03-01, done: 2026-03-02}
  - {id: pilot, title: Pilot finished, planned: 2026-11-01, done: 2026-11-05}
  - {id: board-review, title: Board review, planned: 2026-11-06, done: 2026-11-06, audiences: [executives]}
  - {id: go-live, title: Go-live, planned: 2026-12-01, forecast: 2026-12-10}
  - {id: training, title: Training done, planned: 2026-12-25}
  - {id: hypercare, title: Hypercare ends, planned: 2026-12-26}
disruptions:
  - {id: cutover, title: Finance offline, start: 2026-12-05T22:00, end: 2026-12-06T04:00, affects: Finance team,
     impact: high, announced: 2026-11-10}
  - {id: called-off, title: Printer swap, start: 2026-12-01T09:00, end: 2026-12-01T10:00, affects: Finance team,
     impact: low, status: cancelled, announced: 2026-11-01, changed: 2026-11-20}
  - {id: far-away, title: Archive move, start: 2027-02-01T09:00, end: 2027-02-01T17:00, affects: Everyone,
     impact: low, announced: 2026-11-01}
  - {id: last-week, title: Old outage, start: 2026-11-10T09:00, end: 2026-11-10T12:00, affects: Everyone,
     impact: low, announced: 2026-10-01}
  - {id: board-outage, title: Board portal offline, start: 2026-12-02T09:00, end: 2026-12-02T12:00,
     affects: The board, impact: low, announced: 2026-11-01, audiences: [executives]}
decisions:
  - {id: chart, title: Approve the chart of accounts, owner: "Ἀριστοτέλης, CFO", due: 2026-12-01}
  - {id: vendor, title: Choose the bank connector, owner: CFO, due: 2026-11-20}
  - {id: scope, title: Scope, owner: CFO, due: 2026-10-01, status: decided, outcome: As planned.}
  - {id: budget, title: Release the contingency, owner: CFO, due: 2026-12-15, audiences: [executives]}
"""

SECRET_PROJECT = """\
name: Board restructuring
summary: Only for the board.
status: active
health: on_track
health_reason: Fine.
percent_complete: 10
start: 2026-10-01
planned_end: 2027-06-30
update_cadence: monthly
audiences: [executives]
milestones:
  - {id: secret-ms, title: Secret milestone, planned: 2026-12-01}
decisions:
  - {id: secret-decision, title: Secret decision, owner: Board, due: 2026-12-01}
"""


def update_md(uid: str, date: str, body: str = "Text.", **front: str) -> str:
    extra = "".join(f"{key}: {value}\n" for key, value in front.items())
    return f"---\nid: {uid}\ntitle: Title of {uid}\ndate: {date}\nauthor: zoe\n{extra}---\n{body}\n"


UPDATES = {
    "u-before": update_md("u-before", "2026-10-31T23:59"),
    "u-first": update_md("u-first", "2026-11-01T00:00",
                         "We **started** the pilot. ![plan](https://images.example/plan.png) "
                         "<script>alert(1)</script> See [the plan](../plan/)."),
    "u-internal": update_md("u-internal", "2026-11-10T09:00", internal="true"),
    "u-draft": update_md("u-draft", "2026-11-11T09:00", draft="true"),
    "u-embargoed": update_md("u-embargoed", "2026-11-20T09:00", publish_after="2026-11-26T08:00"),
    "u-released": update_md("u-released", "2026-10-20T09:00", publish_after="2026-11-03T08:00"),
    "u-exec": update_md("u-exec", "2026-11-12T09:00", audiences="[executives]"),
    "u-summary": update_md("u-summary", "2026-11-20T09:00", "Long body.", summary='"Short and sweet: Ζωή."'),
    "u-now": update_md("u-now", "2026-11-25T12:00"),
    "u-later-today": update_md("u-later-today", "2026-11-25T12:01"),
}


@pytest.fixture
def root(portfolio) -> Path:
    files = {"team.yml": TEAM, "acme/customer.yml": CUSTOMER, "acme/erp/project.yml": PROJECT,
             "acme/board/project.yml": SECRET_PROJECT,
             "acme/board/updates/board.md": update_md("u-board", "2026-11-15T09:00")}
    files.update({f"acme/erp/updates/{uid}.md": text for uid, text in UPDATES.items()})
    return portfolio(files)


def site_of(root: Path, audience: str = "everyone", now: dt.datetime = NOW) -> Microsite:
    model, _ = load_portfolio(root)
    customer = model.customers[0]
    return microsite(model, customer, customer.audience(audience), now)


def ids(items) -> list[str]:
    return [item.id for item in items]


def parts(message: EmailMessage) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def reparse(message: EmailMessage) -> EmailMessage:
    """The message as a mail client would read it off the wire."""
    return email.message_from_bytes(message.as_bytes(policy=email.policy.SMTP), policy=email.policy.default)


# --------------------------------------------------------------- what is in it

def test_the_digest_lists_exactly_what_the_audience_may_see_in_the_period(root):
    content = digest_content(site_of(root), SINCE)
    # Newest first by the date each update shows; u-released (dated 20 Oct) is new because its embargo lifted on 3 Nov.
    assert ids(content.updates) == ["u-now", "u-summary", "u-first", "u-released"]
    assert ids(content.reached) == ["pilot"]
    assert ids(content.upcoming) == ["go-live", "training"]      # 26 Dec is 31 days away
    assert ids(content.disruptions) == ["called-off", "cutover"]
    assert [(d.id, d.cancelled) for d in content.disruptions] == [("called-off", True), ("cutover", False)]
    assert ids(content.decisions) == ["vendor", "chart"]
    assert [d.overdue for d in content.decisions] == [True, False]


def test_the_executives_digest_adds_their_items(root):
    content = digest_content(site_of(root, "executives"), SINCE)
    assert "u-exec" in ids(content.updates) and "u-board" in ids(content.updates)
    assert "board-review" in ids(content.reached)
    assert "secret-ms" in ids(content.upcoming)
    assert "board-outage" in ids(content.disruptions)
    assert {"budget", "secret-decision"} <= set(ids(content.decisions))


def test_hidden_and_out_of_period_items_appear_in_neither_part(root):
    text, html = parts(build_digest(site_of(root), SINCE, now=NOW))
    for absent in ("u-before", "u-internal", "u-draft", "u-embargoed", "u-exec", "u-later-today", "u-board",
                   "Design signed off", "Board review", "Hypercare ends", "Archive move", "Old outage",
                   "Board portal offline", "Scope", "Release the contingency", "Board restructuring", "Secret"):
        assert absent not in text and absent not in html, absent


def test_since_is_a_day_in_the_customers_zone(root):
    """23:30 UTC on 31 October is still October in London, but already 1 November in Berlin."""
    (Path(root) / "acme/erp/updates/u-edge.md").write_text(update_md("u-edge", "2026-10-31T23:30Z"))
    assert "u-edge" not in ids(digest_content(site_of(root), SINCE).updates)
    (Path(root) / "acme/customer.yml").write_text(CUSTOMER.replace("Europe/London", "Europe/Berlin"))
    assert "u-edge" in ids(digest_content(site_of(root), SINCE).updates)


def test_an_update_without_summary_gets_a_plain_excerpt_of_its_rendered_body(root):
    items = {item.id: item for item in digest_content(site_of(root), SINCE).updates}
    assert items["u-summary"].excerpt == "Short and sweet: Ζωή."
    assert items["u-first"].excerpt.startswith("We started the pilot.")
    assert items["u-first"].url == "https://status.example/acme/everyone/projects/erp/updates/u-first/"
    text, html = parts(build_digest(site_of(root), SINCE, now=NOW))
    assert "images.example" not in html and "<img" not in html and "<script" not in html


def test_times_are_in_the_customers_zone_and_name_it(root):
    text, html = parts(build_digest(site_of(root), SINCE, now=NOW))
    for part in (text, html):
        assert "5 Dec 2026, 22:00 GMT – 6 Dec 2026, 04:00 GMT" in part
        assert "Times are shown in Europe/London time." in part
    assert "[CANCELLED] Printer swap" in text


def test_the_links_are_absolute_and_at_the_end(root):
    text, html = parts(build_digest(site_of(root), SINCE, now=NOW))
    base = "https://status.example/acme/everyone/"
    tail = text[text.index("Stay informed"):]
    assert [line.split(": ", 1)[1] for line in tail.splitlines() if base in line] == [
        base, base + "feed.xml", base + "calendar.ics"]
    assert all(href.startswith(base) for href in re.findall(r'href="([^"]+)"', html))


def test_without_a_base_url_there_are_no_links_and_the_footer_says_so(root):
    (Path(root) / "acme/customer.yml").write_text(
        CUSTOMER.replace('site: {base_url: "https://status.example/acme/"}', "site: {feeds: false}"), encoding="utf-8")
    text, html = parts(build_digest(site_of(root), SINCE, now=NOW))
    assert "http" not in text and "href" not in html
    assert "This status page has no web address yet, so this e-mail has no links." in text
    assert "This status page has no web address yet" in html


def test_without_feeds_only_the_status_page_is_linked(root):
    (Path(root) / "acme/customer.yml").write_text(
        CUSTOMER.replace('site: {base_url: "https://status.example/acme/"}',
                         'site: {base_url: "https://status.example/acme/", feeds: false}'), encoding="utf-8")
    content = digest_content(site_of(root), SINCE)
    assert [link.url for link in content.links] == ["https://status.example/acme/everyone/"]
    assert all(item.url == "" for item in content.disruptions)       # no "Add to calendar" .ics either
    text, html = parts(build_digest(site_of(root), SINCE, now=NOW))
    assert ".ics" not in text + html and "feed.xml" not in text + html


def test_a_quiet_period_says_nothing_is_new(root):
    (Path(root) / "acme/erp/project.yml").write_text(PROJECT.split("milestones:")[0], encoding="utf-8")
    later = dt.datetime(2026, 11, 30, 12, tzinfo=dt.timezone.utc)
    content = digest_content(site_of(root, now=later), dt.date(2026, 11, 27))
    assert content.empty
    text, html = parts(build_digest(site_of(root, now=later), dt.date(2026, 11, 27), now=later))
    assert "Nothing new since 27 Nov 2026, and nothing planned for the next 30 days." in " ".join(text.split())
    assert "Nothing new since 27 Nov 2026" in html


def test_german_customers_get_german_words(root):
    (Path(root) / "acme/customer.yml").write_text(CUSTOMER + "language: de\n", encoding="utf-8")
    message = build_digest(site_of(root), SINCE, now=NOW)
    text, html = parts(message)
    assert message["Subject"] == "Ακμή & Co – Projektstand, 25.11.2026"
    assert "Entscheidungen, die wir von Ihnen brauchen" in text and "Neue Beiträge" in html
    assert message["Content-Language"] == "de"


# ------------------------------------------------------------ the message

def test_the_message_is_multipart_alternative_with_utf8_text_then_html(root):
    message = reparse(build_digest(site_of(root), SINCE, now=NOW))
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    assert "Ἀριστοτέλης, CFO" in plain.get_content() and "Ἀριστοτέλης, CFO" in html.get_content()
    assert "Zoë 山田" in plain.get_content()


def test_headers_name_the_customer_the_sender_and_the_list(root):
    message = reparse(build_digest(site_of(root), SINCE, now=NOW))
    assert message["Subject"] == "Ακμή & Co – project update, 25 Nov 2026"
    assert message["From"].addresses[0].display_name == "Zoë 山田"
    assert message["From"].addresses[0].addr_spec == "zoe@brightline.example"
    assert [a.addr_spec for a in message["To"].addresses] == ["team@acme.example", "board@acme.example"]
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert re.fullmatch(r"<digest\.[0-9a-f]{32}@brightline\.example>", message["Message-ID"])
    assert message["List-Id"] == "<everyone.acme.digest.brightline.example>"
    assert "List-Unsubscribe" not in message


def test_the_message_id_is_deterministic(root):
    site = site_of(root)
    first, again = build_digest(site, SINCE, now=NOW), build_digest(site, SINCE, now=NOW)
    assert first["Message-ID"] == again["Message-ID"] and bytes(first) == bytes(again)
    assert build_digest(site, dt.date(2026, 11, 2), now=NOW)["Message-ID"] != first["Message-ID"]
    assert build_digest(site_of(root, "executives"), SINCE, now=NOW)["Message-ID"] != first["Message-ID"]


def test_sender_and_recipients_can_be_given(root):
    message = build_digest(site_of(root), SINCE, now=NOW, sender="Status Bot <status@notify.example>",
                           recipients=["one@acme.example"])
    assert str(message["From"]) == "Status Bot <status@notify.example>"
    assert message["Message-ID"].endswith("@notify.example>")
    assert str(message["Reply-To"]) == "Zoë 山田 <zoe@brightline.example>"   # replies still reach the CX owner
    assert str(message["To"]) == "one@acme.example"


def test_the_footer_explains_why_and_how_to_stop_without_an_unsubscribe_link(root):
    text, html = parts(build_digest(site_of(root), SINCE, now=NOW))
    why = "You receive this because you are on team@acme.example, board@acme.example. To stop, reply to Zoë 山田."
    assert why in " ".join(text.split()) and why in html
    assert "unsubscribe" not in (text + html).lower()


def test_the_html_is_mail_client_safe(root):
    _, html = parts(build_digest(site_of(root), SINCE, now=NOW))
    assert "<style" not in html and "<link" not in html and "<img" not in html and "@import" not in html
    assert "url(" not in html and "<script" not in html
    assert 'width="640"' in html and "max-width:640px" in html
    assert html.count("<table") >= 3
    assert '<html lang="en">' in html


def test_a_missing_sender_or_recipient_list_is_a_clear_error(root):
    (Path(root) / "acme/customer.yml").write_text(
        CUSTOMER.replace("distribution_list: [team@acme.example, board@acme.example]\n", ""), encoding="utf-8")
    with pytest.raises(DigestError, match="no distribution_list"):
        build_digest(site_of(root), SINCE, now=NOW)
    (Path(root) / "team.yml").write_text(TEAM.replace("    email: zoe@brightline.example\n", ""), encoding="utf-8")
    with pytest.raises(DigestError, match="--from"):
        build_digest(site_of(root), SINCE, now=NOW, recipients=["x@acme.example"])


def test_the_demo_digest_renders(tmp_path):
    model, _ = load_portfolio(DEMO)
    customer = model.customer("northbridge-health")
    site = microsite(model, customer, customer.audience("everyone"), NOW)
    text, html = parts(build_digest(site, SINCE, now=NOW))
    assert "Northbridge Health & Care Group" in text
    assert "Weekly update: pathology extract received" in html
    assert "Patients will see their records" not in html           # embargoed until 7 December
    assert "Wave 2 readiness" not in html                           # a draft


# ------------------------------------------------------------------- SMTP

def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server():
    """A real SMTP server on loopback (aiosmtpd), without TLS; yields (inbox, port, logins)."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    logins: list[tuple[bytes, bytes]] = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login, auth_data.password))
        ok = auth_data.password == b"s3cret"
        return AuthResult(success=ok, handled=ok)   # handled=False: aiosmtpd answers 535 itself

    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=authenticator,
                            auth_require_tls=False)
    controller.start()
    try:
        yield inbox, port, logins
    finally:
        controller.stop()


def smtp_env(port: int, **extra: str) -> dict[str, str]:
    return {"CXSITE_SMTP_HOST": "127.0.0.1", "CXSITE_SMTP_PORT": str(port), "CXSITE_SMTP_STARTTLS": "0",
            "CXSITE_SMTP_USER": "", "CXSITE_SMTP_PASSWORD": "", **extra}


def test_cxsite_digest_send_delivers_to_the_distribution_list(root, smtp_server):
    inbox, port, _ = smtp_server
    result = CliRunner().invoke(digest_command, [
        "acme", "everyone", "--since", "2026-11-01", "--projects", str(root), "--now", "2026-11-25T12:00Z",
        "--send"], env=smtp_env(port))
    assert result.exit_code == 0, result.output
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "zoe@brightline.example"
    assert envelope.rcpt_tos == ["team@acme.example", "board@acme.example"]
    message = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert message["Subject"] == "Ακμή & Co – project update, 25 Nov 2026"
    assert message["From"].addresses[0].display_name == "Zoë 山田"
    assert [a.addr_spec for a in message["To"].addresses] == envelope.rcpt_tos
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.iter_parts()
    assert "Title of u-first" in plain.get_content() and "Title of u-first" in html.get_content()
    assert "Ἀριστοτέλης" in plain.get_content()
    assert "sent 'Ακμή & Co – project update, 25 Nov 2026' (acme/everyone) to 2 recipients" in result.stderr


def test_send_logs_in_and_honours_to_and_from(root, smtp_server):
    inbox, port, logins = smtp_server
    result = CliRunner().invoke(digest_command, [
        "acme", "--since", "2026-11-01", "--projects", str(root), "--now", "2026-11-25T12:00Z", "--send",
        "--to", "a@acme.example,b@acme.example", "--to", "c@acme.example", "--from", "status@notify.example"],
        env=smtp_env(port, CXSITE_SMTP_USER="digest", CXSITE_SMTP_PASSWORD="s3cret"))
    assert result.exit_code == 0, result.output
    assert logins == [(b"digest", b"s3cret")]
    (envelope,) = inbox.envelopes
    assert envelope.mail_from == "status@notify.example"
    assert envelope.rcpt_tos == ["a@acme.example", "b@acme.example", "c@acme.example"]


def test_a_wrong_password_is_a_clear_error_without_the_password(root, smtp_server):
    inbox, port, _ = smtp_server
    message = build_digest(site_of(root), SINCE, now=NOW)
    with pytest.raises(DigestError, match="refused the login of 'digest'") as error:
        send_digest(message, SmtpSettings("127.0.0.1", port, "digest", "wrong", starttls=False))
    assert "wrong" not in str(error.value) and inbox.envelopes == []


def test_starttls_is_the_default_and_a_server_without_it_is_refused(root, smtp_server):
    _, port, _ = smtp_server
    settings = SmtpSettings.from_env(smtp_env(port, CXSITE_SMTP_STARTTLS=""))
    assert settings.starttls
    with pytest.raises(DigestError, match="does not support STARTTLS"):
        send_digest(build_digest(site_of(root), SINCE, now=NOW), settings)


@pytest.mark.parametrize("env, error", [
    ({}, "CXSITE_SMTP_HOST is not set"),
    ({"CXSITE_SMTP_HOST": "mail.example", "CXSITE_SMTP_PORT": "smtp"}, "CXSITE_SMTP_PORT must be a port number"),
    ({"CXSITE_SMTP_HOST": "mail.example", "CXSITE_SMTP_USER": "me"}, "CXSITE_SMTP_PASSWORD is not"),
])
def test_smtp_settings_come_from_the_environment(env, error):
    with pytest.raises(DigestError, match=error):
        SmtpSettings.from_env(env)
    assert SmtpSettings.from_env({"CXSITE_SMTP_HOST": "mail.example"}) == SmtpSettings("mail.example", 587)


# -------------------------------------------------------------------- CLI

def run(root: Path, *args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(digest_command, [*args, "--projects", str(root), "--now", "2026-11-25T12:00Z"],
                              env=env or {})


def test_without_send_the_digest_goes_to_stdout_or_a_file(root, tmp_path):
    printed = run(root, "acme", "everyone", "--since", "2026-11-01")
    assert printed.exit_code == 0 and "Subject: =?utf-8?" in printed.stdout
    out = tmp_path / "digest.eml"
    written = run(root, "acme", "everyone", "--since", "2026-11-01", "--out", str(out))
    assert written.exit_code == 0 and written.stdout == ""
    message = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == "Ακμή & Co – project update, 25 Nov 2026"
    assert [addr for _, addr in getaddresses([str(message["To"])])] == ["team@acme.example", "board@acme.example"]


@pytest.mark.parametrize("args, env, error", [
    (["nobody", "--since", "2026-11-01"], None, "no customer 'nobody'"),
    (["acme", "board", "--since", "2026-11-01"], None, "has no audience 'board' (its audiences: everyone, executives)"),
    (["acme", "--since", "2026-11-01", "--send"], {"CXSITE_SMTP_HOST": ""}, "CXSITE_SMTP_HOST is not set"),
    (["acme", "--since", "1 November"], None, "Invalid value for '--since'"),
])
def test_cli_errors_are_clear(root, args, env, error):
    result = run(root, *args, env=env)
    assert result.exit_code != 0
    assert error in result.output


def test_several_audiences_without_everyone_need_a_choice(root):
    (Path(root) / "acme/customer.yml").write_text(
        CUSTOMER.replace("everyone: {name: Everyone}", "staff: {name: Staff}"), encoding="utf-8")
    result = run(root, "acme", "--since", "2026-11-01")
    assert result.exit_code != 0 and "name the one whose digest to build (staff, executives)" in result.output
