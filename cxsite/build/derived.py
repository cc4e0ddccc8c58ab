"""What the build derives from each customer's model, each kept by that model's key.

A customer's CX findings, its share of the audit's needles and its part of
the team's dashboard depend on that customer (named by the key of its
model, :meth:`cxsite.build.portfolio.PortfolioSource.key`), the team and
the build's clock only. Each is kept under those keys and the clock's
answers, so a build after an edit loads no model but the edited
customer's: the others' findings, needles and parts come from the store.
"""

from __future__ import annotations

from pathlib import Path

from ..cache.keys import digest
from ..checks.needles import customer_needles
from ..checks.search import Needle
from ..diagnostics import Diagnostic
from ..render.dashboard import CustomerPart, customer_part, findings_per_project
from ..render.pages import PageRenderer
from ..render.prose import markdown_texts
from ..views.clock import Clock
from ..views.rules import Settings, customer_findings, customer_roles
from .portfolio import PortfolioSource
from .steps import Steps


class Derived:
    """Findings, needles and dashboard parts of one portfolio's customers."""

    def __init__(self, source: PortfolioSource, clock: Clock, settings: Settings = Settings()) -> None:
        self.source = source
        self.steps: Steps = source.steps
        self.clock = clock
        self.settings = settings
        self._renderer: PageRenderer | None = None

    def _model(self, folder: Path):  # type: ignore[no-untyped-def]
        return self.source.customer(folder).value[0]

    def _key(self, folder: Path) -> str:
        return self.source.key(folder) or self.source.customer(folder).key

    def findings(self, folder: Path) -> tuple[tuple[Diagnostic, ...], dict[str, list[str]], str]:
        """The customer's CX findings, whom it is told to contact (and as
        what), and its CX owner's id."""
        def compute(clock: Clock, _) -> tuple[tuple[Diagnostic, ...], dict[str, list[str]], str]:
            customer = self._model(folder)
            team = self.source.team.value[0]
            return (tuple(customer_findings(customer, team, clock, self.settings)), customer_roles(customer),
                    customer.cx_owner_id)

        inputs = (self._key(folder), self.source.team.key, str(self.settings.notice_days),
                  str(self.settings.grace_days))
        return self.steps.run("findings", inputs, self.clock, compute).value

    def needles(self, folder: Path) -> tuple[Needle, ...]:
        """The customer's share of the needles every microsite's audit looks for."""
        def compute(clock: Clock, _) -> tuple[Needle, ...]:
            customer = self._model(folder)
            return customer_needles(customer, clock, self.steps.prose(markdown_texts(customer)))

        return self.steps.run("needles", (self._key(folder),), self.clock, compute).value

    def part(self, folder: Path) -> CustomerPart:
        """The customer's part of the team's dashboard."""
        findings = self.findings(folder)[0]

        def compute(clock: Clock, _) -> CustomerPart:
            customer = self._model(folder)
            if self._renderer is None:
                self._renderer = PageRenderer()
            return customer_part(customer, self.source.team.value[0], clock,
                                 findings_per_project(customer, findings),
                                 self.steps.prose(markdown_texts(customer)), self._renderer)

        inputs = (self._key(folder), self.source.team.key, digest(repr(findings)))
        return self.steps.run("dashboard-part", inputs, self.clock, compute).value
