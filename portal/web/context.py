"""Request-scoped accessors the views share: the wired services and the interface language."""

from __future__ import annotations

from flask import current_app
from flask_babel import get_locale

from portal import Services
from portal.config import LOCALES
from portal.kb.models import RTL_LANGS


def services() -> Services:
    """The services ``create_app`` wired into the running application."""
    wired: Services = current_app.extensions["sanad"]
    return wired


def ui_lang() -> str:
    """The interface language of this request (``ar`` or ``en``)."""
    locale = get_locale()
    lang = locale.language if locale is not None else ""
    return lang if lang in LOCALES else services().settings.default_locale


def direction(lang: str) -> str:
    """Text direction of a language, for ``dir`` attributes."""
    return "rtl" if lang in RTL_LANGS else "ltr"
