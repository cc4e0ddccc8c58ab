"""Which site engine builds the pages: MkDocs 1.6, or ProperDocs 1.6.

ProperDocs is MkDocs 1.x continued by its original maintainers, a drop-in:
importing ``properdocs.replacement`` makes every ``mkdocs.*`` import
(Material's included) load ProperDocs' module of the same name. cxsite
builds the same sites with either (byte for byte but for the generator's
name in a meta tag). ``CXSITE_ENGINE=mkdocs`` or ``properdocs`` chooses;
without it, MkDocs when it is installed (it is cxsite's default
dependency), else ProperDocs.
"""

from __future__ import annotations

import importlib.util
import os
import sys

ENGINE_ENV = "CXSITE_ENGINE"
ENGINES = ("mkdocs", "properdocs")


class EngineMissing(ImportError):
    """The engine asked for is not installed."""


def _installed(name: str) -> bool:
    if name == "mkdocs" and "mkdocs" in sys.modules:
        return getattr(sys.modules["mkdocs"], "__name__", "") == "mkdocs"
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def chosen(environ: "os._Environ[str] | dict[str, str]" = os.environ) -> str:
    """The engine this process uses."""
    wanted = environ.get(ENGINE_ENV, "").strip().lower()
    if wanted:
        if wanted not in ENGINES:
            raise EngineMissing(f"{ENGINE_ENV}={wanted!r}: choose one of {', '.join(ENGINES)}")
        if not _installed(wanted):
            raise EngineMissing(f"{ENGINE_ENV}={wanted} but {wanted} is not installed: pip install {wanted}")
        return wanted
    for name in ENGINES:
        if _installed(name):
            return name
    raise EngineMissing("no site engine is installed: pip install mkdocs (or properdocs)")


def use(environ: "os._Environ[str] | dict[str, str]" = os.environ) -> str:
    """Make ``mkdocs.*`` imports load the chosen engine (call it before any
    of them); returns its name."""
    name = chosen(environ)
    if name == "properdocs":
        import properdocs.replacement  # noqa: F401 - aliases mkdocs.* to properdocs.*
    return name
