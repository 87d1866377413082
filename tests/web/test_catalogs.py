"""The catalogs: every interface string is extracted and translated into Arabic."""

from __future__ import annotations

import gettext
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from portal.config import PROJECT_ROOT
from portal.search.querying import NOTICES
from portal.web.search.notices import NOTICE_TEXTS

TRANSLATIONS = PROJECT_ROOT / "translations"


def catalog(lang: str) -> dict[object, object]:
    path = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
    with path.open("rb") as handle:
        return {m.id: m.string for m in read_po(handle, locale=lang) if m.id}


def test_every_extracted_string_has_an_arabic_translation(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            str(Path(sys.executable).parent / "pybabel"),
            "-q",
            "extract",
            "-F",
            "babel.cfg",
            "-k",
            "lazy_gettext",
            "-k",
            "_l",
            "-o",
            str(pot),
            ".",
        ],
        cwd=PROJECT_ROOT,
        check=True,
        capture_output=True,
    )
    with pot.open("rb") as handle:
        extracted = {m.id for m in read_po(handle) if m.id}
    arabic = catalog("ar")
    missing = sorted(str(msgid) for msgid in extracted if msgid not in arabic)
    assert not missing, "run pybabel extract/update; untranslated: " + "; ".join(missing)
    empty = [
        msgid
        for msgid, text in arabic.items()
        if not text or (isinstance(text, tuple) and not all(text))
    ]
    assert not empty


def test_arabic_translations_are_arabic() -> None:
    for msgid, text in catalog("ar").items():
        forms = text if isinstance(text, tuple) else (text,)
        for form in forms:
            assert any("\u0600" <= ch <= "\u06ff" for ch in str(form)), msgid


def test_every_search_notice_has_a_translatable_text() -> None:
    assert set(NOTICES) <= set(NOTICE_TEXTS)
    for key, text in NOTICES.items():
        assert NOTICE_TEXTS[key]._args[0] == text  # the same msgid as portal.search


def test_english_translations_are_not_arabic() -> None:
    for msgid, text in catalog("en").items():
        ids = msgid if isinstance(msgid, tuple) else (msgid,)
        if any("\u0600" <= ch <= "\u06ff" for part in ids for ch in str(part)):
            continue  # e.g. the name of the Arabic language itself
        forms = text if isinstance(text, tuple) else (text,)
        for form in forms:
            assert not any("\u0600" <= ch <= "\u06ff" for ch in str(form)), msgid


def test_arabic_counts_take_the_case_their_number_asks_for() -> None:
    """Arabic counts 11 to 99 with an accusative singular (١١ مقالةً, ٢٠ يومًا) and 100 to 102
    with a genitive one (١٠٠ مقالة): the catalog's Plural-Forms puts 100-102 in slot 4 and
    11-99 in slot 5, so a tanween fath in slot 4 but not in slot 5 means the two are swapped."""
    with (TRANSLATIONS / "ar" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        ar = read_po(handle, locale="ar")
    slot = gettext.c2py(ar.plural_expr)
    assert [slot(n) for n in (11, 99, 100, 102, 111)] == [5, 5, 4, 4, 5]
    swapped = [
        str(m.id[1])
        for m in ar
        if m.pluralizable
        and isinstance(m.string, tuple)
        and len(m.string) == 6
        and "\u064b" in m.string[4]
        and "\u064b" not in m.string[5]
    ]
    assert not swapped, "slots 4 (100-102) and 5 (11-99) swapped: " + "; ".join(swapped)
