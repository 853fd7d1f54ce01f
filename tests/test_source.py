"""Reading journals from disk: encodings, line ends, folders of daily notes, bad files."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from reviewer.errors import EXIT_DATA, EXIT_NO_INPUT, InputError
from reviewer.journal.source import decode, load_journal

TEXT = "### 2020-02-24\n* 改好bug ~~done~~\n### 2020-02-23\n* 需要问的问题\n  * 这是什么？\n"


def _write(tmp_path: Path, data: bytes, name: str = "journal.md") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    "data",
    [
        TEXT.encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.encode("utf-8"),
        TEXT.replace("\n", "\r\n").encode("utf-8"),
        b"\xef\xbb\xbf" + TEXT.replace("\n", "\r\n").encode("utf-8"),
        TEXT.encode("gbk"),
        TEXT.encode("utf-16"),
    ],
    ids=["utf8", "bom", "crlf", "bom-crlf", "gbk", "utf16"],
)
def test_encodings_and_line_ends_read_alike(tmp_path: Path, data: bytes) -> None:
    journal = load_journal(_write(tmp_path, data))
    assert [e.start for e in journal.entries] == [date(2020, 2, 24), date(2020, 2, 23)]
    assert journal.entries[1].body == ("* 需要问的问题", "  * 这是什么？")
    assert journal.line_count == 5


def test_gbk_file_keeps_chinese(tmp_path: Path) -> None:
    text = "### 2020-02-24\n* 自省：早点看代码\n"
    journal = load_journal(_write(tmp_path, text.encode("gbk")))
    assert journal.entries[0].body == ("* 自省：早点看代码",)


def test_forced_encoding(tmp_path: Path) -> None:
    text = "### 2020-02-24\n* 日知錄\n"
    journal = load_journal(_write(tmp_path, text.encode("big5")), encoding="big5")
    assert journal.entries[0].body == ("* 日知錄",)
    with pytest.raises(InputError, match="cannot decode as ascii"):
        load_journal(_write(tmp_path, text.encode("utf-8")), encoding="ascii")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file") as err:
        load_journal(tmp_path / "nope.md")
    assert err.value.exit_code == EXIT_NO_INPUT


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="empty") as err:
        load_journal(_write(tmp_path, b"\n \n"))
    assert err.value.exit_code == EXIT_DATA


def test_binary_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="binary"):
        load_journal(_write(tmp_path, b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"))


def test_undecodable_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not UTF-8, UTF-16 or GBK"):
        decode(b"### 2020-02-24\n\x81\x20\xff\xfe\x80", "j.md")


def test_folder_of_daily_notes(tmp_path: Path) -> None:
    (tmp_path / "2020").mkdir()
    (tmp_path / ".obsidian").mkdir()
    (tmp_path / "2020" / "2020-02-24.md").write_text("* 改好bug （👌）\n", encoding="utf-8")
    (tmp_path / "2020_02_23.md").write_text("* 需要问的问题\n  * 为什么？\n", encoding="utf-8")
    (tmp_path / "2020-02-22 Saturday.md").write_bytes("* 自省\n".encode("gbk"))
    (tmp_path / "README.md").write_text("not a note", encoding="utf-8")
    (tmp_path / "2020-02-30.md").write_text("impossible date", encoding="utf-8")
    (tmp_path / ".obsidian" / "2020-01-01.md").write_text("settings", encoding="utf-8")
    journal = load_journal(tmp_path)
    assert [(e.start, e.source, e.line) for e in journal.entries] == [
        (date(2020, 2, 24), "2020/2020-02-24.md", 0),
        (date(2020, 2, 23), "2020_02_23.md", 0),
        (date(2020, 2, 22), "2020-02-22 Saturday.md", 0),
    ]
    assert journal.entries[1].body == ("* 需要问的问题", "  * 为什么？")
    assert journal.entries[2].body == ("* 自省",)
    assert [(d.code, d.source) for d in journal.diagnostics] == [
        ("skipped-file", "2020-02-30.md"),
        ("skipped-file", "README.md"),
    ]
    assert journal.source == str(tmp_path)


def test_folder_without_notes(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("x", encoding="utf-8")
    with pytest.raises(InputError, match="no daily notes") as err:
        load_journal(tmp_path)
    assert err.value.exit_code == EXIT_NO_INPUT


# A UTF-8 journal is parsed from its bytes, each entry decoded on its own (not one str of the
# whole file): it reads exactly as its decoded text does, across the pieces the validation
# reads (_PIECE) and with characters of every width around them.
@pytest.mark.parametrize("bom", [b"", b"\xef\xbb\xbf"], ids=["plain", "bom"])
def test_a_utf8_journal_reads_as_its_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, bom: bytes
) -> None:
    from reviewer.journal import source
    from reviewer.journal.parse import parse_journal

    monkeypatch.setattr(source, "_PIECE", 7)
    text = (
        "---\ntitle: 日知录\n---\n# 日知录 👌\n"
        + "".join(
            f"### 2020-02-{day:02}\n* 需要问的问题\n  * é{day}？👌\n```\n### 2020-01-01\n```\n"
            for day in range(1, 29)
        )
        + "## 🤔自省🤔\n* 早点看代码\r\n* last line without a newline"
    )
    journal = load_journal(_write(tmp_path, bom + text.encode("utf-8")))
    assert journal == parse_journal(text, source=str(tmp_path / "journal.md"))
    assert len(journal.entries) == 28 and journal.entries[0].body[1] == "  * é1？👌"


def test_a_utf8_journal_is_still_checked_for_control_characters(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not UTF-8, UTF-16 or GBK"):
        load_journal(_write(tmp_path, b"### 2020-02-24\n" + b"\x01\x02" * 20 + b"\n"))
