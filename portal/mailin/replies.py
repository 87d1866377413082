"""The mails intake sends back: a refusal when visitors may not open tickets
(``mail_refused``), and the list of files that could not be kept (``files_refused``), template
pairs of ``portal.notify.messages`` in the sender's language. Sent through the outbox like
every other mail; never to an automatic sender (intake checks that first)."""

from __future__ import annotations

from portal.notify.mail import OutgoingMail
from portal.notify.messages import compose


def _lang(lang: str) -> str:
    # A stranger's language is a guess from their text: English when it says nothing.
    return lang if lang in ("ar", "en") else "en"


def refusal_mail(to: str, lang: str, *, subject: str, link: str) -> OutgoingMail:
    """Visitors may not open tickets (SANAD_VISITOR_TICKETS=false): say where to go."""
    return compose("mail_refused", _lang(lang), to, subject=subject, link=link)


def refused_files_mail(
    to: str, lang: str, *, reference: str, refused: tuple[tuple[str, str], ...], max_mb: int
) -> OutgoingMail:
    """The files of a message that were not kept (``refused``: name and reason code)."""
    return compose(
        "files_refused",
        _lang(lang),
        to,
        reference=reference,
        refused=tuple((" ".join(name.split()), code) for name, code in refused),
        max_mb=max_mb,
    )
