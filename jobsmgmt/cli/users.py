"""``jobsmgmt users``: users and API tokens."""

from __future__ import annotations

import sys

import click

from ..extensions import db
from ..services import audit
from ..services import users as user_service
from ..services.security import EventContext
from .common import domain_errors


def _cli_events() -> EventContext:
    """Security events from the command line: no acting user, the CLI as the client."""
    return EventContext(key=audit.signing_key(db.session), user_agent="jobsmgmt-cli")


users_cli = click.Group("users", help="Manage users and API tokens.")


@users_cli.command("create")
@click.argument("email")
@click.option("--name", required=True)
@click.option(
    "--role",
    type=click.Choice(["admin", "recruiter", "viewer"]),
    default="recruiter",
    show_default=True,
)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def users_create(email, name, role, password_stdin):
    """Create a user (password from --password-stdin or a prompt)."""
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with domain_errors():
        user = user_service.create_user(
            db.session, email, name, role, password, events=_cli_events()
        )
    click.echo(f"Created {user.role} {user.email} ({user.id})")


@users_cli.command("token")
@click.argument("email")
@click.option("--name", default="CLI token", show_default=True)
def users_token(email, name):
    """Print a new API token for EMAIL (shown once, stored hashed)."""
    with domain_errors():
        user = user_service.get_user_by_email(db.session, email)
        _, token = user_service.create_token(db.session, user.id, name, events=_cli_events())
    click.echo(token)


@users_cli.command("list")
def users_list():
    """List users with their roles."""
    for user in user_service.list_users(db.session):
        state = "" if user.is_active else " (inactive)"
        click.echo(f"{user.email}\t{user.name}\t{user.role}{state}")
