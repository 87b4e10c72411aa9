"""The app's commands, one module per command group, added to ``app.cli`` by ``create_app``.

The console script (``jobsmgmt.__main__:main``) is a Flask CLI group over them; ``db`` comes
from Flask-Migrate; ``worker`` and ``scheduler`` come from the RQ process layer (``workers/``)
through the ``flask.commands`` entry points. Every command builds the app only when it runs
(``with_appcontext``), so ``--help`` and ``--version`` write nothing.
"""

from __future__ import annotations

from flask import Flask

from .audit import audit_cli
from .demo import demo_cli
from .desktop import backup, restore, serve
from .sandbox import sandbox
from .tasks import tasks_cli
from .users import users_cli

APP_COMMANDS = (users_cli, audit_cli, tasks_cli, demo_cli, serve, backup, restore, sandbox)


def register_cli(app: Flask) -> None:
    for command in APP_COMMANDS:
        app.cli.add_command(command)
