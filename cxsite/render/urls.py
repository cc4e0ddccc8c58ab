"""URLs: the schemes links and images may use, and the one way cxsite writes
a URL into an attribute, a feed, a calendar or a vCard.

Every URL cxsite writes is built by one of three functions: :func:`mailto`
(RFC 6068) for an e-mail address, :func:`tel` (RFC 3966) for a phone number,
:func:`uri` (RFC 3986, :mod:`cxsite.source.uri`) for any other URL, written
in the portfolio or in Markdown. Each percent-encodes, as UTF-8, whatever
the RFC does not allow where it stands (``{``, ``|``, a space, non-ASCII
text...), so the Nu checker, browsers, readers and calendars read the same
address; a valid URL passes unchanged. Templates and writers escape the
result once more for their own syntax (HTML attributes, XML), never instead.
"""

from __future__ import annotations

import html as htmllib
import posixpath
import re
from urllib.parse import quote, unquote, urlsplit

from markdown import util as mdutil

from ..source.uri import uri  # noqa: F401  (the writers take all three URL functions from here)

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
IMAGE_SCHEMES = frozenset({"http", "https"})
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_STRIP_URL = re.compile(r"[\t\n\r]")


def scheme(url: str) -> str:
    """The scheme a browser would see in *url* (lower case), '' for a
    relative URL; entities and the tabs/newlines browsers ignore are undone."""
    url = htmllib.unescape(url.replace(mdutil.AMP_SUBSTITUTE, "&"))
    url = _STRIP_URL.sub("", url).strip("\x00\x01\x02\x03\x04\x05\x06\x07\x08\x0b\x0c\x0e\x0f"
                                         "\x10\x11\x12\x13\x14\x15\x16\x17\x18\x19\x1a\x1b"
                                         "\x1c\x1d\x1e\x1f\x20")
    m = _SCHEME.match(url)
    if m:
        return m.group(1).lower()
    return ""


def relative_image_ok(src: str) -> bool:
    """A relative image path that stays inside the update's folder."""
    url = htmllib.unescape(src).strip()
    if not url or url.startswith(("/", "\\")) or scheme(url):
        return False
    try:
        path = unquote(urlsplit(url).path).replace("\\", "/")
    except ValueError:
        return False
    if not path or path.startswith("/"):
        return False
    normal = posixpath.normpath(path)
    return normal not in (".", "..") and not normal.startswith("../")


def image_ok(src: str) -> bool:
    found = scheme(src)
    if found:
        return found in IMAGE_SCHEMES
    return relative_image_ok(src)


#: RFC 6068 qchar = unreserved / pct-encoded / some-delims: what a mailto
#: address or header value may hold unencoded ("," would separate addresses).
_MAILTO_ADDRESS_SAFE = "!$'()*+;:@"
_MAILTO_VALUE_SAFE = "!$'()*+,;:@"
#: RFC 3966: a phone number is digits and visual separators, "+" first when global.
_TEL_DROP = re.compile(r"[^0-9\-.()]")


def mailto(address: str, **headers: str) -> str:
    """The ``mailto:`` URL (RFC 6068) for one e-mail address, with header
    fields such as ``subject``: in the address and the values every
    character that is not a qchar is percent-encoded as UTF-8 (``{`` ``}``
    ``|`` ``^`` ``%`` ``&`` ``=`` ``?`` ``#``, spaces, non-ASCII letters in
    either part); ``@`` and ``'`` stay. The address itself, as written, is
    what vCards and mail headers carry."""
    url = "mailto:" + quote(address, safe=_MAILTO_ADDRESS_SAFE)
    fields = [f"{quote(name, safe='')}={quote(value, safe=_MAILTO_VALUE_SAFE)}" for name, value in headers.items()]
    return url + ("?" + "&".join(fields) if fields else "")


def tel(number: str) -> str:
    """The ``tel:`` URL (RFC 3966) for a phone number as written (``+44 20
    7946 0123``): digits and the visual separators ``-`` ``.`` ``(`` ``)``
    kept, a leading ``+`` kept, everything else (spaces, ``/``) dropped."""
    number = number.strip()
    return "tel:" + ("+" if number.startswith("+") else "") + _TEL_DROP.sub("", number)
