"""How much work converting a Markdown text would take, found without converting it.

Python-Markdown spends some 50-150 us on every element it creates, is
quadratic on some inputs (thousands of unclosed ``[`` or backticks, long
runs of headings or rules without blank lines, unclosed fences, hundreds
of footnotes or abbreviations) and raises :class:`RecursionError` on
deeply nested lists. :func:`precheck` estimates that work in one linear
pass; validation reports a text over any limit at its ``file:line``
(:func:`prose_problems`), and the renderer refuses it before converting.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from ..diagnostics import Diagnostic, Location, Severity

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
        return Diagnostic(at_line(location, self.line), self.message, self.hint, Severity.ERROR)


class MarkdownTooLarge(MarkdownTooComplex):
    """The body is larger than :data:`MAX_BYTES`."""



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


# ------------------------------------------------------------ normalising

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_REFERENCE = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")
REPLACEMENT_REFERENCE = "&#xFFFD;"


def _carried(code: int) -> bool:
    """Whether every output can carry this code point (XML 1.0's Char; HTML
    and iCalendar take no more)."""
    return code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF and code != 0x7F or 0xE000 <= code <= 0xFFFD \
        or 0x10000 <= code <= 0x10FFFF


def _code(match: re.Match[str]) -> int:
    return int(match.group(1), 16) if match.group(1) else int(match.group(2))


def _uncarried_references(text: str) -> list[re.Match[str]]:
    return [match for match in _REFERENCE.finditer(text) if not _carried(_code(match))]


def bounded(text: str) -> str:
    """*text*, unless it is so long that even normalising it is wasted work."""
    if len(text) > MAX_BYTES:
        raise precheck(text)[0]
    return text


def normalise(text: str) -> str:
    """Line endings to ``\\n``; control characters (which include
    Python-Markdown's own placeholder markers) and lone surrogates removed;
    a character reference to a code point no output can carry (``&#14;``,
    ``&#xD800;``) becomes one to U+FFFD, as an HTML parser reads it."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    if "&#" in text:
        text = _REFERENCE.sub(lambda m: m.group(0) if _carried(_code(m)) else REPLACEMENT_REFERENCE, text)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "replace").decode("utf-8")
    return text



def prose_problems(text: str, location: Location) -> list[Diagnostic]:
    """The errors converting ``text`` (whose first line is at ``location``)
    would meet: size and pre-check limits only, in one linear pass. What
    ``cxsite check`` runs on every update, so a large portfolio checks in seconds."""
    try:
        bounded_text = bounded(text)
        body = normalise(bounded_text)
    except MarkdownTooLarge as exc:
        return [exc.diagnostic(location)]
    found = [p.diagnostic(location) for p in precheck(body)]
    for match in _uncarried_references(bounded_text) if "&#" in bounded_text else ():
        line = bounded_text.count("\n", 0, match.start()) + 1
        found.append(Diagnostic(at_line(location, line), f"{match.group(0)} refers to a character that pages, "
                                "feeds and calendars cannot carry; it is shown as \ufffd",
                                "remove it, or write the character itself", Severity.WARNING))
    return found


def at_line(location: Location, line: int) -> Location:
    """*location* moved to *line* of the body it marks the start of."""
    if not line or not location.line:
        return location
    return Location(location.path, location.line + line - 1, 1)

