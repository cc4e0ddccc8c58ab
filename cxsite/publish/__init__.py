"""Publishing a finished site to where it is served: a folder for your own
web server (with access control), a static host, a git branch, or object
storage (:mod:`.site`); the web server recipes (:mod:`.access`); sending
e-mail digests (:mod:`.mail`)."""

from .site import AuditFailed, PublishError, PublishResult, Target, content_type, default_server_config, \
    parse_target, publish

__all__ = ["AuditFailed", "PublishError", "PublishResult", "Target", "content_type", "default_server_config",
           "parse_target", "publish"]
