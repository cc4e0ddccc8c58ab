"""The one cache: a store of results by key, the key rule, the toolchain, the stat index."""

from __future__ import annotations

import os
import pickle
import time
from pathlib import Path

from cxsite.cache.index import RACY, UNREADABLE, FileIndex, file_digest
from cxsite.cache.keys import digest, step_key
from cxsite.cache.store import Store, default_folder, enabled
from cxsite.cache.toolchain import distributions, toolchain_digest, with_engine


# ------------------------------------------------------------------- store

def test_a_result_is_kept_under_its_key_and_read_back(tmp_path):
    store = Store(tmp_path)
    assert store.get("k" * 64) is None
    store.put("k" * 64, {"a": (1, 2)})
    assert store.get("k" * 64) == {"a": (1, 2)}      # from the writer's queue, or from disk
    store.flush()
    assert Store(tmp_path).get("k" * 64) == {"a": (1, 2)}   # another process sees it
    assert not [p for p in tmp_path.rglob(".tmp-*")]         # nothing half-written is left


def test_an_entry_that_does_not_read_back_counts_as_missing(tmp_path):
    store = Store(tmp_path)
    store.put("a" * 64, "value")
    store.flush()
    entry = next(p for p in tmp_path.rglob("*") if p.is_file())
    entry.write_bytes(b"torn")
    assert Store(tmp_path).get("a" * 64) is None
    assert not entry.exists()


def test_turned_off_the_store_keeps_nothing(tmp_path, monkeypatch):
    monkeypatch.setenv("CXSITE_CACHE", "0")
    assert not enabled()
    store = Store.default()
    store.put("b" * 64, "value")
    assert store.get("b" * 64) is None and not store.on
    monkeypatch.setenv("CXSITE_CACHE", "1")
    monkeypatch.setenv("CXSITE_CACHE_DIR", str(tmp_path / "here"))
    assert default_folder() == tmp_path / "here"


def age(folder: Path, days: float) -> float:
    """Make every entry below ``folder`` look unused for ``days``; returns that moment."""
    then = time.time() - days * 86400
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (then, then))
    return then


def test_what_no_run_used_for_a_while_is_pruned_first(tmp_path):
    store = Store(tmp_path)
    for name in "abc":
        store.put(name * 64, name * 1000)
    store.flush()
    month_ago = age(tmp_path, days=40)
    reader = Store(tmp_path)
    assert reader.get("a" * 64) == "a" * 1000
    reader.finish()                       # marks what it read as used now, and prunes (once a day)
    assert Store(tmp_path).get("a" * 64) is not None
    assert Store(tmp_path).get("b" * 64) is None and Store(tmp_path).get("c" * 64) is None


def test_a_worker_marks_what_it_read_as_used_without_pruning(tmp_path):
    """Worker processes never run finish(): what they read must still count as used."""
    writer = Store(tmp_path)
    writer.put("a" * 64, "value")
    writer.flush()
    month_ago = age(tmp_path, days=40)
    worker = Store(tmp_path)
    assert worker.get("a" * 64) == "value"
    worker.mark_used()
    entry = next(path for path in tmp_path.rglob("*") if path.is_file() and not path.name.startswith("."))
    assert entry.stat().st_mtime > month_ago + 86400
    assert Store(tmp_path).prune() == 0


def test_a_store_that_cannot_be_written_fails_nothing(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    store = Store(blocker)
    store.put("c" * 64, "value")
    store.flush()
    assert store.get("c" * 64) is None


# --------------------------------------------------------------------- keys

def test_a_key_is_made_of_contents_and_lists_of_inputs_do_not_run_together():
    assert step_key("parse", "t", "ab", "c") != step_key("parse", "t", "a", "bc")
    assert step_key("parse", "t", "a") != step_key("model", "t", "a")
    assert step_key("parse", "t1", "a") != step_key("parse", "t2", "a")
    assert step_key("parse", "t", digest(b"x")) == step_key("parse", "t", digest("x"))


# ---------------------------------------------------------------- toolchain

def test_the_toolchain_changes_with_an_installed_distribution(tmp_path, monkeypatch):
    before = toolchain_digest()
    assert any(name.startswith("mkdocs==") for name in distributions())
    (tmp_path / "newlib-2.0.dist-info").mkdir()
    monkeypatch.syspath_prepend(str(tmp_path))
    assert "newlib==2.0" in distributions()
    assert toolchain_digest() != before
    (tmp_path / "sitecustomize.py").write_text("# patches a library at start-up\n")
    assert "sitecustomize.py" in "".join(distributions())


def test_the_engines_configuration_is_part_of_the_toolchain_for_what_goes_through_it(tmp_path):
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\n")
    theme = tmp_path / "theme"
    theme.mkdir()
    (theme / "main.html").write_text("{% extends 'base.html' %}")
    code = toolchain_digest()
    one = with_engine(code, [config, theme], [])
    (theme / "main.html").write_text("{% extends 'base.html' %}{# v2 #}")
    assert with_engine(code, [config, theme], []) != one
    assert with_engine(code, [config, theme], ["SITE_URL=https://a/"]) != with_engine(code, [config, theme],
                                                                                      ["SITE_URL=https://b/"])


# -------------------------------------------------------------------- index

def test_a_file_is_named_by_its_content_not_its_stat(tmp_path):
    one, other = tmp_path / "one.md", tmp_path / "other.md"
    one.write_text("same words")
    other.write_text("same words")
    index = FileIndex(tmp_path / "index.pickle")
    assert index.digest(one) == index.digest(other) == file_digest(one)
    os.utime(one)
    assert index.digest(one) == file_digest(other)


def test_the_index_reads_a_file_again_only_when_its_stat_changed(tmp_path):
    path = tmp_path / "update.md"
    path.write_text("first")
    old = time.time() - 10
    os.utime(path, (old, old))
    index = FileIndex(tmp_path / "index.pickle")
    first = index.digest(path)
    index.save()
    again = FileIndex(tmp_path / "index.pickle")
    assert again.digest(path) == first and again.read == 0
    path.write_text("second")
    assert again.digest(path) != first and again.read == 1


def test_a_file_changed_in_the_same_tick_it_was_indexed_is_read_again(tmp_path):
    """git's racy-clean rule: a stat taken within RACY of the file's last
    change could be followed by another change the stat would not show."""
    path = tmp_path / "update.md"
    path.write_text("first")
    index = FileIndex(tmp_path / "index.pickle")
    index.digest(path)
    index.save()
    stat = path.stat()
    path.write_text("other")                         # same size, maybe the same mtime tick
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = FileIndex(tmp_path / "index.pickle")
    assert again.digest(path) == file_digest(path)
    assert RACY > 0


def test_an_unreadable_file_has_a_digest_that_says_so(tmp_path):
    assert FileIndex(None).digest(tmp_path / "missing.png").startswith(UNREADABLE)


def test_the_index_forgets_files_that_are_gone(tmp_path):
    kept, gone = tmp_path / "kept.md", tmp_path / "gone.md"
    kept.write_text("a")
    gone.write_text("b")
    index = FileIndex(tmp_path / "index.pickle")
    index.digest(kept), index.digest(gone)
    index.save()
    gone.unlink()
    again = FileIndex(tmp_path / "index.pickle")
    again.digest(kept)
    again.forget_unseen(tmp_path)
    again.save()
    with open(tmp_path / "index.pickle", "rb") as handle:
        assert list(pickle.load(handle)) == [str(kept)]
