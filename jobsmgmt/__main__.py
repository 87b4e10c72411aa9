"""``python -m jobsmgmt`` and the desktop executable: with no arguments, serve the desktop
edition (open the browser); with arguments, the ``jobsmgmt`` command line."""

from __future__ import annotations

import sys


def run() -> None:
    from jobsmgmt.cli import main

    args = sys.argv[1:] or ["serve"]
    main(args=args, prog_name="jobsmgmt")


if __name__ == "__main__":
    run()
