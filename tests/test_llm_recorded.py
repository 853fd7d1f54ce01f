"""The recorded answers (tests/recorded/) hold the targets of `make eval-llm`: every correct
claim kept, no broken placeholder shown, no wrong restoration, drops in every footer."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import respx

from reviewer.delivery.message import build_message, parse_address
from reviewer.llm.redact import MASK
from tests.recorded.harness import CASES, Outcome, run_case

from .llm_support import BASE_URL, completion, fixture_facts, make_backend

_BY_NAME = {case.name: case for case in CASES}


@pytest.fixture
def cache_dir(tmp_path: Path) -> Path:
    return tmp_path / "cache"


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Outcome]:
    root = tmp_path_factory.mktemp("recorded")
    return {case.name: run_case(case, root / case.name) for case in CASES}


def test_the_corpus_covers_two_journals_excellent_and_mediocre() -> None:
    assert {(c.journal, c.week) for c in CASES} >= {
        ("fixtures/journal.md", "2020-02-24"),
        ("fixtures/journal.md", "2020-02-17"),
        ("tests/recorded/journal-en.md", "2021-09-06"),
    }
    assert sum(c.quality == "mediocre" for c in CASES) >= 5
    assert all(c.slips for c in CASES if c.quality == "mediocre")


@pytest.mark.parametrize("name", sorted(_BY_NAME))
def test_targets(outcomes: dict[str, Outcome], name: str) -> None:
    outcome = outcomes[name]
    assert outcome.requests == 1
    assert outcome.correct_lost == []
    assert outcome.broken_shown == 0
    assert outcome.wrong_restored == []
    assert outcome.footer_says_drops
    if outcome.case.quality == "excellent":
        assert outcome.dropped == 0 and outcome.repaired == 0 and not outcome.fallbacks


def test_mediocre_answers_are_repaired_and_their_drops_reported(
    outcomes: dict[str, Outcome],
) -> None:
    dates = outcomes["w09-mediocre-dates"]
    assert dates.repaired >= 6  # 2020/2/25, 2月26日, Feb 27, the range, IP-1, <ip-1>, task
    md = dates.rendered["md"]
    assert "在 101.6.64.67 上 debug 看结果 (2020-02-24)" in md
    assert "论文图表修改，花了一整天画图 (2020-02-29, 2020-03-01)" in md
    assert "1 claim of the answer dropped (1 dated outside the week)" in md
    placeholders = outcomes["w09-mediocre-placeholders"]
    assert placeholders.placeholder_errors == 2
    for text in placeholders.rendered.values():
        assert "2 with a broken placeholder" in text[-1500:]
        assert "Nothing left open" not in text  # nine TODOs are open: offline picks stand in
    assert "offline" in placeholders.rendered["text"][-600:]


def test_an_answer_whose_highlights_all_fail_is_topped_up_and_never_cached(
    cache_dir: Path,
) -> None:
    useless = {
        "summary": "这周做了实验。",
        "highlights": [{"text": "实验", "dates": []}, {"text": "文章", "dates": ["2019-02-25"]}],
        "next_week": [],
    }
    with respx.mock(base_url=BASE_URL, assert_all_called=False) as router:
        route = router.post("/chat/completions").mock(return_value=completion(useless))
        first = make_backend(cache_dir).summarize(fixture_facts())
        second = make_backend(cache_dir).summarize(fixture_facts())
    assert route.call_count == 2 and not second.cached  # a useless answer is not kept
    assert first.drop_reasons == ["1 no date", "1 dated outside the week"]
    assert len(first.highlights) == 3
    assert first.fallbacks[0].startswith("the last 3 highlights taken from the journal")
    assert first.fallbacks[1] == "next week: the open TODOs and questions (offline)"
    assert first.summary == "这周做了实验。"  # the part that held up is the model's


def test_a_placeholder_written_in_the_journal_is_shown_as_written(
    outcomes: dict[str, Outcome],
) -> None:
    for name in ("en-excellent", "en-mediocre"):
        rendered = outcomes[name].rendered
        # md writes a tag-like `<` as `&lt;`: a Markdown viewer shows <IP-1>, not a hidden tag
        assert "prints &lt;IP-1>" in rendered["md"] and "prints <IP-1>" in rendered["text"]
        assert "prints &lt;IP-1&gt;" in rendered["html"]


def test_a_redacted_password_is_masked_in_the_mailed_digest(
    outcomes: dict[str, Outcome],
) -> None:
    rendered = outcomes["en-mediocre"].rendered
    sender = parse_address("reviewer@example.org", "from")
    message = build_message(
        subject="Week 2021-W36",
        sender=sender,
        recipient=sender,
        text=rendered["text"],
        html=rendered["html"],
        msg_id="<x@example.org>",
        week="2021-W36",
        now=datetime(2021, 9, 19, tzinfo=UTC),
    )
    mailed = "".join(
        part.get_content() for part in message.iter_parts() if part.get_content_maintype() == "text"
    )
    assert "Tr0ub4dor-77" not in mailed
    assert f"Shared annotation account password is {MASK}" in mailed
