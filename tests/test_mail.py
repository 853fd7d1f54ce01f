"""Email delivery against a real SMTP server in-process: the message, TLS, and each failure."""

from __future__ import annotations

import html
import json
import smtplib
import ssl
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

import pytest
import trustme
from typer.testing import CliRunner, Result

from reviewer.cli import app
from reviewer.delivery import smtp
from reviewer.delivery.message import Address, build_message, message_id, parse_address, subject_for
from reviewer.delivery.smtp import MailError, Outgoing, SmtpServer, send_all
from reviewer.errors import ConfigError
from reviewer.models import Digest, Meta, Stats, WeekInfo

from .mailserver import PASSWORD, USER, Server, free_port, running, silent_server

FIXTURE = Path(__file__).resolve().parent.parent / "fixtures" / "journal.md"
WEEK_QUESTIONS = ["第三点是不是删掉？", "related work中的NAS？"]


@pytest.fixture(autouse=True)
def _fixed_day(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("REVIEWER_TODAY", "2020-03-01")
    monkeypatch.setattr(smtp, "BACKOFF", (0.0, 0.0))  # retries without the waiting


@pytest.fixture(scope="module")
def ca() -> trustme.CA:
    return trustme.CA()


@pytest.fixture(scope="module")
def server_tls(ca: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ca.issue_cert("127.0.0.1", "localhost").configure_cert(context)
    return context


@pytest.fixture
def trusting(ca: trustme.CA, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the test CA the system's trust store, as a user with a private CA would."""
    bundle = tmp_path / "ca.pem"
    ca.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[Server]:
    with running() as srv:
        for name, value in srv.env().items():
            monkeypatch.setenv(name, value)
        yield srv


def invoke(*args: str) -> Result:
    return CliRunner().invoke(app, [*args, "--journal", str(FIXTURE)])


def ledger_lines(home: Path) -> list[dict[str, object]]:
    path = home / ".local/state/reviewer/sent.jsonl"
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines()]


# -- the message ---------------------------------------------------------------------------


def test_send_delivers_multipart_with_subject_message_id_and_questions(
    server: Server, _isolated: Path
) -> None:
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 0, result.output
    [message] = server.handler.messages()
    assert message.get_content_type() == "multipart/alternative"
    parts = {p.get_content_type(): p for p in message.iter_parts()}  # type: ignore[attr-defined]
    assert set(parts) == {"text/plain", "text/html"}
    assert message["Subject"] == "Weekly review 2020-W09: 2020-02-24 – 2020-03-01"
    assert message["To"] == "me@example.org"
    assert message["Auto-Submitted"] == "auto-generated"
    [record] = ledger_lines(_isolated)
    assert message["Message-ID"] == record["message_id"]
    assert str(record["message_id"]).startswith("<reviewer.2020-W09.")
    html = parts["text/html"].get_content()
    text = parts["text/plain"].get_content()
    for question in WEEK_QUESTIONS:
        assert question in html
        assert question in text
    assert "archived 2020-W09 to" in result.stderr
    assert f"sent 2020-W09 to me@example.org ({record['message_id']})" in result.stderr


def test_the_sunday_job_sends_despite_an_undatable_top_heading_and_names_the_line(
    server: Server, _isolated: Path, tmp_path: Path
) -> None:
    journal = tmp_path / "journal.md"
    # a fresh typo on the newest entry: with one neighbour, the order cannot repair it
    text = FIXTURE.read_text(encoding="utf-8")
    first = text.index("### 2020-03-03")
    journal.write_text(text[:first] + "### 20202-03-04\n* typo'd\n" + text[first:], "utf-8")
    line = text[:first].count("\n") + 1
    result = CliRunner().invoke(app, ["send", "sunday", "--journal", str(journal)])
    assert result.exit_code == 0, result.output
    [message] = server.handler.messages()
    for part in message.iter_parts():  # type: ignore[attr-defined]
        body = html.unescape(part.get_content())
        assert f"line {line}: '20202-03-04'" in body and "fix the heading" in body
    assert f"warning: line {line}: '20202-03-04'" in result.stderr


def test_message_id_is_the_same_on_every_run_of_the_same_digest(
    server: Server, _isolated: Path
) -> None:
    assert invoke("send", "2020-02-24").exit_code == 0
    assert invoke("send", "2020-02-24", "--force").exit_code == 0
    first, second = server.handler.messages()
    assert first["Message-ID"] == second["Message-ID"]
    assert invoke("send", "2020-02-17").exit_code == 0
    assert server.handler.messages()[2]["Message-ID"] != first["Message-ID"]


def test_chinese_subject_and_names_are_encoded_and_come_back_intact(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("REVIEWER_MAIL_SUBJECT", "周回顾 {week}（{days}/7 天）")
    monkeypatch.setenv("REVIEWER_MAIL_TO", "张三 <zhang@example.org>")
    assert invoke("send", "2020-02-24").exit_code == 0
    [(_, rcpts, raw)] = server.handler.received
    assert rcpts == ["zhang@example.org"]
    raw_headers = raw.split(b"\r\n\r\n", 1)[0]
    assert raw_headers.isascii()  # RFC 2047 encoded words, no raw UTF-8 in headers
    [message] = server.handler.messages()
    assert message["Subject"] == "周回顾 2020-W09（7/7 天）"
    assert message["To"].addresses[0].display_name == "张三"


def test_journal_markup_arrives_escaped(
    server: Server, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    journal = tmp_path / "j.md"
    journal.write_text(
        "### 2020-02-25\n"
        "* try <script>alert(1)</script> and <img src=x onerror=alert(2)>\n"
        "* 需要问的问题\n"
        "  * is `a<b` true? **bold** [link](javascript:alert(3))\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(app, ["send", "2020-02-24", "--journal", str(journal)])
    assert result.exit_code == 0, result.output
    [message] = server.handler.messages()
    html = message.get_body(("html",)).get_content()  # type: ignore[union-attr]
    assert "<script" not in html.lower()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert "a&lt;b</code>" in html
    assert "<strong>bold</strong>" in html


def test_llm_text_keeps_http_links_and_loses_everything_else() -> None:
    from reviewer.render.render import render

    summary = (
        "See [notes](https://example.org/?a=1&b=2), not [this](javascript:alert(1)) "
        '<a href="x">raw</a> ~~old~~ `<b>` [c](http://x/`y" onmouseover=z`)'
    )
    html = render(_digest().model_copy(update={"summary": summary}), "html")
    assert '<a href="https://example.org/?a=1&amp;b=2" style="color:#2563eb">notes</a>' in html
    assert 'href="javascript' not in html and 'href="x"' not in html
    assert "&lt;a href=&#34;x&#34;&gt;raw&lt;/a&gt;" in html
    assert '<s style="color:#6b7280">old</s>' in html
    assert ">&lt;b&gt;</code>" in html
    assert "onmouseover=z</code>)" in html  # a code span in a URL is no link at all


def test_html_has_no_scripts_or_external_assets_and_a_cjk_font_stack() -> None:
    result = CliRunner().invoke(
        app, ["week", "2020-02-24", "--journal", str(FIXTURE), "--format", "html"]
    )
    assert result.exit_code == 0, result.output
    html = result.stdout
    assert html.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in html
    for forbidden in ("<script", "<link", "<style", "src=", "url("):
        assert forbidden not in html
    assert "Noto Sans CJK SC" in html and "PingFang SC" in html
    assert "第三点是不是删掉？" in html


# -- header safety -------------------------------------------------------------------------


def _digest() -> Digest:
    from datetime import date

    return Digest(
        week=WeekInfo(iso="2020-W09", start=date(2020, 2, 24), end=date(2020, 3, 1)),
        journal="j.md",
        entries=[],
        summary="s",
        highlights=[],
        questions=[],
        reflections=[],
        todos=[],
        next_week=[],
        stats=Stats(
            days_journaled=5,
            streak_days=9,
            entries=5,
            lines=1,
            todos_done=0,
            todos_open=0,
            questions_open=0,
        ),
        meta=Meta(backend="offline", model=""),
        warnings=[],
    )


@pytest.mark.parametrize(
    "value",
    [
        "me@example.org\r\nBcc: victim@example.org",
        "me@example.org\nBcc: victim@example.org",
        "Me\r <me@example.org>",
        "a@example.org, b@example.org",
        "not an address",
        "",
    ],
)
def test_addresses_with_line_breaks_or_several_mailboxes_are_refused(value: str) -> None:
    with pytest.raises(ConfigError):
        parse_address(value, "REVIEWER_MAIL_TO")


def test_a_plain_and_a_named_address_are_accepted() -> None:
    assert parse_address("me@example.org", "x") == Address("", "me@example.org")
    named = parse_address("张三 <z@example.org>", "x")
    assert (named.addr, named.domain) == ("z@example.org", "example.org")


def test_a_display_name_with_a_comma_stays_one_recipient(
    server: Server, monkeypatch: pytest.MonkeyPatch, _isolated: Path
) -> None:
    # In the environment commas separate recipients; a TOML list can hold any name.
    monkeypatch.delenv("REVIEWER_MAIL_TO")
    config = _isolated / ".config/reviewer/config.toml"
    config.parent.mkdir(parents=True)
    config.write_text("[mail]\nto = ['\"Doe, Jane\" <jane@example.org>']\n", encoding="utf-8")
    assert invoke("send", "2020-02-24").exit_code == 0
    [message] = server.handler.messages()
    [address] = message["To"].addresses
    assert (address.display_name, address.addr_spec) == ("Doe, Jane", "jane@example.org")


def test_subject_template_cannot_inject_headers_or_reach_attributes() -> None:
    digest = _digest()
    assert subject_for(digest, "{week} {start}–{end} {days}/7 {streak}") == (
        "2020-W09 2020-02-24–2020-03-01 5/7 9"
    )
    with pytest.raises(ConfigError, match="line breaks"):
        subject_for(digest, "Review\r\nBcc: victim@example.org")
    with pytest.raises(ConfigError, match="unknown placeholder"):
        subject_for(digest, "{week.__class__}")


def test_subject_injection_from_the_environment_stops_the_send(
    server: Server, monkeypatch: pytest.MonkeyPatch, _isolated: Path
) -> None:
    monkeypatch.setenv("REVIEWER_MAIL_SUBJECT", "hi\nBcc: victim@example.org")
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 78
    assert "line breaks" in result.stderr
    assert server.handler.received == []
    assert list((_isolated / ".local/share/reviewer/archive/2020-W09").glob("*.json"))


def test_build_message_refuses_a_subject_with_a_newline() -> None:
    sender = parse_address("a@example.org", "x")
    with pytest.raises(ConfigError):
        build_message(
            subject="x\r\nBcc: y@example.org",
            sender=sender,
            recipient=sender,
            text="t",
            html="<p>h</p>",
            msg_id=message_id("2020-W09", "0" * 64, "a@example.org", sender),
            week="2020-W09",
            now=datetime(2020, 3, 1, 20, tzinfo=UTC),
        )


# -- TLS and login -------------------------------------------------------------------------


def test_starttls_with_a_trusted_certificate_and_login(
    server_tls: ssl.SSLContext, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running(starttls=server_tls, auth=True) as srv:
        for name, value in srv.env("starttls").items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("REVIEWER_SMTP_USER", USER)
        monkeypatch.setenv("REVIEWER_SMTP_PASSWORD", PASSWORD)
        result = invoke("send", "2020-02-24")
        assert result.exit_code == 0, result.output
        assert len(srv.handler.received) == 1


def test_implicit_tls(
    server_tls: ssl.SSLContext, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running(implicit_tls=server_tls) as srv:
        for name, value in srv.env("ssl").items():
            monkeypatch.setenv(name, value)
        result = invoke("send", "2020-02-24")
        assert result.exit_code == 0, result.output
        assert len(srv.handler.received) == 1


def test_an_untrusted_certificate_is_refused_and_nothing_is_recorded(
    server_tls: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, _isolated: Path
) -> None:
    other = trustme.CA()  # the client trusts a different CA than the one that signed the cert
    bundle = tmp_path / "other.pem"
    other.cert_pem.write_to_path(str(bundle))
    monkeypatch.setenv("SSL_CERT_FILE", str(bundle))
    with running(starttls=server_tls) as srv:
        for name, value in srv.env("starttls").items():
            monkeypatch.setenv(name, value)
        result = invoke("send", "2020-02-24")
    assert result.exit_code == 69
    assert "certificate not trusted" in result.stderr
    assert "Traceback" not in result.output
    assert srv.handler.received == []
    assert ledger_lines(_isolated) == []


def test_a_server_without_starttls_is_refused_not_used_in_clear(
    server: Server, monkeypatch: pytest.MonkeyPatch, _isolated: Path
) -> None:
    monkeypatch.setenv("REVIEWER_SMTP_SECURITY", "starttls")
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 69
    assert "does not offer STARTTLS" in result.stderr
    assert server.handler.received == []


def test_wrong_password_is_a_config_error(
    server_tls: ssl.SSLContext, trusting: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running(starttls=server_tls, auth=True) as srv:
        for name, value in srv.env("starttls").items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("REVIEWER_SMTP_USER", USER)
        monkeypatch.setenv("REVIEWER_SMTP_PASSWORD", "wrong")
        result = invoke("send", "2020-02-24")
    assert result.exit_code == 78
    assert "login refused (535" in result.stderr
    assert srv.handler.received == []


def test_a_password_is_never_sent_in_clear_to_a_remote_host(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("REVIEWER_SMTP_HOST", "mail.example.org")
    monkeypatch.setenv("REVIEWER_SMTP_SECURITY", "none")
    monkeypatch.setenv("REVIEWER_SMTP_USER", USER)
    monkeypatch.setenv("REVIEWER_SMTP_PASSWORD", PASSWORD)
    monkeypatch.setenv("REVIEWER_MAIL_FROM", "a@example.org")
    monkeypatch.setenv("REVIEWER_MAIL_TO", "a@example.org")
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 78
    assert "unencrypted" in result.stderr


# -- failures ------------------------------------------------------------------------------


def test_421_is_retried_with_backoff_then_sent(server: Server, _isolated: Path) -> None:
    server.handler.replies = ["421 4.3.2 try later", "451 4.7.1 greylisted"]
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 0, result.output
    assert server.handler.data_attempts == 3
    assert len(server.handler.received) == 1
    assert result.stderr.count("retrying in") == 2
    assert len(ledger_lines(_isolated)) == 1


def test_421_every_time_exits_75_with_the_digest_archived_and_nothing_recorded(
    server: Server, _isolated: Path
) -> None:
    server.handler.replies = ["421 4.3.2 try later"] * 3
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 75
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith("reviewer: SMTP 127.0.0.1:") and "(421 4.3.2 try later)" in last
    assert "Traceback" not in result.output
    assert server.handler.received == []
    assert ledger_lines(_isolated) == []
    archive = _isolated / ".local/share/reviewer/archive/2020-W09"
    assert sorted(p.suffix for p in archive.iterdir()) == [".html", ".json", ".md"]
    # ...and the next run, with the server back, sends it.
    assert invoke("send", "2020-02-24").exit_code == 0
    assert len(server.handler.received) == 1


def test_550_is_permanent_with_a_clear_message(server: Server, _isolated: Path) -> None:
    server.handler.replies = ["550 5.7.1 message rejected as spam"]
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 69
    assert "refused sending to me@example.org (550 5.7.1 message rejected as spam)" in (
        result.stderr
    )
    assert server.handler.data_attempts == 1  # not retried
    assert ledger_lines(_isolated) == []


def test_a_refused_recipient_does_not_stop_the_others(
    server: Server, monkeypatch: pytest.MonkeyPatch, _isolated: Path
) -> None:
    monkeypatch.setenv("REVIEWER_MAIL_TO", "gone@example.org, me@example.org")
    server.handler.refuse_rcpt["gone@example.org"] = "550 5.1.1 no such user"
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 69
    assert "gone@example.org (550 5.1.1 no such user)" in result.stderr
    assert [r for _, r, _ in server.handler.received] == [["me@example.org"]]
    assert [r["recipient"] for r in ledger_lines(_isolated)] == ["me@example.org"]


def test_connection_dropped_mid_data_is_retried(server: Server, _isolated: Path) -> None:
    server.handler.replies = ["drop"]
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 0, result.output
    assert "closed the connection" in result.stderr
    assert len(server.handler.received) == 1
    assert len(ledger_lines(_isolated)) == 1


def test_connection_dropped_every_time_exits_75(server: Server, _isolated: Path) -> None:
    server.handler.replies = ["drop"] * 3
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 75
    assert "the server closed the connection while sending to me@example.org" in result.stderr
    assert ledger_lines(_isolated) == []


def test_nothing_listening_exits_75(monkeypatch: pytest.MonkeyPatch, _isolated: Path) -> None:
    port = free_port()
    monkeypatch.setenv("REVIEWER_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("REVIEWER_SMTP_PORT", str(port))
    monkeypatch.setenv("REVIEWER_SMTP_SECURITY", "none")
    monkeypatch.setenv("REVIEWER_MAIL_FROM", "a@example.org")
    monkeypatch.setenv("REVIEWER_MAIL_TO", "b@example.org")
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 75
    assert result.stderr.strip().splitlines()[-1] == (
        f"reviewer: SMTP 127.0.0.1:{port}: connection refused (is the server up? is the port "
        "right?)"
    )
    assert list((_isolated / ".local/share/reviewer/archive/2020-W09").glob("*.html"))


def _outgoing() -> Outgoing:
    message = EmailMessage()
    message["Subject"] = "t"
    message.set_content("t")
    return Outgoing(message, "a@example.org", "b@example.org")


def test_a_server_that_never_answers_times_out_and_the_backoff_is_used() -> None:
    waits: list[float] = []
    with silent_server() as port:
        server = SmtpServer("127.0.0.1", port, "none", timeout=0.2)
        with pytest.raises(MailError) as caught:
            send_all([_outgoing()], server, lambda _: None, backoff=(1.0, 2.0), sleep=waits.append)
    assert caught.value.exit_code == 75
    assert "timed out after 0.2 s" in str(caught.value)
    assert waits == [1.0, 2.0]


def test_starttls_gets_a_verifying_context_by_default(
    server_tls: ssl.SSLContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No SSL_CERT_FILE: the system's CAs do not know the test CA, so the send must fail."""
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with running(starttls=server_tls) as srv:
        server = SmtpServer("127.0.0.1", srv.port, "starttls")
        with pytest.raises(MailError, match="certificate not trusted"):
            send_all([_outgoing()], server, lambda _: None, backoff=())
        assert srv.handler.received == []


def test_an_injected_context_is_used(ca: trustme.CA, server_tls: ssl.SSLContext) -> None:
    client = ssl.create_default_context()
    ca.configure_trust(client)
    sent: list[Outgoing] = []
    with running(starttls=server_tls) as srv:
        server = SmtpServer("127.0.0.1", srv.port, "starttls", context=client)
        send_all([_outgoing()], server, sent.append, backoff=())
        assert len(srv.handler.received) == 1
    assert len(sent) == 1


def test_missing_mail_settings_are_named(_isolated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 78
    assert "REVIEWER_SMTP_HOST" in result.stderr
    monkeypatch.setenv("REVIEWER_SMTP_HOST", "127.0.0.1")
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 78 and "REVIEWER_MAIL_FROM" in result.stderr
    monkeypatch.setenv("REVIEWER_MAIL_FROM", "a@example.org")
    result = invoke("send", "2020-02-24")
    assert result.exit_code == 78 and "--to" in result.stderr


def test_week_email_prints_the_digest_and_sends_it(server: Server) -> None:
    result = invoke("week", "2020-02-24", "--email", "--to", "other@example.org")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("# Week 2020-W09")
    assert [r for _, r, _ in server.handler.received] == [["other@example.org"]]


def test_to_without_email_is_a_usage_error() -> None:
    result = invoke("week", "2020-02-24", "--to", "x@example.org")
    assert result.exit_code == 2
    assert "--email" in result.stderr


class FlakyConnection:
    """A fake connection: accepts the first message, then drops on the next, once."""

    drops_left = 1

    def __init__(self, log: list[str]) -> None:
        self.log = log

    def send_message(
        self, msg: object, from_addr: object = None, to_addrs: object = None
    ) -> dict[str, object]:
        assert isinstance(to_addrs, list)
        if self.log and FlakyConnection.drops_left:
            FlakyConnection.drops_left -= 1
            raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")
        self.log.append(to_addrs[0])
        return {}

    def quit(self) -> None:
        pass

    def close(self) -> None:
        pass


def test_a_retry_sends_only_what_is_missing_and_the_ledger_follows_the_server(
    tmp_path: Path,
) -> None:
    from reviewer.delivery.send import Transport, deliver
    from reviewer.delivery.sent import Ledger

    accepted: list[str] = []
    waits: list[float] = []
    lines: list[str] = []
    report = deliver(
        _digest(),
        server=SmtpServer("smtp.example.org"),
        sender="me@example.org",
        recipients=["a@example.org", "b@example.org"],
        subject_template="",
        data_dir=tmp_path / "data",
        state_dir=tmp_path / "state",
        now=lambda: datetime(2020, 3, 1, 20, tzinfo=UTC),
        transport=Transport(
            open_connection=lambda _: FlakyConnection(accepted),
            backoff=(7.0,),
            sleep=waits.append,
        ),
        say=lines.append,
    )
    assert accepted == ["a@example.org", "b@example.org"]  # a once, b after the retry
    assert waits == [7.0]
    assert report.sent == ["a@example.org", "b@example.org"]
    ledger = Ledger(tmp_path / "state")
    assert ledger.last_sent("2020-W09", "a@example.org") is not None
    assert ledger.last_sent("2020-W09", "b@example.org") is not None
    assert any("retrying in 7 s" in line for line in lines)


# -- a quiet journal -------------------------------------------------------------------------

QUIET_SUNDAYS = ["2020-03-15", "2020-03-22", "2020-03-29", "2020-04-05", "2020-04-12", "2020-04-19"]


def _sunday_job(monkeypatch: pytest.MonkeyPatch, day: str, journal: Path = FIXTURE) -> Result:
    monkeypatch.setenv("REVIEWER_TODAY", day)
    return CliRunner().invoke(app, ["send", "sunday", "--journal", str(journal)])


def test_six_quiet_sundays_send_one_short_note(
    server: Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    for day in QUIET_SUNDAYS:
        result = _sunday_job(monkeypatch, day)
        assert result.exit_code == 0, result.output
    [note] = server.handler.messages()
    text = next(p for p in note.iter_parts() if p.get_content_type() == "text/plain")  # type: ignore[attr-defined]
    body = text.get_content()
    assert "the last entry is from 2020-03-02" in body and "only mail until you write" in body
    assert "predictor train不用调" not in body  # no stale carry-over list
    assert "had the note already: nothing sent" in result.stderr


def test_writing_again_ends_the_quiet(
    server: Server, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for day in QUIET_SUNDAYS[:2]:
        assert _sunday_job(monkeypatch, day).exit_code == 0
    journal = tmp_path / "journal.md"
    text = FIXTURE.read_text(encoding="utf-8")
    first = text.index("### 2020-03-03")
    journal.write_text(text[:first] + "### 2020-03-24\n* back at it\n" + text[first:], "utf-8")
    for day in QUIET_SUNDAYS[2:]:  # the week of 03-24, then quiet again: one more note
        assert _sunday_job(monkeypatch, day, journal).exit_code == 0
    subjects = [m["Subject"] for m in server.handler.messages()]
    assert [s.split(":")[0] for s in subjects] == [
        "Weekly review 2020-W11",
        "Weekly review 2020-W13",
        "Weekly review 2020-W14",
    ]


@pytest.mark.parametrize(("policy", "count"), [("never", 0), ("always", 6)])
def test_when_quiet_is_configurable(
    server: Server, monkeypatch: pytest.MonkeyPatch, policy: str, count: int
) -> None:
    monkeypatch.setenv("REVIEWER_MAIL_WHEN_QUIET", policy)
    for day in QUIET_SUNDAYS:
        assert _sunday_job(monkeypatch, day).exit_code == 0
    assert len(server.handler.messages()) == count
