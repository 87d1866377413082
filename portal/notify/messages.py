"""The mail texts, in Arabic and English, chosen by the recipient's language.

The texts are a table of their own (placeholders use ``str.format`` names); plurals come from
the pages' Babel catalogs and the HTML alternative from a Jinja template
(``portal.notify.templating``).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from zoneinfo import ZoneInfo

from babel.dates import format_datetime

from portal.notify.mail import OutgoingMail
from portal.notify.templating import days_text, html_part

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
    "account_welcome": {
        "en": (
            "Your Sanad account is ready",
            "Hello {name},\n\n"
            "Your Sanad account for this address is ready. Log in with the password you chose:\n\n"
            "{link}\n\n"
            "If you did not create it, ignore this message; nobody can use the account without "
            "the password.\n",
        ),
        "ar": (
            "حسابك في سند جاهز",
            "مرحبًا {name}،\n\n"
            "حسابك في سند لهذا العنوان جاهز. سجّل الدخول بكلمة المرور التي اخترتها:\n\n"
            "{link}\n\n"
            "إذا لم تُنشئ هذا الحساب فتجاهل هذه الرسالة؛ لا يمكن لأحد استخدامه دون كلمة المرور.\n",
        ),
    },
    # Someone registered with an address that already has an account. The page said "check
    # your mail" as it does for a new account; this mail is the only place that says more.
    "account_exists": {
        "en": (
            "Someone tried to create a Sanad account with your address",
            "Hello {name},\n\n"
            "Someone (perhaps you) tried to create a new Sanad account with this address, which "
            "already has one. Nothing was changed.\n\n"
            "To log in: {login_link}\n"
            "Forgot your password? Choose a new one: {reset_link}\n",
        ),
        "ar": (
            "حاول أحدهم إنشاء حساب في سند بعنوانك",
            "مرحبًا {name}،\n\n"
            "حاول أحدهم (ربما أنت) إنشاء حساب جديد في سند بهذا العنوان، وله حساب من قبل. "
            "لم يتغير شيء.\n\n"
            "لتسجيل الدخول: {login_link}\n"
            "نسيت كلمة المرور؟ اختر كلمة جديدة: {reset_link}\n",
        ),
    },
    "account_locked": {
        "en": (
            "Log-ins to your Sanad account are paused",
            "Hello {name},\n\n"
            "There were several failed attempts to log in to your Sanad account, so log-ins "
            "are paused until {until} (UTC). After that your password works as before; if "
            "more attempts fail, the pause grows.\n\n"
            "If it was not you, someone may be guessing your password. You stay logged in "
            "where you already are. To be safe, choose a new password: {reset_link}\n",
        ),
        "ar": (
            "أُوقف تسجيل الدخول إلى حسابك في سند مؤقتًا",
            "مرحبًا {name}،\n\n"
            "فشلت عدة محاولات لتسجيل الدخول إلى حسابك في سند، فأُوقف تسجيل الدخول حتى {until} "
            "(بالتوقيت العالمي). بعد ذلك تعمل كلمة مرورك كما كانت، وإذا فشلت محاولات أخرى "
            "طالت مدة الإيقاف.\n\n"
            "إذا لم تكن أنت فربما يحاول أحدهم تخمين كلمة مرورك. تبقى مسجّلًا حيث أنت. "
            "ولمزيد من الأمان اختر كلمة مرور جديدة: {reset_link}\n",
        ),
    },
    "ticket_opened": {
        "en": (
            "[{reference}] We received your request: {subject}",
            "Hello {name},\n\n"
            "Your request {reference} is registered and our support team will answer soon.\n"
            "{expect}"
            "Follow it here: {link}\n",
        ),
        "ar": (
            "[{reference}] استلمنا طلبك: {subject}",
            "مرحبًا {name}،\n\n"
            "سُجّل طلبك {reference} وسيرد عليك فريق الدعم قريبًا.\n"
            "{expect}"
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
            "if the problem remains: {link}\n",
        ),
        "ar": (
            "[{reference}] تم الحل: {subject}",
            "مرحبًا {name}،\n\nتم حل طلبك {reference}.\n\n{note}\n\n"
            "نرجو تأكيد الحل وتقييمه، أو إعادة فتح الطلب خلال {days} إذا استمرت "
            "المشكلة: {link}\n",
        ),
    },
    # A visitor (no account) cannot open the ticket page: their mails carry no link to it.
    "ticket_opened_visitor": {
        # Anyone can type any address on the visitor form: this mail repeats nothing they typed
        # (no name, no subject), so Sanad cannot be used to send someone else's text.
        "en": (
            "[{reference}] We received your request",
            "Hello,\n\n"
            "Your request {reference} is registered. Our support team will answer you by e-mail "
            "at this address.\n"
            "{expect}"
            "Please keep the reference {reference} should you contact us again.\n\n"
            "Follow and answer it with this private link (do not share it): {link}\n\n"
            "If you did not write to us, ignore this message.\n",
        ),
        "ar": (
            "[{reference}] استلمنا طلبك",
            "مرحبًا،\n\n"
            "سُجّل طلبك {reference} وسيرد عليك فريق الدعم بالبريد الإلكتروني على هذا العنوان.\n"
            "{expect}"
            "نرجو الاحتفاظ بالرقم المرجعي {reference} إن تواصلت معنا مرة أخرى.\n\n"
            "تابعه ورُدّ عليه من هذا الرابط الخاص (لا تشاركه مع أحد): {link}\n\n"
            "إذا لم تراسلنا فتجاهل هذه الرسالة.\n",
        ),
    },
    "ticket_reply_visitor": {
        "en": (
            "[{reference}] New reply: {subject}",
            "Hello {name},\n\n{author} replied to your request {reference}:\n\n{body}\n\n"
            "To answer, open the private link of your first mail; lost it? Ask for a new one: "
            "{renew_link}\n",
        ),
        "ar": (
            "[{reference}] رد جديد: {subject}",
            "مرحبًا {name}،\n\nرد {author} على طلبك {reference}:\n\n{body}\n\n"
            "للرد افتح الرابط الخاص في رسالتنا الأولى، وإن فقدته فاطلب رابطًا جديدًا: {renew_link}\n",
        ),
    },
    "ticket_resolved_visitor": {
        "en": (
            "[{reference}] Resolved: {subject}",
            "Hello {name},\n\nYour request {reference} has been resolved.\n\n{note}\n\n"
            "Solved, or still not? Tell us with the private link of your first mail; lost it? "
            "Ask for a new one: {renew_link}\n",
        ),
        "ar": (
            "[{reference}] تم الحل: {subject}",
            "مرحبًا {name}،\n\nتم حل طلبك {reference}.\n\n{note}\n\n"
            "هل حُلّت المشكلة أم لا؟ أخبرنا من الرابط الخاص في رسالتنا الأولى، وإن فقدته فاطلب رابطًا "
            "جديدًا: {renew_link}\n",
        ),
    },
    "ticket_link_visitor": {
        # Asked for on the "send me a new link" page: the old link no longer works.
        "en": (
            "[{reference}] Your new link to your request",
            "Hello,\n\n"
            "Here is a new private link to follow and answer your request {reference} "
            "(do not share it): {link}\n"
            "The link you had before no longer works.\n\n"
            "If you did not ask for it, ignore this message.\n",
        ),
        "ar": (
            "[{reference}] رابط جديد لطلبك",
            "مرحبًا،\n\n"
            "هذا رابط خاص جديد لمتابعة طلبك {reference} والرد عليه (لا تشاركه مع أحد): {link}\n"
            "الرابط السابق لم يعد يعمل.\n\n"
            "إذا لم تطلب ذلك فتجاهل هذه الرسالة.\n",
        ),
    },
}


def compose(kind: str, lang: str, to: str, **values: object) -> OutgoingMail:
    """The ``kind`` message in ``lang`` (Arabic when the language is unknown) for ``to``."""
    table = TEMPLATES[kind]
    # Optional parts a caller may leave out (when to expect an answer).
    values = {"expect": "", **values}
    chosen = lang if lang in table else "ar"
    subject, body = table[chosen]
    days = values.get("days")
    if isinstance(days, int):  # the plural rules of the pages' catalogs, not hand-written ones
        values = {**values, "days": days_text(days, chosen)}
    # Subjects are one line: a subject typed with a newline must not inject headers.
    flat = {k: " ".join(str(v).split()) for k, v in values.items()}
    text = body.format(**{k: str(v) for k, v in values.items()})
    # An empty optional part (a resolution without a note) leaves no gap of blank lines.
    text = re.sub(r"\n{3,}", "\n\n", text)
    title = subject.format(**flat)
    return OutgoingMail(
        to=to, subject=title, body=text, lang=chosen, html=html_part(title, text, chosen)
    )


def password_reset_mail(*, to: str, name: str, lang: str, link: str, minutes: int) -> OutgoingMail:
    """The reset-link message; the web layer builds ``link`` from the token."""
    return compose("password_reset", lang, to, name=name, link=link, minutes=minutes)


def account_welcome_mail(*, to: str, name: str, lang: str, link: str) -> OutgoingMail:
    """A new self-registered account: how to log in."""
    return compose("account_welcome", lang, to, name=name, link=link)


def account_exists_mail(
    *, to: str, name: str, lang: str, login_link: str, reset_link: str
) -> OutgoingMail:
    """Someone registered with this address again: tell its owner, offer log-in and reset."""
    return compose(
        "account_exists", lang, to, name=name, login_link=login_link, reset_link=reset_link
    )


def account_locked_mail(
    *, to: str, name: str, lang: str, until: str, reset_link: str
) -> OutgoingMail:
    """Log-ins are paused after failed attempts; ``until`` is already formatted (UTC)."""
    return compose("account_locked", lang, to, name=name, until=until, reset_link=reset_link)


def expectation_phrase(
    due: dt.datetime | None, resumes: dt.datetime | None, lang: str, timezone: str
) -> str:
    """The received mail's line on when to expect an answer (and, outside working hours, when
    work resumes), in ``lang`` and the site's time zone; empty without a deadline."""
    chosen = "en" if lang == "en" else "ar"
    tz = ZoneInfo(timezone)

    def when(moment: dt.datetime) -> str:
        return format_datetime(moment.astimezone(tz), "EEEE d MMMM HH:mm", locale=chosen)

    lines = []
    if resumes is not None:
        lines.append(
            f"We are outside working hours now; work resumes {when(resumes)}."
            if chosen == "en"
            else f"نحن الآن خارج ساعات العمل؛ يُستأنف العمل {when(resumes)}."
        )
    if due is not None:
        lines.append(
            f"You can expect an answer by {when(due)}."
            if chosen == "en"
            else f"يمكنك أن تتوقع ردًّا قبل {when(due)}."
        )
    return "".join(f"{line}\n" for line in lines)
