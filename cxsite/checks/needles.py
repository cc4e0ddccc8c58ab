"""What must not appear in a microsite: the needles of the privacy audit.

For every microsite, the strings its audience must never see, derived
from the *full* portfolio minus what :func:`cxsite.views.microsite` gives
that audience:

* another customer's name and slug (only those of 4 characters or more; a
  slug must stand as a whole path/word token);
* the text of internal notes, and of updates that are internal, drafts or
  not yet released (title, summary, and a few runs of 40+ characters of
  the rendered body), of every customer;
* titles and prose of this customer's projects, updates, milestones,
  disruptions, decisions, measures and survey comments that are restricted
  to *other* audiences;
* configured secret markers (:mod:`.markers`).

A candidate string that also occurs in what the audience *may* see (any
string of its view, its Markdown rendered, and cxsite's own interface
words) is dropped: it is not distinctive, and a match would prove nothing.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Iterable, Iterator

from .. import model as m
from ..render.prose import Prose, markdown_texts
from ..views import Microsite, microsite, release_time
from ..views.clock import Clock, as_clock
from .search import Needle, normalise

MIN_NAME = 4        # names and slugs shorter than this are too common to mean anything
MIN_TITLE = 5       # titles of hidden items
MIN_SHORT_PROSE = 16  # a whole short note or comment
MIN_RUN = 40        # a run of prose
MAX_RUNS = 4        # runs taken from one text (spread over it)


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


def allowed_text(view: Microsite, prose: Prose) -> str:
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
    allowed = allowed_text(view, prose)
    needles: dict[str, Needle] = {}
    for needle in microsite_needles(portfolio_needles(portfolio, clock, prose), customer, view, prose, markers):
        if needle.text and needle.text not in needles and not (needle.exempt_if_shown and needle.text in allowed):
            needles[needle.text] = needle
    return tuple(needles.values())
