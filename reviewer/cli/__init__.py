"""The command line: `reviewer` and its commands, one module per kind of command.

app.py holds what the commands share (options, settings, errors -> exit codes); importing the
command modules registers their commands on the app, in the order `--help` lists them.
"""

from reviewer.cli import review, delivery, journal, cache, doctor  # noqa: I001  (registration order)
from reviewer.cli.app import DEFAULT_PROMPT_BUDGET, app, main

__all__ = [
    "DEFAULT_PROMPT_BUDGET",
    "app",
    "cache",
    "delivery",
    "doctor",
    "journal",
    "main",
    "review",
]
