"""A live preview: the engine's development server on a folder the build writes.

``cxsite serve`` builds one microsite through the same plan as ``cxsite
build`` (into a folder of its own) and serves that folder with MkDocs'
live-reload server, which rebuilds it when anything it watches changes and
reloads the browser. There is one render path: the server only serves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable


def serve_folder(folder: Path, rebuild: Callable[[], None], watch: Iterable[Path], dev_addr: str) -> None:
    """Serve ``folder`` on ``dev_addr`` (host:port) until interrupted, calling
    ``rebuild`` whenever a file below one of ``watch`` changes."""
    from .select import use

    use()
    from mkdocs.livereload import LiveReloadServer

    host, _, port = dev_addr.rpartition(":")
    server = LiveReloadServer(builder=rebuild, host=host or "127.0.0.1", port=int(port), root=str(folder))
    for path in watch:
        if Path(path).exists():
            server.watch(str(path))
    try:
        server.serve()
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()
