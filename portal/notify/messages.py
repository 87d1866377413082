"""The mail texts, in Arabic and English, chosen by the recipient's language.

A small table of its own: the web layer's Babel catalogs are not loaded when mail is composed
(for example by a command or a background job). Placeholders use ``str.format`` names.
"""

from __future__ import annotations

from collections.abc import Mapping

from portal.notify.mail import OutgoingMail

TEMPLATES: Mapping[str, Mapping[str, tuple[str, str]]] = {
    "password_reset": {
        "en": (
            "Reset your Sanad password",
            "Hello {name},\n\n"
            "Someone (we hope you) asked to reset the password of your Sanad account.\n"
            "Open this link within {minutes} minutes to choose a new password:\n\n"
            "{link}\n\n"
            "If you did not ask for this, ignore this message: your password stays as it is.\n",
        ),
        "ar": (
            "إعادة تعيين كلمة المرور في سند",
            "مرحبًا {name}،\n\n"
            "طلب أحدهم (نأمل أن تكون أنت) إعادة تعيين كلمة مرور حسابك في سند.\n"
            "افتح هذا الرابط خلال {minutes} دقيقة لاختيار كلمة مرور جديدة:\n\n"
            "{link}\n\n"
            "إذا لم تطلب ذلك فتجاهل هذه الرسالة، وستبقى كلمة مرورك كما هي.\n",
        ),
    },
    "ticket_opened": {
        "en": (
            "[{reference}] We received your request: {subject}",
            "Hello {name},\n\n"
            "Your request {reference} is registered and our support team will answer soon.\n"
            "Follow it here: {link}\n",
        ),
        "ar": (
            "[{reference}] استلمنا طلبك: {subject}",
            "مرحبًا {name}،\n\n"
            "سُجّل طلبك {reference} وسيرد عليك فريق الدعم قريبًا.\n"
            "تابعه من هنا: {link}\n",
        ),
    },
    "ticket_reply": {
        "en": (
            "[{reference}] New reply: {subject}",
            "Hello {name},\n\n{author} replied to your request {reference}:\n\n{body}\n\n"
            "Reply or follow it here: {link}\n",
        ),
        "ar": (
            "[{reference}] رد جديد: {subject}",
            "مرحبًا {name}،\n\nرد {author} على طلبك {reference}:\n\n{body}\n\n"
            "للرد أو المتابعة: {link}\n",
        ),
    },
    "ticket_resolved": {
        "en": (
            "[{reference}] Resolved: {subject}",
            "Hello {name},\n\nYour request {reference} has been resolved.\n\n{note}\n\n"
            "Please confirm the solution and rate it, or reopen the request within {days} "
            "days if the problem remains: {link}\n",
        ),
        "ar": (
            "[{reference}] تم الحل: {subject}",
            "مرحبًا {name}،\n\nتم حل طلبك {reference}.\n\n{note}\n\n"
            "نرجو تأكيد الحل وتقييمه، أو إعادة فتح الطلب خلال {days} يومًا إذا استمرت "
            "المشكلة: {link}\n",
        ),
    },
}


def compose(kind: str, lang: str, to: str, **values: object) -> OutgoingMail:
    """The ``kind`` message in ``lang`` (Arabic when the language is unknown) for ``to``."""
    table = TEMPLATES[kind]
    chosen = lang if lang in table else "ar"
    subject, body = table[chosen]
    # Subjects are one line: a subject typed with a newline must not inject headers.
    flat = {k: " ".join(str(v).split()) for k, v in values.items()}
    return OutgoingMail(
        to=to,
        subject=subject.format(**flat),
        body=body.format(**{k: str(v) for k, v in values.items()}),
        lang=chosen,
    )


def password_reset_mail(*, to: str, name: str, lang: str, link: str, minutes: int) -> OutgoingMail:
    """The reset-link message; the web layer builds ``link`` from the token."""
    return compose("password_reset", lang, to, name=name, link=link, minutes=minutes)
