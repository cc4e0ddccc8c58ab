"""Building microsites in parallel: worker processes, and the dashboard beside them.

Many microsites (a full build) go to ``jobs`` worker processes started by
a forkserver, replaced every :data:`~cxsite.build.microsite.RECYCLE_AFTER`
microsites so that their memory stays bounded; the main process makes the
team's dashboard meanwhile. A few (an edit) are built in this process,
which already holds what they need, while a fork of it builds the
dashboard on the second core: the two take the time of the longer.
"""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any, Callable, Sequence

from .. import model as m
from ..diagnostics import BuildError
from ..views import Microsite
from ..views.clock import Clock
from . import microsite
from .microsite import RECYCLE_AFTER, Built, Context

PARALLEL_FROM = 6    # fewer microsites than this build faster in this process than with workers' start-up

Progress = Callable[[int, int, str], None]


class Forked:
    """``work()`` run in a forked child while this process goes on; ``join``
    waits for it and raises what it raised. Forking is only safe here
    because this process runs no threads that hold a lock the child needs
    (the store's writer is flushed first)."""

    def __init__(self, work: Callable[[], None]) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=self._run, args=(work, send), daemon=True)
        self._process.start()
        send.close()

    @staticmethod
    def _run(work: Callable[[], None], send) -> None:  # type: ignore[no-untyped-def]
        import traceback

        try:
            work()
            send.send(None)
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
            send.send(exc if isinstance(exc, BuildError) else
                      BuildError("building the dashboard failed:\n" + traceback.format_exc()))

    def join(self) -> None:
        try:
            outcome = self._receive.recv()
        except EOFError:
            outcome = BuildError("building the dashboard failed: its process ended without a word")
        self._process.join()
        if outcome is not None:
            raise outcome

    def stop(self) -> None:
        """The build failed anyway: do not wait for the child."""
        self._process.kill()
        self._process.join()


def build_all(sites: Sequence[Microsite], customers: dict[str, m.Customer], clock: Clock, context: Context,
              jobs: int, progress: Progress | None = None,
              dashboard: tuple[Callable[[], Any], Callable[[Any], None]] | None = None) -> list[Built]:
    """Build every microsite, ``jobs`` at a time, and the dashboard beside
    them: ``dashboard`` is (make its artifacts, build them), the first run
    in this process, the second where there is a core free; results come
    back in the order of ``sites``."""
    microsite.prepare(context)
    if jobs <= 1 or len(sites) < PARALLEL_FROM:
        # With a second core, the dashboard is built by a fork of this process
        # (which holds the portfolio already) while this process builds the sites.
        beside, meanwhile = None, None
        if dashboard is not None:
            artifacts = dashboard[0]()
            meanwhile = lambda: dashboard[1](artifacts)  # noqa: E731
        if meanwhile is not None and jobs > 1 and sites:
            microsite.finish()   # no half-written queue across the fork
            beside = Forked(meanwhile)
        built = []
        try:
            for index, site in enumerate(sites):
                built.append(microsite.build(site, customers[site.customer.slug], clock.fresh()))
                if progress:
                    progress(index + 1, len(sites), site.key)
            if beside is not None:
                beside.join()
        except BaseException:
            if beside is not None:
                beside.stop()
            raise
        finally:
            microsite.finish()
        if beside is None and meanwhile is not None:
            meanwhile()
        return built
    pool_context = multiprocessing.get_context("forkserver")
    workers = min(jobs, len(sites))
    batch = RECYCLE_AFTER * workers
    results: dict[int, Built] = {}
    done = 0
    for start in range(0, len(sites), batch):
        # A fresh pool per batch replaces the workers every RECYCLE_AFTER
        # microsites, which bounds their memory. (ProcessPoolExecutor's own
        # max_tasks_per_child can hang for good in Python 3.11: gh-115634.)
        indexes = range(start, min(start + batch, len(sites)))
        with ProcessPoolExecutor(max_workers=min(workers, len(indexes)), mp_context=pool_context,
                                 initializer=microsite.prepare, initargs=(context,)) as pool:
            futures = {pool.submit(microsite.build, sites[index], customers[sites[index].customer.slug],
                                   clock.fresh()): index for index in indexes}
            if start == 0 and dashboard is not None:
                dashboard[1](dashboard[0]())
            for future in as_completed(futures):
                index = futures[future]
                results[index] = future.result()
                done += 1
                if progress:
                    progress(done, len(sites), sites[index].key)
    return [results[index] for index in range(len(sites))]
