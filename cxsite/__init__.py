"""cxsite: customer-facing project status microsites from YAML and Markdown."""

__version__ = "0.1.0"
