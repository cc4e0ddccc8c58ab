"""File-system steps shared by build and publish."""

from __future__ import annotations

import os
import shutil
import tempfile
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
        shutil.rmtree(old, ignore_errors=True)
