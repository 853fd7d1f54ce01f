"""Extraction of one entry's facts: this tree against a base commit, same output, how fast.

Run with `python bench/bench_extract.py [--base REV] [--years 10,30] [--runs N]`. The base
commit's `reviewer/facts/extract.py` and `reviewer/journal/outline.py` are loaded side by side
with this tree's (from `git show`), then:

1. sameness: both extract every entry body of the fixture, of the labelled corpus
   (tests/eval/), of a generated journal per size and of bodies shuffled together from all of
   those and the privacy corpus's lines; the public `extract_*` and `undated_*` results are
   compared too. Any difference is printed and the script exits 1.
2. speed: the median time of `_extract` over all entries of each generated journal, both
   versions interleaved in the same run, and their ratio.

`_extract` is called directly, so neither the facts cache on disk nor the per-process memo
takes part. Needs git (the base version comes from the repository's history).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from types import ModuleType
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_core import FIXTURE, ROOT, generate_journal

from reviewer.facts import extract as current
from reviewer.journal.parse import Journal, parse_journal, split_lines

BASE = "55e1ea9"  # main before extraction was made faster (issue 12)


def _load_base(rev: str, where: Path) -> ModuleType:
    """The extract module of commit `rev`, importing that commit's outline module."""

    def show(path: str) -> str:
        return subprocess.run(
            ["git", "show", f"{rev}:{path}"], cwd=ROOT, check=True, capture_output=True, text=True
        ).stdout

    (where / "base_outline.py").write_text(show("reviewer/journal/outline.py"), encoding="utf-8")
    source = show("reviewer/facts/extract.py").replace("reviewer.journal.outline", "base_outline")
    (where / "base_extract.py").write_text(source, encoding="utf-8")
    sys.path.insert(0, str(where))
    spec = importlib.util.spec_from_file_location("base_extract", where / "base_extract.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["base_extract"] = module
    spec.loader.exec_module(module)
    return module


def _corpus_journals() -> dict[str, Journal]:
    """The fixture and every journal and daily note of the labelled corpus, parsed."""
    journals = {"fixture": parse_journal(FIXTURE.read_text(encoding="utf-8"))}
    for path in sorted((ROOT / "tests" / "eval").rglob("*")):
        if path.suffix in {".md", ".txt"} and path.name not in {"README.md", "labels.txt"}:
            journals[str(path.relative_to(ROOT))] = parse_journal(path.read_text(encoding="utf-8"))
    return journals


def _privacy_lines() -> list[str]:
    path = ROOT / "tests" / "privacy" / "corpus.tsv"
    lines = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith(("#", "%")) and "\t" in line:
            lines.append(line.split("\t", 1)[1].replace("⟦", "").replace("⟧", ""))
    return lines


def _shuffled_bodies(lines: list[str], count: int, seed: int = 12) -> list[tuple[str, ...]]:
    """Bodies of lines from everywhere, re-indented and re-bulleted at random: outlines no
    journal here has, so that the rules meet each other in new orders."""
    rng = random.Random(seed)
    indents = ["", "", "  ", "    ", "\t", "\u3000", "      "]
    bullets = ["", "* ", "- ", "+ ", "1. ", "2) ", "# ", "## ", ""]
    bodies = []
    for _ in range(count):
        body = []
        for _ in range(rng.randint(1, 30)):
            roll = rng.random()
            if roll < 0.08:
                body.append("")
                continue
            if roll < 0.1:
                body.append(rng.choice(["```", "---", "~~~", "* * *"]))
                continue
            text = rng.choice(lines).lstrip(" \t\u3000*-+#")
            if rng.random() < 0.5:
                text = rng.choice(bullets) + text
            body.append(rng.choice(indents) + text)
        bodies.append(tuple(body))
    return bodies


def _public(module: ModuleType, journal: Journal) -> str:
    """Everything the public functions say about one journal, as JSON."""
    module._known.clear()
    sections = list(journal.sections) + ([journal.preamble] if journal.preamble else [])
    found: dict[str, Any] = {
        "questions": [q.model_dump(mode="json") for q in module.extract_questions(journal.entries)],
        "todos": [t.model_dump(mode="json") for t in module.extract_todos(journal.entries)],
        "reflections": [
            r.model_dump(mode="json") for r in module.extract_reflections(journal.entries)
        ],
        "undated_questions": [
            q.model_dump(mode="json") for q in module.undated_questions(sections)
        ],
        "undated_todos": [t.model_dump(mode="json") for t in module.undated_todos(sections)],
        "undated_reflections": [
            r.model_dump(mode="json") for r in module.undated_reflections(sections)
        ],
    }
    return json.dumps(found, ensure_ascii=False, sort_keys=True)


def _facts(module: ModuleType, body: tuple[str, ...]) -> tuple[Any, ...]:
    facts = module._extract(body)
    return (facts.questions, facts.todos, facts.reflections)


def _same(base: ModuleType, names: Iterable[str], bodies: list[tuple[str, ...]]) -> int:
    differences = 0
    for name, body in zip(names, bodies, strict=True):
        old, new = _facts(base, body), _facts(current, body)
        if old != new:
            differences += 1
            if differences <= 5:
                print(f"DIFFERENT facts of {name}:\n  body {body!r}\n  base {old}\n  this {new}")
    return differences


def _one_pass(extract: Callable[[tuple[str, ...]], object], bodies: list[tuple[str, ...]]) -> float:
    start = time.perf_counter()
    for body in bodies:
        extract(body)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base", default=BASE, help="commit to compare with")
    parser.add_argument("--years", default="10,30", help="generated journal sizes")
    parser.add_argument("--runs", type=int, default=3, help="timed passes per version")
    parser.add_argument("--shuffled", type=int, default=3000, help="shuffled bodies to compare")
    args = parser.parse_args()
    years = [int(y) for y in args.years.split(",") if y]

    with tempfile.TemporaryDirectory() as tmp:
        base = _load_base(args.base, Path(tmp))

    journals = _corpus_journals()
    generated = {y: parse_journal(generate_journal(365 * y)) for y in years}
    differences = 0
    for name, journal in list(journals.items()) + [(f"{y} years", j) for y, j in generated.items()]:
        bodies = [e.body for e in journal.entries]
        bodies += [s.body for s in journal.sections]
        differences += _same(base, [f"{name} #{n}" for n in range(len(bodies))], bodies)
        if _public(base, journal) != _public(current, journal):
            differences += 1
            print(f"DIFFERENT public results on {name}")
    lines = [ln for j in journals.values() for e in j.entries for ln in e.body if ln.strip()]
    lines += [ln for j in journals.values() for s in j.sections for ln in s.body if ln.strip()]
    lines += _privacy_lines()
    shuffled = _shuffled_bodies(lines, args.shuffled)
    differences += _same(base, [f"shuffled #{n}" for n in range(len(shuffled))], shuffled)
    # Whole raw files as one body each (headings and all), as the notes reader makes them.
    raw = [tuple(split_lines(p.read_text(encoding="utf-8"))) for p in [FIXTURE]]
    differences += _same(base, ["fixture as one body"], raw)
    checked = sum(len(j.entries) for j in journals.values()) + len(shuffled)
    checked += sum(len(j.entries) for j in generated.values())
    print(f"sameness: {checked} bodies compared, {differences} different (base {args.base})")

    print("== _extract over every entry (median of passes; both versions interleaved) ==")
    for y, journal in generated.items():
        bodies = [e.body for e in journal.entries]
        times: dict[str, list[float]] = {"base": [], "this": []}
        for _ in range(args.runs):
            times["base"].append(_one_pass(base._extract, bodies))
            times["this"].append(_one_pass(current._extract, bodies))
        old, new = statistics.median(times["base"]), statistics.median(times["this"])
        print(
            f"{y:>3} years, {len(bodies):>6} entries: base {old:6.2f} s "
            f"({old / len(bodies) * 1e6:4.0f} us/entry)  this {new:6.2f} s "
            f"({new / len(bodies) * 1e6:4.0f} us/entry)  {old / new:4.1f}x faster"
        )
    if differences:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
