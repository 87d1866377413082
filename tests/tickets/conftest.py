"""Fixtures for ticket tests: settings, a requester and an agent, ``make_ticket``.

Users, ``run`` and the SMTP server come from the root conftest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.tickets.intake import open_ticket
from portal.tickets.values import SelfServiceTrail, TicketDraft, TicketInfo
from tests.support.accounts import Run
from tests.support.tickets import MakeTicket


@pytest.fixture
def ticket_settings(tmp_path: Path) -> TicketSettings:
    return TicketSettings(attachments_dir=tmp_path / "instance" / "attachments")


@pytest.fixture
def requester(make_user: Callable[..., UserInfo]) -> UserInfo:
    return make_user("requester", name="Reem Requester")


@pytest.fixture
def agent(make_user: Callable[..., UserInfo]) -> UserInfo:
    return make_user("agent", name="Adel Agent", tier=1, teams=("support",))


@pytest.fixture
def make_ticket(
    run: Run, ticket_settings: TicketSettings, requester: UserInfo, now: dt.datetime
) -> MakeTicket:
    """Open a ticket as ``by`` (default: the ``requester`` fixture) with draft fields."""

    def make(
        subject: str = "VPN drops every hour",
        body: str = "It disconnects at :00.",
        *,
        by: UserInfo | None = requester,
        trail: SelfServiceTrail = SelfServiceTrail(),  # noqa: B008
        at: dt.datetime | None = None,
        **draft: Any,
    ) -> TicketInfo:
        result = run(
            open_ticket,
            ticket_settings,
            requester=by,
            draft=TicketDraft(subject=subject, body=body, **draft),
            trail=trail,
            now=at or now,
        )
        ticket: TicketInfo = result.ticket
        return ticket

    return make
