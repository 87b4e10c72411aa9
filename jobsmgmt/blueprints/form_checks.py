"""WTForms validators shared by the pages: text a database can store, and sane dates."""

from __future__ import annotations

from wtforms.validators import ValidationError

from ..schemas.common import unstorable_text


def storable(form, field) -> None:
    """NUL characters and lone surrogates: refused here rather than failing in PostgreSQL."""
    if isinstance(field.data, str) and field.data and unstorable_text(field.data):
        raise ValidationError("Remove the invisible control characters from this field.")


def sane_year(form, field) -> None:
    """The API's rule for dates (years 2000–2999), so a slip like 0202 is caught on the form."""
    if field.data is not None and not 2000 <= field.data.year <= 2999:
        raise ValidationError("Enter a date between the years 2000 and 2999.")
