"""The mails intake sends back, in Arabic and English: a refusal when visitors may not open
tickets, and the list of files that could not be kept. Sent through the outbox like every
other mail; never to an automatic sender (intake checks that first)."""

from __future__ import annotations

from portal.notify.mail import OutgoingMail

_REFUSED = {
    "en": (
        "Re: {subject}",
        "Hello,\n\nThank you for writing to us. Requests by e-mail are taken only from the "
        "addresses of accounts on our help desk, so your message did not open a request.\n\n"
        "Please open one on the help desk instead: {link}\n",
    ),
    "ar": (
        "رد: {subject}",
        "مرحبًا،\n\nشكرًا لمراسلتك. لا نستقبل الطلبات بالبريد إلا من عناوين الحسابات المسجلة "
        "في مكتب المساعدة، لذلك لم تُفتح برسالتك تذكرة.\n\n"
        "يُرجى فتح طلب من مكتب المساعدة: {link}\n",
    ),
}
_FILES = {
    "en": (
        "Some files were not added to {reference}",
        "Hello,\n\nYour message was added to {reference}, but these files were not:\n\n"
        "{files}\n\nYou can send them again in another format or smaller, or add them on the "
        "ticket's page.\n",
    ),
    "ar": (
        "لم تُضف بعض الملفات إلى {reference}",
        "مرحبًا،\n\nأُضيفت رسالتك إلى {reference}، لكن هذه الملفات لم تُضف:\n\n"
        "{files}\n\nيمكنك إرسالها مرة أخرى بصيغة أخرى أو بحجم أصغر، أو إضافتها من صفحة التذكرة.\n",
    ),
}
# Why a file was refused, by the code of portal.tickets' ValidationError.
REASONS = {
    "en": {
        "too_large": "larger than {mb} MB",
        "type": "this type of file is not accepted",
        "empty": "the file is empty",
        "too_many": "the ticket has reached its number of files",
    },
    "ar": {
        "too_large": "حجمه أكبر من {mb} ميغابايت",
        "type": "هذا النوع من الملفات غير مقبول",
        "empty": "الملف فارغ",
        "too_many": "بلغت التذكرة الحد الأقصى لعدد الملفات",
    },
}


def _lang(lang: str) -> str:
    return lang if lang in ("ar", "en") else "en"


def refusal_mail(to: str, lang: str, *, subject: str, link: str) -> OutgoingMail:
    """Visitors may not open tickets (SANAD_VISITOR_TICKETS=false): say where to go."""
    title, body = _REFUSED[_lang(lang)]
    return OutgoingMail(
        to=to,
        subject=title.format(subject=subject[:150]),
        body=body.format(link=link),
        lang=_lang(lang),
    )


def refused_files_mail(
    to: str, lang: str, *, reference: str, refused: tuple[tuple[str, str], ...], max_mb: int
) -> OutgoingMail:
    """The files of a message that were not kept (``refused``: name and reason code)."""
    chosen = _lang(lang)
    title, body = _FILES[chosen]
    reasons = REASONS[chosen]
    lines = "\n".join(
        f"- {name}: {reasons.get(code, reasons['type']).format(mb=max_mb)}"
        for name, code in refused
    )
    return OutgoingMail(
        to=to,
        subject=title.format(reference=reference),
        body=body.format(reference=reference, files=lines),
        lang=chosen,
    )
