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


def engine_inputs(config_file: Path) -> tuple[list[Path], list[str]]:
    """What the engine's configuration is made of, for the build's toolchain
    digest: ``mkdocs.yml`` and every file it inherits from (``INHERIT``), the
    theme folder it names (``theme.custom_dir``), and the value of every
    environment variable it reads (``!ENV``); and which engine builds
    (:mod:`.select`: MkDocs and ProperDocs name themselves in every page).
    Read without importing the engine, so that a build with nothing to do
    starts quickly."""
    import os
    import re

    from ruamel.yaml import YAML

    from .select import EngineMissing, chosen

    files: list[Path] = []
    try:
        values: list[str] = [f"engine={chosen()}"]
    except EngineMissing as missing:
        values = [f"engine missing: {missing}"]   # the build reports it when it reaches the engine
    seen: set[Path] = set()
    pending = [Path(config_file).resolve()]
    while pending:
        path = pending.pop()
        if path in seen:
            continue
        seen.add(path)
        files.append(path)
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        for names in re.findall(r"!ENV\s+\[?([A-Za-z_][A-Za-z0-9_,\s'\"]*)", text):
            for name in re.findall(r"[A-Za-z_][A-Za-z0-9_]*", names):
                values.append(f"{name}={os.environ.get(name, '')}")
        yaml = YAML(typ="safe", pure=True)
        yaml.constructor.add_multi_constructor("!", lambda loader, suffix, node: None)
        try:
            data = yaml.load(text) or {}
        except Exception:  # noqa: BLE001 - the engine reports a broken mkdocs.yml itself
            continue
        if not isinstance(data, dict):
            continue
        if isinstance(data.get("INHERIT"), str):
            pending.append((path.parent / data["INHERIT"]).resolve())
        theme = data.get("theme")
        if isinstance(theme, dict) and isinstance(theme.get("custom_dir"), str):
            files.append((path.parent / theme["custom_dir"]).resolve())
    return files, values
