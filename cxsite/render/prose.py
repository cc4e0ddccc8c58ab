"""The Markdown a render converts, converted beforehand: one table per render.

Which values are Markdown is said once, in the model (fields whose
metadata is :data:`cxsite.model.objects.MARKDOWN`); :func:`markdown_texts`
finds every such value in whatever is about to be rendered, and a
:class:`Prose` maps each text to its conversion. The renderers only look
texts up in the table they are given: they convert nothing, so a text is
converted once per render (for its page, its feeds and its summary
alike), and the build can keep each conversion by the digest of its text
(docs/architecture.md).
"""

from __future__ import annotations

import dataclasses
from typing import Iterable, Iterator, Mapping

from markupsafe import Markup

from ..model.prose import MarkdownTooComplex
from .markdown import RenderedMarkdown, convert


def _walk(value: object) -> Iterator[str]:
    if isinstance(value, (tuple, list)):
        for item in value:
            yield from _walk(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for field in dataclasses.fields(value):
            if not field.compare:
                continue
            item = getattr(value, field.name)
            if field.metadata.get("markdown"):
                if item:
                    yield item
            elif isinstance(item, (tuple, list)) or dataclasses.is_dataclass(item):
                yield from _walk(item)


def markdown_texts(*values: object) -> list[str]:
    """Every Markdown value held by ``values`` (model objects, views), once each, in order."""
    return list(dict.fromkeys(text for value in values for text in _walk(value)))


class Prose:
    """Markdown texts and what they convert to (sanitised HTML, plain text).

    A table made for one render holds every text it needs
    (:func:`markdown_texts`); asking for another is a bug in the caller.
    :meth:`converting` makes one that converts what it is asked for, for
    callers that render one thing outside a build (tests, ``cxsite audit``)."""

    def __init__(self, table: Mapping[str, RenderedMarkdown], *, lazy: bool = False,
                 failed: Mapping[str, Exception] | None = None) -> None:
        self._table = dict(table)
        self._failed = dict(failed or {})   # texts that cannot be converted, and why
        self._lazy = lazy

    @classmethod
    def of(cls, texts: Iterable[str]) -> Prose:
        """Every text converted now (one that cannot be raises when asked for)."""
        table, failed = {}, {}
        for text in texts:
            try:
                table[text] = convert(text)
            except MarkdownTooComplex as exc:
                failed[text] = exc
        return cls(table, failed=failed)

    @classmethod
    def converting(cls) -> Prose:
        return cls({}, lazy=True)

    def __getitem__(self, text: str) -> RenderedMarkdown:
        found = self._table.get(text)
        if found is None:
            if text in self._failed:
                raise self._failed[text]
            if not self._lazy:
                raise KeyError(f"Markdown text not converted for this render: {text[:60]!r}")
            found = self._table[text] = convert(text)
        return found

    def html(self, text: str) -> Markup:
        """The text's HTML, ready to be put into a page."""
        return Markup(self[text].html)

    def text(self, text: str) -> str:
        """The text as plain text."""
        return self[text].text
