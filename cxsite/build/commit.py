"""File-system steps shared by build and publish."""

from __future__ import annotations

import filecmp
import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path


def swap_into_place(staging: Path, target: Path) -> None:
    """Replace ``target`` with ``staging`` by two renames on one file system:
    the old tree out of the way, the new one in its place. If the second
    rename fails, the old tree is put back, so ``target`` is never missing
    or half-written for longer than between two renames."""
    old = None
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
        os.rmdir(old)
        os.rename(target, old)
    try:
        os.rename(staging, target)
    except OSError:
        if old is not None:
            os.rename(old, target)
        raise
    if old is not None:
        discard(old)


JOURNAL = ".cxsite-commit.json"


def commit_folders(staging: Path, target: Path, replace: list[str], remove: list[str], files: list[str]) -> None:
    """Move the given sub-folders (and top-level files) of ``staging`` into
    ``target``, replacing what is there, and take the ``remove`` folders out.

    An incremental build touches a few microsites of hundreds: renaming
    those few is constant work, where swapping the whole tree would need
    every unchanged microsite linked into the new one first. Nothing is
    moved before the build has finished and passed every check. The moves
    are first written to a journal in ``target``; if the process dies
    between two renames, the next build (or publish) finds the journal and
    completes them (:func:`recover`), so a microsite is always either the
    old one or the new one, and the set of them is the new one once any
    cxsite command has run again."""
    trash = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    journal = {"staging": str(staging), "trash": str(trash), "replace": replace, "remove": remove, "files": files}
    temporary = target / (JOURNAL + ".tmp")
    with open(temporary, "w", encoding="utf-8") as handle:
        json.dump(journal, handle)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, target / JOURNAL)
    _roll_forward(target, journal)


def recover(target: Path) -> bool:
    """Complete a commit a killed process left half done; True if there was one."""
    try:
        journal = json.loads((Path(target) / JOURNAL).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return False
    except (OSError, ValueError) as exc:
        raise OSError(f"{Path(target) / JOURNAL} is unreadable ({exc}); delete {target} and build again") from exc
    _roll_forward(Path(target), journal)
    return True


def _roll_forward(target: Path, journal: dict) -> None:
    staging, trash = Path(journal["staging"]), Path(journal["trash"])
    for folder in journal["replace"]:
        source, destination = staging / folder, target / folder
        if not source.exists():
            continue  # moved already
        if destination.exists():
            (trash / folder).parent.mkdir(parents=True, exist_ok=True)
            os.rename(destination, trash / folder)
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.rename(source, destination)
    for folder in journal["remove"]:
        if (target / folder).exists():
            (trash / folder).parent.mkdir(parents=True, exist_ok=True)
            os.rename(target / folder, trash / folder)
        parent = (target / folder).parent
        while parent != target and parent.is_dir() and not any(parent.iterdir()):
            parent.rmdir()
            parent = parent.parent
    for name in journal["files"]:
        if (staging / name).exists():
            os.replace(staging / name, target / name)
    (target / JOURNAL).unlink(missing_ok=True)
    discard(staging)
    discard(trash)


TRASH_SUFFIX = ".trash"
STALE_AFTER = 600  # seconds without progress after which a folder's deletion is taken for interrupted


def discard(folder: Path) -> None:
    """Delete a folder nobody reads any more. Large trees are deleted by a
    detached ``rm`` so the command that replaced them need not wait. The
    folder is first renamed to ``<name>.trash``, so the next command does
    not start a second ``rm`` of a tree one is deleting already
    (:func:`discard_stale`)."""
    if not folder.exists():
        return
    if not folder.name.endswith(TRASH_SUFFIX):
        trash = folder.with_name(folder.name + TRASH_SUFFIX)
        try:
            os.rename(folder, trash)
            folder = trash
        except OSError:
            pass
    try:
        large = sum(1 for _ in zip(range(2000), folder.rglob("*"))) >= 2000
    except OSError:  # being deleted already (by an earlier run's rm)
        large = True
    if large and shutil.which("rm"):
        subprocess.Popen(["rm", "-rf", "--", str(folder)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True)
    else:
        shutil.rmtree(folder, ignore_errors=True)


ABANDONED_AFTER = 3600  # seconds without a new microsite after which a build's staging folder is taken for abandoned


def discard_stale(target: Path) -> None:
    """Delete what earlier commands left beside ``target`` (call it after
    :func:`recover`): old trees a killed command never got to discard,
    trees whose deletion stopped (no progress for :data:`STALE_AFTER`
    seconds: the machine restarted), and the staging folders of builds
    killed before they committed (nothing added for :data:`ABANDONED_AFTER`
    seconds). A tree an ``rm`` is deleting, or a build is writing, is left alone."""
    parent, name = target.parent, target.name
    # Later entries win: a ``.staging-*.trash`` or ``.old-*.trash`` is a deletion under way.
    waits = {**{path: 0 for path in parent.glob(f".{name}.old-*")},
             **{path: ABANDONED_AFTER for path in parent.glob(f".{name}.staging-*")},
             **{path: STALE_AFTER for path in parent.glob(f".{name}.*{TRASH_SUFFIX}")}}
    for stale, wait in waits.items():
        try:
            if wait and time.time() - stale.stat().st_mtime < wait:
                continue
        except OSError:
            continue
        discard(stale)


def link_tree(source: Path, target: Path) -> None:
    """Reuse a previous microsite: hard links where the file system allows,
    copies where it does not (another device)."""
    def link_or_copy(src: str, dst: str) -> None:
        try:
            os.link(src, dst)
        except OSError:
            shutil.copy2(src, dst)

    shutil.copytree(source, target, copy_function=link_or_copy)


def deduplicate(fresh: list[Path], reused: list[Path]) -> int:
    """Store identical theme assets once: each file under ``<folder>/assets/``
    of a freshly built folder is hard-linked to an identical file of the same
    name in another microsite. Theme assets are the same in every microsite,
    so one reused folder (already linked to the rest) is enough to compare
    with. Returns the bytes saved."""
    index: dict[tuple[str, int], Path] = {}
    for folder in reused:
        assets = folder / "assets"
        if assets.is_dir():
            for path in assets.rglob("*"):
                if path.is_file():
                    index.setdefault((str(path.relative_to(assets)), path.stat().st_size), path)
            break
    saved = 0
    for folder in fresh:
        assets = folder / "assets"
        if not assets.is_dir():
            continue
        for path in sorted(assets.rglob("*")):
            if not path.is_file():
                continue
            size = path.stat().st_size
            key = (str(path.relative_to(assets)), size)
            original = index.setdefault(key, path)
            if original == path or os.path.samefile(original, path) or not filecmp.cmp(original, path, shallow=False):
                continue
            temporary = path.with_name(path.name + ".cxsite-link")
            try:
                os.link(original, temporary)
                os.replace(temporary, path)
                saved += size
            except OSError:
                temporary.unlink(missing_ok=True)
    return saved
