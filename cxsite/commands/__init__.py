"""Click commands that live beside the core CLI (registered in cxsite.cli)."""
