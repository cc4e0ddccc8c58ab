"""HTML to plain text, and plain text to a summary: one function each.

Pages' descriptions, feed items' summaries, the e-mail digest and the
search index all read text through :func:`html_to_text` and shorten it with
:func:`summary`, so a reader sees the same words everywhere.
"""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser

from .urls import relative_image_ok, scheme

_BREAK = {
    "p": 2, "h2": 2, "h3": 2, "h4": 2, "h5": 2, "h6": 2, "ul": 1, "ol": 1, "dl": 1,
    "blockquote": 2, "pre": 2, "table": 2, "hr": 2, "div": 2,
    "li": 1, "tr": 1, "dt": 1, "dd": 1, "br": 1, "thead": 1, "tbody": 1,
}
_VOID = {"br", "hr", "img"}


class _TextExtractor(HTMLParser):
    """Plain text and relative image sources of a *sanitised* fragment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[tuple[int, str]] = []   # (break before it, text)
        self.words: list[str] = []                # text of the block being read
        self.strength = 0                         # break before the block being read
        self.pending = 0                          # break before the next block
        self.skip: list[str] = []                 # open elements left out (footnotes)
        self.images: dict[str, None] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img":
            src = dict(attrs).get("src") or ""
            if src and not scheme(src) and relative_image_ok(src):
                self.images[src] = None
            return
        if self.skip:
            if tag not in _VOID:
                self.skip.append(tag)
            return
        classes = (dict(attrs).get("class") or "").split()
        if (tag == "div" and "footnote" in classes) or "footnote-ref" in classes:
            self.skip.append(tag)
            return
        self._break(tag)
        if tag in ("td", "th"):
            self.handle_data(" ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip.pop()
            return
        self._break(tag)

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        if not self.words:
            if not data.strip():
                return
            self.strength, self.pending = self.pending, 0
        self.words.append(data)

    def _break(self, tag: str) -> None:
        strength = _BREAK.get(tag, 0)
        if strength:
            self._flush()
            self.pending = max(self.pending, strength)

    def _flush(self) -> None:
        text = " ".join("".join(self.words).split())
        self.words = []
        if text:
            self.blocks.append((self.strength, text))

    def result(self) -> tuple[str, tuple[str, ...]]:
        self._flush()
        out: list[str] = []
        for i, (strength, text) in enumerate(self.blocks):
            if i:
                out.append("\n\n" if strength >= 2 else "\n")
            out.append(text)
        return "".join(out), tuple(self.images)


def _plain_text(fragment: str) -> tuple[str, tuple[str, ...]]:
    parser = _TextExtractor()
    parser.feed(fragment)
    parser.close()
    return parser.result()


def html_to_text(fragment: str) -> str:
    """The visible text of an HTML fragment: blocks on lines of their own
    (a blank line between paragraphs), whitespace folded, footnotes left out."""
    return _plain_text(fragment)[0]


def text_to_html(text: str) -> str:
    """Plain text as an HTML fragment that shows exactly that text, markup
    and all (the other direction of :func:`html_to_text`). Every writer puts
    text into an HTML-bearing field through this: an RSS description, the
    facts in a feed item, a calendar's or an e-mail's HTML. For element
    content, not attributes: quotes stay as they are, so a reader that
    shows the field as text shows "don't", not "don&#x27;t"."""
    return html.escape(text, quote=False)


def relative_images(fragment: str) -> tuple[str, ...]:
    """The relative ``src`` of every image in a fragment, in order, once each."""
    return _plain_text(fragment)[1]


_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_TRAILING = " \t,;:–—-([{\"'"


def summary(text: str, limit: int = 200) -> str:
    """A summary of plain *text* (e.g. :attr:`RenderedMarkdown.text`) of at
    most *limit* characters, whitespace collapsed.

    Whole sentences are kept while they fit; when they would fill less than
    half of *limit*, the text is instead cut on a word boundary and ends
    with ``…`` (a single word longer than *limit* is cut mid-word).
    """
    if limit < 2:
        raise ValueError("limit must be at least 2")
    flat = " ".join(text.split())
    if len(flat) <= limit:
        return flat
    kept = ""
    for sentence in _SENTENCE_END.split(flat):
        candidate = f"{kept} {sentence}" if kept else sentence
        if len(candidate) > limit:
            break
        kept = candidate
    if len(kept) * 2 >= limit:
        return kept
    head = flat[: limit - 1]
    if flat[limit - 1] != " " and " " in head:
        head = head.rsplit(" ", 1)[0]
    return head.rstrip(_TRAILING) + "…"

