"""Ids in page URLs: one that no row can have (too long, NUL, lone surrogates) is a 404 before
any query, so PostgreSQL never sees text it cannot store."""

from __future__ import annotations

from ..schemas.common import unstorable_text
from ..services.errors import NotFound

MAX_ID_LENGTH = 100


def reject_impossible_ids(endpoint: str | None, values: dict | None) -> None:
    """The app's ``url_value_preprocessor``: every URL value that carries an id."""
    for value in (values or {}).values():
        if isinstance(value, str) and (len(value) > MAX_ID_LENGTH or unstorable_text(value)):
            raise NotFound("No such page.")
