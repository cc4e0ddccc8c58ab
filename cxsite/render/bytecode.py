"""Compiled Jinja templates kept between runs.

Jinja checks each cached template against its source's checksum, so an
edited template is compiled again; otherwise a one-microsite rebuild does
not spend a second compiling Material's and cxsite's templates. How a
template compiles also depends on the environment's options (set in
cxsite's and MkDocs' code), so the folder is named after cxsite's source
and the Jinja, MkDocs and Material versions; an older one is removed when
a new one is made. It lives beside the parse cache; ``CXSITE_CACHE=0``
turns it off.
"""

from __future__ import annotations

import hashlib
from importlib.metadata import version

import jinja2


def bytecode_cache() -> jinja2.BytecodeCache | None:
    from ..memo import make_versioned_folder
    from ..parsecache import cache_home, enabled
    from ..scan import source_fingerprint

    if not enabled():
        return None
    tag = "\0".join([source_fingerprint(), *(f"{name}={version(name)}" for name in
                                             ("jinja2", "mkdocs", "mkdocs-material"))])
    folder = cache_home() / f"jinja-{hashlib.sha256(tag.encode()).hexdigest()[:24]}"
    try:
        make_versioned_folder(folder)
    except OSError:
        return None
    return jinja2.FileSystemBytecodeCache(str(folder))
