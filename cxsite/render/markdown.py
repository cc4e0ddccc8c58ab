"""Markdown in, safe HTML (and plain text) out: update bodies and every other Markdown field.

One code path turns an update's Markdown body into the HTML fragment shown on
its page *and* embedded in the RSS/Atom feeds, so what a customer sees on the
site and in a feed reader is the same, and equally safe.

The pipeline for one body::

    normalise ─▶ pre-check (size, bounded work) ─▶ Python-Markdown ─▶ nh3 ─▶ plain text, images

* **Python-Markdown** with ``extra`` (tables, fenced code, footnotes,
  ``attr_list``, ``def_list``, ``abbr``) and ``sane_lists``.  *Raw HTML is
  switched off*: ``<b>``, ``<script>`` and friends are shown as the text the
  author typed, never interpreted (:meth:`MarkdownRenderer.check` warns about
  them).  ``smarty`` is *not* enabled: it rewrites what authors typed
  (``--force`` becomes an en dash, ``...`` an ellipsis, quotes next to links
  and code curl the wrong way) for a typographic nicety status updates do not
  need, and it is one more set of regular expressions run over untrusted text.
  ``toc`` is not enabled either, so headings carry no ``id``.
* **Headings** are shifted so that ``#`` becomes ``<h2>`` (the page already
  shows the update title as ``<h1>``): when a body uses ``#`` every heading
  moves down one level (``######`` stays ``<h6>``); a body whose top level is
  already ``##`` is left as written.
* **Links and images** are checked while still a tree: a link with a scheme
  other than http, https, mailto or tel becomes plain text; an image that is
  not http(s) or a relative path inside the update's folder (no ``..``
  escape, no leading ``/``) is replaced by its alt text.
* **Footnotes** get ids of their own text: ``fn:<d>-1`` and ``fnref:<d>-1``,
  ``<d>`` the first eight hex digits of the text's SHA-256, so several texts
  on one page (a project's summary, its milestones, disruptions and
  decisions) never share an id, and an id depends on the text alone, as a
  conversion kept by the digest of its text must; the same text shown twice
  on one page is told apart there, by :func:`distinct_footnotes`.
* **nh3** then sanitises the HTML against :data:`ALLOWED_TAGS` and
  :data:`ALLOWED_ATTRIBUTES`; it is the authority, everything before it is
  there to degrade gracefully and to tell authors what was dropped.

Bounded work: a text over any limit of :mod:`cxsite.model.prose` is refused
with :class:`~cxsite.model.prose.MarkdownTooComplex` before it is converted;
a :class:`RecursionError` that still happens becomes the same exception.

Output is deterministic: the same body always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import re
import threading
import xml.etree.ElementTree as etree
from dataclasses import dataclass

import markdown
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from ..diagnostics import Diagnostic, Location, Severity
from ..model.prose import MarkdownTooComplex, MarkdownTooLarge, at_line, bounded, normalise, precheck
from .sanitise import _cleaner
from .text import _plain_text
from .urls import URL_SCHEMES, image_ok, scheme

@dataclass(frozen=True)
class RenderedMarkdown:
    """One text, rendered."""

    html: str                 #: sanitised HTML fragment
    text: str                 #: plain text: blocks separated by line breaks, whitespace collapsed
    images: tuple[str, ...]   #: relative image ``src`` values, as written, in order, no duplicates


@dataclass(frozen=True)
class _Note:
    """Something the author wrote that will not be shown as written."""

    message: str
    hint: str
    needle: str   # text to look for in the body to find the line



# --------------------------------------------------------- Markdown extension

_ALIGN = re.compile(r"^\s*text-align:\s*(left|center|right)\s*;?\s*$")
_RAW_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--")


class _BodyTreeprocessor(Treeprocessor):
    """Runs last on the tree: shifts headings, drops unsafe links and images
    (keeping their text), turns table alignment styles into ``align`` and
    notes what the author will not see as written."""

    def __init__(self, md: markdown.Markdown):
        super().__init__(md)
        self.notes: list[_Note] = []

    def run(self, root: etree.Element) -> None:
        shift = next(root.iter("h1"), None) is not None
        for parent in list(root.iter()):
            if parent.tag in ("code", "pre"):
                continue
            self._raw_html(parent.text)
            for child in list(parent):
                self._raw_html(child.tail)
                tag = child.tag
                if shift and tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                    child.tag = f"h{min(int(tag[1]) + 1, 6)}"
                elif tag == "a":
                    self._link(child)
                elif tag == "img":
                    self._image(parent, child)
                elif tag in ("th", "td"):
                    style = child.attrib.pop("style", "")
                    m = _ALIGN.match(style)
                    if m:
                        child.set("align", m.group(1))

    def _raw_html(self, text: str | None) -> None:
        if text and "<" in text:
            m = _RAW_TAG.search(text)
            if m:
                self.notes.append(_Note(
                    f"raw HTML {m.group()[:40]!r} is shown as text, not interpreted",
                    "use Markdown: **bold**, a blank line for a paragraph, two trailing spaces for a line break",
                    m.group()))

    def _link(self, a: etree.Element) -> None:
        href = a.get("href")
        if href is None:
            return
        found = scheme(href)
        if found and found not in URL_SCHEMES:
            self.notes.append(_Note(
                f"link to {href[:60]!r} removed (only http, https, mailto and tel links are allowed)",
                "link to a web page or write the address as text", href))
            a.tag = "span"          # not allowed: nh3 keeps only its text
            a.attrib.clear()

    def _image(self, parent: etree.Element, img: etree.Element) -> None:
        src = img.get("src") or ""
        if image_ok(src):
            if scheme(src) == "http":
                self.notes.append(_Note(
                    f"image {src[:60]!r} is loaded over plain http; browsers may block it",
                    "use https, or copy the image next to the update", src))
            return
        self.notes.append(_Note(
            f"image {src[:60]!r} removed (images must be https URLs or paths inside the update's folder)",
            "put the image next to the update file and refer to it by a relative path, e.g. images/plan.png",
            src or "!["))
        # Replace the image by its alt text.
        text = (img.get("alt") or "") + (img.tail or "")
        index = list(parent).index(img)
        if index:
            previous = parent[index - 1]
            previous.tail = (previous.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
        parent.remove(img)


def _footnote_separator(body: str) -> str:
    """What the footnotes extension puts between ``fn``/``fnref`` and a
    note's label: ``:`` and the text's own prefix, a pure function of it."""
    return ":" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:8] + "-"


_FOOTNOTE_TOKEN = re.compile(r'(?P<attr>(?:id|href)="#?fn(?:ref\d*)?:(?P<text>[0-9a-f]{8}))-'
                             r'|(?P<open><div class="footnote">)|(?P<close></div>)')


def distinct_footnotes(page: str) -> str:
    """A page's HTML with each further showing of the same text's footnotes
    given ids of its own: ``fn:<d>.2-1`` for the second, and so on (a first
    showing's ids have ``-`` right after ``<d>``, so none can collide). A
    showing ends with the ``div.footnote`` that holds its notes; only the
    same text shown twice on one page changes, everything else is returned
    as it is."""
    showing: dict[str, int] = {}     # text prefix -> which showing of it the page is in
    ended: set[str] = set()          # texts whose current showing has ended
    notes: set[str] | None = None    # texts seen inside the open div.footnote
    out, done = [], 0
    for m in _FOOTNOTE_TOKEN.finditer(page):
        if m["open"]:
            notes = set()
        elif m["close"]:
            if notes is not None:
                ended |= notes
                notes = None
        else:
            text = m["text"]
            if text in ended:
                ended.discard(text)
                showing[text] += 1
            number = showing.setdefault(text, 1)
            if notes is not None:
                notes.add(text)
            if number > 1:
                out += [page[done:m.end("text")], f".{number}"]
                done = m.end("text")
    return "".join(out) + page[done:] if out else page


class _BodyExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML off: block-level HTML (and md_in_html with it) and inline
        # tags are left as text, which the serialiser escapes.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # After attr_list (8), abbr (7) and unescape (0): sees final values.
        md.treeprocessors.register(_BodyTreeprocessor(md), "cxsite_body", -10)




# ------------------------------------------------------------------ renderer

class MarkdownRenderer:
    """Converts Markdown texts; one per process is enough (:func:`convert`).

    Keeps a single :class:`markdown.Markdown`, reset between texts; it
    remembers nothing from one text to the next. Thread-safe (conversions
    are serialised).
    """

    def __init__(self) -> None:
        self._build()
        self._cleaner = _cleaner()
        self._lock = threading.Lock()
        self.conversions = 0   # how many texts it converted

    def _build(self) -> None:
        self._md = markdown.Markdown(
            extensions=["extra", "sane_lists", _BodyExtension()],
            output_format="html",
        )
        self._tree: _BodyTreeprocessor = self._md.treeprocessors["cxsite_body"]
        self._footnotes = self._md.treeprocessors["footnote"].footnotes   # the extension "extra" loaded

    def render(self, text: str) -> RenderedMarkdown:
        """The body as sanitised HTML, plain text and its relative images.

        Raises :class:`MarkdownTooComplex` (or its subclass
        :class:`MarkdownTooLarge`) and nothing else for bad input.
        """
        return self._render(normalise(bounded(text)))[0]

    def check(self, text: str, location: Location) -> list[Diagnostic]:
        """Problems ``cxsite check`` should report for a body whose first
        line is at *location*: errors when it cannot be rendered (every limit
        it exceeds), warnings for what will not be shown as written (raw
        HTML, unsafe links and images)."""
        try:
            body = normalise(bounded(text))
        except MarkdownTooLarge as exc:
            return [exc.diagnostic(location)]
        problems = precheck(body)
        if problems:
            return [p.diagnostic(location) for p in problems]
        try:
            _, notes = self._render(body, checked=True)
        except MarkdownTooComplex as exc:
            return [exc.diagnostic(location)]
        diagnostics: list[Diagnostic] = []
        seen: set[tuple[str, int]] = set()
        for note in notes:
            index = body.find(note.needle)
            line = body.count("\n", 0, index) + 1 if index >= 0 else 0
            if (note.hint, line) not in seen:       # one warning of a kind per line
                seen.add((note.hint, line))
                diagnostics.append(Diagnostic(at_line(location, line), note.message, note.hint, Severity.WARNING))
        return diagnostics

    def _render(self, body: str, checked: bool = False) -> tuple[RenderedMarkdown, tuple[_Note, ...]]:
        """Render a normalised *body* (pre-checked already when *checked*)."""
        with self._lock:
            if not checked:
                problems = precheck(body)
                if problems:
                    raise problems[0]
            self._tree.notes = []
            try:
                self._footnotes.setConfig("SEPARATOR", _footnote_separator(body))
                converted = self._md.reset().convert(body)
            except BaseException as exc:
                # A conversion cut short leaves parser state behind (open
                # list levels...) that reset() does not clear: start afresh.
                self._build()
                if isinstance(exc, RecursionError):
                    raise MarkdownTooComplex(
                        "update body is too deeply nested to convert",
                        "flatten nested lists, quotes and definition lists") from None
                if isinstance(exc, Exception):
                    # Python-Markdown has bugs odd input trips (e.g. "[^]:[^1]:\n[^^]:"
                    # raises RuntimeError in footnotes): one body must not stop a build.
                    raise MarkdownTooComplex(
                        f"update body could not be converted ({type(exc).__name__}: {exc})",
                        "simplify unusual Markdown in this update, e.g. a footnote definition"
                        " written inside another one") from exc
                raise
            self._md.reset()
            self.conversions += 1
            notes = tuple(self._tree.notes)
            self._tree.notes = []
            safe = self._cleaner.clean(converted).strip()
            plain, images = _plain_text(safe)
            return RenderedMarkdown(safe, plain, images), notes


_converter: MarkdownRenderer | None = None
_converter_lock = threading.Lock()


def _shared() -> MarkdownRenderer:
    global _converter
    with _converter_lock:
        if _converter is None:
            _converter = MarkdownRenderer()
        return _converter


def convert(text: str) -> RenderedMarkdown:
    """``text`` as sanitised HTML, plain text and its relative images (see
    :meth:`MarkdownRenderer.render`), by the process's one converter."""
    return _shared().render(text)


def check_markdown(text: str, location: Location) -> list[Diagnostic]:
    """:meth:`MarkdownRenderer.check` by the process's one converter."""
    return _shared().check(text, location)

