"""What mails share with the pages: the Babel catalogs (plurals in the recipient's language)
and a Jinja template for the HTML part.

Mail is composed outside a request (a job, a command), so Flask-Babel is not there: the
catalogs under ``translations/`` are loaded here with Babel itself, the same ``.mo`` files
the pages use. The HTML part is rendered with autoescaping on, so nothing a person typed
(a subject, a reply) can become markup; ``dir``/``lang`` follow the recipient's language.
"""

from __future__ import annotations

import re
from functools import cache

from babel.support import NullTranslations, Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from portal.config.parsers import PROJECT_ROOT

TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
MAIL_TEMPLATES_DIR = PROJECT_ROOT / "templates" / "mail"
_LINK = re.compile(r"https?://[^\s<>\"']+")


@cache
def catalog(lang: str) -> NullTranslations:
    """The pages' compiled catalog for ``lang`` (English text when it is missing)."""
    return Translations.load(str(TRANSLATIONS_DIR), [lang], domain="messages")


def days_text(days: int, lang: str) -> str:
    """ "7 days" in ``lang``, with the plural form the catalog's rules choose (Arabic has six)."""
    translations = catalog(lang)
    return translations.ngettext("%(num)d day", "%(num)d days", days) % {"num": days}


@cache
def _environment() -> Environment:
    return Environment(
        loader=FileSystemLoader(str(MAIL_TEMPLATES_DIR)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _linked(paragraph: str) -> Markup:
    """``paragraph`` escaped, its web addresses made links (built from escaped text only)."""
    out = Markup("")
    position = 0
    for match in _LINK.finditer(paragraph):
        out += escape(paragraph[position : match.start()])
        url = match.group(0)
        out += Markup('<a href="{0}">{0}</a>').format(url)
        position = match.end()
    return out + escape(paragraph[position:])


def html_part(subject: str, text: str, lang: str) -> str:
    """The HTML alternative of a mail whose plain text is ``text``: one paragraph per block,
    lines kept, links clickable, right to left for Arabic."""
    paragraphs = [
        Markup("<br>\n").join(_linked(line) for line in block.split("\n"))
        for block in re.split(r"\n\s*\n", text.strip())
        if block.strip()
    ]
    return (
        _environment()
        .get_template("message.html")
        .render(
            subject=subject,
            paragraphs=paragraphs,
            lang=lang,
            direction="rtl" if lang == "ar" else "ltr",
        )
    )
