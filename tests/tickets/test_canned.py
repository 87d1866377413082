"""Canned responses, managed by agents."""

from __future__ import annotations

import datetime as dt

import pytest

from portal.accounts.models import UserInfo
from portal.tickets.canned_responses import (
    delete_canned_response,
    list_canned_responses,
    save_canned_response,
)
from portal.tickets.errors import CannedResponseNotFound, TicketForbidden, ValidationError
from tests.support.accounts import Run


def test_agents_create_edit_and_delete_canned_responses(
    run: Run, agent: UserInfo, requester: UserInfo, now: dt.datetime
) -> None:
    created = run(
        save_canned_response, agent, title="Restart", body="Please restart.", lang="en", now=now
    )
    run(
        save_canned_response,
        agent,
        title="إعادة التشغيل",
        body="أعد التشغيل من فضلك.",
        lang="ar",
        now=now,
    )
    edited = run(
        save_canned_response,
        agent,
        response_id=created.id,
        title="Restart first",
        body="Please restart, then tell us.",
        lang="en",
        now=now + dt.timedelta(hours=1),
    )
    assert (edited.id, edited.title) == (created.id, "Restart first")
    assert [r.title for r in run(list_canned_responses, agent, lang="en")] == ["Restart first"]
    assert len(run(list_canned_responses, agent)) == 2
    with pytest.raises(ValidationError) as caught:
        run(save_canned_response, agent, title="", body="x", lang="en", now=now)
    assert caught.value.field == "title"
    with pytest.raises(TicketForbidden):
        run(list_canned_responses, requester)
    run(delete_canned_response, agent, created.id)
    with pytest.raises(CannedResponseNotFound):
        run(delete_canned_response, agent, created.id)
