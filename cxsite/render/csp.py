"""The Content-Security-Policy a microsite's pages satisfy.

Material writes a few small inline scripts (its storage scope, the saved
palette, the tab a link points at) and cxsite one inline style (the
customer's colours). Rather than allow inline code at all, the policy
names each one by its SHA-256, as CSP Level 2 defines: an injected
``<script>`` or ``<style>`` has another digest and does not run. The
engine collects the digests from the HTML it writes
(:func:`inline_digests`); the hosting recipes turn them into the header
(:func:`content_security_policy`).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass

_ELEMENT = re.compile(r"<(script|style)\b([^>]*)>(.*?)</\1\s*>", re.S | re.I)
_TYPE = re.compile(r"""\btype\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)
_SRC = re.compile(r"\bsrc\s*=", re.I)
#: Script types a browser runs (anything else, e.g. application/json, is data).
_RUN = {"", "text/javascript", "application/javascript", "module", "text/ecmascript", "application/ecmascript"}


@dataclass(frozen=True)
class InlineDigests:
    """``'sha256-…'`` sources of the inline scripts and styles of some pages."""
    scripts: frozenset[str] = frozenset()
    styles: frozenset[str] = frozenset()

    def __or__(self, other: InlineDigests) -> InlineDigests:
        return InlineDigests(self.scripts | other.scripts, self.styles | other.styles)


def _source(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii") + "'"


def inline_digests(html: str) -> InlineDigests:
    """The digests of every inline script a browser would run, and of every
    ``<style>`` element, in one page."""
    scripts, styles = set(), set()
    for match in _ELEMENT.finditer(html):
        name, attributes, body = match.group(1).lower(), match.group(2), match.group(3)
        if name == "style":
            styles.add(_source(body))
        elif not _SRC.search(attributes):
            kind = _TYPE.search(attributes)
            value = next((group for group in kind.groups() if group is not None), "") if kind else ""
            if value.strip().lower() in _RUN:
                scripts.add(_source(body))
    return InlineDigests(frozenset(scripts), frozenset(styles))


def content_security_policy(scripts: tuple[str, ...] = (), styles: tuple[str, ...] = ()) -> str:
    """The policy for pages whose inline code has the given digests: their
    own origin for everything else, ``data:`` images (Material's icons in
    its stylesheets), no plug-ins, no framing by other sites, no form or
    ``<base>`` pointing elsewhere."""
    return "; ".join([
        "default-src 'none'",
        " ".join(["script-src 'self'", *sorted(scripts)]),
        " ".join(["style-src 'self'", *sorted(styles)]),
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "worker-src 'self'",
        "manifest-src 'self'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'self'",
    ])
