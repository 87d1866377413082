"""``sanad mail serve|fetch``: mail in, by an SMTP/LMTP listener or by polling IMAP
(docs/mail.md)."""

from __future__ import annotations

import signal
import threading

import click

from portal.cli.base import _services, main


@main.group()
def mail() -> None:
    """Incoming mail: tickets and replies by e-mail (docs/mail.md)."""


@mail.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8025, show_default=True, type=click.IntRange(1, 65535))
@click.option("--lmtp", is_flag=True, help="Speak LMTP (behind an MTA) instead of SMTP.")
def mail_serve(host: str, port: int, lmtp: bool) -> None:
    """Take mail for the support addresses (SANAD_SMTP_FROM, SANAD_MAIL_ADDRESSES) until
    stopped: new tickets, replies matched by their token; other recipients get 550."""
    from portal.mailin.server import make_listener

    services = _services()
    listener = make_listener(services.sessions, services.settings, host=host, port=port, lmtp=lmtp)
    try:
        listener.start()
    except (OSError, RuntimeError) as error:
        raise click.ClickException(f"cannot listen on {host}:{port}: {error}") from None
    addresses = ", ".join(services.settings.mailin.support_addresses) or "(none)"
    protocol = "LMTP" if lmtp else "SMTP"
    click.echo(f"taking mail by {protocol} on {host}:{port} for {addresses}; Ctrl-C stops")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        listener.stop()


@mail.command("fetch")
@click.option("--limit", default=500, show_default=True, type=click.IntRange(1))
def mail_fetch(limit: int) -> None:
    """Take the unseen messages of the IMAP mailbox (SANAD_IMAP_*), marking each taken;
    a message seen before (same Message-ID) is never taken twice."""
    from portal.mailin.fetch import FetchError, fetch_mail

    services = _services()
    try:
        done = fetch_mail(services.sessions, services.settings, limit=limit)
    except FetchError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"{done.seen} seen, {done.taken} taken, {done.duplicates} duplicate(s), "
        f"{done.deferred} deferred, {done.failed} failed"
    )
    if done.failed:
        raise SystemExit(1)
