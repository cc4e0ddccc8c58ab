"""``cxsite publish SITE --to TARGET``: audit, then publish the microsites."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from ..diagnostics import CxsiteError
from .audit import all_markers, fail, load, marker_option, print_findings, projects_option, site_argument


@click.command("publish")
@site_argument
@click.option("--to", "target", required=True, metavar="TARGET",
              help="folder:DEST, git:REPO[#BRANCH] (default branch gh-pages) or s3://BUCKET/PREFIX.")
@click.option("--only", multiple=True, metavar="CUSTOMER[/AUDIENCE]",
              help="Publish only these microsites; the others at the target stay as they are.")
@projects_option
@marker_option
@click.option("--private-without-auth", is_flag=True,
              help="Also publish private microsites to git or S3, which cannot ask for a password "
                   "(only when the host in front of it authenticates).")
def publish(site_dir: Path, target: str, only: tuple[str, ...], projects_dir: Path, markers: tuple[str, ...],
            private_without_auth: bool) -> None:
    """Audit the built SITE (default: site/) and publish its microsites to TARGET.

    Nothing is published when the audit finds anything. Never publishes
    manifest.json. Private microsites (folder targets) need their password in
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
    portfolio = load(projects_dir, "publish")
    try:
        result = publish_site(site_dir, parsed, portfolio, only=only, markers=all_markers(markers),
                              private_without_auth=private_without_auth)
    except AuditFailed as exc:
        print_findings(exc.findings)
        click.echo(f"cxsite publish refused: {exc}", err=True)
        sys.exit(1)
    except CxsiteError as exc:
        fail(f"{exc}; nothing was published", "publish")
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
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
    for key in result.sites:
        click.echo(f"  {key}")
