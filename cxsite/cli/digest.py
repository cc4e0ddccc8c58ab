"""``cxsite digest``: the e-mail digest of one customer audience."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..diagnostics import CxsiteError, PortfolioError

DEFAULT_PROJECTS = "projects"


def _moment(value: str | None) -> dt.datetime:
    """The digest's moment: --now, else SOURCE_DATE_EPOCH, else the clock, as for a build."""
    from ..views.clock import build_cutoff

    if not value:
        try:
            return build_cutoff()
        except CxsiteError as exc:
            raise click.BadParameter(str(exc), param_hint="SOURCE_DATE_EPOCH") from None
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not an ISO 8601 date-time such as 2026-11-25T09:00+00:00",
                                 param_hint="--now") from None
    return build_cutoff(moment)


def _addresses(values: tuple[str, ...]) -> list[str]:
    """--to may be repeated and each may hold several comma-separated addresses."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _pick_audience(customer, audience_id: str | None):  # type: ignore[no-untyped-def]
    known = ", ".join(a.id for a in customer.audiences)
    if audience_id:
        try:
            return customer.audience(audience_id)
        except KeyError:
            raise click.ClickException(f"customer '{customer.slug}' has no audience '{audience_id}' "
                                       f"(its audiences: {known})") from None
    ids = [a.id for a in customer.audiences]
    if len(ids) == 1:
        return customer.audiences[0]
    if "everyone" in ids:
        return customer.audience("everyone")
    raise click.ClickException(f"customer '{customer.slug}' has several audiences and none called 'everyone': "
                               f"name the one whose digest to build ({known})")


@click.command("digest")
@click.argument("customer_slug", metavar="CUSTOMER")
@click.argument("audience_id", metavar="[AUDIENCE]", required=False)
@click.option("--since", required=True, type=click.DateTime(formats=["%Y-%m-%d"]), metavar="DATE",
              help="First day to report (YYYY-MM-DD, in the customer's time zone).")
@click.option("--projects", "projects_dir", type=click.Path(file_okay=False, path_type=Path),
              default=DEFAULT_PROJECTS, show_default=True, help="The portfolio folder.")
@click.option("--now", "now", metavar="DATETIME", help="Report as of this time (ISO 8601); default: the clock.")
@click.option("--out", "out_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE.eml",
              help="Write the message to this file (default without --send: standard output).")
@click.option("--send", is_flag=True, help="Send it over SMTP (settings from CXSITE_SMTP_* variables, see below).")
@click.option("--to", "to", multiple=True, metavar="ADDR",
              help="Recipient instead of the customer's distribution_list (repeatable).")
@click.option("--from", "sender", metavar="ADDR", help="Sender instead of the customer's CX owner.")
def digest(customer_slug: str, audience_id: str | None, since: dt.datetime, projects_dir: Path, now: str | None,
           out_file: Path | None, send: bool, to: tuple[str, ...], sender: str | None) -> None:
    """E-mail digest of one CUSTOMER's AUDIENCE microsite since --since.

    Lists updates published since that day, milestones reached, milestones
    and disruptions of the next 30 days and the decisions the customer still
    owes, with links to the status page, its feed and calendar. AUDIENCE
    defaults to the only one, else 'everyone'. It goes to the customer's
    distribution_list, so choose the audience whose content every
    recipient may see.

    \b
    --send reads the SMTP server from the environment:
      CXSITE_SMTP_HOST      server name (required)
      CXSITE_SMTP_PORT      port (default 587)
      CXSITE_SMTP_USER      login name (with CXSITE_SMTP_PASSWORD)
      CXSITE_SMTP_PASSWORD  password
      CXSITE_SMTP_STARTTLS  0 to skip STARTTLS (only on a trusted network)
    """
    from ..build.check import load_portfolio, prose_for
    from ..publish.mail import SmtpSettings, send_digest
    from ..render.digest import build_digest
    from ..render.prose import markdown_texts
    from ..views import microsite

    moment = _moment(now)
    try:
        settings = SmtpSettings.from_env() if send else None  # fail before any work
        portfolio, _ = load_portfolio(projects_dir)
    except PortfolioError as exc:
        for diagnostic in exc.diagnostics:
            click.echo(diagnostic.format(), err=True)
        raise click.ClickException(f"the portfolio in {projects_dir} has errors; fix them first") from None
    except CxsiteError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        customer = portfolio.customer(customer_slug)
    except KeyError:
        known = ", ".join(c.slug for c in portfolio.customers) or "none"
        raise click.ClickException(f"no customer '{customer_slug}' in {projects_dir} (customers: {known})") from None
    audience = _pick_audience(customer, audience_id)
    site = microsite(portfolio, customer, audience, moment)
    try:
        message = build_digest(site, since.date(), now=moment, sender=sender, recipients=_addresses(to),
                               prose=prose_for(markdown_texts(site.customer)))
        if out_file:
            out_file.write_bytes(bytes(message))
            click.echo(f"wrote {out_file}", err=True)
        elif not send:
            sys.stdout.write(message.as_string())
        if settings:
            sent = send_digest(message, settings)
            click.echo(f"sent '{message['Subject']}' ({site.key}) to {len(sent)} recipient"
                       f"{'' if len(sent) == 1 else 's'} via {settings.host}:{settings.port}: {', '.join(sent)}",
                       err=True)
    except CxsiteError as exc:
        raise click.ClickException(str(exc)) from None
