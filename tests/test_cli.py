"""The command line as a user runs it: exit codes, one-line errors, JSON shapes, settings."""

from __future__ import annotations

import html
import json
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from reviewer.cli import app

from .conftest import FIXTURE

runner = CliRunner()


def _run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def _journal(tmp_path: Path, data: bytes | str, name: str = "journal.md") -> str:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return str(path)


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-01")


def test_week_offline_prints_every_section() -> None:
    code, out, _ = _run("week", "2020-02-24", "--journal", str(FIXTURE))
    assert code == 0
    # The fixture is a Chinese journal: its digest speaks Chinese.
    for heading in ("## 概要", "## 亮点", "## 问题", "## 反思", "## 待办", "## 下周"):
        assert heading in out
    assert "7/7 天有记录" in out
    assert "set OPENAI_API_KEY" in out  # says how to enable the LLM


def test_lang_overrides_the_journal_language() -> None:
    code, out, _ = _run("week", "2020-02-24", "--journal", str(FIXTURE), "--lang", "en")
    assert code == 0
    for heading in ("## Summary", "## Highlights", "## Questions", "## Reflections", "## TODOs"):
        assert heading in out
    assert "## Next week" in out and "7/7 days journaled" in out
    assert out.count("## 概要") == 0


def test_week_json_contract() -> None:
    code, out, _ = _run("week", "2020-W09", "-j", str(FIXTURE), "-f", "json")
    assert code == 0
    digest = json.loads(out)
    assert digest["week"] == {"iso": "2020-W09", "start": "2020-02-24", "end": "2020-03-01"}
    entry = digest["entries"][-1]
    assert {k: entry[k] for k in ("line", "heading", "start", "end")} == {
        "line": 21,
        "heading": "2020-02-29 ~ 2020-03-02",
        "start": "2020-02-29",
        "end": "2020-03-02",
    }
    assert entry["days_in_week"] == ["2020-02-29", "2020-03-01"]
    assert digest["stats"]["days_journaled"] == 7 and digest["stats"]["streak_days"] == 24
    assert set(digest["meta"]) >= {
        "backend",
        "model",
        "cached",
        "degraded",
        "prompt_tokens",
        "completion_tokens",
        "calls",
    }
    assert digest["meta"]["backend"] == "offline" and digest["meta"]["calls"] == 0
    assert all(h["dates"] for h in digest["highlights"])
    assert {q["status"] for q in digest["questions"]} <= {"open", "answered"}
    assert any(q["carried_over"] for q in digest["questions"])
    assert {t["status"] for t in digest["todos"]} <= {"open", "done", "delayed", "dropped"}


def test_week_with_no_entries_says_so(tmp_path: Path) -> None:
    code, out, _ = _run("week", "2021-05-05", "-j", str(FIXTURE), "-f", "text")
    assert code == 0
    assert "本周没有日志。" in out and "0/7 天有记录" in out  # in the journal's language


def test_journal_from_environment_and_config(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, _isolated: Path
) -> None:
    monkeypatch.setenv("REVIEWER_JOURNAL", str(FIXTURE))
    assert _run("week", "2020-02-24")[0] == 0
    monkeypatch.delenv("REVIEWER_JOURNAL")
    config = _isolated / ".config" / "reviewer" / "config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(f'journal = "{FIXTURE}"\n', encoding="utf-8")
    assert _run("week", "2020-02-24")[0] == 0


def test_no_journal_configured_says_how_to_set_one() -> None:
    code, _, err = _run("week", "2020-02-24")
    assert code == 78
    assert "REVIEWER_JOURNAL" in err and "--journal" in err


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (None, 66, "no such file"),
        (b"", 65, "empty"),
        (b"\x7fELF\x02\x01\x01\x00\x00\x00", 65, "binary"),
        ("# notes\n* no dates\n", 65, "no date headings"),
        (b"### 2020-02-24\n\x81\x20\xff\xfe\x80\n", 65, "not UTF-8"),
    ],
    ids=["missing", "empty", "binary", "no-dates", "undecodable"],
)
def test_bad_journals_get_one_line_and_a_code(
    tmp_path: Path, content: bytes | str | None, code: int, message: str
) -> None:
    path = str(tmp_path / "missing.md") if content is None else _journal(tmp_path, content)
    exit_code, out, err = _run("week", "2020-02-10", "-j", path)
    assert exit_code == code
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert message in err and path in err
    assert "Traceback" not in err


@pytest.mark.parametrize("fmt", ["md", "text", "html", "json"])
def test_an_undatable_heading_is_shown_at_the_top_and_the_review_goes_on(
    tmp_path: Path, fmt: str
) -> None:
    path = _journal(
        tmp_path, "### 20202-02-14\n* typo\n### 2020-02-13\n* ran the baseline\n### 2020-02-12\n"
    )
    code, out, err = _run("week", "2020-02-10", "-j", path, "-f", fmt)
    out = html.unescape(out) if fmt == "html" else out
    assert code == 0
    assert "ran the baseline" in out  # the week is reviewed
    assert "line 1: '20202-02-14'" in out and "fix the heading" in out
    if fmt != "json":  # the problem comes before the summary: the top of the digest
        assert out.index("20202-02-14") < out.index("ran the baseline")
    else:
        assert json.loads(out)["problems"][0].startswith("line 1: '20202-02-14'")
    [line] = err.strip().splitlines()
    assert line.startswith("reviewer: warning: line 1: '20202-02-14'")


def test_empty_folder(tmp_path: Path) -> None:
    code, _, err = _run("week", "-j", str(tmp_path))
    assert code == 66 and "no daily notes" in err


@pytest.mark.parametrize("week", ["2020-13-45", "someday"])
def test_bad_week_argument(week: str) -> None:
    code, _, err = _run("week", week, "-j", str(FIXTURE))
    assert code == 2 and week in err and len(err.strip().splitlines()) == 1


def test_output_file(tmp_path: Path) -> None:
    target = tmp_path / "w09.md"
    code, out, err = _run("week", "2020-02-24", "-j", str(FIXTURE), "-o", str(target))
    assert code == 0 and out == "" and str(target) in err
    assert target.read_text(encoding="utf-8").startswith("# 2020-W09 周回顾")


def test_check_text_and_json(tmp_path: Path) -> None:
    code, out, _ = _run("check", "-j", str(FIXTURE))
    assert code == 0
    assert out.startswith(f"{FIXTURE}:647: warning:")
    code, out, _ = _run("check", "-j", str(FIXTURE), "--json")
    assert json.loads(out) == [
        {
            "line": 647,
            "severity": "warning",
            "code": "date-repaired",
            "message": "'2019-01-14' does not fit the journal's order (between 2020-01-18 on "
            "line 633 and 2020-01-13 on line 654); read as 2020-01-14",
        }
    ]
    bad = _journal(tmp_path, "### 2020-02-14\n### 2020-13-45\n### 2020-02-12\n")
    code, out, _ = _run("check", "-j", bad, "--json")
    assert code == 1
    assert json.loads(out)[0]["code"] == "invalid-date"


def test_entries_json() -> None:
    code, out, _ = _run("entries", "-j", str(FIXTURE), "--json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 129
    repaired = next(r for r in rows if r["line"] == 647)
    assert repaired == {
        "line": 647,
        "end_line": 653,
        "heading": "2019-01-14~2020-01-17",
        "title": "",
        "start": "2020-01-14",
        "end": "2020-01-17",
        "repaired": True,
    }


def test_help_does_not_import_heavy_modules() -> None:
    code = (
        "import sys, reviewer.cli\n"
        "heavy = {'openai', 'tiktoken', 'jinja2', 'pydantic', 'diskcache'} & set(sys.modules)\n"
        "print(sorted(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_console_script_runs_without_traceback(tmp_path: Path) -> None:
    exe = Path(sys.executable).parent / "reviewer"
    result = subprocess.run(
        [str(exe), "week", "-j", str(tmp_path / "nope.md")],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )
    assert result.returncode == 66
    assert result.stderr.startswith("reviewer: ") and "Traceback" not in result.stderr


def test_stats_json_contract() -> None:
    code, out, _ = _run("stats", "-j", str(FIXTURE), "--format", "json")
    assert code == 0
    stats = json.loads(out)
    assert {"days_journaled", "longest_streak", "current_streak", "gaps", "weeks"} <= set(stats)
    assert stats["days_journaled"] == 144 and stats["longest_streak"] == 119
    assert stats["weeks"][0] == {
        "iso": "2019-W41",
        "start": "2019-10-07",
        "days": 4,
        "entries": 4,
        "words": stats["weeks"][0]["words"],
    }


def test_stats_text_has_a_chart() -> None:
    code, out, _ = _run("stats", "-j", str(FIXTURE), "--since", "2020-02-01")
    assert code == 0
    assert "2020-W09  ███████  7/7" in out and "2019-W41" not in out


def test_questions_json_and_ledger_state(_isolated: Path) -> None:
    code, out, _ = _run("questions", "-j", str(FIXTURE), "--open", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert all({"text", "date", "status", "age_days", "id"} <= set(r) for r in rows)
    assert all(r["status"] == "open" for r in rows)
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)  # oldest first
    row = next(r for r in rows if r["text"] == "predictor train不用调？")
    assert row["age_days"] == (date(2020, 3, 1) - date(2020, 2, 17)).days
    ledgers = list((_isolated / ".local" / "state" / "reviewer").glob("ledger-*.json"))
    assert len(ledgers) == 1 and row["id"] in ledgers[0].read_text(encoding="utf-8")
    # Asked again of the same journal: the same ledger, not written again.
    kept = ledgers[0].stat()
    assert _run("questions", "-j", str(FIXTURE), "--open", "--format", "json")[1] == out
    again = ledgers[0].stat()
    assert (again.st_ino, again.st_mtime_ns) == (kept.st_ino, kept.st_mtime_ns)


def test_questions_since_and_answered() -> None:
    code, out, _ = _run("questions", "-j", str(FIXTURE), "--since", "2019-12-25", "-f", "json")
    assert code == 0
    rows = json.loads(out)
    answered = next(r for r in rows if r["text"] == "ipdb怎么换行")
    assert answered["status"] == "answered" and answered["closed_on"] == "2019-12-25"
    assert min(r["date"] for r in rows) >= "2019-12-25"


def test_todos_include_undated_lists() -> None:
    code, out, _ = _run("todos", "-j", str(FIXTURE), "--format", "json")
    assert code == 0
    rows = json.loads(out)
    undated = [r for r in rows if r["date"] is None]
    assert {lst for r in undated for lst in r["lists"]} == {"Today", "ShortTerm", "LongTerm"}
    assert any(r["text"] == "改好bug" and r["status"] == "open" for r in rows)


def test_daily_notes_folder_week_says_what_it_skipped(tmp_path: Path) -> None:
    (tmp_path / "2020-02-24.md").write_text("# 2020-02-24\n* TODO: 写周报\n", encoding="utf-8")
    (tmp_path / "todo.txt").write_text("x", encoding="utf-8")
    code, out, err = _run("week", "2020-02-24", "-j", str(tmp_path), "-f", "json")
    assert code == 0
    digest = json.loads(out)
    assert digest["todos"][0]["text"] == "写周报"
    assert digest["todos"][0]["source"] == "2020-02-24.md"
    # The open TODO is listed under TODOs; a highlight would repeat it.
    assert digest["highlights"] == []
    assert "skipped 1 file in" in err and "todo.txt" in err


def test_weeks_backfill_command(_isolated: Path) -> None:
    args = ("weeks", "--from", "2020-02-01", "--to", "2020-02-29", "-j", str(FIXTURE))
    code, out, err = _run(*args, "-f", "json", "--concurrency", "2")
    assert code == 0
    report = json.loads(out)
    assert report["totals"]["weeks"] == 5 and report["totals"]["reviewed"] == 5
    assert "[5/5]" in err  # one line per week when stderr is not a terminal
    archive = _isolated / ".local" / "share" / "reviewer" / "archive"
    assert sorted(p.name for p in archive.iterdir()) == [f"2020-W0{n}" for n in range(5, 10)]
    code, out, _ = _run(*args)
    assert code == 0 and "5 weeks: 0 reviewed, 5 skipped" in out
    code, _, err = _run("weeks", "--from", "2020-03-01", "--to", "2020-02-01", "-j", str(FIXTURE))
    assert code == 2 and "before" in err
