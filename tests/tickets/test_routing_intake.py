"""A routing rule fires when a ticket opens: it sets team, priority and tags, picks an agent of
the team, and the history records the rule and the words it matched."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from portal.accounts.models import UserInfo
from portal.accounts.teams import create_team
from portal.tickets.models import Ticket, TicketHistory
from portal.tickets.routing_models import RoutingRule
from tests.support.accounts import MakeUser, Run
from tests.support.tickets import MakeTicket


def _add_rule(session: Session) -> None:
    session.add(
        RoutingRule(
            name="Passwords",
            position=1,
            enabled=True,
            words=["كلمة المرور"],
            set_team="accounts",
            set_priority="high",
            set_tags=["password"],
        )
    )


def test_rule_routes_a_new_ticket_and_history_says_why(
    run: Run, make_user: MakeUser, make_ticket: MakeTicket
) -> None:
    admin = make_user("admin")
    run(create_team, admin, key="accounts", name_ar="الحسابات", name_en="Accounts")
    member = make_user("agent", tier=1, teams=("accounts",))
    run(_add_rule)
    opened = make_ticket("نسيت كلمه المرور", "لا أستطيع الدخول")

    def look(session: Session) -> tuple[Ticket, list[TicketHistory]]:
        ticket = session.get(Ticket, opened.id)
        assert ticket is not None
        rows = session.scalars(
            select(TicketHistory).where(
                TicketHistory.ticket_id == opened.id, TicketHistory.action == "routed"
            )
        ).all()
        session.expunge_all()
        return ticket, list(rows)

    ticket, routed = run(look)
    assert (ticket.team, ticket.priority, ticket.assignee_id) == ("accounts", "high", member.id)
    assert "password" in ticket.tags
    assert [(r.note, r.new_value) for r in routed] == [("Passwords", "«كلمة المرور»")]


def test_no_rule_matches_leaves_the_ticket_as_it_was(run: Run, make_ticket: MakeTicket) -> None:
    run(_add_rule)
    opened = make_ticket("VPN drops", "every hour")
    assert opened.team == "support"
    assert "password" not in opened.tags


def test_a_domain_and_category_rule_sets_the_category_and_its_named_assignee(
    run: Run, make_user: MakeUser, make_ticket: MakeTicket, requester: UserInfo
) -> None:
    chosen = make_user("agent", name="Noura", tier=1, teams=("support",))
    make_user("agent", name="Other", tier=1, teams=("support",))
    domain = requester.email.rsplit("@", 1)[1]

    def add(session: Session) -> None:
        session.add(
            RoutingRule(
                name="Finance requests",
                position=1,
                enabled=True,
                category="network",
                requester_domain=domain,
                set_category="billing",
                set_assignee_id=chosen.id,
            )
        )

    run(add)
    other = make_ticket("VPN drops", "every hour", category="accounts")  # category differs
    assert (other.category, other.assignee_id) == ("accounts", None)
    routed = make_ticket("VPN drops", "every hour", category="network")
    assert (routed.category, routed.assignee_id) == ("billing", chosen.id)

    def history(session: Session) -> list[tuple[str | None, str | None]]:
        return [
            (h.note, h.new_value)
            for h in session.scalars(
                select(TicketHistory).where(
                    TicketHistory.ticket_id == routed.id, TicketHistory.action == "routed"
                )
            )
        ]

    assert run(history) == [("Finance requests", None)]  # no words: nothing quoted
