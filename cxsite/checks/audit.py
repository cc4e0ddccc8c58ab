"""Privacy audit of a built site: is anything there that must not be?

:mod:`cxsite.views` decides who sees what, and everything downstream renders
only what a view holds. The audit checks that promise from the other end,
on the bytes that would be published: for every microsite it derives the
strings that audience must never see from the *full* portfolio minus what
:func:`cxsite.views.microsite` gives that audience, and looks for them in
every file of the microsite's folder (pages, feeds, calendars, vCards,
sitemap, search index, 404, assets).

What counts as forbidden in ``<customer>/<audience>``:

* another customer's name and slug (only those of 4 characters or more; a
  slug must stand as a whole path/word token);
* the text of internal notes, and of updates that are internal, drafts or
  not yet released at the manifest's cutoff (title, summary, and a few runs
  of 40+ characters of the rendered body), of every customer;
* titles and prose of this customer's projects, updates, milestones,
  disruptions, decisions, measures and survey comments that are restricted
  to *other* audiences;
* configured secret markers (``markers``; the CLI adds ``CXSITE_SECRET_MARKERS``);
* and no manifest, no symbolic link, and for unlisted and private sites no
  HTML page without ``<meta name="robots" content="noindex">``.

A candidate string that also occurs in what the audience *may* see (any
string of its view, rendered Markdown included, and cxsite's own interface
words) is dropped: it is not distinctive, and a match would prove nothing.

Matching is case-insensitive on text with whitespace collapsed, on the raw
bytes *and* on an unescaped version (JSON ``\\u`` escapes, HTML/XML
entities, twice for feeds that escape HTML inside XML; tags removed;
iCalendar/vCard lines unfolded and ``\\,`` ``\\;`` ``\\n`` unescaped). Each
file is read and normalised once and scanned for all needles at once with
an Aho-Corasick automaton, so the cost grows with the bytes built, not
with bytes × needles. The build audits each microsite in the worker that
built it (:func:`audit_microsite`); ``cxsite audit`` runs the same check
over a whole output folder (:func:`audit_site`).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gzip
import html
import io
import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator, Mapping

from .. import model as m
from ..diagnostics import CxsiteError
from ..render.paths import DASHBOARD_SLUG
from ..render.prose import Prose, markdown_texts
from ..views import Microsite, microsite, release_time
from ..views.clock import Clock, as_clock
from .manifest import MANIFEST, read_manifest
from .markers import MARKERS_ENV, markers_from_env  # noqa: F401 - part of the audit's interface


MIN_NAME = 4        # names and slugs shorter than this are too common to mean anything
MIN_TITLE = 5       # titles of hidden items
MIN_SHORT_PROSE = 16  # a whole short note or comment
MIN_RUN = 40        # a run of prose
MAX_RUNS = 4        # runs taken from one text (spread over it)
MAX_GUNZIP = 64 * 1024 * 1024  # read at most this much of a .gz file
EXCERPT = 40        # characters of context shown either side of a match


class AuditError(CxsiteError):
    """The audit could not run (no manifest, site and portfolio disagree)."""


@dataclass(frozen=True)
class Finding:
    path: str       # relative to the site folder, with "/"
    what: str
    excerpt: str = ""

    def format(self) -> str:
        return f"{self.path}: {self.what}" + (f": «{self.excerpt}»" if self.excerpt else "")


@dataclass(frozen=True)
class Needle:
    """A string that must not occur in one microsite."""

    text: str            # normalised: whitespace collapsed, lower case
    what: str            # what it is and where it comes from, for the report
    bounded: bool = True  # must not continue a word on either side
    token: bool = False  # a slug: '-' and '_' count as part of the word too
    owner: str = ""      # a customer's own name or slug: not forbidden on that customer's microsites
    exempt_if_shown: bool = True  # dropped when the audience may see the same text anyway


# --------------------------------------------------------------- normalising

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


def _decoded(data: bytes, name: str) -> tuple[bytes, str]:
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


class _Haystack:
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

    def find_all(self, haystack: _Haystack) -> list[tuple[Needle, int]]:
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


# ------------------------------------------------------------------- needles

def _plain(text: str, prose: Prose) -> str:
    """A Markdown text as a reader sees it: rendered to plain text."""
    try:
        return prose.text(text)
    except ValueError:  # too complex to render: fall back to what was typed
        return text


def _runs(line: str) -> Iterator[str]:
    """Consecutive runs of whole words of MIN_RUN+ characters; a shorter
    rest is covered by one more run that ends with the line."""
    words, current, emitted = line.split(" "), [], False
    for word in words:
        current.append(word)
        if len(" ".join(current)) >= MIN_RUN:
            yield " ".join(current)
            current, emitted = [], True
    if current and emitted:
        tail: list[str] = []
        for word in reversed(words):
            tail.insert(0, word)
            if len(" ".join(tail)) >= MIN_RUN:
                yield " ".join(tail)
                break


def _spread(items: list[str], count: int) -> list[str]:
    if len(items) <= count:
        return items
    step = (len(items) - 1) / (count - 1)
    return [items[round(i * step)] for i in range(count)]


def _prose(text: str, what: str, prose: Prose | None = None) -> list[Needle]:
    """Distinctive fragments of a longer text (Markdown, when ``prose`` is
    given to render it): the whole of it when short, else a few 40+
    character runs spread over it."""
    if not text or not text.strip():
        return []
    plain = _plain(text, prose) if prose is not None else text
    whole = normalise(plain)
    if len(whole) < MIN_RUN:
        return [Needle(whole, what)] if len(whole) >= MIN_SHORT_PROSE else []
    runs = [run for line in plain.splitlines() for run in _runs(normalise(line))]
    if not runs:  # only short lines: the longest of them, if long enough
        longest = max((normalise(line) for line in plain.splitlines()), key=len)
        return [Needle(longest, what)] if len(longest) >= MIN_SHORT_PROSE else []
    return [Needle(run, what) for run in _spread(runs, MAX_RUNS)]


def _title(text: str, what: str) -> list[Needle]:
    flat = normalise(text)
    return [Needle(flat, what)] if len(flat) >= MIN_TITLE else []


def _for(audiences: tuple[str, ...]) -> str:
    return f"for {', '.join(audiences)} only" if audiences else "for other audiences"


def _where(location: m.Location) -> str:
    return f" ({location})" if location.path and location.path != "<none>" else ""


def _update_needles(update: m.Update, what: str, prose: Prose) -> list[Needle]:
    what = f"{what} '{update.title}'{_where(update.location)}"
    return _title(update.title, what) + _prose(update.summary, what) + _prose(update.body_markdown, what, prose)


def _identity(customer: m.Customer) -> list[Needle]:
    """Another customer's name and slug."""
    needles = []
    if len(customer.name.strip()) >= MIN_NAME:
        needles.append(Needle(normalise(customer.name), f"another customer's name '{customer.name}'"))
    if len(customer.slug) >= MIN_NAME:
        needles.append(Needle(customer.slug.lower(), f"another customer's slug '{customer.slug}'", token=True))
    return needles


def _unpublished_reason(update: m.Update, clock: Clock) -> str | None:
    if update.internal:
        return "internal update"
    if update.draft:
        return "draft update"
    if not clock.passed(release_time(update)):
        return f"update not released until {release_time(update).isoformat()}"
    return None


def _secrets(customer: m.Customer, clock: Clock, prose: Prose) -> list[Needle]:
    """What no audience of anyone may see: internal notes; internal, draft
    and not yet released updates."""
    needles = _prose(customer.internal_note, f"internal note of customer '{customer.name}'"
                                             f"{_where(customer.location)}", prose)
    for project in customer.projects:
        label = f"project '{project.name}'"
        needles += _prose(project.internal_note, f"internal note of {label}{_where(project.location)}", prose)
        for ms in project.milestones:
            needles += _prose(ms.internal_note, f"internal note of milestone '{ms.title}'{_where(ms.location)}",
                              prose)
        for d in project.disruptions:
            needles += _prose(d.internal_note, f"internal note of disruption '{d.title}'{_where(d.location)}",
                              prose)
        if project.budget is not None:
            needles += _prose(project.budget.internal_note,
                              f"internal note of the budget of {label}{_where(project.budget.location)}", prose)
        for update in project.updates:
            reason = _unpublished_reason(update, clock)
            if reason:
                needles += _update_needles(update, reason, prose)
    return needles


def _whole_project(project: m.Project, prose: Prose) -> list[Needle]:
    what = f"project '{project.name}' {_for(project.audiences)}{_where(project.location)}"
    needles = _title(project.name, what) + _prose(project.summary, what, prose) + _prose(project.health_reason, what)
    for ms in project.milestones:
        needles += _title(ms.title, what) + _prose(ms.description, what, prose)
    for d in project.disruptions:
        needles += _title(d.title, what) + _prose(d.description, what, prose)
    for dec in project.decisions:
        needles += _title(dec.title, what) + _prose(dec.description, what, prose) + _prose(dec.outcome, what, prose)
    for measure in project.measures:
        needles += _title(measure.name, what)
    for survey in project.surveys:
        needles += _prose(survey.comment, what, prose)
    for update in project.updates:
        needles += _update_needles(update, f"update of {what}", prose)
    return needles


def _hidden(customer: m.Customer, view: Microsite, prose: Prose) -> list[Needle]:
    """This customer's items that the view left out for this audience."""
    shown = {p.slug: p for p in view.customer.projects}
    needles: list[Needle] = []
    for project in customer.projects:
        seen = shown.get(project.slug)
        if seen is None:
            needles += _whole_project(project, prose)
            continue
        ids = lambda items: {item.id for item in items}  # noqa: E731
        for ms in project.milestones:
            if ms.id not in ids(seen.milestones):
                what = f"milestone '{ms.title}' {_for(ms.audiences)}{_where(ms.location)}"
                needles += _title(ms.title, what) + _prose(ms.description, what, prose)
        for d in project.disruptions:
            if d.id not in ids(seen.disruptions):
                what = f"disruption '{d.title}' {_for(d.audiences)}{_where(d.location)}"
                needles += _title(d.title, what) + _prose(d.description, what, prose)
        for dec in project.decisions:
            if dec.id not in ids(seen.decisions):
                what = f"decision '{dec.title}' {_for(dec.audiences)}{_where(dec.location)}"
                needles += (_title(dec.title, what) + _prose(dec.description, what, prose)
                            + _prose(dec.outcome, what, prose))
        for measure in project.measures:
            if measure.id not in ids(seen.measures):
                needles += _title(measure.name, f"measure '{measure.name}' {_for(measure.audiences)}"
                                                f"{_where(measure.location)}")
        for survey in project.surveys:
            if survey not in seen.surveys:
                needles += _prose(survey.comment, f"survey comment {_for(survey.audiences)}{_where(survey.location)}",
                                  prose)
        for update in project.updates:
            if update.id not in ids(seen.updates):
                needles += _update_needles(update, f"update {_for(update.audiences)}", prose)
    return needles


def _strings(value: object) -> Iterator[str]:
    """Every string held by a (view) model object, recursively."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, (tuple, list)):
        for item in value:
            yield from _strings(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if field.name != "location":
                yield from _strings(getattr(value, field.name))


def _allowed(view: Microsite, prose: Prose) -> str:
    """Everything the audience may see, normalised, as one searchable text:
    every string of its view, its Markdown as rendered, cxsite's own words."""
    from ..render.i18n import WORDS

    parts: list[str] = [w for words in WORDS.values() for w in words.values()]
    parts += _strings((view.customer, view.audience, view.organisation, view.people))
    parts += (_plain(text, prose) for text in markdown_texts(view.customer))
    return "\n".join(normalise(part) for part in parts)


def customer_needles(customer: m.Customer, clock: Clock, prose: Prose) -> tuple[Needle, ...]:
    """What one customer gives the needles every microsite shares: its name
    and slug (``owner``: allowed on its own microsites) and what no audience
    of anyone may see. ``prose`` converts its Markdown (of all its items)."""
    needles = [dataclasses.replace(needle, owner=customer.slug) for needle in _identity(customer)]
    return tuple(needles + _secrets(customer, clock, prose))


def portfolio_needles(portfolio: m.Portfolio, when: Clock | dt.datetime,
                      prose: Prose | None = None) -> tuple[Needle, ...]:
    """The needles every microsite shares (:func:`customer_needles` of every customer)."""
    clock, prose = as_clock(when), prose or Prose.converting()
    return tuple(needle for customer in portfolio.customers for needle in customer_needles(customer, clock, prose))


def _marker_needles(markers: Iterable[str]) -> list[Needle]:
    return [Needle(normalise(marker), f"secret marker '{marker}'", bounded=False, exempt_if_shown=False)
            for marker in markers if marker.strip()]


def microsite_needles(shared: Iterable[Needle], customer: m.Customer, view: Microsite, prose: Prose,
                      markers: Iterable[str] = ()) -> list[Needle]:
    """Candidates for one microsite: markers, the shared needles (but not
    the customer's own name) and what the view left out of this customer."""
    return [*_marker_needles(markers), *(n for n in shared if n.owner != customer.slug),
            *_hidden(customer, view, prose)]


def forbidden_needles(portfolio: m.Portfolio, customer: m.Customer, audience: m.Audience,
                      when: Clock | dt.datetime, markers: Iterable[str] = ()) -> tuple[Needle, ...]:
    """What must not occur in the microsite of ``customer``/``audience``
    (each candidate not exempt because the audience may see it anyway)."""
    clock, prose = as_clock(when), Prose.converting()
    view = microsite(portfolio, customer, audience, clock)
    allowed = _allowed(view, prose)
    needles: dict[str, Needle] = {}
    for needle in microsite_needles(portfolio_needles(portfolio, clock, prose), customer, view, prose, markers):
        if needle.text and needle.text not in needles and not (needle.exempt_if_shown and needle.text in allowed):
            needles[needle.text] = needle
    return tuple(needles.values())


# ---------------------------------------------------------------------- scan

_NOINDEX = re.compile(rb"<meta\s+name=\"robots\"\s+content=\"[^\"]*noindex", re.IGNORECASE)


def _files(folder: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(folder):
        dirnames.sort()
        for name in sorted(filenames + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]):
            yield Path(dirpath, name)


def _is_theme_asset(relative: Path) -> bool:
    """Files the theme ships (``assets/<folder>/...``: scripts, styles,
    fonts, icons) are the same for every site and hold no portfolio data;
    searching them only finds ordinary words ("draft", "future") in
    minified code. Images cxsite copies from the portfolio sit flat in
    ``assets/`` and are searched."""
    parts = relative.parts
    return len(parts) > 2 and parts[0] == "assets"


def audit_microsite(site_dir: Path, folder: str, view: Microsite, customer: m.Customer,
                    shared: Iterable[Needle], markers: Iterable[str] = (),
                    manifest_data: bytes | None = None, prose: Prose | None = None) -> list[Finding]:
    """Every finding in one built microsite, ``site_dir/folder``.

    ``view`` is what its audience may see, ``customer`` the whole customer
    it was cut from, ``shared`` the :func:`portfolio_needles`, ``prose`` the
    conversions of the customer's Markdown (what it renders to is what may
    be found). The build runs this in its workers right after each
    microsite is written.
    """
    prose = prose or Prose.converting()
    root = Path(site_dir) / folder
    if not root.is_dir():
        return [Finding(folder + "/", "microsite listed in the manifest is missing")]
    needles = microsite_needles(shared, customer, view, prose, markers)
    search: NeedleSearch | None = None
    access = view.customer.site.access.value
    findings: list[Finding] = []
    for path in _files(root):
        rel = f"{folder}/{path.relative_to(root).as_posix()}"
        if path.is_symlink():
            findings.append(Finding(rel, f"symbolic link to {os.readlink(path)}: publish would copy "
                                         "whatever it points to"))
            continue
        data = path.read_bytes()
        if path.name == MANIFEST or (manifest_data is not None and data == manifest_data):
            findings.append(Finding(rel, "the build manifest (it lists every customer's microsites) "
                                         "is inside a microsite"))
        if access != m.Access.PUBLIC.value and path.suffix in (".html", ".htm") \
                and rel != f"{folder}/404.html" and not _NOINDEX.search(data):
            # 404.html is exempt: it is served with status 404, which search engines never index.
            findings.append(Finding(rel, f"page of an {access} microsite without "
                                         '<meta name="robots" content="noindex">'))
        if _is_theme_asset(path.relative_to(root)):
            continue
        if search is None:
            search = NeedleSearch(needles, lambda: _allowed(view, prose))
        haystack = _Haystack(*_decoded(data, path.name))
        for needle, index in search.find_all(haystack):
            findings.append(Finding(rel, needle.what, haystack.excerpt(index, len(needle.text))))
    return findings


def audit_site(site_dir: Path, portfolio: m.Portfolio, cutoff: dt.datetime | None = None,
               markers: Iterable[str] = (), only: Iterable[str] = (), jobs: int | None = None) -> list[Finding]:
    """Every finding in the built site ``site_dir`` (empty: clean).

    ``cutoff`` defaults to the manifest's (the moment the site was built
    for); ``only`` limits the audit to some microsites (``customer`` or
    ``customer/audience``) and then skips the check for stray files.
    ``jobs`` microsites are audited at a time (default: one per core).
    """
    site_dir = Path(site_dir)
    manifest = read_manifest(site_dir)
    cutoff = cutoff or manifest.cutoff
    markers = tuple(markers)
    entries = manifest.select(only)
    for entry in entries:
        try:
            portfolio.customer(entry.customer).audience(entry.audience)
        except KeyError:
            raise AuditError(f"{entry.key} is in {site_dir / MANIFEST} but not in the portfolio: "
                             "audit the site with the portfolio it was built from") from None
    clock = Clock(cutoff)
    context = (site_dir, portfolio, clock, portfolio_needles(portfolio, clock), markers, manifest.data)
    jobs = jobs or os.cpu_count() or 1
    keys = [(entry.folder, entry.customer, entry.audience) for entry in entries]
    findings: list[Finding] = []
    if jobs > 1 and len(keys) >= PARALLEL_FROM:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("forkserver"),
                                 initializer=_set_context, initargs=context) as pool:
            for found in pool.map(_audit_entry, keys, chunksize=max(1, len(keys) // (jobs * 8))):
                findings += found
    else:
        _set_context(*context)
        for key in keys:
            findings += _audit_entry(key)

    if not tuple(only):
        folders = {entry.folder for entry in manifest.sites}
        for path in _files(site_dir):
            rel = path.relative_to(site_dir).as_posix()
            if rel.startswith(DASHBOARD_SLUG + "/"):
                continue  # the team's own dashboard: never published (see cxsite.dashboard)
            if rel != MANIFEST and not any(rel.startswith(folder + "/") for folder in folders):
                findings.append(Finding(rel, "file outside every microsite: a host serving the whole "
                                             "folder would publish it"))
    return sorted_findings(findings)


PARALLEL_FROM = 8  # fewer microsites than this are audited faster in this process
_CONTEXT: tuple = ()


def _set_context(*context: object) -> None:
    """What every microsite's audit needs, handed to each worker once."""
    global _CONTEXT
    _CONTEXT = context


def _audit_entry(key: tuple[str, str, str]) -> list[Finding]:
    site_dir, portfolio, clock, shared, markers, manifest_data = _CONTEXT
    folder, customer_slug, audience_id = key
    customer = portfolio.customer(customer_slug)
    view = microsite(portfolio, customer, customer.audience(audience_id), clock)
    return audit_microsite(site_dir, folder, view, customer, shared, markers, manifest_data)


def sorted_findings(findings: Iterable[Finding]) -> list[Finding]:
    """One finding per file and kind, in path order."""
    unique = {(f.path, f.what): f for f in reversed(list(findings))}
    return sorted(unique.values(), key=lambda f: (f.path, f.what))
