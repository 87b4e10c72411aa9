"""The ``jobsmgmt`` command line (the console script), ``python -m jobsmgmt`` and the desktop
executable: with no arguments, serve the desktop edition (open the browser)."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup
from flask_migrate.cli import db as migrate_cli

# absolute: PyInstaller runs this file as a script
from jobsmgmt import create_app
from jobsmgmt.cli import APP_COMMANDS
from jobsmgmt.config import app_version, edition_from_environment


def _print_version(ctx, _param, value):
    """``jobsmgmt --version``: this installation's version and edition (nothing is written)."""
    if not value or ctx.resilient_parsing:
        return
    click.echo(f"jobsmgmt {app_version()} ({edition_from_environment()} edition)")
    ctx.exit()


class JobsmgmtGroup(FlaskGroup):
    """Flask's command group, except that listing the commands (``--help``) never builds the app:
    building it reads the settings, which creates the desktop data directory and its keys. The
    commands are this group's own and build the app (``with_appcontext``) only when they run."""

    def list_commands(self, ctx):
        self._load_plugin_commands()
        return sorted(click.Group.list_commands(self, ctx))


@click.group(
    cls=JobsmgmtGroup,
    create_app=lambda: create_app(),
    add_default_commands=True,
    add_version_option=False,
)
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and edition, then exit.",
)
def main():
    """jobsmgmt: jobs management for an applicant tracking system."""


for _command in APP_COMMANDS:  # reachable, and their help shown, without building the app
    main.add_command(_command)
main.add_command(migrate_cli)  # Flask-Migrate's `db`, also where entry points are missing


def run() -> None:
    args = sys.argv[1:] or ["serve"]
    main(args=args, prog_name="jobsmgmt")


if __name__ == "__main__":
    run()
