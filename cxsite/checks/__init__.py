"""Reading back what a build wrote: subscriptions, the privacy audit, the manifest.

:mod:`.readback` parses every feed, calendar and vCard as subscribers'
software will; :mod:`.audit` looks for what an audience must not see in
every byte of its microsite; :mod:`.manifest` is the one typed record of
what an output folder holds.
"""
