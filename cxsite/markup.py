"""Update bodies: Markdown in, safe HTML (and plain text) out.

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
* **nh3** then sanitises the HTML against :data:`ALLOWED_TAGS` and
  :data:`ALLOWED_ATTRIBUTES`; it is the authority, everything before it is
  there to degrade gracefully and to tell authors what was dropped.

Bounded work: Python-Markdown costs some 50-150 us per element it creates, is
quadratic on some inputs (thousands of unclosed ``[`` or backticks, long runs
of headings or rules without blank lines, unclosed fences, hundreds of
footnotes or abbreviations) and raises :class:`RecursionError` on deeply
nested lists.  :func:`precheck` estimates that work in one linear pass and
:meth:`MarkdownRenderer.render` refuses a body over any limit with
:class:`MarkdownTooComplex` (a :class:`ValueError`) before converting it; a
:class:`RecursionError` that still happens becomes the same exception.
Callers turn it into a diagnostic with :meth:`MarkdownTooComplex.diagnostic`.

Output is deterministic: the same body always gives the same bytes.
"""

from __future__ import annotations

import bisect
import hashlib
import html as htmllib
import posixpath
import re
import threading
import xml.etree.ElementTree as etree
from collections import OrderedDict
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import unquote, urljoin, urlsplit

import markdown
import nh3
from markdown import util as mdutil
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from .diagnostics import Diagnostic, Location, Severity

__all__ = [
    "ALLOWED_ATTRIBUTES",
    "ALLOWED_ATTRIBUTE_VALUES",
    "ALLOWED_CLASSES",
    "ALLOWED_TAGS",
    "MAX_BYTES",
    "MarkdownRenderer",
    "MarkdownTooComplex",
    "MarkdownTooLarge",
    "RenderedMarkdown",
    "absolutize",
    "check_markdown",
    "excerpt",
    "precheck",
    "render_markdown",
    "URL_SCHEMES",
]

# --------------------------------------------------------------------- limits

MAX_BYTES = 200 * 1024          # UTF-8 bytes of one body
MAX_ELEMENTS = 6_000            # estimated elements: lines, table cells, links, emphasis, code...
MAX_BLOCK_ELEMENTS = 3_000      # estimated inline elements in one block (siblings cost quadratically)
MAX_NESTING = 20                # nested lists / quotes / definitions
MAX_BRACKETS = 10_000           # "[" in one body, whatever their shape
MAX_INLINE_SCAN = 150_000       # characters scanned for the end of links, code spans, {: attributes}
MAX_BLOCK_SPLIT = 4_000_000     # sum over blocks of (heading/rule/definition lines) x (block length)
MAX_FENCE_SCAN = 1_000_000      # characters scanned for the end of unclosed ``` / ~~~ fences
MAX_FOOTNOTES = 100             # "[^" markers: references and definitions
MAX_ABBREVIATIONS = 100         # "*[ABBR]: ..." definitions
MAX_EXPANSION = 4_000_000       # characters that reference/abbreviation definitions expand to
CACHE_SIZE = 4096               # rendered bodies kept by a MarkdownRenderer

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

URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
IMAGE_SCHEMES = frozenset({"http", "https"})

# Elements removed *with* their content (their text is never meant to be read).
_CLEAN_CONTENT_TAGS = {
    "script", "style", "iframe", "object", "embed", "noscript", "template",
    "svg", "math", "textarea", "select", "title", "noembed", "noframes", "xmp",
}


# --------------------------------------------------------------- public types

@dataclass(frozen=True)
class RenderedMarkdown:
    """One body, rendered."""

    html: str                 #: sanitised HTML fragment
    text: str                 #: plain text: blocks separated by line breaks, whitespace collapsed
    images: tuple[str, ...]   #: relative image ``src`` values, as written, in order, no duplicates


class MarkdownTooComplex(ValueError):
    """The body cannot be converted: it would take too long or too deep a
    stack, or it trips a bug in Python-Markdown.

    ``line`` is the 1-based line *within the body* the problem was found on,
    0 when it concerns the body as a whole.
    """

    def __init__(self, message: str, hint: str = "", line: int = 0):
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.line = line

    def diagnostic(self, location: Location) -> Diagnostic:
        """The problem as an error at *location*, the place of the body's
        first line (e.g. ``Location(path, update.body_line, 1)``)."""
        return Diagnostic(_at(location, self.line), self.message, self.hint, Severity.ERROR)


class MarkdownTooLarge(MarkdownTooComplex):
    """The body is larger than :data:`MAX_BYTES`."""


@dataclass(frozen=True)
class _Note:
    """Something the author wrote that will not be shown as written."""

    message: str
    hint: str
    needle: str   # text to look for in the body to find the line


# --------------------------------------------------------------- pre-check
#
# Python-Markdown spends some 50-150 us on every element it creates, so the
# element count bounds its (linear) cost.  On top of that, some inputs make
# it scan the same text again and again: from every "[" to the end of the
# paragraph when brackets are unbalanced, from every backtick run when no run
# of the same length follows, from every "{" to the end of the line
# (attr_list), from every unclosed fence to the end of the body, over the
# rest of a block after each heading or rule in it...  The estimates below
# follow what its processors do, err on the generous side, and are
# calibrated so that a body just under every limit converts in about a
# second at most.  A "block" is a run of non-blank lines; every scan
# Python-Markdown does stays within one (an upper bound: a table cell or list
# item is smaller).  Fenced code is costed like any other text: refusing an
# odd code block is cheaper than trusting a fence this scan got wrong.

# Python-Markdown's fenced_code opening and closing lines.
_FENCE_OPEN = re.compile(r"(`{3,}|~{3,}) *(?:\{[^\n]*\}|\.?[\w#.+-]* *(?:hl_lines=([\"']).*?\2 *)?)$")
_FENCE_CLOSE = re.compile(r"(`{3,}|~{3,}) *$")
_FENCES = ("```", "~~~")
_CONTAINER_START = re.compile(r" *(?:[>:*+-]|\d)")
_CONTAINER_MARK = re.compile(r">[ \t]*|(?:[-*+]|\d{1,9}[.)]|:)(?:[ \t]+|$)")
# Lines at which a block processor splits a block and searches the rest of it
# again: ATX headings, setext underlines, rules, definitions, footnote and
# abbreviation definitions.
# (Rules are recognised by _is_rule: nested quantifiers would backtrack.)
_SPLITTER = re.compile(r" {0,3}(?:#|=+[ \t]*$|-+[ \t]*$|:[ \t]|\[\^|\*\[)")
_ABBR_DEF = re.compile(r"^ {0,3}\*\[([^\]\n]*)\]:(.*)$", re.M)
_REF_DEF = re.compile(r"^ {0,3}\[(?!\^)[^\]\n]+\]:(.*)$", re.M)
_BRACKETS = re.compile(r"\\.|[\[\]()]", re.S)
_BACKTICKS = re.compile(r"`+")
# Runs of emphasis marks (each pair of marks is about one element; "_"
# inside a word is not one) and single-character starts of an element:
# entity, autolink, escape, link.
_EMPHASIS = re.compile(r"\*+|_+")
_INLINE_SINGLE = re.compile(r"&[#\w]|<[A-Za-z]|\\[\\`*_{}\[\]()>#+\-.!]|\[")


def precheck(text: str) -> list[MarkdownTooComplex]:
    """Cheap estimates of the work converting *text* would take.

    Returns one :class:`MarkdownTooComplex` per problem found (empty when the
    body may be converted); runs in time linear in the body's length.
    """
    # (A body far too long is not encoded just to say so.)
    size = len(text) if len(text) > MAX_BYTES else len(text.encode("utf-8", "surrogatepass"))
    if size > MAX_BYTES:
        return [MarkdownTooLarge(
            f"update body is too large ({size // 1024} KB; at most {MAX_BYTES // 1024} KB)",
            "split it into several updates, or link to a document instead of pasting it")]
    problems: list[MarkdownTooComplex] = []
    brackets = text.count("[")
    if brackets > MAX_BRACKETS:
        problems.append(MarkdownTooComplex(
            f"update body has too many brackets ({brackets} '['; at most {MAX_BRACKETS})",
            "remove or escape them (\\[), or link to a document instead of pasting it"))
    footnotes = text.count("[^")
    if footnotes > MAX_FOOTNOTES:
        problems.append(MarkdownTooComplex(
            f"update body has too many footnotes ({footnotes} '[^'; at most {MAX_FOOTNOTES})",
            "move the references to a linked document"))
    abbreviations = _ABBR_DEF.findall(text)
    if len(abbreviations) > MAX_ABBREVIATIONS:
        problems.append(MarkdownTooComplex(
            f"update body defines too many abbreviations ({len(abbreviations)}; at most {MAX_ABBREVIATIONS})",
            "define only the abbreviations the update uses"))
        abbreviations = []
    # Every use of a reference link or an abbreviation copies its definition.
    longest_ref = max((len(d) for d in _REF_DEF.findall(text)), default=0)
    longest_abbr = max((len(title) for _, title in abbreviations), default=0)
    abbr_uses = sum(text.count(term) for term, _ in abbreviations if term)
    if longest_ref * brackets + longest_abbr * abbr_uses > MAX_EXPANSION:
        problems.append(MarkdownTooComplex(
            "update body has reference or abbreviation definitions that expand too much",
            "shorten the definitions' titles"))

    scan = _scan_lines(text, brackets=brackets <= MAX_BRACKETS)
    # A "|" is about a table cell; each "&" becomes an entity that costs the
    # sanitiser some 10 us.
    elements = scan.lines + scan.inline + abbr_uses + text.count("|") + text.count("&") // 10
    if elements > MAX_ELEMENTS:
        problems.append(MarkdownTooComplex(
            f"update body has too much markup to convert quickly (about {elements} elements; "
            f"at most {MAX_ELEMENTS})",
            "split it into several updates, or link to a document instead of pasting it"))
    elif scan.block_inline > MAX_BLOCK_ELEMENTS:
        problems.append(MarkdownTooComplex(
            f"update body has a paragraph, list or table with too much markup (about {scan.block_inline} "
            f"links, emphasis and code spans; at most {MAX_BLOCK_ELEMENTS})",
            "break it up with blank lines", scan.block_inline_line))
    if scan.fence_scan > MAX_FENCE_SCAN:
        problems.append(MarkdownTooComplex(
            "update body has too many unclosed ``` or ~~~ fences",
            "close every code block with the same ``` or ~~~ line that opened it", scan.fence_line))
    if scan.depth > MAX_NESTING:
        problems.append(MarkdownTooComplex(
            f"update body is too deeply nested ({scan.depth} levels of lists or quotes; at most {MAX_NESTING})",
            "flatten the lists; indent by four spaces only for one more level", scan.depth_line))
    if scan.inline_scan > MAX_INLINE_SCAN:
        problems.append(MarkdownTooComplex(
            "update body has too many unclosed brackets, backticks or braces to convert in reasonable time",
            "close every '[' with ']', every '](' with ')' and every ` with `; escape the others as \\[ or \\`",
            scan.inline_scan_line))
    if scan.block_split > MAX_BLOCK_SPLIT:
        problems.append(MarkdownTooComplex(
            "update body has too many headings, rules or definitions without blank lines between them",
            "put a blank line before and after each heading and each '---'", scan.split_line))
    return problems


@dataclass
class _LineScan:
    lines: int = 0              # non-blank lines
    inline: int = 0             # estimated inline elements
    block_inline: int = 0       # ... in the block with most of them
    block_inline_line: int = 0
    fence_scan: int = 0         # characters scanned for missing closing fences
    fence_line: int = 0
    depth: int = 0              # deepest nesting outside fenced code
    depth_line: int = 0
    inline_scan: int = 0        # characters scanned for the end of inline constructs
    inline_scan_line: int = 0
    block_split: int = 0        # block-splitting cost, summed over blocks
    split_line: int = 0


def _scan_lines(text: str, brackets: bool = True) -> _LineScan:
    """One pass over the lines: fences, nesting and per-block costs.  With
    *brackets* false (there are already too many) their scan is skipped."""
    lines = [line.expandtabs(4) for line in text.split("\n")]
    # Fenced code blocks are found as Python-Markdown's preprocessor finds
    # them: an opening line, then the nearest line holding the same fence; an
    # opening line without one makes it scan to the end of the body.
    closers: dict[str, list[int]] = {}
    for number, line in enumerate(lines):
        if line.startswith(_FENCES) and (m := _FENCE_CLOSE.match(line)):
            closers.setdefault(m.group(1), []).append(number)
    out = _LineScan()
    remaining = len(text)
    code_until = -1
    worst_scan = worst_split = 0
    block: list[str] = []
    block_start = 0
    for number, line in enumerate(lines + [""]):
        if number > code_until and line.startswith(_FENCES) and (m := _FENCE_OPEN.match(line)):
            after = closers.get(m.group(1), [])
            close = bisect.bisect_right(after, number)
            if close < len(after):
                code_until = after[close]
            else:
                out.fence_scan += remaining
                out.fence_line = out.fence_line or number + 1
        remaining -= len(line) + 1
        if not line.strip():
            if block:
                cost = _block_cost(block, brackets)
                out.inline += cost.inline
                if cost.inline > out.block_inline:
                    out.block_inline, out.block_inline_line = cost.inline, block_start
                out.inline_scan += cost.scan
                if cost.scan > worst_scan:
                    worst_scan, out.inline_scan_line = cost.scan, block_start
                out.block_split += cost.split
                if cost.split > worst_split:
                    worst_split, out.split_line = cost.split, block_start
                block = []
            continue
        out.lines += 1
        if not block:
            block_start = number + 1
        block.append(line)
        if number > code_until and len(line) > MAX_NESTING:   # a shorter line cannot nest deeper
            depth = _nesting(line)
            if depth > out.depth:
                out.depth, out.depth_line = depth, number + 1
    return out


def _nesting(line: str) -> int:
    """Container levels a line opens: its indentation in steps of four, plus
    the list, quote and definition markers it starts with ('- > 1. x' is 3)."""
    if not _CONTAINER_START.match(line) or _is_rule(line):
        return 0
    rest = line.lstrip(" ")
    marks, pos = 0, 0
    while (m := _CONTAINER_MARK.match(rest, pos)) and m.end() > pos:
        marks += 1
        pos = m.end()
    if not marks:
        return 0
    return (len(line) - len(rest)) // 4 + marks


def _is_rule(line: str) -> bool:
    """Python-Markdown's horizontal rule: three or more of the same mark
    among spaces (at most two in a row), indented at most three spaces."""
    marks = line.strip(" ")
    if not marks or marks[0] not in "-_*" or len(line) - len(line.lstrip(" ")) > 3:
        return False
    return marks.count(marks[0]) >= 3 and not marks.strip(marks[0] + " ") and "   " not in marks


@dataclass
class _BlockCost:
    inline: int     # estimated inline elements
    scan: int       # characters scanned for the end of links, code spans, attributes
    split: int      # (block-splitting lines) x (block length)


def _block_cost(block: list[str], brackets: bool = True) -> _BlockCost:
    """The estimated inline elements and scanning work of one block."""
    data = "\n".join(block)
    end = len(data)
    marks = 0
    for m in _EMPHASIS.finditer(data):
        start, stop = m.span()
        if data[start] == "*" or not (start and data[start - 1].isalnum()
                                      and stop < end and data[stop].isalnum()):
            marks += stop - start
    inline = marks // 2 + len(_INLINE_SINGLE.findall(data))
    scan = 0
    # Links: from "[" to its "]" and from "](" to its ")", or to the end.
    if brackets and "[" in data:
        open_brackets: list[int] = []
        open_parens: list[tuple[int, bool]] = []
        for m in _BRACKETS.finditer(data):
            char, pos = m.group(), m.start()
            if char == "[":
                open_brackets.append(pos)
            elif char == "]":
                if open_brackets:
                    scan += pos - open_brackets.pop()
            elif char == "(":
                open_parens.append((pos, pos > 0 and data[pos - 1] == "]"))
            elif char == ")":
                if open_parens:
                    start, link = open_parens.pop()
                    if link:
                        scan += pos - start
        scan += sum(end - pos for pos in open_brackets)
        scan += sum(end - pos for pos, link in open_parens if link)
    # Code spans: a run of backticks opens a span that ends at the next run
    # as long.  While runs pair up with the next one, each scan is short; once
    # one fails (no partner, or an opening run after a backslash), Python-
    # Markdown resumes *inside* later runs, so every later run is costed as a
    # scan to the end of the block.
    if "`" in data:
        runs = [(m.start(), m.end() - m.start()) for m in _BACKTICKS.finditer(data)]
        inline += len(runs) // 2
        index, failed = 0, False
        while index < len(runs):
            pos, length = runs[index]
            if (not failed and index + 1 < len(runs) and runs[index + 1][1] == length
                    and not (pos and data[pos - 1] == "\\")):
                scan += runs[index + 1][0] - pos
                index += 2
            else:
                failed = True
                scan += end - pos
                index += 1
    # attr_list: from every "{" to the end of its line (a regular expression,
    # about ten times cheaper per character than the Python loops above).
    if "{" in data:
        braces = 0
        for line in block:
            if "{" in line:
                width = len(line)
                braces += sum(width - m.start() for m in re.finditer(r"\{", line))
        scan += braces // 10
    splitters = sum(1 for line in block
                    if _SPLITTER.match(line) or (line.lstrip(" ")[:1] in ("-", "_", "*") and _is_rule(line)))
    split = splitters * end if splitters > 1 else 0
    return _BlockCost(inline, scan, split)


# --------------------------------------------------------- Markdown extension

_ALIGN = re.compile(r"^\s*text-align:\s*(left|center|right)\s*;?\s*$")
_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_RAW_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--")
_STRIP_URL = re.compile(r"[\t\n\r]")


def _scheme(url: str) -> str:
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


def _relative_image_ok(src: str) -> bool:
    """A relative image path that stays inside the update's folder."""
    url = htmllib.unescape(src).strip()
    if not url or url.startswith(("/", "\\")) or _scheme(url):
        return False
    try:
        path = unquote(urlsplit(url).path).replace("\\", "/")
    except ValueError:
        return False
    if not path or path.startswith("/"):
        return False
    normal = posixpath.normpath(path)
    return normal not in (".", "..") and not normal.startswith("../")


def _image_ok(src: str) -> bool:
    scheme = _scheme(src)
    if scheme:
        return scheme in IMAGE_SCHEMES
    return _relative_image_ok(src)


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
        scheme = _scheme(href)
        if scheme and scheme not in URL_SCHEMES:
            self.notes.append(_Note(
                f"link to {href[:60]!r} removed (only http, https, mailto and tel links are allowed)",
                "link to a web page or write the address as text", href))
            a.tag = "span"          # not allowed: nh3 keeps only its text
            a.attrib.clear()

    def _image(self, parent: etree.Element, img: etree.Element) -> None:
        src = img.get("src") or ""
        if _image_ok(src):
            if _scheme(src) == "http":
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


class _BodyExtension(Extension):
    def extendMarkdown(self, md: markdown.Markdown) -> None:
        # Raw HTML off: block-level HTML (and md_in_html with it) and inline
        # tags are left as text, which the serialiser escapes.
        md.preprocessors.deregister("html_block")
        md.inlinePatterns.deregister("html")
        # After attr_list (8), abbr (7) and unescape (0): sees final values.
        md.treeprocessors.register(_BodyTreeprocessor(md), "cxsite_body", -10)


# --------------------------------------------------------------- sanitiser

_DIMENSION = re.compile(r"^\d{1,5}%?$")
_START = re.compile(r"^\d{1,9}$")
_FOOTNOTE_ID = re.compile(r"^fn(?:ref\d*)?:")


def _filter_attribute(tag: str, name: str, value: str) -> str | None:
    if name == "id":
        return value if _FOOTNOTE_ID.match(value) and len(value) <= 100 else None
    if tag == "img":
        if name == "src":
            return value if _image_ok(value) else None
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


# --------------------------------------------------------------- plain text

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
            if src and not _scheme(src) and _relative_image_ok(src):
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


# ------------------------------------------------------------------ renderer

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _bounded(text: str) -> str:
    """*text*, unless it is so long that even normalising it is wasted work."""
    if len(text) > MAX_BYTES:
        raise precheck(text)[0]
    return text


def _normalise(text: str) -> str:
    """Line endings to ``\\n``; control characters (which include
    Python-Markdown's own placeholder markers) and lone surrogates removed."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text


class MarkdownRenderer:
    """Renders update bodies; one instance per build is enough.

    Keeps a single :class:`markdown.Markdown` (reset between bodies) and an
    LRU cache of the last :data:`CACHE_SIZE` results keyed by the SHA-256 of
    the body, so the same body rendered for the page, the feed and the
    summary is converted once.  Thread-safe (conversions are serialised).
    """

    def __init__(self, cache_size: int = CACHE_SIZE) -> None:
        self._build()
        self._cleaner = _cleaner()
        self._cache: OrderedDict[bytes, tuple[RenderedMarkdown, tuple[_Note, ...]]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self.conversions = 0   # how many bodies were actually converted (not cached)

    def _build(self) -> None:
        self._md = markdown.Markdown(
            extensions=["extra", "sane_lists", _BodyExtension()],
            output_format="html",
        )
        self._tree: _BodyTreeprocessor = self._md.treeprocessors["cxsite_body"]

    def render(self, text: str) -> RenderedMarkdown:
        """The body as sanitised HTML, plain text and its relative images.

        Raises :class:`MarkdownTooComplex` (or its subclass
        :class:`MarkdownTooLarge`) and nothing else for bad input.
        """
        return self._render(_normalise(_bounded(text)))[0]

    def check(self, text: str, location: Location) -> list[Diagnostic]:
        """Problems ``cxsite check`` should report for a body whose first
        line is at *location*: errors when it cannot be rendered (every limit
        it exceeds), warnings for what will not be shown as written (raw
        HTML, unsafe links and images)."""
        try:
            body = _normalise(_bounded(text))
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
                diagnostics.append(Diagnostic(_at(location, line), note.message, note.hint, Severity.WARNING))
        return diagnostics

    def quick_check(self, text: str, location: Location) -> list[Diagnostic]:
        """The errors of :meth:`check` without converting the body: size
        and pre-check limits only, in one linear pass. What ``cxsite check``
        runs on every update, so a large portfolio checks in seconds."""
        try:
            body = _normalise(_bounded(text))
        except MarkdownTooLarge as exc:
            return [exc.diagnostic(location)]
        return [p.diagnostic(location) for p in precheck(body)]

    def _render(self, body: str, checked: bool = False) -> tuple[RenderedMarkdown, tuple[_Note, ...]]:
        """Render a normalised *body* (pre-checked already when *checked*)."""
        key = hashlib.sha256(body.encode("utf-8")).digest()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None:
                self._cache.move_to_end(key)
                return hit
            if not checked:
                problems = precheck(body)
                if problems:
                    raise problems[0]
            self._tree.notes = []
            try:
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
            result = (RenderedMarkdown(safe, plain, images), notes)
            self._remember(key, result)
            return result

    def _remember(self, key: bytes, result: tuple[RenderedMarkdown, tuple[_Note, ...]]) -> None:
        self._cache[key] = result
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)


_default: MarkdownRenderer | None = None
_default_lock = threading.Lock()


def shared_renderer() -> MarkdownRenderer:
    """The process's shared renderer: its cache serves pages, feeds and the audit alike."""
    global _default
    with _default_lock:
        if _default is None:
            _default = MarkdownRenderer()
        return _default


def render_markdown(text: str) -> RenderedMarkdown:
    """:meth:`MarkdownRenderer.render` on a shared, lazily built renderer."""
    return shared_renderer().render(text)


def check_markdown(text: str, location: Location) -> list[Diagnostic]:
    """:meth:`MarkdownRenderer.check` on the shared renderer."""
    return shared_renderer().check(text, location)


def _at(location: Location, line: int) -> Location:
    """*location* moved to *line* of the body it marks the start of."""
    if not line or not location.line:
        return location
    return Location(location.path, location.line + line - 1, 1)


# ------------------------------------------------------------------- feeds

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


# ----------------------------------------------------------------- excerpts

_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+")
_TRAILING = " \t,;:–—-([{\"'"


def excerpt(text: str, limit: int = 200) -> str:
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
