"""Build one microsite through MkDocs (or ProperDocs) + Material.

:func:`build_microsite` loads the shared ``mkdocs.yml`` with per-microsite
overrides, hands the artifacts to the cxsite plugin and runs the engine's
build API into the given folder. Every build of pages goes through here.
"""

from __future__ import annotations

import functools
import logging
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import jinja2

from .select import use

use()   # MkDocs, or ProperDocs under the same names

from mkdocs.commands.build import build as mkdocs_build  # noqa: E402
from mkdocs.config import load_config  # noqa: E402
from mkdocs.exceptions import MkDocsException  # noqa: E402
from mkdocs.theme import Theme  # noqa: E402

from ..diagnostics import BuildError  # noqa: E402
from ..render.artifacts import MicrositeArtifacts  # noqa: E402
from ..render.csp import InlineDigests  # noqa: E402


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_ENVIRONMENTS: dict[tuple[tuple[str, ...], str], jinja2.Environment] = {}
_COMPILED: jinja2.BytecodeCache | None = None


def keep_compiled_templates(cache: jinja2.BytecodeCache | None) -> None:
    """Where the theme's compiled templates are kept between processes: the
    build hands in one backed by its store (Jinja checks each entry's
    source checksum and its own version before it uses it)."""
    global _COMPILED
    _COMPILED = cache
    for env in _ENVIRONMENTS.values():
        env.bytecode_cache = cache


def _shared_environment(theme: Theme) -> jinja2.Environment:
    """One Jinja environment per theme for the life of the process.

    MkDocs makes a new environment for every build, so every microsite would
    compile Material's templates again. The environment depends only on the
    theme's folders and locale (MkDocs' ``get_env``), and Jinja checks each
    template's file before it uses its compiled form (``auto_reload``), so it
    is safe to share between microsites built in one process.
    """
    key = (tuple(theme.dirs), str(theme.locale))
    env = _ENVIRONMENTS.get(key)
    if env is None:
        env = Theme.get_env(theme)
        env.loader.list_templates = functools.partial(_visible_files, tuple(theme.dirs))  # type: ignore[union-attr]
        env.bytecode_cache = _COMPILED
        _ENVIRONMENTS[key] = env
    return env


def _visible_files(folders: tuple[str, ...]) -> list[str]:
    """The theme's files without hidden ones, which MkDocs never copies
    ('.*', '*/.*'): Jinja's own listing walks Material's 15,000 hidden
    icons for nothing."""
    found: set[str] = set()
    for folder in folders:
        for current, dirnames, filenames in os.walk(folder):
            dirnames[:] = [name for name in dirnames if not name.startswith(".")]
            relative = os.path.relpath(current, folder)
            prefix = "" if relative == "." else relative.replace(os.sep, "/") + "/"
            found.update(prefix + name for name in filenames if not name.startswith("."))
    return sorted(found)


@dataclass(frozen=True)
class Written:
    """What building a microsite wrote, beyond its files."""
    warnings: tuple[str, ...]     # MkDocs' (and its plugins') warnings
    inline: InlineDigests         # the digests of the pages' inline scripts and styles


def build_microsite(artifacts: MicrositeArtifacts, config_file: Path, site_dir: Path) -> Written:
    """Build one microsite into ``site_dir``."""
    with tempfile.TemporaryDirectory(prefix="cxsite-docs-") as empty_docs:
        config = load_config(config_file=str(config_file), site_dir=str(site_dir), docs_dir=empty_docs,
                             strict=False)
        config.theme.get_env = functools.partial(_shared_environment, config.theme)  # type: ignore[method-assign]
        plugin = config.plugins.get("cxsite")
        if plugin is None:
            raise BuildError(f"{config_file} does not enable the cxsite plugin; add '- cxsite' under 'plugins:'")
        plugin.artifacts = artifacts  # type: ignore[attr-defined]
        handler = _Collect()
        logger = logging.getLogger("mkdocs")
        logger.addHandler(handler)
        try:
            config.plugins.on_startup(command="build", dirty=False)
            try:
                mkdocs_build(config)
            finally:
                config.plugins.on_shutdown()
        except MkDocsException as exc:
            raise BuildError(f"MkDocs failed for {artifacts.site.key}: {exc}") from exc
        finally:
            logger.removeHandler(handler)
    return Written(tuple(handler.messages), plugin.inline)  # type: ignore[attr-defined]
