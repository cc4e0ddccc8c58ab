"""Looking for many strings in a file at once, however they are escaped.

Matching is case-insensitive on text with whitespace collapsed, on the raw
bytes *and* on an unescaped version (JSON ``\\u`` escapes, HTML/XML
entities, twice for feeds that escape HTML inside XML; tags removed;
iCalendar/vCard lines unfolded and ``\\,`` ``\\;`` ``\\n`` unescaped). Each
file is read and normalised once (:class:`Haystack`) and scanned for all
needles at once with an Aho-Corasick automaton (:class:`NeedleSearch`),
so the cost grows with the bytes built, not with bytes x needles.
"""

from __future__ import annotations

import gzip
import html
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

MAX_GUNZIP = 64 * 1024 * 1024  # read at most this much of a .gz file
EXCERPT = 40        # characters of context shown either side of a match


@dataclass(frozen=True)
class Needle:
    """A string that must not occur in one microsite."""

    text: str            # normalised: whitespace collapsed, lower case
    what: str            # what it is and where it comes from, for the report
    bounded: bool = True  # must not continue a word on either side
    token: bool = False  # a slug: '-' and '_' count as part of the word too
    owner: str = ""      # a customer's own name or slug: not forbidden on that customer's microsites
    exempt_if_shown: bool = True  # dropped when the audience may see the same text anyway



_JSON_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|[\"\\/bfnrt])")
_JSON_SIMPLE = {'"': '"', "\\": "\\", "/": "/", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t"}
_ICAL_FOLD = re.compile(r"\r?\n[ \t]")
_ICAL_ESCAPE = re.compile(r"\\([\\;,nN:])")
_TAG = re.compile(r"<[^<>]*>")
_CDATA = re.compile(r"<!\[CDATA\[|\]\]>")
_MARKUP_SUFFIXES = {".html", ".htm", ".xml", ".json", ".svg", ".txt", ".rss", ".atom", ".xhtml"}
_ICAL_SUFFIXES = {".ics", ".vcf", ".ical", ".ifb", ".vcard"}


def normalise(text: str) -> str:
    """Whitespace collapsed to single spaces, lower case: how needles and
    haystacks are compared."""
    return " ".join(text.split()).lower()


def _json_unescape(text: str) -> str:
    if "\\" not in text:
        return text
    surrogates = False

    def one(match: re.Match[str]) -> str:
        nonlocal surrogates
        code = match.group(1)
        if code[0] != "u":
            return _JSON_SIMPLE[code]
        char = chr(int(code[1:], 16))
        surrogates = surrogates or "\ud800" <= char <= "\udfff"
        return char

    text = _JSON_ESCAPE.sub(one, text)
    if surrogates:  # \ud83d\ude00 became two lone surrogates: join them into one character
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _ical_unescape(text: str) -> str:
    text = _ICAL_FOLD.sub("", text)
    return _ICAL_ESCAPE.sub(lambda mt: "\n" if mt.group(1) in "nN" else mt.group(1), text)


def _html_unescape(text: str) -> str:
    return html.unescape(text) if "&" in text else text


def _strip_tags(text: str) -> str:
    return _TAG.sub(" ", _CDATA.sub(" ", text)) if "<" in text else text


def _variants(raw: str, suffix: str) -> list[str]:
    """The raw text and its unescaped readings (see the module doc)."""
    base = _json_unescape(raw)
    if suffix in _ICAL_SUFFIXES:
        base = _ical_unescape(base)
    out = [raw, _html_unescape(_html_unescape(base))]
    if suffix in _MARKUP_SUFFIXES or suffix in _ICAL_SUFFIXES:
        text = _strip_tags(base)
        for _ in range(2):  # feeds escape HTML inside XML, sometimes twice
            text = _strip_tags(_html_unescape(text))
        out.append(text)
    return out


def decoded(data: bytes, name: str) -> tuple[bytes, str]:
    """The content to read and the suffix that says how: a ``.gz`` file
    (``sitemap.xml.gz``) is read uncompressed, as what it compresses."""
    suffixes = [s.lower() for s in Path(name).suffixes]
    if suffixes and suffixes[-1] == ".gz":
        try:
            with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
                data = stream.read(MAX_GUNZIP)
            suffixes.pop()
        except (OSError, EOFError):
            pass  # not really gzip: read the bytes as they are
    return data, (suffixes[-1] if suffixes else "")


class Haystack:
    """One file content, normalised once: its readings (see :func:`_variants`)
    joined by a separator no needle contains, lower-cased for matching."""

    SEPARATOR = "\n\x00\n"

    def __init__(self, data: bytes, suffix: str) -> None:
        raw = data.decode("utf-8", "replace").lstrip("\ufeff")
        seen: list[str] = []
        for variant in _variants(raw, suffix):
            flat = " ".join(variant.split())
            if flat not in seen:
                seen.append(flat)
        self.display = self.SEPARATOR.join(seen)
        self.text = self.display.lower()
        if len(self.text) != len(self.display):  # a few characters grow when lower-cased
            self.display = self.text

    def excerpt(self, index: int, length: int) -> str:
        start, end = max(0, index - EXCERPT), index + length + EXCERPT
        part = self.display[start:end].replace(self.SEPARATOR, " ").strip()
        return ("…" if start else "") + part + ("…" if end < len(self.display) else "")


class NeedleSearch:
    """The needles of one microsite in one Aho-Corasick automaton
    (pyahocorasick), so each file is scanned once in linear time however
    many needles a large portfolio gives. Needles with the same text count
    once (the first one's description is reported)."""

    def __init__(self, needles: Iterable[Needle], allowed: Callable[[], str]) -> None:
        import ahocorasick

        self._needles: dict[str, Needle] = {}
        for needle in needles:
            if needle.text:
                self._needles.setdefault(needle.text, needle)
        self._automaton = ahocorasick.Automaton()
        for text in self._needles:
            self._automaton.add_word(text, text)
        if self._needles:
            self._automaton.make_automaton()
        self._allowed_text = allowed
        self._allowed: str | None = None
        self._exempt: dict[str, bool] = {}

    def __len__(self) -> int:
        return len(self._needles)

    def _is_exempt(self, needle: Needle) -> bool:
        """Also in what the audience may see: not distinctive, a match proves nothing.
        The audience's text is only gathered once something matched."""
        if not needle.exempt_if_shown:
            return False
        if needle.text not in self._exempt:
            if self._allowed is None:
                self._allowed = self._allowed_text()
            self._exempt[needle.text] = needle.text in self._allowed
        return self._exempt[needle.text]

    def find_all(self, haystack: Haystack) -> list[tuple[Needle, int]]:
        """Each needle found in ``haystack``, with the index of its first
        occurrence that stands on word boundaries."""
        if not self._needles:
            return []
        text, first = haystack.text, {}
        for end, found in self._automaton.iter(text):
            if found in first:
                continue
            needle, start = self._needles[found], end - len(found) + 1
            if needle.bounded and not _bounded(text, start, end + 1, needle.token):
                continue
            if not self._is_exempt(needle):
                first[found] = start
        return [(self._needles[found], index) for found, index in first.items()]


def _is_word(char: str, token: bool) -> bool:
    return char.isalnum() or char == "_" or (token and char == "-")


def _bounded(text: str, start: int, end: int, token: bool) -> bool:
    """The match neither continues nor is continued by a word (a slug: a token)."""
    if _is_word(text[start], token) and start > 0 and _is_word(text[start - 1], token):
        return False
    if _is_word(text[end - 1], token) and end < len(text) and _is_word(text[end], token):
        return False
    return True

