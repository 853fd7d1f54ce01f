"""The Sunday job: the crontab entry and systemd timer it prints, and the week it reviews."""

from __future__ import annotations

import shlex
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from reviewer.cli import app
from reviewer.delivery.schedule import Job, crontab, systemd_units
from reviewer.facts.calendar import parse_week

from .mailserver import running

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "journal.md"


def cron(*args: str) -> Result:
    return CliRunner().invoke(app, ["cron", "--journal", str(FIXTURE), *args])


def _entry(output: str) -> str:
    [line] = [ln for ln in output.splitlines() if ln and not ln.startswith(("#", "CRON_TZ="))]
    return line


@pytest.mark.parametrize(
    ("today", "week"),
    [
        (date(2020, 3, 1), "2020-W09"),  # Sunday: the week ending today
        (date(2020, 3, 2), "2020-W09"),  # Monday (a late run): still the week that ended
        (date(2020, 2, 29), "2020-W08"),  # Saturday: the week is not over, the last one is
    ],
)
def test_sunday_is_the_week_of_the_latest_sunday(today: date, week: str) -> None:
    assert parse_week("sunday", today).iso == week


def test_this_on_a_sunday_is_the_week_ending_that_day() -> None:
    chosen = parse_week("this", date(2020, 3, 1))
    assert (chosen.iso, chosen.end) == ("2020-W09", date(2020, 3, 1))


def test_crontab_runs_on_sundays_at_20_with_absolute_paths_a_lock_and_a_log(
    _isolated: Path,
) -> None:
    result = cron()
    assert result.exit_code == 0, result.output
    line = _entry(result.stdout)
    assert line.startswith("0 20 * * 0 ")
    state = _isolated / ".local/state/reviewer"
    argv = shlex.split(line[len("0 20 * * 0 ") :])
    flock = argv.index(shutil.which("flock") or "/usr/bin/flock")
    assert argv[flock + 1 : flock + 4] == ["-n", "-E", "75"]
    assert argv[flock + 4] == str(state / "cron.lock")
    command = argv[flock + 5 : argv.index(">>")]
    assert Path(command[0]).is_absolute()
    assert command[-4:] == ["send", "sunday", "--journal", str(FIXTURE)]
    assert argv[-2:] == [str(state / "cron.log"), "2>&1"]
    assert f"XDG_STATE_HOME={_isolated / '.local/state'}" in argv
    assert state.is_dir()  # so the log redirection works on the first Sunday
    assert "CRON_TZ" not in result.stdout
    assert "local time" in result.stdout


def test_the_time_zone_comes_from_tz_or_the_config(monkeypatch: pytest.MonkeyPatch) -> None:
    result = cron("--tz", "Asia/Shanghai")
    assert result.exit_code == 0
    assert "CRON_TZ=Asia/Shanghai\n" in result.stdout
    assert "REVIEWER_TZ=Asia/Shanghai" in _entry(result.stdout)
    monkeypatch.setenv("REVIEWER_TZ", "Europe/Berlin")
    assert "CRON_TZ=Europe/Berlin\n" in cron().stdout
    bad = cron("--tz", "Mars/Olympus")
    assert bad.exit_code == 78
    assert "unknown time zone" in bad.stderr


def test_a_relative_journal_becomes_absolute_and_a_missing_one_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["cron", "--journal", "fixtures/journal.md"])
    assert f"--journal {FIXTURE} " in _entry(result.stdout)
    missing = CliRunner().invoke(app, ["cron", "--journal", "nope.md"])
    assert missing.exit_code == 66
    assert CliRunner().invoke(app, ["cron"]).exit_code == 78


def test_settings_only_in_the_shell_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_SMTP_PASSWORD", "hunter2")
    result = cron()
    assert "REVIEWER_SMTP_PASSWORD set in this shell will not reach the job" in result.stderr
    assert "hunter2" not in result.output


def test_percent_signs_are_escaped_for_cron_and_systemd() -> None:
    job = Job(
        command=["/opt/rev iewer/bin/reviewer", "send", "sunday", "--journal", "/j/100%.md"],
        env={"REVIEWER_TZ": "Asia/Shanghai"},
        log=Path("/s/cron.log"),
        lock=Path("/s/cron.lock"),
    )
    assert " /j/100\\%.md " in crontab(job)
    assert "'/opt/rev iewer/bin/reviewer'" in crontab(job)
    units = systemd_units(job)
    assert 'ExecStart="/opt/rev iewer/bin/reviewer" send sunday --journal /j/100%%.md' in units


def test_systemd_prints_a_user_service_and_a_persistent_timer(_isolated: Path) -> None:
    result = cron("--systemd", "--tz", "Asia/Shanghai")
    assert result.exit_code == 0, result.output
    units = result.stdout
    assert "# ~/.config/systemd/user/reviewer-week.service" in units
    assert "# ~/.config/systemd/user/reviewer-week.timer" in units
    assert "Type=oneshot" in units
    assert "OnCalendar=Sun 20:00 Asia/Shanghai\n" in units
    assert "Persistent=true\n" in units
    assert "WantedBy=timers.target" in units
    assert "Environment=REVIEWER_TZ=Asia/Shanghai" in units
    [exec_start] = [ln for ln in units.splitlines() if ln.startswith("ExecStart=")]
    assert exec_start.endswith(f"send sunday --journal {FIXTURE}")
    log = _isolated / ".local/state/reviewer/cron.log"
    assert f"StandardOutput=append:{log}" in units


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="no systemd-analyze")
@pytest.mark.parametrize("calendar", ["Sun 20:00", "Sun 20:00 Asia/Shanghai"])
def test_systemd_understands_the_calendar(calendar: str) -> None:
    done = subprocess.run(
        ["systemd-analyze", "calendar", calendar], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Sun *-*-* 20:00:00" in done.stdout


@pytest.mark.skipif(not shutil.which("flock"), reason="no flock(1)")
def test_the_crontab_command_runs_as_cron_would_and_sends(_isolated: Path) -> None:
    """Run the printed entry's command with /bin/sh and cron's bare environment."""
    with running() as srv:
        config = _isolated / ".config/reviewer/config.toml"
        config.parent.mkdir(parents=True)
        config.write_text(
            'today = "2020-03-01"\n'
            f'[smtp]\nhost = "127.0.0.1"\nport = {srv.port}\nsecurity = "none"\n'
            '[mail]\nfrom = "reviewer@example.org"\nto = ["me@example.org"]\n',
            encoding="utf-8",
        )
        line = _entry(cron().stdout)
        # What cron gives a job: HOME, a short PATH, /bin/sh; XDG_* only via the line itself.
        bare = {"HOME": str(_isolated / "elsewhere"), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"}
        command = line[len("0 20 * * 0 ") :]
        done = subprocess.run(["/bin/sh", "-c", command], env=bare, cwd="/", check=False)
        assert done.returncode == 0
        assert len(srv.handler.received) == 1
    log = (_isolated / ".local/state/reviewer/cron.log").read_text(encoding="utf-8")
    assert "sent 2020-W09 to me@example.org" in log


def test_help_stays_light() -> None:
    """`reviewer --help` must not pay for the mail machinery (or jinja2, or pydantic)."""
    code = (
        "import sys, reviewer.cli; "
        "print(sorted(m for m in ('smtplib', 'email.message', 'ssl', 'jinja2', 'pydantic') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
