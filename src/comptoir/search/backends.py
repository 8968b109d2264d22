"""Search backends: what answers a product query, behind one small interface.

A backend receives the query text, the language and the products it may return (a queryset
of ids: the products published in the channel, in a category...) and answers the best
matching ids, best first, at most `limit`. Listing pages then price, filter, facet and page
those ids with the catalog selectors, whatever the engine. The backends here search the
`SearchDocument` table with the database's own full-text engine; a dedicated engine
(Meilisearch, OpenSearch...) plugs in through `COMPTOIR_SEARCH_BACKEND`, a dotted path to a
`SearchBackend` class, fed by the same outbox events.

- PostgreSQL: `to_tsquery` over the generated French or English `tsvector` (stemmed, accents
  ignored, each word also matching as a prefix), ranked by `ts_rank_cd` with the names
  weighing most; when that finds nothing, trigram word similarity on the accent-free names
  tolerates typos in words of four letters or more ("perseuse" finds "perceuse").
- SQLite: FTS5 with accents removed and Porter stemming, ranked by bm25; each word also
  matches as a prefix. When that finds nothing, each word of four letters or more may also
  match the indexed terms (`fts5vocab`) that are close to it (difflib's ratio): "perseuse"
  finds "perceuse". The terms are read whole, which suits the embedded default's catalogs
  (thousands of products); PostgreSQL is the engine for large ones.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from typing import Any, Protocol

from django.conf import settings
from django.db import connection
from django.db.models import QuerySet
from django.utils.module_loading import import_string

# Words as the engines tokenise them: letters and digits (accents kept, then removed).
_WORD = re.compile(r"\w+", re.UNICODE)
MAX_WORDS = 8
MAX_WORD_LENGTH = 40
# Trigram word similarity a name must reach to match a misspelt query (0..1).
TYPO_SIMILARITY = 0.45
# SQLite: how close (difflib ratio, 0..1) an indexed term must be to a misspelt word, the
# shortest word corrected, and how many close terms a word may stand for.
TYPO_RATIO = 0.75
TYPO_MIN_LENGTH = 4
TYPO_TERMS = 5


@dataclass(frozen=True, slots=True)
class Suggestion:
    product_id: int
    name: str
    slug: str


class SearchBackend(Protocol):
    def search(
        self, *, text: str, language: str, within: QuerySet[Any], limit: int
    ) -> list[int]: ...

    def suggest(
        self, *, text: str, language: str, within: QuerySet[Any], limit: int
    ) -> list[Suggestion]: ...


def query_words(text: str) -> list[str]:
    """The words of a query as the engines take them: letters and digits only (so no
    operator or quote reaches a query syntax), lower-cased, accents removed, at most
    MAX_WORDS words of at most MAX_WORD_LENGTH characters."""
    folded = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in folded if not unicodedata.combining(ch))
    words = [word[:MAX_WORD_LENGTH] for word in _WORD.findall(plain.replace("_", " "))]
    return words[:MAX_WORDS]


def _within_sql(within: QuerySet[Any]) -> tuple[str, tuple[Any, ...]]:
    sql, params = within.query.sql_with_params()
    return sql, tuple(params)


class _DocumentBackend:
    """Suggestions are the names of the best matches, read from the index."""

    def search(self, *, text: str, language: str, within: QuerySet[Any], limit: int) -> list[int]:
        raise NotImplementedError

    def suggest(
        self, *, text: str, language: str, within: QuerySet[Any], limit: int
    ) -> list[Suggestion]:
        ids = self.search(text=text, language=language, within=within, limit=limit)
        return _names(ids, language)


class PostgresBackend(_DocumentBackend):
    def _column(self, language: str) -> tuple[str, str, str]:
        if language == "en":
            return "vector_en", "comptoir_en", "name_en"
        return "vector_fr", "comptoir_fr", "name_fr"

    def _tsquery(self, words: Sequence[str]) -> str:
        # Words are letters and digits only: nothing here is tsquery syntax.
        return " & ".join(f"{word}:*" for word in words)

    def search(self, *, text: str, language: str, within: QuerySet[Any], limit: int) -> list[int]:
        words = query_words(text)
        if not words:
            return []
        vector, config, name = self._column(language)
        within_sql, within_params = _within_sql(within)
        # Fixed column and configuration names; the query and the ids are parameters.
        sql = (
            f"SELECT product_id FROM search_searchdocument "  # noqa: S608
            f"WHERE {vector} @@ to_tsquery(%s::regconfig, %s) AND product_id IN ({within_sql}) "
            f"ORDER BY ts_rank_cd({vector}, to_tsquery(%s::regconfig, %s)) DESC, product_id "
            f"LIMIT %s"
        )
        tsquery = self._tsquery(words)
        with connection.cursor() as cursor:
            cursor.execute(sql, (config, tsquery, *within_params, config, tsquery, limit))
            ids = [row[0] for row in cursor.fetchall()]
            if ids:
                return ids
            return self._similar(
                cursor, words, name=name, within=(within_sql, within_params), limit=limit
            )

    def _similar(
        self,
        cursor: Any,
        words: Sequence[str],
        *,
        name: str,
        within: tuple[str, tuple[Any, ...]],
        limit: int,
    ) -> list[int]:
        """Names that contain, for each word of the query, something close to it (typos),
        best first. Words under TYPO_MIN_LENGTH letters are not corrected (three letters are
        close to too much): they must be in the name as typed."""
        long_words = [word for word in words if len(word) >= TYPO_MIN_LENGTH]
        short_words = [word for word in words if len(word) < TYPO_MIN_LENGTH]
        if not long_words:
            return []
        within_sql, within_params = within
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            (str(TYPO_SIMILARITY),),
        )
        column = f"comptoir_unaccent({name})"
        close = " AND ".join(
            [f"%s <%% {column}" for _word in long_words]
            + [f"{column} LIKE %s" for _word in short_words]
        )
        score = " + ".join(f"word_similarity(%s, {column})" for _word in long_words)
        # Fixed column names and one placeholder per word: the words are parameters (short
        # words are letters and digits only: no LIKE wildcard).
        cursor.execute(
            f"SELECT product_id FROM search_searchdocument "  # noqa: S608
            f"WHERE {close} AND product_id IN ({within_sql}) "
            f"ORDER BY {score} DESC, product_id LIMIT %s",
            (
                *long_words,
                *(f"%{word}%" for word in short_words),
                *within_params,
                *long_words,
                limit,
            ),
        )
        return [row[0] for row in cursor.fetchall()]


class SqliteBackend(_DocumentBackend):
    def search(self, *, text: str, language: str, within: QuerySet[Any], limit: int) -> list[int]:
        words = query_words(text)
        if not words:
            return []
        # Each word quoted (FTS5 strings) and a prefix: letters and digits only inside.
        match = " ".join(f'"{word}"*' for word in words)
        with connection.cursor() as cursor:
            ids = self._match(cursor, match, within, limit)
            if ids:
                return ids
            return self._match(cursor, self._corrected(cursor, words), within, limit)

    def _match(self, cursor: Any, match: str, within: QuerySet[Any], limit: int) -> list[int]:
        within_sql, within_params = _within_sql(within)
        # bm25 weights per column: names 10, codes 10, text 1.
        sql = (
            "SELECT rowid FROM search_fts WHERE search_fts MATCH %s "  # noqa: S608
            f"AND rowid IN ({within_sql}) "
            "ORDER BY bm25(search_fts, 10.0, 10.0, 10.0, 1.0, 1.0), rowid LIMIT %s"
        )
        cursor.execute(sql, (match, *within_params, limit))
        return [row[0] for row in cursor.fetchall()]

    def _corrected(self, cursor: Any, words: Sequence[str]) -> str:
        """The query on the names, each long enough word also matching the names' indexed
        terms close to it: `{name_fr name_en} : (("perseuse"* OR "perceus"*) AND "fil"*)`.
        Terms are Porter stems, letters and digits only."""
        long_words = [word for word in words if len(word) >= TYPO_MIN_LENGTH]
        terms: list[str] = []
        if long_words:
            shortest = min(len(word) for word in long_words)
            longest = max(len(word) for word in long_words)
            cursor.execute(
                "SELECT DISTINCT term FROM search_fts_vocab "
                "WHERE col IN ('name_fr', 'name_en') AND length(term) BETWEEN %s AND %s",
                (max(shortest - 3, 2), longest + 2),
            )
            terms = [row[0] for row in cursor.fetchall() if row[0].isalnum()]
        parts = []
        for word in words:
            close = _close_terms(word, terms) if len(word) >= TYPO_MIN_LENGTH else []
            options = [f'"{word}"*', *(f'"{term}"*' for term in close if term != word)]
            parts.append(options[0] if len(options) == 1 else f"({' OR '.join(options)})")
        return "{name_fr name_en} : (" + " AND ".join(parts) + ")"


def _close_terms(word: str, terms: Sequence[str]) -> list[str]:
    """The indexed terms (stems: "perceus" for "perceuse") most like `word`, best first."""
    scored = []
    matcher = SequenceMatcher(autojunk=False)
    matcher.set_seq2(word)
    for term in terms:
        if abs(len(term) - len(word)) > 3:
            continue
        matcher.set_seq1(term)
        if matcher.real_quick_ratio() < TYPO_RATIO or matcher.quick_ratio() < TYPO_RATIO:
            continue
        # A stem is shorter than its words: compare it with the word's beginning too.
        ratio = max(matcher.ratio(), SequenceMatcher(None, term, word[: len(term)]).ratio())
        if ratio >= TYPO_RATIO:
            scored.append((-ratio, term))
    return [term for _ratio, term in sorted(scored)[:TYPO_TERMS]]


def _names(ids: list[int], language: str) -> list[Suggestion]:
    """The indexed names of `ids` in `language` (the French one when there is no English
    name), in the order of `ids` (one query)."""
    if not ids:
        return []
    from comptoir.search.models import SearchDocument

    rows = SearchDocument.objects.filter(product_id__in=ids).values_list(
        "product_id", "name_fr", "name_en", "product__slug"
    )
    found = {
        pk: Suggestion(
            product_id=pk, name=name_en if language == "en" and name_en else name_fr, slug=slug
        )
        for pk, name_fr, name_en, slug in rows
    }
    return [found[pk] for pk in ids if pk in found]


@cache
def _backend_class(path: str) -> type[SearchBackend]:
    return import_string(path)


def get_backend() -> SearchBackend:
    """The configured backend (`COMPTOIR_SEARCH_BACKEND`), else the database's own."""
    path = getattr(settings, "COMPTOIR_SEARCH_BACKEND", "")
    if path:
        return _backend_class(path)()
    if connection.vendor == "postgresql":
        return PostgresBackend()
    return SqliteBackend()
