"""Redaction of what leaves the machine: secrets, addresses and hosts become stable placeholders.

Pure: a `Redactor` turns text into text and remembers which placeholder stands for which value,
so the same value gets the same placeholder in every message of a week (the model can still
tell "the jump host" from "the GPU box"), and `restore` puts the originals back into the
model's answer for the local digest. Bump RULES_VERSION whenever a rule changes: it is part of
the response-cache key, so a stricter rule never serves an answer computed on leakier text.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable

__all__ = ["MASK", "RULES_VERSION", "Redactor", "Restored"]

RULES_VERSION = 1

_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?"
    r"(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)",
    re.DOTALL,
)
_TOKENS = re.compile(
    r"\b(?:"
    r"sk-(?:proj-|ant-|live-|test-)?[A-Za-z0-9_-]{16,}"  # OpenAI, Anthropic, Stripe style
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"  # GitHub
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key ids
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|hf_[A-Za-z0-9]{30,}"  # Hugging Face
    r"|AIza[0-9A-Za-z_-]{35}"  # Google API keys
    r"|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"  # JWTs
    r")"
)
# `key = value` pairs whose value is a secret, whatever it looks like.
_SECRET_VALUE = re.compile(
    r"(?i)(?P<label>\b(?:aws_secret_access_key|aws_session_token|api[_-]?key|access[_-]?token"
    r"|auth[_-]?token|secret[_-]?key|client[_-]?secret|token|secret|passwd|password|pwd)"
    r"[\"']?[ \t]*[:=：][ \t]*[\"']?)(?P<value>[!#-&(-+\--:<-~]{3,})"
)
_BEARER = re.compile(r"(?P<label>\bBearer[ \t]+)(?P<value>[A-Za-z0-9._~+/=-]{8,})")
# 密码 needs a separator: "免密码登录" is no password.
_MIMA = re.compile(r"(?P<label>密码[ \t]*(?:[:：=]|是|为)[ \t]*|密码[ \t]+)(?P<value>[!-~]+)")
_SSHPASS = re.compile(r"(?P<label>\bsshpass[ \t]+-p[ \t]*)(?P<value>\S+)")

# ssh-like commands: hosts, users and ports inside them are private.
_COMMAND = re.compile(r"(?<![\w/.-])(?:ssh-copy-id|ssh|scp|sftp|rsync|mosh|autossh)(?![\w-])")
_COMMAND_END = re.compile(r"[`'\"\n;|&]|$")
_OPT_WITH_ARG = frozenset(f"-{o}" for o in "bcDEeFIiJLlmOopPQRSWw")  # ssh, scp: take a value
_PORT_OPTS = frozenset({"-p", "-P"})
_FORWARD_OPTS = frozenset({"-L", "-R", "-D"})
_USER_HOST = re.compile(
    r"(?<![\w.%+-])(?P<user>[A-Za-z_][\w.-]*)@"
    r"(?P<host>(?:\d{1,3}\.){3}\d{1,3}|(?=[\w.-]*[A-Za-z])[A-Za-z0-9][\w.-]*\w)"
)
_EMAIL = re.compile(
    r"(?<![\w.%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?![\w-])"
)
_IPV4 = re.compile(
    r"(?<![\w.])(?:(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)\.){3}(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)"
    r"(?::(?P<port>\d{2,5}))?(?![\w.]*\d)"
)
_IPV6 = re.compile(r"(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}[0-9A-Fa-f]{0,4}(?![\w:])")
_PLACEHOLDER = re.compile(r"<(?:[A-Z]+-)+\d+>")
# What an ssh destination looks like; anything else after `ssh ` is prose ("ssh 的配置").
_HOSTLIKE = re.compile(r"(?:ssh://)?(?:[\w.%+-]+@)?[A-Za-z0-9<][\w.<>-]*(?::\S*)?", re.ASCII)
_KEEP_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "%h"})


class Redactor:
    """Replaces private values by placeholders such as `<IP-1>`, the same value by the same one."""

    def __init__(self) -> None:
        self._by_value: dict[tuple[str, str], str] = {}
        self._originals: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._hosts: set[str] = set()  # named hosts seen in commands, redacted everywhere
        self._bare: set[str] = set()  # placeholder-like words the journal writes unbracketed
        self._journal_read = False  # learn() has seen the journal: later text is the model's

    @property
    def replaced(self) -> dict[str, str]:
        """Placeholder -> original value, for what has been redacted so far."""
        return dict(self._originals)

    def placeholder(self, kind: str, value: str) -> str:
        """The stable placeholder of `value` as a `kind` (IP, HOST, EMAIL, SECRET, ...)."""
        key = (kind, value)
        if key not in self._by_value:
            self._counts[kind] = self._counts.get(kind, 0) + 1
            token = f"<{kind}-{self._counts[kind]}>"
            self._by_value[key] = token
            self._originals[token] = value
        return self._by_value[key]

    def learn(self, text: str) -> None:
        """Redact `text` only to learn its values, so later calls number them in its order and
        replace a host everywhere, even before the command that revealed it."""
        self.redact(text)
        self._journal_read = True

    def _escape_literals(self, text: str) -> str:
        return _escape_literals(self, text)

    def restore_answer(self, text: str) -> Restored:
        """`text` from a model's answer, for a digest (see `_restore_answer`)."""
        return _restore_answer(self, text)

    def redact(self, text: str) -> str:
        """`text` with every private value replaced by its placeholder."""
        text = self._escape_literals(text)
        # A key block keeps its line breaks, so callers can still map lines to line numbers.
        text = _PRIVATE_KEY.sub(
            lambda m: self.placeholder("PRIVATE-KEY", m.group()) + "\n" * m.group().count("\n"),
            text,
        )
        text = _TOKENS.sub(lambda m: self.placeholder("SECRET", m.group()), text)
        for pattern, kind in (
            (_SSHPASS, "PASSWORD"),
            (_MIMA, "PASSWORD"),
            (_BEARER, "SECRET"),
            (_SECRET_VALUE, "SECRET"),
        ):
            text = pattern.sub(self._labelled(kind), text)
        text = self._commands(text)
        text = _EMAIL.sub(lambda m: self.placeholder("EMAIL", m.group()), text)
        text = _USER_HOST.sub(self._user_host, text)
        text = _IPV4.sub(self._ipv4, text)
        text = _IPV6.sub(self._ipv6, text)
        for host in sorted(self._hosts, key=len, reverse=True):
            pattern = re.compile(rf"(?<![\w.-]){re.escape(host)}(?![\w-]|\.\w)")
            text = pattern.sub(lambda m: self.placeholder("HOST", m.group()), text)
        return text

    def restore(self, text: str) -> str:
        """`text` with placeholders turned back into the values they stand for."""
        return _PLACEHOLDER.sub(lambda m: self._originals.get(m.group(), m.group()), text)

    def _labelled(self, kind: str) -> Callable[[re.Match[str]], str]:
        def replace(match: re.Match[str]) -> str:
            value = match.group("value")
            if _PLACEHOLDER.fullmatch(value):
                return match.group()
            label = match.group("label")
            named = "PASSWORD" if re.search(r"(?i)pass|pwd", label) else kind
            return label + self.placeholder(named, value)

        return replace

    def _host(self, host: str) -> str:
        if host in _KEEP_HOSTS or _PLACEHOLDER.fullmatch(host):
            return host
        if _is_ip(host):
            return self.placeholder("IP", host)
        if "." in host:
            self._hosts.add(host)
        return self.placeholder("HOST", host)

    def _user_host(self, match: re.Match[str]) -> str:
        user, host = match.group("user"), match.group("host")
        return f"{self.placeholder('USER', user)}@{self._host(host)}"

    def _ipv4(self, match: re.Match[str]) -> str:
        address = match.group().split(":")[0]
        if ipaddress.ip_address(address).is_loopback or address == "0.0.0.0":
            return match.group()
        port = match.group("port")
        redacted = self.placeholder("IP", address)
        return f"{redacted}:{self.placeholder('PORT', port)}" if port else redacted

    def _ipv6(self, match: re.Match[str]) -> str:
        text = match.group()
        if not _is_ip(text) or text.count(":") < 2 or not re.search(r"[0-9A-Fa-f]", text):
            return text
        return text if ipaddress.ip_address(text).is_loopback else self.placeholder("IP", text)

    def _commands(self, text: str) -> str:
        out: list[str] = []
        position = 0
        for match in _COMMAND.finditer(text):
            if match.start() < position:
                continue
            end_match = _COMMAND_END.search(text, match.end())
            end = end_match.start() if end_match else len(text)
            out.append(text[position : match.end()])
            out.append(self._command_args(match.group(), text[match.end() : end]))
            position = end
        out.append(text[position:])
        return "".join(out)

    def _command_args(self, command: str, args: str) -> str:
        """Hosts, users and ports of one ssh/scp/rsync command line redacted, the rest kept."""
        parts = re.split(r"(\s+)", args)
        positional = 0
        expect: str | None = None
        for i, part in enumerate(parts):
            if not part or part.isspace():
                continue
            if expect is not None:
                parts[i] = self._option_value(expect, part)
                expect = None
            elif part in _OPT_WITH_ARG:
                expect = part
            elif re.fullmatch(r"-[pP]\d+", part):
                parts[i] = part[:2] + self.placeholder("PORT", part[2:])
            elif part.startswith("-"):
                continue
            elif command in {"ssh", "mosh", "autossh", "ssh-copy-id", "sftp"}:
                positional += 1
                if positional > 1 or not _HOSTLIKE.fullmatch(part):
                    break  # the remote command, or prose: not ours to judge
                parts[i] = self._destination(part)
            elif ":" in part and not part.startswith(("/", ".", "~")):
                parts[i] = self._destination(part)  # scp/rsync remote path
        return "".join(parts)

    def _option_value(self, option: str, value: str) -> str:
        if option in _PORT_OPTS and value.isdigit():
            return self.placeholder("PORT", value)
        if option == "-l":
            return self.placeholder("USER", value)
        if option == "-J":
            return ",".join(self._destination(hop) for hop in value.split(","))
        if option in _FORWARD_OPTS:
            return ":".join(self._forward_part(p) for p in value.split(":"))
        if option == "-o":
            found = re.fullmatch(r"(?i)(port|hostname|user)(=|\s*)(\S+)", value)
            if found:
                kind = {"port": "PORT", "hostname": "HOST", "user": "USER"}[found[1].lower()]
                return found[1] + found[2] + self.placeholder(kind, found[3])
        return value

    def _forward_part(self, part: str) -> str:
        if part.isdigit():
            return self.placeholder("PORT", part)
        if re.fullmatch(r"[A-Za-z0-9][\w.-]*", part) and not part.isdigit():
            return self._host(part)
        return part

    def _destination(self, target: str) -> str:
        """`[user@]host[:port-or-path]`, as ssh, scp and rsync write it."""
        scheme = ""
        if target.startswith("ssh://"):
            scheme, target = "ssh://", target[6:]
        user, sep, rest = target.rpartition("@")
        host, colon, tail = rest.partition(":")
        if not host:
            return scheme + target
        redacted = self._host(host)
        if colon and tail.isdigit():
            tail = self.placeholder("PORT", tail)
        head = f"{self.placeholder('USER', user)}@" if sep and user else ""
        return f"{scheme}{head}{redacted}{colon}{tail}"


# -- The placeholder format and restore side ----------------------------------------------------
# Kept apart from the detection rules above: these functions only read and write placeholders.

MASK = "••••"  # what a secret becomes in a digest: a digest is mailed, a secret never is
_SECRET_KINDS = frozenset({"SECRET", "PASSWORD", "PRIVATE-KEY"})
_KIND = r"(?:ip|host|user|port|email|secret|password|private[-_ ]?key|literal)"
# A placeholder as models bend it: any case, `_` or a space for `-`, full-width or no brackets.
_BENT = re.compile(
    rf"(?:(?P<open>[<＜〈‹《])\s*)?(?<![A-Za-z0-9])(?P<kind>{_KIND})(?P<sep>[-_ ]?)(?P<n>[0-9]+)"
    r"(?![A-Za-z0-9])(?:\s*(?P<close>[>＞〉›》]))?",
    re.IGNORECASE,
)
# A bracketed kind with no usable number (`<IP>`, `<IP-?>`), or a kind that was never issued.
_HOLE = re.compile(
    rf"[<＜](?:\s*{_KIND}\s*[-_ ]?[?？xX#]*\s*|(?-i:(?:[A-Z]+-)+[0-9]+))[>＞]", re.IGNORECASE
)


class Restored:
    """An answer's text with its placeholders restored, and what that took."""

    __slots__ = ("broken", "repaired", "text")

    def __init__(self, text: str, repaired: int, broken: int) -> None:
        self.text = text
        self.repaired = repaired  # bent placeholders read as the one they could only mean
        self.broken = broken  # placeholders that stand for nothing: the text must not be shown


def _canonical(match: re.Match[str]) -> str:
    kind = re.sub(r"[-_ ]", "-", match.group("kind").upper())
    if kind == "PRIVATEKEY":
        kind = "PRIVATE-KEY"
    return f"<{kind}-{int(match.group('n'))}>"


def _escape_literals(self: Redactor, text: str) -> str:
    """Text that already looks like a placeholder, as the journal wrote it, becomes a
    placeholder of its own (`<LITERAL-1>` for `<IP-1>`), so it is restored as written and never
    taken for a redacted value. The model's own placeholders, sent back in a reduce call, are
    kept (or straightened, when bent) instead."""

    def escape(match: re.Match[str]) -> str:
        found = match.group()
        if not (match.group("open") or match.group("close")):
            self._bare.add(found.lower())  # `IP-1` in prose: never "repaired" to a value
            return found
        literal = self._by_value.get(("LITERAL", found))
        if literal is not None:
            return literal
        canonical = _canonical(match)
        if found == canonical and canonical in self._originals:
            return found
        if canonical in self._originals and self._journal_read:
            return canonical
        return self.placeholder("LITERAL", found)

    return _BENT.sub(escape, text)


def _restore_answer(self: Redactor, text: str) -> Restored:
    """`text` from a model's answer with placeholders restored for a digest: bent ones
    repaired when they can only mean one, secrets masked, and the ones that stand for nothing
    counted as broken (the caller drops the text)."""
    repaired = broken = 0

    def restore(match: re.Match[str]) -> str:
        nonlocal repaired, broken
        found = match.group()
        bracketed = bool(match.group("open") or match.group("close"))
        canonical = _canonical(match)
        if canonical not in self._originals:
            broken += bracketed
            return found
        if not bracketed and (match.group("sep") == " " or found.lower() in self._bare):
            return found  # prose that happens to read like one: ambiguous, left as written
        repaired += found.strip() != canonical
        kind = canonical[1:].rsplit("-", 1)[0]
        value = self._originals[canonical]
        return MASK if kind in _SECRET_KINDS else value

    broken += len(_HOLE.findall(_BENT.sub(" ", text)))
    restored = _BENT.sub(restore, text)
    return Restored(restored, repaired, broken)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
