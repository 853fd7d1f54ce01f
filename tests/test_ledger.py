"""The send ledger: a rerun does not resend, --force does, a changed digest waits for --force,
and two runs at once send once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from reviewer.cli import app
from reviewer.delivery.sent import Ledger, Sent
from reviewer.errors import ReviewerError

from .mailserver import Server, running

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "journal.md"


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-01")
    with running() as srv:
        for name, value in srv.env().items():
            monkeypatch.setenv(name, value)
        yield srv


def send(*args: str, journal: Path = FIXTURE) -> Result:
    return CliRunner().invoke(app, ["send", "2020-02-24", "--journal", str(journal), *args])


def _sent(week: str, recipient: str, digest_hash: str = "h1") -> Sent:
    return Sent(week, recipient, digest_hash, f"<{week}@x>", "2020-03-01T20:00:00+08:00")


def test_the_newest_record_for_a_week_and_recipient_wins(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path / "state")
    assert ledger.last_sent("2020-W09", "a@example.org") is None
    ledger.record(_sent("2020-W09", "a@example.org", "h1"))
    ledger.record(_sent("2020-W09", "b@example.org", "h2"))
    ledger.record(_sent("2020-W09", "A@example.org", "h3"))
    assert ledger.last_sent("2020-W09", "a@example.org") == _sent("2020-W09", "A@example.org", "h3")
    assert ledger.last_sent("2020-W10", "a@example.org") is None
    assert (tmp_path / "state" / "sent.jsonl").stat().st_mode & 0o777 == 0o600


def test_a_line_cut_short_by_a_crash_is_skipped(tmp_path: Path) -> None:
    ledger = Ledger(tmp_path)
    ledger.record(_sent("2020-W09", "a@example.org"))
    with ledger.path.open("a") as handle:
        handle.write('{"week": "2020-W09", "recipient": "b@exa')
    assert ledger.last_sent("2020-W09", "b@example.org") is None
    assert ledger.last_sent("2020-W09", "a@example.org") is not None


def test_a_held_lock_makes_the_second_run_wait_then_exit_75(tmp_path: Path) -> None:
    first, second = Ledger(tmp_path), Ledger(tmp_path)
    with (
        first.locked(),
        pytest.raises(ReviewerError) as caught,
        second.locked(timeout=0.3, poll=0.05),
    ):
        pass
    assert caught.value.exit_code == 75
    assert "still sending" in str(caught.value)
    with second.locked(timeout=0.3):  # released when the first run is done
        pass


def test_a_rerun_does_not_resend(server: Server) -> None:
    assert send().exit_code == 0
    again = send()
    assert again.exit_code == 0
    assert "2020-W09 was already sent to me@example.org on " in again.stderr
    assert "--force sends it again" in again.stderr
    assert len(server.handler.received) == 1


def test_force_resends(server: Server, _isolated: Path) -> None:
    assert send().exit_code == 0
    assert send("--force").exit_code == 0
    assert len(server.handler.received) == 2
    lines = (_isolated / ".local/state/reviewer/sent.jsonl").read_text().splitlines()
    assert [json.loads(line)["forced"] for line in lines] == [False, True]


def test_a_new_recipient_gets_the_week_the_others_already_have(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert send().exit_code == 0
    monkeypatch.setenv("REVIEWER_MAIL_TO", "me@example.org,new@example.org")
    result = send()
    assert result.exit_code == 0
    assert [r for _, r, _ in server.handler.received] == [["me@example.org"], ["new@example.org"]]


def test_a_changed_digest_is_not_resent_without_force(server: Server, tmp_path: Path) -> None:
    journal = tmp_path / "journal.md"
    journal.write_text(FIXTURE.read_text(encoding="utf-8"), encoding="utf-8")
    assert send(journal=journal).exit_code == 0
    text = journal.read_text(encoding="utf-8")
    journal.write_text(
        text.replace("### 2020-02-27", "### 2020-02-27\n* 需要问的问题\n  * a late question?", 1),
        encoding="utf-8",
    )
    result = send(journal=journal)
    assert result.exit_code == 0
    assert "but the digest has changed since" in result.stderr
    assert "--force sends the new one" in result.stderr
    assert len(server.handler.received) == 1
    assert send("--force", journal=journal).exit_code == 0
    assert len(server.handler.received) == 2
    assert "a late question?" in server.handler.messages()[1].get_body(("plain",)).get_content()  # type: ignore[union-attr]
    # Both versions stay in the archive.
    archive = Path(os.environ["XDG_DATA_HOME"]) / "reviewer/archive/2020-W09"
    assert len(list(archive.glob("*.json"))) == 2


def test_two_processes_at_once_send_once(server: Server) -> None:
    server.handler.delay = 1.0  # the first run is mid-DATA while the second reaches the lock
    command = [sys.executable, "-m", "reviewer", "send", "2020-02-24", "--journal", str(FIXTURE)]
    runs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=60) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs
    assert len(server.handler.received) == 1
    stderr = "".join(err for _, err in outputs)
    assert stderr.count("sent 2020-W09 to me@example.org") == 1
    assert stderr.count("was already sent to me@example.org") == 1
