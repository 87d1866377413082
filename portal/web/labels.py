"""Translated display names for the fixed vocabularies (article kinds, languages)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

KIND_NAMES: dict[str, LazyString] = {
    "article": _l("Article"),
    "faq": _l("FAQ"),
    "troubleshooting": _l("Troubleshooting"),
    "workshop": _l("Workshop"),
}

# Each language is named in itself, as language switches conventionally do.
LANGUAGE_NAMES = {"ar": "العربية", "en": "English"}


def kind_name(kind: str) -> str:
    """The translated name of an article kind (unknown kinds are shown as they are)."""
    return str(KIND_NAMES[kind]) if kind in KIND_NAMES else kind


def language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, lang)
