"""Old output trees are deleted once, in the background, and never twice at a time."""

from __future__ import annotations

import os
import time

from cxsite.build import commit as fsutil


def tree(folder, files=3):
    folder.mkdir(parents=True)
    for index in range(files):
        (folder / f"page-{index}.html").write_text("<p>old</p>")
    return folder


def test_a_discarded_tree_is_renamed_first_so_a_later_command_leaves_its_deletion_alone(tmp_path, monkeypatch):
    started: list[list[str]] = []
    monkeypatch.setattr(fsutil, "shutil", type("S", (), {"which": staticmethod(lambda name: "/bin/rm"),
                                                        "rmtree": staticmethod(lambda *a, **k: None)}))
    monkeypatch.setattr(fsutil.subprocess, "Popen", lambda args, **kwargs: started.append(args))
    old = tree(tmp_path / ".site.old-abc", files=2100)  # large: deleted by a detached rm (not run here)
    fsutil.discard(old)
    trash = tmp_path / ".site.old-abc.trash"
    assert not old.exists() and trash.is_dir() and started == [["rm", "-rf", "--", str(trash)]]
    fsutil.discard_stale(tmp_path / "site")  # the next build, while rm is still at work
    assert len(started) == 1


def test_a_deletion_that_stopped_long_ago_is_started_again_and_small_leftovers_go_at_once(tmp_path):
    stopped = tree(tmp_path / ".site.staging-x.trash")
    long_ago = time.time() - fsutil.STALE_AFTER - 60
    os.utime(stopped, (long_ago, long_ago))
    forgotten = tree(tmp_path / ".site.old-y")
    recent = tree(tmp_path / ".site.old-z.trash")
    running_build = tree(tmp_path / ".site.staging-w")
    abandoned = tree(tmp_path / ".site.staging-v")
    days_ago = time.time() - fsutil.ABANDONED_AFTER - 60
    os.utime(abandoned, (days_ago, days_ago))
    fsutil.discard_stale(tmp_path / "site")
    assert not stopped.exists() and not forgotten.exists() and not abandoned.exists()
    assert recent.exists() and running_build.exists()  # an rm may be at it; a build may be writing it
