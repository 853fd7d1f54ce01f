"""A career-long journal: every command on 1, 10 and 30 years, cold and warm (issue 12).

Run with `make bench` (or `python bench/bench_scale.py [--runs N] [--years 1,10,30]`). Each
command runs as a user runs it, through the installed console script in a fresh process:
cold = an empty `$XDG_CACHE_HOME`, warm = the second run on the same cache, and warm+1 = the
second run after one entry was added. Times are medians beyond start-up (`reviewer --version`
measured in the same run), peak memory is the command's own max RSS (`run_measured`). A warm
and a warm+1 run are taken `--repeats` times in each run (warm+1 on the cache as the warm runs
left it, restored each time): they cost a fifth of a cold 30-year run, and the warm targets
are ratios of two cells that single runs move by more than 30 years add. Every
size and command take their turn in each run, so that machine noise (a shared VM slowing down
for minutes) hits every size and command alike, and the ratios between them hold.

Targets: growth from 10 to 30 years <= 3.3x for every command, peak < 300 MB; cold `week` on
30 years <= 1.5 s beyond start-up; warm `week` on 30 years <= 1.3x the fixture's warm `week`.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import (
    BIN,
    FIXTURE,
    compile_package,
    generate_journal,
    run_measured,
    user_env,
    verdict,
)

END = date(2029, 12, 31)  # the generated journals' last day
TODAY = "2030-01-01"
STATE = ("cache", "state")  # the folders (`user_env`) a run leaves its caches and ledgers in
COMMANDS: dict[str, list[str]] = {
    "week": ["week", "2029-12-31", "-f", "json"],
    "stats": ["stats"],
    "questions --open": ["questions", "--open"],
    "todos --open": ["todos", "--open"],
    "check": ["check"],
}
GROWTH = 3.3
PEAK_MB = 300
COLD_WEEK = 1.5
WARM_RATIO = 1.3


def _run(argv: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command run in a fresh process."""
    seconds, peak = run_measured(argv, env)
    return seconds, peak / 2**20


def _env(home: Path, journal: Path) -> dict[str, str]:
    return user_env(
        home,
        REVIEWER_JOURNAL=str(journal),
        REVIEWER_OFFLINE="1",
        REVIEWER_TODAY=TODAY,
        REVIEWER_TZ="UTC",
    )


def measure(
    journals: dict[str, Path], runs: int, work: Path, repeats: int = 1
) -> dict[str, dict[str, dict[str, float]]]:
    """Per journal and command: cold, warm and warm+1 medians (s, beyond start-up) and peak
    RSS (MB). Sizes and commands are interleaved run by run: a machine that slows down
    halfway (a shared VM) slows every size alike, and the ratios between them hold."""
    reviewer = str(BIN / "reviewer")
    results: dict[str, dict[str, dict[str, list[float]]]] = {
        label: {name: {"cold": [], "warm": [], "warm+1": [], "rss": []} for name in COMMANDS}
        for label in journals
    }
    starts: list[float] = []
    texts = {label: path.read_text(encoding="utf-8") for label, path in journals.items()}
    for n in range(runs):
        for label, path in journals.items():
            text = texts[label]
            # A newest-first journal: the new entry goes on top, under the title.
            head, _, rest = text.partition("\n### ")
            added = f"{head}\n### {TODAY}\n\n* one more day: a new entry\n\n### {rest}"
            for name, args in COMMANDS.items():
                cache = work / f"run-{n}-{label}-{name.replace(' ', '_')}" / "cache"
                shutil.rmtree(cache.parent, ignore_errors=True)
                cache.mkdir(parents=True)
                # The user's own file, written to as they write: warm+1 is the same path, one
                # entry longer (the caches are per journal file).
                own = cache.parent / path.name
                own.write_text(text, encoding="utf-8")
                env = _env(cache.parent, own)
                starts.append(_run([reviewer, "--version"], env)[0])
                found = results[label][name]
                cold, rss = _run([reviewer, *args], env)
                found["cold"].append(cold)
                found["rss"].append(rss)
                for _ in range(repeats):
                    warm, rss = _run([reviewer, *args], env)
                    found["warm"].append(warm)
                    found["rss"].append(rss)
                # The caches and the ledgers (state) as the warm runs left them.
                left = {cache.parent / kind: cache.parent / f"{kind}-warm" for kind in STATE}
                for folder, copy in left.items():
                    if folder.exists():
                        shutil.copytree(folder, copy)
                own.write_text(added, encoding="utf-8")
                for n in range(repeats):
                    for folder, copy in left.items() if n else ():  # the entry new again
                        shutil.rmtree(folder, ignore_errors=True)
                        if copy.exists():
                            shutil.copytree(copy, folder)
                    plus, rss = _run([reviewer, *args], env)
                    found["warm+1"].append(plus)
                    found["rss"].append(rss)
                shutil.rmtree(cache.parent, ignore_errors=True)
    start = statistics.median(starts)
    return {
        label: {
            name: {
                "cold": max(0.0, statistics.median(r["cold"]) - start),
                "warm": max(0.0, statistics.median(r["warm"]) - start),
                "warm+1": max(0.0, statistics.median(r["warm+1"]) - start),
                "rss": max(r["rss"]),
                "start": start,
            }
            for name, r in by_command.items()
        }
        for label, by_command in results.items()
    }


def main() -> None:
    """Print the table and whether each target holds; exit 1 when one does not."""
    parser = argparse.ArgumentParser()
    # Five: on this shared VM a warm run moves by 20-30% from one to the next, and a median
    # of three was one slow run away from a ratio off by half (a warm week's target is 1.3x).
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--years", default="1,10,30")
    args = parser.parse_args()
    years = [int(y) for y in args.years.split(",")]
    print("== a career-long journal (medians beyond start-up; cold / warm / warm+1 entry) ==")
    compile_package()
    with tempfile.TemporaryDirectory(prefix="reviewer-scale-") as tmp:
        work = Path(tmp)
        journals = {"fixture": FIXTURE}
        for y in years:
            path = work / f"journal-{y}y.md"
            path.write_text(generate_journal(365 * y, end=END), encoding="utf-8")
            journals[f"{y}y"] = path
        table = measure(journals, args.runs, work, args.repeats)
    start = next(iter(table["fixture"].values()))["start"]
    print(f"  start-up (reviewer --version): {start * 1000:.0f} ms")
    header = f"  {'command':<18}" + "".join(f"{label:>24}" for label in table)
    print(header)
    for name in COMMANDS:
        row = f"  {name:<18}"
        for label in table:
            r = table[label][name]
            row += f"  {r['cold']:5.2f}/{r['warm']:5.2f}/{r['warm+1']:5.2f}s {r['rss']:4.0f}MB"
        print(row)
    failures: list[str] = []
    if 10 in years and 30 in years:
        for name in COMMANDS:
            for kind in ("cold", "warm"):
                ten, thirty = table["10y"][name][kind], table["30y"][name][kind]
                growth = thirty / ten if ten > 0.02 else 1.0  # below noise: nothing to grow
                print(f"  growth 10y->30y {name:<18} {kind:<5} {growth:5.2f}x (target <= {GROWTH})")
                if growth > GROWTH:
                    failures.append(f"{name} {kind} grows {growth:.2f}x")
    biggest = f"{max(years)}y"
    peak = max(r["rss"] for r in table[biggest].values())
    print(f"  peak RSS on {biggest}: {peak:.0f} MB (target < {PEAK_MB})")
    if peak >= PEAK_MB:
        failures.append(f"peak {peak:.0f} MB")
    cold = table[biggest]["week"]["cold"]
    print(f"  cold week on {biggest}: {cold:.2f} s (target <= {COLD_WEEK})")
    if cold > COLD_WEEK:
        failures.append(f"cold week {cold:.2f} s")
    base = table["fixture"]["week"]["warm"]
    for kind in ("warm", "warm+1"):
        warm = table[biggest]["week"][kind]
        ratio = warm / base if base > 0.01 else warm / 0.01
        print(f"  {kind} week on {biggest}: {ratio:.2f}x the fixture's warm (target <= 1.3)")
        if ratio > WARM_RATIO:
            failures.append(f"{kind} week {ratio:.2f}x fixture")
    verdict(failures, "all targets met")


if __name__ == "__main__":
    main()
