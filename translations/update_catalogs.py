"""Refresh both catalogs from the code: extract, update, give English its msgids and Arabic
the translations from the fragment files named on the command line (``.po`` files of msgid →
msgstr). Run by ``make messages FRAGMENTS="a.po b.po"``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
POT = ROOT / "instance" / "messages.pot"
WRITE = {"width": 100, "no_location": True, "sort_output": True, "ignore_obsolete": True}


def _empty(string: object) -> bool:
    return not string or (isinstance(string, tuple) and not all(string))


def _arabic(string: object) -> bool:
    forms = (string,) if isinstance(string, str) else tuple(string)  # type: ignore[arg-type]
    return any("\u0600" <= char <= "\u06ff" for form in forms for char in str(form))


def main(fragments: list[str]) -> int:
    POT.parent.mkdir(exist_ok=True)
    pybabel = str(Path(sys.executable).parent / "pybabel")
    extract = [pybabel, "-q", "extract", "-F", "babel.cfg", "-k", "lazy_gettext", "-k", "_l"]
    options = ["--no-location", "--sort-output", "-w", "100", "-o", str(POT), "."]
    subprocess.run([*extract, *options], cwd=ROOT, check=True)
    arabic: dict[object, object] = {}
    for name in fragments:
        with open(name, "rb") as handle:
            fragment = read_po(handle, locale="ar")
            arabic.update({m.id: m.string for m in fragment if m.id and m.string})
    missing: list[object] = []
    for lang in ("ar", "en"):
        path = ROOT / "translations" / lang / "LC_MESSAGES" / "messages.po"
        with path.open("rb") as handle:
            catalog = read_po(handle, locale=lang)
        with POT.open("rb") as handle:
            template = read_po(handle)  # per catalog: update() adopts the template's messages
        catalog.update(template, no_fuzzy_matching=True)
        for message in catalog:
            if not message.id:
                continue
            if lang == "ar" and message.id in arabic:
                message.string = arabic[message.id]
            if lang == "en" and (_empty(message.string) or _arabic(message.string)):
                ids = message.id
                message.string = ids if isinstance(ids, str) else (ids[0], ids[1])
            if lang == "ar" and _empty(message.string):
                missing.append(message.id)
        with path.open("wb") as handle:
            write_po(handle, catalog, **WRITE)
    for msgid in missing:
        print(f"no Arabic translation yet: {msgid!r}")
    return 1 if missing else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
