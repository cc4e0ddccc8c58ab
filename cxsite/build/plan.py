"""What a build must make, and what it may keep of the previous one.

Each microsite of the previous output comes with its record in the
manifest (:class:`SiteState`): the key of what its view was made from
(the customer's model, the team, the audience), the questions the view
asked the clock with their answers, the key of what its pages were made
from (the view and its images), and the questions the render asked. A
microsite is kept when the source key is the same and every answer still
holds; or, its customer having changed, when its view comes out with the
same render key and the render's answers hold. Otherwise it is made
again. The dashboard is kept likewise (its key covers every customer's
model and the team). Every key includes the toolchain, so a new library,
a changed template or a new ``mkdocs.yml`` makes everything again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Sequence

from .. import __version__
from .. import model as m
from ..cache.index import FileIndex
from ..cache.keys import digest, step_key
from ..cache.store import Store
from ..cache.toolchain import toolchain_digest, with_engine
from ..checks.manifest import MANIFEST, Manifest, ManifestError, SiteRecord, read_manifest
from ..diagnostics import BuildError, Diagnostic, PortfolioError, Severity
from ..engine.config import engine_inputs, find_config
from ..render.paths import DASHBOARD_FOLDER
from ..views import Microsite, microsite
from ..views.clock import Clock, next_change
from .portfolio import CustomerRecord, PortfolioSource
from .shards import in_shard
from .steps import Steps, ask, recorded
from .warm import warm

GENERATOR = f"cxsite {__version__}"
Asked = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SiteState:
    """How a microsite of the output was made (see the module doc)."""

    source: str          # step key of its view's inputs: customer model, team, audience
    view: Asked          # the view's questions of the clock, with their answers
    key: str             # step key of its pages' inputs: the view, its images
    render: Asked        # the render's questions, with their answers
    embargo: str = ""    # when its next held-back update falls due (ISO 8601), if any


@dataclass(frozen=True)
class DashboardState:
    source: str
    asked: Asked


def _previous(out_dir: Path, toolchain: str) -> Manifest | None:
    """The previous output's manifest when this cxsite and toolchain wrote it."""
    try:
        manifest = read_manifest(out_dir)
    except ManifestError:
        return None
    if manifest.generator != GENERATOR or manifest.build.get("toolchain") != toolchain:
        return None
    return manifest


def _changed_customers(root: Path, changed: Iterable[Path]) -> set[str] | None:
    """The customer folders the ``changed`` paths are in; None when one of
    them may change any customer's pages (a file at the top of the
    portfolio, a folder that is nobody's, a path that does not exist)."""
    folders = set()
    for path in changed:
        resolved = Path(path).resolve()
        if not resolved.exists():
            return None  # deleted, or given relative to another folder: look at everything
        try:
            parts = resolved.relative_to(root.resolve()).parts
        except ValueError:
            continue  # elsewhere in the repository; the toolchain covers mkdocs.yml and theme/
        if len(parts) < 2 or not (root / parts[0] / "customer.yml").is_file():
            return None  # team.yml, or a folder of shared images: may show on any customer's pages
        folders.add(parts[0])
    return folders


class Plan:
    """One build's decisions (made by :func:`make_plan`), then what it built."""

    def __init__(self, *, moment: dt.datetime, clock: Clock, config: Path, toolchain: str, store: Store,
                 steps: Steps, source: PortfolioSource, previous: Manifest | None, only: tuple[str, ...],
                 clean: bool, shard: tuple[int, int] | None, dashboard: bool, out_dir: Path) -> None:
        from ..checks.markers import markers_from_env

        self.moment, self.clock, self.config, self.toolchain = moment, clock, config, toolchain
        self.store, self.steps, self.source = store, steps, source
        self.previous = previous
        self.only, self.clean, self.shard = only, clean, shard
        self.out_dir = out_dir
        self.want_dashboard = dashboard and not only and (shard is None or shard[0] == 1)
        self.no_dashboard = not dashboard
        self.markers = markers_from_env()
        self.store_folder = store.folder.parent if store.folder is not None else None
        self._order: list[str] = []                           # every microsite's key, in portfolio order
        self._records: dict[str, SiteRecord] = {}
        self._states: dict[str, SiteState] = {}
        self._fresh: list[tuple[Microsite, m.Customer, SiteState]] = []
        self._team_key = ""
        self._dashboard: DashboardState | None = None
        self._dashboard_fresh = False
        self._derived = None
        self._problems: tuple[Diagnostic, ...] | None = None
        self._answers: dict[str, str] = {}

    # ------------------------------------------------------------ helpers

    @property
    def root(self) -> Path:
        return self.source.root

    def _previous_sites(self) -> dict[str, tuple[SiteRecord, SiteState]]:
        if self.previous is None or self.clean:
            return {}
        states = self.previous.build.get("sites") or {}
        found = {}
        for record in self.previous.sites:
            state = states.get(record.key)
            if isinstance(state, dict):
                try:
                    found[record.key] = (record, SiteState(
                        state["source"], tuple(map(tuple, state["view"])), state["key"],
                        tuple(map(tuple, state["render"])), state.get("embargo", "")))
                except (KeyError, TypeError, ValueError):
                    continue
        return found

    def _wanted(self, key: str, customer: str) -> bool:
        if self.only and customer not in self.only and key not in self.only:
            return False
        return in_shard(key, self.shard)

    def _holds(self, asked: Asked) -> bool:
        """Whether every recorded answer still holds; each question is asked
        once per build (the microsites of a portfolio share most of theirs)."""
        answers = self._answers
        for text, answer in asked:
            found = answers.get(text)
            if found is None:
                found = answers[text] = ask(text, self.clock, self.steps.files)
            if found != answer:
                return False
        return True

    # ----------------------------------------------------------- deciding

    def decide(self) -> None:
        previous = self._previous_sites()
        by_customer: dict[str, list[str]] = {}
        for key, (record, _) in previous.items():
            by_customer.setdefault(record.customer, []).append(key)
        records = (self.previous.build.get("customers") or {}) if self.previous is not None else {}
        self._team_key = self.source.team.key
        for folder in self.source.folders:
            name = folder.name
            key = self.source.key(folder)
            was = records.get(name) if isinstance(records.get(name), dict) else None
            if key is not None and was is not None and was.get("key") == key and not self.clean:
                # The same model as last time: its microsites are those of last time.
                keys = by_customer.get(was.get("slug") or "", [])
                if not was.get("slug") or self._keep_all(folder, keys, previous):
                    continue
            customer = self.source.customer(folder).value[0]
            if customer is None:
                continue
            for audience in customer.audiences:
                self._view(folder, customer, audience, previous)

    def _source_key(self, model_key: str, audience: str) -> str:
        return step_key("site", self.toolchain, model_key, self._team_key, audience)

    def _keep_all(self, folder: Path, keys: list[str], previous: dict[str, tuple[SiteRecord, SiteState]]) -> bool:
        """Keep every microsite of an unchanged customer whose answers hold;
        False when one of them must be looked at again (the caller views them all)."""
        model_key = self.source.key(folder)
        assert model_key is not None
        kept = []
        for key in keys:
            record, state = previous[key]
            if not self._wanted(key, record.customer):
                continue
            if state.source != self._source_key(model_key, record.audience) or not self._holds(state.view) \
                    or not self._holds(state.render) or not (self.out_dir / record.folder).is_dir():
                return False
            kept.append((key, record, state))
        for key, record, state in kept:
            self._order.append(key)
            self._records[key] = record
            self._states[key] = state
        return True

    def _view(self, folder: Path, customer: m.Customer, audience: m.Audience,
              previous: dict[str, tuple[SiteRecord, SiteState]]) -> None:
        from ..render.site import site_images

        key = f"{customer.slug}/{audience.id}"
        if not self._wanted(key, customer.slug):
            return
        team = self.source.team.value[0]
        view_clock = self.clock.fresh()
        site = microsite(m.Portfolio(self.root, team, ()), customer, audience, view_clock)
        images = [self.steps.files.digest(path) for path in site_images(site)]
        render_key = step_key("render", self.toolchain, digest(repr(site)), *images)
        model_key = self.source.key(folder) or self.source.customer(folder).key
        state = SiteState(self._source_key(model_key, audience.id), recorded(view_clock), render_key, (),
                          site.next_embargo.isoformat() if site.next_embargo else "")
        self._order.append(key)
        was = previous.get(key)
        if was is not None and was[1].key == render_key and self._holds(was[1].render) \
                and (self.out_dir / was[0].folder).is_dir():
            self._records[key] = was[0]
            self._states[key] = dataclasses.replace(state, render=was[1].render)
        else:
            self._fresh.append((site, customer, state))

    def decide_dashboard(self) -> None:
        if not self.want_dashboard:
            return
        folders = [folder for folder in self.source.folders if self._is_customer(folder)]
        source = step_key("dashboard", self.toolchain, self._team_key,
                          *(self.source.key(folder) or self.source.customer(folder).key for folder in folders))
        was = (self.previous.build.get("dashboard") if self.previous is not None else None) or {}
        if not self.clean and was.get("source") == source and self._holds(tuple(map(tuple, was.get("asked") or ()))) \
                and (self.out_dir / DASHBOARD_FOLDER).is_dir():
            self._dashboard = DashboardState(source, tuple(map(tuple, was.get("asked") or ())))
        else:
            self._dashboard = DashboardState(source, ())
            self._dashboard_fresh = True

    def _is_customer(self, folder: Path) -> bool:
        return self.source.is_customer(folder)

    # ---------------------------------------------------------- answering

    def warnings(self) -> tuple[Diagnostic, ...]:
        """Every warning of the portfolio; :class:`PortfolioError` when it has errors."""
        if self._problems is None:
            self._problems = self.source.problems()
        if any(d.severity is Severity.ERROR for d in self._problems):
            raise PortfolioError(self._problems)
        return self._problems

    def nothing_to_do(self) -> bool:
        """Nothing to make, nothing gone, and the manifest would say what it says."""
        if self.previous is None or self.clean or self.only or self._fresh or self._dashboard_fresh:
            return False
        if self._gone_sites() or (self.want_dashboard is False and not self.no_dashboard
                                  and DASHBOARD_FOLDER in self.previous.internal):
            return False
        return json_ready(self.manifest().build) == self.previous.build

    def keys(self) -> list[str]:
        return list(self._order)

    def records(self) -> tuple[SiteRecord, ...]:
        return tuple(self._records[key] for key in self._order if key in self._records)

    def kept_records(self) -> list[SiteRecord]:
        fresh = {site.key for site, _, _ in self._fresh}
        return [self._records[key] for key in self._order if key in self._records and key not in fresh]

    def fresh_sites(self, freeze: bool = False) -> list[tuple[Microsite, m.Customer]]:
        if freeze:
            import gc

            gc.freeze()
        return [(site, customer) for site, customer, _ in self._fresh]

    @staticmethod
    def customers_of(fresh: Sequence[tuple[Microsite, m.Customer]]) -> dict[str, m.Customer]:
        return {customer.slug: customer for _, customer in fresh}

    def in_place(self) -> bool:
        """Whether the previous output is updated in place (else a new tree is swapped in)."""
        return self.previous is not None and not self.clean and not self.only and self.out_dir.is_dir()

    def _gone_sites(self) -> list[SiteRecord]:
        if self.previous is None:
            return []
        current = set(self._order)
        return [record for record in self.previous.sites if record.key not in current]

    def gone_folders(self, out_dir: Path) -> list[str]:
        gone = sorted({record.folder for record in self._gone_sites()})
        if not self.want_dashboard and not self.no_dashboard and (out_dir / DASHBOARD_FOLDER).is_dir():
            gone.append(DASHBOARD_FOLDER)
        return gone

    def dashboard_fresh(self) -> bool:
        return self._dashboard_fresh

    def keep_dashboard(self) -> bool:
        return self.no_dashboard and self.previous is not None and DASHBOARD_FOLDER in self.previous.internal

    def next_embargo(self) -> dt.datetime | None:
        found = [dt.datetime.fromisoformat(state.embargo) for key, state in self._states.items() if state.embargo]
        found += [site.next_embargo for site, _, _ in self._fresh if site.next_embargo]
        return min(found, default=None)

    def next_change(self) -> dt.datetime | None:
        """When the first answer of any kept or built result would change."""
        moments = []
        for state in list(self._states.values()) + [state for _, _, state in self._fresh]:
            moments.append(_next(state.view + state.render))
        if self._dashboard is not None:
            moments.append(_next(self._dashboard.asked))
        return min((moment for moment in moments if moment is not None), default=None)

    # --------------------------------------------------------- the derived

    @property
    def derived(self):  # type: ignore[no-untyped-def]
        from .derived import Derived

        if self._derived is None:
            self._derived = Derived(self.source, self.clock)
        return self._derived

    def needles(self) -> tuple[Any, ...]:
        """Every customer's share of the audit's needles (for the microsites built)."""
        return tuple(needle for folder in self.source.folders if self._is_customer(folder)
                     for needle in self.derived.needles(folder))

    def make_dashboard(self) -> Asked:
        """Make the dashboard from each customer's kept part and build it into
        the staging folder; returns the questions it asked (it may run in a
        fork: :meth:`dashboard_made` records them here)."""
        from ..render.dashboard import assemble_dashboard
        from ..render.pages import PageRenderer
        from ..views.rules import contact_findings, sort_findings
        from .derived import Derived
        from .microsite import build_dashboard

        clock = self.clock.fresh()
        derived = Derived(self.source, clock)
        folders = [folder for folder in self.source.folders if self._is_customer(folder)]
        found = [derived.findings(folder) for folder in folders]
        team = self.source.team.value[0]
        findings = [finding for own, _, _ in found for finding in own]
        findings += contact_findings(team, (owner for _, _, owner in found), (roles for _, roles, _ in found))
        parts = [derived.part(folder) for folder in folders]
        artifacts = assemble_dashboard(parts, team, self.root, clock, sort_findings(findings), PageRenderer())
        asked = recorded(clock)
        build_dashboard(artifacts, DASHBOARD_FOLDER)
        return asked

    def dashboard_made(self, asked: Asked) -> None:
        assert self._dashboard is not None
        self._dashboard = DashboardState(self._dashboard.source, tuple(asked))

    # ---------------------------------------------------------- recording

    def built(self, fresh: Sequence[tuple[Microsite, m.Customer]], results: Sequence[Any]) -> None:
        states = {site.key: state for site, _, state in self._fresh}
        for (site, _), result in zip(fresh, results):
            self._records[site.key] = result.record
            self._states[site.key] = dataclasses.replace(states[site.key], render=result.asked)

    def manifest(self) -> Manifest:
        customers = {}
        for folder in self.source.folders:
            customers[folder.name] = _fields(self.source.record(folder))
        states = {key: _fields(self._states[key]) for key in self._order if key in self._states}
        internal: tuple[str, ...] = ()
        build: dict[str, Any] = {"toolchain": self.toolchain, "team": self._team_key, "customers": customers,
                                 "sites": states}
        if self._dashboard is not None:
            build["dashboard"] = _fields(self._dashboard)
            internal = (DASHBOARD_FOLDER,)
        elif self.keep_dashboard():
            build["dashboard"] = (self.previous.build.get("dashboard") if self.previous is not None else None)
            internal = (DASHBOARD_FOLDER,)
        return Manifest(generator=GENERATOR, cutoff=self.moment, sites=self.records(), internal=internal,
                        shard=f"{self.shard[0]}/{self.shard[1]}" if self.shard else None,
                        next_embargo=self.next_embargo(), build=build)

    def finish(self) -> None:
        """Save what the build learnt of the files, and write what it keeps."""
        self.steps.files.save()
        self.store.finish()


def _fields(record: Any) -> dict[str, Any]:
    """A record's fields by name (its values are strings and tuples of them;
    ``dataclasses.asdict`` would copy each deeply, a second on 500 customers)."""
    return {field.name: getattr(record, field.name) for field in dataclasses.fields(record)}


def json_ready(value: Any) -> Any:
    """``value`` as JSON gives it back (tuples as lists), so that a built
    state compares equal to the one read from a manifest."""
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(item) for item in value]
    return value


def _next(asked: Asked) -> dt.datetime | None:
    from ..views.clock import Passed, Today

    questions: dict[Any, Any] = {}
    for text, answer in asked:
        if text[0] == "p":
            questions[Passed(dt.datetime.fromisoformat(text[1:]))] = answer == "1"
        elif text[0] == "t":
            questions[Today(text[1:])] = dt.date.fromisoformat(answer)
    return next_change(questions)


def _customer_records(previous: Manifest | None) -> dict[str, CustomerRecord]:
    found = {}
    for name, item in ((previous.build.get("customers") or {}) if previous is not None else {}).items():
        try:
            found[name] = CustomerRecord(item["contents"], item["declared"], item["key"],
                                         tuple(tuple(pair) for pair in item["files"]), item.get("slug"))
        except (KeyError, TypeError, ValueError):
            continue
    return found


def make_plan(projects_dir: Path, out_dir: Path, moment: dt.datetime, *, config_file: Path | None,
              only: tuple[str, ...], clean: bool, shard: tuple[int, int] | None, changed: Iterable[Path] | None,
              dashboard: bool, jobs: int = 1) -> Plan:
    """Look at the portfolio and the previous output at the build's
    ``moment``, and decide."""
    clock = Clock(moment)
    config = find_config(projects_dir, config_file)
    code = toolchain_digest()
    toolchain = with_engine(code, *engine_inputs(config))
    store = Store.default()
    root = Path(os.path.abspath(projects_dir))
    index = FileIndex(store.folder / "index" / f"{digest(os.path.realpath(root))[:24]}.pickle"
                      if store.folder is not None else None)
    steps = Steps(store, code, index)
    previous = _previous(out_dir, toolchain)
    trusted: set[str] = set()
    if changed is not None and previous is not None and not only and not clean:
        changed = list(changed)
        touched = _changed_customers(root, changed)
        if touched is not None:
            listed = {os.path.abspath(path) for path in changed}
            records = _customer_records(previous)
            # A customer whose model looked at a listed file elsewhere (a logo) is not trusted either.
            touched |= {name for name, record in records.items() if any(path in listed for path, _ in record.files)}
            trusted = set(records) - touched
    source = PortfolioSource(root, steps, previous=_customer_records(previous), trusted=trusted)
    if not source.layout.root.is_dir():
        raise PortfolioError(source.layout.diagnostics)
    warm(source, jobs)   # customers nothing is kept of: validated on every core
    plan = Plan(moment=moment, clock=clock, config=config, toolchain=toolchain, store=store, steps=steps,
                source=source, previous=previous, only=only, clean=clean, shard=shard, dashboard=dashboard,
                out_dir=out_dir)
    plan.warnings()   # an error anywhere: stop before making anything
    plan.decide()
    plan.decide_dashboard()
    if not trusted:
        index.forget_unseen(root)
    return plan
