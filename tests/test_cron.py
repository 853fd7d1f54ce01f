"""The Sunday job: the crontab entry and systemd timer it prints, and the week it reviews."""

from __future__ import annotations

import shlex
import shutil
import stat
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
from .openai_server import MockEndpoint


@pytest.fixture(autouse=True)
def _history_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    # conftest turns history off through the environment; a job carries such settings.
    monkeypatch.delenv("REVIEWER_HISTORY", raising=False)


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


def test_settings_only_in_the_shell_go_to_a_private_env_file(
    monkeypatch: pytest.MonkeyPatch, _isolated: Path
) -> None:
    monkeypatch.setenv("REVIEWER_SMTP_PASSWORD", "hunter2")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-only-in-my-shell-0000")
    for option in ([], ["--systemd"]):
        result = cron(*option)
        assert result.exit_code == 0, result.output
        env_file = _isolated / ".config/reviewer/job.env"
        assert f"--env-file {env_file}" in result.stdout
        assert "hunter2" not in result.output and "sk-only" not in result.output
        assert f"OPENAI_API_KEY, REVIEWER_SMTP_PASSWORD from this shell to {env_file}" in (
            result.stderr
        )
        assert stat.S_IMODE(env_file.stat().st_mode) == 0o600
        assert env_file.read_text().splitlines()[1:] == [
            "OPENAI_API_KEY=sk-only-in-my-shell-0000",
            "REVIEWER_SMTP_PASSWORD=hunter2",
        ]


def test_an_env_file_others_can_read_is_refused(_isolated: Path, tmp_path: Path) -> None:
    env_file = tmp_path / "job.env"
    env_file.write_text("OPENAI_API_KEY=sk-x\n")
    env_file.chmod(0o644)
    result = CliRunner().invoke(
        app, ["send", "--env-file", str(env_file), "--journal", str(FIXTURE)]
    )
    assert result.exit_code == 78 and "chmod 600" in result.stderr


def test_no_env_file_without_shell_only_settings(_isolated: Path) -> None:
    result = cron()
    assert "--env-file" not in result.stdout
    assert not (_isolated / ".config/reviewer/job.env").exists()


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


@pytest.mark.skipif(not shutil.which("flock"), reason="no flock(1)")
def test_the_crontab_line_reaches_the_llm_with_the_key_only_in_the_shell(
    _isolated: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The key set only in the environment when `reviewer cron` ran reaches the job under a
    bare environment, and no file but the 0600 env file holds it."""
    key = "sk-shell-only-key-1234567890"
    with running() as srv, MockEndpoint(delay=0.0) as llm:
        monkeypatch.setenv("OPENAI_API_KEY", key)
        monkeypatch.setenv("OPENAI_BASE_URL", llm.url)
        for name, value in srv.env().items():
            monkeypatch.setenv(name, value)
        config = _isolated / ".config/reviewer/config.toml"
        config.parent.mkdir(parents=True)
        config.write_text('today = "2020-03-01"\n', encoding="utf-8")  # a week with entries
        result = cron()
        assert result.exit_code == 0, result.output
        command = _entry(result.stdout)[len("0 20 * * 0 ") :]
        assert key not in command
        bare = {"HOME": str(_isolated / "elsewhere"), "PATH": "/usr/bin:/bin", "SHELL": "/bin/sh"}
        done = subprocess.run(
            ["env", "-i", *(f"{k}={v}" for k, v in bare.items()), "/bin/sh", "-c", command],
            cwd="/",
            check=False,
        )
        assert done.returncode == 0
        assert llm.requests == 1 and len(srv.handler.received) == 1
    holders = [
        path
        for path in _isolated.rglob("*")
        if path.is_file() and key.encode() in path.read_bytes()
    ]
    assert [p.name for p in holders] == ["job.env"]
    assert stat.S_IMODE(holders[0].stat().st_mode) == 0o600


def test_help_stays_light() -> None:
    """`reviewer --help` must not pay for the mail machinery (or jinja2, or pydantic)."""
    code = (
        "import sys, reviewer.cli; "
        "print(sorted(m for m in ('smtplib', 'email.message', 'ssl', 'jinja2', 'pydantic') "
        "if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
