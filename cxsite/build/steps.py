"""The build's steps whose results are kept, each under the one key rule.

A step's key is :func:`~cxsite.cache.keys.step_key` of its name, the
toolchain and the digests of what it declares it reads. Two kinds of input
are only known once the step has run: the moments it asked the build's
clock about (:mod:`cxsite.views.clock`) and the files it looked at beyond
the ones it declared (an image a customer's logo names). A step therefore
records its questions; the next run asks them again, and the result it
kept is used only when every answer is the same (the questions are stored
under the declared key, the result under the declared key with the
answers). Deterministic steps given the same inputs and the same answers
ask the same questions, so this can never return a result that would
come out differently (docs/architecture.md).

No stage function sees the store: the steps call them with data and keep
what they return.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from ..cache.index import FileIndex
from ..cache.keys import digest, step_key
from ..cache.store import Store
from ..model.prose import MarkdownTooComplex
from ..source.documents import LIMITS, Document, parse_document
from ..source.files import read_content
from ..source.layout import visible_file_entries
from ..views.clock import Clock, Passed, Question, Today

# ----------------------------------------------------------------- questions

def ask(text: str, clock: Clock, files: FileIndex) -> str:
    """The answer now to a question recorded as ``text`` (see :func:`question_text`;
    ``f<path>`` asks for a file's digest)."""
    if text[0] == "f":
        return files.digest(text[1:])
    return answer_text(clock.answer(_question(text)))


@functools.lru_cache(maxsize=1 << 16)
def _question(text: str) -> Question:
    """A recorded question read back (a plan reads the same ones for every microsite)."""
    if text[0] == "p":
        return Passed(dt.datetime.fromisoformat(text[1:]).astimezone(dt.timezone.utc))
    return Today(text[1:])


def question_text(question: Question) -> str:
    """A question of the clock as the build records it."""
    if isinstance(question, Passed):
        return "p" + question.moment.isoformat()
    assert isinstance(question, Today)
    return "t" + question.zone


def answer_text(answer: object) -> str:
    """An answer of the clock as the build records it."""
    if isinstance(answer, bool):
        return "1" if answer else "0"
    assert isinstance(answer, dt.date)
    return answer.isoformat()


def recorded(clock: Clock) -> tuple[tuple[str, str], ...]:
    """The questions a clock was asked and their answers, as the build records them."""
    return tuple(sorted((question_text(question), answer_text(answer)) for question, answer in clock.asked.items()))


class Looked:
    """The files a step looked at beyond its declared inputs, by digest."""

    def __init__(self, files: FileIndex) -> None:
        self._files = files
        self.digests: dict[str, str] = {}

    def digest(self, path: str | os.PathLike[str]) -> str:
        name = os.path.abspath(path)
        found = self.digests[name] = self._files.digest(name)
        return found


class _Timeless(Clock):
    """The clock of a step that must not depend on the time: it answers nothing."""

    def __init__(self) -> None:
        super().__init__(dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc))

    def passed(self, moment: dt.datetime) -> bool:
        raise AssertionError("a step without a clock asked about the time")

    def today(self, zone: Any) -> dt.date:
        raise AssertionError("a step without a clock asked about the time")


_TIMELESS = _Timeless()


@dataclass(frozen=True)
class Kept:
    """A step's result and the key that names it with its answers (what a
    later step that uses the result declares as its input), with the files
    beyond its declared inputs it looked at and their digests."""

    value: Any
    key: str
    files: tuple[tuple[str, str], ...] = ()


def _files(questions: Iterable[str], answers: Iterable[str]) -> tuple[tuple[str, str], ...]:
    return tuple((text[1:], answer) for text, answer in zip(questions, answers) if text[0] == "f")


# -------------------------------------------------------------------- steps

class Steps:
    """The build's kept steps, for one toolchain and one store."""

    def __init__(self, store: Store, toolchain: str, files: FileIndex) -> None:
        self.store = store
        self.toolchain = toolchain
        self.files = files
        self.unsteady: set[str] = set()   # files that changed while this build read them

    def run(self, step: str, inputs: Iterable[str], clock: Clock | None,
            compute: Callable[[Clock, Looked], Any], keep: Callable[[Any], bool] = lambda value: True,
            asks: bool = True) -> Kept:
        """``compute(clock, looked)``'s result for these inputs, kept under the
        one key rule with the questions it asked (see the module doc); the
        answers are asked of ``clock`` too, so whatever uses the result
        depends on them. A step given no clock may not ask about the time;
        one that looks at no file either says so (``asks=False``), and its
        result is found with one look into the store.
        ``keep(value)`` False: use the result, but do not keep it."""
        declared = step_key(step, self.toolchain, *inputs)
        plain = self.store.get(step_key("answers", declared))   # a result that asked nothing
        if plain is not None:
            return Kept(plain[0], step_key("answers", declared))
        questions = self.store.get("q" + declared) if asks else None
        if questions is not None and (clock is not None or all(text[0] == "f" for text in questions)):
            answers = [ask(text, clock, self.files) for text in questions]  # type: ignore[arg-type]
            full = step_key("answers", declared, *questions, *answers)
            value = self.store.get(full)
            if value is not None:
                return Kept(value[0], full, _files(questions, answers))
        own = clock.fresh() if clock is not None else _TIMELESS
        looked = Looked(self.files)
        value = compute(own, looked)
        asked = {question_text(question): answer_text(answer) for question, answer in own.asked.items()}
        if clock is not None:
            clock.take(own.asked)
        asked.update(("f" + name, found) for name, found in looked.digests.items())
        questions = tuple(sorted(asked))
        full = step_key("answers", declared, *questions, *(asked[text] for text in questions))
        if keep(value):
            if questions:
                self.store.put("q" + declared, questions)
            self.store.put(full, (value,))
        return Kept(value, full, _files(questions, (asked[text] for text in questions)))

    def known(self, step: str, inputs: Iterable[str], clock: Clock | None) -> Kept | None:
        """What :meth:`run` would return, but for the value itself, when a
        result is kept for these inputs (its value is not read: see
        :meth:`value`); None otherwise."""
        declared = step_key(step, self.toolchain, *inputs)
        if self.store.has(step_key("answers", declared)):
            return Kept(None, step_key("answers", declared))
        questions = self.store.get("q" + declared)
        if questions is None or (clock is None and any(text[0] != "f" for text in questions)):
            return None
        answers = [ask(text, clock, self.files) for text in questions]  # type: ignore[arg-type]
        full = step_key("answers", declared, *questions, *answers)
        return Kept(None, full, _files(questions, answers)) if self.store.has(full) else None

    def value(self, key: str) -> Any | None:
        """A kept result by the key :meth:`run` or :meth:`known` gave (None if it is gone)."""
        found = self.store.get(key)
        return found[0] if found is not None else None

    # ---------------------------------------------------------- documents

    def document(self, path: Path, kind: str) -> Document:
        """One file's document, kept by the digest of its bytes. A file that
        changes while it is read is parsed as read and kept by nobody
        (:attr:`unsteady`): the next build reads it again."""
        name = os.path.abspath(path)
        content = self.files.digest(name)
        steady = True

        def parse(_: Clock, __: Looked) -> Document:
            nonlocal steady
            data = read_content(Path(name), LIMITS[kind])
            steady = not isinstance(data, bytes) or digest(data) == content
            if not steady:
                self.unsteady.add(name)
            return parse_document(name, kind, data)

        return self.run("document", (kind, name, content), None, parse, keep=lambda value: steady, asks=False).value

    def markdown(self, text: str) -> Any:
        """A Markdown text converted (RenderedMarkdown), or the
        MarkdownTooComplex it raises, kept by the digest of the text."""
        from ..render.markdown import convert

        def conversion(_: Clock, __: Looked) -> Any:
            try:
                return convert(text)
            except MarkdownTooComplex as exc:
                return exc

        return self.run("markdown", (digest(text),), None, conversion, asks=False).value

    def prose(self, texts: Iterable[str]):  # type: ignore[no-untyped-def]
        """A :class:`~cxsite.render.prose.Prose` of ``texts``, each conversion kept."""
        from ..render.prose import Prose

        table, failed = {}, {}
        for text in dict.fromkeys(texts):
            converted = self.markdown(text)
            if isinstance(converted, MarkdownTooComplex):
                failed[text] = converted
            else:
                table[text] = converted
        return Prose(table, failed=failed)


def folder_contents(folder: Path, files: FileIndex) -> str:
    """The digest of every visible file below a folder: its path in the
    folder and the digest of its bytes. What a customer's model is made of."""
    lines = []
    for name, entry in visible_file_entries(folder):
        try:
            status = entry.stat()
        except OSError:
            status = None
        lines.append(f"{name}\0{files.digest(entry.path, status)}")
    return digest("\n".join(lines))
