"""Build one microsite through MkDocs + Material (the only render path).

:func:`build_microsite` loads the shared ``mkdocs.yml`` with per-microsite
overrides, hands the artifacts to the cxsite plugin and runs MkDocs' build
API into the given folder. Only this module, the plugin and the CLI import
MkDocs.
"""

from __future__ import annotations

import functools
import logging
import tempfile
from pathlib import Path

import jinja2
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.theme import Theme

from .diagnostics import BuildError
from .memo import DiskMemo
from .render.artifacts import MicrositeArtifacts
from .render.bytecode import bytecode_cache


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


_ENVIRONMENTS: dict[tuple[tuple[str, ...], str], jinja2.Environment] = {}


def _shared_environment(theme: Theme) -> jinja2.Environment:
    """One Jinja environment per theme for the life of the process.

    MkDocs makes a new environment for every build, so every microsite would
    compile Material's templates again and list its ~15,000 theme files
    again: that is most of a small site's build time. The environment
    depends only on the theme's folders and locale (MkDocs' ``get_env``), so
    it is safe to share between microsites built in one process.
    """
    key = (tuple(theme.dirs), str(theme.locale))
    env = _ENVIRONMENTS.get(key)
    if env is None:
        env = Theme.get_env(theme)
        env.bytecode_cache = bytecode_cache()
        # Hidden trees (Material's ~15,000 `.icons`) are never copied as
        # assets (MkDocs filters '.*' and '*/.*'); includes still find them.
        names = [name for name in env.loader.list_templates()  # type: ignore[union-attr]
                 if not name.startswith(".") and "/." not in name]
        env.loader.list_templates = lambda: list(names)  # type: ignore[union-attr, method-assign]
        _ENVIRONMENTS[key] = env
    return env


def build_microsite(artifacts: MicrositeArtifacts, config_file: Path, site_dir: Path,
                    search_memo: DiskMemo | None = None) -> list[str]:
    """Build one microsite into ``site_dir``; returns MkDocs' warnings.
    ``search_memo`` keeps its pages' search entries between builds (:mod:`cxsite.searchmemo`)."""
    with tempfile.TemporaryDirectory(prefix="cxsite-docs-") as empty_docs:
        config = load_config(config_file=str(config_file), site_dir=str(site_dir), docs_dir=empty_docs,
                             strict=False)
        config.theme.get_env = functools.partial(_shared_environment, config.theme)  # type: ignore[method-assign]
        plugin = config.plugins.get("cxsite")
        if plugin is None:
            raise BuildError(f"{config_file} does not enable the cxsite plugin; add '- cxsite' under 'plugins:'")
        plugin.artifacts = artifacts  # type: ignore[attr-defined]
        plugin.search_memo = search_memo  # type: ignore[attr-defined]
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
    return handler.messages
