"""Diagnostics: what is wrong, where, and how to fix it.

Every stage reports problems in user data as :class:`Diagnostic` values and
keeps going, so one run shows *every* problem. A stage that finds errors
raises a single :class:`PortfolioError` carrying all of them at the end.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from enum import Enum
from typing import Iterable


@dataclass(frozen=True, order=True)
class Location:
    """A place in a source file: 1-based line and column (0 = unknown).

    ``path`` is absolute for every file of a portfolio, so a diagnostic
    means the same from any working folder (and may be kept between runs);
    it is shown relative to the working folder when printed."""

    path: str
    line: int = 0
    column: int = 0

    @property
    def shown(self) -> str:
        """The path as the user should see it (see :func:`display_path`)."""
        return display_path(self.path) if os.path.isabs(self.path) else self.path

    def __str__(self) -> str:
        if self.line and self.column:
            return f"{self.shown}:{self.line}:{self.column}"
        if self.line:
            return f"{self.shown}:{self.line}"
        return self.shown


class Severity(str, Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    location: Location
    message: str
    hint: str = ""
    severity: Severity = Severity.ERROR
    rule: str = ""  # e.g. "cx/update-overdue"; empty for format errors

    def format(self) -> str:
        text = f"{self.location}: {self.severity.value}: {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def format_github(self) -> str:
        """A GitHub Actions workflow command (an annotation on the file)."""
        kind = "error" if self.severity is Severity.ERROR else "warning"
        params = [f"file={_gh_escape_property(self.location.shown)}"]
        if self.location.line:
            params.append(f"line={self.location.line}")
        if self.location.column:
            params.append(f"col={self.location.column}")
        if self.rule:
            params.append(f"title={_gh_escape_property(self.rule)}")
        message = self.message + (f" ({self.hint})" if self.hint else "")
        return f"::{kind} {','.join(params)}::{_gh_escape_data(message)}"

    def as_warning(self) -> "Diagnostic":
        return Diagnostic(self.location, self.message, self.hint, Severity.WARNING, self.rule)

    def as_error(self) -> "Diagnostic":
        return Diagnostic(self.location, self.message, self.hint, Severity.ERROR, self.rule)


def _gh_escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_escape_property(text: str) -> str:
    return _gh_escape_data(text).replace(":", "%3A").replace(",", "%2C")


class CxsiteError(Exception):
    """Base of every error cxsite reports to a user (exit code 1)."""

    exit_code = 1


class PortfolioError(CxsiteError):
    """The portfolio has problems; ``diagnostics`` lists every one."""

    def __init__(self, diagnostics: Iterable[Diagnostic]):
        self.diagnostics = tuple(sorted(diagnostics, key=sort_key))
        count = len(self.errors)
        super().__init__(f"{count} error{'s' if count != 1 else ''} in the portfolio")

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.diagnostics if d.severity is Severity.ERROR)


class BuildError(CxsiteError):
    """A build could not finish (the previous site is left untouched)."""


def sort_key(diagnostic: Diagnostic) -> tuple:
    loc = diagnostic.location
    return (loc.path, loc.line, loc.column, diagnostic.message)


def display_path(path: "os.PathLike[str] | str") -> str:
    """A path as the user should see it: relative to the working directory
    when it lies below it, else absolute."""
    absolute = os.path.abspath(path)
    try:
        relative = os.path.relpath(absolute)
    except ValueError:  # another drive on Windows
        return absolute
    return absolute if relative.startswith("..") else relative


class Collector:
    """Accumulates diagnostics across a stage."""

    def __init__(self) -> None:
        self.items: list[Diagnostic] = []

    def error(self, location: Location, message: str, hint: str = "", rule: str = "") -> None:
        self.items.append(Diagnostic(location, message, hint, Severity.ERROR, rule))

    def warning(self, location: Location, message: str, hint: str = "", rule: str = "") -> None:
        self.items.append(Diagnostic(location, message, hint, Severity.WARNING, rule))

    def extend(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.items.extend(diagnostics)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self.items)

    def raise_if_errors(self) -> None:
        if self.has_errors:
            raise PortfolioError(self.items)
