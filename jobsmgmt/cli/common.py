"""What every command module shares: turning a domain error into a clean exit."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager

import click

from ..services.errors import DomainError


def fail(error: DomainError):
    click.echo(f"Error: {error.message}", err=True)
    sys.exit(2)


@contextmanager
def domain_errors() -> Iterator[None]:
    """Exit 2 with the domain error's message instead of a traceback."""
    try:
        yield
    except DomainError as error:
        fail(error)
