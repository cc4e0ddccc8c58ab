"""Compiled Jinja templates kept between runs.

Jinja checks each cached template against its source's checksum, so an
edited template is compiled again; otherwise a one-microsite rebuild does
not spend a second compiling Material's and cxsite's templates. The cache
lives beside the parse cache; ``CXSITE_CACHE=0`` turns it off.
"""

from __future__ import annotations

import jinja2


def bytecode_cache() -> jinja2.BytecodeCache | None:
    from ..parsecache import cache_home, enabled

    if not enabled():
        return None
    folder = cache_home() / f"jinja-{jinja2.__version__}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))
