"""Writing the portfolio for the team: scaffolding (:mod:`.scaffold`) and
comment-preserving, validated edits of ``project.yml`` (:mod:`.edit`)."""
