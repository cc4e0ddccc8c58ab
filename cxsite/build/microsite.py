"""Building one microsite: render, engine, read back, audit; in a worker or here.

A worker process keeps, for its life (:data:`RECYCLE_AFTER` microsites at
most), what every microsite it builds shares: the renderer (its Jinja
environment), the engine's theme environment, the build's steps (through
which it converts Markdown, each conversion kept), the audit's needles.
Nothing of one microsite survives into the next but those.
"""

from __future__ import annotations

import dataclasses
import resource
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Iterable

from .. import model as m
from ..checks.manifest import MANIFEST, SiteRecord
from ..diagnostics import BuildError
from ..render.paths import site_folder
from ..views import Microsite
from ..views.clock import Clock

if TYPE_CHECKING:
    from ..checks.audit import Finding
    from ..checks.search import Needle
    from ..render.artifacts import MicrositeArtifacts
    from ..render.csp import InlineDigests
    from ..render.site import SiteRenderer
    from .steps import Steps

RECYCLE_AFTER = 200  # microsites per worker process before it is replaced (bounds memory)


@dataclass(frozen=True)
class Context:
    """What every microsite of a build shares, handed to each worker once."""

    config: Path                       # mkdocs.yml
    staging: Path                      # where microsites are written
    store: Path | None                 # the store's folder (None: caching off)
    toolchain: str                     # the steps' (without the engine configuration)
    needles: tuple[Needle, ...]        # every customer's share of the audit's needles
    markers: tuple[str, ...]           # secret markers


@dataclass(frozen=True)
class Built:
    """One microsite built: its record, the questions its render asked the
    clock (with their answers), the audit's findings, the builder's peak memory."""

    record: SiteRecord
    asked: tuple[tuple[str, str], ...]
    findings: tuple[Finding, ...]
    peak_mb: int


_CONTEXT: Context | None = None
_RENDERER: SiteRenderer | None = None
_STEPS: Steps | None = None


def prepare(context: Context) -> None:
    """Set up this process (a worker's initializer, or the main process)."""
    global _CONTEXT, _STEPS
    from ..cache.index import FileIndex
    from ..cache.store import Store
    from .steps import Steps

    from ..engine.adapter import keep_compiled_templates
    from .templates import CompiledTemplates

    _CONTEXT = context
    _STEPS = Steps(Store(context.store), context.toolchain, FileIndex(None))
    keep_compiled_templates(CompiledTemplates(_STEPS.store, context.toolchain) if _STEPS.store.on else None)


def finish() -> None:
    """Write what this process's steps queued."""
    if _STEPS is not None:
        _STEPS.store.flush()


def build(site: Microsite, customer: m.Customer, moment_asked: Clock) -> Built:
    """Render, build, read back and audit one microsite into the build's
    staging folder; ``customer`` is the whole customer ``site`` was cut
    from, ``moment_asked`` a fresh clock of the build's moment for the render."""
    from ..checks.audit import audit_microsite
    from ..engine.adapter import build_microsite
    from ..render.prose import markdown_texts
    from ..render.site import SiteRenderer, site_images
    from ..source.files import read_images
    from .steps import recorded

    global _RENDERER
    context, steps = _CONTEXT, _STEPS
    assert context is not None and steps is not None, "prepare() first"
    if _RENDERER is None:
        from .templates import CompiledTemplates

        _RENDERER = SiteRenderer(CompiledTemplates(steps.store, steps.toolchain) if steps.store.on else None)
    clock = moment_asked
    site = dataclasses.replace(site, clock=clock)
    prose = steps.prose(markdown_texts(customer))   # the whole customer's: the audit reads the hidden ones
    artifacts = _RENDERER.render(site, prose, read_images(site_images(site)))
    folder = site_folder(site.customer.slug, site.audience.id, site.customer.site.path_token)
    written = build_microsite(artifacts, context.config, context.staging / folder)
    asked = recorded(clock)
    # Read back what subscribers will read, here in the worker, in parallel.
    problems = verify_tree(context.staging, [folder], steps)
    if problems:
        raise BuildError("the build wrote files that do not read back:\n  " + "\n  ".join(problems))
    findings = audit_microsite(context.staging, folder, site, customer, context.needles, context.markers,
                               prose=prose)
    steps.store.mark_used()   # a worker ends without exit handlers: write what it keeps, mark what it read
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024  # Linux: KiB
    return Built(record_of(artifacts, folder, written.inline), asked, tuple(findings), peak_mb)


def build_dashboard(artifacts: MicrositeArtifacts, folder: str) -> None:
    """Build the team's dashboard into the staging folder and read it back."""
    from ..engine.adapter import build_microsite

    context = _CONTEXT
    assert context is not None, "prepare() first"
    build_microsite(artifacts, context.config, context.staging / folder)
    problems = verify_tree(context.staging, [folder], _STEPS)
    if problems:
        raise BuildError("the build wrote files that do not read back:\n  " + "\n  ".join(problems))


def record_of(artifacts: MicrositeArtifacts, folder: str, inline: InlineDigests) -> SiteRecord:
    paths = [f.path for f in artifacts.files]
    site = artifacts.site
    return SiteRecord(
        key=site.key, customer=site.customer.slug, audience=site.audience.id, folder=folder,
        base_url=artifacts.base_url, access=site.customer.site.access.value, pages=len(artifacts.pages),
        feeds=tuple(p for p in paths if p.endswith((".xml", ".json"))),
        calendars=tuple(p for p in paths if p.endswith(".ics") and "/events/" not in p),
        vcards=tuple(p for p in paths if p.endswith(".vcf")),
        scripts=tuple(sorted(inline.scripts)), styles=tuple(sorted(inline.styles)))


def verify_tree(root: Path, folders: Iterable[str] | None = None, steps: Steps | None = None) -> list[str]:
    """Read back every feed, calendar and vCard written below ``root`` (or
    below the given microsite folders of it); each file's problems are kept
    by the digest of its bytes (the dashboard's calendar of every event in
    the portfolio is the same after most edits)."""
    from ..cache.keys import digest
    from ..checks.readback import check_file

    problems = []
    tops = [root / folder for folder in folders] if folders is not None else [root]
    for path in sorted(p for top in tops for p in top.rglob("*")):
        if path.is_file() and path.suffix in (".xml", ".ics", ".vcf", ".json") and path.name != MANIFEST \
                and not path.name.startswith("search_index") and path.name != "sitemap.xml":
            data, suffix = path.read_bytes(), path.suffix
            if steps is None:
                found = check_file(suffix, data)
            else:
                found = steps.run("read-back", (suffix, digest(data)), None,
                                  lambda _clock, _looked: check_file(suffix, data), asks=False).value
            problems.extend(f"{path.relative_to(root)}: {problem}" for problem in found)
    return problems
