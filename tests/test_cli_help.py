"""The command line reads well: whole help lines, readable metavars, a short bare usage."""

from __future__ import annotations

import re

import pytest
from typer.testing import CliRunner

from reviewer.cli import app

runner = CliRunner()
COMMANDS = [
    "week", "month", "weeks", "send", "cron", "check", "entries", "questions", "todos",
    "stats", "reflections", "site", "redact", "cache", "doctor",
]  # fmt: skip


def _commands_block(text: str) -> dict[str, str]:
    """The Commands section of a help text: name -> its line, continuation lines joined."""
    block = text.split("Commands:\n", 1)[1].split("\n\n", 1)[0]
    found: dict[str, str] = {}
    name = ""
    for line in block.splitlines():
        match = re.match(r"^  (\S+)\s+(.*)$", line)
        if match:
            name, found[match[1]] = match[1], match[2]
        elif name:
            found[name] += " " + line.strip()
    return found


def test_bare_reviewer_prints_a_short_usage_and_exits_2() -> None:
    result = runner.invoke(app, [])
    assert result.exit_code == 2  # as click does for a missing command
    assert result.stdout == ""
    assert result.stderr.startswith("Usage: reviewer")
    assert set(_commands_block(result.stderr)) == set(COMMANDS)
    assert "REVIEWER_SMTP_HOST" not in result.stderr  # the long help is one --help away
    assert "reviewer --help" in result.stderr
    result = runner.invoke(app, ["cache"])  # a group of commands behaves the same
    assert result.exit_code == 2 and set(_commands_block(result.stderr)) == {"stats", "clear"}


def test_every_command_has_its_whole_first_line_in_the_help() -> None:
    result = runner.invoke(app, ["--help"], terminal_width=80)
    assert result.exit_code == 0
    lines = _commands_block(result.stdout)
    assert set(lines) == set(COMMANDS)
    for name, line in lines.items():
        assert not line.endswith("..."), (name, line)
        assert line.endswith("."), (name, line)
        command_help = runner.invoke(app, [name, "--help"], terminal_width=200).stdout
        assert " ".join(line.split()) in " ".join(command_help.split()), name


@pytest.mark.parametrize("command", [*COMMANDS, "cache clear", "cache stats"])
def test_options_read_as_words_not_types(command: str) -> None:
    result = runner.invoke(app, [*command.split(), "--help"], terminal_width=120)
    assert result.exit_code == 0, result.output
    for noise in ("<str>", "<list[str]>", "<int range>", "<int>", "<path>", "[default: 0]"):
        assert noise not in result.stdout, (command, noise)
