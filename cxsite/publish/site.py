"""Publishing a built site: audit first, then copy it where it is served.

``publish()`` reads ``SITE/manifest.json``, refuses to go on unless
:func:`cxsite.checks.audit.audit_site` finds nothing, and never publishes the
manifest itself (it names every customer's microsites). Targets:

* ``folder:DEST``, for nginx or Apache: ``DEST/<customer>/<audience>/``
  (each with its ``.htaccess``) and ``robots.txt``; the server configuration
  of :mod:`cxsite.publish.access` (``nginx.conf`` and the password files) goes to a
  folder *outside* ``DEST`` (``server_config``, default ``DEST-access``
  beside it), so a misconfigured server cannot serve it. The new web tree
  is staged beside ``DEST`` and swapped in with renames, so a reader never
  sees a half-published folder.
* ``static:DEST``, for hosts without server-side authentication (GitHub and
  GitLab Pages, Netlify, Cloudflare Pages): the microsites and
  ``robots.txt``, nothing else: no server configuration, no password
  material, no ``_headers`` (GitLab Pages and a Pages artifact would serve
  it, and it names the unlisted microsites; their pages carry a ``noindex``
  meta tag already). Staged and swapped like ``folder:``.
* ``git:REPO[#BRANCH]`` (default branch ``gh-pages``): one commit on the
  branch, built with a temporary index and ``git --work-tree``, so the
  repository's checkout and index are never touched; no commit when nothing
  changed. The microsites, ``robots.txt`` and ``_headers`` (the branch's
  tree names every folder anyway; GitHub Pages' Jekyll does not serve it).
* ``s3://BUCKET/PREFIX``: uploads only files whose MD5 differs from the
  object's ETag, with a correct Content-Type, and deletes what is gone; the
  microsites and ``robots.txt``.

``static``, ``git`` and ``s3`` cannot ask for a password, so they refuse
private microsites unless ``skip_private=True`` (publish the others) or
``private_without_auth=True`` (something in front of the host
authenticates). ``skip_private`` works for every target.

Without ``only`` the target becomes exactly the microsites published:
whatever was published before and is no longer built, or is now private and
skipped, is removed. ``only`` publishes some microsites and leaves the
others at the target as they are, with a warning naming them.
"""

from __future__ import annotations

import filecmp
import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence
from urllib.parse import urlsplit

from .. import __version__
from ..build.commit import recover, swap_into_place
from ..checks.audit import Finding, audit_site
from ..checks.manifest import Manifest, SiteRecord, read_manifest
from ..diagnostics import CxsiteError
from ..model import Portfolio
from .access import ACCESS_DIR, NGINX_CONF, server_files, static_host_files
from .headers import content_type

MARKER = ".cxsite-publish"                        # in DEST: marks a folder as ours, and says nothing else
MARKER_TEXT = "Published by cxsite publish.\n"
CONFIG_STATE = "cxsite-publish.json"              # in the server-configuration folder: what we wrote there
LEGACY_STATE = f"{ACCESS_DIR}/cxsite-publish.json"  # the marker of earlier versions, inside DEST
DEFAULT_BRANCH = "gh-pages"
NO_AUTH = ("static", "git", "s3")                 # targets that cannot ask for a password
CONFIG_SUFFIX = "-access"


class PublishError(CxsiteError):
    """Nothing was published."""


class AuditFailed(PublishError):
    def __init__(self, findings: Sequence[Finding]):
        self.findings = tuple(findings)
        count = len(self.findings)
        super().__init__(f"the audit found {count} problem{'s' if count != 1 else ''}; nothing was published")


@dataclass(frozen=True)
class Target:
    kind: str                 # "folder", "static", "git" or "s3"
    path: Path | None = None  # folder, static: DEST; git: the repository
    branch: str = ""
    bucket: str = ""
    prefix: str = ""          # "" or ending in "/"

    def __str__(self) -> str:
        if self.kind in ("folder", "static"):
            return f"{self.kind}:{self.path}"
        if self.kind == "git":
            return f"git:{self.path}#{self.branch}"
        return f"s3://{self.bucket}/{self.prefix}"


def parse_target(text: str) -> Target:
    """``folder:DEST``, ``static:DEST``, ``git:REPO[#BRANCH]`` or ``s3://BUCKET[/PREFIX]``."""
    for kind in ("folder", "static"):
        if text.startswith(f"{kind}:") and len(text) > len(kind) + 1:
            return Target(kind, Path(text[len(kind) + 1:]))
    if text.startswith("git:") and len(text) > len("git:"):
        repo, _, branch = text[len("git:"):].partition("#")
        if repo:
            return Target("git", Path(repo), branch=branch or DEFAULT_BRANCH)
    if text.startswith("s3://"):
        bucket, _, prefix = text[len("s3://"):].partition("/")
        prefix = prefix.strip("/")
        if bucket and ".." not in prefix.split("/"):
            return Target("s3", bucket=bucket, prefix=prefix + "/" if prefix else "")
    raise PublishError(f"unknown target {text!r}: use folder:DEST (nginx, Apache), static:DEST (GitHub or GitLab "
                       "Pages, Netlify), git:REPO[#BRANCH] or s3://BUCKET/PREFIX")


def default_server_config(dest: Path) -> Path:
    """``DEST-access`` beside ``DEST``: outside the web root."""
    dest = Path(dest).absolute()
    return dest.parent / (dest.name + CONFIG_SUFFIX)


@dataclass(frozen=True)
class PublishResult:
    target: str
    sites: tuple[str, ...]          # the microsites published
    changed: tuple[str, ...]        # paths added, changed or removed at the target (server configuration:
                                    # absolute paths)
    commit: str | None = None       # git: the new commit (None: nothing changed)
    warnings: tuple[str, ...] = field(default=())
    skipped: tuple[str, ...] = field(default=())   # private microsites left out (skip_private)
    server_config: str | None = None               # folder: where nginx.conf and the password files are


# ----------------------------------------------------------------- helpers

def _are(items: Sequence[str], singular: str = "is", plural: str = "are") -> str:
    return f"{', '.join(items)} {singular if len(items) == 1 else plural}"


PAGE_MODE, FOLDER_MODE = 0o644, 0o755   # the web tree: a stock web server's workers run as another user
SECRET_MODE, SECRET_FOLDER_MODE = 0o640, 0o750   # the server configuration: its group only
#: The groups stock web servers' workers run as (Debian and Ubuntu, nginx.org and RHEL packages, RHEL's
#: httpd, Arch), in the order publish looks for them when neither --server-group nor the folder says.
WEB_SERVER_GROUPS = ("www-data", "nginx", "apache", "http")


def _write(path: Path, text: str) -> None:
    """Write a new file (unlinking first: the path may be a hard link into the old tree)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.exists() or path.is_symlink():
        path.unlink()
    path.write_text(text, encoding="utf-8")
    os.chmod(path, PAGE_MODE)


def _readable_copy(source: str, destination: str) -> str:
    shutil.copy2(source, destination)
    os.chmod(destination, PAGE_MODE)
    return destination


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


def _copy_microsites(site_dir: Path, entries: Iterable[SiteRecord], into: Path) -> None:
    for entry in entries:
        target = into / entry.folder
        if target.exists():
            shutil.rmtree(target)
        # Readable by the server's workers whatever the umask the site was built with.
        shutil.copytree(site_dir / entry.folder, target, copy_function=_readable_copy)
        for folder, _, _ in os.walk(target):
            os.chmod(folder, FOLDER_MODE)


def _in_manifest_order(manifest: Manifest, folders: set[str]) -> list[SiteRecord]:
    return [site for site in manifest.sites if site.folder in folders]


def _base_url_warnings(entries: Iterable[SiteRecord], prefix: str = "") -> list[str]:
    """Feeds, calendars and the 404 page use the base URL; the layout must match it."""
    warnings = []
    for entry in entries:
        path = urlsplit(entry.base_url).path
        expected = f"/{prefix}{entry.folder}/"
        if entry.base_url and not path.endswith(expected):
            warnings.append(f"{entry.key}: its base URL {entry.base_url} does not end in {expected}; feeds, "
                            "calendars and the 404 page will point elsewhere than where it is published")
    return warnings


def _left_alone_warnings(target: Target, manifest: Manifest, entries: Sequence[SiteRecord],
                         present: set[str]) -> list[str]:
    """``--only`` leaves the other microsites at the target as they were: say which, and which of them
    should not be there any more."""
    others = sorted(present - {e.folder for e in entries})
    if not others:
        return []
    built = {site.folder: site for site in manifest.sites}
    warnings = [f"--only left {len(others)} other microsite{'s' if len(others) != 1 else ''} at {target} as "
                f"published before: {', '.join(others)}; publish without --only to make {target} exactly "
                "what is published"]
    gone = [folder for folder in others if folder not in built]
    if gone:
        warnings.append(f"{_are(gone)} no longer built but still published at {target}: publish without --only "
                        "to remove them")
    private = [folder for folder in others if folder in built and built[folder].access == "private"]
    if private and target.kind in NO_AUTH:
        warnings.append(f"{_are(private)} private now but still published at {target}, which cannot ask for a "
                        "password: publish without --only (with --skip-private) to remove them")
    return warnings


# ------------------------------------------------------- folder and static

def _ours(dest: Path) -> bool:
    return (dest / MARKER).is_file() or (dest / LEGACY_STATE).is_file()


def _stage(site_dir: Path, manifest: Manifest, entries: Sequence[SiteRecord], dest: Path, selective: bool,
           kind: str) -> tuple[Path, list[SiteRecord], set[str]]:
    """A new web tree beside ``dest``: the microsites to publish, and with ``selective`` the other
    microsites already in ``dest`` (hard links). Returns it, the microsites it will hold (in manifest
    order) and the microsites ``dest`` held before (``selective`` only)."""
    if dest.exists() and (not dest.is_dir() or (any(dest.iterdir()) and not _ours(dest))):
        raise PublishError(f"refusing to replace {dest}: it is not a folder cxsite publish wrote (no {MARKER}); "
                           "choose another destination or empty it")
    dest.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{dest.name}.staging-", dir=dest.parent))
    os.chmod(staging, 0o755)   # the web root: a stock web server's workers run as another user (mkdtemp: 0700)
    try:
        sites = list(entries)
        present: set[str] = set()
        if selective and dest.exists():
            present = _folders_in(_tree(dest))
            unknown = sorted(present - {site.folder for site in manifest.sites})
            if unknown and kind == "folder":
                raise PublishError(f"{dest} holds {', '.join(unknown)}, which {site_dir} does not build any more; "
                                   "publish without --only to remove it")
            chosen = {e.folder for e in entries}
            for folder in sorted(present - chosen):   # kept as they are; only the microsites, nothing else
                shutil.copytree(dest / folder, staging / folder, copy_function=os.link)
                if kind == "static":
                    for leftover in (staging / folder).rglob(".htaccess"):
                        leftover.unlink()
            sites = _in_manifest_order(manifest, present | chosen)
        _copy_microsites(site_dir, entries, staging)
        _write(staging / MARKER, MARKER_TEXT)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return staging, sites, present


def _replace(staging: Path, dest: Path) -> tuple[str, ...]:
    """Swap the staged tree in if it differs from ``dest``; the paths that changed."""
    try:
        changed = _differences(dest, staging)
        if changed:
            swap_into_place(staging, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return changed


def _publish_static(site_dir: Path, manifest: Manifest, entries: Sequence[SiteRecord], dest: Path,
                    selective: bool) -> tuple[tuple[str, ...], set[str]]:
    dest = dest.absolute()
    staging, sites, present = _stage(site_dir, manifest, entries, dest, selective, "static")
    try:
        for rel, text in static_host_files(sites).items():
            _write(staging / rel, text)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return _replace(staging, dest), present


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def _config_state(config: Path) -> dict[str, Any] | None:
    try:
        state = json.loads((config / CONFIG_STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and isinstance(state.get("files"), list) else None


def _server_group(named: str | None, config: Path) -> tuple[str, int]:
    """The group the web server's workers read the password files as: the
    one named, else the server-configuration folder's (an administrator
    who prepared it chose it), else the first stock web server group here."""
    import grp

    if named:
        try:
            return named, grp.getgrnam(named).gr_gid
        except KeyError:
            raise PublishError(f"--server-group {named}: no such group on this machine; give the group your web "
                               "server's workers run as (nginx: the 'user' line of nginx.conf)") from None
    if config.is_dir():
        gid = config.stat().st_gid
        try:
            return grp.getgrgid(gid).gr_name, gid
        except KeyError:
            return str(gid), gid
    for name in WEB_SERVER_GROUPS:
        try:
            return name, grp.getgrnam(name).gr_gid
        except KeyError:
            continue
    raise PublishError(f"no web server group ({', '.join(WEB_SERVER_GROUPS)}) on this machine: pass --server-group "
                       "with the group your web server's workers run as, so that they, and nobody else, can read "
                       "the password files")


def _give(path: Path, mode: int, group: tuple[str, int]) -> None:
    try:
        os.chown(path, -1, group[1])
    except PermissionError:
        raise PublishError(f"cannot give {path} to group {group[0]}: the user publishing is not a member of it; "
                           f"add it (usermod -aG {group[0]} USER, then log in again) or publish as a user who "
                           "is") from None
    os.chmod(path, mode)


def _write_atomically(path: Path, text: str, mode: int, group: tuple[str, int]) -> None:
    """Replace one file at once (the server may read it at any moment),
    readable by ``group`` (name, id) and nobody else before it is in place."""
    temporary = path.with_name(f".{path.name}.cxsite-{os.getpid()}")
    try:
        with open(temporary, "x", encoding="utf-8", opener=lambda name, flags: os.open(name, flags, 0o600)) as out:
            out.write(text)
        _give(temporary, mode, group)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _publish_folder(site_dir: Path, manifest: Manifest, entries: Sequence[SiteRecord], dest: Path,
                    config: Path, selective: bool, environ: Mapping[str, str],
                    server_group: str | None = None) -> tuple[tuple[str, ...], set[str]]:
    dest, config = dest.absolute(), config.absolute()
    if _inside(config, dest):
        raise PublishError(f"the server configuration ({config}) must not be inside the folder it serves ({dest}): "
                           "a server that serves that folder would serve the password files too; give "
                           f"--server-config a folder outside it (default: {default_server_config(dest)})")
    if _inside(config, Path(site_dir).absolute()):
        raise PublishError(f"the server configuration ({config}) must not be inside the built site {site_dir}")
    if config.exists() and not config.is_dir():
        raise PublishError(f"{config} is not a folder: give --server-config a folder for nginx.conf and the "
                           "password files")
    group = _server_group(server_group, config)
    state = _config_state(config)
    owned = set(state["files"]) if state else set()
    # Password files written before, here or (earlier versions) in DEST/_access/: unchanged passwords keep
    # their hashes, so publishing again changes nothing.
    previous = {}
    for folder in (dest / ACCESS_DIR, config):
        if folder.is_dir():
            previous.update({path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.htpasswd")})

    staging, sites, present = _stage(site_dir, manifest, entries, dest, selective, "folder")
    try:
        files = server_files(sites, config, environ, previous, manifest.cutoff.isoformat())
        for rel, text in files.web.items():
            _write(staging / rel, text)
        config_files = dict(files.config)
        foreign = sorted(name for name in config_files if name not in owned and (config / name).exists())
        if foreign:
            raise PublishError(f"refusing to overwrite {', '.join(str(config / n) for n in foreign)}: not written "
                               f"by cxsite publish (no {CONFIG_STATE} naming it); choose another --server-config "
                               "or remove it")
        config_files[CONFIG_STATE] = json.dumps(
            {"generator": f"cxsite {__version__}", "cutoff": manifest.cutoff.isoformat(), "web_root": str(dest),
             "files": sorted(files.config), "sites": {s.folder: s.access for s in sites}}, indent=2) + "\n"
        # New and changed configuration first (a new password file must exist before the .htaccess that
        # names it is served), stale files after the swap (the old .htaccess may still name them).
        if not config.is_dir():
            config.mkdir(parents=True)
            _give(config, SECRET_FOLDER_MODE, group)
        elif server_group:
            _give(config, SECRET_FOLDER_MODE, group)
        changed = []
        for name, text in config_files.items():
            path = config / name
            if not path.is_file() or path.read_text(encoding="utf-8") != text:
                _write_atomically(path, text, SECRET_MODE, group)
                changed.append(str(path))
            elif (path.stat().st_mode & 0o777, path.stat().st_gid) != (SECRET_MODE, group[1]):
                _give(path, SECRET_MODE, group)   # e.g. written by an earlier version, world-readable
        stale = sorted(name for name in owned - set(config_files) if isinstance(name, str) and "/" not in name
                       and (name == NGINX_CONF or name.endswith(".htpasswd")) and (config / name).is_file())
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    web = _replace(staging, dest)
    for name in stale:
        (config / name).unlink()
        changed.append(str(config / name))
    return web + tuple(sorted(changed)), present


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


def _message(manifest: Manifest, entries: Sequence[SiteRecord]) -> str:
    count = len(entries)
    return (f"Publish {count} microsite{'s' if count != 1 else ''} built for {manifest.cutoff.isoformat()}\n\n"
            + "\n".join(entry.key for entry in entries) + f"\n\nGenerated by cxsite {__version__}.\n")


def _publish_git(site_dir: Path, manifest: Manifest, entries: Sequence[SiteRecord], target: Target,
                 selective: bool) -> tuple[tuple[str, ...], str | None, set[str]]:
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
        present: set[str] = set()
        if selective and parent:
            _git([*base, "read-tree", parent], env=env)
            present = _folders_in(_git([*base, "ls-files"], env=env).splitlines())
            sites = _in_manifest_order(manifest, present | {e.folder for e in entries})
            for entry in entries:
                _git([*base, "rm", "-r", "-q", "--cached", "--ignore-unmatch", "--", entry.folder], env=env)
        _copy_microsites(site_dir, entries, layout)
        files = static_host_files(sites, headers=True)  # no .nojekyll: GitHub Pages' Jekyll keeps hiding _headers
        for rel, text in files.items():
            _write(layout / rel, text)
        _git([*base, "add", "-A", "-f", "--", *(e.folder for e in entries), *files], cwd=layout, env=env)
        tree = _git([*base, "write-tree"], env=env)
        if parent:
            if tree == _git(["-C", str(repo), "rev-parse", f"{parent}^{{tree}}"]):
                return (), None, present
            changed = _git(["-C", str(repo), "diff-tree", "-r", "--name-only", "--no-renames", parent, tree])
        else:
            changed = _git([*base, "ls-files"], env=env)
        commit = _git(["-C", str(repo), "commit-tree", tree, *(["-p", parent] if parent else []),
                       "-m", _message(manifest, entries)], env=env)
        _git(["-C", str(repo), "update-ref", "-m", "cxsite publish", ref, commit, parent or ""], env=env)
    return tuple(changed.splitlines()), commit, present


# ---------------------------------------------------------------------- s3

def _s3_client() -> Any:
    try:
        import boto3
    except ImportError:
        raise PublishError("the s3 target needs boto3: pip install 'cxsite[s3]'") from None
    return boto3.client("s3")


def _publish_s3(site_dir: Path, manifest: Manifest, entries: Sequence[SiteRecord], target: Target,
                selective: bool, client: Any) -> tuple[tuple[str, ...], set[str]]:
    from botocore.exceptions import BotoCoreError, ClientError

    prefix = target.prefix
    try:
        remote: dict[str, str] = {}
        for page in client.get_paginator("list_objects_v2").paginate(Bucket=target.bucket, Prefix=prefix):
            for item in page.get("Contents", []):
                remote[item["Key"]] = item.get("ETag", "").strip('"')
        published = {key[len(prefix):] for key in remote}
        present = _folders_in(published) if selective else set()
        sites = _in_manifest_order(manifest, present | {e.folder for e in entries})
        with tempfile.TemporaryDirectory(prefix="cxsite-publish-") as tmp:
            layout = Path(tmp)
            _copy_microsites(site_dir, entries, layout)
            for rel, text in static_host_files(sites, "/" + prefix).items():
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
    return tuple(sorted(changed + gone)), present


# --------------------------------------------------------------- publish

def publish(site_dir: Path, target: Target | str, portfolio: Portfolio, *, only: Iterable[str] = (),
            markers: Iterable[str] = (), environ: Mapping[str, str] | None = None,
            private_without_auth: bool = False, skip_private: bool = False,
            server_config: Path | str | None = None, server_group: str | None = None,
            s3_client: Any = None) -> PublishResult:
    """Audit ``site_dir`` against ``portfolio``, then publish it to ``target``.

    Raises :class:`AuditFailed` (with the findings) or :class:`PublishError`
    and then publishes nothing. ``environ`` (default ``os.environ``) holds
    the ``CXSITE_PASSWORD_*`` variables of private customers (folder
    targets). ``skip_private`` leaves private microsites out (any target);
    ``server_config`` is where a folder target's ``nginx.conf`` and password
    files go (default: ``DEST-access`` beside ``DEST``), readable by
    ``server_group`` only (default: that folder's group, else a stock web
    server group; see :func:`_server_group`)."""
    site_dir = Path(site_dir)
    if site_dir.is_dir():
        recover(site_dir)  # a build killed while moving microsites in: finish it before reading anything
    target = parse_target(target) if isinstance(target, str) else target
    environ = os.environ if environ is None else environ
    only = tuple(only)
    if skip_private and private_without_auth:
        raise PublishError("--skip-private and --private-without-auth contradict each other: choose one")
    if server_config is not None and target.kind != "folder":
        raise PublishError(f"--server-config is for folder: targets; a {target.kind} target gets no server "
                           "configuration")
    manifest = read_manifest(site_dir)
    chosen = manifest.select(only)
    skipped = tuple(e.key for e in chosen if e.access == "private") if skip_private else ()
    entries = tuple(e for e in chosen if not (skip_private and e.access == "private"))
    if not entries and skipped:
        raise PublishError(f"every microsite {'chosen with --only' if only else 'of ' + str(site_dir)} is private "
                           "and --skip-private leaves them out: nothing to publish")
    private = [e.key for e in entries if e.access == "private"]
    if target.kind in NO_AUTH and private and not private_without_auth:
        raise PublishError(
            f"{_are(private)} private, and {'an' if target.kind == 's3' else 'a'} {target.kind} target cannot ask "
            "for a password: pass --skip-private "
            "to publish the other microsites without them, and serve the private ones from a folder: target "
            "behind nginx or Apache (which ask for each customer's password) or, with --private-without-auth, "
            "from an s3 bucket or a host that authenticates every visitor itself")
    findings = audit_site(site_dir, portfolio, markers=markers, only=only)
    if findings:
        raise AuditFailed(findings)
    warnings = _base_url_warnings(entries, target.prefix)
    commit = None
    config = None
    if target.kind == "folder":
        assert target.path is not None
        config = Path(server_config) if server_config is not None else default_server_config(target.path)
        changed, present = _publish_folder(site_dir, manifest, entries, target.path, config, bool(only), environ,
                                           server_group)
        config = config.absolute()
    elif target.kind == "static":
        assert target.path is not None
        changed, present = _publish_static(site_dir, manifest, entries, target.path, bool(only))
    elif target.kind == "git":
        changed, commit, present = _publish_git(site_dir, manifest, entries, target, bool(only))
    else:
        changed, present = _publish_s3(site_dir, manifest, entries, target, bool(only), s3_client or _s3_client())
    warnings += _left_alone_warnings(target, manifest, entries, present)
    return PublishResult(str(target), tuple(e.key for e in entries), changed, commit, tuple(warnings), skipped,
                         str(config) if config is not None else None)
