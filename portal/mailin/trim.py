"""The new part of a reply: quoted history and signatures cut off, in English and Arabic.

Mail programs mark where the quoted history starts ("On … wrote:", "في … كتب:", Outlook's
"From:/Sent:" block or "-----Original Message-----") and where a signature starts ("-- ",
"Sent from my …"). Everything from the first such mark on is history; the original message is
kept whole beside the reply (an ``.eml`` file), so nothing is lost by cutting too eagerly.
"""

from __future__ import annotations

import re

# Direction marks and other invisible format characters that mail programs put around names.
_FORMAT = re.compile(r"[\u200e\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WROTE = re.compile(
    r"^(?:on\s.+\bwrote|في\s.+(?:كتب|كتبت)|.+\s(?:كتب|كتبت)"
    # Gmail's Arabic order: the date first, then the verb, then the name and address.
    r"|في\s.*[\d\u0660-\u0669].*\s(?:كتب|كتبت)\s.{1,160})\s*:\s*$",
    re.I | re.S,
)
_ORIGINAL = re.compile(
    r"^(?:-{2,}\s*(?:original message|forwarded message|الرسالة الأصلية|رسالة معاد توجيهها)"
    r"\s*-{2,}|_{10,})\s*$",
    re.I,
)
_FROM = re.compile(r"^\*?(?:from|من|المرسل)\s*:\*?\s*\S", re.I)
_HEADER_AFTER_FROM = re.compile(
    r"^\*?(?:sent|date|to|cc|subject|أُرسل|أرسل|أرسلت|التاريخ|إلى|الموضوع|نسخة)\s*:", re.I
)
_SIGNATURE = re.compile(r"^--\s?$")
_MOBILE = re.compile(r"^(?:sent from my\s.+|get outlook for\s.+|(?:أُ|أ)رسلت? من\s.+)$", re.I)


def _is_history_start(lines: list[str], index: int) -> bool:
    line = lines[index].strip()
    if _WROTE.match(line) or _ORIGINAL.match(line):
        return True
    # "On Mon, 1 Dec 2026 at 10:00, Reem <r@example.com>" / "wrote:" split over two lines.
    if index + 1 < len(lines) and _WROTE.match(f"{line} {lines[index + 1].strip()}"):
        return bool(line) and (line.lower().startswith("on ") or line.startswith("في "))
    if _FROM.match(line):
        following = [item.strip() for item in lines[index + 1 : index + 4] if item.strip()]
        return any(_HEADER_AFTER_FROM.match(item) for item in following)
    return False


def trim_reply(text: str) -> str:
    """``text`` without the quoted history and the signature; the whole text when nothing
    would be left (a message that is all quotation is kept as it came)."""
    lines = _FORMAT.sub("", text).split("\n")
    end = len(lines)
    for index, raw in enumerate(lines):
        line = raw.strip()
        if _is_history_start(lines, index) or _SIGNATURE.match(raw.rstrip("\r")):
            end = index
            break
        if _MOBILE.match(line) and not any(item.strip() for item in lines[index + 1 :]):
            end = index
            break
    kept = lines[:end]
    # A quoted block at the end (">" lines) with nothing new after it is history too.
    while kept and (not kept[-1].strip() or kept[-1].lstrip().startswith(">")):
        kept.pop()
    result = "\n".join(kept).strip()
    return result or text.strip()
