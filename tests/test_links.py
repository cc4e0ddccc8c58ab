"""Links: e-mail addresses are the ones mail uses (RFC 5321/5322), every URL
cxsite writes into an attribute is a valid URL (RFC 3986, RFC 6068 for
mailto, RFC 3966 for tel), and footnotes stay unique on a page that shows
several Markdown texts."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from cxsite.model.load import load_portfolio
from cxsite.views.rules import check_portfolio

from .conftest import TEAM


def messages(root: Path) -> list[str]:
    """Diagnostics formatted as the CLI prints them, with paths relative to root."""
    cwd = os.getcwd()
    os.chdir(root)
    try:
        return [d.format() for d in check_portfolio(".")]
    finally:
        os.chdir(cwd)


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
