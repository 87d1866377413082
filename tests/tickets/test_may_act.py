"""``may_act``: before any field is looked at, the tickets service says whether this viewer
may do this action to this ticket in its state now, with the error the action itself raises.

A page or API call that refuses its input asks this first, so its field errors never tell
anything about a ticket the viewer may not see or act on."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest

from portal.accounts.models import UserInfo
from portal.config import TicketSettings
from portal.tickets import access, assignment, conversation, resolution
from portal.tickets.errors import (
    InvalidTransition,
    TicketError,
    TicketForbidden,
    TicketNotFound,
    ValidationError,
)
from tests.support.accounts import Run
from tests.support.tickets import MakeTicket

MakeUser = Callable[..., UserInfo]


def outcome(run: Run, fn: Callable[..., object], *args: object, **kwargs: object) -> str:
    """The name of the error ``fn`` raised, or "ok"; a field error counts as "ok" here (the
    access check passed and only the fields were refused)."""
    try:
        run(fn, *args, **kwargs)
    except ValidationError:
        return "ok"
    except TicketError as error:
        return type(error).__name__
    return "ok"


def test_who_may_act_comes_before_the_fields_and_matches_the_action(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    make_user: MakeUser,
    requester: UserInfo,
    agent: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    outsider = make_user()
    other_team = make_user("agent", tier=1, teams=("network",))
    settings = ticket_settings

    def check(viewer: UserInfo | None, action: str, reference: str, **kw: object) -> str:
        return outcome(run, access.may_act, settings, viewer, reference, action, now=now, **kw)

    # Empty fields: the action is refused by its fields only when the viewer may act at all.
    empty_actions: dict[str, Callable[[UserInfo | None, str], str]] = {
        "reply": lambda v, r: outcome(
            run, conversation.add_reply, settings, v, r, body="", now=now
        ),
        "escalate": lambda v, r: outcome(run, assignment.escalate_ticket, v, r, reason="", now=now),
        "resolve": lambda v, r: outcome(
            run, resolution.resolve_ticket, settings, v, r, note="", now=now
        ),
        "rate": lambda v, r: outcome(run, resolution.rate_ticket, v, r, rating=0, now=now),
    }
    seen = set()
    for viewer in (None, requester, outsider, agent, other_team):
        for action, act in empty_actions.items():
            for reference in (ticket.reference, "HD-999999"):
                expected = check(viewer, action, reference)
                assert act(viewer, reference) == expected, (viewer, action, reference)
                seen.add(expected)
            # A ticket one may not see answers exactly like a missing one.
            if check(viewer, action, ticket.reference) == "TicketNotFound":
                assert check(viewer, action, "HD-999999") == "TicketNotFound"
    assert seen == {"ok", "TicketNotFound", "TicketForbidden", "InvalidTransition"}
    assert check(outsider, "reply", ticket.reference) == "TicketNotFound"
    assert check(other_team, "resolve", ticket.reference) == "TicketNotFound"
    assert check(requester, "escalate", ticket.reference) == "TicketForbidden"
    assert check(requester, "reply", ticket.reference, internal=True) == "TicketForbidden"
    assert check(requester, "rate", ticket.reference) == "InvalidTransition"  # not resolved
    assert check(agent, "resolve", ticket.reference) == "ok"


def test_state_refusals_come_before_field_errors(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    requester: UserInfo,
    agent: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    run(resolution.resolve_ticket, ticket_settings, agent, ticket.reference, note="Done", now=now)
    run(resolution.confirm_resolution, requester, ticket.reference, now=now)
    # Closed: an empty reply is a 409 (not "write a message"), an empty note is only a field
    # error, an escalation with no reason is a 409.
    with pytest.raises(InvalidTransition):
        run(conversation.add_reply, ticket_settings, agent, ticket.reference, body="", now=now)
    with pytest.raises(ValidationError):
        run(
            conversation.add_reply,
            ticket_settings,
            agent,
            ticket.reference,
            body="",
            internal=True,
            now=now,
        )
    with pytest.raises(InvalidTransition):
        run(assignment.escalate_ticket, agent, ticket.reference, reason="", now=now)
    with pytest.raises(InvalidTransition):
        run(
            resolution.reopen_ticket,
            ticket_settings,
            requester,
            ticket.reference,
            reason="x" * 100_000,
            now=now,
        )
    with pytest.raises(TicketForbidden):
        run(resolution.confirm_resolution, agent, ticket.reference, now=now)
    with pytest.raises(TicketNotFound):
        run(access.may_act, ticket_settings, requester, "HD-999999", "confirm", now=now)


def test_an_unknown_action_is_a_programming_error(
    run: Run,
    ticket_settings: TicketSettings,
    make_ticket: MakeTicket,
    agent: UserInfo,
    now: dt.datetime,
) -> None:
    ticket = make_ticket()
    with pytest.raises(ValueError, match="not a staff action"):
        run(access.may_act, ticket_settings, agent, ticket.reference, "delete", now=now)
