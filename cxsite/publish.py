"""Publishing a built site: audit first, then copy it where it is served.

``publish()`` reads ``SITE/manifest.json``, refuses to go on unless
:func:`cxsite.audit.audit_site` finds nothing, and never publishes the
manifest itself (it names every customer's microsites). Targets:

* ``folder:DEST``: ``DEST/<customer>/<audience>/`` plus the access-control
  files of :mod:`cxsite.access` (password files included). The new tree is
  staged beside ``DEST`` and swapped in with renames, so a reader never sees
  a half-published folder.
* ``git:REPO[#BRANCH]`` (default branch ``gh-pages``): one commit on the
  branch, built with a temporary index and ``git --work-tree``, so the
  repository's checkout and index are never touched; no commit when nothing
  changed.
* ``s3://BUCKET/PREFIX``: uploads only files whose MD5 differs from the
  object's ETag, with a correct Content-Type, and deletes what is gone.

Git gets the static-host layout, ``robots.txt`` and ``_headers`` (read by
Netlify and Cloudflare Pages), S3 only ``robots.txt`` (a bucket would serve
``_headers``, which names the unlisted sites); neither gets server
configuration or a password hash (those must not end up in a repository or
a bucket). Neither can ask for a password by itself, so
private microsites go there only with ``private_without_auth=True``.

``only`` publishes some microsites and leaves the others at the target as
they are; without it, the target becomes exactly the site's microsites
(whatever was published before and is gone from the site is removed).
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import mimetypes
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from . import __version__
from .access import ACCESS_DIR, server_files, static_host_files
from .audit import Finding, Manifest, SiteEntry, audit_site, read_manifest
from .diagnostics import CxsiteError
from .model import Portfolio

STATE = f"{ACCESS_DIR}/cxsite-publish.json"   # marks a folder as ours; never served
DEFAULT_BRANCH = "gh-pages"


class PublishError(CxsiteError):
    """Nothing was published."""


class AuditFailed(PublishError):
    def __init__(self, findings: Sequence[Finding]):
        self.findings = tuple(findings)
        count = len(self.findings)
        super().__init__(f"the audit found {count} problem{'s' if count != 1 else ''}; nothing was published")


@dataclass(frozen=True)
class Target:
    kind: str                 # "folder", "git" or "s3"
    path: Path | None = None  # folder: DEST; git: the repository
    branch: str = ""
    bucket: str = ""
    prefix: str = ""          # "" or ending in "/"

    def __str__(self) -> str:
        if self.kind == "folder":
            return f"folder:{self.path}"
        if self.kind == "git":
            return f"git:{self.path}#{self.branch}"
        return f"s3://{self.bucket}/{self.prefix}"


def parse_target(text: str) -> Target:
    """``folder:DEST``, ``git:REPO[#BRANCH]`` or ``s3://BUCKET[/PREFIX]``."""
    if text.startswith("folder:") and len(text) > len("folder:"):
        return Target("folder", Path(text[len("folder:"):]))
    if text.startswith("git:") and len(text) > len("git:"):
        repo, _, branch = text[len("git:"):].partition("#")
        if repo:
            return Target("git", Path(repo), branch=branch or DEFAULT_BRANCH)
    if text.startswith("s3://"):
        bucket, _, prefix = text[len("s3://"):].partition("/")
        prefix = prefix.strip("/")
        if bucket and ".." not in prefix.split("/"):
            return Target("s3", bucket=bucket, prefix=prefix + "/" if prefix else "")
    raise PublishError(f"unknown target {text!r}: use folder:DEST, git:REPO[#BRANCH] or s3://BUCKET/PREFIX")


@dataclass(frozen=True)
class PublishResult:
    target: str
    sites: tuple[str, ...]          # the microsites published
    changed: tuple[str, ...]        # paths added, changed or removed at the target
    commit: str | None = None       # git: the new commit (None: nothing changed)
    warnings: tuple[str, ...] = field(default=())


# ----------------------------------------------------------------- helpers

def _write(path: Path, text: str) -> None:
    """Write a new file (unlinking first: the path may be a hard link into the old tree)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    path.write_text(text, encoding="utf-8")


def _tree(root: Path) -> dict[str, Path]:
    if not root.is_dir():
        return {}
    return {p.relative_to(root).as_posix(): p for p in sorted(root.rglob("*")) if p.is_file()}


def _folders_in(paths: Iterable[str]) -> set[str]:
    """The ``<customer>/<audience>`` microsite folders among relative file paths."""
    return {p.rsplit("/", 1)[0] for p in paths if p.count("/") == 2 and p.endswith("/index.html")}


def _differences(old: Path, new: Path) -> tuple[str, ...]:
    before, after = _tree(old), _tree(new)
    changed = [rel for rel, path in after.items()
               if rel not in before or not filecmp.cmp(before[rel], path, shallow=False)]
    return tuple(sorted(changed + [rel for rel in before if rel not in after]))


def _copy_microsites(site_dir: Path, entries: Iterable[SiteEntry], into: Path) -> None:
    for entry in entries:
        target = into / entry.folder
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(site_dir / entry.folder, target)


def _in_manifest_order(manifest: Manifest, folders: set[str]) -> list[SiteEntry]:
    return [site for site in manifest.sites if site.folder in folders]


def _base_url_warnings(entries: Iterable[SiteEntry], prefix: str = "") -> list[str]:
    """Feeds, calendars and the 404 page use the base URL; the layout must match it."""
    warnings = []
    for entry in entries:
        path = urlsplit(entry.base_url).path
        expected = f"/{prefix}{entry.folder}/"
        if entry.base_url and not path.endswith(expected):
            warnings.append(f"{entry.key}: its base URL {entry.base_url} does not end in {expected}; feeds, "
                            "calendars and the 404 page will point elsewhere than where it is published")
    return warnings


# ------------------------------------------------------------------ folder

def _publish_folder(site_dir: Path, manifest: Manifest, entries: Sequence[SiteEntry], dest: Path,
                    selective: bool, environ: Mapping[str, str]) -> tuple[str, ...]:
    dest = dest.absolute()
    if dest.exists() and (not dest.is_dir() or (any(dest.iterdir()) and not (dest / STATE).is_file())):
        raise PublishError(f"refusing to replace {dest}: it is not a folder cxsite publish wrote (no {STATE}); "
                           "choose another destination or empty it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.staging-", dir=dest.parent))
    try:
        sites = list(entries)
        if selective and dest.exists():
            shutil.copytree(dest, staging, copy_function=os.link, dirs_exist_ok=True)
            present = _folders_in(_tree(staging))
            unknown = sorted(present - {site.folder for site in manifest.sites})
            if unknown:
                raise PublishError(f"{dest} holds {', '.join(unknown)}, which {site_dir} does not build any more; "
                                   "publish without --only to remove it")
            sites = _in_manifest_order(manifest, present | {e.folder for e in entries})
        _copy_microsites(site_dir, entries, staging)
        previous = {rel: path.read_text(encoding="utf-8") for rel, path in _tree(dest / ACCESS_DIR).items()
                    if rel.endswith(".htpasswd")}
        previous = {f"{ACCESS_DIR}/{rel}": text for rel, text in previous.items()}
        files = server_files(sites, dest / ACCESS_DIR, environ, previous, manifest.cutoff.isoformat())
        files[STATE] = json.dumps({"generator": f"cxsite {__version__}", "cutoff": manifest.cutoff.isoformat(),
                                   "sites": {s.folder: s.access for s in sites}}, indent=2) + "\n"
        for rel, text in files.items():
            _write(staging / rel, text)
        changed = _differences(dest, staging)
        if changed:
            _swap(staging, dest)
        else:
            shutil.rmtree(staging)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return changed


def _swap(staging: Path, dest: Path) -> None:
    """Two renames: the old tree out of the way, the new one in its place."""
    old = None
    if dest.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
        os.rmdir(old)
        os.rename(dest, old)
    try:
        os.rename(staging, dest)
    except OSError:
        if old is not None:
            os.rename(old, dest)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


# --------------------------------------------------------------------- git

def _git(args: Sequence[str], *, cwd: Path | None = None, env: Mapping[str, str] | None = None,
         check: bool = True) -> str:
    try:
        done = subprocess.run(["git", "-c", "core.autocrlf=false", "-c", "core.safecrlf=false", *args],
                              cwd=cwd, env=dict(env) if env is not None else None, capture_output=True,
                              text=True, timeout=300)
    except FileNotFoundError:
        raise PublishError("the git target needs git, which is not installed") from None
    if check and done.returncode != 0:
        raise PublishError(f"git {' '.join(args[:3])} failed: {done.stderr.strip() or done.stdout.strip()}")
    return done.stdout.strip() if done.returncode == 0 else ""


def _identity(env: dict[str, str], repo: Path) -> None:
    """A publish must not fail on a machine (CI) where git has no user configured."""
    if not (env.get("GIT_AUTHOR_NAME") or _git(["-C", str(repo), "config", "user.name"], check=False)):
        env.setdefault("GIT_AUTHOR_NAME", "cxsite publish")
        env.setdefault("GIT_COMMITTER_NAME", "cxsite publish")
    if not (env.get("GIT_AUTHOR_EMAIL") or _git(["-C", str(repo), "config", "user.email"], check=False)):
        env.setdefault("GIT_AUTHOR_EMAIL", "cxsite@localhost")
        env.setdefault("GIT_COMMITTER_EMAIL", "cxsite@localhost")


def _message(manifest: Manifest, entries: Sequence[SiteEntry]) -> str:
    count = len(entries)
    return (f"Publish {count} microsite{'s' if count != 1 else ''} built for {manifest.cutoff.isoformat()}\n\n"
            + "\n".join(entry.key for entry in entries) + f"\n\nGenerated by cxsite {__version__}.\n")


def _publish_git(site_dir: Path, manifest: Manifest, entries: Sequence[SiteEntry], target: Target,
                 selective: bool) -> tuple[tuple[str, ...], str | None]:
    assert target.path is not None
    repo = target.path.absolute()
    if not repo.is_dir():
        raise PublishError(f"{repo} is not a git repository (create it with git init)")
    git_dir = _git(["-C", str(repo), "rev-parse", "--absolute-git-dir"], check=False)
    if not git_dir:
        raise PublishError(f"{repo} is not a git repository (create it with git init)")
    ref = f"refs/heads/{target.branch}"
    if subprocess.run(["git", "check-ref-format", ref], capture_output=True).returncode != 0:
        raise PublishError(f"{target.branch!r} is not a valid branch name")
    worktrees = _git(["-C", str(repo), "worktree", "list", "--porcelain"], check=False).splitlines()
    if f"branch {ref}" in worktrees:
        raise PublishError(f"branch {target.branch} is checked out in a work tree of {repo}; publishing would "
                           "change files under it: publish to another branch, or check out another one first")
    parent = _git(["-C", str(repo), "rev-parse", "--verify", "-q", f"{ref}^{{commit}}"], check=False) or None

    with tempfile.TemporaryDirectory(prefix="cxsite-publish-") as tmp:
        layout = Path(tmp, "layout")
        layout.mkdir()
        env = {**os.environ, "GIT_INDEX_FILE": str(Path(tmp, "index"))}
        _identity(env, repo)
        base = ["--git-dir", git_dir, "--work-tree", str(layout)]
        sites = list(entries)
        if selective and parent:
            _git([*base, "read-tree", parent], env=env)
            present = _folders_in(_git([*base, "ls-files"], env=env).splitlines())
            sites = _in_manifest_order(manifest, present | {e.folder for e in entries})
            for entry in entries:
                _git([*base, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", entry.folder], env=env)
        _copy_microsites(site_dir, entries, layout)
        files = static_host_files(sites)  # no .nojekyll: GitHub Pages' Jekyll must keep hiding _headers
        for rel, text in files.items():
            _write(layout / rel, text)
        _git([*base, "add", "-A", "-f", "--", *(e.folder for e in entries), *files], cwd=layout, env=env)
        tree = _git([*base, "write-tree"], env=env)
        if parent:
            if tree == _git(["-C", str(repo), "rev-parse", f"{parent}^{{tree}}"]):
                return (), None
            changed = _git(["-C", str(repo), "diff-tree", "-r", "--name-only", "--no-renames", parent, tree])
        else:
            changed = _git([*base, "ls-files"], env=env)
        commit = _git(["-C", str(repo), "commit-tree", tree, *(["-p", parent] if parent else []),
                       "-m", _message(manifest, entries)], env=env)
        _git(["-C", str(repo), "update-ref", "-m", "cxsite publish", ref, commit, parent or ""], env=env)
    return tuple(changed.splitlines()), commit


# ---------------------------------------------------------------------- s3

_CONTENT_TYPES = {
    ".html": "text/html; charset=utf-8", ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8", ".json": "application/json", ".map": "application/json",
    ".xml": "application/xml", ".ics": "text/calendar; charset=utf-8", ".vcf": "text/vcard; charset=utf-8",
    ".txt": "text/plain; charset=utf-8", ".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg", ".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon",
    ".woff": "font/woff", ".woff2": "font/woff2", ".gz": "application/gzip",
}
_BY_NAME = {"feed.xml": "application/rss+xml", "atom.xml": "application/atom+xml",
            "feed.json": "application/feed+json", "_headers": "text/plain; charset=utf-8"}


def content_type(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    if name in _BY_NAME:
        return _BY_NAME[name]
    suffix = os.path.splitext(name)[1].lower()
    return _CONTENT_TYPES.get(suffix) or mimetypes.guess_type(name)[0] or "application/octet-stream"


def _s3_client() -> Any:
    try:
        import boto3
    except ImportError:
        raise PublishError("the s3 target needs boto3: pip install 'cxsite[s3]'") from None
    return boto3.client("s3")


def _publish_s3(site_dir: Path, manifest: Manifest, entries: Sequence[SiteEntry], target: Target,
                selective: bool, client: Any) -> tuple[str, ...]:
    from botocore.exceptions import BotoCoreError, ClientError

    prefix = target.prefix
    try:
        remote: dict[str, str] = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=target.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                remote[item["Key"]] = item.get("ETag", "").strip('"')
        published = {key[len(prefix):] for key in remote}
        sites = _in_manifest_order(manifest, (_folders_in(published) if selective else set())
                                   | {e.folder for e in entries})
        with tempfile.TemporaryDirectory(prefix="cxsite-publish-") as tmp:
            layout = Path(tmp)
            _copy_microsites(site_dir, entries, layout)
            for rel, text in static_host_files(sites, "/" + prefix, headers=False).items():
                _write(layout / rel, text)
            local = _tree(layout)
            changed = []
            for rel, path in local.items():
                data = path.read_bytes()
                if remote.get(prefix + rel) != hashlib.md5(data).hexdigest():
                    client.put_object(Bucket=target.bucket, Key=prefix + rel, Body=data,
                                      ContentType=content_type(rel))
                    changed.append(rel)
        scopes = tuple(e.folder + "/" for e in entries) if selective else ("",)
        gone = sorted(rel for rel in published if rel not in local and rel.startswith(scopes))
        for start in range(0, len(gone), 1000):
            client.delete_objects(Bucket=target.bucket, Delete={
                "Objects": [{"Key": prefix + rel} for rel in gone[start:start + 1000]], "Quiet": True})
    except (BotoCoreError, ClientError) as exc:
        raise PublishError(f"S3 ({target}): {exc}") from None
    return tuple(sorted(changed + gone))


# --------------------------------------------------------------- publish

def publish(site_dir: Path, target: Target | str, portfolio: Portfolio, *, only: Iterable[str] = (),
            markers: Iterable[str] = (), environ: Mapping[str, str] | None = None,
            private_without_auth: bool = False, s3_client: Any = None) -> PublishResult:
    """Audit ``site_dir`` against ``portfolio``, then publish it to ``target``.

    Raises :class:`AuditFailed` (with the findings) or :class:`PublishError`
    and then publishes nothing. ``environ`` (default ``os.environ``) holds
    the ``CXSITE_PASSWORD_*`` variables of private customers."""
    site_dir = Path(site_dir)
    target = parse_target(target) if isinstance(target, str) else target
    environ = os.environ if environ is None else environ
    only = tuple(only)
    manifest = read_manifest(site_dir)
    entries = manifest.select(only)
    private = [e.key for e in entries if e.access == "private"]
    if target.kind != "folder" and private and not private_without_auth:
        raise PublishError(f"{', '.join(private)} {'is' if len(private) == 1 else 'are'} private, and a {target.kind} "
                           "target cannot ask for a password: publish to folder: for nginx or Apache, leave "
                           "them out with --only, or pass --private-without-auth if the host in front of it "
                           "authenticates")
    findings = audit_site(site_dir, portfolio, markers=markers, only=only)
    if findings:
        raise AuditFailed(findings)
    warnings = _base_url_warnings(entries, target.prefix)
    commit = None
    if target.kind == "folder":
        assert target.path is not None
        changed = _publish_folder(site_dir, manifest, entries, target.path, bool(only), environ)
    elif target.kind == "git":
        changed, commit = _publish_git(site_dir, manifest, entries, target, bool(only))
    else:
        changed = _publish_s3(site_dir, manifest, entries, target, bool(only), s3_client or _s3_client())
    return PublishResult(str(target), tuple(e.key for e in entries), changed, commit, tuple(warnings))
