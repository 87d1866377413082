"""Ticket → draft article ("Promote to article"): the pure part, no database, no git.

A resolved ticket is good raw material for an article, but it is full of the requester's
personal data. ``to_draft`` lays the ticket out on the article template (subject → title,
the requester's description → symptoms, public replies and the resolution note → steps,
linked articles → related) and ``scrub`` removes e-mail addresses, phone numbers (Latin,
Arabic-Indic and Persian digits), the names of the people in the conversation and ticket
references. Internal notes never reach the draft: they are staff talk, often with the very
details the article must not carry.

Scrubbing is deliberately greedy: the knowledge manager reviewing the draft can put back a
number that was not personal, but cannot un-publish a leaked one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from portal.kb.workflow import DraftInput

# --- what goes in -----------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceMessage:
    """One message of the conversation; ``from_requester`` marks the requester's own."""

    body: str
    internal: bool
    from_requester: bool
    author_name: str = ""


@dataclass(frozen=True)
class RelatedArticle:
    """An article linked to the ticket's resolution, for the draft's "Related" section."""

    id: str
    lang: str
    title: str


@dataclass(frozen=True)
class PromotionSource:
    """What a draft is built from: the ticket's text and the names and numbers to remove."""

    reference: str
    subject: str
    body: str
    lang: str
    category: str | None = None
    tags: tuple[str, ...] = ()
    resolution_note: str | None = None
    messages: tuple[SourceMessage, ...] = ()
    related: tuple[RelatedArticle, ...] = ()
    # The requester's name and e-mail address (and any other names to remove: agents').
    names: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()


# --- scrubbing --------------------------------------------------------------------------------

PLACEHOLDERS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "ar": MappingProxyType(
            {
                "email": "[البريد الإلكتروني]",
                "phone": "[رقم الهاتف]",
                "name": "[الاسم]",
                "ticket": "[رقم التذكرة]",
            }
        ),
        "en": MappingProxyType(
            {
                "email": "[email address]",
                "phone": "[phone number]",
                "name": "[name]",
                "ticket": "[ticket]",
            }
        ),
    }
)

# Latin, Arabic-Indic (٠-٩) and Extended Arabic-Indic / Persian (۰-۹) digits.
_D = "[0-9\u0660-\u0669\u06f0-\u06f9]"
_ZERO = "[0\u0660\u06f0]"
_FIVE = "[5\u0665\u06f5]"

EMAIL = re.compile(r"(?<![\w.+-])(?:mailto:)?[\w.+-]+@[\w-]+(?:\.[\w-]+)+", re.IGNORECASE)

# A phone number: an international one (+966 / 00966 / ٠٠٩٦٦ …), a local one starting with 0
# (055 123 4567, ٠٥٥١٢٣٤٥٦٧, 011-123-4567) or a Saudi mobile without its 0 (5x xxx xxxx),
# with single spaces, hyphens, dots or brackets between the digits. Dates (2026-11-15),
# versions (10.0.19045) and ordinary counts do not start that way, so they stay.
PHONE = re.compile(
    rf"(?<![\w+])"
    rf"(?:\+\s?{_D}{{1,3}}|{_ZERO}{_ZERO}{_D}{{1,3}}|\(?{_ZERO}{_D}{{1,3}}\)?|{_FIVE}{_D})"
    rf"(?:[ \u00a0.\-]?\(?{_D}\)?){{6,12}}"
    rf"(?!{_D})"
)

# Help-desk references (HD-000123, hd 000123, HD-٠٠٠١٢٣) of this or any other ticket.
TICKET_REFERENCE = re.compile(rf"(?<![\w-])HD[-\s]?{_D}{{3,}}(?!\w)", re.IGNORECASE)

# Name parts that are not names on their own ("Al", "bin", "عبد"…) or too short to be safe.
_NAME_PARTICLES = frozenset(
    {"al", "el", "bin", "ibn", "bint", "abu", "abd", "de", "van", "von", "mr", "mrs", "ms", "dr"}
    | {"ال", "بن", "بنت", "ابن", "أبو", "ابو", "عبد", "آل", "د"}
)
# Arabic letters that people (and keyboards) write interchangeably in names.
_ARABIC_VARIANTS: Mapping[str, str] = MappingProxyType(
    {
        "ا": "[اأإآٱ]",
        "أ": "[اأإآٱ]",
        "إ": "[اأإآٱ]",
        "آ": "[اأإآٱ]",
        "ة": "[ةه]",
        "ه": "[ةه]",
        "ى": "[ىي]",
        "ي": "[ىي]",
    }
)
_TASHKEEL = "[\u064b-\u0652\u0670\u0640]*"  # harakat, dagger alef, tatweel
_ARABIC_LETTER = re.compile("[\u0621-\u064a]")
_SPLIT = re.compile(r"[\s\-_.]+")


def _name_pattern(name: str) -> str:
    """A regex for ``name`` that ignores case, tashkeel and alef/ta-marbuta/ya spelling."""
    parts: list[str] = []
    for char in name:
        if char.isspace() or char in "-_":
            parts.append(r"[\s\-_]+")
        elif _ARABIC_LETTER.match(char):
            parts.append(_ARABIC_VARIANTS.get(char, re.escape(char)) + _TASHKEEL)
        else:
            parts.append(re.escape(char))
    return "".join(parts)


def _name_variants(names: Iterable[str]) -> list[str]:
    """Each full name and each of its meaningful parts, longest first (full names win)."""
    found: set[str] = set()
    for name in names:
        name = " ".join((name or "").split())
        if len(name) < 2:
            continue
        found.add(name)
        for part in _SPLIT.split(name):
            bare = re.sub(_TASHKEEL, "", part)
            if len(bare) >= 3 and bare.casefold() not in _NAME_PARTICLES:
                found.add(part)
    return sorted(found, key=lambda n: (-len(n), n))


def _names_regex(names: Iterable[str]) -> re.Pattern[str] | None:
    variants = _name_variants(names)
    if not variants:
        return None
    alternatives = "|".join(_name_pattern(v) for v in variants)
    # An Arabic proclitic (و ف ب ل ك) may be glued to the name: "لفاطمة" → "ل[الاسم]".
    return re.compile(rf"(?<!\w)([وفبلك]?)(?:{alternatives})(?!\w)", re.IGNORECASE)


def _placeholders(lang: str) -> Mapping[str, str]:
    return PLACEHOLDERS.get(lang, PLACEHOLDERS["en"])


def scrub(
    text: str,
    *,
    lang: str = "en",
    names: Sequence[str] = (),
    emails: Sequence[str] = (),
    references: Sequence[str] = (),
) -> str:
    """``text`` without e-mail addresses, phone numbers, ``names`` and ticket references.

    Each is replaced by a bracketed placeholder in ``lang`` so the sentence still reads.
    ``emails`` and ``references`` are removed even when they do not look like one.
    """
    words = _placeholders(lang)
    out = text or ""
    for address in sorted({e for e in emails if e}, key=len, reverse=True):
        out = re.sub(re.escape(address), words["email"], out, flags=re.IGNORECASE)
    out = EMAIL.sub(words["email"], out)
    for reference in sorted({r for r in references if r}, key=len, reverse=True):
        out = re.sub(rf"(?<!\w){re.escape(reference)}(?!\w)", words["ticket"], out, flags=re.I)
    out = TICKET_REFERENCE.sub(words["ticket"], out)
    out = PHONE.sub(words["phone"], out)
    pattern = _names_regex(names)
    if pattern is not None:
        out = pattern.sub(lambda m: m.group(1) + words["name"], out)
    return out


# --- the template -----------------------------------------------------------------------------

HEADINGS: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {
        "ar": MappingProxyType(
            {
                "symptoms": "الأعراض",
                "steps": "خطوات الحل",
                "resolution": "الحل",
                "related": "مقالات ذات صلة",
            }
        ),
        "en": MappingProxyType(
            {
                "symptoms": "Symptoms",
                "steps": "Steps",
                "resolution": "Resolution",
                "related": "Related articles",
            }
        ),
    }
)
DRAFT_KIND = "troubleshooting"
MAX_TITLE = 200


def headings(lang: str) -> Mapping[str, str]:
    """The template's section headings in the ticket's language (English for any other)."""
    return HEADINGS.get(lang, HEADINGS["en"])


def _block(text: str) -> str:
    return "\n".join(line.rstrip() for line in text.strip().splitlines()).strip()


def to_draft(source: PromotionSource) -> DraftInput:
    """The draft article for a resolved ticket, personal data removed; see the module doc."""
    lang = source.lang if source.lang in HEADINGS else "en"
    names = tuple(source.names) + tuple(m.author_name for m in source.messages if m.author_name)

    def clean(text: str) -> str:
        return _block(
            scrub(
                text,
                lang=lang,
                names=names,
                emails=source.emails,
                references=(source.reference,),
            )
        )

    words = headings(lang)
    public = [m for m in source.messages if not m.internal]
    symptoms = [clean(source.body)] + [clean(m.body) for m in public if m.from_requester]
    steps = [clean(m.body) for m in public if not m.from_requester]
    note = clean(source.resolution_note or "")

    sections = [f"## {words['symptoms']}", *[s for s in symptoms if s]]
    sections.append(f"## {words['steps']}")
    sections += [s for s in steps if s]
    if note:
        sections += [f"### {words['resolution']}", note]
    if source.related:
        sections.append(f"## {words['related']}")
        sections.append(
            "\n".join(
                f"- [{_link_text(a.title or a.id)}](/kb/{a.lang}/{a.id})" for a in source.related
            )
        )
    # Never the ticket's reference: that is an identifier the article must not carry.
    title = _title(clean(source.subject), lang) or _title(clean(source.body)[:80], lang)
    return DraftInput(
        title=title,
        markdown="\n\n".join(sections) + "\n",
        lang=lang,
        category=source.category or "general",
        tags=tuple(source.tags),
        kind=DRAFT_KIND,
        audience="public",
        extra=MappingProxyType({"source_tickets": [source.reference]}),
    )


def _title(text: str, lang: str) -> str:
    """A scrubbed subject as a title: a name that only addressed someone ("Fatimah: …",
    "… - Fatimah") is dropped rather than left as a placeholder at either end."""
    name = re.escape(_placeholders(lang)["name"])
    text = " ".join(text.split())
    text = re.sub(rf"^{name}\s*[:،,\-–]\s*", "", text)
    text = re.sub(rf"\s*[:،,\-–]\s*{name}$", "", text)
    return text[:MAX_TITLE].strip()


def _link_text(title: str) -> str:
    """A title safe inside Markdown link brackets."""
    return re.sub(r"([\[\]\\])", r"\\\1", " ".join(title.split()))
