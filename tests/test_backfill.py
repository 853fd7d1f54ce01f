"""Backfill: every week archived, resumable, within the concurrency bound."""

from __future__ import annotations

import json
import re
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from reviewer.journal.parse import parse_journal
from reviewer.llm.base import Summary, WeekFacts
from reviewer.llm.offline import OfflineBackend
from reviewer.review.backfill import backfill, weeks_between

from .conftest import FIXTURE

FIRST, LAST = date(2019, 10, 7), date(2020, 3, 1)
TODAY = date(2020, 3, 8)


class CountingBackend(OfflineBackend):
    """The offline backend, counting its calls and how many are inside `summarize` at once.

    Overlap is proven by events, never by how long a call sleeps: with `hold=True` each call
    waits until the backfill's caller has parked (in `wait`) with its summaries in flight and
    every one of them has entered `summarize`; only then are the calls inside let go. So `peak`
    is exactly what the caller keeps in flight, however busy the machine is.
    """

    name = "counting"
    key = "counting/1"

    def __init__(self, fail_on: str = "", hold: bool = False) -> None:
        super().__init__()
        self.fail_on, self.hold = fail_on, hold
        self.running = self.peak = self.calls = 0
        self.parked: list[int] = []  # summaries in flight each time the caller waited
        self.released = 0  # calls numbered up to this one may return
        self.stalled = False
        self.changed = threading.Condition()

    def caller_parks(self, in_flight: int) -> None:
        with self.changed:
            self.parked.append(in_flight)
            self._release_if_all_inside()

    def _release_if_all_inside(self) -> None:
        if self.parked and self.running == self.parked[-1]:
            self.released = self.calls
            self.changed.notify_all()

    def summarize(self, facts: WeekFacts) -> Summary:
        with self.changed:
            self.running += 1
            self.calls += 1
            ticket = self.calls
            self.peak = max(self.peak, self.running)
            if self.hold:
                self._release_if_all_inside()
                # A safety net, not a measure: a pool that cannot run what the caller keeps in
                # flight would otherwise hang the test. Once stalled, nothing is held any more.
                if not self.changed.wait_for(lambda: self.released >= ticket, timeout=20):
                    self.stalled, self.hold = True, False
                    self.released = 1 << 30
                    self.changed.notify_all()
        try:
            if facts.week.iso == self.fail_on:
                raise KeyboardInterrupt
            return super().summarize(facts)
        finally:
            with self.changed:
                self.running -= 1


def test_weeks_between() -> None:
    weeks = weeks_between(FIRST, LAST)
    assert (weeks[0].iso, weeks[-1].iso, len(weeks)) == ("2019-W41", "2020-W09", 21)


def test_every_week_archived_within_the_bound(
    journal_text: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import reviewer.review.backfill as backfill_module

    journal = parse_journal(journal_text, source="journal.md")
    backend = CountingBackend(hold=True)
    real_wait = backfill_module.wait

    def parked_wait(futures: Any, return_when: str) -> Any:
        backend.caller_parks(len(futures))
        return real_wait(futures, return_when=return_when)

    monkeypatch.setattr(backfill_module, "wait", parked_wait)
    results = backfill(journal, weeks_between(FIRST, LAST), TODAY, backend, tmp_path, concurrency=3)
    assert not backend.stalled, "the pool did not run what the caller kept in flight"
    assert [r.status for r in results] == ["reviewed"] * 21
    assert max(backend.parked) == 3 and backend.peak == 3 and backend.calls == 21
    for result in results:
        assert result.archive is not None
        for suffix in (".md", ".html", ".json"):
            assert result.archive.with_suffix(suffix).exists()
        index = json.loads((result.archive.parent / "latest.json").read_text(encoding="utf-8"))
        assert index["degraded"] is False
    digest = json.loads(results[-1].archive.with_suffix(".json").read_text(encoding="utf-8"))  # type: ignore[union-attr]
    assert digest["week"]["iso"] == "2020-W09"


def test_rerun_skips_unchanged_weeks_and_redoes_changed_ones(
    journal_text: str, tmp_path: Path
) -> None:
    weeks = weeks_between(FIRST, LAST)
    backfill(parse_journal(journal_text), weeks, TODAY, OfflineBackend(), tmp_path)
    again = CountingBackend()
    again.key = OfflineBackend.key  # same backend identity as the first run
    results = backfill(parse_journal(journal_text), weeks, TODAY, again, tmp_path)
    assert {r.status for r in results} == {"skipped"} and again.calls == 0
    edited = journal_text.replace("* 画图调实验的一整天", "* 画图调实验的一整天，终于画完了")
    results = backfill(parse_journal(edited), weeks, TODAY, again, tmp_path)
    assert [r.week for r in results if r.status == "reviewed"] == ["2020-W09"]
    forced = backfill(parse_journal(edited), weeks, TODAY, again, tmp_path, force=True)
    assert {r.status for r in forced} == {"reviewed"}


def test_interrupted_backfill_resumes(journal_text: str, tmp_path: Path) -> None:
    journal = parse_journal(journal_text)
    weeks = weeks_between(FIRST, LAST)
    with pytest.raises(KeyboardInterrupt):
        failing = CountingBackend(fail_on="2019-W50")
        backfill(journal, weeks, TODAY, failing, tmp_path, concurrency=1)
    archived = sorted(p.name for p in (tmp_path / "archive").iterdir())
    assert archived == [
        w.iso for w in weeks[: weeks.index(next(w for w in weeks if w.iso == "2019-W50"))]
    ]
    resumed = CountingBackend()
    results = backfill(journal, weeks, TODAY, resumed, tmp_path, concurrency=2)
    assert resumed.calls == 21 - len(archived)
    assert [r.status for r in results][: len(archived)] == ["skipped"] * len(archived)


def test_backfill_through_the_openai_client_with_latency_and_a_429_burst(
    journal_text: str, tmp_path: Path
) -> None:
    """Real openai client under respx: every week archived, none degraded, at most
    `concurrency` requests in flight, and nothing sent while a 429's Retry-After runs."""
    import httpx
    import respx

    from .llm_support import BASE_URL, completion, error, make_backend

    lock = threading.Lock()
    state = {"in_flight": 0, "peak": 0, "seen": 0}
    sent_at: list[float] = []
    held_until: list[float] = []

    def endpoint(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        text = " ".join(str(m["content"]) for m in body["messages"])
        with lock:
            state["seen"] += 1
            seen = state["seen"]
            state["in_flight"] += 1
            state["peak"] = max(state["peak"], state["in_flight"])
            sent_at.append(time.monotonic())
        try:
            time.sleep(0.03)  # latency
            if seen <= 3:  # a burst of rate limiting at the start
                held_until.append(time.monotonic() + 0.3)
                return error(429, headers={"retry-after": "0.3"})
            day = next(d for d in re.findall(r"\d{4}-\d{2}-\d{2}", text))
            return completion({"summary": "一周。", "highlights": [{"text": "x", "dates": [day]}]})
        finally:
            with lock:
                state["in_flight"] -= 1

    weeks = weeks_between(date(2020, 1, 6), date(2020, 2, 16))  # six weeks
    backend = make_backend(tmp_path / "cache", sleep=time.sleep, concurrency=2, attempts=5)
    with respx.mock(base_url=BASE_URL) as api:
        api.post("/chat/completions").mock(side_effect=endpoint)
        results = backfill(
            parse_journal(journal_text), weeks, TODAY, backend, tmp_path / "data", concurrency=2
        )
    assert [r.status for r in results] == ["reviewed"] * 6
    assert not any(r.degraded for r in results), [r.reason for r in results]
    assert all(r.archive and r.archive.with_suffix(".json").exists() for r in results)
    assert state["peak"] <= 2
    first_hold = min(held_until)
    assert all(t >= first_hold - 0.01 for t in sent_at[3:])  # the burst held everyone back


def test_weeks_without_to_stop_at_the_week_of_the_last_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from typer.testing import CliRunner

    from reviewer.cli import app

    monkeypatch.setenv("REVIEWER_TODAY", "2026-11-28")  # years after the last entry
    result = CliRunner().invoke(
        app, ["weeks", "--from", "2020-02-17", "--journal", str(FIXTURE), "-f", "json"]
    )
    assert result.exit_code == 0, result.output
    weeks = [w["week"] for w in json.loads(result.stdout)["weeks"]]
    assert weeks == ["2020-W08", "2020-W09", "2020-W10"]


def test_a_useless_answer_is_asked_again_on_the_next_run(journal_text: str, tmp_path: Path) -> None:
    """Real openai client under respx: an answer whose highlights all fail grounding leaves a
    digest the offline review stood in for; the next `weeks` run asks that week again (and
    says so), and the run after that skips it."""
    import httpx
    import respx

    from reviewer.cli.progress import summary_table

    from .llm_support import BASE_URL, completion, make_backend

    weeks = weeks_between(date(2020, 2, 17), date(2020, 2, 23))  # one week
    answers = {"useless": 0, "good": 0}
    useful = {"on": False}

    def endpoint(request: httpx.Request) -> httpx.Response:
        text = " ".join(str(m["content"]) for m in json.loads(request.content)["messages"])
        assert "2020-02-17" in text
        if not useful["on"]:
            answers["useless"] += 1
            days = ["1999-01-04"] * 3  # a day of no week asked: every highlight dropped
        else:
            answers["good"] += 1
            days = ["2020-02-17", "2020-02-18", "2020-02-19"]
        highlights = [{"text": f"item {n}", "dates": [d]} for n, d in enumerate(days)]
        picks = [{"text": "pick", "dates": [days[0]], "kind": "todo"}]
        answer = {"summary": "一周。", "highlights": highlights, "next_week": picks}
        return completion(answer)

    def run() -> list[Any]:
        backend = make_backend(tmp_path / "cache", concurrency=1)
        journal = parse_journal(journal_text)
        return backfill(journal, weeks, TODAY, backend, tmp_path / "data", concurrency=1)

    with respx.mock(base_url=BASE_URL) as api:
        api.post("/chat/completions").mock(side_effect=endpoint)
        first = run()
        archived = first[0].archive.with_suffix(".json")
        assert json.loads(archived.read_text(encoding="utf-8"))["meta"]["fallbacks"]
        assert first[0].status == "reviewed" and not first[0].reasked
        useful["on"] = True
        second = run()
        assert [(r.status, r.reasked) for r in second] == [("reviewed", True)]
        assert answers == {"useless": 1, "good": 1}
        redone = second[0].archive.with_suffix(".json")
        assert not json.loads(redone.read_text(encoding="utf-8"))["meta"]["fallbacks"]
        assert "1 week asked again (last answer useless): 2020-W08" in summary_table(
            second, tmp_path, "text"
        )
        third = run()
    assert [r.status for r in third] == ["skipped"] and answers["good"] == 1
