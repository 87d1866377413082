"""Reply tokens: how a reply by mail finds its ticket.

Every ticket notification carries a token for its ticket and its recipient, in the Reply-To
address (``support+<token>@domain``), in ``X-Sanad-Ticket-Token`` and in its Message-ID, so
a mail program's In-Reply-To and References carry it too. The token is the ticket's id and an
HMAC of the id and the recipient's address under SANAD_SECRET_KEY: unguessable, nothing to
store, and bound to the person it was sent to. The bare reference in a subject is never
trusted (anyone can type ``HD-000123``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from email.utils import formataddr, parseaddr

from portal.config import TicketSettings

TOKEN_HEADER = "X-Sanad-Ticket-Token"  # noqa: S105  (a header name, not a secret)
# "r<ticket id>-<26 base32 letters>": lower-case, so it survives mail systems that fold the
# local part's case.
_TOKEN = re.compile(r"(?<![0-9a-z])r([0-9]{1,12})-([a-z2-7]{26})(?![0-9a-z])")


@dataclass(frozen=True)
class ReplyRoute:
    """What a notification about a ticket carries so that a reply finds its way back."""

    reply_to: str
    message_id: str
    headers: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FoundToken:
    ticket_id: int
    mac: str


def _mac(settings: TicketSettings, ticket_id: int, address: str) -> str:
    message = f"sanad-reply\0{ticket_id}\0{address.strip().lower()}".encode()
    digest = hmac.new(settings.reply_key.encode("utf-8"), message, hashlib.sha256).digest()
    return base64.b32encode(digest[:16]).decode("ascii").rstrip("=").lower()


def reply_token(settings: TicketSettings, ticket_id: int, address: str) -> str:
    """The token of ``ticket_id`` for mail sent to ``address``."""
    return f"r{ticket_id}-{_mac(settings, ticket_id, address)}"


def reply_route(settings: TicketSettings, ticket_id: int, address: str) -> ReplyRoute:
    """Reply-To, Message-ID and header of a notification about ``ticket_id`` to ``address``."""
    token = reply_token(settings, ticket_id, address)
    name, sender = parseaddr(settings.mail_from)
    local, _, domain = sender.partition("@")
    domain = domain or "localhost"
    reply_to = formataddr((name, f"{local or 'sanad'}+{token}@{domain}"))
    message_id = f"<{secrets.token_hex(8)}.{token}@{domain}>"
    return ReplyRoute(reply_to, message_id, ((TOKEN_HEADER, token),))


def find_tokens(texts: Iterable[str]) -> tuple[FoundToken, ...]:
    """Every token-shaped string in ``texts`` (addresses, headers), first seen first."""
    found: dict[tuple[int, str], FoundToken] = {}
    for text in texts:
        for match in _TOKEN.finditer(text.lower()):
            key = (int(match.group(1)), match.group(2))
            found.setdefault(key, FoundToken(*key))
    return tuple(found.values())


def token_for(settings: TicketSettings, token: FoundToken, addresses: Iterable[str]) -> str | None:
    """Which of ``addresses`` the token was issued to, or None when it is not genuine for any."""
    for address in addresses:
        if address and hmac.compare_digest(_mac(settings, token.ticket_id, address), token.mac):
            return address
    return None
