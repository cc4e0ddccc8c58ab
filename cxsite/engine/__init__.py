"""The only code that knows MkDocs (or ProperDocs) and Material.

:mod:`.adapter` builds one microsite's artifacts into a folder through
the engine's build API, :mod:`.plugin` hands the artifacts to it,
:mod:`.patches` corrects what stock Material writes, :mod:`.config` finds
the engine's configuration, :mod:`.serve` runs its live-reload server and
:mod:`.select` picks MkDocs or ProperDocs (before anything imports either).
"""
