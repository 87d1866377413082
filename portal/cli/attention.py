"""``sanad attention scan``: articles that need a knowledge manager's attention."""

from __future__ import annotations

import click

from portal.cli.base import _services, main
from portal.db import transaction, utcnow

# --- content health ------------------------------------------------------------------------


@main.group()
def attention() -> None:
    """Articles that need a knowledge manager's attention (docs/lifecycle.md)."""


@attention.command("scan")
@click.option("--no-mail", is_flag=True, help="Raise the rows but do not mail the owners.")
def attention_scan(no_mail: bool) -> None:
    """Flag articles (votes, reopens, agents' flags, review dates, stale translations) and
    mail each new flag's owner once. Safe to run from cron as often as you like."""
    from portal.editorial.attention import notify_owners, scan_attention

    services = _services()
    with transaction(services.sessions) as session:
        report = scan_attention(session, services.repository, services.settings, now=utcnow())
    for reason, count in sorted(report.raised.items()):
        click.echo(f"{reason}: {count} new")
    click.echo(
        f"{report.new_rows} new, {report.bumped} refreshed, {report.resolved} resolved "
        "(no longer true)"
    )
    if not no_mail:
        link = services.settings.tickets.public_url.rstrip("/") + "/attention/"
        mailed = notify_owners(services.sessions, services.repository, link=link, now=utcnow)
        click.echo(f"{mailed} owner notice(s) sent")
