"""``cxsite publish SITE --to TARGET``: audit, then publish the microsites."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import click

from ..diagnostics import CxsiteError
from .audit import all_markers, fail, load, marker_option, print_findings, projects_option, site_argument


@click.command("publish")
@site_argument
@click.option("--to", "target", required=True, metavar="TARGET",
              help="folder:DEST (nginx, Apache: with access control), static:DEST (GitHub or GitLab Pages, "
                   "Netlify: no server configuration, no passwords), git:REPO[#BRANCH] (default branch gh-pages) "
                   "or s3://BUCKET/PREFIX.")
@click.option("--only", multiple=True, metavar="CUSTOMER[/AUDIENCE]",
              help="Publish only these microsites; the others at the target stay as they are (with a warning "
                   "naming them). Without --only the target becomes exactly the microsites published.")
@click.option("--skip-private", is_flag=True,
              help="Publish every microsite except the private ones, and say which were left out (any target; "
                   "without --only they are removed from the target).")
@click.option("--server-config", "server_config", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              help="folder: targets: where nginx.conf and the password files go, outside the web root "
                   "(default: DEST-access beside DEST). nginx.conf and the .htaccess files name it by its "
                   "absolute path.")
@click.option("--server-group", "server_group", metavar="GROUP", envvar="CXSITE_SERVER_GROUP",
              help="folder: targets: the group the web server's workers run as (nginx: its 'user' line); the "
                   "password files are readable by it and nobody else. Default: the --server-config folder's "
                   "group, else the first of www-data, nginx, apache, http found here.")
@projects_option
@marker_option
@click.option("--private-without-auth", is_flag=True,
              help="Also publish private microsites to static, git or S3 targets, which cannot ask for a password "
                   "(only when the host in front of it authenticates every visitor).")
def publish(site_dir: Path, target: str, only: tuple[str, ...], skip_private: bool, server_config: Path | None,
            server_group: str | None, projects_dir: Path, markers: tuple[str, ...], private_without_auth: bool) -> None:
    """Audit the built SITE (default: site/) and publish its microsites to TARGET.

    Nothing is published when the audit finds anything. Never publishes
    manifest.json. static:, git: and s3:// targets cannot ask for a password:
    they refuse private microsites unless --skip-private leaves them out.
    Private microsites on folder: targets need their password in
    CXSITE_PASSWORD_<CUSTOMER> ('user:password', one per line; customer slug
    in upper case, '-' as '_'); see docs/hosting.md.
    """
    from ..publish import AuditFailed, parse_target
    from ..publish import publish as publish_site

    started = time.perf_counter()
    try:
        parsed = parse_target(target)
    except CxsiteError as exc:
        raise click.BadParameter(str(exc), param_hint="--to") from None
    if server_group is not None and parsed.kind != "folder" and "CXSITE_SERVER_GROUP" not in os.environ:
        raise click.BadParameter(f"only for folder: targets (a {parsed.kind} target has no password files)",
                                 param_hint="--server-group")
    if server_config is not None and parsed.kind != "folder":
        raise click.BadParameter(f"only for folder: targets (a {parsed.kind} target gets no server configuration)",
                                 param_hint="--server-config")
    if skip_private and private_without_auth:
        raise click.UsageError("--skip-private and --private-without-auth contradict each other: choose one")
    portfolio = load(projects_dir, "publish")
    try:
        result = publish_site(site_dir, parsed, portfolio, only=only, markers=all_markers(markers),
                              private_without_auth=private_without_auth, skip_private=skip_private,
                              server_config=server_config, server_group=server_group)
    except AuditFailed as exc:
        print_findings(exc.findings)
        click.echo(f"cxsite publish refused: {exc}", err=True)
        sys.exit(1)
    except CxsiteError as exc:
        fail(f"{exc}; nothing was published", "publish")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if result.skipped:
        count = len(result.skipped)
        click.echo(f"skipped {count} private microsite{'s' if count != 1 else ''} (--skip-private): "
                   f"{', '.join(result.skipped)}", err=True)
    elapsed = time.perf_counter() - started
    count = len(result.sites)
    what = f"{count} microsite{'s' if count != 1 else ''}"
    if not result.changed:
        click.echo(f"cxsite publish: {what} audited clean; {result.target} already up to date, "
                   f"nothing {'committed' if parsed.kind == 'git' else 'changed'} ({elapsed:.1f} s)", err=True)
    else:
        extra = f", commit {result.commit[:12]}" if result.commit else ""
        click.echo(f"cxsite published {what} to {result.target}: {len(result.changed)} files added, changed "
                   f"or removed{extra} ({elapsed:.1f} s)", err=True)
    if result.server_config:
        click.echo(f"server configuration (never serve it): {result.server_config}; include "
                   f"{Path(result.server_config) / 'nginx.conf'} in nginx and reload it", err=True)
    for key in result.sites:
        click.echo(f"  {key}")
