"""Redaction: the fixture's real ssh commands and IPs, and every kind of secret the issue names."""

from __future__ import annotations

import re

import pytest

from reviewer.llm.redact import MASK, Redactor

from .llm_support import FIXTURE

FIXTURE_LINES = FIXTURE.read_text(encoding="utf-8").splitlines()


def _fixture_lines_with(needle: str) -> list[str]:
    return [line for line in FIXTURE_LINES if needle in line]


def test_fixture_ssh_commands_lose_hosts_users_and_ports() -> None:
    commands = _fixture_lines_with("ssh ") + _fixture_lines_with("ssh-copy-id")
    assert len(commands) >= 4  # the tunnel, two aliases, the key copy
    redactor = Redactor()
    text = redactor.redact("\n".join(commands))
    for secret in ("101.6.", "zhaotianchen", "ztc@", "42222", "12222", "fpga1.nics.cc"):
        assert secret not in text
    assert "<IP-1>" in text and "<PORT-1>" in text and "<USER-1>" in text
    assert "ProxyCommand='ssh -p <PORT-" in text
    assert "-W %h:%p" in text  # ssh's own tokens are no secret


def test_the_tunnel_command_of_week_2020_02_24() -> None:
    (line,) = [ln for ln in FIXTURE_LINES if "-R 12222" in ln]
    assert Redactor().redact(line) == (
        "* ```ssh -p <PORT-1> -R <PORT-2>:localhost:<本地ipynb端口> <IP-1>```\\"
    )


def test_no_fixture_ip_survives_and_placeholders_are_stable() -> None:
    text = "\n".join(FIXTURE_LINES)
    redactor = Redactor()
    redactor.learn(text)
    out = redactor.redact(text)
    assert not re.search(r"101\.6\.\d+\.\d+", out)
    # the jump host is one placeholder wherever it appears
    jump = next(k for k, v in redactor.replaced.items() if v == "101.6.64.67")
    assert out.count(jump) >= 4
    # a host named in a command is hidden on lines outside commands too (line 2104)
    assert "fpga1.nics.cc" not in out
    # and the rest of the journal is untouched
    assert out.count("\n") == text.count("\n")
    assert "一次ssh而不是两次" in out and "达成免密码登录" in out


def test_restore_puts_originals_back() -> None:
    redactor = Redactor()
    text = "ssh -p 42222 zhaotianchen@101.6.64.67 and mail a.b@example.org"
    out = redactor.redact(text)
    assert redactor.restore(out) == text
    assert redactor.restore("see <IP-1>, unknown <IP-9>") == "see 101.6.64.67, unknown <IP-9>"


def test_same_value_same_placeholder_across_calls() -> None:
    redactor = Redactor()
    first = redactor.redact("box 10.0.0.5")
    second = redactor.redact("again 10.0.0.5, and 10.0.0.6")
    assert first == "box <IP-1>"
    assert second == "again <IP-1>, and <IP-2>"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mail me at foo.bar+x@example.co.uk.", "mail me at <EMAIL-1>."),
        ("key sk-proj-abcdefghijklmnopqrstuv12 here", "key <SECRET-1> here"),
        ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "<SECRET-1>"),
        ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "<SECRET-1>"),
        ("export AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE", "export AWS_ACCESS_KEY_ID=<SECRET-1>"),
        (
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "aws_secret_access_key = <SECRET-1>",
        ),
        ("password=hunter2 ok", "password=<PASSWORD-1> ok"),
        ("服务器密码：Abc123!@", "服务器密码：<PASSWORD-1>"),
        ("密码是 qwe123", "密码是 <PASSWORD-1>"),
        ("ssh-copy-id 达成免密码登录", "ssh-copy-id 达成免密码登录"),
        ("token: 表示一个词", "token: 表示一个词"),
        ("Authorization: Bearer abcdef1234567890", "Authorization: Bearer <SECRET-1>"),
        ("sshpass -p s3cret ssh gpu", "sshpass -p <PASSWORD-1> ssh <HOST-1>"),
        ("server fe80::1ff:fe23:4567:890a up", "server <IP-1> up"),
        ("at 12:30:45 and ::1 and std::vector", "at 12:30:45 and ::1 and std::vector"),
        ("jupyter on 10.1.2.3:8888", "jupyter on <IP-1>:<PORT-1>"),
        ("127.0.0.1:8888 and localhost stay", "127.0.0.1:<PORT-1> and localhost stay"),
        ("scp -P 2200 a.txt me@box.lab.org:/tmp", "scp -P <PORT-1> a.txt <USER-1>@<HOST-1>:/tmp"),
        (
            "rsync -av -e 'ssh -p 2222' src/ u@h.example.org:dst",
            "rsync -av -e 'ssh -p <PORT-1>' src/ <EMAIL-1>:dst",
        ),
        ("ssh -J jump.lab.org -l alice gpu3", "ssh -J <HOST-1> -l <USER-1> <HOST-2>"),
        ("ssh -o Port=2222 gpu3", "ssh -o Port=<PORT-1> <HOST-1>"),
        ("ssh -L 8888:localhost:8888 gpu3", "ssh -L <PORT-1>:localhost:<PORT-1> <HOST-1>"),
        ("修改ssh的config", "修改ssh的config"),
        ("ssh 的配置不对", "ssh 的配置不对"),
        ("ssh gpu3 nvidia-smi", "ssh <HOST-1> nvidia-smi"),
        ("version 1.2.3 and v2.0", "version 1.2.3 and v2.0"),
        ("@property and pip@23", "@property and pip@23"),
    ],
)
def test_rules(text: str, expected: str) -> None:
    assert Redactor().redact(text) == expected


def test_private_key_block_keeps_line_count() -> None:
    text = (
        "before\n-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n"
        "AAAAAAAAAAAAAAAAA\n-----END OPENSSH PRIVATE KEY-----\nafter"
    )
    out = Redactor().redact(text)
    assert "b3BlbnNz" not in out and "AAAAAAAA" not in out
    assert out.splitlines()[1] == "<PRIVATE-KEY-1>"
    assert out.count("\n") == text.count("\n")


def test_unterminated_private_key_is_redacted_to_the_end() -> None:
    out = Redactor().redact("-----BEGIN RSA PRIVATE KEY-----\nMIIEow")
    assert "MIIEow" not in out


# -- the placeholder format and restore side ------------------------------------------------


def _learned(text: str) -> Redactor:
    redactor = Redactor()
    redactor.learn(text)
    return redactor


def test_a_placeholder_written_in_the_journal_is_sent_escaped_and_restored_as_written() -> None:
    journal = "模板里写着 <IP-1> 和 <ip-2>，机器是 10.1.2.3"
    redactor = _learned(journal)
    sent = redactor.redact(journal)
    assert "10.1.2.3" not in sent and "<LITERAL-1>" in sent and "<LITERAL-2>" in sent
    assert redactor.restore_answer(sent).text == journal
    # the model's <IP-1> is the machine, the journal's is text
    assert redactor.restore_answer("<IP-1> / <LITERAL-1>").text == "10.1.2.3 / <IP-1>"


@pytest.mark.parametrize(
    ("answer", "shown", "repaired"),
    [
        ("on <IP-1>", "on 10.1.2.3", 0),
        ("on <ip-1>", "on 10.1.2.3", 1),
        ("on <IP_1>", "on 10.1.2.3", 1),
        ("on ＜IP-1＞", "on 10.1.2.3", 1),
        ("on IP-1 today", "on 10.1.2.3 today", 1),
        ("on < IP 1 >", "on 10.1.2.3", 1),
    ],
)
def test_bent_placeholders_are_repaired_when_they_can_mean_one(
    answer: str, shown: str, repaired: int
) -> None:
    restored = _learned("ssh 10.1.2.3").restore_answer(answer)
    assert (restored.text, restored.repaired, restored.broken) == (shown, repaired, 0)


@pytest.mark.parametrize("answer", ["on <IP-7>", "on <IP>", "on <TOKEN-1>", "on ＜PORT-3＞"])
def test_placeholders_standing_for_nothing_are_counted_broken(answer: str) -> None:
    assert _learned("ssh 10.1.2.3").restore_answer(answer).broken == 1


def test_prose_that_reads_like_a_placeholder_is_left_as_written() -> None:
    redactor = _learned("ssh 10.1.2.3\nIP-1 is the name of the protocol draft")
    restored = redactor.restore_answer("IP-1 draft, IP 1 again")
    assert restored.text == "IP-1 draft, IP 1 again" and restored.broken == 0


def test_secrets_are_masked_never_restored_into_a_digest() -> None:
    journal = "password: hunter2-secret\ntoken sk-abcdefghijklmnopqrstuvwx\nssh 10.1.2.3"
    redactor = _learned(journal)
    sent = redactor.redact(journal)
    restored = redactor.restore_answer(sent).text
    assert "hunter2-secret" not in restored and "sk-abcdefghijklmnop" not in restored
    assert restored.count(MASK) == 2 and "10.1.2.3" in restored
    assert redactor.restore_answer("<password-1>").text == MASK


def test_the_models_bent_placeholders_sent_back_in_a_reduce_call_are_straightened() -> None:
    redactor = _learned("ssh 10.1.2.3")
    assert redactor.redact("在 <ip-1> 上, see <IP-1>") == "在 <IP-1> 上, see <IP-1>"
    assert redactor.restore_answer("a <fig-2> figure").broken == 0  # not one of ours
