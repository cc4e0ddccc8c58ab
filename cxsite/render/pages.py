"""Page bodies for a microsite, rendered with cxsite's own Jinja templates.

The templates (``cxsite/render/templates``) produce the HTML *inside* the
page; the site engine (:mod:`cxsite.engine`) adds the frame: header,
navigation, search. Autoescaping is on, so every string from the portfolio
is escaped; Markdown arrives converted and sanitised (:mod:`.prose`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Callable

from jinja2 import BytecodeCache, Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from .. import model as m
from ..views import Microsite, facts
from .artifacts import PageArtifact, TocEntry
from .i18n import Locale
from .markdown import distinct_footnotes
from .paths import SitePaths
from .prose import Prose
from .text import html_to_text, summary
from .urls import mailto, tel, uri

_HEADING = re.compile(r'<h([23]) id="([^"]+)"[^>]*>(.*?)</h\1>', re.S)


def _environment(compiled: BytecodeCache | None = None) -> Environment:
    env = Environment(loader=PackageLoader("cxsite.render", "templates"), autoescape=True, undefined=StrictUndefined,
                      trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True, bytecode_cache=compiled)
    env.globals.update(mailto=mailto, tel=tel, url=uri)   # every URL a template writes into an attribute
    return env


def toc_of(html: str) -> tuple[TocEntry, ...]:
    """h2/h3 headings with ids, for the page's table of contents."""
    return tuple(TocEntry(anchor, " ".join(html_to_text(inner).split()), int(level))
                 for level, anchor, inner in _HEADING.findall(html))


@dataclass(frozen=True)
class PageContext:
    """What the templates may use besides the page's own data."""

    site: Microsite
    paths: SitePaths
    loc: Locale
    prose: Prose
    photo: Callable[[m.Person], str | None]
    has_feeds: bool
    has_calendars: bool
    has_vcards: bool


class PageRenderer:
    """Renders every page of a microsite. One instance can serve many
    microsites: the Jinja environment and the Markdown converter are reused."""

    def __init__(self, compiled: BytecodeCache | None = None) -> None:
        """``compiled``: where Jinja may find and put its compiled templates
        (the build hands in its store's; Jinja checks each against the
        template's source). What a page renders to does not depend on it."""
        self.env = _environment(compiled)

    # ------------------------------------------------------------ helpers

    def _render(self, template: str, page_path: str, ctx: PageContext, **values: object) -> str:
        site, loc = ctx.site, ctx.loc
        paths = ctx.paths

        def link(target: str) -> str:
            return SitePaths.relative(page_path, target)

        def webcal(target: str) -> str:
            if paths.base_url:
                return "webcal://" + paths.absolute(target).split("://", 1)[1]
            return link(target)

        def photo(person: m.Person) -> str | None:
            return ctx.photo(person)

        return self.env.get_template(template).render(
            site=site, paths=paths, loc=loc, t=loc.t, md=ctx.prose.html, link=link, webcal=webcal, photo=photo,
            today=site.clock.today(loc.zone), clock=site.clock, shown_status=facts.shown_status,
            has_feeds=ctx.has_feeds,
            has_calendars=ctx.has_calendars, has_vcards=ctx.has_vcards,
            primary_ids=[c.person_id for c in site.customer.primary_contacts], **values)

    def _page(self, template: str, path: str, title: str, ctx: PageContext, description: str = "",
              **values: object) -> PageArtifact:
        html = distinct_footnotes(self._render(template, path, ctx, **values))
        return PageArtifact(path, title, html, toc_of(html), description)

    # -------------------------------------------------------------- pages

    def render(self, ctx: PageContext) -> list[PageArtifact]:
        site = ctx.site
        pages = [self.home(ctx), self.updates_archive(ctx), self.contacts(ctx)]
        if ctx.has_feeds or ctx.has_calendars:
            pages.append(self.subscribe(ctx))
        for project in site.customer.projects:
            pages.append(self.project(ctx, project))
            for update in project.updates:
                pages.append(self.update(ctx, project, update))
        return pages

    def home(self, ctx: PageContext) -> PageArtifact:
        site, clock = ctx.site, ctx.site.clock
        today = clock.today(ctx.loc.zone)
        cards = [{
            "project": p,
            "milestone": facts.next_milestone(p, today),
            "disruption": facts.next_disruption(p, clock),
            "latest": facts.latest_update(p),
            "due": facts.next_update_due(p, today),
        } for p in site.customer.projects]
        upcoming = sorted(((p, d) for p in site.customer.projects for d in facts.upcoming_disruptions(p, clock)),
                          key=lambda pair: (pair[1].window.start, pair[1].id))
        decisions = sorted(((p, d) for p in site.customer.projects for d in facts.open_decisions(p)),
                           key=lambda pair: (pair[1].due, pair[1].id))
        return self._page("home.html", SitePaths.home, ctx.loc.t("home"), ctx,
                          description=f"{site.customer.name}: {ctx.loc.t('project_status')}",
                          cards=cards, upcoming=upcoming, decisions=decisions,
                          lead_with_disruptions=site.audience.lead_with == "disruptions")

    def project(self, ctx: PageContext, project: m.Project) -> PageArtifact:
        site, clock = ctx.site, ctx.site.clock
        today = clock.today(ctx.loc.zone)
        milestones: list[dict] = []
        today_placed = False
        for ms in facts.timeline(project):
            date = facts.milestone_date(ms)
            if not today_placed and date > today:
                milestones.append({"today": True})
                today_placed = True
            milestones.append({"today": False, "milestone": ms, "date": date,
                               "state": facts.milestone_state(ms, today).value, "slip": facts.slip_days(ms)})
        if milestones and not today_placed:
            milestones.append({"today": True})
        contacts = [site.person(pid) for pid in project.contact_ids]
        survey = site.customer.feedback.survey_url if project.status is m.Status.COMPLETED else ""
        decisions = sorted(project.decisions, key=lambda d: (d.status is not m.DecisionStatus.OPEN, d.due, d.id))
        return self._page(
            "project.html", SitePaths.project(project.slug), project.name, ctx,
            description=summary(ctx.prose.text(project.summary), 300), project=project, milestones=milestones,
            upcoming=facts.upcoming_disruptions(project, clock), past=facts.past_disruptions(project, clock),
            decisions=decisions, due=facts.next_update_due(project, today),
            spent_share=facts.spent_share(project.budget) if project.budget else None,
            updates=[(project, u) for u in project.updates], contacts=contacts, survey_invite=survey)

    def update(self, ctx: PageContext, project: m.Project, update: m.Update) -> PageArtifact:
        rendered = ctx.prose[update.body_markdown]
        milestone = next((ms for ms in project.milestones if ms.id == update.milestone_id), None)
        return self._page(
            "update.html", SitePaths.update(project.slug, update.slug), update.title, ctx,
            description=update.summary or summary(rendered.text), project=project, update=update,
            body=Markup(rendered.html), milestone=milestone, author=ctx.site.person(update.author_id))

    def updates_archive(self, ctx: PageContext) -> PageArtifact:
        by_month: dict[str, list] = defaultdict(list)
        by_kind: dict[str, list] = defaultdict(list)
        labels: dict[str, str] = {}
        for project, update in ctx.site.updates:
            local = update.published.astimezone(ctx.loc.zone)
            anchor = f"month-{local:%Y-%m}"
            labels[anchor] = ctx.loc.month(local.date())
            by_month[anchor].append((project, update))
            by_kind[update.kind.value].append((project, update))
        months = [(anchor, labels[anchor], pairs) for anchor, pairs in by_month.items()]
        kinds = [(kind.value, by_kind[kind.value]) for kind in m.UpdateKind if kind.value in by_kind]
        return self._page("updates.html", SitePaths.updates_archive, ctx.loc.t("updates"), ctx,
                          by_month=months, by_kind=kinds)

    def contacts(self, ctx: PageContext) -> PageArtifact:
        site = ctx.site
        escalation = [site.person(pid) for pid in site.customer.escalation]
        project_contacts = [(p, [site.person(pid) for pid in p.contact_ids]) for p in site.customer.projects
                            if p.contact_ids]
        return self._page("contacts.html", SitePaths.contacts, ctx.loc.t("contacts"), ctx,
                          escalation=escalation, project_contacts=project_contacts)

    def subscribe(self, ctx: PageContext) -> PageArtifact:
        site, paths, t = ctx.site, ctx.paths, ctx.loc.t
        path = SitePaths.subscribe

        def entry(label: str, target: str, media_type: str = "", webcal: bool = False) -> dict:
            address = paths.absolute(target) if paths.base_url else SitePaths.url_of(target)
            href = SitePaths.relative(path, target)
            if webcal and paths.base_url:
                href = "webcal://" + address.split("://", 1)[1]
            return {"label": label, "href": href, "address": address, "type": media_type}

        sections = []
        groups = [(t("all_projects"), "all", paths.rss, paths.atom, paths.json_feed, paths.calendar)]
        groups += [(p.name, p.slug, paths.project_rss(p.slug), paths.project_atom(p.slug), None,
                    paths.project_calendar(p.slug)) for p in site.customer.projects]
        for title, anchor, rss, atom, json_feed, calendar in groups:
            items = []
            if ctx.has_feeds:
                items += [entry(t("feed_rss"), rss, "application/rss+xml"),
                          entry(t("feed_atom"), atom, "application/atom+xml")]
                if json_feed:
                    items.append(entry(t("feed_json"), json_feed, "application/feed+json"))
            if ctx.has_calendars:
                items.append(entry(t("calendar"), calendar, "text/calendar", webcal=True))
            sections.append({"title": title, "anchor": f"subscribe-{anchor}", "items": items})
        return self._page("subscribe.html", path, t("subscribe"), ctx, sections=sections)

