"""Mail settings from ``SANAD_SMTP_*`` environment variables, frozen."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from portal.config import ConfigError


@dataclass(frozen=True)
class MailSettings:
    """Where outbound mail goes. ``host=None`` means "write it to the log" (development)."""

    host: str | None = None
    port: int = 25
    user: str | None = None
    password: str | None = None
    sender: str = "Sanad <sanad@localhost>"
    starttls: bool = False
    timeout: float = 10.0

    def __repr__(self) -> str:  # never print the password into a log or traceback
        return (
            f"MailSettings(host={self.host!r}, port={self.port}, user={self.user!r}, "
            f"sender={self.sender!r}, starttls={self.starttls})"
        )


def load_mail_settings(environ: Mapping[str, str] | None = None) -> MailSettings:
    """Read ``SANAD_SMTP_HOST``, ``_PORT``, ``_USER``, ``_PASSWORD``, ``_FROM``, ``_STARTTLS``."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get("SANAD_SMTP_" + name, "")
        return value if value.strip() else None

    starttls_raw = (get("STARTTLS") or "false").strip().lower()
    if starttls_raw not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        raise ConfigError(f"SANAD_SMTP_STARTTLS must be true or false, not {starttls_raw!r}")
    starttls = starttls_raw in {"1", "true", "yes", "on"}
    port_raw = get("PORT")
    try:
        port = int(port_raw) if port_raw else (587 if starttls else 25)
    except ValueError as exc:
        raise ConfigError("SANAD_SMTP_PORT must be a port number") from exc
    return MailSettings(
        host=get("HOST"),
        port=port,
        user=get("USER"),
        password=get("PASSWORD"),
        sender=get("FROM") or MailSettings.sender,
        starttls=starttls,
    )
