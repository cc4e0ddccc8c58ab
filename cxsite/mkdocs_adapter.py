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
from importlib.metadata import version
from pathlib import Path
from typing import Callable

import jinja2
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import MkDocsException
from mkdocs.theme import Theme

from .diagnostics import BuildError
from .framememo import KeptFrames, keepable_template
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
        listing = env.loader.list_templates  # type: ignore[union-attr]
        env.loader.list_templates = lambda: _theme_files(theme, listing)  # type: ignore[union-attr, method-assign]
        keepable_template(env)
        _ENVIRONMENTS[key] = env
    return env


_LISTINGS: dict[str, list[str]] = {}


def _theme_files(theme: Theme, listing: Callable[[], list[str]]) -> list[str]:
    """The theme's files MkDocs copies as assets (it asks once per build).

    Hidden trees (Material's ~15,000 `.icons`) are never copied as assets
    (MkDocs filters '.*' and '*/.*'; includes still find them), yet
    ``listing`` walks them: 0.15 s at the start of every build process. The
    list is kept, in this process and between processes, under the stat of
    every other file in the theme folders (``theme/`` and the installed
    themes', so a file added to any is listed) and the versions of MkDocs
    and Material."""
    from .scan import tree_digest

    key = repr([(folder, tree_digest(folder)) for folder in theme.dirs])   # tree_digest skips hidden entries
    names = _LISTINGS.get(key)
    if names is None:
        # Kept beside the first theme folder's other caches (the memo is scoped by a folder's path).
        memo = DiskMemo.named("theme", theme.dirs[0], "files",
                              *(version(name) for name in ("mkdocs", "mkdocs-material")))
        names = memo.get(key)
        if names is None:
            names = [name for name in listing() if not name.startswith(".") and "/." not in name]
            memo.put(key, names)
            memo.save()
        _LISTINGS[key] = names
    return list(names)


def build_microsite(artifacts: MicrositeArtifacts, config_file: Path, site_dir: Path,
                    search_memo: DiskMemo | None = None, frames: KeptFrames | None = None) -> list[str]:
    """Build one microsite into ``site_dir``; returns MkDocs' warnings.
    ``search_memo`` keeps its pages' search entries between builds (:mod:`cxsite.searchmemo`);
    ``frames`` takes unchanged pages from the previous build (:mod:`cxsite.framememo`)."""
    with tempfile.TemporaryDirectory(prefix="cxsite-docs-") as empty_docs:
        config = load_config(config_file=str(config_file), site_dir=str(site_dir), docs_dir=empty_docs,
                             strict=False)
        config.theme.get_env = functools.partial(_shared_environment, config.theme)  # type: ignore[method-assign]
        plugin = config.plugins.get("cxsite")
        if plugin is None:
            raise BuildError(f"{config_file} does not enable the cxsite plugin; add '- cxsite' under 'plugins:'")
        plugin.artifacts = artifacts  # type: ignore[attr-defined]
        plugin.search_memo = search_memo  # type: ignore[attr-defined]
        plugin.frames = frames  # type: ignore[attr-defined]
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
