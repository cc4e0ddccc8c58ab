"""A file's content digest from its stat, as git's index does.

Files are named by the digest of their bytes. Reading 50,000 files to learn
that nothing changed would take seconds; this index remembers, per
absolute path, the stat (size, modification and change times, inode,
device) each digest was taken at, and reads a file again only when its stat
differs. A file written within :data:`RACY` of the moment its stat was
taken could change again within the same clock tick, so such an entry is
never trusted (git's "racily clean" rule). The index lives in the store's
folder, one per portfolio, and is rewritten only when it changed.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
import time
from pathlib import Path

RACY = 2_000_000_000            # ns: an entry taken this soon after the file's last change is re-read
UNREADABLE = "unreadable:"      # a digest that names why there is no content


def file_digest(path: str | os.PathLike[str]) -> str:
    """The digest of a file's bytes (hex SHA-256), or ``unreadable:<reason>``."""
    hasher = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                hasher.update(block)
    except OSError as exc:
        return UNREADABLE + (exc.strerror or type(exc).__name__)
    return hasher.hexdigest()


class FileIndex:
    """Digests of files by their stat; ``FileIndex(None)`` remembers nothing."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._entries: dict[str, tuple[int, int, int, int, int, int, str]] = {}
        self._changed = False
        self._seen: set[str] = set()
        self.read = 0   # files whose bytes were read this run
        if path is not None:
            try:
                with open(path, "rb") as handle:
                    loaded = pickle.load(handle)
                if isinstance(loaded, dict):
                    self._entries = loaded
            except Exception:  # noqa: BLE001 - no index yet, or a torn one: read every file once
                self._entries = {}

    def digest(self, path: str | os.PathLike[str], status: os.stat_result | None = None) -> str:
        """The content digest of ``path`` (absolute), reading it only when its stat changed."""
        name = os.fspath(path)
        self._seen.add(name)
        try:
            status = status or os.stat(name)
        except OSError as exc:
            return UNREADABLE + (exc.strerror or type(exc).__name__)
        key = (status.st_size, status.st_mtime_ns, status.st_ctime_ns, status.st_ino, status.st_dev)
        entry = self._entries.get(name)
        if entry is not None and entry[:5] == key and entry[5] - status.st_mtime_ns > RACY:
            return entry[6]
        digest = file_digest(name)
        self.read += 1
        if not digest.startswith(UNREADABLE):
            self._entries[name] = (*key, time.time_ns(), digest)
            self._changed = True
        return digest

    def forget_unseen(self, folder: str | os.PathLike[str]) -> None:
        """Drop the entries below ``folder`` that this run did not ask about
        (after it looked at every file there: the others are gone)."""
        prefix = os.path.join(os.fspath(folder), "")
        gone = [name for name in self._entries if name.startswith(prefix) and name not in self._seen]
        for name in gone:
            del self._entries[name]
        self._changed = self._changed or bool(gone)

    def save(self) -> None:
        """Write the index back when it changed (atomically; silently not when it cannot be)."""
        if self.path is None or not self._changed:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, temporary = tempfile.mkstemp(dir=self.path.parent, prefix=".index-")
            with os.fdopen(fd, "wb") as handle:
                pickle.dump(self._entries, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, self.path)
            self._changed = False
        except OSError:
            pass
