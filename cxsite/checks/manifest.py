"""The one typed record of what an output folder holds: ``SITE/manifest.json``.

The build writes it last into every output (every shard's too); audit,
publish and merge read it back through :func:`read_manifest`, which checks
every folder it names, because publish copies them. It is never
published. The build layer keeps its own record of how each microsite was
made under ``build`` (docs/architecture.md); nothing else reads that part.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from .. import model as m
from ..diagnostics import CxsiteError
from ..render.paths import site_folder

MANIFEST = "manifest.json"


class ManifestError(CxsiteError):
    """A folder is not a cxsite output, or its manifest does not read."""


@dataclass(frozen=True)
class SiteRecord:
    """One microsite of an output: where it is and what it offers."""

    key: str                       # customer/audience
    customer: str
    audience: str
    folder: str                    # below the output folder (see cxsite.render.paths.site_folder)
    base_url: str
    access: str
    pages: int = 0
    feeds: tuple[str, ...] = ()
    calendars: tuple[str, ...] = ()
    vcards: tuple[str, ...] = ()
    scripts: tuple[str, ...] = ()  # CSP sources of its pages' inline scripts (cxsite.render.csp)
    styles: tuple[str, ...] = ()   # and of their inline styles


@dataclass(frozen=True)
class Manifest:
    generator: str                 # "cxsite <version>"
    cutoff: dt.datetime            # the build's moment
    sites: tuple[SiteRecord, ...]
    internal: tuple[str, ...] = ()   # folders never published (the team's dashboard)
    shard: str | None = None         # "I/N" for one shard's output
    next_embargo: dt.datetime | None = None
    build: dict[str, Any] = field(default_factory=dict)   # the build layer's own record
    data: bytes = b""                # the file as read (empty for a manifest not yet written)

    def select(self, only: Iterable[str] = ()) -> tuple[SiteRecord, ...]:
        """The sites whose customer or key is in ``only`` (all when empty)."""
        wanted = set(only)
        if not wanted:
            return self.sites
        chosen = tuple(s for s in self.sites if s.customer in wanted or s.key in wanted)
        unknown = sorted(k for k in wanted if not any(s.customer == k or s.key == k for s in self.sites))
        if unknown:
            raise ManifestError(f"no microsite matches {', '.join(unknown)} in the manifest")
        return chosen

    def to_json(self) -> bytes:
        data = {
            "generator": self.generator,
            "cutoff": self.cutoff.isoformat(),
            "next_embargo": self.next_embargo.isoformat() if self.next_embargo else None,
            "internal": list(self.internal),
            "shard": self.shard,
            "sites": [dataclasses.asdict(site) for site in self.sites],
        }
        # What a person reads is indented; the build's record (every file's
        # digest) goes on one line, so the C encoder writes it (indented, the
        # pure-Python one takes a second on 500 customers).
        head = json.dumps(data, indent=2, ensure_ascii=False)
        build = json.dumps(self.build, ensure_ascii=False, separators=(",", ":"))
        return (head[:-2] + f',\n  "build": {build}\n}}\n').encode("utf-8")


def _site(item: dict) -> SiteRecord:
    names = {f.name for f in dataclasses.fields(SiteRecord)}
    values = {name: item[name] for name in names if name in item}
    for name in ("feeds", "calendars", "vcards", "scripts", "styles"):
        values[name] = tuple(values.get(name) or ())
    record = SiteRecord(**values)
    token = record.folder.split("/", 1)[0][len(record.customer) + 1:]
    if record.folder != site_folder(record.customer, record.audience, token) or \
            record.key != f"{record.customer}/{record.audience}" or \
            record.access not in {a.value for a in m.Access}:
        raise ValueError(f"inconsistent entry {record.key!r}")
    return record


def read_manifest(site_dir: Path) -> Manifest:
    """``SITE/manifest.json``, checked: folders must be ``<slug>/<slug>``
    (publish copies them, so the manifest must not be able to name ``..``)."""
    path = Path(site_dir) / MANIFEST
    try:
        data = path.read_bytes()
        raw = json.loads(data)
        cutoff = dt.datetime.fromisoformat(raw["cutoff"])
        embargo = raw.get("next_embargo")
        manifest = Manifest(
            generator=str(raw.get("generator", "")), cutoff=cutoff,
            sites=tuple(_site(item) for item in raw["sites"]),
            internal=tuple(str(name) for name in raw.get("internal") or ()),
            shard=raw.get("shard"), next_embargo=dt.datetime.fromisoformat(embargo) if embargo else None,
            build=raw.get("build") if isinstance(raw.get("build"), dict) else {}, data=data)
    except FileNotFoundError:
        raise ManifestError(f"{path} not found: is {site_dir} the output of cxsite build?") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ManifestError(f"{path} is not a valid cxsite manifest: {exc}") from None
    if cutoff.tzinfo is None:
        raise ManifestError(f"{path}: the cutoff has no time zone")
    return manifest
