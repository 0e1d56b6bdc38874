"""Catalog search (事项检索) by Chinese substring, full pinyin, pinyin initials and item code.

The index holds, per item, its name, code and the pinyin forms computed once when the catalog is
imported (``pinyin_forms``), so a keystroke costs a scan of short strings and no pinyin lookup.
Ranking: exact code, then name matches (exact, prefix, substring), then initials and full pinyin
(prefix before substring), then the department's name; ties by shorter name, then code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import cast


def pinyin_forms(text: str) -> tuple[str, str]:
    """(full pinyin, initials) of ``text`` without tones, lowercase; non-Chinese kept as is.

    Polyphonic characters take pypinyin's phrase-aware reading, which is right for item names
    (登记 → dengji, 行政 → xingzheng).
    """
    from pypinyin import Style, lazy_pinyin

    # Characters without a reading (Latin letters, digits) are each a syllable of their own, so that
    # each gives its initial: pypinyin's ``errors`` callable may return a list of them (``list``
    # does); the cast is for pypinyin's type stub, which says the callable returns one str.
    one_each = cast(Callable[[str], str], list)
    syllables = lazy_pinyin(text, style=Style.NORMAL, errors=one_each)
    syllables = [s.lower() for s in syllables if s.strip() and s.isalnum()]
    return "".join(syllables), "".join(s[0] for s in syllables)


@dataclass(frozen=True)
class SearchEntry:
    key: int
    code: str
    name: str
    department: str
    pinyin: str
    initials: str
    keywords: str = ""  # colloquial names, "、"-separated (社保、营业执照)
    keyword_index: str = ""  # their pinyin and initials, space-separated


# Lower is better.
_EXACT_CODE, _NAME_EXACT, _NAME_PREFIX, _NAME_SUB, _KEYWORD, _CODE_PREFIX = 0, 1, 2, 3, 4, 5
_INIT_PREFIX, _PY_PREFIX, _KEYWORD_PINYIN, _INIT_SUB, _PY_SUB, _DEPT = 6, 7, 8, 9, 10, 11


class CatalogIndex:
    def __init__(self, entries: Iterable[SearchEntry]) -> None:
        self.entries = list(entries)
        self._lower = [(e, e.name.lower(), e.code.lower(), e.department.lower()) for e in self.entries]

    def __len__(self) -> int:
        return len(self.entries)

    @staticmethod
    def _rank(query: str, compact: str, entry: SearchEntry, name: str, code: str, dept: str) -> int | None:
        if code == query:
            return _EXACT_CODE
        if name == query:
            return _NAME_EXACT
        if name.startswith(query):
            return _NAME_PREFIX
        if query in name:
            return _NAME_SUB
        if entry.keywords and query in entry.keywords:
            return _KEYWORD
        if compact.isascii():
            if compact.isdigit() and code.startswith(compact):
                return _CODE_PREFIX
            if compact.isalnum():
                if entry.initials.startswith(compact):
                    return _INIT_PREFIX
                if entry.pinyin.startswith(compact):
                    return _PY_PREFIX
                if entry.keyword_index and any(w.startswith(compact) for w in entry.keyword_index.split()):
                    return _KEYWORD_PINYIN
                if compact in entry.initials:
                    return _INIT_SUB
                if compact in entry.pinyin:
                    return _PY_SUB
        if query in dept:
            return _DEPT
        return None

    def search(self, query: str, limit: int | None = None) -> list[SearchEntry]:
        """Entries matching ``query`` best first; an empty query lists everything by name."""
        query = query.strip().lower()
        if not query:
            found = sorted(self.entries, key=lambda e: e.code)
            return found[:limit] if limit else found
        compact = "".join(query.split()).replace("'", "")
        scored = []
        for entry, name, code, dept in self._lower:
            rank = self._rank(query, compact, entry, name, code, dept)
            if rank is not None:
                # Code matches read best in code order; everything else shortest name first.
                scored.append((rank, 0 if rank == _CODE_PREFIX else len(entry.name), entry.code, entry))
        scored.sort(key=lambda t: t[:3])
        found = [t[3] for t in scored]
        return found[:limit] if limit else found
