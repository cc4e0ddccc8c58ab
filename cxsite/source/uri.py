"""A URL as a valid URI (RFC 3986): the one way cxsite writes a URL.

A portfolio's URLs (``website``, ``form_url``, ``survey_url``,
``base_url``) are read through :func:`uri`, so every URL the model holds is a
valid URI that any writer (page, theme, feed, calendar, vCard, web-server
recipe) can use as it is; links written in Markdown pass through it when
they are sanitised, and :mod:`cxsite.render.urls` builds ``mailto:`` and
``tel:`` URLs the same way. Each part of a URL keeps the characters RFC 3986
allows there and has every other one percent-encoded as UTF-8 (``{``, ``|``,
``^``, a space, a lone ``%``, non-ASCII text...); a host in Unicode becomes
its IDNA A-label (RFC 5891, UTS #46), which DNS and every client read. A valid
URI passes unchanged.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import idna

#: RFC 3986 2.2 sub-delims; with the unreserved characters (which
#: :func:`urllib.parse.quote` never encodes) and ``:`` ``@`` they make a pchar.
_SUB_DELIMS = "!$&'()*+,;="
#: RFC 3986 appendix B, with the scheme held to its grammar (3.1).
_PARTS = re.compile(r"(?:([A-Za-z][A-Za-z0-9+.\-]*):)?(?://([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?", re.S)
_ESCAPE = re.compile(r"(%[0-9A-Fa-f]{2})")
_PORT = re.compile(r"[0-9]*")


def _quote(text: str, safe: str) -> str:
    """*text* with every character outside unreserved and *safe* percent-encoded
    (UTF-8); a valid ``%XX`` escape is kept, any other ``%`` encoded."""
    return "".join(piece if _ESCAPE.fullmatch(piece) else quote(piece, safe=safe)
                   for piece in _ESCAPE.split(text))


def _host(host: str) -> str:
    """A host as RFC 3986 allows it: an IP literal as written, a name in
    Unicode as its IDNA A-label (what DNS and every client read)."""
    if host.startswith("[") and host.endswith("]"):
        return "[" + _quote(host[1:-1], ":" + _SUB_DELIMS) + "]"
    if not host.isascii():
        try:
            return idna.encode(host, uts46=True).decode("ascii")
        except (idna.IDNAError, UnicodeError):
            pass   # not a name DNS could hold: still a valid URI, percent-encoded
    return _quote(host, _SUB_DELIMS)


def _authority(authority: str) -> str:
    userinfo, at, hostport = authority.rpartition("@")
    host, colon, port = hostport, "", ""
    if not hostport.endswith("]") and ":" in hostport:
        host, colon, port = hostport.rpartition(":")
    if colon and not _PORT.fullmatch(port):
        host, colon, port = hostport, "", ""    # not a port: a ':' that the host encodes
    return (_quote(userinfo, ":" + _SUB_DELIMS) + at if at else "") + _host(host) + colon + port


def uri(url: str) -> str:
    """*url* as a valid URI (RFC 3986), for an attribute, a feed, a calendar
    or a vCard: each part keeps the characters RFC 3986 allows in it (its
    delimiters and valid ``%XX`` escapes among them) and has every other one
    percent-encoded as UTF-8; a host in Unicode becomes its IDNA A-label.
    A valid URI comes back unchanged, so ``uri(uri(u)) == uri(u)``."""
    scheme_, authority, path, query, fragment = _PARTS.fullmatch(url).groups()
    out = f"{scheme_}:" if scheme_ is not None else ""
    if authority is not None:
        out += "//" + _authority(authority)
    if scheme_ is None and authority is None and ":" in path.split("/", 1)[0]:
        first, slash, rest = path.partition("/")    # a relative path's first segment may not hold ':' (3.3)
        path = first.replace(":", "%3A") + slash + rest
    out += _quote(path, "/:@" + _SUB_DELIMS)
    if query is not None:
        out += "?" + _quote(query, "/?:@" + _SUB_DELIMS)
    if fragment is not None:
        out += "#" + _quote(fragment, "/?:@" + _SUB_DELIMS)
    return out
