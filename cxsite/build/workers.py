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
    waits for it and returns what it returned, or raises what it raised.
    The child inherits no thread (the stores start their own writers,
    :mod:`cxsite.cache.store`), and writes what it kept before it ends."""

    def __init__(self, work: Callable[[], Any]) -> None:
        context = multiprocessing.get_context("fork")
        self._receive, send = context.Pipe(duplex=False)
        self._process = context.Process(target=self._run, args=(work, send), daemon=True)
        self._process.start()
        send.close()

    @staticmethod
    def _run(work: Callable[[], Any], send) -> None:  # type: ignore[no-untyped-def]
        import traceback

        from ..cache.store import flush_all

        try:
            result = work()
            flush_all()
            send.send((True, result))
        except BaseException as exc:  # noqa: BLE001 - reported to the parent, which raises it
            send.send((False, exc if isinstance(exc, BuildError) else
                       BuildError("building the dashboard failed:\n" + traceback.format_exc())))

    def join(self) -> Any:
        try:
            ok, outcome = self._receive.recv()
        except EOFError:
            ok, outcome = False, BuildError("building the dashboard failed: its process ended without a word")
        self._process.join()
        if not ok:
            raise outcome
        return outcome

    def stop(self) -> None:
        """The build failed anyway: do not wait for the child."""
        self._process.kill()
        self._process.join()


def build_all(sites: Sequence[Microsite], customers: dict[str, m.Customer], clock: Clock, context: Context,
              jobs: int, progress: Progress | None = None,
              dashboard: Callable[[], Any] | None = None) -> tuple[list[Built], Any]:
    """Build every microsite, ``jobs`` at a time, and the dashboard beside
    them where there is a core free (``dashboard()`` makes and builds it);
    returns the results in the order of ``sites``, and what ``dashboard()``
    returned."""
    microsite.prepare(context)
    if jobs <= 1 or len(sites) < PARALLEL_FROM:
        # With a second core, a fork of this process (which holds the
        # portfolio already) makes the dashboard while this one builds the sites.
        beside = Forked(dashboard) if dashboard is not None and jobs > 1 and sites else None
        built = []
        try:
            for index, site in enumerate(sites):
                built.append(microsite.build(site, customers[site.customer.slug], clock.fresh()))
                if progress:
                    progress(index + 1, len(sites), site.key)
            made = beside.join() if beside is not None else None
        except BaseException:
            if beside is not None:
                beside.stop()
            raise
        finally:
            microsite.finish()
        if beside is None and dashboard is not None:
            made = dashboard()
        return built, made
    pool_context = multiprocessing.get_context("forkserver")
    workers = min(jobs, len(sites))
    batch = RECYCLE_AFTER * workers
    results: dict[int, Built] = {}
    made = None
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
                made = dashboard()
            for future in as_completed(futures):
                index = futures[future]
                results[index] = future.result()
                done += 1
                if progress:
                    progress(done, len(sites), sites[index].key)
    return [results[index] for index in range(len(sites))], made
