"""Tickets in service-level tests."""

from __future__ import annotations

from collections.abc import Callable

from portal.tickets.values import TicketInfo

# make_ticket(subject=..., body=..., *, by=requester, trail=..., at=now, **draft_fields)
MakeTicket = Callable[..., TicketInfo]
