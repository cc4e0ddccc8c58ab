"""Files to raw nodes: where every value came from, no meaning yet.

The first layer of the pipeline (docs/architecture.md). :mod:`.layout`
finds the portfolio's files, :mod:`.files` reads one safely,
:mod:`.documents` turns its bytes into YAML nodes (and an update's body)
that know their line and column, and :func:`.layout.assemble_customer`
puts one customer's documents together. :mod:`.schema` declares the
format: it drives validation (:mod:`cxsite.model`) and docs/format.md.
"""
