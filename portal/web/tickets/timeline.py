"""A ticket's conversation as one timeline: the requester's and the agents' messages, internal
notes, and what happened to the ticket as system lines (for agents: status, assignment,
escalation, service levels...; for the requester: every resolution, reopening and closing,
the only history they are given), in the order it happened, each marked with who speaks."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from portal.tickets.values import MessageInfo, TicketDetail, TicketInfo
from portal.web.tickets.history import HistoryLine, history_lines

Speaker = Literal["requester", "agent", "note", "system"]

# History rows the conversation already shows as a message or an attachment.
_SHOWN_AS_MESSAGES = frozenset({"opened", "reply", "note", "attach"})


@dataclass(frozen=True)
class TimelineItem:
    speaker: Speaker
    message: MessageInfo | None = None
    line: HistoryLine | None = None


def speaker_of(message: MessageInfo, ticket: TicketInfo) -> Speaker:
    """An internal note, the requester (their account, their private link or their mail:
    no account behind it), or an agent."""
    if message.internal:
        return "note"
    if message.author_id is None or message.author_id == ticket.requester_id:
        return "requester"
    return "agent"


def timeline(
    ticket: TicketInfo, messages: Iterable[MessageInfo], lines: Iterable[HistoryLine]
) -> list[TimelineItem]:
    """Messages and system lines by time; at the same instant a message comes first."""
    stamped: list[tuple[dt.datetime, int, TimelineItem]] = [
        (m.created_at, 0, TimelineItem(speaker_of(m, ticket), message=m)) for m in messages
    ]
    stamped += [
        (line.entry.created_at, 1, TimelineItem("system", line=line))
        for line in lines
        if line.entry.action not in _SHOWN_AS_MESSAGES
    ]
    stamped.sort(key=lambda row: (row[0], row[1]))
    return [item for _at, _order, item in stamped]


def requester_timeline(detail: TicketDetail) -> list[TimelineItem]:
    """The requester's page (an account's or a private link's): their history is only the
    resolutions, reopenings and closing (``portal.tickets.conversation``)."""
    lines = history_lines(detail.history, category_names={}, article_titles={})
    return timeline(detail.ticket, detail.messages, lines)
