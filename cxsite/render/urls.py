"""What a URL in a rendered text may be: the schemes links and images may use."""

from __future__ import annotations

import html as htmllib
import posixpath
import re
from urllib.parse import unquote, urlsplit

from markdown import util as mdutil

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

