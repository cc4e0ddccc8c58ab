"""The build: plan, run and commit, around the one cache (docs/architecture.md)."""

from .run import BuildResult, build_portfolio

__all__ = ["BuildResult", "build_portfolio"]
