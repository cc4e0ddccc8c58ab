"""Building a very large portfolio across several machines.

``cxsite build --shard I/N`` builds a deterministic share of the
microsites (:func:`in_shard`); the team's dashboard goes with shard 1.
Each shard is a complete, audited cxsite output of its own.
:func:`merge_outputs` (``cxsite merge``) joins the N outputs into one
folder with one manifest, ready for ``cxsite publish``. All shards must be
built by the same cxsite for the same cutoff (set ``SOURCE_DATE_EPOCH`` to
the commit time in every job).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import tempfile
from pathlib import Path
from typing import Iterable

from ..checks.manifest import MANIFEST
from ..diagnostics import BuildError
from .commit import deduplicate, link_tree, recover, swap_into_place



def parse_shard(text: str) -> tuple[int, int]:
    """``"2/4"`` -> ``(2, 4)``."""
    try:
        index, count = (int(part) for part in text.split("/"))
    except ValueError:
        raise ValueError(f"'{text}' is not I/N, e.g. 2/4") from None
    if not 1 <= index <= count:
        raise ValueError(f"'{text}': I must be between 1 and N")
    return index, count


def in_shard(key: str, shard: tuple[int, int] | None) -> bool:
    """Whether microsite ``key`` belongs to shard ``I/N`` (all do without one).
    A hash of the key, so a microsite stays in its shard as others come and go."""
    if shard is None:
        return True
    digest = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big")
    return digest % shard[1] == shard[0] - 1


def _manifest(folder: Path) -> dict:
    try:
        return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BuildError(f"{folder} is not a cxsite output ({MANIFEST}: {exc})") from None


def merge_outputs(inputs: Iterable[Path], out_dir: Path) -> dict:
    """Join shard outputs into ``out_dir`` (replaced atomically); returns the merged manifest."""
    inputs = [Path(folder) for folder in inputs]
    for folder in inputs:
        recover(folder)  # a shard's build killed while moving microsites in: finish it first
    manifests = [_manifest(folder) for folder in inputs]
    if not manifests:
        raise BuildError("nothing to merge: give the shard output folders")
    first = manifests[0]
    for folder, manifest in zip(inputs, manifests):
        for key in ("generator", "cutoff"):
            if manifest.get(key) != first.get(key):
                raise BuildError(f"{folder} was built with {key} {manifest.get(key)!r}, {inputs[0]} with "
                                 f"{first.get(key)!r}: build every shard with the same cxsite and SOURCE_DATE_EPOCH")
    shards = sorted(tuple(int(p) for p in m["shard"].split("/")) for m in manifests if m.get("shard"))
    if shards and shards != [(i, len(inputs)) for i in range(1, len(inputs) + 1)]:
        raise BuildError(f"the outputs are shards {', '.join(f'{i}/{n}' for i, n in shards)}: "
                         f"merge every shard of one build, each once")
    sites, internal, owner = [], [], {}
    ordered = sorted(zip(inputs, manifests), key=lambda pair: int((pair[1].get("shard") or "0/0").split("/")[0]))
    for folder, manifest in ordered:
        for site in manifest["sites"]:
            if site["key"] in owner:
                raise BuildError(f"{site['key']} is in both {owner[site['key']]} and {folder}")
            owner[site["key"]] = folder
            sites.append((folder, site))
        internal += [(folder, name) for name in manifest.get("internal", [])
                     if name not in {known for _, known in internal}]  # one dashboard (shard 1's comes first)
    out_dir = Path(out_dir).absolute()
    if out_dir.exists() and not (out_dir / MANIFEST).is_file() and any(out_dir.iterdir()):
        raise BuildError(f"refusing to replace {out_dir}: it is not a cxsite output folder (no {MANIFEST})")
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.staging-", dir=out_dir.parent))
    try:
        for folder, name in [(f, s["folder"]) for f, s in sites] + internal:
            link_tree(folder / name, staging / name)
        deduplicate([staging / site["folder"] for _, site in sites[1:]], [staging / sites[0][1]["folder"]]
                    if sites else [])
        moment = dt.datetime.fromisoformat  # compare moments, not strings: zones may differ
        embargoes = [m["next_embargo"] for m in manifests if m.get("next_embargo")]
        merged = {
            "generator": first["generator"],
            "cutoff": first["cutoff"],
            "next_embargo": min(embargoes, key=moment) if embargoes else None,
            "internal": [name for _, name in internal],
            "shard": None,
            "sites": sorted((site for _, site in sites), key=lambda site: site["key"]),
        }
        (staging / MANIFEST).write_text(json.dumps(merged, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        swap_into_place(staging, out_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return merged
