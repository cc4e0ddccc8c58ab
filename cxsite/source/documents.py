"""One file's content to its document: YAML nodes, or an update's front matter and body.

:func:`parse_document` is a function of the file's path, kind and content
alone, so its result may be kept under the digest of the content (the
build does, see docs/architecture.md). Every problem becomes a diagnostic
of the document; nothing raises on bad input.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..diagnostics import Collector, Diagnostic, Location
from .files import MAX_MARKDOWN_BYTES, MAX_YAML_BYTES, Content, TooLarge, Unreadable, here
from .schema import SLUG_HINT, SLUG_PATTERN
from .yaml import YamlDoc, parse_yaml

#: The kinds of document, each with the most bytes a file of it may hold.
LIMITS = {"team": MAX_YAML_BYTES, "customer": MAX_YAML_BYTES, "project": MAX_YAML_BYTES,
          "update": MAX_MARKDOWN_BYTES}


@dataclass(frozen=True)
class RawUpdate:
    """An update file: its front matter (YAML) and its Markdown body."""

    path: str             # absolute
    slug: str             # from the file name; "" when the name is not a valid slug
    front: YamlDoc | None
    body: str
    body_line: int        # line of the body's first line in the file


@dataclass(frozen=True)
class Document:
    """What one file holds, and every problem found reading it."""

    path: str
    kind: str
    value: YamlDoc | RawUpdate | None
    diagnostics: tuple[Diagnostic, ...] = ()


def parse_document(path: Path | str, kind: str, content: Content) -> Document:
    """The document of kind ``kind`` (see :data:`LIMITS`) that ``content`` holds."""
    where = here(path)
    diagnostics = Collector()
    text = _text(where, content, diagnostics)
    value: YamlDoc | RawUpdate | None = None
    if kind == "update":
        value = _update(where.path, text, diagnostics)
    elif text is not None:
        value = parse_yaml(where.path, text, diagnostics)
    return Document(where.path, kind, value, tuple(diagnostics.items))


def _text(where: Location, content: Content, diagnostics: Collector) -> str | None:
    if isinstance(content, TooLarge):
        diagnostics.error(where, f"file is {content.size / 1048576:.1f} MiB; at most {content.limit // 1024} KiB "
                                 "is allowed", "split it up or remove pasted data")
        return None
    if isinstance(content, Unreadable):
        diagnostics.error(where, f"cannot read file: {content.reason}", "check its permissions")
        return None
    if b"\0" in content:
        diagnostics.error(where, "this is a binary file, not text",
                          "save it as plain UTF-8 text, or move it out of the portfolio")
        return None
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = content.count(b"\n", 0, exc.start) + 1
        column = exc.start - (content.rfind(b"\n", 0, exc.start) + 1) + 1
        diagnostics.error(Location(where.path, line, column),
                          f"file is not valid UTF-8 (byte 0x{content[exc.start]:02x})",
                          "save the file with UTF-8 encoding")
        return None
    if not text.strip():
        diagnostics.error(Location(where.path, 1, 1), "file is empty", "fill it in, or delete it")
        return None
    return text.replace("\r\n", "\n")


def suggest_slug(text: str) -> str:
    """A valid slug close to ``text``, for hints."""
    import re

    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:64].strip("-") or "my-item"


def _update(path: str, text: str | None, diagnostics: Collector) -> RawUpdate | None:
    stem = Path(path).stem
    slug = stem if SLUG_PATTERN.fullmatch(stem) else ""
    if not slug:
        diagnostics.error(Location(path), f"update file name '{Path(path).name}' is not a valid slug",
                          f"rename it to '{suggest_slug(stem)}.md'; {SLUG_HINT}")
    if text is None:
        return None
    lines = text.split("\n")
    if lines[0].strip() != "---":
        diagnostics.error(Location(path, 1, 1), "update has no front matter",
                          "start the file with a '---' line, the keys (id, title, date, author), "
                          "and another '---' line")
        return None
    for index in range(1, len(lines)):
        if lines[index].strip() in ("---", "..."):
            end = index
            break
    else:
        diagnostics.error(Location(path, 1, 1), "front matter is not closed",
                          "add a line with '---' after the last key")
        return None
    front_text = "\n".join(lines[1:end])
    if not front_text.strip():
        diagnostics.error(Location(path, 2, 1), "front matter is empty", "add at least id, title, date and author")
        return None
    front = parse_yaml(path, front_text, diagnostics, line_offset=1)
    rest = lines[end + 1:]
    leading = 0
    while leading < len(rest) and not rest[leading].strip():
        leading += 1
    body = "\n".join(rest[leading:]).rstrip()
    return RawUpdate(path, slug, front, body, end + 2 + leading)
