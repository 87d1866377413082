"""``sanad users create`` and ``sanad tokens create|revoke``; the demo accounts."""

from __future__ import annotations

import datetime as dt

import click

from portal import Services
from portal.accounts import services as account_services
from portal.accounts.errors import PasswordRejected, UserNotFound
from portal.accounts.errors import ValidationError as AccountValidationError
from portal.accounts.models import LANGS, ROLES
from portal.cli.base import _fail, _services, main
from portal.config import (
    MAX_API_TOKEN_DAYS,
    Settings,
)
from portal.db import transaction, utcnow

# --- accounts ------------------------------------------------------------------------------


@main.group()
def users() -> None:
    """People who log in: agents, administrators, requesters."""


@users.command("create")
@click.option("--email", required=True, help="E-mail address (the log-in name).")
@click.option("--name", required=True, help="Display name.")
@click.option(
    "--role",
    "roles",
    multiple=True,
    type=click.Choice(ROLES),
    default=("requester",),
    show_default=True,
    help="A role; repeat for several.",
)
@click.option("--tier", type=click.IntRange(1, 3), default=None, help="Support tier of an agent.")
@click.option("--team", "teams", multiple=True, help="A team of an agent; repeat for several.")
@click.option("--lang", type=click.Choice(LANGS), default="ar", show_default=True)
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    help="Initial password (asked for when left out, so it stays out of the shell history).",
)
def users_create(
    email: str,
    name: str,
    roles: tuple[str, ...],
    tier: int | None,
    teams: tuple[str, ...],
    lang: str,
    password: str,
) -> None:
    """Create an account; the password policy applies."""
    services = _services()
    try:
        with transaction(services.sessions) as session:
            info = account_services.create_user(
                session,
                services.settings.accounts,
                email=email,
                name=name,
                password=password,
                roles=roles,
                lang=lang,
                tier=tier,
                teams=teams,
                now=utcnow(),
            )
    except PasswordRejected as error:
        _fail("password refused: " + " ".join(p.message for p in error.problems))
    except AccountValidationError as error:
        _fail(f"{error.field}: {error.message}")
    click.echo(f"created #{info.id} {info.email} ({', '.join(sorted(info.roles))})")


@main.group()
def tokens() -> None:
    """Personal API tokens (Authorization: Bearer …)."""


@tokens.command("create")
@click.option("--email", required=True, help="Whose token it is.")
@click.option("--name", default="", help="A note to recognise the token by (e.g. the script).")
@click.option(
    "--days",
    type=click.IntRange(1, MAX_API_TOKEN_DAYS),
    default=None,
    help="How long the token works (default: SANAD_API_TOKEN_TTL_DAYS, 90).",
)
def tokens_create(email: str, name: str, days: int | None) -> None:
    """Create an API token and print it once: only its hash is stored."""
    services = _services()
    lifetime = dt.timedelta(days=days) if days else services.settings.accounts.api_token_ttl
    try:
        with transaction(services.sessions) as session:
            token = account_services.create_api_token(
                session, email=email, name=name, now=utcnow(), lifetime=lifetime
            )
    except UserNotFound:
        _fail(f"no account with the e-mail address {email}")
    click.echo(token)
    click.echo("Store it now: Sanad cannot show it again.", err=True)


@tokens.command("revoke")
@click.option("--email", required=True, help="Whose tokens to revoke.")
def tokens_revoke(email: str) -> None:
    """Revoke every API token of an account (e.g. a leaked script's), at once."""
    services = _services()
    try:
        with transaction(services.sessions) as session:
            user = account_services.find_user_by_email(session, email)
            count = account_services.revoke_api_tokens(session, user.id, now=utcnow())
    except UserNotFound:
        _fail(f"no account with the e-mail address {email}")
    click.echo(f"revoked {count} token(s) of {user.email}")


def demo_enabled(flag: bool | None, settings: Settings) -> bool:
    """Demo accounts only when asked: ``--demo``, or ``SANAD_DEMO=1`` without ``--no-demo``."""
    return settings.demo if flag is None else flag


def ensure_demo(services: Services, *, site_url: str | None = None) -> None:
    """Create the missing demo accounts and print how to log in with each, and where the
    demo's mails can be read (``site_url``: where the site answers, default SANAD_PUBLIC_URL)."""
    with transaction(services.sessions) as session:
        rows = account_services.ensure_demo_accounts(
            session, services.settings.accounts, now=utcnow()
        )
    click.echo("Demo accounts (asked for with --demo or SANAD_DEMO=1; never in production):")
    width = max(len(row.email) for row in rows)
    for row in rows:
        click.echo(f"  {row.email:<{width}}  {row.password:<24}  {', '.join(row.roles)}")
    base = (site_url or services.settings.tickets.public_url).rstrip("/")
    admins = [row.email for row in rows if "admin" in row.roles]
    who = f"log in as {admins[0]}" if admins else "log in as an admin"
    if services.settings.mail.host:
        click.echo(
            f"Mail goes to the SMTP server {services.settings.mail.host}; "
            f"the outbox: {base}/admin/outbox ({who})"
        )
    else:
        click.echo(
            "Demo mails: no SMTP host is set (SANAD_SMTP_HOST), so every mail is kept in the "
            f"local mailbox; read them at {base}/admin/mailbox ({who})"
        )
