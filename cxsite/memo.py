"""Results of pure, costly functions kept between runs, one small file per use.

A build that follows an edit rebuilds a whole microsite, though nearly all
of its inputs are as they were: the Markdown of its hundred updates, the
events of the portfolio calendar. A :class:`DiskMemo` maps a digest of
such an input to its result and lives in the cache folder, one file per
portfolio and name, in a folder named after cxsite's own source fingerprint (and the versions of the
libraries that produce the result), so an upgrade never reuses an old
result (and, once a new version has written, the old one's folder is
removed). Each run keeps only what it used, so a memo never outgrows what
one microsite or one calendar needs. ``CXSITE_CACHE=0`` turns memos off;
an unreadable memo is ignored and a memo that cannot be written is
skipped: a cache never fails a build.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import platform
import shutil
import tempfile
from pathlib import Path
from typing import Any


def make_versioned_folder(folder: Path) -> None:
    """Create ``folder`` (named ``<kind>-<version key>``). When it is new,
    cxsite or a library was upgraded: the folders of the same kind under
    other keys can never be used again, so they are removed (best effort)."""
    if folder.is_dir():
        return
    folder.mkdir(parents=True, exist_ok=True)
    kind = folder.name.rsplit("-", 1)[0]
    for stale in folder.parent.glob(f"{kind}-*"):
        if stale != folder and stale.name.rsplit("-", 1)[0] == kind:
            if stale.is_dir():
                shutil.rmtree(stale, ignore_errors=True)
            else:
                stale.unlink(missing_ok=True)


def digest(value: str | bytes) -> bytes:
    return hashlib.sha256(value.encode("utf-8") if isinstance(value, str) else value).digest()


class DiskMemo:
    """Key -> result, loaded from ``path`` and saved back with the entries used."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._known: dict[Any, Any] = {}
        self._used: dict[Any, Any] = {}
        self.added = 0  # results this run computed (not found in the memo)
        if path is not None:
            try:
                with open(path, "rb") as stream:
                    loaded = pickle.load(stream)
                if isinstance(loaded, dict):
                    self._known = loaded
            except Exception:  # noqa: BLE001 - no memo yet, or an unreadable one: compute everything
                self._known = {}

    @classmethod
    def named(cls, kind: str, portfolio: str | os.PathLike[str], name: str, *versions: str) -> DiskMemo:
        """The memo ``name`` (a microsite's key, say) of a ``kind`` for the
        portfolio at ``portfolio``, in the cache folder (an in-memory one
        when caching is off); ``versions`` of the libraries involved."""
        from .parsecache import cache_home, enabled
        from .scan import source_fingerprint

        if not enabled():
            return cls(None)
        # Python's own version too: results may depend on its standard library (html.parser, say).
        tag = "\0".join((kind, source_fingerprint(), platform.python_version(), *versions))
        scope = hashlib.sha256(os.path.realpath(portfolio).encode()).hexdigest()[:16]
        file = f"{scope}-{name.replace('/', '+')}.pickle"  # '+' is in no slug
        return cls(cache_home() / f"{kind}-{hashlib.sha256(tag.encode()).hexdigest()[:24]}" / file)

    def get(self, key: Any) -> Any | None:
        value = self._known.get(key)
        if value is not None:
            self._used[key] = value
        return value

    def put(self, key: Any, value: Any) -> None:
        self._used[key] = value
        self.added += 1

    def save(self) -> None:
        """Keep what this run used, when that differs from what was loaded."""
        if self.path is None or (not self.added and len(self._used) == len(self._known)):
            return
        tmp = None
        try:
            make_versioned_folder(self.path.parent)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".memo-")
            with os.fdopen(fd, "wb") as stream:
                pickle.dump(self._used, stream, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(tmp, self.path)
        except Exception:  # noqa: BLE001 - a full disk, a folder removed meanwhile, an unpicklable value
            if tmp is not None:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
