"""The index as a catalogue: stored fields by key or terms, other-language versions,
listings sorted by title and counts per facet value."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from whoosh import query

from portal.search.index.results import Filter
from portal.search.index.warm import WarmSearcher, column_text, has_documents


def versions(
    warm: WarmSearcher, ids: Sequence[str], lang: str, flt: Filter
) -> list[Mapping[str, Any]]:
    """Allowed documents not in ``lang`` whose id is one of ``ids`` or translates one.

    An article's other-language versions, for every search hit: read from the ``id`` and
    ``translation_of`` columns once per searcher (a term query per hit was a quarter of
    a search), stored fields only for the versions found.
    """
    with warm.reading() as searcher:
        caches = warm.caches
        if caches.versions is None:
            reader = searcher.reader()
            groups: dict[str, list[int]] = {}
            if has_documents(reader):
                id_column = reader.column_reader("id")
                of_column = reader.column_reader("translation_of")
                for number in reader.all_doc_ids():
                    for value in {column_text(id_column[number]), column_text(of_column[number])}:
                        if value:
                            groups.setdefault(value, []).append(number)
            caches.versions = groups
        allowed = warm.allowed(searcher, flt)
        numbers = sorted({n for i in ids if i for n in caches.versions.get(i, ())})
        out: list[Mapping[str, Any]] = []
        for number in numbers:
            if allowed is not None and number not in allowed:
                continue
            key = ("stored", number)
            found = caches.documents.get(key)
            if found is None:
                found = [searcher.stored_fields(number)]
                if len(caches.documents) > 4096:
                    caches.documents.clear()
                caches.documents[key] = found
            if found[0].get("lang") != lang:
                out.append(found[0])
        return out


def documents(warm: WarmSearcher, flt: Filter, terms: Mapping[str, str]) -> list[Mapping[str, Any]]:
    """Stored fields of every allowed document matching all ``terms`` (field → value).

    Cached per searcher: every search hit looks up its other-language versions here, and
    reading a document's stored fields (its whole body) is the expensive part.
    """
    with warm.reading() as searcher:
        cache = warm.caches.documents
        key = (flt, tuple(sorted(terms.items())))
        found = cache.get(key)
        if found is None:
            allowed = warm.allowed(searcher, flt)
            q = query.And([query.Term(name, value) for name, value in terms.items()])
            numbers = sorted(searcher.docs_for_query(q))
            found = [searcher.stored_fields(n) for n in numbers if allowed is None or n in allowed]
            if len(cache) > 4096:
                cache.clear()
            cache[key] = found
        return list(found)


def listing(
    warm: WarmSearcher, flt: Filter, offset: int, limit: int
) -> tuple[int, list[Mapping[str, Any]]]:
    """Allowed documents sorted by normalised title: (total, one page)."""
    with warm.reading() as searcher:
        allowed = warm.allowed(searcher, flt)
        reader = searcher.reader()
        numbers = list(allowed) if allowed is not None else list(reader.all_doc_ids())
        if not numbers:
            return 0, []
        column = reader.column_reader("title_sort")
        numbers.sort(key=lambda n: (column[n], n))
        page = numbers[offset : offset + limit]
        return len(numbers), [searcher.stored_fields(n) for n in page]


def counts(warm: WarmSearcher, fieldname: str, flt: Filter) -> dict[str, int]:
    """Value → number of allowed documents, for a sortable field."""
    with warm.reading() as searcher:
        allowed = warm.allowed(searcher, flt)
        reader = searcher.reader()
        numbers = allowed if allowed is not None else reader.all_doc_ids()
        out: dict[str, int] = {}
        if not has_documents(reader):
            return out
        column = reader.column_reader(fieldname)
        for number in numbers:
            value = column[number]
            if isinstance(value, bytes):
                value = value.decode("utf-8")
            if value:
                out[str(value)] = out.get(str(value), 0) + 1
        return out


def key_of(warm: WarmSearcher, key: str) -> Mapping[str, Any] | None:
    """Stored fields of the document with this unique key, whatever its visibility."""
    with warm.reading() as searcher:
        found: Mapping[str, Any] | None = searcher.document(key=key)
        return found
