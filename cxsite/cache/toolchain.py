"""The toolchain: everything besides the portfolio that decides what a build writes.

Its digest is part of every key (:mod:`.keys`), so a change to any of it
makes every result new: cxsite's own files (code, templates, schema),
every installed distribution's name and version, the files Python runs
at start (``.pth``, ``sitecustomize``), Python itself and the time-zone
rules (:func:`toolchain_digest`); for what goes through the site engine,
also the engine's configuration (``mkdocs.yml``, its theme folder, the
environment values it reads), which the engine layer names
(:func:`with_engine`). Steps that never reach the engine (documents,
models, findings) cannot read its configuration and are keyed without it,
so a change of theme does not make the portfolio be read again. Computed
once per build, in a few milliseconds, and never kept.
"""

from __future__ import annotations

import hashlib
import os
import platform
import re
import sys
import zoneinfo
from pathlib import Path
from typing import Iterable

PACKAGE = Path(__file__).resolve().parent.parent   # cxsite/


def _hash_tree(hasher: "hashlib._Hash", root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts and not path.name.endswith(".pyc"):
            hasher.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")


def distributions() -> list[str]:
    """Every distribution Python would import, as ``name==version`` (the
    first of a name on the path wins, as for :mod:`importlib.metadata`),
    and the start-up files beside them. By name and version, not by folder:
    a checkout's ``cxsite.egg-info``, on the path when ``python -m`` runs
    from the checkout, is the same cxsite as the installed one."""
    versions: dict[str, str] = {}
    found: set[str] = set()
    for entry in sys.path:
        try:
            with os.scandir(entry or ".") as listing:
                names = sorted(item.name for item in listing)
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")):
                project, version = _name_and_version(Path(entry or ".", name))
                versions.setdefault(project, version)
            elif name.endswith(".pth") or name in ("sitecustomize.py", "usercustomize.py"):
                try:
                    found.add(f"{name}\0{hashlib.sha256(Path(entry, name).read_bytes()).hexdigest()}")
                except OSError:
                    pass
    found.update(f"{project}=={version}" for project, version in versions.items())
    return sorted(found)


def _name_and_version(metadata: Path) -> tuple[str, str]:
    """A metadata folder's project (normalised as PEP 503 does) and version:
    from its name (``name-version.dist-info``), else from its PKG-INFO."""
    stem = metadata.name.rsplit(".", 1)[0]
    project, _, version = stem.partition("-")
    if not version:
        info = metadata / "PKG-INFO" if metadata.is_dir() else metadata
        try:
            for line in info.read_text(encoding="utf-8", errors="replace").splitlines():
                if line.startswith("Version:"):
                    version = line.split(":", 1)[1].strip()
                    break
        except OSError:
            pass
    return re.sub(r"[-_.]+", "-", project).lower(), version


def _zone_rules() -> str:
    """Which time-zone rules ``zoneinfo`` reads: the system's (its version
    line) and the tzdata distribution's (among the distributions)."""
    for folder in zoneinfo.TZPATH:
        try:
            with open(os.path.join(folder, "tzdata.zi"), encoding="utf-8") as handle:
                return f"{folder}\0{handle.readline().strip()}"
        except OSError:
            continue
    return "no system tzdata"


def toolchain_digest() -> str:
    """The digest of the toolchain without the engine's configuration."""
    hasher = hashlib.sha256()
    _hash_tree(hasher, PACKAGE)
    for name in distributions():
        hasher.update(name.encode() + b"\n")
    hasher.update(f"{sys.version}\0{platform.python_implementation()}\0{sys.platform}\n".encode())
    hasher.update(_zone_rules().encode() + b"\n")
    return hasher.hexdigest()


def with_engine(toolchain: str, engine_files: Iterable[Path] = (), engine_values: Iterable[str] = ()) -> str:
    """The digest of ``toolchain`` with the engine's configuration: its files
    (every file of a folder given) and the values it read from the environment."""
    hasher = hashlib.sha256(toolchain.encode() + b"\n")
    for path in engine_files:
        path = Path(path)
        if path.is_dir():
            hasher.update(f"folder {path.name}\n".encode())
            _hash_tree(hasher, path)
        else:
            try:
                hasher.update(f"file {path.name}\n".encode() + path.read_bytes() + b"\0")
            except OSError:
                hasher.update(f"missing {path.name}\n".encode())
    for value in engine_values:
        hasher.update(value.encode() + b"\0")
    return hasher.hexdigest()
