"""`reviewer site`: a static archive that opens from disk: links resolve, nothing external."""

from __future__ import annotations

import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from typer.testing import CliRunner

from reviewer.cli import app
from reviewer.render.site import heatmap

from .conftest import FIXTURE

# Tags whose URL the browser fetches by itself: these must stay inside the folder.
_RESOURCES = {("img", "src"), ("script", "src"), ("link", "href"), ("iframe", "src"),
              ("source", "src"), ("video", "src"), ("audio", "src"), ("embed", "src"),
              ("object", "data"), ("image", "href")}  # fmt: skip


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.resources: list[str] = []
        self.ids: list[str] = []
        self.tags: set[str] = set()
        self.lang = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        for name, value in attrs:
            if value is None:
                continue
            if name == "id":
                self.ids.append(value)
            if tag == "html" and name == "lang":
                self.lang = value
            if (tag, name) in _RESOURCES:
                self.resources.append(value)
            elif name in {"href", "xlink:href"}:
                self.links.append(value)


def _parse(path: Path) -> _Page:
    page = _Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def _build(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["site", "-j", str(FIXTURE), *args])
    return result.exit_code, result.output


@pytest.fixture(autouse=True)
def _today(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-08")


def test_every_link_resolves_and_nothing_is_fetched_from_outside(tmp_path: Path) -> None:
    out = tmp_path / "site"
    code, said = _build("--out", str(out))
    assert code == 0, said
    pages = sorted(out.rglob("*.html"))
    weeks = {p.stem for p in (out / "weeks").glob("*.html")}
    # The fixture's 21 weeks, 2019-10-07 to 2020-03-01 (and the one of its 2020-03-02 entry).
    assert {f"2019-W{n}" for n in range(41, 53)} | {f"2020-W0{n}" for n in range(1, 10)} <= weeks
    assert {"index.html", "questions.html", "todos.html"} <= {p.name for p in pages}
    assert (out / "months" / "2020-02.html").exists()
    checked = 0
    for path in pages:
        page = _parse(path)
        assert "script" not in page.tags and not page.resources, path
        assert "http://" not in path.read_text(encoding="utf-8").split("<body")[0], path
        assert page.lang == "zh-CN"
        for link in page.links:
            parts = urlsplit(link)
            if parts.scheme in {"http", "https", "mailto"}:
                continue  # a link in the journal's text, which the reader may follow
            assert not parts.scheme and not parts.netloc, (path, link)
            target = (path.parent / unquote(parts.path)).resolve() if parts.path else path
            assert target.is_file(), (path, link)
            assert out.resolve() in target.parents, (path, link)
            if parts.fragment:
                assert parts.fragment in _parse(target).ids, (path, link)
            checked += 1
    assert checked > 200
    index = (out / "index.html").read_text(encoding="utf-8")
    assert index.count("<svg") == 2  # a heatmap row per year: 2019 and 2020
    assert 'href="weeks/2020-W09.html"><rect' in index  # journaled days link to their week
    assert 'name="viewport"' in index


def test_rebuild_skips_unchanged_pages_and_reads_the_archive(
    tmp_path: Path, _isolated: Path
) -> None:
    out = tmp_path / "site"
    code, said = _build("--out", str(out))
    assert code == 0 and "reviewed offline into the archive first" in said
    total = len(list(out.rglob("*.html")))
    code, said = _build("--out", str(out))
    assert code == 0 and f"0 pages written, {total} unchanged" in said
    assert "reviewed offline" not in said  # every week came from the archive
    # What the archive says is what the site shows (a digest an LLM wrote, say).
    folder = _isolated / ".local" / "share" / "reviewer" / "archive" / "2020-W09"
    [saved] = [p for p in folder.glob("*.json") if p.name != "latest.json"]
    digest = json.loads(saved.read_text(encoding="utf-8"))
    digest["summary"] = "The week the figures got done."
    saved.write_text(json.dumps(digest), encoding="utf-8")
    code, said = _build("--out", str(out))
    # The week's page, its line on the index and on its two months' pages (Feb and Mar).
    assert code == 0 and "4 pages written" in said, said
    assert "The week the figures got done." in (out / "weeks" / "2020-W09.html").read_text(
        encoding="utf-8"
    )


def test_lang_overrides_the_site_language(tmp_path: Path) -> None:
    code, _ = _build("--out", str(tmp_path), "--lang", "en")
    assert code == 0
    index = _parse(tmp_path / "index.html")
    assert index.lang == "en"
    assert "Question ledger" in (tmp_path / "questions.html").read_text(encoding="utf-8")


def test_heatmap_rows_are_years_and_link_journaled_days() -> None:
    days = {date(2019, 12, 31), date(2020, 1, 1), date(2020, 1, 2)}
    years = heatmap(days, {"2020-W01": "weeks/2020-W01.html"})
    assert [y.year for y in years] == [2020, 2019]
    assert [y.days for y in years] == [2, 1]
    assert len(years[0].cells) == 366  # a leap year
    linked = [c.day for y in years for c in y.cells if c.href]
    # 2019-12-31 lies in 2020-W01 as well; days not journaled link nowhere.
    assert sorted(linked) == sorted(days)
