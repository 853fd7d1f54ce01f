"""Benchmarks of the offline core, each side by side with its baseline in the same run.

Run with `make bench`. Prints medians; targets (issue 2):
- `reviewer --help` within 1.5x of `python -c "import typer"`;
- fixture parse + extraction under 50 ms in process;
- a generated 10-year journal (about 3,650 entries, 4 MB) under 1.5 s and 300 MB, linear growth.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "fixtures" / "journal.md"
OUT = ROOT / "bench" / "out"
BIN = Path(sys.executable).parent


def compile_package() -> None:
    """Byte-compile the package, as pip does when it installs the wheel: the benches measure
    what a user runs, not Python compiling every module on every run (which it does when
    PYTHONDONTWRITEBYTECODE is set or a checkout's __pycache__ is stale: about 100 ms a
    command, and more for those that import more, which skewed every ratio to the fixture)."""
    import compileall

    compileall.compile_dir(str(ROOT / "reviewer"), quiet=1)


def user_env(home: Path, **settings: str) -> dict[str, str]:
    """The environment of a user whose home is `home`: this process's, without its REVIEWER_
    and OPENAI_ variables, every XDG folder under `home`, and `settings` on top."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("REVIEWER_", "OPENAI_"))}
    env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / "config"),
        XDG_CACHE_HOME=str(home / "cache"),
        XDG_DATA_HOME=str(home / "data"),
        XDG_STATE_HOME=str(home / "state"),
    )
    env.update(settings)
    return env


# Runs a command and prints its peak RSS. Linux counts a child's peak from the memory of the
# process it was forked from (exec keeps the forked copy's high-water mark), so a bench
# holding 150 MB of journals would see every command peak at 150 MB: the command is started
# from this small process instead.
_LAUNCHER = """
import os, sys
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(usage.ru_maxrss * 1024, file=sys.stderr)
sys.exit(os.waitstatus_to_exitcode(status))
"""


def run_measured(
    argv: list[str], env: dict[str, str], ok: tuple[int, ...] = (0, 3)
) -> tuple[float, float]:
    """Wall seconds and peak RSS (bytes, the command's own, from a small launcher's wait4) of
    one command in a fresh process; exits with its stderr when it exits other than `ok`."""
    launcher = [sys.executable, "-S", "-c", _LAUNCHER]
    start = time.perf_counter()
    proc = subprocess.run(
        [*launcher, *argv], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False
    )
    seconds = time.perf_counter() - start
    err = proc.stderr.decode(errors="replace")
    if proc.returncode not in ok:
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}: {err.strip()[-300:]}")
    return seconds, float(err.strip().rsplit("\n", 1)[-1])


def verdict(failures: list[str], met: str) -> None:
    """Print `met`, or what was not met and exit 1 (so that `make bench` names the script)."""
    if failures:
        print("  NOT MET: " + "; ".join(failures))
        raise SystemExit(1)
    print(f"  {met}")


def _median_seconds(func: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        func()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _command_medians(commands: dict[str, list[str]], runs: int) -> dict[str, float]:
    """Median wall time of each command, runs interleaved so machine noise hits all alike."""
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            start = time.perf_counter()
            subprocess.run(argv, check=True, capture_output=True)
            times[name].append(time.perf_counter() - start)
    return {name: statistics.median(values) for name, values in times.items()}


def generate_journal(days: int, end: date = date(2029, 12, 31)) -> str:
    """A newest-first journal of `days` daily entries made from the fixture's own entries."""
    sys.path.insert(0, str(ROOT))
    from reviewer.journal.parse import parse_journal

    lines = [
        line
        for e in parse_journal(FIXTURE.read_text(encoding="utf-8")).entries
        for line in e.body
        if line.strip()
    ]
    parts = ["---\ntitle: 日知录\n---\n\n# 日知录\n"]
    index = 0
    for n in range(days):
        day = end - timedelta(n)
        chunk: list[str] = []
        size = 0
        while size < 1050:  # about 1.1 KB an entry: 3,650 entries make about 4 MB
            line = lines[index % len(lines)]
            chunk.append(line)
            size += len(line.encode()) + 1
            index += 1
        # The day's number makes every entry's text its own, as in a real journal (the
        # fixture's lines alone come round again, and an entry-keyed cache would see repeats).
        parts.append(f"\n### {day.isoformat()}\n\n" + "\n".join(chunk) + f"\n\nday {n + 1}\n")
    return "".join(parts)


_WORKER = """
import json, resource, sys, time
from reviewer.journal.parse import parse_journal
from reviewer.facts import extract
from reviewer.facts.extract import extract_questions, extract_reflections, extract_todos
text = open(sys.argv[1], encoding="utf-8").read()
times = []
for _ in range(int(sys.argv[2])):
    extract._known.clear()  # measure cold, as a fresh process would
    start = time.perf_counter()
    journal = parse_journal(text)
    counts = (len(extract_questions(journal.entries)), len(extract_todos(journal.entries)),
              len(extract_reflections(journal.entries)))
    times.append(time.perf_counter() - start)
times.sort()
print(json.dumps({"median": times[len(times) // 2], "entries": len(journal.entries),
                  "counts": counts,
                  "maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def _parse_in_subprocess(path: Path, runs: int) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", _WORKER, str(path), str(runs)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


def main() -> None:
    """Print the core benchmarks."""
    print("== offline core (medians; same run, interleaved) ==")
    compile_package()
    starts = _command_medians(
        {
            "python -c 'import typer'": [sys.executable, "-c", "import typer"],
            "reviewer --help": [str(BIN / "reviewer"), "--help"],
            "python -c pass": [sys.executable, "-c", "pass"],
        },
        runs=15,
    )
    base = starts["python -c 'import typer'"]
    for name, seconds in starts.items():
        print(f"  {name:<28} {seconds * 1000:7.1f} ms   {seconds / base:4.2f}x typer")
    print("  target: reviewer --help <= 1.50x import typer")

    OUT.mkdir(parents=True, exist_ok=True)
    fixture = _parse_in_subprocess(FIXTURE, runs=30)
    print(
        f"  fixture parse+extract        {fixture['median'] * 1000:7.1f} ms   "
        f"({int(fixture['entries'])} entries; target < 50 ms)"
    )
    sizes = {}
    for years in (5, 10):
        path = OUT / f"journal-{years}y.md"
        path.write_text(generate_journal(365 * years), encoding="utf-8")
        sizes[years] = _parse_in_subprocess(path, runs=5)
        mb = path.stat().st_size / 1e6
        print(
            f"  {years:>2}-year journal ({mb:.1f} MB)     {sizes[years]['median']:7.3f} s    "
            f"peak RSS {sizes[years]['maxrss_mb']:.0f} MB, {int(sizes[years]['entries'])} entries"
        )
    ratio = sizes[10]["median"] / sizes[5]["median"]
    print(f"  10y / 5y time ratio          {ratio:7.2f}     (linear = 2.00)")
    print("  target: 10-year journal < 1.5 s and < 300 MB")


if __name__ == "__main__":
    main()
