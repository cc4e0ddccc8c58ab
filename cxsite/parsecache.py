"""A cache of parsed portfolio files, so unchanged files are not parsed again.

ruamel.yaml's composer is pure Python (about 1.5 ms per small file); with
tens of thousands of updates, parsing dominates `cxsite check` and every
build. The cache keeps, per file, the parsed node tree (with its line and
column marks) under a key of size, modification and change times and inode:
any write to a file changes the key, so a stale entry is never used. Only
files that parsed without a diagnostic are cached; a file with problems is
read again every time, so its diagnostics always appear.

One pickle per customer folder (and one for the files at the top) lives in
``$XDG_CACHE_HOME/cxsite`` (default ``~/.cache/cxsite``), in a folder named
after the portfolio's absolute path and the cxsite and ruamel.yaml
versions. ``CXSITE_CACHE=0`` turns the cache off. The cache only ever holds
what the user's own files contained, written by the user's own runs.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from importlib.metadata import version
from pathlib import Path
from typing import Any

from . import __version__

Key = tuple[int, int, int, int]
MISSING: Any = object()


def cache_home() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cxsite"


def enabled() -> bool:
    return os.environ.get("CXSITE_CACHE", "1") not in ("0", "false", "no", "off")


class ParseCache:
    def __init__(self, root: Path, folder: Path | None = None):
        self.root = Path(os.path.realpath(root))
        self.base = os.path.abspath(root)  # the paths the reader walks start with this
        tag = f"{self.root}\0{__version__}\0{version('ruamel.yaml')}"
        self.folder = folder or cache_home() / hashlib.sha256(tag.encode()).hexdigest()[:24]
        self._buckets: dict[str, dict[str, tuple[Key, Any]]] = {}
        self._dirty: set[str] = set()
        self._seen: dict[str, set[str]] = {}

    @staticmethod
    def key(path: Path) -> Key | None:
        try:
            stat = os.stat(path)
        except OSError:
            return None
        return (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns, stat.st_ino)

    def _bucket_name(self, path: Path) -> tuple[str, str]:
        relative = os.path.relpath(path, self.base)
        parts = relative.split(os.sep)
        return (parts[0] if len(parts) > 1 else ""), relative

    def _bucket(self, name: str) -> dict[str, tuple[Key, Any]]:
        bucket = self._buckets.get(name)
        if bucket is None:
            bucket = {}
            file = self.folder / f"{name or '_top'}.pickle"
            try:
                with file.open("rb") as handle:
                    loaded = pickle.load(handle)
                if isinstance(loaded, dict):
                    bucket = loaded
            except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError):
                bucket = {}
            self._buckets[name] = bucket
        return bucket

    def get(self, path: Path, key: Key | None) -> Any:
        if key is None:
            return MISSING
        name, relative = self._bucket_name(path)
        self._seen.setdefault(name, set()).add(relative)
        entry = self._bucket(name).get(relative)
        if entry is None or entry[0] != key:
            return MISSING
        return entry[1]

    def put(self, path: Path, key: Key | None, value: Any) -> None:
        if key is None:
            return
        _slim(value)
        name, relative = self._bucket_name(path)
        self._seen.setdefault(name, set()).add(relative)
        self._bucket(name)[relative] = (key, value)
        self._dirty.add(name)

    def save(self) -> None:
        """Write the buckets that changed, dropping entries of files that are
        gone; atomically, and silently giving up if the cache cannot be
        written (a cache must never fail a check or a build)."""
        for name in self._dirty:
            bucket = self._buckets[name]
            seen = self._seen.get(name, set())
            kept = {relative: entry for relative, entry in bucket.items() if relative in seen}
            try:
                self.folder.mkdir(parents=True, exist_ok=True)
                with tempfile.NamedTemporaryFile(dir=self.folder, delete=False, suffix=".tmp") as handle:
                    pickle.dump(kept, handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(handle.name, self.folder / f"{name or '_top'}.pickle")
            except OSError:
                pass
        self._dirty.clear()


class Mark:
    """Where a node starts: all cxsite reads of ruamel's marks. ruamel's own
    marks hold the whole file text; replacing them keeps the cache small."""

    __slots__ = ("line", "column")

    def __init__(self, line: int, column: int):
        self.line, self.column = line, column

    def __reduce__(self):  # type: ignore[no-untyped-def]
        return (Mark, (self.line, self.column))


def _slim(value: Any) -> None:
    """Swap every node's marks for :class:`Mark` (in place; nodes shared by
    aliases are visited once)."""
    from ruamel.yaml.nodes import MappingNode, Node, SequenceNode

    roots = [v for v in (value if isinstance(value, tuple) else (value,)) if isinstance(v, Node)]
    seen: set[int] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        mark = node.start_mark
        node.start_mark = Mark(mark.line, mark.column)
        node.end_mark = None
        if isinstance(node, MappingNode):
            for key, item in node.value:
                stack += [key, item]
        elif isinstance(node, SequenceNode):
            stack += list(node.value)
