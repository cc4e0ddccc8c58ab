"""Turn what :mod:`cxsite.source` read into the immutable model.

Two passes: each document is converted field by field against its
:mod:`cxsite.source.schema` record, then references between documents
(people, audiences, milestones), dates and ids are cross-checked. Every
problem is collected in the :class:`Builder`'s diagnostics, never raised.
"""

from __future__ import annotations

import datetime as dt
import difflib
import os
from pathlib import Path
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from . import objects as m
from ..diagnostics import Collector, Location
from ..source.documents import RawUpdate
from ..source.layout import RawCustomer, RawPortfolio, RawProject
from ..source.schema import CUSTOMER, INVALID, PROJECT, TEAM, UPDATE, Context, Record
from ..source.yaml import YamlDoc
from .prose import prose_problems

DEFAULT_AUDIENCE = m.Audience("everyone", "Everyone")


def _convert(record: Record, doc: YamlDoc | None, diagnostics: Collector) -> dict[str, Any] | None:
    if doc is None:
        return None
    ctx = Context(doc.path, diagnostics, doc.line_offset)
    value = record.convert(ctx, doc.root)
    return value if isinstance(value, dict) else None


def _within(path: str, root: Path) -> str:
    """A path named in a message, relative to the portfolio (a message must
    read the same from any working folder)."""
    relative = os.path.relpath(path, root)
    return path if relative.startswith("..") else relative.replace(os.sep, "/")


def _ok(*values: Any) -> bool:
    return all(v is not INVALID for v in values)


def _keys(data: dict[str, Any]) -> tuple[tuple[str, Location], ...]:
    """Where each key of a document's top level is, for later stages' messages."""
    return tuple(sorted(data["__key_at__"].items()))


def _key_loc(data: dict[str, Any], key: str) -> Location:
    return data["__keys__"].get(key, data["__loc__"])


class Builder:
    """Builds model objects from converted dicts, cross-checking as it goes."""

    def __init__(self, diagnostics: Collector, team_ids: Iterable[str] = ()):
        self.diag = diagnostics
        self.team_ids: set[str] = set(team_ids)   # filled by team(); given to validate customers alone
        self.images: list[Path] = []              # every image file looked for (what the model depends on)

    # ------------------------------------------------------------ helpers

    def _unknown_ref(self, loc: Location, what: str, value: str, known: Iterable[str], where: str) -> None:
        known = sorted(known)
        close = difflib.get_close_matches(value, known, n=1, cutoff=0.6)
        if close:
            hint = f"did you mean '{close[0]}'?"
        elif known:
            plural = "people" if what == "person" else f"{what}s"
            hint = f"known {plural}: {', '.join(known[:12])}{'...' if len(known) > 12 else ''}"
        else:
            hint = f"define it in {where} first"
        self.diag.error(loc, f"unknown {what} '{value}'", hint)

    def _person(self, data: dict[str, Any], key: str) -> str | None:
        value = data.get(key)
        if value is None or value is INVALID:
            return None
        if value not in self.team_ids:
            self._unknown_ref(_key_loc(data, key), "person", value, self.team_ids, "team.yml")
            return None
        return value

    def _people(self, data: dict[str, Any], key: str) -> tuple[str, ...]:
        values = data.get(key) or []
        if values is INVALID:
            return ()
        ok = []
        for value in values:
            if value not in self.team_ids:
                self._unknown_ref(_key_loc(data, key), "person", value, self.team_ids, "team.yml")
            else:
                ok.append(value)
        return tuple(ok)

    def _audiences(self, data: dict[str, Any], known: set[str]) -> tuple[str, ...]:
        values = data.get("audiences") or []
        if values is INVALID:
            return ()
        for value in values:
            if value not in known:
                self._unknown_ref(_key_loc(data, "audiences"), "audience", value, known, "customer.yml")
        return tuple(v for v in values if v in known)

    def _image(self, data: dict[str, Any], key: str, base: Path, root: Path) -> Path | None:
        value = data.get(key)
        if not value or value is INVALID:
            return None
        path = (base / value).resolve()
        self.images.append(path)
        real_root = root.resolve()
        if real_root not in path.parents:
            self.diag.error(_key_loc(data, key), f"'{value}' lies outside the portfolio folder",
                            "put the image inside the portfolio and give a relative path")
            return None
        if not path.is_file():
            self.diag.error(_key_loc(data, key), f"image '{value}' not found", f"looked for {path}")
            return None
        if path.suffix.lower() == ".svg" and not self._svg(path):
            return None
        return path

    def _svg(self, path: Path) -> bool:
        """Whether the SVG at ``path`` can be published; says what its
        published copy leaves out (:mod:`cxsite.source.svg`)."""
        from ..source.svg import SvgFault, clean_svg, removed_parts

        try:
            data = path.read_bytes()
            clean_svg(data)
        except SvgFault as fault:
            self.diag.error(Location(str(path), fault.line), fault.message, fault.fix)
            return False
        except OSError as fault:
            self.diag.error(Location(str(path)), f"cannot read this image: {fault.strerror or fault}",
                            "make the file readable by the user who runs cxsite")
            return False
        removed = removed_parts(data)
        if removed:
            more = f" and {len(removed) - 1} more active part{'s' if len(removed) > 2 else ''}" if len(removed) > 1 else ""
            self.diag.warning(Location(str(path), removed[0].line),
                              f"the published copy of this SVG leaves out its {removed[0].what}{more}",
                              "images may not run script or load other files; remove those parts to silence this")
        return True

    def _local(self, data: dict[str, Any], key: str, zone: ZoneInfo) -> dt.datetime | None:
        """An aware datetime: naive values are wall-clock times in ``zone``."""
        value = data.get(key)
        if value is None or value is INVALID:
            return None
        if value.tzinfo is not None:
            return value
        aware = value.replace(tzinfo=zone)
        round_trip = aware.astimezone(dt.timezone.utc).astimezone(zone).replace(tzinfo=None)
        if round_trip != value:
            self.diag.error(_key_loc(data, key), f"{value:%Y-%m-%d %H:%M} does not exist in {zone.key}: the "
                            "clocks go forward then", "pick a time outside the skipped hour, or give an offset")
            return None
        return aware

    # ---------------------------------------------------------- documents

    def portfolio(self, raw: RawPortfolio) -> m.Portfolio | None:
        team = self.team(raw.root, raw.team)
        customers = []
        for raw_customer in raw.customers:
            customer = self.customer(raw.root, raw_customer)
            if customer is not None:
                customers.append(customer)
        if team is None:
            return None
        return m.Portfolio(raw.root, team, tuple(customers))

    def team(self, root: Path, doc: YamlDoc | None) -> m.Team | None:
        data = _convert(TEAM, doc, self.diag)
        if data is None:
            return None
        people_data = data.get("people")
        people = []
        if isinstance(people_data, dict):
            self.team_ids = set(people_data)
            base = Path(doc.path).parent if doc else root
            for person_id, person in people_data.items():
                if not isinstance(person, dict):
                    continue
                values = {k: person.get(k) for k in ("name", "title", "email", "phone", "timezone")}
                photo = self._image(person, "photo", base, root)
                if not _ok(*values.values()):
                    continue
                people.append(m.Person(
                    id=person_id, name=values["name"], title=values["title"] or "", email=values["email"] or "",
                    phone=values["phone"] or "", timezone=values["timezone"] or "", photo=photo,
                    location=person["__loc__"]))
        org = data.get("organisation")
        if not isinstance(org, dict) or not _ok(org.get("name"), org.get("website")):
            return None
        organisation = m.Organisation(org["name"], org.get("website") or "", org["__loc__"])
        return m.Team(organisation, tuple(people))

    def customer(self, root: Path, rc: RawCustomer) -> m.Customer | None:
        data = _convert(CUSTOMER, rc.doc, self.diag)
        if data is None:
            return None
        audiences = self._customer_audiences(data)
        audience_ids = {a.id for a in audiences}
        zone_name = data.get("timezone")
        zone = ZoneInfo(zone_name) if zone_name and zone_name is not INVALID else None
        cx_owner = self._person(data, "cx_owner")
        contacts = []
        for item in data.get("primary_contacts") or []:
            person = self._person(item, "person")
            if person and _ok(item.get("handles")):
                contacts.append(m.PrimaryContact(person, item["handles"], item["__loc__"]))
        brand = self._brand(data, rc.folder, root)
        self._check_feeds_need_base_url(data)
        feedback = data.get("feedback") or {}
        site = data.get("site") or {}
        projects = []
        for rp in rc.projects:
            project = self.project(rp, rc.slug, zone, audience_ids)
            if project is not None:
                projects.append(project)
        self._unique_update_ids(projects, root)
        values = (data.get("name"), zone_name, data.get("language"), cx_owner, feedback, site)
        if not _ok(*values) or zone is None or cx_owner is None or not rc.slug:
            return None
        if not _ok(*feedback.values(), *site.values(), data.get("escalation"), data.get("distribution_list")):
            return None
        return m.Customer(
            slug=rc.slug, name=data["name"], timezone=zone_name, language=data.get("language") or "en",
            cx_owner_id=cx_owner, primary_contacts=tuple(contacts), audiences=audiences,
            projects=tuple(projects), brand=brand,
            feedback=m.Feedback(feedback.get("form_url") or "", feedback.get("email") or "",
                                feedback.get("survey_url") or ""),
            site=m.SiteSettings(site.get("base_url") or "", m.Access(site.get("access") or "public"),
                                site.get("feeds") is not False, site.get("feed_limit") or 50,
                                site.get("path_token") or ""),
            escalation=self._people(data, "escalation"),
            distribution_list=tuple(data.get("distribution_list") or ()),
            internal_note=data.get("internal_note") or "", location=data["__loc__"], keys=_keys(data))

    def _check_feeds_need_base_url(self, data: dict[str, Any]) -> None:
        site = data.get("site") if isinstance(data.get("site"), dict) else {}
        token, base_url = site.get("path_token"), site.get("base_url")
        if token and base_url and token not in base_url:
            self.diag.error(_key_loc(site, "base_url"), "base_url does not contain the path token",
                            f"the microsites are written to '<customer>-{token}/': serve them there and end "
                            f"base_url with '-{token}/'")
        if site.get("feeds") is False or site.get("base_url"):
            return
        where = site.get("__loc__", data["__loc__"]) if site else data["__loc__"]
        self.diag.error(where, "feeds and calendars need the address the sites are served from",
                        "add 'site: {base_url: https://status.example.com/<customer>/}', or 'feeds: false' under "
                        "'site:' to publish without feeds, calendars and vCards")

    def _customer_audiences(self, data: dict[str, Any]) -> tuple[m.Audience, ...]:
        declared = data.get("audiences")
        if not isinstance(declared, dict) or not declared:
            return (DEFAULT_AUDIENCE,)
        audiences = []
        for audience_id, item in declared.items():
            if isinstance(item, dict) and _ok(item.get("name"), item.get("description"), item.get("lead_with")):
                audiences.append(m.Audience(audience_id, item["name"], item.get("description") or "",
                                            item.get("lead_with") or "projects", item["__loc__"]))
        return tuple(audiences)

    def _brand(self, data: dict[str, Any], folder: Path, root: Path) -> m.Brand:
        brand = data.get("brand")
        if not isinstance(brand, dict):
            return m.Brand()
        colour = brand.get("colour")
        return m.Brand(colour if colour and colour is not INVALID else "", self._image(brand, "logo", folder, root))

    def _unique_update_ids(self, projects: list[m.Project], root: Path) -> None:
        seen: dict[str, m.Update] = {}
        for project in projects:
            for update in project.updates:
                if update.id in seen:
                    first = seen[update.id]
                    self.diag.error(update.location, f"duplicate update id '{update.id}'",
                                    f"{_within(first.location.path, root)} already uses it; give this update a new id "
                                    "(ids must be unique within a customer)")
                else:
                    seen[update.id] = update

    # ------------------------------------------------------------ project

    def project(self, rp: RawProject, customer_slug: str, zone: ZoneInfo | None,
                audience_ids: set[str]) -> m.Project | None:
        data = _convert(PROJECT, rp.doc, self.diag)
        if data is None:
            for ru in rp.updates:  # still report problems in its updates
                self.update(ru, zone, audience_ids, set())
            return None
        milestones = [self.milestone(item, audience_ids) for item in data.get("milestones") or []]
        milestone_ids = {ms.id for ms in milestones if ms}
        disruptions = [self.disruption(item, zone, audience_ids) for item in data.get("disruptions") or []]
        budget = self.budget(data.get("budget"), audience_ids)
        measures = [self.measure(item, audience_ids) for item in data.get("measures") or []]
        decisions = [self.decision(item, audience_ids) for item in data.get("decisions") or []]
        surveys = [self.survey(item, audience_ids) for item in data.get("surveys") or []]
        updates = [self.update(ru, zone, audience_ids, milestone_ids) for ru in rp.updates]
        contacts = self._people(data, "contacts")
        audiences = self._audiences(data, audience_ids)
        start, planned_end, forecast_end = data.get("start"), data.get("planned_end"), data.get("forecast_end")
        if _ok(start, planned_end) and start and planned_end and planned_end < start:
            self.diag.error(_key_loc(data, "planned_end"), f"planned_end {planned_end} is before start {start}",
                            "check the two dates")
        if _ok(start, forecast_end) and start and forecast_end and forecast_end < start:
            self.diag.error(_key_loc(data, "forecast_end"), f"forecast_end {forecast_end} is before start {start}",
                            "check the two dates")
        if data.get("status") == "completed" and data.get("percent_complete") not in (100, None, INVALID):
            self.diag.warning(_key_loc(data, "percent_complete"),
                              f"project is completed but only {data['percent_complete']}% complete",
                              "set percent_complete: 100")
        required = [data.get(k) for k in ("name", "summary", "status", "health", "health_reason",
                                          "percent_complete", "start", "planned_end", "update_cadence")]
        parts: list[Any] = [*milestones, *disruptions, *measures, *decisions, *surveys, *updates]
        if (not _ok(*required, forecast_end, budget, data.get("internal_note")) or any(p is None for p in parts)
                or not rp.slug or zone is None):
            return None
        return m.Project(
            slug=rp.slug, customer_slug=customer_slug, name=data["name"], summary=data["summary"],
            status=m.Status(data["status"]), health=m.Health(data["health"]), health_reason=data["health_reason"],
            percent_complete=data["percent_complete"], start=start, planned_end=planned_end,
            forecast_end=forecast_end, update_cadence=m.Cadence(data["update_cadence"]), contact_ids=contacts,
            milestones=tuple(milestones), disruptions=tuple(disruptions), budget=budget, measures=tuple(measures),
            decisions=tuple(decisions), surveys=tuple(sorted(surveys, key=lambda s: s.date)),
            updates=tuple(sorted(updates, key=lambda u: (u.published, u.id), reverse=True)),
            audiences=audiences, internal_note=data.get("internal_note") or "", location=data["__loc__"],
            keys=_keys(data))

    def milestone(self, data: Any, audience_ids: set[str]) -> m.Milestone | None:
        if not isinstance(data, dict):
            return None
        audiences = self._audiences(data, audience_ids)
        keys = ("id", "title", "planned", "forecast", "done", "description", "internal_note")
        if not _ok(*(data.get(k) for k in keys)):
            return None
        return m.Milestone(data["id"], data["title"], data["planned"], data.get("forecast"), data.get("done"),
                           data.get("description") or "", audiences, data.get("internal_note") or "",
                           data["__loc__"])

    def _window(self, data: dict[str, Any], zone: ZoneInfo | None) -> m.Window | None:
        if zone is None or not _ok(data.get("start"), data.get("end")):
            return None
        start, end = self._local(data, "start", zone), self._local(data, "end", zone)
        if start is None or end is None:
            return None
        if end <= start:
            self.diag.error(_key_loc(data, "end"), f"end {data['end']:%Y-%m-%d %H:%M} is not after start "
                            f"{data['start']:%Y-%m-%d %H:%M}", "check the two times")
            return None
        return m.Window(start, end)

    def disruption(self, data: Any, zone: ZoneInfo | None, audience_ids: set[str]) -> m.Disruption | None:
        if not isinstance(data, dict):
            return None
        audiences = self._audiences(data, audience_ids)
        window = self._window(data, zone)
        previous = [self._window(w, zone) if isinstance(w, dict) else None
                    for w in data.get("previous_windows") or []]
        keys = ("id", "title", "affects", "impact", "status", "description", "announced", "changed", "internal_note")
        if window is None or any(w is None for w in previous) or not _ok(*(data.get(k) for k in keys)):
            return None
        return m.Disruption(
            data["id"], data["title"], window, data["affects"], m.Impact(data["impact"]),
            m.DisruptionStatus(data.get("status") or "scheduled"), data.get("description") or "",
            data.get("announced"), data.get("changed"), tuple(previous), audiences, data.get("internal_note") or "", data["__loc__"])

    def budget(self, data: Any, audience_ids: set[str]) -> m.Budget | None | Any:
        if data is None:
            return None
        if not isinstance(data, dict):
            return INVALID
        audiences = self._audiences(data, audience_ids)
        keys = ("currency", "approved", "spent", "forecast", "internal_note")
        if not _ok(*(data.get(k) for k in keys)):
            return INVALID
        return m.Budget(data["currency"], data["approved"], data.get("spent"), data.get("forecast"), audiences,
                        data.get("internal_note") or "", data["__loc__"])

    def measure(self, data: Any, audience_ids: set[str]) -> m.Measure | None:
        if not isinstance(data, dict):
            return None
        audiences = self._audiences(data, audience_ids)
        keys = ("id", "name", "target", "actual", "unit", "better")
        if not _ok(*(data.get(k) for k in keys)):
            return None
        return m.Measure(data["id"], data["name"], data["target"], data.get("actual"), data.get("unit") or "",
                         m.Better(data.get("better") or "higher"), audiences, data["__loc__"])

    def decision(self, data: Any, audience_ids: set[str]) -> m.Decision | None:
        if not isinstance(data, dict):
            return None
        audiences = self._audiences(data, audience_ids)
        keys = ("id", "title", "owner", "due", "status", "outcome", "description")
        if not _ok(*(data.get(k) for k in keys)):
            return None
        if data.get("status") == "decided" and not data.get("outcome"):
            self.diag.warning(_key_loc(data, "status"), "decision is marked decided but has no outcome",
                              "add 'outcome:' so the customer sees what was decided")
        return m.Decision(data["id"], data["title"], data["owner"], data["due"],
                          m.DecisionStatus(data.get("status") or "open"), data.get("outcome") or "",
                          data.get("description") or "", audiences, data["__loc__"])

    def survey(self, data: Any, audience_ids: set[str]) -> m.SurveyResult | None:
        if not isinstance(data, dict):
            return None
        audiences = self._audiences(data, audience_ids)
        keys = ("date", "score", "scale", "comment", "respondents")
        if not _ok(*(data.get(k) for k in keys)):
            return None
        if data["score"] > data["scale"]:
            self.diag.error(_key_loc(data, "score"), f"score {data['score']:g} is above the scale of "
                            f"{data['scale']:g}", "check the score, or the scale it was measured on")
            return None
        return m.SurveyResult(data["date"], data["score"], data["scale"], data.get("comment") or "",
                              data.get("respondents"), audiences, data["__loc__"])

    # ------------------------------------------------------------ updates

    def update(self, ru: RawUpdate, zone: ZoneInfo | None, audience_ids: set[str],
               milestone_ids: set[str]) -> m.Update | None:
        data = _convert(UPDATE, ru.front, self.diag)
        if data is None:
            return None
        author = self._person(data, "author")
        audiences = self._audiences(data, audience_ids)
        milestone = data.get("milestone")
        if milestone and milestone is not INVALID and milestone_ids and milestone not in milestone_ids:
            self._unknown_ref(_key_loc(data, "milestone"), "milestone", milestone, milestone_ids, "project.yml")
            return None
        if zone is None:
            return None
        published = self._local(data, "date", zone)
        publish_after = self._local(data, "publish_after", zone)
        keys = ("id", "title", "kind", "internal", "draft", "summary", "publish_after", "milestone")
        if author is None or published is None or not _ok(*(data.get(k) for k in keys)) or not ru.slug:
            return None
        if not ru.body.strip():
            self.diag.warning(Location(ru.path, ru.body_line, 1), "update has no text after the front matter",
                              "write what happened and what it means for the customer")
        else:
            # Bodies too big or too complex to render safely (checked without converting them).
            self.diag.extend(prose_problems(ru.body, Location(ru.path, ru.body_line, 1)))
        return m.Update(
            id=data["id"], slug=ru.slug, title=data["title"], published=published, author_id=author,
            kind=m.UpdateKind(data.get("kind") or "progress"), body_markdown=ru.body,
            audiences=audiences, internal=bool(data.get("internal")), draft=bool(data.get("draft")),
            publish_after=publish_after, milestone_id=milestone or None, summary=data.get("summary") or "",
            location=data["__loc__"], body_line=ru.body_line)
