"""Who sees what, and when: the only layer that decides.

:mod:`.microsite` cuts one view per (customer, audience) out of the
portfolio; :mod:`.facts` and :mod:`.rules` say what holds at the build's
moment. Time reaches them through one clock (:mod:`.clock`).
"""

from .microsite import (Microsite, is_published, last_told, microsite, microsites, next_embargo, release_time,
                        told_updates, visible_to)

__all__ = ["Microsite", "is_published", "last_told", "microsite", "microsites", "next_embargo", "release_time",
           "told_updates", "visible_to"]
