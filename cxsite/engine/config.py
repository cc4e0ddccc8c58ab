"""The engine's configuration: which mkdocs.yml a build uses."""

from __future__ import annotations

from pathlib import Path

from ..diagnostics import BuildError


def find_config(projects_dir: Path, explicit: Path | None = None) -> Path:
    """The mkdocs.yml to use: explicit, else beside the portfolio, else in
    the working directory."""
    candidates = [explicit] if explicit else [projects_dir.resolve().parent / "mkdocs.yml", Path("mkdocs.yml")]
    for candidate in candidates:
        if candidate and candidate.is_file():
            return candidate.resolve()
    raise BuildError(f"no mkdocs.yml found (looked at {', '.join(str(c) for c in candidates if c)}); "
                     "pass --config or create one from the repository's mkdocs.yml")
