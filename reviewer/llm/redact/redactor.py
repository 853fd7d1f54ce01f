"""The `Redactor`: finds private spans, maps each value to a stable placeholder, and lists
the lines where something that looks private was left (the `reviewer redact` report)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from reviewer.llm.redact.patterns import (
    _BARE_PORT,
    _BEARER,
    _CN_ID,
    _CN_LANDLINE,
    _CN_MOBILE,
    _CN_SECRET,
    _COMMAND,
    _COMMAND_END,
    _DOCKER_PORT,
    _EMAIL,
    _HANDLE,
    _HOME,
    _HOST_LABEL,
    _HOSTLIKE,
    _ID_LABEL,
    _IM,
    _IM_NAMED,
    _INTL_PHONE,
    _IPV4_RE,
    _IPV6_RE,
    _KEEP_HOSTS,
    _LOCALHOST_PORT,
    _LOGIN_KEY,
    _LONG_NUMBER,
    _NOT_COMMAND_AFTER,
    _NOT_DESTINATION,
    _OPTIONS,
    _PHONE_LABEL,
    _PORT_BEFORE,
    _PORT_LABEL,
    _PRIVATE_HOST,
    _PRIVATE_KEY,
    _QUOTED_PASSWORD,
    _RANDOM,
    _SECRET_SPACED,
    _SECRET_VALUE,
    _SSH_CONFIG,
    _SSH_FAMILY,
    _STRIP_END,
    _SUSPECT,
    _SUSPECT_VALUE,
    _TOKENS,
    _URL_PORT,
    _URL_QUERY,
    _URL_USERINFO,
    _US_PHONE,
    _USER_HOST,
    _USER_LABEL,
    _USER_SLASH_PASS,
    _WEBHOOK,
    PLACEHOLDER,
    _credible,
    _is_ip,
    _kept,
    _literal_pattern,
    _scan,
    _value,
)
from reviewer.llm.redact.restore import Restored, _escape_literals, _restore_answer
from reviewer.llm.redact.terms import Rules


@dataclass(frozen=True, slots=True)
class Hidden:
    """A private span of a text: where it is, what kind of value, and the value."""

    start: int
    end: int
    kind: str
    value: str


@dataclass(frozen=True, slots=True)
class Suspect:
    """A line where something that looks private was left in the clear."""

    line: int  # 1-based, within the text given
    text: str
    reason: str


Propose = Callable[[str, int, int, str], None]


class Redactor:
    """Replaces private values by placeholders such as `<IP-1>`, the same value by the same one."""

    def __init__(self, rules: Rules | None = None) -> None:
        self.rules = rules or Rules()
        self._patterns = self.rules.compiled()
        self._terms = _literal_pattern([t for t in self.rules.terms if t.strip()])
        self._by_value: dict[tuple[str, str], str] = {}
        self._originals: dict[str, str] = {}
        self._counts: dict[str, int] = {}
        self._hosts: set[str] = set()  # hosts named in commands or config, hidden everywhere
        self._learned: re.Pattern[str] | None = None
        self._bare: set[str] = set()  # placeholder-like words the journal writes unbracketed
        self._journal_read = False  # learn() has seen the journal: later text is the model's

    @property
    def replaced(self) -> dict[str, str]:
        """Placeholder -> original value, for what has been redacted so far."""
        return dict(self._originals)

    def kind_of(self, placeholder: str) -> str | None:
        """The kind (IP, EMAIL, PASSWORD, ...) of a placeholder this redactor made, else None."""
        if placeholder not in self._originals:
            return None
        return placeholder[1:-1].rsplit("-", 1)[0]

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
        hide a host everywhere, even before the command that revealed it."""
        self.redact(text)
        self._journal_read = True

    def restore_answer(self, text: str) -> Restored:
        """`text` from a model's answer, for a digest (see `_restore_answer`)."""
        return _restore_answer(self, text)

    def redact(self, text: str) -> str:
        """`text` with every private value replaced by its placeholder."""
        text = _escape_literals(self, text)
        out: list[str] = []
        position = 0
        for hidden in self.find(text):
            out.append(text[position : hidden.start])
            token = self.placeholder(hidden.kind, hidden.value)
            # A key block keeps its line breaks, so callers can still map lines to numbers.
            out.append(token + "\n" * hidden.value.count("\n"))
            position = hidden.end
        out.append(text[position:])
        return "".join(out)

    def restore(self, text: str) -> str:
        """`text` with placeholders turned back into the values they stand for."""
        return PLACEHOLDER.sub(lambda m: self._originals.get(m.group(), m.group()), text)

    def find(self, text: str) -> list[Hidden]:
        """The private spans of `text`, in order, not overlapping."""
        # character -> the kind that claimed it first ("" for a placeholder already there)
        owner: dict[int, str] = {}
        for match in PLACEHOLDER.finditer(text):  # already redacted: keep as it is
            for i in range(match.start(), match.end()):
                owner[i] = ""

        def propose(kind: str, start: int, end: int) -> None:
            for i in range(start, end):
                owner.setdefault(i, kind)

        for kind, start, end in self._spans(text):
            propose(kind, start, end)
        if self._learned is not None:
            for match in self._learned.finditer(text):
                propose("HOST", match.start(), match.end())
        return _runs(text, owner)

    def suspects(self, text: str) -> list[Suspect]:
        """Lines where a label of something private (密码, 用户名, QQ, phone, ...) is followed by
        a value that was not hidden: candidates for a term or a pattern."""
        hidden = self.find(text)
        out = []
        offset = 0
        for number, line in enumerate(text.split("\n"), start=1):
            end = offset + len(line)
            for match in _SUSPECT.finditer(line):
                after = offset + match.end()
                window = min(after + 24, end)  # what follows the label on its line
                covered = any(h.start < window and h.end > offset + match.start() for h in hidden)
                value = _SUSPECT_VALUE.match(line, match.end())
                if not covered and value and value.group().strip():
                    out.append(Suspect(number, line.strip(), f"after '{match.group().strip()}'"))
                    break
            else:
                for match in _LONG_NUMBER.finditer(line):
                    start = offset + match.start()
                    if not any(h.start <= start < h.end for h in hidden):
                        out.append(Suspect(number, line.strip(), "a long number"))
                        break
            offset = end + 1
        return out

    # -- the rules ------------------------------------------------------------------------

    def _spans(self, text: str) -> Iterator[tuple[str, int, int]]:
        """(kind, start, end) proposals, most specific first."""
        for pattern in self._patterns:
            for match in _scan(pattern, text):
                if match.end() > match.start():
                    yield "PRIVATE", match.start(), match.end()
        if self._terms is not None:
            for match in self._terms.finditer(text):
                yield "NAME", match.start(), match.end()
        for match in _scan(_PRIVATE_KEY, text):
            yield "PRIVATE-KEY", match.start(), match.end()
        for match in _scan(_TOKENS, text):
            yield "SECRET", match.start(), match.end()
        yield from self._secrets(text)
        yield from self._urls(text)
        yield from self._commands(text)
        yield from self._ssh_config(text)
        userinfo = {m.end() - 1 for m in _scan(_URL_USERINFO, text)}
        for match in _scan(_EMAIL, text):
            if not userinfo.intersection(range(match.start(), match.end())):
                yield "EMAIL", match.start(), match.end()
        for match in _scan(_USER_HOST, text):
            host = match.group("host").strip("[]")
            if match.start("host") - 1 in userinfo:
                continue
            if _is_ip(host) or re.search("[A-Za-z]", host):
                yield "USER", match.start("user"), match.end("user")
                yield from self._host(host, match.start("host"), match.end("host"))
        yield from self._addresses(text)
        yield from self._ports(text)
        yield from self._people(text)
        for match in _scan(_PRIVATE_HOST, text):
            yield from self._host(match.group(), match.start(), match.end())
        for match in _scan(_HOST_LABEL, text):
            yield from self._host(match.group("v"), match.start("v"), match.end("v"))
        for match in _scan(_RANDOM, text):
            yield "SECRET", match.start(), match.end()

    def _secrets(self, text: str) -> Iterator[tuple[str, int, int]]:
        for pattern in (_BEARER, _LOGIN_KEY, _WEBHOOK):
            for match in _scan(pattern, text):
                yield "SECRET", match.start("v"), match.end("v")
        for pattern in (_SECRET_VALUE, _CN_SECRET, _SECRET_SPACED):
            for match in _scan(pattern, text):
                label = match.group()[: match.start("v") - match.start()]
                quote = match.groupdict().get("q") or ""
                span = _value(text, match.start("v"), match.end("v"), quote)
                if span is None:
                    continue
                value = text[span[0] : span[1]]
                if PLACEHOLDER.fullmatch(value) or not _credible(label, value):
                    continue
                kind = (
                    "PASSWORD" if re.search(r"(?i)pass|pwd|pin|密码|口令|码", label) else "SECRET"
                )
                yield kind, span[0], span[1]
        for match in _scan(_QUOTED_PASSWORD, text):
            yield "PASSWORD", match.start("v"), match.end("v")
        for match in _scan(_USER_SLASH_PASS, text):
            name = "u" if match.group("u") else "e"
            yield ("USER" if name == "u" else "EMAIL"), match.start(name), match.end(name)
            span = _value(text, match.start("v"), match.end("v"), "")
            if span is not None:
                yield "PASSWORD", span[0], span[1]

    def _urls(self, text: str) -> Iterator[tuple[str, int, int]]:
        for match in _scan(_URL_USERINFO, text):
            if match.group("user"):
                yield "USER", match.start("user"), match.end("user")
            if match.group("pw"):
                yield "PASSWORD", match.start("pw"), match.end("pw")
        for match in _scan(_URL_QUERY, text):
            name = text[match.start() + 1 : match.start("v") - 1].lower()
            kind = "USER" if name in {"user", "username", "login"} else "SECRET"
            kind = "EMAIL" if name == "email" else kind
            yield kind, match.start("v"), match.end("v")
        for match in _scan(_URL_PORT, text):
            yield "PORT", match.start("v"), match.end("v")

    def _addresses(self, text: str) -> Iterator[tuple[str, int, int]]:
        for match in _scan(_IPV4_RE, text):
            ip = match.group("ip")
            if not _kept(ip):
                yield "IP", match.start("ip"), match.end("ip")
            if match.group("port"):
                yield "PORT", match.start("port"), match.end("port")
        for match in _scan(_IPV6_RE, text):
            ip = match.group("ip")
            if ":" in ip and re.search("[0-9]", ip) and ip.count(":") >= 2 and _is_ip(ip):
                if not _kept(ip):
                    yield "IP", match.start("ip"), match.end("ip")
                if match.group("port"):
                    yield "PORT", match.start("port"), match.end("port")

    def _ports(self, text: str) -> Iterator[tuple[str, int, int]]:
        for pattern in (_LOCALHOST_PORT, _BARE_PORT, _PORT_LABEL, _PORT_BEFORE):
            for match in _scan(pattern, text):
                for port in re.finditer("[0-9]+", match.group("v")):
                    if int(port.group()) <= 65535:
                        start = match.start("v") + port.start()
                        yield "PORT", start, start + len(port.group())
        for match in _scan(_DOCKER_PORT, text):
            yield "PORT", match.start("a"), match.end("a")
            yield "PORT", match.start("b"), match.end("b")

    def _people(self, text: str) -> Iterator[tuple[str, int, int]]:
        for match in _scan(_USER_LABEL, text):
            group = next(g for g in ("v", "v2", "v3", "v4", "v5") if match.group(g))
            yield "USER", match.start(group), match.end(group)
        for match in _scan(_HOME, text):
            yield "USER", match.start("v"), match.end("v")
        for pattern in (_CN_MOBILE, _CN_LANDLINE, _US_PHONE):
            for match in _scan(pattern, text):
                yield "PHONE", match.start(), match.end()
        for match in _scan(_INTL_PHONE, text):
            if 8 <= sum(c.isdigit() for c in match.group()) <= 15:
                yield "PHONE", match.start(), match.end()
        for match in _scan(_PHONE_LABEL, text):
            if sum(c.isdigit() for c in match.group("v")) >= 7:
                yield "PHONE", match.start("v"), match.end("v")
        for pattern in (_IM, _IM_NAMED, _HANDLE):
            for match in _scan(pattern, text):
                yield "ACCOUNT", match.start("v"), match.end("v")
        for match in _scan(_CN_ID, text):
            yield "ID", match.start(), match.end()
        for match in _scan(_ID_LABEL, text):
            if sum(c.isdigit() for c in match.group("v")) >= 5:
                yield "ID", match.start("v"), match.end("v")

    def _host(self, host: str, start: int, end: int) -> Iterator[tuple[str, int, int]]:
        """A host at text[start:end]: an IP, or a name learned to be hidden everywhere."""
        if host in _KEEP_HOSTS or host.lower() == "localhost" or PLACEHOLDER.fullmatch(host):
            return
        if _is_ip(host):
            if not _kept(host):
                yield "IP", start, end
            return
        if "." in host or re.search("[0-9]", host):
            self._learn_host(host)
        yield "HOST", start, end

    def _learn_host(self, host: str) -> None:
        if host not in self._hosts and len(host) >= 3:
            self._hosts.add(host)
            self._learned = _literal_pattern(sorted(self._hosts))

    # -- commands ---------------------------------------------------------------------------

    def _commands(self, text: str) -> Iterator[tuple[str, int, int]]:
        for match in _scan(_COMMAND, text):
            before = re.search(
                r"([A-Za-z][A-Za-z-]*)[ \t]+$", text[max(0, match.start() - 30) : match.start()]
            )
            if before and before.group(1).lower() in _NOT_COMMAND_AFTER:
                continue
            end_match = _COMMAND_END.search(text, match.end())
            end = end_match.start() if end_match else len(text)
            command = re.sub(r"[ \t]+", " ", match.group())
            yield from self._command_args(command, text, match.end(), end)

    def _command_args(
        self, command: str, text: str, start: int, end: int
    ) -> Iterator[tuple[str, int, int]]:
        """Hosts, users, ports and passwords of one command line, the rest kept."""
        options = _OPTIONS[command]
        parts = [(m.group(), m.start()) for m in re.finditer(r"\S+", text[start:end])]
        positional = 0
        expect: str | None = None
        for part, offset in parts:
            at = start + offset
            if expect is not None:
                yield from self._option_value(expect, part, at)
                expect = None
                continue
            if part.startswith("-"):
                name, eq, value = part.partition("=")
                if name in options:
                    if eq:
                        yield from self._option_value(options[name], value, at + len(name) + 1)
                    elif options[name].endswith("="):  # mysql -p: only attached, else a prompt
                        pass
                    else:
                        expect = options[name]
                    continue
                attached = part[:2]
                if part[1:].isalpha() and len(part) > 2 and f"-{part[-1]}" in options:
                    expect = options[f"-{part[-1]}"].rstrip("=")  # -NfL 8888:localhost:8888
                elif attached in options and len(part) > 2 and not part.startswith("--"):
                    kind = options[attached].rstrip("=")
                    value = part[2:]
                    if kind and value[:1] in "'\"":
                        yield from self._option_value(kind, value.strip("'\""), at + 3)
                    elif kind and (kind != "PORT" or value.isdigit()):
                        yield from self._option_value(kind, value, at + 2)
                continue
            if command in _SSH_FAMILY:
                positional += 1
                if positional > 1 or part.lower() in _NOT_DESTINATION:
                    break  # the remote command, or prose: not ours to judge
                if not _HOSTLIKE.fullmatch(part):
                    break
                yield from self._destination(part, at)
            elif (
                command in {"scp", "rsync"} and ":" in part and not part.startswith(("/", ".", "~"))
            ):
                yield from self._destination(part, at)

    def _option_value(self, kind: str, value: str, at: int) -> Iterator[tuple[str, int, int]]:
        if not value or not kind:
            return
        if kind == "PORT":
            if value.isdigit():
                yield "PORT", at, at + len(value)
        elif kind in {"USER", "PATH", "PASSWORD"}:
            value = value.rstrip(_STRIP_END) if kind != "PASSWORD" else value
            yield kind, at, at + len(value)
        elif kind == "HOST":
            yield from self._host(value, at, at + len(value))
        elif kind == "USERPASS":
            user, colon, password = value.partition(":")
            yield "USER", at, at + len(user)
            if colon and password:
                yield "PASSWORD", at + len(user) + 1, at + len(value)
        elif kind == "JUMP":
            position = at
            for hop in value.split(","):
                yield from self._destination(hop, position)
                position += len(hop) + 1
        elif kind == "FORWARD":
            yield from self._forward(value, at)
        elif kind == "OPTION":
            found = re.fullmatch(
                r"(?i)(port|hostname|user|identityfile|proxyjump)(=|\s*)(\S+)", value
            )
            if found:
                option = found[1].lower()
                yield from self._option_value(
                    {
                        "port": "PORT",
                        "hostname": "HOST",
                        "user": "USER",
                        "identityfile": "PATH",
                        "proxyjump": "JUMP",
                    }[option],
                    found[3],
                    at + found.start(3),
                )

    def _forward(self, value: str, at: int) -> Iterator[tuple[str, int, int]]:
        """`[bind:]port:host:hostport` or `port`: ports and non-local hosts."""
        position = at
        for part in re.split(r"(:)", value):
            if part.isdigit():
                yield "PORT", position, position + len(part)
            elif part and part != ":" and re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9.-]*", part):
                yield from self._host(part, position, position + len(part))
            position += len(part)

    def _destination(self, target: str, at: int) -> Iterator[tuple[str, int, int]]:
        """`[ssh://][user@]host[:port-or-path]`, as ssh, scp and rsync write it."""
        if target.startswith("ssh://"):
            target, at = target[6:], at + 6
        user, sep, rest = target.rpartition("@")
        if sep and user:
            yield "USER", at, at + len(user)
        host_at = at + len(user) + len(sep)
        if rest.startswith("["):
            host, _, tail = rest[1:].partition("]")
            host_at += 1
            colon = ":" if tail.startswith(":") else ""
            tail = tail[1:]
        elif _is_ip(rest.rstrip(_STRIP_END)):
            host, colon, tail = rest.rstrip(_STRIP_END), "", ""
        else:
            host, colon, tail = rest.partition(":")
        host = host.rstrip(_STRIP_END)
        if host and not PLACEHOLDER.fullmatch(host) and not host.startswith("<"):
            yield from self._host(host, host_at, host_at + len(host))
        if colon and tail.isdigit():
            port_at = host_at + len(host) + (1 if not rest.startswith("[") else 2)
            yield "PORT", port_at, port_at + len(tail)

    def _ssh_config(self, text: str) -> Iterator[tuple[str, int, int]]:
        for match in _scan(_SSH_CONFIG, text):
            key = match.group("key").lower()
            value, at = match.group("v"), match.start("v")
            tokens = [(m.group(), at + m.start()) for m in re.finditer(r"\S+", value)]
            if key == "proxycommand":
                continue  # its ssh command is read as a command
            if key == "host":
                for token, where in tokens:
                    if not re.search(r"[*?!]", token):
                        yield from self._host(token, where, where + len(token))
                continue
            if len(tokens) > 2 or (len(tokens) == 2 and "forward" not in key):
                continue  # prose that begins with the word: "User experience matters"
            if key == "proxyjump":
                yield from self._option_value("JUMP", value, at)
            elif key in {"remoteforward", "localforward", "dynamicforward"}:
                for token, where in tokens:
                    yield from self._forward(token, where)
            else:
                kind = {
                    "hostname": "HOST",
                    "hostkeyalias": "HOST",
                    "user": "USER",
                    "port": "PORT",
                    "identityfile": "PATH",
                    "certificatefile": "PATH",
                }[key]
                yield from self._option_value(kind, value, at)


def _runs(text: str, owner: dict[int, str]) -> list[Hidden]:
    """Maximal runs of characters owned by the same kind, trimmed of spaces at their ends."""
    out: list[Hidden] = []
    claimed = sorted(i for i, kind in owner.items() if kind)
    n = 0
    while n < len(claimed):
        i = claimed[n]
        kind = owner[i]
        j = i
        while owner.get(j) == kind:
            j += 1
            n += 1
        start, end = i, j
        while start < end and text[start].isspace():
            start += 1
        while end > start and text[end - 1].isspace() and kind != "PRIVATE-KEY":
            end -= 1
        if any(c.isalnum() for c in text[start:end]):
            out.append(Hidden(start, end, kind, text[start:end]))
    return out
