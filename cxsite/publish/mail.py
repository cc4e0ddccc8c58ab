"""Sending an e-mail digest over SMTP, with settings from the environment.

:meth:`SmtpSettings.from_env` reads ``CXSITE_SMTP_HOST``, ``CXSITE_SMTP_PORT``
(default 587), ``CXSITE_SMTP_USER`` and ``CXSITE_SMTP_PASSWORD`` (both or
neither), and STARTTLS unless ``CXSITE_SMTP_STARTTLS=0``.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import getaddresses
from typing import Mapping

from ..render.digest import DigestError


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str = ""
    password: str = ""
    starttls: bool = True

    @classmethod
    def from_env(cls, environ: Mapping[str, str] = os.environ) -> "SmtpSettings":
        host = environ.get("CXSITE_SMTP_HOST", "").strip()
        if not host:
            raise DigestError("CXSITE_SMTP_HOST is not set: give the SMTP server to send through (and "
                              "CXSITE_SMTP_PORT, CXSITE_SMTP_USER, CXSITE_SMTP_PASSWORD as it needs)")
        port_text = environ.get("CXSITE_SMTP_PORT", "").strip() or "587"
        if not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise DigestError(f"CXSITE_SMTP_PORT must be a port number, not '{port_text}'")
        user, password = environ.get("CXSITE_SMTP_USER", ""), environ.get("CXSITE_SMTP_PASSWORD", "")
        if user and not password:
            raise DigestError("CXSITE_SMTP_USER is set but CXSITE_SMTP_PASSWORD is not")
        if password and not user:
            raise DigestError("CXSITE_SMTP_PASSWORD is set but CXSITE_SMTP_USER is not")
        starttls = environ.get("CXSITE_SMTP_STARTTLS", "1").strip().lower() not in ("0", "false", "no", "off")
        return cls(host, int(port_text), user, password, starttls)


def send_digest(message: EmailMessage, settings: SmtpSettings, *, timeout: float = 30) -> list[str]:
    """Deliver ``message`` to its To addresses; returns them. Raises
    :class:`DigestError` (never with the password in it) when it cannot."""
    recipients = [addr for _, addr in getaddresses(message.get_all("To", []))]
    where = f"{settings.host}:{settings.port}"
    try:
        with smtplib.SMTP(settings.host, settings.port, timeout=timeout) as smtp:
            smtp.ehlo()
            if settings.starttls:
                smtp.starttls(context=ssl.create_default_context())
                smtp.ehlo()
            if settings.user:
                smtp.login(settings.user, settings.password)
            refused = smtp.send_message(message, to_addrs=recipients)
    except smtplib.SMTPNotSupportedError as exc:
        raise DigestError(f"{where} does not support {'STARTTLS' if settings.starttls else 'login'} ({exc}); "
                          "set CXSITE_SMTP_STARTTLS=0 only for a server on a trusted network") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise DigestError(f"{where} refused the login of '{settings.user}': {exc.smtp_code} "
                          f"{exc.smtp_error.decode(errors='replace')}") from None
    except (smtplib.SMTPException, OSError) as exc:
        raise DigestError(f"could not send through {where}: {exc}") from None
    if refused:
        raise DigestError(f"{where} refused {', '.join(sorted(refused))}; the others were sent")
    return recipients
