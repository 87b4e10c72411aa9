"""The ``jobsmgmt`` command line (the console script), ``python -m jobsmgmt`` and the desktop
executable: with no arguments, serve the desktop edition (open the browser)."""

from __future__ import annotations

import sys

import click
from flask.cli import FlaskGroup

from jobsmgmt import create_app  # absolute: PyInstaller runs this file as a script


@click.group(cls=FlaskGroup, create_app=lambda: create_app(), add_default_commands=True)
def main():
    """jobsmgmt: jobs management for an applicant tracking system."""


def run() -> None:
    args = sys.argv[1:] or ["serve"]
    main(args=args, prog_name="jobsmgmt")


if __name__ == "__main__":
    run()
