"""One event, several recipients: each reads the mail in their own language (the attention
mail to two knowledge managers, Arabic and English), through the outbox and a real SMTP
server on loopback."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from portal.db import transaction
from portal.editorial.attention import notify_owners
from portal.kb import health
from portal.kb.repository import ArticleRepository
from tests.support.accounts import MakeUser
from tests.support.catalogs import compile_catalogs
from tests.support.mail import Inbox

NOW = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)


def test_each_manager_reads_the_attention_mail_in_their_language(
    sessions: sessionmaker[Session],
    make_user: MakeUser,
    articles_dir: Path,
    smtp_server: Inbox,
    deliver: Callable[[], int],
) -> None:
    compile_catalogs()
    make_user("knowledge_manager", email="huda@example.com", lang="ar")
    make_user("knowledge_manager", email="tom@example.com", lang="en")
    with transaction(sessions) as session:
        health.raise_attention(
            session,
            article_id="vpn-setup",  # no such file: the row names the article by its id
            lang=None,
            reason="agent_flag",
            detail="HD-000007: <b>mention the token</b>",
            now=NOW,
        )
    mailed = notify_owners(
        sessions,
        ArticleRepository(articles_dir),
        link="https://help.example.com/attention/",
        now=lambda: NOW,
    )
    assert mailed == 1
    assert deliver() == 2
    by_address = {str(m["To"]): m for m in smtp_server.messages}
    arabic, english = by_address["huda@example.com"], by_address["tom@example.com"]
    assert arabic["Subject"] == "[سند] مقالة تحتاج إلى مراجعة: vpn-setup"
    assert english["Subject"] == "[Sanad] An article needs attention: vpn-setup"
    assert (arabic["Content-Language"], english["Content-Language"]) == ("ar", "en")
    arabic_html = arabic.get_body(("html",)).get_content()
    assert '<html lang="ar" dir="rtl">' in arabic_html
    assert "السبب: يرى أحد موظفي الدعم أنها كان ينبغي أن تجيب عن طلب" in arabic_html
    assert "&lt;b&gt;mention the token&lt;/b&gt;" in arabic_html
    english_text = english.get_body(("plain",)).get_content()
    assert "Reason: an agent says it should have answered a ticket" in english_text
    assert "HD-000007: <b>mention the token</b>" in english_text  # plain text stays as typed
