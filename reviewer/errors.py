"""The package's one error type and the exit codes it maps to.

    ReviewerError            a condition we foresaw; carries a one-line message and an exit code
      ├── InputError         the journal is missing, unreadable or malformed   (65/66)
      ├── ConfigError        settings are missing or invalid                    (78)
      └── UsageError         a command-line value makes no sense                (2)

cli.py turns any ReviewerError into `reviewer: <message>` on stderr and its exit code; nothing
else in the package prints or exits.
"""

from __future__ import annotations

__all__ = [
    "EXIT_CANT_CREATE",
    "EXIT_CONFIG",
    "EXIT_DATA",
    "EXIT_DEGRADED",
    "EXIT_LINT",
    "EXIT_NO_INPUT",
    "EXIT_OK",
    "EXIT_SOFTWARE",
    "EXIT_TEMPFAIL",
    "EXIT_UNAVAILABLE",
    "EXIT_USAGE",
    "ConfigError",
    "InputError",
    "ReviewerError",
    "UsageError",
]

# Documented in the README; cron jobs act on them. sysexits.h numbers where one fits.
EXIT_OK = 0
EXIT_LINT = 1  # `reviewer check` found errors
EXIT_USAGE = 2  # bad command line (typer uses 2 as well)
EXIT_DEGRADED = 3  # a digest was produced, but from the offline fallback after an LLM failure
EXIT_DATA = 65  # the journal cannot be read as a journal (EX_DATAERR)
EXIT_NO_INPUT = 66  # the journal file or folder does not exist (EX_NOINPUT)
EXIT_UNAVAILABLE = 69  # a service refused for good (EX_UNAVAILABLE)
EXIT_SOFTWARE = 70  # an unforeseen error, a bug: one line, the traceback with -v (EX_SOFTWARE)
EXIT_CANT_CREATE = 73  # an output or archive file cannot be written (EX_CANTCREAT)
EXIT_TEMPFAIL = 75  # try again later (EX_TEMPFAIL)
EXIT_CONFIG = 78  # configuration missing or invalid (EX_CONFIG)


class ReviewerError(Exception):
    """A foreseen failure: `str(err)` is the one-line message for the user."""

    exit_code = EXIT_DATA

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class InputError(ReviewerError):
    """The journal cannot be read or parsed."""

    exit_code = EXIT_DATA


class ConfigError(ReviewerError):
    """Settings are missing or invalid."""

    exit_code = EXIT_CONFIG


class UsageError(ReviewerError):
    """A command-line value is invalid."""

    exit_code = EXIT_USAGE
