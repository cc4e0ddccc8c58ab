"""The one HTML sanitiser: every HTML fragment cxsite writes passes through it.

nh3 (the Rust ammonia sanitiser) with an allow-list: :data:`ALLOWED_TAGS`
and :data:`ALLOWED_ATTRIBUTES`, links with :data:`URL_SCHEMES` only. It is
the authority; what runs before it (the Markdown extension's checks) is
there to degrade gracefully and to tell authors what was dropped. Every
``href`` and ``src`` it keeps leaves it as a valid URI
(:func:`cxsite.render.urls.uri`): ``[plan](https://x.example/{id})`` links
to ``https://x.example/%7Bid%7D``.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import nh3

from .urls import URL_SCHEMES, image_ok, uri

# ------------------------------------------------------------------ allow-list

#: Every tag that may appear in rendered HTML.  No ``h1`` (the page title is
#: the h1), no ``span``/``div`` styling hooks (``div`` only wraps footnotes and
#: carries no attribute but ``class="footnote"``), no ``figure`` (Markdown
#: cannot produce it and raw HTML is off), nothing that runs or embeds.
ALLOWED_TAGS = frozenset({
    "p", "br", "hr", "h2", "h3", "h4", "h5", "h6",
    "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "code",
    "em", "strong", "del", "sup", "sub", "abbr", "a", "img",
    "table", "thead", "tbody", "tr", "th", "td", "div",
})

#: Attributes allowed per tag (values are checked further by the attribute
#: filter).  No ``style``, no ``id`` except footnote anchors (``fn:…`` and
#: ``fnref:…``), no event handlers.  ``rel="noopener noreferrer"`` is added by
#: nh3 to every link.
ALLOWED_ATTRIBUTES = {
    "a": frozenset({"href", "title"}),
    "img": frozenset({"src", "alt", "title", "width", "height"}),
    "abbr": frozenset({"title"}),
    "ol": frozenset({"start"}),
    "li": frozenset({"id"}),     # footnote:       <li id="fn:1">
    "sup": frozenset({"id"}),    # footnote mark:  <sup id="fnref:1">
}

#: Attributes whose value must be one of a fixed set.  Table column alignment
#: arrives from Python-Markdown as ``style="text-align: …"``; it is turned
#: into ``align``, which Material for MkDocs honours
#: (``:is(th, td):not([align]) { text-align: left }``).
ALLOWED_ATTRIBUTE_VALUES = {
    "th": {"align": {"left", "center", "right"}},
    "td": {"align": {"left", "center", "right"}},
}

#: The only classes kept: the footnote ones Material styles.  A class smuggled
#: in with ``attr_list`` (``{: .md-button }``) is dropped.
ALLOWED_CLASSES = {
    "div": {"footnote"},
    "a": {"footnote-ref", "footnote-backref"},
}


# Elements removed *with* their content (their text is never meant to be read).
_CLEAN_CONTENT_TAGS = {
    "script", "style", "iframe", "object", "embed", "noscript", "template",
    "svg", "math", "textarea", "select", "title", "noembed", "noframes", "xmp",
}



_DIMENSION = re.compile(r"^\d{1,5}%?$")
_START = re.compile(r"^\d{1,9}$")
_FOOTNOTE_ID = re.compile(r"^fn(?:ref\d*)?:")


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id":
        return value if _FOOTNOTE_ID.match(value) and len(value) <= 100 else None
    if tag == "a" and name == "href":
        return uri(value)        # as written in Markdown, with what a URL may not hold percent-encoded
    if tag == "img":
        if name == "src":
            return uri(value) if image_ok(value) else None
        if name in ("width", "height"):
            return value if _DIMENSION.match(value) else None
    if tag == "ol" and name == "start":
        return value if _START.match(value) else None
    return value


def _cleaner(url_relative=None) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_CLEAN_CONTENT_TAGS),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        tag_attribute_values={tag: {k: set(v) for k, v in d.items()}
                              for tag, d in ALLOWED_ATTRIBUTE_VALUES.items()},
        allowed_classes={tag: set(names) for tag, names in ALLOWED_CLASSES.items()},
        attribute_filter=_filter_attribute,
        url_schemes=set(URL_SCHEMES),
        link_rel="noopener noreferrer",
        strip_comments=True,
        url_relative=url_relative,
    )



def sanitise(fragment: str) -> str:
    """``fragment`` with everything outside the allow-list removed."""
    return _cleaner().clean(fragment)


def absolutize(fragment: str, base_url: str) -> str:
    """Rewrite relative ``href``/``src`` in a rendered fragment to absolute
    URLs against *base_url* (the URL of the page the fragment appears on;
    end it with ``/`` for a directory), for feeds, whose readers have no base.

    Absolute http(s), mailto and tel URLs and ``#fragment`` links are left
    alone.  The fragment is re-sanitised with the same allow-list, so the
    result is as safe as :meth:`MarkdownRenderer.render`'s.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base URL must be an absolute http(s) URL, not {base_url!r}")

    def rewrite(url: str) -> str | None:
        if url.startswith("#"):
            return url
        try:
            return urljoin(base_url, url)
        except ValueError:      # e.g. a malformed "//[host" (nh3 drops the attribute)
            return None

    return _cleaner(url_relative=rewrite).clean(fragment)

