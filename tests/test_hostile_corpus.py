"""A hostile corpus through every free-text field into every output (issue 16).

What a user would check, written down: a delivery team copies attacks they
found on the web into *every* field ``docs/format.md`` lists as text (HTML
breakouts, ``javascript:`` links and their disguises, CSS, inline SVG,
template syntax, Markdown link and image tricks, comments and CDATA,
calendar and contact-card line injection, feed XML breakouts, bidi and
zero-width characters, very long values), builds the portfolio, and then
opens every file the build wrote:

* every HTML page (the microsites and the team's dashboard): no script they
  did not write themselves, no event handler, no ``javascript:``/``data:``
  address, nothing embedded, no CSS of theirs; the text they typed is shown
  as the text they typed, template syntax included;
* the search index: parses, and what the search box shows from it is inert;
* every feed: well-formed XML that feedparser reads without complaint, plain
  text where the format says text, sanitised HTML where it says HTML;
* every calendar and contact card: parses, holds exactly the events and
  cards it should, no property the text injected, and each text only in the
  property it was written for;
* every published SVG image: no script, handler or outside link;
* the e-mail digest: headers that say only what they should, inert HTML.

Every value carries a marker ``XSS<payload><field>`` (``XSS0512``: payload 5
in field 12), so a finding names the payload and the field it came from.
Addresses (URLs and e-mail) get hostile values the format accepts; the ones
it must not accept are shown to be refused by ``check``.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import gzip
import html as htmllib
import json
import re
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qsl, unquote

import feedparser
import lxml.html
import pytest
import vobject
from icalendar import Calendar
from lxml import etree

from cxsite.build import build_portfolio
from cxsite.source import schema

from .conftest import CUSTOMER, REPO, TEAM

NOW = dt.datetime(2026, 11, 25, 12, 0, tzinfo=dt.timezone.utc)
MARKER = re.compile(r"XSS(\d{2})(\d{2})")


# ------------------------------------------------------------------ the corpus


@dataclass(frozen=True)
class Payload:
    """One hostile value; ``{m}`` in ``template`` is replaced by its marker.
    ``literal``: template syntax that must be shown exactly as written, right
    after the marker; ``evaluated``: what a template engine would show
    instead (it must never follow the marker)."""

    number: int
    name: str
    template: str
    literal: str = ""
    evaluated: str = ""
    long: bool = False

    def value(self, field: "Spot", raw: bool = False) -> str:
        """The value for ``field``: as the field can hold it (one line, at
        most its length), or ``raw``, exactly as the template says."""
        marker = f"XSS{self.number:02d}{field.code:02d}"
        if raw:
            return self.template.replace("{m}", marker)
        if self.long:
            filler = " <a href=\"javascript:alert(1)\">&amp;é'\"</a> {{ 7*7 }} ]]> \u202e"
            filler += "\n\n" if field.multiline else ""   # one paragraph each: Markdown scans a line per brace
            text = marker + filler * (field.max_length // len(filler) + 1)
        else:
            text = self.template.replace("{m}", marker)
        if not field.multiline:
            text = text.replace("\r\n", " ").replace("\n", " ")
        else:
            text = text.replace("\r\n", "\n")
        return text[: field.max_length].strip()


PAYLOADS = [
    Payload(1, "script element", "{m}<script>alert('{m}')</script>"),
    Payload(2, "double-quoted attribute breakout", "{m}\"><img src=x onerror=alert('{m}')>"),
    Payload(3, "single-quoted attribute breakout", "{m}'><svg onload=alert('{m}')>"),
    Payload(4, "javascript: URL", "javascript:alert('{m}')"),
    Payload(5, "javascript: URL with an entity tab", "jav&#x09;ascript:alert('{m}') &#106;avascript:alert(1)"),
    Payload(6, "javascript: URL in mixed case", "JaVaScRiPt:alert('{m}')"),
    Payload(7, "javascript: URL after white space", " \tjavascript:alert('{m}') {m}"),
    Payload(8, "data: URL", "data:text/html,<script>alert('{m}')</script> "
                            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="),
    Payload(9, "style breakout", "{m}</style><script>alert('{m}')</script><style>"),
    Payload(10, "CSS expression and url()", "{m}; color: red; width: expression(alert('{m}')); "
                                            "background: url(javascript:alert('{m}')); @import 'x.css'"),
    Payload(11, "Jinja arithmetic", "{m} {{ 7*7 }}", literal="{{ 7*7 }}", evaluated="49"),
    Payload(12, "Jinja objects", "{m} {{config}}{{ lipsum.globals }}{{ request.application }}",
            literal="{{config}}{{ lipsum.globals }}{{ request.application }}"),
    Payload(13, "Jinja statements", "{m} {% raw %}A{% endraw %}{%- if true -%}B{%- endif -%}",
            literal="{% raw %}A{% endraw %}{%- if true -%}B{%- endif -%}", evaluated="AB"),
    Payload(14, "other template languages", "{m} ${7*7} #{7+7} <%= 7-7 %> {7-7}",
            literal="${7*7} #{7+7} <%= 7-7 %> {7-7}", evaluated="49"),
    Payload(15, "Markdown link injection",
            "[{m}](javascript:alert('{m}')) [{m}](JAVASCRIPT:alert(1)) [{m}](jav&#x09;ascript:alert(1)) "
            "<javascript:alert('{m}')> [{m}](data:text/html,<script>alert(1)</script>) [{m}](vbscript:msgbox(1))"),
    Payload(16, "Markdown image injection",
            "![{m}](x onerror=alert('{m}')) ![{m}\" onerror=\"alert(1)](x.png) ![{m}](javascript:alert(1)) "
            "![{m}](https://x.example/a.png \"\\\" onerror=\\\"alert(1)\")"),
    Payload(17, "HTML comments and CDATA", "{m} <!-- {m} <![CDATA[ {m} ]]> --> ]]> --> <!--"),
    Payload(18, "calendar and card line injection (CRLF)",
            "{m}\r\nEND:VEVENT\r\nBEGIN:VEVENT\r\nUID:evil@x.example\r\nSUMMARY:{m}\r\n"
            "END:VCARD\r\nBEGIN:VCARD\r\nFN:{m}"),
    Payload(19, "calendar organiser injection (LF)",
            "{m}\nORGANIZER:mailto:evil@x.example\nATTENDEE;RSVP=TRUE:mailto:evil@x.example"),
    Payload(20, "Unicode line separators", "{m}\u2028END:VEVENT\u2028BEGIN:VEVENT\u0085ORGANIZER:mailto:evil@x.example"
                                           "\u2029TEL:+15550100"),
    Payload(21, "feed XML breakout",
            "{m}]]></description><script>alert('{m}')</script><description><![CDATA[ "
            "</title></content></entry><entry><title>{m}"),
    Payload(22, "bidi and zero-width characters",
            "{m}\u202egnp.exe\u202c \u200b\u200c\u200d\u2060\ufeff \u2066x\u2069 \u061c \u200e\u200f"),
    Payload(23, "non-characters and C1 controls", "{m} \ufdd0 \x7f \x9b \U0001fffe \U0010ffff"),
    Payload(24, "as long as the field allows", "", long=True),
    Payload(25, "mutation XSS",
            "<noscript><p title=\"</noscript><img src=x onerror=alert('{m}')>\"> <math><mtext><table><mglyph>"
            "<style><img src=x onerror=alert('{m}')></style></mglyph></table></mtext></math> {m}"),
    Payload(26, "Markdown attribute lists",
            "{m} paragraph\n{: onclick=\"alert('{m}')\" .md-button style=\"background:url(javascript:alert(1))\" "
            "#top }\n\n[{m}](https://x.example/){: onmouseover=\"alert(1)\" }"),
    Payload(27, "Markdown references, footnotes and abbreviations",
            "[{m}][r] and {m}[^1]\n\n[r]: javascript:alert('{m}')\n\n"
            "[^1]: <script>alert('{m}')</script> [x](javascript:alert(1))\n\n"
            "*[XSS]: \"><img src=x onerror=alert(1)>"),
    Payload(28, "embedding elements",
            "{m}<iframe src=\"javascript:alert('{m}')\"></iframe><object data=\"x.swf\"></object>"
            "<embed src=\"data:text/html,x\"><form action=\"javascript:alert(1)\"><button "
            "formaction=\"javascript:alert(1)\">{m}</button></form><meta http-equiv=\"refresh\" "
            "content=\"0;url=javascript:alert(1)\"><base href=\"javascript:alert(1)//\">"),
    Payload(29, "inline SVG and MathML",
            "{m}<svg><a xlink:href=\"javascript:alert('{m}')\"><text>{m}</text></a>"
            "<animate attributeName=\"href\" to=\"javascript:alert(1)\"/><foreignObject><img src=x "
            "onerror=alert(1)></foreignObject></svg><math href=\"javascript:alert(1)\">{m}</math>"),
    Payload(30, "entities decoded twice",
            "{m} &lt;script&gt;alert('{m}')&lt;/script&gt; &amp;lt;img src=x onerror=alert(1)&amp;gt; "
            "&#x3C;svg onload=alert(1)&#x3E; &#0; &#xD800; &#x110000;"),
    Payload(31, "quote and raw-text context breakers",
            "{m}' \" ` \\ </title></textarea></noscript></template></xmp></script><plaintext>"),
    Payload(32, "JSON and inline-script breakers",
            "{m}\\\"}]},{\"x\":\"</script><script>alert('{m}')</script>\u2028\u2029"),
    Payload(33, "addresses in text",
            "{m} https://evil.example/\"onmouseover=\"alert(1) www.evil.example/<script> "
            "mailto:evil@x.example?bcc=a@b.example <https://evil.example/\"onclick=\"alert(1)>"),
    Payload(34, "event handlers on allowed tags",
            "<a href=\"https://x.example\" onclick=\"alert('{m}')\">{m}</a><img src=\"https://x.example/a.png\" "
            "onerror=\"alert(1)\"><b onmouseover=alert(1)>{m}</b><p style=\"background:url(javascript:alert(1))\">"
            "x</p><details open ontoggle=alert(1)>"),
    Payload(35, "calendar and card escapes", "{m};X-EVIL=1:x,y\\;z\\,\\n\\N END:VCARD BEGIN:VCARD;;"),
    Payload(36, "Markdown code",
            "```html\n<script>alert('{m}')</script>\n```\n\n`<img src=x onerror=alert('{m}')>` {m}"),
    Payload(37, "scripts of the world", "{m} 😀 𝕏 עִבְרִית العربية 山田 Ὀδυσσεύς £ – …"),
    Payload(38, "Markdown tables",
            "| <b onmouseover=alert('{m}')>{m}</b> | x |\n|---|---|\n| <script>alert(1)</script> | y |"),
    Payload(39, "mail address injection", "{m} Ana Souza <ceo@evil.example>, of the Brightline Delivery customer "
                                          "experience team"),
]
#: The organisation has one name for the whole portfolio: it gets all of these at once.
ORGANISATION_NAME = "XSS0001\"><img src=x onerror=alert(1)></title><script>alert(1)</script>; {{ 7*7 }} ,\\;\u202e"

#: Addresses the format accepts although they look hostile: each is published as a valid URI.
HOSTILE_URLS = [
    "https://forms.example/'onmouseover='alert(1)'",
    "https://javascript:alert(1)@forms.example/",
    "https://forms.example/?q={{7*7}}&x=${7*7}#{%raw%}",
    "https://forms.example/%22%3E%3Cscript%3Ealert(1)%3C/script%3E",
    "https://forms.example/\u202egnp.exe/\u200b",
    "https://аррӏе.example/",
    "https://forms.example/a%0d%0aORGANIZER:mailto:evil@x.example",
    "https://forms.example/;x,y\\z|^`{}",
    "http://forms.example:8080/)]}'--%3E]]",
]
HOSTILE_BASE_PATHS = ["'onmouseover='alert(1)'", "{{7*7}}", "%22%3E%3Cscript%3E", "]]", ";,\\", "é\u202e", "(x)"]
HOSTILE_EMAILS = [
    "ana@bücher.example",
    "x?bcc=evil%40evil.example&y=1@brightline.example",
    "{{7*7}}@brightline.example",
    "'onmouseover='alert`1`'@brightline.example",
    "a#b|c^d~e!f$g&h*i+j/k=l?m_n`o{p}q@brightline.example",
    "%0aORGANIZER=x@brightline.example",
    "müller@brightline.example",
    "o'brien@brightline.example",
]
HOSTILE_PHONES = ["+44 (0)20 7946.0101/2", "+1 555-0100", "0049 30 901820"]
ORGANISATION_WEBSITE = "https://javascript:alert(1)@brightline.example/{{7*7}}/'onload='x'"

#: SVG images (logos and photos) written to do harm when opened at their own address.
HOSTILE_SVGS = [
    """<svg xmlns="http://www.w3.org/2000/svg" width="40" height="40" onload="alert('{m}')">
<script>alert('{m}')</script><script><![CDATA[alert(1)]]></script>
<rect width="40" height="40" fill="#0b6e4f" onclick="alert(1)" onmouseover="alert(1)"/></svg>""",
    """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40">
<a xlink:href="javascript:alert('{m}')"><text x="0" y="20">{m}</text></a>
<a href="https://evil.example/"><rect width="10" height="10"/></a>
<foreignObject width="40" height="40"><iframe xmlns="http://www.w3.org/1999/xhtml" src="javascript:alert(1)"/>
</foreignObject></svg>""",
    """<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40">
<style>@import url(https://evil.example/x.css); rect { fill: url(javascript:alert(1)) }</style>
<image href="https://evil.example/track.png" width="10" height="10"/>
<use xlink:href="https://evil.example/s.svg#x"/>
<image href="data:text/html,&lt;script&gt;alert(1)&lt;/script&gt;" width="10" height="10"/>
<rect width="40" height="40" style="fill:url(https://evil.example/p.svg#x)"/></svg>""",
    """<?xml-stylesheet href="https://evil.example/x.xsl" type="text/xsl"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="40" height="40">
<a><animate attributeName="href" to="javascript:alert('{m}')"/><text x="0" y="20">{m}</text></a>
<set attributeName="onmouseover" to="alert(1)"/>
<handler type="application/ecmascript">alert(1)</handler>
<rect width="40" height="40"/></svg>""",
    """<svg xmlns="http://www.w3.org/2000/svg" xmlns:html="http://www.w3.org/1999/xhtml" width="40" height="40">
<html:script>alert('{m}')</html:script><html:img src="x" onerror="alert(1)"/><html:iframe src="javascript:alert(1)"/>
<text x="0" y="20">{m}</text></svg>""",
]

BODY = "update body"


@dataclass(frozen=True)
class Spot:
    """A free-text field of the format, by its record and key in the schema."""

    code: int
    record: str
    key: str
    published: bool = True

    @property
    def kind(self) -> schema.Text:
        if self.record == BODY:
            return schema.Text(max_length=20_000, multiline=True)  # well under the 512 KiB an update may have
        return next(r for r in schema.ALL_RECORDS if r.name == self.record).field(self.key).kind

    @property
    def max_length(self) -> int:
        return self.kind.max_length

    @property
    def multiline(self) -> bool:
        return self.kind.multiline


SPOTS = [
    Spot(1, "organisation", "name"),
    Spot(2, "person", "name"),
    Spot(3, "person", "title"),
    Spot(4, "customer.yml", "name"),
    Spot(5, "audience", "name"),
    Spot(6, "audience", "description"),
    Spot(7, "primary contact", "handles"),
    Spot(8, "customer.yml", "internal_note", published=False),
    Spot(9, "project.yml", "name"),
    Spot(10, "project.yml", "summary"),
    Spot(11, "project.yml", "health_reason"),
    Spot(12, "milestone", "title"),
    Spot(13, "milestone", "description"),
    Spot(14, "milestone", "internal_note", published=False),
    Spot(15, "disruption", "title"),
    Spot(16, "disruption", "affects"),
    Spot(17, "disruption", "description"),
    Spot(18, "disruption", "internal_note", published=False),
    Spot(19, "budget", "internal_note", published=False),
    Spot(20, "measure", "name"),
    Spot(21, "measure", "unit"),
    Spot(22, "decision", "title"),
    Spot(23, "decision", "owner"),
    Spot(24, "decision", "outcome"),
    Spot(25, "decision", "description"),
    Spot(26, "survey result", "comment"),
    Spot(27, "project.yml", "internal_note", published=False),
    Spot(28, "update front matter", "title"),
    Spot(29, "update front matter", "summary"),
    Spot(30, BODY, "body"),
]
SPOT = {spot.code: spot for spot in SPOTS}


# ------------------------------------------------------------ the portfolio


def yaml_text(text: str) -> str:
    """``text`` as a YAML double-quoted scalar that reads back exactly."""
    out = []
    for ch in text:
        code = ord(ch)
        if ch in "\\\"":
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif code < 0x20 or 0x7F <= code <= 0x9F or code in (0x2028, 0x2029, 0xFEFF) or 0xFDD0 <= code <= 0xFDEF \
                or (code & 0xFFFE) == 0xFFFE:
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


@dataclass
class Corpus:
    """The portfolio written, and what was put where."""

    root: Path
    values: dict[str, tuple[Payload, Spot, str]]   # marker -> (payload, field, value written)
    emails: set[str]
    customers: list[str]
    organisation_name: str = ORGANISATION_NAME
    raw: bool = False

    def put(self, payload: Payload, code: int) -> str:
        spot = SPOT[code]
        value = self.organisation_name if code == 1 else payload.value(spot, self.raw)
        for marker in MARKER.findall(value):
            self.values.setdefault("XSS" + "".join(marker), (payload, spot, value))
        return yaml_text(value)


def write_corpus(root: Path, payloads: list[Payload] = PAYLOADS, *, raw: bool = False,
                 organisation_name: str = ORGANISATION_NAME) -> Corpus:
    """One customer per payload, the payload in each of its free-text fields
    (and in its person's name and title); the organisation, one for all, gets
    ``organisation_name``. ``raw``: values exactly as the payloads say, even
    where the format will not take them."""
    corpus = Corpus(root, {}, set(), [], organisation_name, raw)
    files: dict[str, str] = {}
    people = []
    for payload in payloads:
        i = payload.number
        person, customer = f"p{i:02d}", f"c{i:02d}"
        address = HOSTILE_EMAILS[i % len(HOSTILE_EMAILS)]
        corpus.emails |= {address, f"feedback+{customer}@brightline.example", f"list-{customer}@customer.example"}
        corpus.customers.append(customer)
        people.append(f"""\
  {person}:
    name: {corpus.put(payload, 2)}
    title: {corpus.put(payload, 3)}
    email: {yaml_text(address)}
    phone: {yaml_text(HOSTILE_PHONES[i % len(HOSTILE_PHONES)])}
    timezone: Europe/London
    photo: photos/{person}.svg
""")
        files[f"photos/{person}.svg"] = HOSTILE_SVGS[(i + 1) % len(HOSTILE_SVGS)].replace("{m}", f"XSS{i:02d}99")
        files[f"{customer}/logo.svg"] = HOSTILE_SVGS[i % len(HOSTILE_SVGS)].replace("{m}", f"XSS{i:02d}98")
        base_path = HOSTILE_BASE_PATHS[i % len(HOSTILE_BASE_PATHS)]
        files[f"{customer}/customer.yml"] = f"""\
name: {corpus.put(payload, 4)}
timezone: Europe/London
brand: {{colour: "#0b6e4f", logo: logo.svg}}
cx_owner: {person}
primary_contacts:
  - person: {person}
    handles: {corpus.put(payload, 7)}
escalation: [{person}]
audiences:
  everyone:
    name: {corpus.put(payload, 5)}
    description: {corpus.put(payload, 6)}
feedback:
  form_url: {yaml_text(HOSTILE_URLS[i % len(HOSTILE_URLS)])}
  email: feedback+{customer}@brightline.example
  survey_url: {yaml_text(HOSTILE_URLS[(i + 1) % len(HOSTILE_URLS)])}
site: {{base_url: {yaml_text(f"https://status.example/{customer}/{base_path}/")}}}
distribution_list: [list-{customer}@customer.example]
internal_note: {corpus.put(payload, 8)}
"""
        files[f"{customer}/erp/project.yml"] = f"""\
name: {corpus.put(payload, 9)}
summary: {corpus.put(payload, 10)}
status: active
health: at_risk
health_reason: {corpus.put(payload, 11)}
percent_complete: 40
start: 2026-01-05
planned_end: 2027-06-30
update_cadence: monthly
contacts: [{person}]
milestones:
  - id: design
    title: {corpus.put(payload, 12)}
    planned: 2026-03-01
    done: 2026-03-02
    description: {corpus.put(payload, 13)}
    internal_note: {corpus.put(payload, 14)}
  - id: go-live
    title: {corpus.put(payload, 12)}
    planned: 2027-03-01
    forecast: 2027-03-15
    description: {corpus.put(payload, 13)}
disruptions:
  - id: cutover
    title: {corpus.put(payload, 15)}
    start: 2027-01-23T22:00
    end: 2027-01-24T04:00
    previous_windows:
      - {{start: 2027-01-16T22:00, end: 2027-01-17T04:00}}
    affects: {corpus.put(payload, 16)}
    impact: high
    description: {corpus.put(payload, 17)}
    announced: 2026-11-01
    changed: 2026-11-10
    internal_note: {corpus.put(payload, 18)}
  - id: outage
    title: {corpus.put(payload, 15)}
    start: 2026-12-05T22:00
    end: 2026-12-06T02:00
    affects: {corpus.put(payload, 16)}
    impact: low
    status: cancelled
    description: {corpus.put(payload, 17)}
    announced: 2026-10-01
    changed: 2026-11-02
budget: {{currency: GBP, approved: 100000, spent: 50000, forecast: 110000, internal_note: {corpus.put(payload, 19)}}}
measures:
  - id: fcr
    name: {corpus.put(payload, 20)}
    target: 80
    actual: 76.5
    unit: {corpus.put(payload, 21)}
decisions:
  - id: training
    title: {corpus.put(payload, 22)}
    owner: {corpus.put(payload, 23)}
    due: 2026-12-15
    description: {corpus.put(payload, 25)}
  - id: scope
    title: {corpus.put(payload, 22)}
    owner: {corpus.put(payload, 23)}
    due: 2026-10-01
    status: decided
    outcome: {corpus.put(payload, 24)}
    description: {corpus.put(payload, 25)}
surveys:
  - {{date: 2026-06-30, score: 4.2, scale: 5, respondents: 37, comment: {corpus.put(payload, 26)}}}
internal_note: {corpus.put(payload, 27)}
"""
        files[f"{customer}/wrap/project.yml"] = f"""\
name: {corpus.put(payload, 9)}
summary: {corpus.put(payload, 10)}
status: completed
health: on_track
health_reason: {corpus.put(payload, 11)}
percent_complete: 100
start: 2025-01-06
planned_end: 2025-12-19
update_cadence: monthly
surveys:
  - {{date: 2025-12-30, score: 3, scale: 5, comment: {corpus.put(payload, 26)}}}
"""
        body = payload.value(SPOT[30], raw)
        files[f"{customer}/erp/updates/kickoff.md"] = f"""\
---
id: u-kickoff
title: {corpus.put(payload, 28)}
date: 2026-11-20T09:30
author: {person}
kind: milestone
milestone: design
summary: {corpus.put(payload, 29)}
---
{body}
"""
        files[f"{customer}/erp/updates/plain.md"] = f"""\
---
id: u-plain
title: {corpus.put(payload, 28)}
date: 2026-11-21T09:30
author: {person}
---
{body}
"""
        corpus.put(payload, 30)
    corpus.emails |= set(re.findall(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", "".join(p.template for p in payloads)))
    files["team.yml"] = (f"organisation:\n  name: {corpus.put(PAYLOADS[0], 1)}\n"
                         f"  website: {yaml_text(ORGANISATION_WEBSITE)}\npeople:\n" + "".join(people))
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.encode("utf-8"))
    return corpus


# ------------------------------------------------------------------ reading


def outputs(site: Path, *suffixes: str) -> list[Path]:
    return [path for path in sorted(site.rglob("*")) if path.is_file() and path.suffix in suffixes]


def where(site: Path, path: Path) -> str:
    return str(path.relative_to(site))


#: Attributes a browser follows or loads as an address.
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "{http://www.w3.org/1999/xlink}href", "data",
                  "poster", "background", "cite", "srcset", "imagesrcset", "ping", "longdesc", "lowsrc", "dynsrc",
                  "codebase", "manifest", "icon", "profile", "usemap"}
#: Elements that load or run another document.
EMBEDDING = {"iframe", "frame", "frameset", "object", "embed", "applet", "base", "portal", "param", "foreignobject",
             "handler", "listener"}
#: What browsers ignore in a URL before they read its scheme (C0 controls and space, tab and newline anywhere).
_URL_IGNORED = re.compile(r"[\x00-\x20\x7f-\x9f]")
#: Material for MkDocs' own scripts: its bundle and search worker, by relative address.
THEME_SCRIPT = re.compile(r"(?:(?:\.\./|\./)*|/(?:[^/?#\"<>]+/)*)assets/javascripts/[\w./-]+\.js")
ACTIVE_CSS = re.compile(r"expression\s*\(|javascript:|vbscript:|@import|behavior\s*:|-moz-binding", re.I)


def dangerous_url(value: str) -> bool:
    """Would a browser run ``value`` as script or open it as a document of its own?"""
    url = _URL_IGNORED.sub("", htmllib.unescape(value)).lower()
    if url.startswith("data:image/") and not url.startswith("data:image/svg"):
        return False
    return url.startswith(("javascript:", "vbscript:", "livescript:", "data:"))


def active_content(root, place: str, *, fragment: bool = False) -> list[str]:
    """Every way the parsed HTML ``root`` could run script, load another
    document or style the page with what a field wrote. ``fragment``: HTML a
    reader or a script inserts (feed content, the search index), where no
    script or style element and no style attribute belongs at all."""
    problems = []
    for element in root.iter():
        if element.tag is etree.Comment:
            if MARKER.search(element.text or ""):
                problems.append(f"{place}: a comment holds a field's text: <!--{(element.text or '')[:80]}-->")
            continue
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.rpartition("}")[2].lower()
        text = element.text or ""
        for name, value in element.attrib.items():
            local = name.rpartition("}")[2].lower()
            if local.startswith("on"):
                problems.append(f"{place}: <{tag} {name}={value[:60]!r}>: an event handler")
            if MARKER.search(name):
                problems.append(f"{place}: <{tag}> has an attribute named by a field's text: {name!r}")
            if (local in URL_ATTRIBUTES or name.lower() in URL_ATTRIBUTES) and dangerous_url(value):
                problems.append(f"{place}: <{tag} {name}={value[:80]!r}>: a script or document address")
            if local == "srcdoc":
                problems.append(f"{place}: <{tag} srcdoc>: a document in an attribute")
            if local == "style" and (fragment or MARKER.search(value) or ACTIVE_CSS.search(value)
                                     or "url(" in value.lower()):
                problems.append(f"{place}: <{tag} style={value[:80]!r}>: CSS from a field")
        if tag == "script":
            src = element.get("src")
            if fragment:
                problems.append(f"{place}: a <script> element in inserted HTML: {text[:80]!r}")
            elif src is not None:
                if not THEME_SCRIPT.fullmatch(src):
                    problems.append(f"{place}: <script src={src[:80]!r}>: not the theme's own script")
            elif element.get("type") == "application/json":
                try:
                    json.loads(text)
                except ValueError as exc:
                    problems.append(f"{place}: inline JSON script does not parse ({exc}): something broke out")
                if MARKER.search(text):
                    problems.append(f"{place}: inline JSON script holds a field's text: {text[:80]!r}")
            elif MARKER.search(text) or re.search(r"</|<!--", text):
                problems.append(f"{place}: inline <script> with a field's text: {text[:80]!r}")
        if tag in EMBEDDING:
            problems.append(f"{place}: a <{tag}> element")
        if tag == "style" and (fragment or MARKER.search(text) or ACTIVE_CSS.search(text)):
            problems.append(f"{place}: a <style> element with a field's text: {text[:80]!r}")
        if tag == "meta" and (element.get("http-equiv") or "").lower() == "refresh":
            problems.append(f"{place}: <meta http-equiv=refresh>")
        if tag in ("animate", "set", "animatetransform", "animatemotion"):
            target = (element.get("attributeName") or element.get("attributename") or "").lower()
            if target.endswith("href") or target.startswith("on"):
                problems.append(f"{place}: <{tag} attributeName={target!r}>: an animated link or handler")
    return problems


def fragment(text: str):
    """HTML inserted into a page or reader, parsed as a browser would."""
    return lxml.html.fragment_fromstring(text or "", create_parent="div")


def page_strings(root) -> list[str]:
    """What a page shows and says: its text, and every attribute value, each
    with white space folded as a browser shows it."""
    strings = [" ".join(" ".join(root.itertext()).split())]
    for element in root.iter():
        if isinstance(element.tag, str):
            strings.extend(" ".join(value.split()) for name, value in element.attrib.items()
                           if name.lower() not in URL_ATTRIBUTES)   # addresses are percent-encoded
    return strings


@dataclass
class Findings:
    """Problems found, and where each marker was seen."""

    problems: list[str]
    seen: dict[str, set[str]]   # marker -> kinds of output it appeared in

    def saw(self, kind: str, *texts: str) -> None:
        for text in texts:
            for found in MARKER.finditer(text or ""):
                self.seen.setdefault(found.group(0), set()).add(kind)


def literal_problems(corpus: Corpus, strings: list[str], place: str) -> list[str]:
    """Template syntax written into a field is shown as written, wherever the
    field's marker appears, and never as what a template engine makes of it."""
    problems = []
    for text in strings:
        for found in MARKER.finditer(text):
            payload, spot, value = corpus.values.get(found.group(0), (None, None, ""))
            if payload is None or not payload.literal or payload.literal not in value:
                continue
            after = " ".join(text[found.end():].split())
            cut = after.split("…", 1)[0]   # a summary may end, "…", anywhere in it
            if not (after.startswith(payload.literal) or (len(cut) < len(after) and payload.literal.startswith(cut))):
                shown = after[:60]
                what = (f"shows {found.group(0)} {payload.evaluated!r}: the template was evaluated"
                        if payload.evaluated and after.startswith(payload.evaluated) else
                        f"shows {shown!r} after {found.group(0)}, not the {payload.literal!r} written")
                problems.append(f"{place}: {payload.name} in {spot.record} {spot.key}: {what}")
    return problems


# -------------------------------------------------------------- calendars, cards


def content_lines(data: bytes, place: str, problems: list[str]) -> list[tuple[str, str]]:
    """The (name with parameters, value) of each line of an iCalendar or vCard
    file, unfolded as RFC 5545 3.1 / RFC 2425 5.8.1 say: lines end in CRLF,
    and only CRLF followed by a space or tab continues one."""
    text = data.decode("utf-8")
    if not text.endswith("\r\n"):
        problems.append(f"{place}: does not end in CRLF")
    physical = text.split("\r\n")[:-1]
    logical: list[str] = []
    for line in physical:
        if "\r" in line or "\n" in line:
            problems.append(f"{place}: a bare CR or LF inside a line: {line[:80]!r}")
        if line[:1] in (" ", "\t") and logical:
            logical[-1] += line[1:]
        else:
            logical.append(line)
    pairs = []
    for line in logical:
        head = re.match(r'(?:[^":]|"[^"]*")*', line).group(0)   # name and parameters: up to the first unquoted ':'
        if len(head) == len(line):
            problems.append(f"{place}: a line without a value: {line[:80]!r}")
            continue
        pairs.append((head, line[len(head) + 1:]))
    return pairs


ICS_PROPERTIES = {"BEGIN", "END", "PRODID", "VERSION", "CALSCALE", "METHOD", "X-WR-CALNAME", "X-WR-TIMEZONE",
                  "UID", "DTSTAMP", "SEQUENCE", "DTSTART", "DTEND", "SUMMARY", "DESCRIPTION", "STATUS", "TRANSP",
                  "CATEGORIES", "URL", "TZID", "TZOFFSETFROM", "TZOFFSETTO", "TZNAME", "RDATE", "RRULE",
                  "COMMENT", "X-ALT-DESC"}
VCARD_PROPERTIES = {"BEGIN", "END", "VERSION", "PRODID", "UID", "FN", "N", "ORG", "TITLE", "EMAIL", "TEL", "TZ", "URL",
                    "PHOTO"}
#: The properties each field may be written into (and no other).
ICS_HOME = {1: set(), 2: set(), 3: set(), 4: {"X-WR-CALNAME"}, 9: {"X-WR-CALNAME", "SUMMARY"}, 12: {"SUMMARY"},
            13: {"DESCRIPTION"}, 15: {"SUMMARY"}, 16: {"DESCRIPTION"}, 17: {"DESCRIPTION"}}
#: The team's calendar (on the dashboard) names the customer, the organisation, and keeps the team's notes.
DASHBOARD_ICS_HOME = {**ICS_HOME, 1: {"X-WR-CALNAME"}, 4: {"SUMMARY", "CATEGORIES"}, 14: {"DESCRIPTION"},
                      18: {"DESCRIPTION"}}
VCARD_HOME = {1: {"ORG"}, 2: {"FN", "N"}, 3: {"TITLE"}}


def lines_problems(pairs: list[tuple[str, str]], known: set[str], homes: dict[int, set[str]], place: str,
                   findings: Findings, kind: str) -> list[str]:
    """No property a field injected, and each field's text only in the value
    of a property it belongs in."""
    problems = []
    for head, value in pairs:
        name = head.split(";", 1)[0].upper()
        if name not in known:
            problems.append(f"{place}: unexpected property {head[:60]!r}: injected by a field?")
        if MARKER.search(head):
            problems.append(f"{place}: a field's text in a property name or parameter: {head[:80]!r}")
        findings.saw(kind, value)
        for found in MARKER.finditer(value):
            code = int(found.group(2))
            if code in SPOT and name not in homes.get(code, set()):
                spot = SPOT[code]
                problems.append(f"{place}: {found.group(0)} ({spot.record} {spot.key}) in {name}, "
                                f"where it does not belong")
    return problems


# ----------------------------------------------------------- every output


def check_pages(site: Path, corpus: Corpus) -> Findings:
    """Every HTML page of every microsite and of the dashboard."""
    findings = Findings([], {})
    for path in outputs(site, ".html"):
        place = where(site, path)
        root = lxml.html.parse(str(path)).getroot()
        findings.problems += active_content(root, place)
        strings = page_strings(root)
        findings.problems += literal_problems(corpus, strings, place)
        findings.saw("dashboard" if place.startswith("_internal/") else "page", *strings)
        for anchor in root.iter("a"):
            findings.problems += mailto_problems(anchor.get("href") or "", corpus, place)
    return findings


def mailto_problems(href: str, corpus: Corpus, place: str) -> list[str]:
    """A mailto: link writes to the one address it names, with a subject at
    most: an address never adds recipients or headers of its own. A tel:
    link dials digits only."""
    if href.lower().startswith("tel:"):
        return [] if re.fullmatch(r"tel:\+?[0-9().-]+", href) else [f"{place}: {href[:80]!r}: not a phone number"]
    if not href.lower().startswith("mailto:"):
        return []
    address, _, query = href[len("mailto:"):].partition("?")
    problems = []
    if unquote(address) not in corpus.emails:
        problems.append(f"{place}: {href[:100]!r} writes to {unquote(address)!r}, not an address the team wrote")
    fields = [name.lower() for name, _ in parse_qsl(query, keep_blank_values=True)]
    if any(name not in ("subject", "body") for name in fields):
        problems.append(f"{place}: {href[:100]!r} sets headers {fields}")
    return problems


def check_search(site: Path, corpus: Corpus) -> Findings:
    """Material's search shows titles and text from the index as HTML."""
    findings = Findings([], {})
    for path in outputs(site, ".json"):
        if path.name != "search_index.json":
            continue
        place = where(site, path)
        index = json.loads(path.read_text(encoding="utf-8"))
        for doc in index["docs"]:
            if dangerous_url(doc["location"]):
                findings.problems.append(f"{place}: location {doc['location'][:80]!r}")
            for part in ("title", "text"):
                shown = fragment(doc[part])
                findings.problems += active_content(shown, f"{place} {part} of {doc['location']!r}", fragment=True)
                strings = page_strings(shown)
                findings.problems += literal_problems(corpus, strings, place)
                findings.saw("search", *strings)
    return findings


ATOM, CONTENT, DC = "http://www.w3.org/2005/Atom", "http://purl.org/rss/1.0/modules/content/", \
    "http://purl.org/dc/elements/1.1/"
FEED_ELEMENTS = {
    None: {"rss", "channel", "title", "link", "description", "language", "generator", "lastBuildDate", "item",
           "guid", "pubDate", "author", "category", "docs"},
    ATOM: {"feed", "id", "title", "updated", "author", "name", "email", "uri", "link", "generator", "subtitle",
           "entry", "published", "summary", "content", "category", "rights"},
    CONTENT: {"encoded"},
    DC: {"creator"},
}
#: Feed elements that hold text, not HTML (RSS has no way to say so; Atom says type="text").
TEXT_ELEMENTS = {"title", "name", "email", "uri", "id", "guid", "author", "category", "creator", "language"}


def check_feeds(site: Path, corpus: Corpus) -> Findings:
    """Every RSS and Atom feed, as an XML parser and feedparser read it."""
    findings = Findings([], {})
    for path in outputs(site, ".xml"):
        if path.name == "sitemap.xml":
            continue
        place = where(site, path)
        data = path.read_bytes()
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
        except etree.XMLSyntaxError as exc:
            findings.problems.append(f"{place}: not well-formed XML: {exc}")
            continue
        parsed = feedparser.parse(data, sanitize_html=False)
        if parsed.bozo:
            findings.problems.append(f"{place}: feedparser reports it broken: {parsed.bozo_exception!r}")
        entries = [e for e in root.iter() if isinstance(e.tag, str) and etree.QName(e).localname in ("item", "entry")]
        ids = [e.findtext("guid") or e.findtext(f"{{{ATOM}}}id") for e in entries]
        if len(set(ids)) != len(entries) or len(parsed.entries) != len(entries):
            findings.problems.append(f"{place}: {len(entries)} entries, {len(set(ids))} ids, feedparser reads "
                                     f"{len(parsed.entries)}: an entry was injected or lost")
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            name = etree.QName(element)
            if name.localname not in FEED_ELEMENTS.get(name.namespace, ()):
                findings.problems.append(f"{place}: element {element.tag!r}: injected markup")
                continue
            text = element.text or ""
            findings.saw("feed", text)
            kind = element.get("type")
            if name.localname in ("description", "subtitle", "summary") or (name.localname in ("title",)
                                                                           and name.namespace == ATOM):
                if name.namespace == ATOM:
                    if kind not in (None, "text"):
                        findings.problems.append(f"{place}: Atom {name.localname} of type {kind!r}, not text")
                    findings.problems += literal_problems(corpus, [" ".join(text.split())], place)
                else:   # RSS readers render a description as HTML: it must show as the text it is
                    shown = fragment(text)
                    if len(list(shown.iter())) != 1:
                        findings.problems.append(f"{place}: RSS {name.localname} {text[:100]!r} carries markup "
                                                 "a reader renders")
                    findings.problems += literal_problems(corpus, page_strings(shown), place)
            elif name.localname in TEXT_ELEMENTS:
                if len(element) and not (name.localname == "author" and name.namespace == ATOM):
                    findings.problems.append(f"{place}: {name.localname} holds elements")
                findings.problems += literal_problems(corpus, [" ".join(text.split())], place)
            elif name.localname in ("encoded", "content"):
                if name.localname == "content" and kind != "html":
                    findings.problems.append(f"{place}: Atom content of type {kind!r}")
                shown = fragment(text)
                findings.problems += active_content(shown, f"{place} {name.localname}", fragment=True)
                findings.problems += literal_problems(corpus, page_strings(shown), place)
                for anchor in shown.iter("a"):
                    findings.problems += mailto_problems(anchor.get("href") or "", corpus, place)
            for attribute in ("href", "uri"):
                if element.get(attribute) and dangerous_url(element.get(attribute)):
                    findings.problems.append(f"{place}: {element.tag} {attribute}={element.get(attribute)!r}")
    return findings


def check_json_feeds(site: Path, corpus: Corpus) -> Findings:
    """Every JSON Feed: content_html is sanitised HTML, title and summary text."""
    findings = Findings([], {})
    for path in outputs(site, ".json"):
        if path.name != "feed.json":
            continue
        place = where(site, path)
        feed = json.loads(path.read_text(encoding="utf-8"))
        for item in feed["items"]:
            shown = fragment(item["content_html"])
            findings.problems += active_content(shown, f"{place} content_html", fragment=True)
            findings.problems += literal_problems(corpus, page_strings(shown) + [item["title"], item["summary"]], place)
            findings.saw("json feed", item["title"], item["summary"], *page_strings(shown))
            for author in item.get("authors", []):
                findings.saw("json feed", author["name"])
                url = author.get("url", "")
                if url and not url.startswith("mailto:"):
                    findings.problems.append(f"{place}: author url {url!r}")
                findings.problems += mailto_problems(url, corpus, place)
            for key in ("url", "external_url"):
                if dangerous_url(item.get(key, "")):
                    findings.problems.append(f"{place}: {key} {item[key]!r}")
    return findings


def check_calendars(site: Path, corpus: Corpus) -> Findings:
    """Every .ics: icalendar reads it; it holds the events the site shows, one
    UID each, and nothing a field's text injected (no ORGANIZER, no extra
    VEVENT); each text is in the property it was written for, read back as written."""
    findings = Findings([], {})
    for path in outputs(site, ".ics"):
        place = where(site, path)
        data = path.read_bytes()
        pairs = content_lines(data, place, findings.problems)
        dashboard = place.startswith("_internal/")
        findings.problems += lines_problems(pairs, ICS_PROPERTIES, DASHBOARD_ICS_HOME if dashboard else ICS_HOME,
                                            place, findings, "dashboard calendar" if dashboard else "calendar")
        calendar = Calendar.from_ical(data)
        events = calendar.walk("VEVENT")
        uids = [str(event.get("UID")) for event in events]
        begins = sum(1 for head, value in pairs if head.upper() == "BEGIN" and value == "VEVENT")
        # a microsite's calendars: both milestones and both disruptions of erp; the team's: whatever it shows
        expected = len(events) if dashboard else 1 if "/events/" in place else 0 if "/wrap/" in place else 4
        if not (len(events) == len(set(uids)) == begins == expected):
            findings.problems.append(f"{place}: {len(events)} events, {len(set(uids))} UIDs, {begins} BEGIN:VEVENT "
                                     f"lines; the site shows {expected}")
        for uid in uids:
            if not re.fullmatch(r"(?:dashboard\.)?[a-z0-9-]+\.[a-z0-9-]+\.(milestone|disruption)\.[a-z0-9-]+@cxsite",
                                uid):
                findings.problems.append(f"{place}: UID {uid!r}")
        for component in calendar.walk():
            for name in ("ORGANIZER", "ATTENDEE", "ATTACH", "X-ALT-DESC"):
                if name in component:
                    findings.problems.append(f"{place}: {component.name} has {name}: {component[name]!r}")
            for name in ("SUMMARY", "DESCRIPTION", "X-WR-CALNAME"):
                if name in component:
                    text = str(component[name])
                    findings.problems += literal_problems(corpus, [" ".join(text.split())], place)
    return findings


def rss_titles_read_as_html(site: Path) -> list[str]:
    """RSS titles that feedparser (and readers that follow it) read as HTML:
    RSS cannot say a title is text, so readers guess from what it looks like."""
    found = []
    for path in outputs(site, ".xml"):
        parsed = feedparser.parse(path.read_bytes(), sanitize_html=False)
        if parsed.version.startswith("rss"):
            found += [f"{where(site, path)}: {entry.title[:90]!r}" for entry in parsed.entries
                      if entry.title_detail.type != "text/plain"]
    return found


def calendar_round_trip(site: Path, corpus: Corpus) -> list[str]:
    """Each calendar text property, read back by icalendar, against what the
    fields hold."""
    problems = []
    for path in outputs(site, ".ics"):
        for component in Calendar.from_ical(path.read_bytes()).walk():
            for name in ("SUMMARY", "DESCRIPTION", "X-WR-CALNAME"):
                if name in component:
                    problems += round_trip_problems(corpus, str(component[name]), name, where(site, path))
    return problems


def round_trip_problems(corpus: Corpus, text: str, name: str, place: str) -> list[str]:
    """A calendar or card reads back a field's text exactly as written: the
    escapes (``\\;`` ``\\,`` ``\\n`` ``\\\\``) undone, no character lost."""
    problems = []
    for found in set(MARKER.findall(text)):
        marker = "XSS" + "".join(found)
        payload, spot, value = corpus.values.get(marker, (None, None, ""))
        if payload is None or payload.long or spot.multiline:
            continue   # Markdown fields: the text, not the Markdown; long ones may be cut
        if value not in text:
            problems.append(f"{place}: {name} does not hold {spot.record} {spot.key} ({payload.name}) as written: "
                            f"{value[:60]!r} vs {text[:100]!r}")
    return problems


def check_vcards(site: Path, corpus: Corpus) -> Findings:
    """Every .vcf: one vCard that vobject reads, with only its own properties,
    and the person's name, title and organisation exactly as written."""
    findings = Findings([], {})
    for path in outputs(site, ".vcf"):
        place = where(site, path)
        data = path.read_bytes()
        pairs = content_lines(data, place, findings.problems)
        findings.problems += lines_problems(pairs, VCARD_PROPERTIES, VCARD_HOME, place, findings, "vcard")
        cards = list(vobject.readComponents(data.decode("utf-8")))
        begins = sum(1 for head, value in pairs if head.upper() == "BEGIN")
        if len(cards) != 1 or begins != 1:
            findings.problems.append(f"{place}: {len(cards)} cards, {begins} BEGIN lines, not one")
            continue
        card = cards[0]
        person = path.stem
        i = int(person[1:])
        payload = PAYLOADS[i - 1]
        expected = {"fn": payload.value(SPOT[2]), "title": payload.value(SPOT[3])}
        for key, value in expected.items():
            if card.contents[key][0].value != value:
                findings.problems.append(f"{place}: {key.upper()} reads {card.contents[key][0].value[:80]!r}, "
                                         f"not {value[:80]!r} ({payload.name})")
        if card.org.value != [ORGANISATION_NAME]:
            findings.problems.append(f"{place}: ORG reads {card.org.value!r}, not [{ORGANISATION_NAME!r}]")
        if card.email.value != HOSTILE_EMAILS[i % len(HOSTILE_EMAILS)]:
            findings.problems.append(f"{place}: EMAIL reads {card.email.value!r}")
        if dangerous_url(card.url.value) or not card.url.value.startswith("https://"):
            findings.problems.append(f"{place}: URL {card.url.value!r}")
        for key in ("fn", "title", "n", "org"):
            for line in card.contents.get(key, []):
                findings.saw("vcard", str(line.value))
    return findings


SVG_ELEMENTS_ACTIVE = {"script", "foreignobject", "iframe", "embed", "object", "handler", "listener"}
#: A reference in CSS or a paint attribute (``fill="url(#g)"``) to anything but a part of the same image.
OTHER_FILE = re.compile(r"url\(\s*['\"]?(?!#)", re.I)


def published_svgs(site: Path):
    for path in outputs(site, ".svg"):
        data = path.read_bytes()
        try:
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False))
        except etree.XMLSyntaxError as exc:
            raise AssertionError(f"{where(site, path)}: not well-formed: {exc}") from None
        yield where(site, path), data, root


def check_svgs(site: Path, corpus: Corpus) -> Findings:
    """Every SVG the site publishes (logos, photos), opened at its own address:
    no script, event handler, link, embedded document, outside resource,
    style sheet import, XSLT or entity declaration."""
    findings = Findings([], {})
    for place, data, root in published_svgs(site):
        problems = findings.problems
        if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
            problems.append(f"{place}: a DOCTYPE or entity declaration")
        for node in root.itersiblings(preceding=True):
            if isinstance(node, etree._ProcessingInstruction):
                problems.append(f"{place}: processing instruction <?{node.target} {node.text}?>")
        for element in root.iter():
            if isinstance(element, etree._ProcessingInstruction):
                problems.append(f"{place}: processing instruction <?{element.target}?>")
            if not isinstance(element.tag, str):
                continue
            tag = etree.QName(element).localname.lower()
            findings.saw("svg", element.text or "")
            if tag in SVG_ELEMENTS_ACTIVE:
                problems.append(f"{place}: a <{tag}> element")
            if tag in ("animate", "set") and (element.get("attributeName") or "").lower().endswith("href"):
                problems.append(f"{place}: <{tag} attributeName=href>: an animated link")
            for name, value in element.attrib.items():
                local = etree.QName(name).localname.lower()
                if local.startswith("on"):
                    problems.append(f"{place}: <{tag} {name}>: an event handler")
                if local == "href" and not (value.startswith("#")
                                            or re.match(r"data:image/(png|jpeg|gif|webp)[;,]", value)):
                    problems.append(f"{place}: <{tag} {name}={value[:80]!r}>: a link or outside resource")
                if local in URL_ATTRIBUTES and dangerous_url(value) or re.search(r"https?:|//", value) \
                        and OTHER_FILE.search(value):
                    problems.append(f"{place}: <{tag} {name}={value[:80]!r}>: an outside or script address")
            if tag == "style" and re.search(r"@import|javascript:|url\(\s*['\"]?(?:https?:|//)", element.text or "",
                                            re.I):
                problems.append(f"{place}: <style> loads {element.text[:80]!r}")
    return findings


def svg_references(site: Path) -> list[str]:
    """References from a published SVG's CSS or paint to another file."""
    found = []
    for place, _, root in published_svgs(site):
        for element in root.iter():
            if not isinstance(element.tag, str):
                continue
            tag = etree.QName(element).localname
            for name, value in element.attrib.items():
                if OTHER_FILE.search(value):
                    found.append(f"{place}: <{tag} {name}={value!r}>")
            if tag == "style" and OTHER_FILE.search(element.text or ""):
                found.append(f"{place}: <style>{element.text}</style>")
    return found


def check_rest(site: Path, corpus: Corpus) -> Findings:
    """Everything else the build writes: sitemaps and the manifest parse; the
    theme's scripts, style sheets and images hold no field's text."""
    findings = Findings([], {})
    checked = {".html", ".xml", ".json", ".ics", ".vcf", ".svg"}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        place = where(site, path)
        data = path.read_bytes()
        if path.suffix == ".gz":
            data = gzip.decompress(data)
        if path.name.startswith("sitemap.xml"):
            root = etree.fromstring(data, etree.XMLParser(resolve_entities=False, no_network=True))
            for loc in root.iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc"):
                if not (loc.text or "").startswith("https://status.example/"):
                    findings.problems.append(f"{place}: <loc>{loc.text}</loc>")
        elif path.name == "manifest.json":
            json.loads(data)
        elif path.suffix not in checked and MARKER.search(data.decode("latin-1")):
            findings.problems.append(f"{place}: holds a field's text: {MARKER.search(data.decode('latin-1'))[0]}")
        findings.saw("any", data.decode("utf-8", "replace"))
    return findings


DIGEST_HEADERS = {"subject", "from", "to", "reply-to", "date", "message-id", "list-id", "x-auto-response-suppress",
                  "mime-version", "content-type", "content-language", "content-transfer-encoding"}


def check_digests(root: Path, corpus: Corpus) -> tuple[Findings, Findings]:
    """Each customer's e-mail digest, as a mail client reads it off the wire:
    (headers, HTML). Headers: the message is made and written at all, holds
    only its own headers, its subject names the customer as written, and
    From, Reply-To and To hold exactly the portfolio's addresses. HTML: as
    inert as a page."""
    from cxsite.model.load import load_portfolio
    from cxsite.render.digest import build_digest
    from cxsite.views import microsite

    headers, body = Findings([], {}), Findings([], {})
    model, _ = load_portfolio(root)
    for customer in model.customers:
        place = f"digest of {customer.slug}"
        site = microsite(model, customer, customer.audience("everyone"), NOW)
        owner = site.person(customer.cx_owner_id)
        try:
            wire = build_digest(site, dt.date(2026, 11, 1), now=NOW).as_bytes(policy=email.policy.SMTP)
        except Exception as exc:  # noqa: BLE001 - a crash is a finding like any other
            headers.problems.append(f"{place}: making or writing it raises {type(exc).__name__}: {exc} "
                                    f"(customer {customer.name[:40]!r}, CX owner {owner.name[:40]!r} "
                                    f"<{owner.email}>)")
            continue
        head = wire.split(b"\r\n\r\n", 1)[0].decode("ascii")   # headers are 7-bit (RFC 5322), or the wire is broken
        for line in re.sub(r"\r\n[ \t]", " ", head).split("\r\n"):
            name = line.split(":", 1)[0].lower()
            if name not in DIGEST_HEADERS:
                headers.problems.append(f"{place}: header {line[:80]!r}: injected?")
        message = email.message_from_bytes(wire, policy=email.policy.default)
        if customer.name not in str(message["Subject"]):
            headers.problems.append(f"{place}: Subject {str(message['Subject'])[:80]!r} does not name "
                                    f"{customer.name[:60]!r} as written")
        expected = {"From": [owner.email], "Reply-To": [], "To": list(customer.distribution_list)}
        for name, addresses in expected.items():
            try:
                read = [a.addr_spec for a in message[name].addresses] if message[name] is not None else []
            except AttributeError as exc:   # the parser found a group where an address was written
                read = [f"unreadable: {exc}"]
            if read != addresses:
                headers.problems.append(f"{place}: a mail client reads {name}: {read} where the digest "
                                        f"means {addresses} (CX owner's name {owner.name[:70]!r})")
        findings = body
        findings.saw("digest", str(message["Subject"]))
        html = message.get_body(("html",)).get_content()
        root_element = lxml.html.document_fromstring(html)
        findings.problems += active_content(root_element, place)
        strings = page_strings(root_element)
        findings.problems += literal_problems(corpus, strings, place)
        findings.saw("digest", *strings, message.get_body(("plain",)).get_content())
        for anchor in root_element.iter("a"):
            findings.problems += mailto_problems(anchor.get("href") or "", corpus, place)
    return headers, body


# ------------------------------------------------------------------ the tests


@dataclass
class Built:
    corpus: Corpus
    site: Path
    seconds: float


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Built:
    """The corpus portfolio, checked (no errors: every value is one the format
    takes) and built as of NOW, dashboard included."""
    from cxsite.diagnostics import Severity
    from cxsite.views.rules import check_portfolio

    root = tmp_path_factory.mktemp("hostile") / "projects"
    corpus = write_corpus(root)
    errors = [d.format() for d in check_portfolio(root, NOW) if d.severity is Severity.ERROR]
    assert not errors, "\n".join(errors)
    out = tmp_path_factory.mktemp("out") / "site"
    started = time.perf_counter()
    build_portfolio(root, out, config_file=REPO / "mkdocs.yml", cutoff=NOW)
    return Built(corpus, out, time.perf_counter() - started)


@pytest.fixture(scope="module")
def pages(built: Built) -> Findings:
    return check_pages(built.site, built.corpus)


def report(problems: list[str], limit: int = 25) -> str:
    shown = "\n".join(problems[:limit])
    return f"{len(problems)} problems:\n{shown}" + (f"\n... and {len(problems) - limit} more" if len(problems) > limit
                                                    else "")


def test_the_corpus_covers_every_free_text_field_of_the_format():
    """Every key docs/format.md lists as text (from the schema it is made
    from) is in the corpus, and the corpus has the payloads the issue names:
    add a text field to the format and this fails until it is attacked too."""
    text_fields = {(record.name, field.key) for record in schema.ALL_RECORDS for field in record.fields
                   if isinstance(field.kind, schema.Text)}
    assert {(spot.record, spot.key) for spot in SPOTS if spot.record != BODY} == text_fields
    assert len({spot.code for spot in SPOTS}) == len(SPOTS)
    assert [payload.number for payload in PAYLOADS] == list(range(1, len(PAYLOADS) + 1))
    every = "".join(p.template for p in PAYLOADS)
    for needle in ("<script>", "\"><img src=x onerror=", "'><svg onload=", "javascript:", "jav&#x09;ascript:",
                   "JaVaScRiPt:", " \tjavascript:", "data:text/html,<script>", "</style><script>", "expression(",
                   "url(javascript:", "{{ 7*7 }}", "{% raw %}", "${7*7}", "{{config}}", "](javascript:",
                   "![", "<!--", "]]>", "\r\nEND:VEVENT\r\nBEGIN:VEVENT", "\nORGANIZER:mailto:", "]]></description>",
                   "\u202e", "\u200b"):
        assert needle in every, needle
    assert any(p.long for p in PAYLOADS)


def test_the_corpus_is_a_valid_portfolio_and_builds(built: Built):
    """A team could have written it: `check` finds no error, and the build
    writes every microsite, its feeds, calendars, cards and the dashboard."""
    assert len(built.corpus.values) >= 28 * len(PAYLOADS)   # 29 fields each, a few markers cut by a short field
    for customer in built.corpus.customers:
        site = built.site / customer / "everyone"
        for name in ("index.html", "feed.xml", "atom.xml", "feed.json", "calendar.ics", "search/search_index.json",
                     "projects/erp/index.html", "projects/erp/events/cutover.ics",
                     "projects/erp/updates/plain/index.html"):
            assert (site / name).is_file(), site / name
        assert list((site / "contacts").glob("*.vcf")) and list((site / "assets").glob("logo-*.svg"))
    assert (built.site / "_internal/dashboard/index.html").is_file()


def test_pages_run_nothing_a_field_wrote(built: Built, pages: Findings):
    """Every HTML page, microsites and dashboard: no script but the theme's,
    no event handler, no javascript:/vbscript:/data: address, nothing
    embedded, no CSS from a field, no comment holding a field's text; the
    theme's inline JSON still parses (nothing broke out of it); mailto: links
    write to their one address."""
    assert len(outputs(built.site, ".html")) > 9 * len(PAYLOADS)
    assert not pages.problems, report(pages.problems)


def test_text_is_shown_as_typed_template_syntax_included(built: Built, pages: Findings):
    """Wherever a template payload's marker shows (page text, titles, alt and
    meta text), the syntax follows it as typed: ``{{ 7*7 }}`` and never ``49``,
    ``{% raw %}...`` and never what Jinja makes of it. (Checked in feeds,
    calendars and the digest too, by their own tests.)"""
    literal = [m for m, (payload, _, value) in built.corpus.values.items()
               if payload.literal and payload.literal in value and "page" in pages.seen.get(m, ())]
    assert len(literal) > 4 * 15   # four payloads, in most fields: seen, and checked above, on the pages
    shown = " ".join(" ".join(lxml.html.parse(str(built.site / "c11/everyone/projects/erp/index.html"))
                              .getroot().itertext()).split())
    assert "XSS1109 {{ 7*7 }}" in shown and "XSS1109 49" not in shown


def test_every_published_field_reaches_the_pages_and_no_internal_note_leaves_the_team(built: Built, pages: Findings):
    """So the checks above are not vacuous: each field that is published shows
    on some page of a microsite or of the team's dashboard (an audience's name
    shows only there) for most payloads, and each ``internal_note`` appears
    in no file of any microsite (the dashboard may show them)."""
    on_pages = {}
    for marker, kinds in pages.seen.items():
        if kinds & {"page", "dashboard"}:
            on_pages.setdefault(int(marker[5:7]), set()).add(int(marker[3:5]))
    for spot in SPOTS:
        if spot.published and spot.code != 1:
            assert len(on_pages.get(spot.code, ())) >= len(PAYLOADS) // 2, (spot, sorted(on_pages.get(spot.code, ())))
    assert on_pages.get(1) == {0}   # the organisation's name, XSS0001
    leaks = []
    for path in sorted(built.site.rglob("*")):
        if path.is_file() and not where(built.site, path).startswith("_internal/"):
            data = path.read_bytes()
            data = gzip.decompress(data) if path.suffix == ".gz" else data
            markers = set(MARKER.findall(data.decode("utf-8", "replace")))
            leaks += [f"{where(built.site, path)}: XSS{payload}{code}" for payload, code in markers
                      if not SPOT.get(int(code), SPOTS[0]).published]
    assert not leaks, report(leaks)


def test_the_search_index_parses_and_what_the_search_box_shows_is_inert(built: Built):
    """Material shows titles and text from search/search_index.json as HTML:
    they hold no script, handler, embedding or live address."""
    findings = check_search(built.site, built.corpus)
    assert not findings.problems, report(findings.problems)
    assert sum(1 for kinds in findings.seen.values() if "search" in kinds) > 10 * len(PAYLOADS)


def test_feeds_are_well_formed_and_carry_text_as_text_and_html_sanitised(built: Built):
    """Every RSS and Atom feed: strict XML, feedparser reads it without a
    complaint (bozo 0), no element a field injected, one id per entry; RSS
    descriptions (rendered as HTML by readers) show as the text typed; Atom
    text constructs say type="text"; content:encoded and Atom content are
    sanitised HTML."""
    findings = check_feeds(built.site, built.corpus)
    assert not findings.problems, report(findings.problems)
    assert sum(1 for kinds in findings.seen.values() if "feed" in kinds) > 10 * len(PAYLOADS)


@pytest.mark.xfail(strict=True, reason=(
    "RSS <title> of updates, milestones and disruptions is XML-escaped once: feedparser reads any title that looks "
    "like HTML (a closing tag such as </a> or </b>, or a character reference such as &#x09;) as text/html, so "
    "readers render the markup instead of the text typed: an update title '<a href=... onclick=...>x</a><img "
    "onerror=...>' (payload 34) becomes a live link and image in a reader that does not sanitise, and "
    "'jav&#x09;ascript:' (payload 5) or '&lt;script&gt;' (payload 30) are shown decoded; Atom, which says "
    "type=\"text\", is read right"))
def test_rss_titles_are_read_as_text_by_feed_readers(built: Built):
    """A reader shows an item's title as the text the team typed."""
    found = rss_titles_read_as_html(built.site)
    assert not found, report(found)


def test_json_feeds_parse_with_content_html_sanitised(built: Built):
    """Every feed.json parses; content_html is sanitised HTML; title and
    summary are text; authors link only to their mailto: address."""
    findings = check_json_feeds(built.site, built.corpus)
    assert not findings.problems, report(findings.problems)
    assert sum(1 for kinds in findings.seen.values() if "json feed" in kinds) > 5 * len(PAYLOADS)


def test_calendars_hold_their_events_and_nothing_a_field_injected(built: Built):
    """Every .ics (site, project, single event, the team's): lines end in CRLF
    with no bare CR or LF; icalendar reads it; VEVENTs = UIDs = BEGIN:VEVENT
    lines = the events the site shows; no ORGANIZER, ATTENDEE or property the
    text made up; each field's text only in the value of its own property
    (title in SUMMARY, description in DESCRIPTION...)."""
    findings = check_calendars(built.site, built.corpus)
    assert not findings.problems, report(findings.problems)
    assert sum(1 for kinds in findings.seen.values() if "calendar" in kinds) > 5 * len(PAYLOADS)


@pytest.mark.xfail(strict=True, reason=(
    "a text holding the two characters backslash-N (payload 35, e.g. a project name or milestone title "
    "'x\\Ny') is written into SUMMARY/DESCRIPTION/X-WR-CALNAME as '\\n', so every calendar shows a line break "
    "instead of the '\\N' typed (icalendar's escape_char replaces '\\N' by a newline before escaping)"))
def test_calendar_texts_read_back_exactly_as_written(built: Built):
    """A calendar shows a one-line field's text exactly as typed."""
    problems = calendar_round_trip(built.site, built.corpus)
    assert not problems, report(problems)


def test_vcards_are_one_card_each_with_the_text_as_written(built: Built):
    """Every .vcf: one vCard that vobject reads, CRLF lines, only the card's
    own properties, FN, TITLE, ORG and EMAIL exactly as written (``;``, ``,``
    and ``\\`` escaped, nothing split into another property)."""
    findings = check_vcards(built.site, built.corpus)
    assert not findings.problems, report(findings.problems)
    assert len(outputs(built.site, ".vcf")) == len(PAYLOADS)


def test_published_svgs_cannot_run_script_or_reach_outside(built: Built):
    """Every logo and photo SVG published, opened at its own address on the
    site's origin: no script, handler, link, embedded document, XSLT, entity,
    outside resource or style sheet import."""
    findings = check_svgs(built.site, built.corpus)
    assert not findings.problems, report(findings.problems)
    assert len(outputs(built.site, ".svg")) == 2 * len(PAYLOADS)


@pytest.mark.xfail(strict=True, reason=(
    "docs/format.md says an SVG is published without 'links to other files', but svg-hush rewrites an outside "
    "url() in CSS and paint (style attribute, <style>, fill=) to a path on the site's own host and cxsite keeps "
    "it: logo/photo 'style=\"fill:url(https://evil.example/p.svg#x)\"' is published as 'fill:url(/p.svg#x)', and "
    "'url(javascript:alert(1))' in <style> as 'url(1))' (no request leaves the site)"))
def test_published_svgs_refer_to_no_other_file(built: Built):
    """A published SVG refers to nothing but parts of itself."""
    found = svg_references(built.site)
    assert not found, report(found)


def test_every_other_output_parses_and_holds_no_field_text(built: Built):
    """Sitemaps (plain and gzipped) and the manifest parse; the theme's
    scripts, style sheets, source maps and images hold no field's text."""
    findings = check_rest(built.site, built.corpus)
    assert not findings.problems, report(findings.problems)


def test_digest_html_is_as_inert_as_a_page(built: Built):
    """The HTML part of each digest that can be made: no script, handler,
    live address or CSS from a field; template syntax as typed; mailto:
    links to one address."""
    _, body = check_digests(built.corpus.root, built.corpus)
    assert not body.problems, report(body.problems)
    assert sum(1 for kinds in body.seen.values() if "digest" in kinds) > 5 * len(PAYLOADS)


@pytest.mark.xfail(strict=True, reason=(
    "e-mail digest headers: (1) a CX owner whose name has specials (; : , < \" ) and is long enough to be "
    "folded is written unquoted, so a mail client reads another From: 'Ana Souza <ceo@evil.example>, of the "
    "Brightline Delivery customer experience team' (payload 39) reads as From ceo@evil.example, other names as "
    "From 'XSS1002', 'script', a group...; (2) a customer name with U+2028/U+2029/U+0085 (payload 20) makes "
    "build_digest raise ValueError 'Header values may not contain linefeed or carriage return characters'; "
    "(3) a CX owner address with a non-ASCII local part (müller@brightline.example, which check accepts) makes "
    "it raise NonASCIILocalPartDefect; (4) one with a Unicode domain (ana@bücher.example) makes writing the "
    "message raise UnicodeEncodeError: cxsite digest ends in a traceback"))
def test_digest_headers_say_only_what_they_should(built: Built):
    """Each customer's digest is made and written, holds only its own headers,
    names the customer in its subject as written, and a mail client reads
    From, Reply-To and To as the portfolio's addresses."""
    headers, _ = check_digests(built.corpus.root, built.corpus)
    assert not headers.problems, report(headers.problems)


# ------------------------------------------------------- what check refuses


def errors_at(root: Path, now: dt.datetime | None = None) -> dict[tuple[str, int], str]:
    """check's errors by (file relative to the portfolio, line)."""
    from cxsite.diagnostics import Severity
    from cxsite.views.rules import check_portfolio

    found = {}
    for diagnostic in check_portfolio(root, now):
        if diagnostic.severity is Severity.ERROR:
            path = Path(diagnostic.location.path)
            key = (str(path.relative_to(root) if path.is_absolute() else path), diagnostic.location.line)
            found[key] = diagnostic.message
    return found


def line_of(root: Path, name: str, needle: str) -> tuple[str, int]:
    lines = (root / name).read_text(encoding="utf-8").splitlines()
    return name, next(number for number, line in enumerate(lines, 1) if needle in line)


REFUSED_URLS = [
    "javascript:alert(1)", "JAVASCRIPT:alert(1)", " javascript:alert(1)", "jav&#x09;ascript:alert(1)",
    "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)", "file:///etc/passwd",
    "//evil.example/x", "https:evil.example", "https://x.example/\"><script>alert(1)</script>",
    "https://x.example/ onmouseover=alert(1)", "https://x.example/\nORGANIZER:mailto:evil@x.example",
    "https://x.example/<svg/onload=alert(1)>",
]
URL_FIELDS = {
    "organisation website": ("team.yml", lambda v: {"team.yml": TEAM.replace(
        "  name: Brightline Delivery\n", f"  name: Brightline Delivery\n  website: {v}\n")}),
    "feedback form_url": ("acme/customer.yml",
                          lambda v: {"acme/customer.yml": CUSTOMER + f"feedback: {{form_url: {v}}}\n"}),
    "feedback survey_url": ("acme/customer.yml",
                            lambda v: {"acme/customer.yml": CUSTOMER + f"feedback: {{survey_url: {v}}}\n"}),
    "site base_url": ("acme/customer.yml", lambda v: {"acme/customer.yml": CUSTOMER.replace(
        'site: {base_url: "https://status.example/acme/"}', f"site: {{base_url: {v}}}")}),
}


@pytest.mark.parametrize("field", URL_FIELDS)
def test_check_refuses_addresses_that_are_not_web_addresses(portfolio, field):
    """Every URL field refuses, at its file:line, whatever is not an http(s)
    URL a browser reads as one: script schemes in any disguise, other schemes,
    scheme-relative and schemeless addresses, quotes, spaces and line breaks
    that would break out of an attribute, a header or a calendar line."""
    name, files = URL_FIELDS[field]
    missed = []
    for url in REFUSED_URLS:
        root = portfolio(files(yaml_text(url)))
        if line_of(root, name, yaml_text(url)) not in errors_at(root):
            missed.append(url)
    assert not missed, f"{field} accepts {missed}"


REFUSED_EMAILS = [
    "evil@x.example\nBcc: victim@x.example", "\"<script>\"@x.example", "Ana <ana@x.example>", "ana@x.example>",
    "ana@[127.0.0.1]", "ana@x.example,evil@y.example", "ana@x.example?bcc=evil@y.example",
    "javascript:alert(1)@x.example", "ana(comment)@x.example", "ana@x.example\r\nBcc: victim@x.example",
    "ana@localhost", "ana @x.example",
]
EMAIL_FIELDS = {
    "person email": ("team.yml", lambda v: {"team.yml": TEAM.replace("email: ana@brightline.example", f"email: {v}")}),
    "feedback email": ("acme/customer.yml", lambda v: {"acme/customer.yml": CUSTOMER + f"feedback: {{email: {v}}}\n"}),
    "distribution_list": ("acme/customer.yml",
                          lambda v: {"acme/customer.yml": CUSTOMER + f"distribution_list: [{v}]\n"}),
}


@pytest.mark.parametrize("field", EMAIL_FIELDS)
def test_check_refuses_what_is_not_one_mail_address(portfolio, field):
    """Every e-mail field refuses, at its file:line, what would add a header,
    a recipient or markup to a mailto: link, a vCard or a digest."""
    name, files = EMAIL_FIELDS[field]
    missed = []
    for address in REFUSED_EMAILS:
        root = portfolio(files(yaml_text(address)))
        if line_of(root, name, yaml_text(address)) not in errors_at(root):
            missed.append(address)
    assert not missed, f"{field} accepts {missed}"


@pytest.mark.parametrize("text", ["{m}\nORGANIZER:mailto:evil@x.example", "{m}\r\nEND:VEVENT\r\nBEGIN:VEVENT",
                                  "{m}\rSUMMARY:x", "{m}\x1b[2J", "{m}\x0bTEL:1", "{m}\x0cx", "{m}\x00x", "{m}\x08x"],
                         ids=["LF", "CRLF", "CR", "ESC", "VT", "FF", "NUL", "BS"])
def test_check_refuses_line_breaks_in_one_line_fields_and_control_characters_anywhere(tmp_path, text):
    """A line break in a one-line field, and a control character in any text
    field, is refused at its file:line: no calendar, card, header or feed
    line can be started by what a field holds (the update body, Markdown,
    has line breaks; its control characters are dropped)."""
    payload = Payload(90, "control", text)
    corpus = write_corpus(tmp_path / "projects", [payload], raw=True, organisation_name=payload.value(SPOT[1], True))
    errors = errors_at(corpus.root)
    missed = []
    for spot in SPOTS:
        if spot.record == BODY or (text.startswith("{m}\n") and spot.multiline):
            continue
        marker = f"XSS90{spot.code:02d}"
        for name in ("team.yml", "c90/customer.yml", "c90/erp/project.yml", "c90/erp/updates/kickoff.md"):
            if marker in (corpus.root / name).read_text(encoding="utf-8"):
                whole_file = (name, 0) in errors or (name, None) in errors   # e.g. NUL: "a binary file, not text"
                if line_of(corpus.root, name, marker) not in errors and not whole_file:
                    missed.append(f"{spot.record} {spot.key} ({name})")
                break
    assert not missed, f"accepted {text!r} in: {missed}"


UNPUBLISHABLE_SVGS = {
    "external entity": b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
                       b'<svg xmlns="http://www.w3.org/2000/svg"><text>&x;</text></svg>',
    "entity expansion": b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;'
                        b'&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>\n'
                        b'<svg xmlns="http://www.w3.org/2000/svg"><text>&c;&c;&c;</text></svg>',
    "HTML, not SVG": b"<html><body><script>alert(1)</script></body></html>",
    "not well-formed": b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script>',
}


@pytest.mark.parametrize("kind", UNPUBLISHABLE_SVGS)
def test_check_refuses_an_svg_it_cannot_make_safe(portfolio, kind):
    """An SVG logo that cannot be rebuilt as an inert image is an error at
    its file, and the build refuses it rather than publish it."""
    from cxsite.diagnostics import PortfolioError

    root = portfolio({"acme/customer.yml": CUSTOMER + "brand: {logo: logo.svg}\n",
                      "acme/logo.svg": UNPUBLISHABLE_SVGS[kind]})
    assert any(name == "acme/logo.svg" for name, _ in errors_at(root))
    with pytest.raises(PortfolioError):
        build_portfolio(root, root.parent / "site", config_file=REPO / "mkdocs.yml", cutoff=NOW)


@pytest.mark.xfail(strict=True, raises=(ValueError, AssertionError), reason=(
    "U+FFFE and U+FFFF (XML 1.0 excludes them) pass check in every text field, and then the build crashes with "
    "a traceback, lxml's ValueError 'All strings must be XML compatible' from feedgen in render_rss/render_atom, "
    "when the character is in any field that reaches a feed: organisation, person and customer name, project "
    "name, milestone title and description, disruption title, affects and description, update title, summary "
    "and body (person title, audience, measure, decision and survey fields build)"))
@pytest.mark.parametrize("char", ["\ufffe", "\uffff"], ids=["U+FFFE", "U+FFFF"])
def test_characters_xml_cannot_carry_are_refused_or_replaced(tmp_path, char):
    """A character no XML output can carry is either refused by check at its
    file:line, or the build writes the feeds anyway (without it)."""
    payload = Payload(91, "non-XML character", "{m} " + char + " x")
    corpus = write_corpus(tmp_path / "projects", [payload], organisation_name=payload.value(SPOT[1]))
    if errors_at(corpus.root, NOW):
        return
    out = tmp_path / "site"
    build_portfolio(corpus.root, out, config_file=REPO / "mkdocs.yml", cutoff=NOW)
    for path in outputs(out, ".xml"):
        etree.parse(str(path))


def test_the_checks_find_what_they_look_for(tmp_path):
    """The checks above fail on the attacks they look for: a page, a feed, a
    calendar and a link that each let one through are reported."""
    corpus = Corpus(tmp_path, {"XSS1101": (PAYLOADS[10], SPOT[1], "XSS1101 {{ 7*7 }}")}, {"ana@x.example"}, [])
    page = lxml.html.document_fromstring(
        "<html><head><script>alert('XSS0101')</script><script src='https://evil.example/x.js'></script>"
        "<style>body{background:url(javascript:alert(1))}</style><meta http-equiv='refresh' content='0;url=x'>"
        "</head><body><img src=x onerror=alert(1)><a href=' java&#x09;script:alert(1)'>x</a>"
        "<iframe src='https://x.example'></iframe><p style='width:expression(alert(1))'>XSS0101</p>"
        "<!-- XSS0101 --><svg><animate attributeName='href' to='javascript:alert(1)'/></svg>"
        "<form action='JavaScript:alert(1)'></form><p>XSS1101 49</p>"
        "<script type='application/json'>{\"a\": \"</script></body></html>")
    problems = " | ".join(active_content(page, "page"))
    for expected in ("inline <script>", "not the theme's own script", "<style> element", "refresh", "event handler",
                     "<a href=", "<form action=", "<iframe> element", "CSS from a field", "comment holds",
                     "animated link", "inline JSON script does not parse"):
        assert expected in problems, expected
    assert "the template was evaluated" in " ".join(literal_problems(corpus, page_strings(page), "page"))
    assert active_content(fragment("<p style='color:red'>x</p>"), "feed", fragment=True)
    assert mailto_problems("mailto:ana@x.example?bcc=evil@y.example", corpus, "link")
    assert mailto_problems("mailto:ana@x.example,evil@y.example", corpus, "link")
    assert not mailto_problems("mailto:ana@x.example?subject=Hi%20there", corpus, "link")

    problems = []
    pairs = content_lines(b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:a\r\nSUMMARY:x\nDESCRIPTION:y\r\n"
                          b"LOCATION:XSS1112\r\nORGANIZER:mailto:evil@x.example\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                          "cal", problems)
    problems += lines_problems(pairs, ICS_PROPERTIES, ICS_HOME, "cal", Findings([], {}), "calendar")
    problems = " | ".join(problems)
    assert "bare CR or LF" in problems and "'ORGANIZER'" in problems and "XSS1112 (milestone title) in LOCATION" \
        in problems

    feed = tmp_path / "site" / "feed.xml"
    feed.parent.mkdir()
    feed.write_text("<?xml version='1.0'?><rss version='2.0'><channel><title>t</title><link>https://x.example/</link>"
                    "<description>d</description><item><title>x</title><guid>1</guid><description>&lt;img src=x "
                    "onerror=alert(1)&gt;</description></item><item><title>y</title><guid>1</guid><script>alert(1)"
                    "</script></item></channel></rss>", encoding="utf-8")
    problems = " | ".join(check_feeds(feed.parent, corpus).problems)
    assert "carries markup" in problems and "injected markup" in problems and "2 entries, 1 ids" in problems
