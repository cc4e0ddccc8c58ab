"""Make the links of an HTML fragment absolute (private stand-in for a shared helper).

Feed readers show item content out of context, so a relative ``href`` or
``src`` would point nowhere. :func:`absolutize` rewrites URL attributes
against the page the fragment was rendered for and passes everything else
through byte for byte (only rewritten tags are re-serialised).
"""

from __future__ import annotations

import html
from html.parser import HTMLParser
from urllib.parse import urljoin

_URL_ATTRIBUTES = frozenset({"href", "src", "poster", "cite", "action", "background", "longdesc"})
_SRCSET_ATTRIBUTES = frozenset({"srcset"})


def _join(base_url: str, value: str) -> str:
    value = value.strip()
    return urljoin(base_url, value) if value else value


def _join_srcset(base_url: str, value: str) -> str:
    candidates = []
    for candidate in value.split(","):
        parts = candidate.strip().split(None, 1)
        if parts:
            parts[0] = _join(base_url, parts[0])
            candidates.append(" ".join(parts))
    return ", ".join(candidates)


class _Absolutizer(HTMLParser):
    def __init__(self, base_url: str):
        super().__init__(convert_charrefs=False)
        self.base_url = base_url
        self.out: list[str] = []

    def _tag(self, tag: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        raw = self.get_starttag_text() or ""
        if not any(value and (name in _URL_ATTRIBUTES or name in _SRCSET_ATTRIBUTES) for name, value in attrs):
            self.out.append(raw)
            return
        parts = [tag]
        for name, value in attrs:
            if value is None:
                parts.append(name)
                continue
            if name in _URL_ATTRIBUTES:
                value = _join(self.base_url, value)
            elif name in _SRCSET_ATTRIBUTES:
                value = _join_srcset(self.base_url, value)
            parts.append(f'{name}="{html.escape(value, quote=True)}"')
        self.out.append("<" + " ".join(parts) + (" />" if closed else ">"))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, closed=False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        self.out.append(data)

    def handle_entityref(self, name: str) -> None:
        self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        self.out.append(f"&#{name};")

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")


def absolutize(fragment: str, base_url: str) -> str:
    """``fragment`` with every relative URL in href/src/srcset/… resolved against ``base_url``."""
    parser = _Absolutizer(base_url)
    parser.feed(fragment)
    parser.close()
    return "".join(parser.out)
