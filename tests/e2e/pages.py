"""Every page a person sees, per role, over one site with data (a ticket with a file, a
visitor's ticket, a draft, a stale translation), for the whole-site checks (layout, axe).

``PAGES`` maps a role to paths; ``{ticket}``, ``{visit}``, ``{draft}``, ``{user}``, ``{mail}``,
``{rule}`` are filled from the data ``pages_site`` creates. A page added to the portal belongs
here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from sqlalchemy import select

from portal.db import transaction
from portal.kb.draft_model import DraftInput, Editor
from portal.kb.workflow import create_draft
from portal.notify.mailbox import MailboxMessage
from portal.notify.outbox import deliver_due
from portal.tickets.intake import open_ticket
from portal.tickets.routing_admin import RuleInput, save_rule
from portal.tickets.saved_views import save_view
from portal.tickets.values import TicketDraft
from tests.e2e.sites import ARTICLES, Site, add_user, git, make_app, serve, write_articles

ROLES = ("visitor", "requester", "agent", "knowledge_manager", "trainer", "admin")

PAGES: Mapping[str, tuple[str, ...]] = {
    "visitor": (
        "/",
        "/search?q=vpn",
        "/search?q=كلمة+المرور",
        "/kb/ar/reset-password",
        "/kb/en/reset-password",
        "/kb/category/accounts",
        "/workshops",
        "/tickets/new",
        "/tickets/link",
        "/tickets/visit/{visit}",
        "/auth/login",
        "/auth/register",
        "/auth/forgot",
    ),
    "requester": (
        "/",
        "/tickets",
        "/tickets/{ticket}",
        "/tickets/new",
        "/auth/profile",
        "/kb/ar/two-step",
    ),
    "agent": (
        "/agent",
        # A tab and a column sort, with the agent's saved view (named in Arabic) among the tabs.
        "/agent?tab=team&sort=subject&dir=desc",
        "/agent/tickets/{ticket}",
        "/agent/tickets/{ticket}/promote",
        "/agent/new",
        "/agent/canned",
        "/auth/profile",
        "/reports/me",
    ),
    "knowledge_manager": (
        "/review/",
        "/review/drafts/new",
        "/review/drafts/{draft}",
        "/review/articles/ar/reset-password/history",
        "/review/articles/en/reset-password/diff",
        "/attention/",
        "/attention/feedback",
        "/attention/learned",
        "/attention/translations",
        "/attention/translations/ar/reset-password",
        "/reports/knowledge",
    ),
    "trainer": ("/workshops", "/review/", "/review/drafts/new"),
    "admin": (
        "/admin/",
        "/admin/users",
        "/admin/users/{user}",
        "/admin/users/new",
        "/admin/jobs",
        "/admin/outbox",
        "/admin/mailbox",
        "/admin/mailbox/{mail}",
        "/admin/service-levels/",
        "/admin/teams",
        "/admin/teams/support",
        "/admin/routing",
        "/admin/routing/new",
        "/admin/routing/{rule}",
        "/reports/service",
        "/reports/knowledge",
        "/reports/me",
    ),
}

PEOPLE: Mapping[str, Mapping[str, object]] = {
    "requester": {"email": "reem.alharbi@example.com", "name": "ريم الحربي", "role": "requester"},
    "agent": {
        "email": "adel@example.com",
        "name": "عادل",
        "role": "agent",
        "tier": 1,
        "teams": ("support",),
    },
    "knowledge_manager": {"email": "km@example.com", "name": "منى", "role": "knowledge_manager"},
    "trainer": {"email": "trainer@example.com", "name": "Tariq Trainer", "role": "trainer"},
    "admin": {"email": "admin@example.com", "name": "سارة", "role": "admin"},
}


@dataclass(frozen=True)
class PagesSite:
    site: Site
    values: Mapping[str, str]

    def urls(self, role: str) -> tuple[str, ...]:
        return tuple(self.site.base + path.format(**self.values) for path in PAGES[role])


@contextmanager
def pages_site(root: Path) -> Iterator[PagesSite]:
    articles = write_articles(root, ARTICLES, message="pages knowledge base")
    # The English version changes after the Arabic one: a stale translation to look at.
    english = articles / "accounts/reset-password.en.md"
    english.write_text(
        english.read_text(encoding="utf-8") + "\nIf no code arrives, call 4444.\n", encoding="utf-8"
    )
    git(articles, "commit", "-q", "-am", "reset-password: the help line")
    app = make_app(root, articles, "pages-secret")
    services = app.extensions["sanad"]
    now = dt.datetime.now(dt.UTC)
    with transaction(services.sessions) as session:
        users = {key: add_user(session, now=now, **spec) for key, spec in PEOPLE.items()}  # type: ignore[arg-type]
        requester = users["requester"]
        opened = open_ticket(
            session,
            services.settings.tickets,
            requester=requester,
            draft=TicketDraft(
                subject="لا يعمل الاتصال بالـ VPN من المنزل (error 0x80070005)",
                body="جربت إعادة التشغيل مرتين. The client says: access denied.",
            ),
            files=(("سجل-الاتصال vpn-client.log.txt", b"connect failed\n" * 40),),
            now=now,
        )
        visitor = open_ticket(
            session,
            services.settings.tickets,
            requester=None,
            draft=TicketDraft(
                subject="Cannot print from the third floor",
                body="The printer shows a paper jam that is not there.",
                visitor_name="Yousef",
                visitor_email="yousef.external.contractor@example.org",
            ),
            now=now,
        )
        rule = save_rule(
            session,
            users["admin"],
            RuleInput(
                name="كلمات المرور إلى فريق الدعم (password resets)",
                words="كلمه المرور, reset password",
                set_priority="high",
                set_team="support",
            ),
        )
        save_view(
            session,
            users["agent"],
            name="تذاكر الشبكة العاجلة",
            params={"q": "VPN", "sort": "priority", "dir": "desc"},
            now=now,
        )
        manager = users["knowledge_manager"]
        editor = Editor(manager.id, manager.name, manager.email, frozenset(manager.roles))
        draft = create_draft(
            session,
            services.repository,
            services.settings,
            editor,
            DraftInput(
                title="طباعة المستندات من الحاسب المحمول",
                markdown="## الخطوات\n\nاختر الطابعة **Floor-3-HP** ثم اضغط طباعة.",
                lang="ar",
                category="support",
            ),
            now=now,
        )
    # The tickets' mails go to the local mailbox (no SMTP host), for its pages to show.
    deliver_due(services.sessions, services.settings.mail, now)
    with services.sessions() as session:
        mail = session.scalar(select(MailboxMessage.id).order_by(MailboxMessage.id))
    assert visitor.visitor_link is not None
    values = {
        "ticket": opened.ticket.reference,
        "visit": urlsplit(visitor.visitor_link).path.rsplit("/", 1)[1],
        "draft": draft.id,
        "user": str(requester.id),
        "mail": str(mail),
        "rule": str(rule.id),
    }
    with serve(app, users) as site:
        yield PagesSite(site, values)
