"""Property tests over hostile input: the parser, the extractors, the renderers and the
similarity index raise nothing but the documented errors, write no tag into HTML that the
templates did not, and take bounded time per input. Example counts stay modest: the suite
runs in `make test`."""

from __future__ import annotations

import dataclasses
import time
from datetime import date
from html.parser import HTMLParser

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from reviewer.errors import InputError
from reviewer.facts.calendar import Week
from reviewer.facts.extract import extract_questions, extract_reflections, extract_todos
from reviewer.facts.tracking import _grams, _Index, _key, similar, track_questions
from reviewer.journal.parse import parse_journal
from reviewer.journal.source import decode
from reviewer.llm.base import Summary, WeekFacts
from reviewer.llm.offline import OfflineBackend
from reviewer.models import Highlight
from reviewer.render.render import render
from reviewer.review.week import review_week

from .conftest import FIXTURE

SECONDS_PER_INPUT = 5.0  # generous: a loaded CI machine; the bugs found took 30 s and more
FEW = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

HOSTILE_BITS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    "[ok](https://example.org/a?b=<c>)",
    "![](https://x.org/a.png)",
    "\u202eexe.jpg",
    "\u200b\u2060\ufeff",
    "```",
    "`code <b>`",
    "**bold",
    "~~strike~~",
    "（👌）",
    "TODO: ",
    "[DONE] ",
    "需要问的问题：",
    "📌 ",
    "自省",
    "？",
    "\x00\x07\x1b[31m",
    "&amp;&lt;",
    "{{ d }}",
    "{% raw %}",
    "\r",
    "\t",
]
HEADINGS = [
    "### 2020-02-24",
    "## 2020-2-25 title",
    "#### 2020-02-26 ~ 2020-03-02",
    "### 2020-02-27/28",
    "### 2020-02-28 ~ 9999-12-31",
    "### 9999-12-31",
    "### 0001-01-01",
    "### 20200-02-24",
    "### 2020-02-30",
    "# 2020-02-24\u3000全角",
    "## 🤔自省🤔",
    "## Done",
    "---",
]

bullet = st.tuples(
    st.sampled_from(["* ", "- ", "1. ", "  * ", "    - ", ""]),
    st.lists(st.one_of(st.sampled_from(HOSTILE_BITS), st.text(max_size=12)), max_size=5),
).map(lambda pair: pair[0] + "".join(pair[1]))
line = st.one_of(st.sampled_from(HEADINGS), bullet)
journal_text = st.lists(line, min_size=1, max_size=40).map("\n".join)
# For the renderers: headings a review accepts (an undatable one stops it, as documented).
week_text = st.lists(
    st.one_of(st.sampled_from([h for h in HEADINGS[:5] if "9999" not in h]), bullet),
    max_size=30,
).map("\n".join)
WEEK = Week(2020, 9)
TODAY = date(2020, 3, 8)


def _bounded(started: float) -> None:
    assert time.monotonic() - started < SECONDS_PER_INPUT


@FEW
@given(journal_text)
def test_parsing_and_extracting_any_journal_raises_nothing(text: str) -> None:
    started = time.monotonic()
    journal = parse_journal(text, "j.md")
    for entry in journal.entries:
        assert (entry.end - entry.start).days <= 366
        assert 1800 <= entry.start.year <= 2199
    extract_questions(journal.entries)
    extract_todos(journal.entries)
    extract_reflections(journal.entries)
    _bounded(started)


@FEW
@given(st.binary(max_size=2000))
def test_decoding_any_bytes_is_text_or_an_input_error(data: bytes) -> None:
    try:
        text = decode(data, "j.md")
    except InputError as err:
        assert "j.md" in str(err)
    else:
        assert isinstance(text, str)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: set[str] = set()
        self.attrs: set[str] = set()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        self.attrs.update(name for name, _ in attrs)
        self.hrefs += [value or "" for name, value in attrs if name == "href"]


def _tags(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


class _HostileModel(OfflineBackend):
    """The offline review, with the prose an LLM might have written: anything at all."""

    def __init__(self, prose: str) -> None:
        super().__init__()
        self.prose = prose

    def summarize(self, facts: WeekFacts) -> Summary:
        base = super().summarize(facts)
        return dataclasses.replace(
            base,
            summary=self.prose,
            highlights=[Highlight(text=self.prose, dates=[WEEK.start]), *base.highlights],
            themes=[self.prose],
        )


def _template_tags() -> _Tags:
    """Every tag and attribute the templates write, from a full digest of the fixture with
    code, bold, strike-through and links in it."""
    journal = parse_journal(FIXTURE.read_text(encoding="utf-8"), "journal.md")
    prose = "`code` **bold** ~~strike~~ [link](https://example.org)"
    digest = review_week(journal, WEEK, TODAY, _HostileModel(prose))
    return _tags(render(digest, "html"))


TEMPLATE = _template_tags()


@FEW
@given(week_text, st.lists(st.sampled_from(HOSTILE_BITS) | st.text(max_size=20), max_size=6))
def test_html_holds_no_tag_the_templates_did_not_write(text: str, prose_parts: list[str]) -> None:
    started = time.monotonic()
    journal = parse_journal("### 2020-02-24\n* start\n" + text, "j.md")
    digest = review_week(journal, WEEK, TODAY, _HostileModel("".join(prose_parts)))
    for fmt in ("md", "text", "json"):
        render(digest, fmt)
    html = render(digest, "html")
    found = _tags(html)
    assert found.tags <= TEMPLATE.tags, found.tags - TEMPLATE.tags
    assert found.attrs <= TEMPLATE.attrs, found.attrs - TEMPLATE.attrs
    # links out are http(s); "#next-1" points at an item above (written by the template)
    assert all(href.startswith(("https://", "http://", "#")) for href in found.hrefs)
    for char in ("\u202e", "\u200b", "\u2060", "\ufeff"):
        assert char not in html
    _bounded(started)


texts = st.lists(st.sampled_from(HOSTILE_BITS) | st.text(max_size=30), min_size=1, max_size=4).map(
    "".join
)


@FEW
@given(st.lists(texts, min_size=1, max_size=12), st.integers(min_value=1, max_value=30))
def test_the_index_only_merges_what_is_truly_similar(items: list[str], repeats: int) -> None:
    index = _Index()
    for position, text in enumerate(items):
        for _ in range(repeats):
            index.add(text, position)
    for probe in items:
        found = index.find(probe)
        if found is None:
            continue
        known = _grams(_key(items[found]))
        probe_grams = _grams(_key(probe))
        exact = _key(probe) == _key(items[found])
        union = known | probe_grams
        assert exact or (union and len(known & probe_grams) / len(union) >= 0.6)


@FEW
@given(st.lists(texts, min_size=1, max_size=20))
def test_tracking_any_questions_raises_nothing(items: list[str]) -> None:
    from reviewer.models import Question

    started = time.monotonic()
    asked = [
        Question(text=t, date=date(2020, 1, 1 + n % 28), status="open", line=n, source="j")
        for n, t in enumerate(items)
    ]
    tracked = track_questions(asked)
    assert sum(item.mentions for item in tracked) == len(items)
    for a in items[:5]:
        for b in items[:5]:
            assert similar(a, b) == similar(b, a)
    _bounded(started)


# A file is parsed from its bytes when they are UTF-8 (each entry decoded on its own), else
# from its decoded text: any bytes read the one way as the other, or are refused alike.
journal_bytes = st.lists(
    st.sampled_from(HOSTILE_BITS).map(lambda s: s.encode("utf-8", "surrogatepass"))
    | st.sampled_from([b"### 2020-02-24\n", b"\r\n", b"\r", b"\xef\xbb\xbf", b"\xff", b"\xe4\xb8"])
    | st.binary(max_size=12),
    max_size=12,
).map(b"".join)


@FEW
@given(journal_bytes)
def test_a_file_reads_as_its_decoded_text(data: bytes) -> None:
    import tempfile
    from pathlib import Path

    from reviewer.journal.source import load_journal

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "journal.md")
        path.write_bytes(data)
        try:
            expected = parse_journal(decode(data, str(path)), source=str(path))
        except InputError as err:
            refused: InputError | None = err
        else:
            refused = None
        if not data.strip():
            return  # an empty file is refused before decoding
        try:
            loaded = load_journal(path)
        except InputError as err:
            assert refused is not None and str(err) == str(refused)
            return
        assert refused is None and loaded == expected
