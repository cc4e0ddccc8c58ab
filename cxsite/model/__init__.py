"""The portfolio model: typed, validated, immutable objects (see :mod:`.objects`).

:mod:`.validate` builds them from what :mod:`cxsite.source` read, collecting
every problem before raising; :mod:`.prose` bounds the work a Markdown text
may cost; :mod:`.load` reads and validates a whole portfolio from disk.
"""

from .objects import (NOWHERE, Access, Audience, Better, Brand, Budget, Cadence, Customer, Decision, DecisionStatus,
                      Disruption, DisruptionStatus, Feedback, Health, Impact, Measure, Milestone, Organisation,
                      Person, Portfolio, PrimaryContact, Project, SiteSettings, Status, SurveyResult, Team, Update,
                      UpdateKind, Window)

__all__ = ["NOWHERE", "Access", "Audience", "Better", "Brand", "Budget", "Cadence", "Customer", "Decision",
           "DecisionStatus", "Disruption", "DisruptionStatus", "Feedback", "Health", "Impact", "Measure", "Milestone",
           "Organisation", "Person", "Portfolio", "PrimaryContact", "Project", "SiteSettings", "Status",
           "SurveyResult", "Team", "Update", "UpdateKind", "Window"]
