"""cxsite's own words and locale-aware formatting (Babel).

Material translates its own interface (search, navigation) from the
``theme.language`` setting; this module translates what cxsite adds.
Every time is shown in the customer's zone with the zone named.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.core import Locale as BabelLocale, UnknownLocaleError, get_global
from babel.dates import format_date, format_datetime, format_time
from babel.numbers import format_currency, format_decimal

LANGUAGES = ("en", "de")

WORDS: dict[str, dict[str, str]] = {
    "en": {
        "on_track": "On track", "at_risk": "At risk", "off_track": "Off track",
        "planned": "Planned", "active": "Active", "on_hold": "On hold", "completed": "Completed",
        "cancelled": "Cancelled", "scheduled": "Scheduled", "in_progress": "In progress",
        "open": "Open", "decided": "Decided", "withdrawn": "Withdrawn",
        "low": "Low", "medium": "Medium", "high": "High",
        "progress": "Progress", "milestone": "Milestone", "disruption": "Disruption", "decision": "Decision",
        "risk": "Risk",
        "weekly": "weekly", "fortnightly": "every two weeks", "monthly": "monthly",
        "home": "Overview", "projects": "Projects", "updates": "Updates", "contacts": "Contacts",
        "subscribe": "Subscribe", "project_status": "Project status",
        "your_projects": "Your projects", "percent_complete": "{percent} % complete",
        "next_milestone": "Next milestone", "next_disruption": "Next disruption", "latest_update": "Latest update",
        "next_update_due": "Next update due", "update_overdue": "Update overdue since {date}",
        "no_updates_yet": "No updates yet", "none_planned": "None planned", "none": "None",
        "what_changes": "What changes for you, and when", "upcoming_disruptions": "Upcoming disruptions",
        "past_disruptions": "Past disruptions", "no_upcoming_disruptions": "No disruptions are planned.",
        "decisions_needed": "Decisions we need from you", "decisions": "Decisions",
        "no_open_decisions": "Nothing is waiting for you right now.",
        "decision_owner": "Who decides", "due": "Due", "outcome": "Outcome", "overdue": "Overdue",
        "your_contacts": "Your contacts", "cx_owner": "Owns your experience",
        "cx_owner_long": "accountable for your experience with us",
        "primary_contact": "Your primary contact", "handles": "Contact about",
        "escalation": "Escalation path", "escalation_intro": "If something is not resolved, contact in this order:",
        "project_contacts": "Project contacts", "add_to_contacts": "Add to contacts",
        "local_time": "local time {zone}",
        "stay_informed": "Stay informed", "subscribe_intro": "Follow this page in a feed reader or your calendar.",
        "feed_rss": "News feed (RSS)", "feed_atom": "News feed (Atom)", "feed_json": "News feed (JSON Feed)",
        "calendar": "Calendar of milestones and disruptions", "all_projects": "All projects",
        "howto": "How to subscribe",
        "howto_feed": "Feed readers (Feedly, Inoreader, Thunderbird, NetNewsWire, newsboat) and the RSS apps of "
                      "Microsoft Teams and Slack: copy the feed address and add it as a new subscription.",
        "howto_outlook": "Outlook: Add calendar, Subscribe from web, paste the calendar address.",
        "howto_google": "Google Calendar: Other calendars, From URL, paste the calendar address.",
        "howto_apple": "Apple Calendar: click the calendar link, or File, New Calendar Subscription.",
        "howto_update": "Subscribed calendars update by themselves: moved or cancelled events change in place.",
        "copy_address": "Address",
        "summary": "Summary", "health": "Health", "status": "Status", "why": "Why",
        "key_dates": "Key dates", "start": "Start", "planned_end": "Planned end", "forecast_end": "Forecast end",
        "timeline": "Timeline", "today": "Today", "done_on": "Done {date}", "planned_for": "Planned {date}",
        "forecast_for": "Forecast {date}", "late_by": "{days} days later than planned", "late_by_one": "1 day later than planned", "late": "Late",
        "done": "Done", "upcoming": "Upcoming", "milestone_reached": "Milestone reached",
        "affects": "Affects", "impact": "Impact", "when": "When", "add_to_calendar": "Add to calendar",
        "rescheduled": "Rescheduled", "previously": "Previously {window}",
        "budget": "Budget", "approved": "Approved", "spent": "Spent", "forecast": "Forecast at completion",
        "spent_share": "{percent} % of the approved budget spent",
        "measures": "Measures", "measure": "Measure", "target": "Target", "actual": "Actual",
        "met": "Met", "not_met": "Not met", "not_measured": "Not measured yet",
        "higher_better": "higher is better", "lower_better": "lower is better",
        "what_you_told_us": "What you told us", "survey_date": "Survey", "score": "Score",
        "respondents": "{count} responses", "comment": "Comment",
        "project_updates": "Updates", "all_updates": "All updates", "by_month": "By month", "by_kind": "By kind",
        "written_by": "Written by", "related_milestone": "Related milestone", "back_to_project": "Back to {project}",
        "feedback_title": "How are we doing?",
        "feedback_text": "Tell us what works and what does not. We read every message.",
        "feedback_form": "Give feedback", "feedback_email": "E-mail us",
        "survey_invite": "This project is complete. Please tell us how it went in a short survey.",
        "survey_link": "Take the survey", "times_in": "Times are shown in {zone} time.",
        "page_of": "{site}", "phone": "Phone", "email": "E-mail", "project": "Project",
        "kind": "Kind", "date": "Date", "title": "Title", "no_measures": "No measures yet.",
        "updates_count": "{count} updates", "cadence_promise": "We publish an update {cadence}.",
        "skip_to_content": "Skip to content", "not_found": "Page not found",
        "not_found_text": "This page does not exist (any more). Start again from the overview.",
        "embargo_none": "", "of_total": "of", "no_projects": "There are no projects to show yet.",
    },
    "de": {
        "on_track": "Im Plan", "at_risk": "Gefährdet", "off_track": "Kritisch",
        "planned": "Geplant", "active": "Aktiv", "on_hold": "Pausiert", "completed": "Abgeschlossen",
        "cancelled": "Abgesagt", "scheduled": "Angesetzt", "in_progress": "Läuft",
        "open": "Offen", "decided": "Entschieden", "withdrawn": "Zurückgezogen",
        "low": "Gering", "medium": "Mittel", "high": "Hoch",
        "progress": "Fortschritt", "milestone": "Meilenstein", "disruption": "Einschränkung",
        "decision": "Entscheidung", "risk": "Risiko",
        "weekly": "wöchentlich", "fortnightly": "alle zwei Wochen", "monthly": "monatlich",
        "home": "Übersicht", "projects": "Projekte", "updates": "Neuigkeiten", "contacts": "Kontakte",
        "subscribe": "Abonnieren", "project_status": "Projektstatus",
        "your_projects": "Ihre Projekte", "percent_complete": "{percent} % erledigt",
        "next_milestone": "Nächster Meilenstein", "next_disruption": "Nächste Einschränkung",
        "latest_update": "Letzte Neuigkeit", "next_update_due": "Nächste Neuigkeit fällig",
        "update_overdue": "Neuigkeit überfällig seit {date}",
        "no_updates_yet": "Noch keine Neuigkeiten", "none_planned": "Keine geplant", "none": "Keine",
        "what_changes": "Was sich für Sie ändert, und wann", "upcoming_disruptions": "Anstehende Einschränkungen",
        "past_disruptions": "Vergangene Einschränkungen",
        "no_upcoming_disruptions": "Es sind keine Einschränkungen geplant.",
        "decisions_needed": "Entscheidungen, die wir von Ihnen brauchen", "decisions": "Entscheidungen",
        "no_open_decisions": "Im Moment wartet nichts auf Sie.",
        "decision_owner": "Wer entscheidet", "due": "Fällig", "outcome": "Ergebnis", "overdue": "Überfällig",
        "your_contacts": "Ihre Ansprechpersonen", "cx_owner": "Verantwortlich für Ihre Erfahrung",
        "cx_owner_long": "verantwortlich für Ihre Erfahrung mit uns",
        "primary_contact": "Ihre Ansprechperson", "handles": "Zuständig für",
        "escalation": "Eskalationsweg",
        "escalation_intro": "Wenn etwas nicht gelöst wird, wenden Sie sich in dieser Reihenfolge an:",
        "project_contacts": "Projektkontakte", "add_to_contacts": "Zu Kontakten hinzufügen",
        "local_time": "Ortszeit {zone}",
        "stay_informed": "Auf dem Laufenden bleiben",
        "subscribe_intro": "Verfolgen Sie diese Seite im Feedreader oder in Ihrem Kalender.",
        "feed_rss": "Newsfeed (RSS)", "feed_atom": "Newsfeed (Atom)", "feed_json": "Newsfeed (JSON Feed)",
        "calendar": "Kalender mit Meilensteinen und Einschränkungen", "all_projects": "Alle Projekte",
        "howto": "So abonnieren Sie",
        "howto_feed": "Feedreader (Feedly, Inoreader, Thunderbird, NetNewsWire, newsboat) und die RSS-Apps von "
                      "Microsoft Teams und Slack: Feed-Adresse kopieren und als neues Abonnement hinzufügen.",
        "howto_outlook": "Outlook: Kalender hinzufügen, Aus dem Internet abonnieren, Kalenderadresse einfügen.",
        "howto_google": "Google Kalender: Weitere Kalender, Per URL, Kalenderadresse einfügen.",
        "howto_apple": "Apple Kalender: Kalenderlink anklicken oder Ablage, Neues Kalenderabonnement.",
        "howto_update": "Abonnierte Kalender aktualisieren sich selbst: verschobene oder abgesagte Termine ändern "
                        "sich an Ort und Stelle.",
        "copy_address": "Adresse",
        "summary": "Zusammenfassung", "health": "Zustand", "status": "Status", "why": "Warum",
        "key_dates": "Wichtige Termine", "start": "Beginn", "planned_end": "Geplantes Ende",
        "forecast_end": "Erwartetes Ende",
        "timeline": "Zeitplan", "today": "Heute", "done_on": "Erledigt am {date}", "planned_for": "Geplant {date}",
        "forecast_for": "Erwartet {date}", "late_by": "{days} Tage später als geplant", "late_by_one": "1 Tag später als geplant", "late": "Verspätet",
        "done": "Erledigt", "upcoming": "Anstehend", "milestone_reached": "Meilenstein erreicht",
        "affects": "Betrifft", "impact": "Auswirkung", "when": "Wann", "add_to_calendar": "In den Kalender",
        "rescheduled": "Verschoben", "previously": "Vorher {window}",
        "budget": "Budget", "approved": "Genehmigt", "spent": "Ausgegeben", "forecast": "Prognose bei Abschluss",
        "spent_share": "{percent} % des genehmigten Budgets ausgegeben",
        "measures": "Kennzahlen", "measure": "Kennzahl", "target": "Ziel", "actual": "Ist",
        "met": "Erreicht", "not_met": "Nicht erreicht", "not_measured": "Noch nicht gemessen",
        "higher_better": "höher ist besser", "lower_better": "niedriger ist besser",
        "what_you_told_us": "Was Sie uns gesagt haben", "survey_date": "Umfrage", "score": "Bewertung",
        "respondents": "{count} Antworten", "comment": "Kommentar",
        "project_updates": "Neuigkeiten", "all_updates": "Alle Neuigkeiten", "by_month": "Nach Monat",
        "by_kind": "Nach Art",
        "written_by": "Geschrieben von", "related_milestone": "Zugehöriger Meilenstein",
        "back_to_project": "Zurück zu {project}",
        "feedback_title": "Wie machen wir uns?",
        "feedback_text": "Sagen Sie uns, was gut läuft und was nicht. Wir lesen jede Nachricht.",
        "feedback_form": "Feedback geben", "feedback_email": "E-Mail schreiben",
        "survey_invite": "Dieses Projekt ist abgeschlossen. Bitte sagen Sie uns in einer kurzen Umfrage, wie es lief.",
        "survey_link": "Zur Umfrage", "times_in": "Zeiten in der Zeitzone {zone}.",
        "page_of": "{site}", "phone": "Telefon", "email": "E-Mail", "project": "Projekt",
        "kind": "Art", "date": "Datum", "title": "Titel", "no_measures": "Noch keine Kennzahlen.",
        "updates_count": "{count} Neuigkeiten", "cadence_promise": "Wir veröffentlichen {cadence} eine Neuigkeit.",
        "skip_to_content": "Zum Inhalt springen", "not_found": "Seite nicht gefunden",
        "not_found_text": "Diese Seite gibt es nicht (mehr). Beginnen Sie wieder bei der Übersicht.",
        "embargo_none": "", "of_total": "von", "no_projects": "Noch keine Projekte.",
    },
}


@lru_cache(maxsize=None)
def babel_locale(language: str, zone: ZoneInfo) -> str:
    """The formatting locale: the language as spoken where the customer's
    time zone is (en + Europe/London -> en_GB, en + America/Chicago -> en_US).
    Memoised: Babel parses the locale data on every lookup, and a microsite
    formats thousands of dates."""
    territory = get_global("zone_territories").get(zone.key)
    if territory:
        candidate = f"{language}_{territory}"
        try:
            BabelLocale.parse(candidate)
            return candidate
        except (UnknownLocaleError, ValueError):
            pass
    return language


@lru_cache(maxsize=8192)
def _format_date(value: dt.date, style: str, locale: str) -> str:
    """Memoised: pages and the dashboard show the same few hundred dates
    thousands of times, and Babel parses its locale on every call."""
    return format_date(value, format=style, locale=locale)


def _day(value: dt.date) -> dt.date:
    """The calendar day Babel formats. (Aware datetimes at the same instant
    compare equal whatever their zones, so they must not be memo keys.)"""
    return value.date() if isinstance(value, dt.datetime) else value


@dataclass(frozen=True)
class Locale:
    """Words and formats for one customer: its language and time zone."""

    language: str
    zone: ZoneInfo

    @property
    def formats(self) -> str:
        return babel_locale(self.language, self.zone)

    def t(self, key: str, **values: object) -> str:
        if values.get("days") == 1 and f"{key}_one" in WORDS["en"]:
            key = f"{key}_one"  # the one plural our words need
        text = WORDS[self.language].get(key) or WORDS["en"][key]
        return text.format(**values) if values else text

    def date(self, value: dt.date, style: str = "medium") -> str:
        return _format_date(_day(value), style, self.formats)

    def month(self, value: dt.date) -> str:
        return _format_date(_day(value), "LLLL y", self.formats)

    def local(self, value: dt.datetime) -> dt.datetime:
        return value.astimezone(self.zone)

    def datetime(self, value: dt.datetime) -> str:
        """Date, time and zone abbreviation in the customer's zone."""
        local = self.local(value)
        return (f"{format_date(local, format='medium', locale=self.formats)}, "
                f"{format_time(local, format='short', locale=self.formats)} {self.zone_abbreviation(local)}")

    def time(self, value: dt.datetime) -> str:
        local = self.local(value)
        return f"{format_time(local, format='short', locale=self.formats)} {self.zone_abbreviation(local)}"

    def window(self, start: dt.datetime, end: dt.datetime) -> str:
        """'24 Oct 2026, 22:00 BST – 25 Oct 2026, 04:00 GMT', shortened on one day."""
        a, b = self.local(start), self.local(end)
        if a.date() == b.date():
            return f"{self.datetime(a)} – {self.time(b)}"
        return f"{self.datetime(a)} – {self.datetime(b)}"

    @staticmethod
    def zone_abbreviation(local: dt.datetime) -> str:
        name = local.tzname() or ""
        if name and not name[0] in "+-":
            return name
        return format_datetime(local, "ZZZZ", locale="en")  # 'GMT+03:00' where the zone has no abbreviation

    def number(self, value: float) -> str:
        return format_decimal(value, locale=self.formats)

    def money(self, value: float, currency: str) -> str:
        """Whole amounts without decimals (budgets are large round numbers)."""
        if value == int(value):
            pattern = BabelLocale.parse(self.formats).currency_formats["standard"].pattern
            pattern = pattern.split(";")[0].replace(".00", "").replace(",00", "")
            return format_currency(value, currency, format=pattern, locale=self.formats, currency_digits=False)
        return format_currency(value, currency, locale=self.formats)

    def iso(self, value: dt.datetime) -> str:
        return self.local(value).isoformat()
