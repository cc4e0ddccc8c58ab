"""The site engine: MkDocs 1.6 or ProperDocs 1.6, the same sites either way."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from cxsite.engine.select import ENGINE_ENV, EngineMissing, chosen

from .conftest import REPO

GENERATOR = re.compile(rb'<meta name="generator" content="[^"]*">')


def _build(root: Path, out: Path, engine: str, cache: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "cxsite", "build", str(root), "--out", str(out), "--config", str(REPO / "mkdocs.yml"),
         "--now", "2026-11-25T12:00:00+00:00", "-j", "1"],
        capture_output=True, text=True, cwd=root.parent,
        env={**os.environ, ENGINE_ENV: engine, "CXSITE_CACHE_DIR": str(cache)})
    assert done.returncode == 0, done.stderr
    return done.stderr


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_mkdocs_and_properdocs_build_the_same_sites_but_for_the_generators_name(portfolio, tmp_path):
    pytest.importorskip("properdocs")
    root = portfolio()
    _build(root, tmp_path / "mkdocs", "mkdocs", tmp_path / "cache-mkdocs")
    _build(root, tmp_path / "properdocs", "properdocs", tmp_path / "cache-properdocs")
    one, other = _files(tmp_path / "mkdocs"), _files(tmp_path / "properdocs")
    assert one.keys() == other.keys()
    # The manifest records the toolchain, which names the engine.
    differ = [name for name in one if GENERATOR.sub(b"", one[name]) != GENERATOR.sub(b"", other[name])
              and name != "manifest.json"]
    assert differ == []
    page = other["acme/everyone/index.html"]
    assert b"ProperDocs" in GENERATOR.search(page).group() and b"ProperDocs" not in GENERATOR.sub(b"", page)


def test_switching_the_engine_makes_every_page_again_with_the_same_cache(portfolio, tmp_path):
    """The engine is part of the toolchain: a build with the other engine
    into the same output, with the same cache, is never "nothing changed"."""
    pytest.importorskip("properdocs")
    root, out, cache = portfolio(), tmp_path / "site", tmp_path / "cache"
    _build(root, out, "mkdocs", cache)
    assert "nothing changed" not in _build(root, out, "properdocs", cache)
    pages = [path for path in out.rglob("*.html")]
    assert pages and all(b"ProperDocs" in GENERATOR.search(path.read_bytes()).group() for path in pages
                         if GENERATOR.search(path.read_bytes()))


def test_the_engine_is_the_one_asked_for_else_mkdocs_else_properdocs(monkeypatch):
    import cxsite.engine.select as select

    assert chosen({ENGINE_ENV: "properdocs"}) == "properdocs" or not select._installed("properdocs")
    assert chosen({}) == "mkdocs"
    monkeypatch.setattr(select, "_installed", lambda name: name == "properdocs")
    assert chosen({}) == "properdocs"               # MkDocs uninstalled: whichever is there
    monkeypatch.setattr(select, "_installed", lambda name: False)
    with pytest.raises(EngineMissing, match="pip install mkdocs"):
        chosen({})
    with pytest.raises(EngineMissing, match="choose one of mkdocs, properdocs"):
        chosen({ENGINE_ENV: "hugo"})
