"""Where the portfolio's files are, and which document each one is.

Layout: ``team.yml``; one folder per customer holding ``customer.yml``;
one sub-folder per project holding ``project.yml`` and ``updates/*.md``.
Folders without such a file may hold images only; hidden entries (a
leading '.') are ignored everywhere. Looking at names only, this module
finds every document to read and reports what is out of place; it reads
no file. :func:`assemble_customer` then puts the parsed documents of one
customer together, and :func:`read_portfolio` does all of it from disk.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator, Mapping

from ..diagnostics import Collector, Diagnostic
from .documents import LIMITS, Document, RawUpdate, parse_document, suggest_slug
from .files import Bounds, here, read_content
from .schema import SLUG_HINT, SLUG_PATTERN
from .yaml import YamlDoc

TEAM_FILE = "team.yml"
CUSTOMER_FILE = "customer.yml"
PROJECT_FILE = "project.yml"
UPDATES_DIR = "updates"
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
CONTENT_SUFFIXES = {".yml", ".yaml", ".md", ".markdown"}


# ------------------------------------------------------------------ names

@dataclass(frozen=True)
class ProjectLayout:
    folder: Path
    slug: str                       # "" when the folder name is not a valid slug
    updates: tuple[Path, ...]

    @property
    def project_file(self) -> Path:
        return self.folder / PROJECT_FILE


@dataclass(frozen=True)
class CustomerLayout:
    folder: Path
    slug: str                       # "" when the folder name is not a valid slug
    customer_file: Path | None      # None: the folder has content but no customer.yml (an error)
    projects: tuple[ProjectLayout, ...]
    diagnostics: tuple[Diagnostic, ...]

    def documents(self) -> list[tuple[Path, str]]:
        """Every file to read, with its kind (see :data:`cxsite.source.documents.LIMITS`)."""
        if self.customer_file is None:
            return []
        found = [(self.customer_file, "customer")]
        for project in self.projects:
            found.append((project.project_file, "project"))
            found.extend((update, "update") for update in project.updates)
        return found


@dataclass(frozen=True)
class PortfolioLayout:
    root: Path
    team_file: Path | None
    folders: tuple[Path, ...]       # customers' folders, and folders of images only
    diagnostics: tuple[Diagnostic, ...]


def visible_files(folder: Path) -> Iterator[Path]:
    """Every file below ``folder`` that is not hidden, following links to
    folders once (a link back up is not walked again), in name order."""
    for _, entry in visible_file_entries(folder):
        yield Path(entry.path)


def visible_file_entries(folder: str | os.PathLike[str]) -> Iterator[tuple[str, os.DirEntry[str]]]:
    """:func:`visible_files` as (path in ``folder`` with ``/``, directory
    entry): what a walk over tens of thousands of files needs, without a
    ``Path`` made per file."""
    seen: set[tuple[int, int]] = set()
    stack: list[tuple[str, str]] = [(os.fspath(folder), "")]
    while stack:
        current, prefix = stack.pop()
        try:
            status = os.stat(current)
            if (status.st_dev, status.st_ino) in seen:
                continue
            seen.add((status.st_dev, status.st_ino))
            with os.scandir(current) as listing:
                entries = sorted((entry for entry in listing if not entry.name.startswith(".")),
                                 key=lambda entry: entry.name)
        except OSError:
            continue
        folders = []
        for entry in entries:
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                folders.append((entry.path, f"{prefix}{entry.name}/"))
            else:
                yield f"{prefix}{entry.name}", entry
        stack.extend(reversed(folders))


def _visible_entries(folder: Path) -> list[Path]:
    try:
        return sorted(p for p in folder.iterdir() if not p.name.startswith("."))
    except OSError:
        return []


def _is_content(path: Path) -> bool:
    return path.suffix.lower() in CONTENT_SUFFIXES and path.is_file()


def _holds_content(folder: Path) -> bool:
    return any(_is_content(path) for path in visible_files(folder))


def _stray(diagnostics: Collector, path: Path, where: str) -> None:
    hint = f"move it into {where}, or delete it"
    if path.suffix.lower() == ".yaml":
        hint = f"cxsite reads '.yml' files: rename it to '{path.stem}.yml'"
    diagnostics.error(here(path), f"cxsite does not read '{path.name}' here", hint)


def _slug(diagnostics: Collector, folder: Path, what: str) -> str:
    if SLUG_PATTERN.fullmatch(folder.name):
        return folder.name
    diagnostics.error(here(folder), f"{what} folder name '{folder.name}' is not a valid slug",
                      f"rename it to '{suggest_slug(folder.name)}'; {SLUG_HINT}")
    return ""


def portfolio_layout(root: Path, bounds: Bounds | None = None) -> PortfolioLayout:
    """``team.yml`` and the folders at the top of the portfolio, with what is out of place there."""
    root = Path(os.path.abspath(root))
    diagnostics = Collector()
    if not root.is_dir():
        diagnostics.error(here(root), "portfolio folder not found",
                          "pass the folder that holds team.yml, e.g. `cxsite check projects`")
        return PortfolioLayout(root, None, (), tuple(diagnostics.items))
    bounds = bounds or Bounds(root)
    team = root / TEAM_FILE
    if not team.is_file():
        diagnostics.error(here(team), "team.yml is missing",
                          "create it with `organisation:` and `people:` (see docs/format.md)")
    folders = []
    for entry in _visible_entries(root):
        if entry.is_dir() and bounds.inside(entry, diagnostics):
            folders.append(entry)
        elif _is_content(entry) and entry.name != TEAM_FILE:
            _stray(diagnostics, entry, "a customer folder")
    return PortfolioLayout(root, team if team.is_file() else None, tuple(folders), tuple(diagnostics.items))


def customer_layout(root: Path, folder: Path, bounds: Bounds | None = None) -> CustomerLayout | None:
    """The documents of one customer's folder (None for a folder of images only)."""
    diagnostics = Collector()
    bounds = bounds or Bounds(root)
    if not (folder / CUSTOMER_FILE).is_file():
        if _holds_content(folder):
            diagnostics.error(here(folder), f"folder '{folder.name}' has no customer.yml",
                              "add customer.yml, or move this folder out of the portfolio")
            return CustomerLayout(folder, "", None, (), tuple(diagnostics.items))
        return None
    slug = _slug(diagnostics, folder, "customer")
    projects = []
    for entry in _visible_entries(folder):
        if entry.is_dir() and bounds.inside(entry, diagnostics):
            if (entry / PROJECT_FILE).is_file():
                projects.append(_project_layout(entry, bounds, diagnostics))
            elif _holds_content(entry):
                diagnostics.error(here(entry), f"folder '{entry.name}' has no project.yml",
                                  "add project.yml, or move this folder out of the customer's folder")
        elif _is_content(entry) and entry.name != CUSTOMER_FILE:
            _stray(diagnostics, entry, "a project folder")
    return CustomerLayout(folder, slug, folder / CUSTOMER_FILE, tuple(projects), tuple(diagnostics.items))


def _project_layout(folder: Path, bounds: Bounds, diagnostics: Collector) -> ProjectLayout:
    slug = _slug(diagnostics, folder, "project")
    updates = []
    updates_dir = folder / UPDATES_DIR
    for entry in _visible_entries(folder):
        if entry.is_dir() and entry.name != UPDATES_DIR and _holds_content(entry):
            diagnostics.error(here(entry), f"cxsite does not read folder '{entry.name}' here",
                              "updates go in the 'updates' folder")
        elif _is_content(entry) and entry.name != PROJECT_FILE:
            _stray(diagnostics, entry, "the 'updates' folder" if entry.suffix == ".md" else "project.yml")
    if updates_dir.is_dir() and bounds.inside(updates_dir, diagnostics):
        for entry in _visible_entries(updates_dir):
            if entry.is_file() and entry.suffix.lower() in {".md", ".markdown"} and bounds.inside(entry, diagnostics):
                updates.append(entry)
            elif entry.is_file() and entry.suffix.lower() not in IMAGE_SUFFIXES:
                diagnostics.error(here(entry), f"cxsite does not read '{entry.name}' here",
                                  "updates are Markdown files ending in '.md'; images may sit beside them")
    return ProjectLayout(folder, slug, tuple(updates))


# -------------------------------------------------------------- documents

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


def assemble_customer(layout: CustomerLayout, documents: Mapping[Path, Document]) -> RawCustomer:
    """One customer from its layout and the documents of its files (every
    path of :meth:`CustomerLayout.documents`)."""
    def yaml(path: Path) -> YamlDoc | None:
        value = documents[path].value
        return value if isinstance(value, YamlDoc) else None

    projects = []
    for project in layout.projects:
        updates = tuple(value for path in project.updates
                        if isinstance(value := documents[path].value, RawUpdate))
        projects.append(RawProject(project.slug, project.folder, yaml(project.project_file), updates))
    doc = yaml(layout.customer_file) if layout.customer_file is not None else None
    return RawCustomer(layout.slug, layout.folder, doc, tuple(projects))


def read_document(path: Path, kind: str) -> Document:
    """One file, read from disk and parsed."""
    return parse_document(path, kind, read_content(path, LIMITS[kind]))


def read_portfolio(root: Path, overlay: Mapping[Path, str] | None = None) -> tuple[RawPortfolio, tuple[Diagnostic, ...]]:
    """Every document of the portfolio below ``root``, read from disk, with
    every problem found on the way; a file named in ``overlay`` (absolute
    path -> text) is read as that text instead, which is how an edit is
    validated before it is written (cxsite.authoring.edit)."""
    def read(path: Path, kind: str) -> Document:
        text = (overlay or {}).get(Path(os.path.abspath(path)))
        return read_document(path, kind) if text is None else parse_document(path, kind, text.encode("utf-8"))

    diagnostics: list[Diagnostic] = []
    layout = portfolio_layout(root)
    bounds = Bounds(layout.root)
    diagnostics += layout.diagnostics
    team = None
    if layout.team_file is not None:
        document = read(layout.team_file, "team")
        diagnostics += document.diagnostics
        team = document.value if isinstance(document.value, YamlDoc) else None
    customers = []
    for folder in layout.folders:
        customer = customer_layout(layout.root, folder, bounds)
        if customer is None:
            continue
        diagnostics += customer.diagnostics
        if customer.customer_file is None:
            continue
        documents = {path: read(path, kind) for path, kind in customer.documents()}
        for document in documents.values():
            diagnostics += document.diagnostics
        customers.append(assemble_customer(customer, documents))
    return RawPortfolio(layout.root, team, tuple(customers)), tuple(diagnostics)
