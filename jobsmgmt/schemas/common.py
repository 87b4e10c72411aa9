"""Shared request/response pieces: UTC times, the error envelope, pagination."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    StringConstraints,
    WithJsonSchema,
    field_validator,
)


def as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _to_utc(value: datetime) -> datetime:
    """Input times: naive means UTC; outside 2000–2999 is a typing mistake, not a deadline."""
    value = as_utc(value)
    if not 2000 <= value.year <= 2999:
        raise ValueError("Dates must be between the years 2000 and 2999")
    return value


def _format_utc(value: datetime) -> str:
    return as_utc(value).replace(microsecond=0, tzinfo=None).isoformat() + "Z"


UTCTime = Annotated[
    datetime,
    AfterValidator(_to_utc),
    PlainSerializer(_format_utc, return_type=str, when_used="json"),
    WithJsonSchema({"type": "string", "format": "date-time"}, mode="serialization"),
    # Input: RFC 3339 with a year 2000–2999 (the rule of ``_to_utc``).
    WithJsonSchema(
        {"type": "string", "format": "date-time", "pattern": r"^2\d{3}-"}, mode="validation"
    ),
]


def unstorable_text(value: str) -> bool:
    """NUL characters and lone surrogates cannot be stored (PostgreSQL) or encoded (UTF-8)."""
    return "\x00" in value or any("\ud800" <= ch <= "\udfff" for ch in value)


def _check_text(value):
    if isinstance(value, str):
        if unstorable_text(value):
            raise ValueError("Text contains NUL characters or invalid Unicode")
    elif isinstance(value, list | tuple | set):
        for item in value:
            _check_text(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_text(key)
            _check_text(item)
    elif isinstance(value, BaseModel):
        return value  # validated by its own model
    return value


# NUL, which no text may hold, in the regex dialect of JSON Schema. Lone surrogates are refused
# too (``unstorable_text``), but no regex engine of JSON Schema validators can name them.
UNSTORABLE = "\\x00"
STORABLE = f"^[^{UNSTORABLE}]*$"
NOT_BLANK = f"^[^{UNSTORABLE}]*[^\\s{UNSTORABLE}][^{UNSTORABLE}]*$"


def _text_checker(blank: bool):
    def check(value: str) -> str:
        if unstorable_text(value):
            raise ValueError("Text contains NUL characters or invalid Unicode")
        value = value.strip()
        if not blank and not value:
            raise ValueError("Must not be empty or only spaces")
        return value

    return check


def Text(  # noqa: N802 - a type factory, used like a type
    max_length: int, min_length: int = 0, *, blank: bool = True, pattern: str | None = None
):
    """Request text as the OpenAPI document states it: the length is checked on the text as
    sent (then surrounding spaces are dropped), no NUL or lone surrogate, and with
    ``blank=False`` at least one character that is not a space."""
    schema: dict = {"type": "string", "maxLength": max_length}
    if min_length:
        schema["minLength"] = min_length
    schema["pattern"] = pattern or (STORABLE if blank else NOT_BLANK)
    constraints = StringConstraints(min_length=min_length or None, max_length=max_length)
    if pattern:
        constraints = StringConstraints(
            min_length=min_length or None, max_length=max_length, pattern=pattern
        )
    return Annotated[str, constraints, AfterValidator(_text_checker(blank)), WithJsonSchema(schema)]


def _whole_number(value):
    """JSON Schema's integers include 24.0: accept integral numbers written as floats."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


class RequestModel(BaseModel):
    """Request bodies and queries: unknown fields are rejected (no mass assignment), and text
    that no database can store is a 422, not a 500. Text fields declared with ``Text`` check
    their length before dropping surrounding spaces, as the document says."""

    model_config = ConfigDict(extra="forbid", regex_engine="python-re")

    @field_validator("*", mode="after")
    @classmethod
    def _storable_text(cls, value):
        return _check_text(value)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


class ErrorBody(ResponseModel):
    code: str
    message: str
    details: dict[str, Any] = Field(default_factory=dict)


class ErrorEnvelope(ResponseModel):
    success: Literal[False] = False
    error: ErrorBody


class Pagination(ResponseModel):
    total: int
    page: int
    limit: int
    pages: int


def pagination(total: int, page: int, limit: int) -> dict:
    return {
        "total": total,
        "page": page,
        "limit": limit,
        "pages": -(-total // limit) if total else 0,
    }


class PageQuery(RequestModel):
    page: int = Field(1, ge=1, le=1_000_000)
    limit: int = Field(20, ge=1, le=100)
