"""The build's one moment, and the clock through which the views ask about it.

A build takes "now" once (:func:`build_cutoff`). Nothing below the build
reads it: views, facts, rules and the renderers ask a :class:`Clock` two
kinds of question, has this moment come (:meth:`Clock.passed`) and what is
the date in this zone (:meth:`Clock.today`), and the clock writes down
every question with its answer. That record says exactly how a result
depends on the time: the same inputs and the same answers give the same
result, and it holds until the first answer would change
(:func:`next_change`). The build keys what it keeps on it
(docs/architecture.md).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Iterable, Union
from zoneinfo import ZoneInfo

from ..diagnostics import BuildError

UTC = dt.timezone.utc


def build_cutoff(explicit: dt.datetime | None = None) -> dt.datetime:
    """The one "now" of a build: explicit, else SOURCE_DATE_EPOCH, else the clock."""
    if explicit is not None:
        return explicit if explicit.tzinfo else explicit.replace(tzinfo=UTC)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            return dt.datetime.fromtimestamp(int(epoch), UTC)
        except ValueError as exc:
            raise BuildError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, got {epoch!r}") from exc
    return dt.datetime.now(UTC).replace(microsecond=0)


@dataclass(frozen=True, order=True)
class Passed:
    """Has this moment come (is it at or before the build's moment)?"""

    moment: dt.datetime          # in UTC


@dataclass(frozen=True, order=True)
class Today:
    """What is the date in this time zone at the build's moment?"""

    zone: str                    # an IANA name


Question = Union[Passed, Today]
Answer = Union[bool, dt.date]


class Clock:
    """The build's moment, answering questions and remembering them."""

    def __init__(self, now: dt.datetime) -> None:
        if now.tzinfo is None:
            raise ValueError("the build's moment must be timezone-aware")
        self._now = now
        self._asked: dict[Question, Answer] = {}

    def passed(self, moment: dt.datetime) -> bool:
        """Whether ``moment`` (aware) has come: it is not after the build's moment."""
        question = Passed(moment.astimezone(UTC))
        answer = self._asked.get(question)
        if answer is None:
            answer = self._asked[question] = question.moment <= self._now
        return bool(answer)

    def today(self, zone: ZoneInfo | str) -> dt.date:
        """The date in ``zone`` at the build's moment."""
        question = Today(zone if isinstance(zone, str) else zone.key)
        answer = self._asked.get(question)
        if answer is None:
            answer = self._asked[question] = self._now.astimezone(ZoneInfo(question.zone)).date()
        return answer  # type: ignore[return-value]

    def answer(self, question: Question) -> Answer:
        """The answer to ``question`` at this moment (recorded like any other)."""
        answer = self._asked.get(question)
        if answer is not None:
            return answer
        if isinstance(question, Passed):
            return self.passed(question.moment)
        return self.today(question.zone)

    @property
    def asked(self) -> dict[Question, Answer]:
        """Every question asked so far, with its answer."""
        return dict(self._asked)

    def fresh(self) -> Clock:
        """The same moment, with nothing asked yet: the clock of one step."""
        return Clock(self._now)

    def take(self, asked: dict[Question, Answer]) -> None:
        """Record another clock's questions as asked of this one too (a step's
        answers belong to whatever used its result)."""
        self._asked.update(asked)


def as_clock(when: Clock | dt.datetime) -> Clock:
    """A clock for a moment (callers outside a build may pass the moment)."""
    return when if isinstance(when, Clock) else Clock(when)


def next_change(asked: dict[Question, Answer] | Iterable[tuple[Question, Answer]]) -> dt.datetime | None:
    """The first moment after which some answer in ``asked`` would differ:
    the earliest moment that has not come yet, or the next midnight in a
    zone whose date was asked; None when no answer can change."""
    items = asked.items() if isinstance(asked, dict) else asked
    found: list[dt.datetime] = []
    for question, answer in items:
        if isinstance(question, Passed):
            if not answer:
                found.append(question.moment)
        else:
            zone = ZoneInfo(question.zone)
            midnight = dt.datetime.combine(answer + dt.timedelta(days=1), dt.time(), tzinfo=zone)  # type: ignore[operator]
            found.append(midnight.astimezone(UTC))
    return min(found, default=None)
