"""Read a portfolio folder: files, YAML nodes and Markdown, no meaning yet.

This stage finds the files, refuses what is unsafe or unreadable (too big,
binary, not UTF-8, symlinks out of the portfolio, alias bombs, custom YAML
tags) and turns each YAML document into a node tree whose every node knows
its line and column. What the values *mean* is :mod:`cxsite.validate`'s job.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError
from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

from .diagnostics import Collector, Location, display_path
from .schema import SLUG_HINT, SLUG_PATTERN

MAX_YAML_BYTES = 1 << 20        # 1 MiB: a project.yml is a few KiB
MAX_MARKDOWN_BYTES = 512 << 10  # 512 KiB: an update is a few KiB
MAX_NODES = 50_000              # after alias expansion: refuses "billion laughs"
MAX_DEPTH = 32

TEAM_FILE = "team.yml"
CUSTOMER_FILE = "customer.yml"
PROJECT_FILE = "project.yml"
UPDATES_DIR = "updates"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
ALLOWED_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "timestamp",
                                                         "seq", "map")}


@dataclass(frozen=True)
class YamlDoc:
    """A parsed YAML document: its root node and where it came from."""

    path: Path
    display: str
    root: Node
    line_offset: int = 0  # lines before the YAML text (front matter)


@dataclass(frozen=True)
class RawUpdate:
    path: Path
    display: str
    slug: str
    front: YamlDoc | None
    body: str
    body_line: int


@dataclass(frozen=True)
class RawProject:
    slug: str
    folder: Path
    doc: YamlDoc | None
    updates: tuple[RawUpdate, ...]


@dataclass(frozen=True)
class RawCustomer:
    slug: str
    folder: Path
    doc: YamlDoc | None
    projects: tuple[RawProject, ...]


@dataclass(frozen=True)
class RawPortfolio:
    root: Path
    team: YamlDoc | None
    customers: tuple[RawCustomer, ...]


@dataclass
class Reader:
    """Reads files below one root, reporting every problem to ``diagnostics``."""

    root: Path
    diagnostics: Collector = field(default_factory=Collector)

    def __post_init__(self) -> None:
        self.root = Path(os.path.abspath(self.root))
        self._real_root = Path(os.path.realpath(self.root))
        self._inside: set[str] = {str(self.root)}  # folders known to lie inside (not links)

    def display(self, path: Path) -> str:
        return display_path(path)

    def here(self, path: Path, line: int = 0, column: int = 0) -> Location:
        return Location(self.display(path), line, column)

    # ------------------------------------------------------------ files

    def inside(self, path: Path) -> bool:
        """False (with a diagnostic) when a symlink leads out of the portfolio.

        A plain file or folder in a folder already found inside is inside
        too; only links (and the first look at a folder) need resolving."""
        parent = os.path.dirname(path)
        if parent in self._inside and not os.path.islink(path):
            if os.path.isdir(path):
                self._inside.add(str(path))
            return True
        real = Path(os.path.realpath(path))
        if real == self._real_root or self._real_root in real.parents:
            if not os.path.islink(path) and os.path.isdir(path):
                self._inside.add(str(path))
            return True
        self.diagnostics.error(self.here(path), "this link points outside the portfolio folder",
                               "copy the file into the portfolio instead of linking to it")
        return False

    def read_text(self, path: Path, limit: int) -> str | None:
        if not self.inside(path):
            return None
        try:
            size = path.stat().st_size
            if size > limit:
                self.diagnostics.error(self.here(path), f"file is {size / 1048576:.1f} MiB; at most "
                                       f"{limit // 1024} KiB is allowed", "split it up or remove pasted data")
                return None
            data = path.read_bytes()
        except OSError as exc:
            self.diagnostics.error(self.here(path), f"cannot read file: {exc.strerror}", "check its permissions")
            return None
        if b"\0" in data:
            self.diagnostics.error(self.here(path), "this is a binary file, not text",
                                   "save it as plain UTF-8 text, or move it out of the portfolio")
            return None
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
            self.diagnostics.error(self.here(path, line, column),
                                   f"file is not valid UTF-8 (byte 0x{data[exc.start]:02x})",
                                   "save the file with UTF-8 encoding")
            return None
        if not text.strip():
            self.diagnostics.error(self.here(path, 1, 1), "file is empty", "fill it in, or delete it")
            return None
        return text.replace("\r\n", "\n")

    # ------------------------------------------------------------- YAML

    def parse_yaml(self, path: Path, text: str, line_offset: int = 0) -> YamlDoc | None:
        display = self.display(path)
        try:
            documents = list(YAML(typ="safe", pure=True).compose_all(text))
        except MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 + line_offset if mark else 0
            column = mark.column + 1 if mark else 0
            problem = exc.problem or "invalid YAML"
            context = f" {exc.context}" if exc.context else ""
            if exc.context_mark and mark and exc.context_mark.line != mark.line:
                context += f" that starts at line {exc.context_mark.line + 1 + line_offset}"
            hint = "check indentation, colons and closing brackets or quotes"
            if "mapping values are not allowed" in problem:
                hint = "a value containing ': ' must be quoted, e.g. title: \"Week 12: testing done\""
            self.diagnostics.error(Location(display, line, column), f"YAML syntax error: {problem}{context}", hint)
            return None
        except YAMLError as exc:
            self.diagnostics.error(Location(display, 1 + line_offset, 1), f"YAML error: {exc}",
                                   "remove special characters")
            return None
        documents = [doc for doc in documents if doc is not None]
        if not documents:
            self.diagnostics.error(Location(display, 1 + line_offset, 1), "no YAML content", "fill it in")
            return None
        if len(documents) > 1:
            mark = documents[1].start_mark
            self.diagnostics.error(Location(display, mark.line + 1 + line_offset, 1),
                                   "more than one YAML document in this file", "remove the second '---'")
            return None
        root = documents[0]
        if not self._check_nodes(display, root, line_offset):
            return None
        return YamlDoc(path, display, root, line_offset)

    def _check_nodes(self, display: str, root: Node, line_offset: int) -> bool:
        """Refuse alias bombs, deep nesting, custom tags and merge keys
        before anything walks the tree: the walk counts aliased nodes each
        time they are reached, so expansion cost is bounded, not memory."""
        count = 0
        stack: list[tuple[Node, int]] = [(root, 1)]
        while stack:
            node, depth = stack.pop()
            count += 1
            here = Location(display, node.start_mark.line + 1 + line_offset, node.start_mark.column + 1)
            if count > MAX_NODES:
                self.diagnostics.error(Location(display, 1 + line_offset, 1),
                                       f"more than {MAX_NODES} values once aliases are expanded",
                                       "remove the anchors (&) and aliases (*) that repeat each other")
                return False
            if depth > MAX_DEPTH:
                self.diagnostics.error(here, f"nested more than {MAX_DEPTH} levels deep", "flatten the structure")
                return False
            if node.tag not in ALLOWED_TAGS:
                self.diagnostics.error(here, f"YAML tag '{node.tag.replace('tag:yaml.org,2002:', '!!')}' is not "
                                       "allowed", "remove the tag; cxsite reads plain values only")
                return False
            if isinstance(node, MappingNode):
                for key, value in node.value:
                    if key.tag == "tag:yaml.org,2002:merge":
                        kmark = key.start_mark
                        self.diagnostics.error(Location(display, kmark.line + 1 + line_offset, kmark.column + 1),
                                               "merge keys ('<<') are not supported", "write the keys out in full")
                        return False
                    stack.append((key, depth + 1))
                    stack.append((value, depth + 1))
            elif isinstance(node, SequenceNode):
                stack.extend((child, depth + 1) for child in node.value)
        return True

    def load_yaml(self, path: Path) -> YamlDoc | None:
        text = self.read_text(path, MAX_YAML_BYTES)
        return None if text is None else self.parse_yaml(path, text)

    # --------------------------------------------------------- Markdown

    def load_update(self, path: Path) -> RawUpdate | None:
        return self._read_update(path)

    def _read_update(self, path: Path) -> RawUpdate | None:
        slug = path.stem
        if not SLUG_PATTERN.fullmatch(slug):
            self.diagnostics.error(self.here(path), f"update file name '{path.name}' is not a valid slug",
                                   f"rename it to '{suggest_slug(slug)}.md'; {SLUG_HINT}")
        text = self.read_text(path, MAX_MARKDOWN_BYTES)
        if text is None:
            return None
        lines = text.split("\n")
        if lines[0].strip() != "---":
            self.diagnostics.error(self.here(path, 1, 1), "update has no front matter",
                                   "start the file with a '---' line, the keys (id, title, date, author), "
                                   "and another '---' line")
            return None
        for index in range(1, len(lines)):
            if lines[index].strip() in ("---", "..."):
                end = index
                break
        else:
            self.diagnostics.error(self.here(path, 1, 1), "front matter is not closed",
                                   "add a line with '---' after the last key")
            return None
        front_text = "\n".join(lines[1:end])
        if not front_text.strip():
            self.diagnostics.error(self.here(path, 2, 1), "front matter is empty",
                                   "add at least id, title, date and author")
            return None
        front = self.parse_yaml(path, front_text, line_offset=1)
        rest = lines[end + 1:]
        leading = 0
        while leading < len(rest) and not rest[leading].strip():
            leading += 1
        body = "\n".join(rest[leading:]).rstrip()
        body_line = end + 2 + leading
        return RawUpdate(path, self.display(path), slug if SLUG_PATTERN.fullmatch(slug) else "",
                         front, body, body_line)


def suggest_slug(text: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    return slug[:64].strip("-") or "my-item"


def _visible_entries(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    except OSError:
        return []


def _is_content(path: Path) -> bool:
    return path.is_file() and path.suffix.lower() in {".yml", ".yaml", ".md", ".markdown"}


def read_portfolio(root: Path, reader: Reader | None = None) -> RawPortfolio:
    """Find and read every file of the portfolio below ``root``.

    Layout: ``team.yml``; one folder per customer holding ``customer.yml``;
    one sub-folder per project holding ``project.yml`` and ``updates/*.md``.
    Folders without such a file may hold images only; hidden entries (a
    leading '.') are ignored.
    """
    reader = reader or Reader(root)
    root = reader.root
    if not root.is_dir():
        reader.diagnostics.error(Location(display_path(root)), "portfolio folder not found",
                                 "pass the folder that holds team.yml, e.g. `cxsite check projects`")
        return RawPortfolio(root, None, ())
    team = read_team(reader)
    customers = [customer for folder in customer_folders(reader)
                 if (customer := read_customer(reader, folder)) is not None]
    return RawPortfolio(root, team, tuple(customers))


def read_team(reader: Reader) -> YamlDoc | None:
    """``team.yml`` (an error when it is missing)."""
    team_path = reader.root / TEAM_FILE
    if team_path.is_file():
        return reader.load_yaml(team_path)
    reader.diagnostics.error(reader.here(team_path), "team.yml is missing",
                             "create it with `organisation:` and `people:` (see docs/format.md)")
    return None


def customer_folders(reader: Reader) -> Iterator[Path]:
    """The folders at the top of the portfolio (each a customer, or images
    only), reporting stray files there."""
    for entry in _visible_entries(reader.root):
        if entry.is_dir() and reader.inside(entry):
            yield entry
        elif _is_content(entry) and entry.name != TEAM_FILE:
            _stray(reader, entry, "a customer folder")


def _stray(reader: Reader, path: Path, where: str) -> None:
    hint = f"move it into {where}, or delete it"
    if path.suffix.lower() == ".yaml":
        hint = f"cxsite reads '.yml' files: rename it to '{path.stem}.yml'"
    reader.diagnostics.error(reader.here(path), f"cxsite does not read '{path.name}' here", hint)


def _check_slug(reader: Reader, folder: Path, what: str) -> bool:
    if SLUG_PATTERN.fullmatch(folder.name):
        return True
    reader.diagnostics.error(reader.here(folder), f"{what} folder name '{folder.name}' is not a valid slug",
                             f"rename it to '{suggest_slug(folder.name)}'; {SLUG_HINT}")
    return False


def read_customer(reader: Reader, folder: Path) -> RawCustomer | None:
    """One customer's folder (None for an images-only folder)."""
    customer_file = folder / CUSTOMER_FILE
    if not customer_file.is_file():
        content = [p for p in folder.rglob("*") if _is_content(p)]
        if content:
            reader.diagnostics.error(reader.here(folder), f"folder '{folder.name}' has no customer.yml",
                                     "add customer.yml, or move this folder out of the portfolio")
        return None  # an images-only folder: fine
    valid_slug = _check_slug(reader, folder, "customer")
    doc = reader.load_yaml(customer_file)
    projects = []
    for entry in _visible_entries(folder):
        if entry.is_dir() and reader.inside(entry):
            if (entry / PROJECT_FILE).is_file():
                projects.append(_read_project(reader, entry))
            elif any(_is_content(p) for p in entry.rglob("*")):
                reader.diagnostics.error(reader.here(entry), f"folder '{entry.name}' has no project.yml",
                                         "add project.yml, or move this folder out of the customer's folder")
        elif _is_content(entry) and entry.name != CUSTOMER_FILE:
            _stray(reader, entry, "a project folder")
    return RawCustomer(folder.name if valid_slug else "", folder, doc, tuple(projects))


def _read_project(reader: Reader, folder: Path) -> RawProject:
    valid_slug = _check_slug(reader, folder, "project")
    doc = reader.load_yaml(folder / PROJECT_FILE)
    updates = []
    updates_dir = folder / UPDATES_DIR
    for entry in _visible_entries(folder):
        if entry.is_dir() and entry.name != UPDATES_DIR and any(_is_content(p) for p in entry.rglob("*")):
            reader.diagnostics.error(reader.here(entry), f"cxsite does not read folder '{entry.name}' here",
                                     "updates go in the 'updates' folder")
        elif _is_content(entry) and entry.name != PROJECT_FILE:
            _stray(reader, entry, "the 'updates' folder" if entry.suffix == ".md" else "project.yml")
    if updates_dir.is_dir() and reader.inside(updates_dir):
        for entry in _visible_entries(updates_dir):
            if entry.is_file() and entry.suffix.lower() in {".md", ".markdown"} and reader.inside(entry):
                update = reader.load_update(entry)
                if update is not None:
                    updates.append(update)
            elif entry.is_file() and entry.suffix.lower() not in IMAGE_SUFFIXES:
                reader.diagnostics.error(reader.here(entry), f"cxsite does not read '{entry.name}' here",
                                         "updates are Markdown files ending in '.md'; images may sit beside them")
    return RawProject(folder.name if valid_slug else "", folder, doc, tuple(updates))
