"""The installed wheel, run as a user runs it: `make install-check` calls this script.

    check_wheel.py /path/to/fresh-venv/bin/reviewer

From a temp dir outside the checkout, with a private HOME and XDG dirs, against a loopback
OpenAI-compatible endpoint: the week review sends its request and exits 0, a user's own prompt
template changes what is sent, the prompts used are the wheel's own, and `doctor` runs. Exits
non-zero with the reason on the first failure.
"""

from __future__ import annotations

import json
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests"))

from openai_server import MockEndpoint  # noqa: E402

JOURNAL = ROOT / "fixtures" / "journal.md"


def fail(why: str) -> None:
    print(f"install-check: FAILED: {why}", file=sys.stderr)
    sys.exit(1)


def main() -> None:
    reviewer = Path(sys.argv[1]).resolve()
    with tempfile.TemporaryDirectory() as tmp, MockEndpoint(delay=0.0) as mock:
        home = Path(tmp)
        journal = home / "journal.md"
        journal.write_bytes(JOURNAL.read_bytes())  # nothing read from the checkout at run time
        env = {
            "HOME": str(home),
            "PATH": "/usr/bin:/bin",
            "XDG_CONFIG_HOME": str(home / "config"),
            "XDG_CACHE_HOME": str(home / "cache"),
            "XDG_DATA_HOME": str(home / "data"),
            "XDG_STATE_HOME": str(home / "state"),
            "OPENAI_API_KEY": "sk-install-check-000000000000",
            "OPENAI_BASE_URL": mock.url,
            "REVIEWER_TODAY": "2020-03-08",
        }

        def run(*args: str) -> subprocess.CompletedProcess[str]:
            return subprocess.run(
                [str(reviewer), *args],
                cwd=home,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
                check=False,
            )

        week = ["week", "2020-02-24", "--journal", str(journal), "--format", "json"]
        done = run(*week)
        if done.returncode != 0:
            fail(f"week exited {done.returncode}: {done.stderr.strip()}")
        meta = json.loads(done.stdout)["meta"]
        if meta["backend"] != "openai" or mock.requests != 1:
            fail(f"week did not ask the endpoint ({meta['backend']}, {mock.requests} requests)")
        shipped = mock.bodies[-1]["messages"][0]["content"]

        own = home / "config" / "reviewer" / "prompts"
        own.mkdir(parents=True)
        (own / "system.j2").write_text("My own system prompt for {{ iso }}.\n", encoding="utf-8")
        done = run(*week)
        if done.returncode != 0:
            fail(f"week with an own template exited {done.returncode}: {done.stderr.strip()}")
        if mock.requests != 2:
            fail("an own prompt template did not change the request (served from the cache?)")
        sent = mock.bodies[-1]["messages"][0]["content"]
        if sent != "My own system prompt for 2020-W09." or sent == shipped:
            fail(f"the own template was not used: {sent[:80]!r}")

        _history_and_facts(run, home)

        location = subprocess.run(
            [str(reviewer.parent / "python"), "-c", "import reviewer; print(reviewer.__file__)"],
            cwd=home,
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        if str(ROOT) in location:
            fail(f"reviewer was imported from the checkout ({location}), not the wheel")
    print(
        f"install-check: ok: the wheel in {reviewer.parent.parent} reviews with an LLM, "
        "an own prompt template overrides the shipped one, and a git journal's history dates "
        "a tick"
    )


def _history_and_facts(run: Callable[..., subprocess.CompletedProcess[str]], home: Path) -> None:
    """The wheel's history package: a Today-list TODO ticked on a Wednesday (a commit) is done
    in that week; the facts cache and the ledgers' folds are written, private."""
    if shutil.which("git", path="/usr/bin:/bin") is None:
        print("install-check: note: no git in /usr/bin or /bin: history not checked")
        return
    from git_support import Repo  # tests/: real repositories, commits dated

    repo = Repo(home / "blog")
    done_list = "\n## Done\n\n#### Today\n"
    monday = "## 2020-02-03\n* 训练\n"
    repo.commit(f"{monday}{done_list}* 读完 DINOv2 论文\n", "2020-02-03T21:00:00+08:00")
    wednesday = f"## 2020-02-10\n* 写代码\n\n{monday}{done_list}* ~~读完 DINOv2 论文~~\n"
    repo.commit(wednesday, "2020-02-12T22:00:00+08:00")
    week = ["week", "2020-02-10", "--journal", str(repo.journal), "-f", "json", "--offline"]
    done = run(*week)
    if done.returncode != 0:
        fail(f"week on a git journal exited {done.returncode}: {done.stderr.strip()}")
    history = json.loads(done.stdout).get("history") or {}
    ticked = [(t["text"], t["date"]) for t in history.get("done", [])]
    if ticked != [("读完 DINOv2 论文", "2020-02-12")]:
        fail(f"the Wednesday tick is not done in its week from the wheel: {ticked}")
    for folder, pattern in (
        ("facts", "facts-*.kept"),
        ("facts", "history-*.kept"),
        ("journal", "journal-*.snapshot"),
    ):
        kept = list((home / "cache" / "reviewer" / folder).glob(pattern))
        if not kept or any(stat.S_IMODE(f.stat().st_mode) != 0o600 for f in kept):
            fail(f"the {folder} cache is missing or not private: {kept}")
    again = run(*week)  # the kept parse and ledgers' folds, read back by the installed wheel
    if again.returncode != 0 or again.stdout != done.stdout:
        fail(f"a second week from the kept parse differs: {again.stderr.strip()}")


if __name__ == "__main__":
    main()
