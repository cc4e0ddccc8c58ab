"""One store for every result a build keeps, keyed by :func:`~cxsite.cache.keys.step_key`.

Each result is one file named by its key, written atomically (a temporary
file in the same folder, then a rename), so a reader sees a whole entry
or none, and two processes writing the same key write the same bytes. An
entry that does not read back is treated as missing. One writer thread per
process does the writing, so that a step goes on while its result is
written; what is queued is read back from the queue. Entries a run used
are marked (their modification time) when it ends, and :meth:`Store.prune`
removes what no run has used for a while. ``CXSITE_CACHE=0`` turns the
store off (nothing is read or written); deleting its folder is always safe.
"""

from __future__ import annotations

import atexit
import os
import pickle
import queue
import shutil
import threading
import time
import weakref
from pathlib import Path
from typing import Any

#: Bump when the layout of entries changes: older entries are then never read.
LAYOUT = "v1"
KEEP_DAYS = 30                 # entries unused for longer are pruned
MAX_BYTES = 8 << 30            # and the least recently used beyond this size
PRUNE_EVERY = 24 * 3600        # seconds between two prunes


_STORES: "weakref.WeakSet[Store]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    """A forked child has none of its parent's threads: each store gets a
    lock nobody holds and starts its own writer when it writes."""
    for store in list(_STORES):
        store._lock = threading.Lock()
        store._queue = queue.SimpleQueue()
        store._writer = None


os.register_at_fork(after_in_child=_after_fork_in_child)


def flush_all() -> None:
    """Write what every store of this process queued and mark what it read
    (a forked child that ends without exit handlers calls this before it goes)."""
    for store in list(_STORES):
        store.mark_used()


def enabled(environ: "os._Environ[str] | dict[str, str]" = os.environ) -> bool:
    return environ.get("CXSITE_CACHE", "1").strip().lower() not in ("0", "false", "no", "off")


def default_folder(environ: "os._Environ[str] | dict[str, str]" = os.environ) -> Path:
    """``CXSITE_CACHE_DIR``, else ``$XDG_CACHE_HOME/cxsite``, else ``~/.cache/cxsite``."""
    if environ.get("CXSITE_CACHE_DIR"):
        return Path(environ["CXSITE_CACHE_DIR"])
    return Path(environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "cxsite"


class Store:
    """Results by key. ``Store(None)`` keeps nothing (the cache turned off)."""

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) / LAYOUT if folder is not None else None
        self._used: set[Path] = set()
        self._counter = 0
        self._pending: dict[str, bytes] = {}          # written by the writer thread
        self._queue: "queue.SimpleQueue[str | None]" = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._writer: threading.Thread | None = None
        self.hits = self.misses = self.writes = 0
        _STORES.add(self)

    @classmethod
    def default(cls) -> Store:
        return cls(default_folder() if enabled() else None)

    @property
    def on(self) -> bool:
        return self.folder is not None

    def _path(self, key: str) -> Path:
        assert self.folder is not None
        return self.folder / key[:2] / key[2:]

    def get(self, key: str) -> Any | None:
        """The result stored under ``key``, or None."""
        if self.folder is None:
            return None
        with self._lock:
            queued = self._pending.get(key)
        if queued is not None:
            self.hits += 1
            return pickle.loads(queued)
        path = self._path(key)
        try:
            with open(path, "rb") as handle:
                value = pickle.load(handle)
        except (FileNotFoundError, NotADirectoryError, PermissionError):
            self.misses += 1
            return None
        except Exception:  # noqa: BLE001 - a torn or foreign entry: as if it were not there
            self.misses += 1
            path.unlink(missing_ok=True)
            return None
        self.hits += 1
        self._used.add(path)
        return value

    def has(self, key: str) -> bool:
        """Whether a result is stored under ``key`` (without reading it)."""
        if self.folder is None:
            return False
        with self._lock:
            if key in self._pending:
                return True
        return self._path(key).is_file()

    def put(self, key: str, value: Any) -> None:
        """Store ``value`` under ``key``. A store that cannot be written (a full
        disk, a read-only folder) keeps nothing and says nothing: the result
        is made again next time, it is never wrong."""
        if self.folder is None:
            return
        try:
            data = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
        except (pickle.PicklingError, TypeError, AttributeError):
            return
        with self._lock:
            self._pending[key] = data
            if self._writer is None:
                self._writer = threading.Thread(target=self._write_queued, name="cxsite-store", daemon=True)
                self._writer.start()
                atexit.register(self.flush)
        self._queue.put(key)

    def _write_queued(self) -> None:
        while True:
            key = self._queue.get()
            if key is None:
                return
            with self._lock:
                data = self._pending.get(key)
            if data is not None:
                self._write(key, data)
            with self._lock:
                if self._pending.get(key) is data:
                    del self._pending[key]

    def _write(self, key: str, data: bytes) -> None:
        path = self._path(key)
        self._counter += 1
        temporary = path.parent / f".tmp-{os.getpid()}-{threading.get_ident()}-{self._counter}"
        try:
            try:
                handle = open(temporary, "xb")
            except FileNotFoundError:
                path.parent.mkdir(parents=True, exist_ok=True)
                handle = open(temporary, "xb")
            try:
                with handle:
                    handle.write(data)
                os.replace(temporary, path)
            except BaseException:
                temporary.unlink(missing_ok=True)
                raise
        except OSError:
            return
        self.writes += 1

    def flush(self) -> None:
        """Wait until everything queued is written."""
        writer = self._writer
        if writer is None:
            return
        self._queue.put(None)
        writer.join()
        with self._lock:
            self._writer = None

    def mark_used(self) -> None:
        """Write what is queued, and mark what this process read as used now
        (a worker process, which never runs :meth:`finish`, calls this)."""
        if self.folder is None:
            return
        self.flush()
        for path in self._used:
            try:
                os.utime(path)
            except OSError:
                pass
        self._used.clear()

    def finish(self) -> None:
        """Mark what this run read as used now (for :meth:`prune`), and prune
        once a day."""
        if self.folder is None:
            return
        self.mark_used()
        stamp = self.folder / ".pruned"
        try:
            due = time.time() - stamp.stat().st_mtime > PRUNE_EVERY
        except OSError:
            due = self.folder.is_dir()
        if due:
            self.prune()
            try:
                stamp.touch()
            except OSError:
                pass

    def prune(self, keep_days: float = KEEP_DAYS, max_bytes: int = MAX_BYTES) -> int:
        """Remove entries unused for ``keep_days``, then the least recently
        used until the store is under ``max_bytes``; returns how many went."""
        if self.folder is None or not self.folder.is_dir():
            return 0
        entries = []
        for path in self.folder.glob("*/*"):
            try:
                status = path.stat()
            except OSError:
                continue
            entries.append((status.st_mtime, status.st_size, path))
        entries.sort()
        cutoff = time.time() - keep_days * 86400
        total = sum(size for _, size, _ in entries)
        removed = 0
        for mtime, size, path in entries:
            if mtime >= cutoff and total <= max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
            removed += 1
        return removed

    def clear(self) -> None:
        """Remove every entry."""
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
