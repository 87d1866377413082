"""Mails are rendered like pages: one template pair per kind of mail, sentences from the
pages' Babel catalogs, dates from the pages' formatting code.

``templates/mail/<kind>.txt`` is the plain text (its top-level ``title`` variable is the
subject) and ``templates/mail/<kind>.html`` the HTML alternative; both call ``_()`` and
``ngettext()`` on the catalogs under ``translations/`` (the same ``.mo`` files the pages use,
loaded with Babel itself: mail is composed outside a request, in a job or a command), in the
RECIPIENT's language. The HTML is autoescaped, so nothing a person typed (a subject, a reply)
becomes markup; links are made only of http(s) addresses; Arabic is right to left.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from functools import cache

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from portal.config.parsers import PROJECT_ROOT
from portal.dates import moment_text

TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
MAIL_TEMPLATES_DIR = PROJECT_ROOT / "templates" / "mail"
LANGUAGES = ("ar", "en")
MAIL_DATE_STYLE = "full"  # a mail is read away from the site: the weekday and the zone's name
_LINK = re.compile(r"https?://[^\s<>\"']+")
_SAFE_URL = re.compile(r"https?://[^\s<>\"'`]+", re.IGNORECASE)


@cache
def catalog(lang: str) -> NullTranslations:
    """The pages' compiled catalog for ``lang`` (English text when it is missing)."""
    return Translations.load(str(TRANSLATIONS_DIR), [lang], domain="messages")


def mail_language(lang: str | None) -> str:
    """The language a mail is written in: the recipient's, Arabic when it is unknown."""
    return lang if lang in LANGUAGES else "ar"


def is_web_link(value: object) -> bool:
    """Only http(s) addresses become links (never ``javascript:``, ``data:`` or a typo)."""
    return isinstance(value, str) and _SAFE_URL.fullmatch(value) is not None


def _linked(paragraph: str) -> Markup:
    """``paragraph`` escaped, its web addresses made links (built from escaped text only)."""
    out = Markup("")
    position = 0
    for match in _LINK.finditer(paragraph):
        out += escape(paragraph[position : match.start()])
        out += Markup('<a href="{0}">{0}</a>').format(match.group(0))
        position = match.end()
    return out + escape(paragraph[position:])


def paragraphs(text: object) -> Markup:
    """Text a person wrote, for the HTML part: escaped, one ``<p>`` per block, lines kept,
    web addresses clickable."""
    blocks = re.split(r"\n\s*\n", str(text).strip())
    return Markup("\n").join(
        Markup("<p>{}</p>").format(
            Markup("<br>\n").join(_linked(line) for line in block.split("\n"))
        )
        for block in blocks
        if block.strip()
    )


def one_line(value: object) -> str:
    """A value for a subject: one line, so a typed newline cannot inject a header."""
    return " ".join(str(value).split())


@cache
def _environment(lang: str) -> Environment:
    environment = Environment(
        loader=FileSystemLoader(str(MAIL_TEMPLATES_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,  # an included line ends its line
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(catalog(lang), newstyle=True)  # type: ignore[attr-defined]
    environment.filters["paragraphs"] = paragraphs
    environment.filters["one_line"] = one_line
    environment.tests["web_link"] = is_web_link
    return environment


def render_mail(
    kind: str, lang: str, values: Mapping[str, object], *, timezone: str | None = None
) -> tuple[str, str, str]:
    """(subject, plain text, HTML) of the ``kind`` mail in ``lang`` (already chosen with
    ``mail_language``); moments in ``values`` are written in ``timezone`` (the site's)."""
    environment = _environment(lang)

    def moment(value: dt.datetime | dt.date, style: str = MAIL_DATE_STYLE) -> str:
        if timezone is None:
            raise ValueError(f"the {kind} mail shows a date: pass the site's time zone")
        return moment_text(value, lang, timezone, style)

    context = {
        **values,
        "lang": lang,
        "direction": "rtl" if lang == "ar" else "ltr",
        "moment": moment,
    }
    module = environment.get_template(f"{kind}.txt").make_module(context)
    subject = one_line(module.__dict__["title"])  # the template's top-level ``set title``
    # An empty optional part (a resolution without a note) leaves no gap of blank lines.
    text = re.sub(r"\n{3,}", "\n\n", str(module)).strip() + "\n"
    html = environment.get_template(f"{kind}.html").render(context, title=subject)
    return subject, text, html
