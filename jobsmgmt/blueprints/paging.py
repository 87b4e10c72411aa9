"""Page numbers of the HTML lists: read safely from the query string, and the page count."""

from __future__ import annotations

from flask import request

MAX_PAGE = 100_000


def page_arg(name: str = "page") -> int:
    """The requested page, 1 … MAX_PAGE (anything else, e.g. 10**19 or "x", is clamped)."""
    return min(max(request.args.get(name, 1, type=int) or 1, 1), MAX_PAGE)


def pages_for(total: int, per_page: int) -> int:
    """How many pages ``total`` rows fill (at least one, so an empty list shows page 1 of 1)."""
    return max(-(-total // per_page), 1)
