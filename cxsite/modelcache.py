"""A cache of validated customers, so only changed customers are validated again.

Parsing is cached per file (:mod:`cxsite.parsecache`), but converting,
cross-checking and pre-checking every update body still grows with the
whole portfolio. This cache keeps, per customer, the finished
:class:`~cxsite.model.Customer` and the warnings its validation gave, under
a *signature*: the name, size, modification and change times and inode of
every file in the customer's folder (:mod:`cxsite.scan`), the same for ``team.yml`` (people and
their ids are checked against it), for any file the customer's model points
to outside its folder (a logo), the current directory (diagnostics show
paths relative to it) and cxsite's own source (the folder is named after it). Any change to any of those
gives another signature, so a stale entry is never used.

Only customers that validated without an error are kept: a customer with
errors is validated again on every run, so its errors always appear.
The entries live beside the parse cache (same folder, ``models/``);
``CXSITE_CACHE=0`` turns both off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import tempfile
from pathlib import Path
from typing import Iterable

from . import model as m
from .diagnostics import Diagnostic
from .memo import make_versioned_folder
from .parsecache import ParseCache
from .scan import source_fingerprint, stat_line, tree_digest


def outside_files(customer: m.Customer, folder: Path) -> tuple[str, ...]:
    """Files the model refers to that lie outside the customer's folder."""
    paths = [customer.brand.logo] if customer.brand.logo else []
    inside = os.path.abspath(folder) + os.sep
    return tuple(sorted(str(p) for p in paths if not os.path.abspath(p).startswith(inside)))


def _files_signature(paths: Iterable[str]) -> str:
    return "\n".join(stat_line(path, path) for path in paths)


class ModelCache:
    """Validated customers of one portfolio, one pickle per customer."""

    def __init__(self, root: Path, team_file: Path):
        parse_cache = ParseCache(root)
        self.folder = parse_cache.folder / f"models-{source_fingerprint()[:16]}"
        self._shared = f"{os.getcwd()}\0{stat_line('team.yml', team_file)}"

    def signature(self, folder: Path, digest: str | None = None) -> str:
        """The key of a customer folder; ``digest`` is its :func:`cxsite.scan.tree_digest`
        when a scan of the portfolio has it already."""
        return hashlib.sha256(f"{self._shared}\0{digest or tree_digest(folder)}".encode()).hexdigest()

    def _file(self, folder: Path) -> Path:
        return self.folder / f"{folder.name}.pickle"

    def get(self, folder: Path, signature: str | None,
            expected: str | None = None) -> tuple[m.Customer, tuple[Diagnostic, ...]] | None:
        """The cached customer if its signature matches. ``signature=None``
        trusts the caller that the folder did not change since the entry
        with signature ``expected`` (recorded by the previous build) was
        stored: an entry stored under any other signature is not used."""
        try:
            with self._file(folder).open("rb") as handle:
                stored_signature, outside, outside_signature, customer, warnings = pickle.load(handle)
        except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, ValueError, TypeError):
            return None
        if signature is None:
            if expected is None or stored_signature != expected:
                return None
        elif stored_signature != signature or _files_signature(outside) != outside_signature:
            return None
        return customer, warnings

    def put(self, folder: Path, signature: str, customer: m.Customer, warnings: Iterable[Diagnostic]) -> None:
        """Store silently: a cache must never fail a check or a build."""
        outside = outside_files(customer, folder)
        entry = (signature, outside, _files_signature(outside), customer, tuple(warnings))
        try:
            make_versioned_folder(self.folder)
            with tempfile.NamedTemporaryFile(dir=self.folder, delete=False, suffix=".tmp") as handle:
                pickle.dump(entry, handle, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(handle.name, self._file(folder))
        except (OSError, pickle.PicklingError):
            pass
