"""Running a command line: one log format for every command, then the chosen subcommand.

Both ``bodemregie`` (bodemregie/cli.py) and ``bodemregie audit`` on its own (auditor/cli.py)
run through here, so the auditor's entry point needs nothing from bodemregie/cli.py, which
imports the auditor's parser: the dependency goes one way only.
"""

from __future__ import annotations

import argparse
import logging

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def run(parser: argparse.ArgumentParser, argv: list[str] | None) -> int:
    """Parse ``argv`` and call the subcommand's ``func`` (set with ``set_defaults``)."""
    logging.basicConfig(level=logging.WARNING, format=LOG_FORMAT)
    args = parser.parse_args(argv)
    return int(args.func(args))
