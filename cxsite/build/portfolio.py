"""The portfolio as a build reads it: by content, each customer validated once.

Every command that needs the model (``check``, ``build``, ``serve``,
``digest``, ``audit``, ``publish``) loads it here, through the build's
kept steps (:mod:`.steps`): ``team.yml`` and each customer folder are
validated again only when the digest of their files (or a file they
point to) changed. A customer is named by the key of its model, so the
plan can tell what changed without loading anything (:meth:`Portfolio.key`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

from .. import model as m
from ..cache.keys import digest, step_key
from ..diagnostics import Collector, Diagnostic, PortfolioError, sort_key
from ..source.files import Bounds
from ..source.layout import PortfolioLayout, assemble_customer, customer_layout, portfolio_layout
from ..source.yaml import YamlDoc
from .steps import Kept, Looked, Steps, folder_contents


@dataclass(frozen=True)
class CustomerRecord:
    """What the previous build knew of a customer folder (see :meth:`PortfolioSource.record`)."""

    contents: str                      # digest of the folder's files
    declared: str                      # the model step's key without answers
    key: str                           # ... with them: the model's name
    files: tuple[tuple[str, str], ...] # files outside the folder it looked at, with their digests
    slug: str | None = None            # the customer it holds ("" for a folder of images only)


class PortfolioSource:
    """One portfolio folder, read through the build's steps."""

    def __init__(self, root: Path, steps: Steps, *, previous: Mapping[str, CustomerRecord] | None = None,
                 trusted: Iterable[str] = ()) -> None:
        """``previous``: what the previous build recorded per customer folder;
        ``trusted``: folders known not to have changed since (``--changed``):
        their files are not even looked at."""
        self.root = Path(os.path.abspath(root))
        self.steps = steps
        self.layout: PortfolioLayout = portfolio_layout(self.root)
        self._bounds = Bounds(self.root)
        self._previous = dict(previous or {})
        self._trusted = set(trusted)
        self._team: Kept | None = None
        self._contents: dict[str, str] = {}
        self._kept: dict[str, Kept] = {}     # loaded models
        self._keys: dict[str, Kept] = {}     # known model keys (the value maybe not loaded)
        self.scanned = not self._trusted

    # ------------------------------------------------------------ team

    @property
    def team(self) -> Kept:
        """(Team | None, diagnostics, person ids) of ``team.yml``."""
        if self._team is None:
            self._team = self._team_step()
        return self._team

    def _team_step(self) -> Kept:
        team_file = self.layout.team_file
        content = self.steps.files.digest(team_file) if team_file is not None else "none"

        def validate(_, looked: Looked) -> tuple[m.Team | None, tuple[Diagnostic, ...], tuple[str, ...]]:
            from ..model.validate import Builder

            diagnostics = Collector()
            doc = None
            if team_file is not None:
                document = self.steps.document(team_file, "team")
                diagnostics.extend(document.diagnostics)
                doc = document.value if isinstance(document.value, YamlDoc) else None
            builder = Builder(diagnostics)
            team = builder.team(self.root, doc)
            for image in builder.images:
                looked.digest(image)
            return team, tuple(diagnostics.items), tuple(sorted(builder.team_ids))

        return self.steps.run("team", (str(self.root), content), None, validate)

    @property
    def team_ids(self) -> str:
        return digest("\n".join(self.team.value[2]))

    # ------------------------------------------------------- customers

    @property
    def folders(self) -> tuple[Path, ...]:
        return self.layout.folders

    def contents(self, folder: Path) -> str:
        """The digest of a customer folder's files (from the previous build
        for a folder trusted not to have changed)."""
        name = folder.name
        if name not in self._contents:
            record = self._previous.get(name)
            if name in self._trusted and record is not None:
                self._contents[name] = record.contents
            else:
                self._contents[name] = folder_contents(folder, self.steps.files)
        return self._contents[name]

    def _declared(self, folder: Path) -> tuple[str, ...]:
        return (str(self.root), str(folder), self.contents(folder), self.team_ids)

    def key(self, folder: Path) -> str | None:
        """The name of the folder's model (the model step's key with its
        answers), without loading the model when it is known; None when it
        has to be made."""
        found = self._known(folder)
        return found.key if found is not None else None

    def _known(self, folder: Path) -> Kept | None:
        name = folder.name
        if name in self._keys:
            return self._keys[name]
        declared = step_key("customer", self.steps.toolchain, *self._declared(folder))
        record = self._previous.get(name)
        found = None
        if record is not None and record.declared == declared and \
                all(name in self._trusted or self.steps.files.digest(path) == was for path, was in record.files):
            found = Kept(None, record.key, record.files)
        else:
            found = self.steps.known("customer", self._declared(folder), None)
        if found is not None:
            self._keys[name] = found
        return found

    def customer(self, folder: Path) -> Kept:
        """(Customer | None, diagnostics) of one folder, validated or kept."""
        name = folder.name
        if name not in self._kept:
            known = self._known(folder)
            value = self.steps.value(known.key) if known is not None else None
            if value is not None:
                self._kept[name] = Kept(value, known.key, known.files)
            else:
                self._kept[name] = self._customer_step(folder)
            self._keys[name] = self._kept[name]
        return self._kept[name]

    def _customer_step(self, folder: Path) -> Kept:
        steps, ids = self.steps, self.team.value[2]

        def validate(_, looked: Looked) -> tuple[m.Customer | None, tuple[Diagnostic, ...]]:
            from ..model.validate import Builder

            layout = customer_layout(self.root, folder, self._bounds)
            if layout is None:
                return None, ()
            diagnostics = Collector()
            diagnostics.extend(layout.diagnostics)
            if layout.customer_file is None:
                return None, tuple(diagnostics.items)
            documents = {}
            for path, kind in layout.documents():
                documents[path] = steps.document(path, kind)
                diagnostics.extend(documents[path].diagnostics)
            builder = Builder(diagnostics, ids)
            customer = builder.customer(self.root, assemble_customer(layout, documents))
            for image in builder.images:
                looked.digest(image)
            return customer, tuple(diagnostics.items)

        unsteady = len(steps.unsteady)
        kept = steps.run("customer", self._declared(folder), None, validate,
                         keep=lambda value: len(steps.unsteady) == unsteady)
        if len(steps.unsteady) == unsteady:
            steps.store.put(step_key("diagnostics", kept.key), kept.value[1])
        return kept

    def is_customer(self, folder: Path) -> bool:
        """Whether a top-level folder holds a valid customer (not images only),
        known without loading its model when the previous build recorded it."""
        record = self._previous.get(folder.name)
        known = self._known(folder)
        if record is not None and known is not None and record.key == known.key and record.slug is not None:
            return bool(record.slug)
        return self.customer(folder).value[0] is not None

    def diagnostics(self, folder: Path) -> tuple[Diagnostic, ...]:
        """Every problem the folder's validation found (without loading its
        model when they are known)."""
        if folder.name not in self._kept:
            known = self._known(folder)
            if known is not None:
                found = self.steps.store.get(step_key("diagnostics", known.key))
                if found is not None:
                    return found
        return self.customer(folder).value[1]

    def record(self, folder: Path) -> CustomerRecord:
        """What the next build needs to know of this folder without reading it."""
        known = self._known(folder) or self.customer(folder)
        return CustomerRecord(self.contents(folder), step_key("customer", self.steps.toolchain,
                                                              *self._declared(folder)), known.key, known.files,
                              folder.name if self.is_customer(folder) else "")

    # ------------------------------------------------------- the model

    def problems(self) -> tuple[Diagnostic, ...]:
        """Every problem of the portfolio (errors and warnings, sorted),
        without loading the models whose problems are known."""
        found = list(self.layout.diagnostics) + list(self.team.value[1])
        for folder in self.folders:
            found += self.diagnostics(folder)
        return tuple(sorted(found, key=sort_key))

    def load(self, freeze: bool = False) -> tuple[m.Portfolio, tuple[Diagnostic, ...]]:
        """The whole model and its warnings; :class:`PortfolioError` with
        every problem when there is an error anywhere."""
        import gc

        diagnostics = Collector()
        diagnostics.extend(self.layout.diagnostics)
        team, found, _ = self.team.value
        diagnostics.extend(found)
        customers: list[m.Customer] = []
        collecting = gc.isenabled()
        gc.disable()   # models are kept alive until the command ends: nothing here is garbage
        try:
            for folder in self.folders:
                customer, found = self.customer(folder).value
                diagnostics.extend(found)
                if customer is not None:
                    customers.append(customer)
        finally:
            if freeze:
                gc.freeze()
            if collecting:
                gc.enable()
        diagnostics.raise_if_errors()
        assert team is not None
        return m.Portfolio(self.root, team, tuple(customers)), tuple(sorted(diagnostics.items, key=sort_key))
