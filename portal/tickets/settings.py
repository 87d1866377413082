"""Ticket settings from ``SANAD_*`` environment variables, frozen.

Kept here until ``portal.config.Settings`` grows these fields; the names match the future
environment variables so moving them changes nothing for operators.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from portal.config import ConfigError

# Types identified from the file's first bytes (see portal.tickets.attachments), never its name.
DEFAULT_ATTACHMENT_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
)


@dataclass(frozen=True)
class TicketSettings:
    attachments_dir: Path
    # People without an account may open tickets with a name and e-mail address.
    visitor_tickets_enabled: bool = True
    # How long after resolution the requester may reopen instead of opening a new ticket;
    # after it, resolved tickets close (``close_resolved_tickets``).
    reopen_window: dt.timedelta = dt.timedelta(days=7)
    attachment_max_bytes: int = 10 * 1024 * 1024
    attachments_per_ticket: int = 20
    attachment_types: tuple[str, ...] = DEFAULT_ATTACHMENT_TYPES
    default_team: str = "support"
    # Category → team routing of new tickets; anything else goes to ``default_team``.
    category_teams: Mapping[str, str] = field(default_factory=dict)
    # Base of links in e-mails; the web layer's /tickets/<reference> is appended.
    public_url: str = "http://127.0.0.1:5000"

    def ticket_url(self, reference: str) -> str:
        return f"{self.public_url.rstrip('/')}/tickets/{reference}"


def load_ticket_settings(
    instance_dir: Path, environ: Mapping[str, str] | None = None
) -> TicketSettings:
    """Build the settings; ``instance_dir`` is ``Settings.instance_dir`` (attachments live
    under it by default, outside any served folder)."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get("SANAD_" + name, "")
        return value.strip() if value.strip() else None

    def number(name: str, default: int) -> int:
        raw = get(name)
        if raw is None:
            return default
        try:
            value = int(raw)
        except ValueError as exc:
            raise ConfigError(f"SANAD_{name} must be a whole number") from exc
        if value < 0:
            raise ConfigError(f"SANAD_{name} must not be negative")
        return value

    visitors = (get("VISITOR_TICKETS") or "true").lower()
    if visitors not in {"1", "true", "yes", "on", "0", "false", "no", "off"}:
        raise ConfigError(f"SANAD_VISITOR_TICKETS must be true or false, not {visitors!r}")
    types = get("ATTACHMENT_TYPES")
    routes: dict[str, str] = {}
    for pair in (get("CATEGORY_TEAMS") or "").split(","):
        category, _, team = pair.partition("=")
        if category.strip() and team.strip():
            routes[category.strip()] = team.strip().lower()
    return TicketSettings(
        attachments_dir=Path(get("ATTACHMENTS_DIR") or instance_dir / "attachments").resolve(),
        visitor_tickets_enabled=visitors in {"1", "true", "yes", "on"},
        reopen_window=dt.timedelta(days=number("REOPEN_WINDOW_DAYS", 7)),
        attachment_max_bytes=number("ATTACHMENT_MAX_BYTES", 10 * 1024 * 1024),
        attachment_types=(
            tuple(t.strip() for t in types.split(",") if t.strip())
            if types
            else DEFAULT_ATTACHMENT_TYPES
        ),
        default_team=(get("DEFAULT_TEAM") or "support").lower(),
        category_teams=routes,
        public_url=get("PUBLIC_URL") or "http://127.0.0.1:5000",
    )
