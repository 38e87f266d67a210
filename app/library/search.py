"""Full-text search over article titles, summaries and bodies.

SQLite uses the FTS5 table `article_search` (kept in step by triggers; see migration
0005_library); PostgreSQL matches `to_tsvector('english', ...)` against the GIN index built on
the same expression. Both rank the best matches first. Whatever people type is made safe here:
it is never passed to FTS5 or to_tsquery as query syntax.
"""

from __future__ import annotations

import re

from sqlalchemy import ColumnElement, Select, func, literal_column, text

from app.extensions import db
from app.models import Article

_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # letters and digits only: never query syntax


def search_terms(query: str) -> list[str]:
    """The words of a query, at most eight, lower-case."""
    return [w.lower() for w in _WORD.findall(query or "")][:8]


def _postgres_document() -> ColumnElement:
    # Must stay the same expression as the index in migration 0005_library.
    document = (
        func.coalesce(Article.title, "")
        + literal_column("' '")
        + func.coalesce(Article.summary, "")
        + literal_column("' '")
        + func.coalesce(Article.body, "")
    )
    return func.to_tsvector(literal_column("'english'"), document)


def apply_search(statement: Select, query: str) -> Select:
    """Limit `statement` (which selects Article) to matches for `query`, best first."""
    terms = search_terms(query)
    if not terms:
        return statement
    if db.engine.dialect.name == "postgresql":
        # Every word must match, the last as a prefix (people search as they type).
        prefix = " & ".join([*terms[:-1], f"{terms[-1]}:*"])
        tsquery = func.to_tsquery(literal_column("'english'"), prefix)
        document = _postgres_document()
        return statement.where(document.op("@@")(tsquery)).order_by(
            func.ts_rank(document, tsquery).desc()
        )
    # FTS5: each word quoted (so nothing is read as syntax) and prefix-matched.
    fts_query = " ".join(f'"{term}"*' for term in terms)
    matches = (
        text(
            "SELECT rowid AS article_id, bm25(article_search) AS rank FROM article_search "
            "WHERE article_search MATCH :q"
        )
        .bindparams(q=fts_query)
        .columns(article_id=db.Integer, rank=db.Float)
        .subquery("matches")
    )
    return statement.join(matches, matches.c.article_id == Article.id).order_by(matches.c.rank)
