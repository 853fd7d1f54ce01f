"""Redaction of what leaves the machine: private values become stable placeholders.

Pure: a `Redactor` finds the private spans of a text (`find`), replaces each by a placeholder
such as `<IP-1>` (`redact`), the same value by the same placeholder in every message of a week
(the model can still tell "the jump host" from "the GPU box"), and `restore` puts the originals
back into the model's answer for the local digest.

How spans are found: every rule below proposes spans on the original text, in order of
priority; a character claimed by an earlier rule stays with it, and what a later rule adds
around it becomes a placeholder of its own, so a value is never left half in the clear. Rules
use explicit ASCII classes and lookarounds, never `\\w` or `\\b`: in Python both treat CJK as
letters, so `用户名123@qq.com` would hide nothing. Hosts named in commands or ssh config are
learned and hidden wherever else they appear; `Rules` adds the user's own terms (names) and
regular expressions.

Bump RULES_VERSION whenever a rule changes: it is part of `Rules.digest`, which is part of the
response-cache key, so a stricter rule never serves an answer computed on leakier text.
The corpus in tests/privacy/ measures the rules (recall 100%, precision >= 99%).
"""

from __future__ import annotations

import hashlib
import ipaddress
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from reviewer.errors import ConfigError

__all__ = [
    "MASK",
    "PLACEHOLDER",
    "RULES_VERSION",
    "Hidden",
    "Redactor",
    "Restored",
    "Rules",
    "Suspect",
]

RULES_VERSION = 3  # 3: text that looks like a placeholder is sent as <LITERAL-n>

# What a placeholder looks like; text that already is one is left alone (the reduce call
# redacts the map answers, which hold placeholders).
PLACEHOLDER = re.compile(r"<(?:[A-Z]+-)+\d+>")

# -- building blocks --------------------------------------------------------------------------

_ALNUM = "A-Za-z0-9"
_NOT_BEFORE = rf"(?<![{_ALNUM}])"  # no ASCII letter or digit before: CJK is a boundary
_NOT_AFTER = rf"(?![{_ALNUM}])"
_CJK = "\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef"
# A separator between a label and its value: `:` `：` `=` `是` `为`, with spaces around.
_SEP = r"[ \t]*(?:(?:是|为|為)[ \t]*[:：=＝]?|[:：=＝])[ \t]*"  # also `是：`
_SEP_OPT = rf"(?:{_SEP}|[ \t]*)"
_OCTET = r"(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])"
_IPV4 = rf"{_OCTET}(?:\.{_OCTET}){{3}}"
_LABEL_HOST = rf"[{_ALNUM}](?:[{_ALNUM}-]*[{_ALNUM}])?"
_HOSTNAME = rf"{_LABEL_HOST}(?:\.{_LABEL_HOST})*"
_PORT = r"[0-9]{2,5}"

_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?"
    r"(?:-----END [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----|\Z)",
    re.DOTALL,
)
_TOKENS = re.compile(
    r"(?<![A-Za-z0-9_-])(?:"
    r"sk-(?:proj-|ant-(?:api\d\d-)?|live-|test-)?[A-Za-z0-9_-]{16,}"  # OpenAI, DeepSeek, Anthropic
    r"|[sr]k_(?:live|test)_[A-Za-z0-9]{10,}"  # Stripe
    r"|gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}"  # GitHub
    r"|(?:AKIA|ASIA)[0-9A-Z]{16}"  # AWS access key ids
    r"|xox[abposr]-[A-Za-z0-9-]{10,}"  # Slack
    r"|glpat-[A-Za-z0-9_-]{20,}"  # GitLab
    r"|hf_[A-Za-z0-9]{30,}"  # Hugging Face
    r"|npm_[A-Za-z0-9]{30,}|pypi-[A-Za-z0-9_-]{30,}"  # package registries
    r"|AIza[0-9A-Za-z_-]{30,}|ya29\.[A-Za-z0-9_-]{20,}"  # Google
    r"|SG\.[A-Za-z0-9_-]{16,}\.[A-Za-z0-9_-]{16,}"  # SendGrid
    r"|[0-9]{8,10}:AA[A-Za-z0-9_-]{30,}"  # Telegram bots
    r"|wxid_[A-Za-z0-9]{6,}"  # WeChat ids
    r"|eyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}"  # JWTs
    r")"
)
# A long random-looking string (upper, lower and digits) is a key whatever its label: commit
# hashes and checksums are lowercase hex and stay. Public ssh keys are not secrets.
_RANDOM = re.compile(
    r"(?<![A-Za-z0-9_+=.-])(?<!ssh-rsa )(?<!ssh-ed25519 )"
    r"(?=[A-Za-z0-9_-]*[A-Z])(?=[A-Za-z0-9_-]*[a-z])(?=(?:[A-Za-z_-]*[0-9]){3})"
    r"[A-Za-z0-9_-]{24,}(?![A-Za-z0-9_+=-])"
)
# `wandb login KEY`, `huggingface-cli login --token KEY`: a key whatever it looks like.
_LOGIN_KEY = re.compile(
    r"(?<![A-Za-z0-9_-])(?:wandb|huggingface-cli|hf|gh|npm|docker|heroku)(?:[ \t]+auth)?"
    r"[ \t]+login[ \t]+(?:--(?:token|with-token|key)[ \t=]+)?(?P<v>[A-Za-z0-9_.-]{16,})"
)
# Webhook URLs are their own secret: whoever has one can post.
_WEBHOOK = re.compile(
    r"(?i)(?:hooks\.slack\.com/services|discord(?:app)?\.com/api/webhooks)/(?P<v>[A-Za-z0-9_/-]+)"
)
_BEARER = re.compile(r"(?<![A-Za-z])(?:Bearer|Basic|token)[ \t]+(?P<v>[A-Za-z0-9._~+/=-]{12,})")

# Names of secrets: `password: x`, `OPENAI_API_KEY=x`, `"api_key": "x"`, `token是x`.
_SECRET_NAME = (
    r"(?:[A-Za-z0-9_.-]*(?:password|passwd|passphrase)"
    r"|(?:[A-Za-z0-9_.-]*[_.-])?(?:pass|pwd|pw|pin|token|secret|credentials?|signature"
    r"|(?:api|access|secret|private|auth|app|client)[_-]?key|apikey))"
)
_SECRET_VALUE = re.compile(
    rf"(?i)(?<![A-Za-z0-9_.?&-]){_SECRET_NAME}(?![A-Za-z0-9_-])"
    r"(?P<sep>[\"']?[ \t]*(?:[:=：＝]|是|为)[ \t]*(?P<q>[\"'“‘]?))"
    r"(?P<v>[!-~]+)"
)
# `password is hunter22`, `--password hunter22`, `passwd zx81`: without a sign, the value
# must look like one (a digit or a symbol), so "password reset" stays.
_SECRET_SPACED = re.compile(
    r"(?i)(?<![A-Za-z0-9_.])(?:--?)?(?:password|passwd|pwd|pass|token|secret|api[_-]?key)"
    r"(?:[ \t]+(?:for|of|to|on)[ \t]+[^\n.,;:]{1,30}?[ \t]+(?:is|was)|[ \t]+(?:is|was))?"
    r"[ \t]+[\"']?"
    r"(?P<v>(?=[!-~]*[0-9!#$%&*@^~?])[!-~]{4,})"
)
_CN_SECRET = re.compile(
    r"(?:密码|口令|密钥|秘钥|提取码|访问码|取件码|解锁码|PIN码|pin码)(?:[（(][^）)\n]{1,12}[）)])?"
    rf"{_SEP_OPT}(?P<q>[\"'“‘]?)"
    r"(?P<v>[!-~]+)"
)
# `user / pass` after a login label or an e-mail address: `[mac](a@b.com / hunter22)`.
_USER_SLASH_PASS = re.compile(
    rf"(?:(?:用户名|账号|帐号|账户|帐户|登录|登陆|login|user|account){_SEP_OPT}"
    r"(?P<u>[A-Za-z0-9._@+-]+)[ \t]*[/|][ \t]*"
    rf"|(?<![A-Za-z0-9._%+-])(?P<e>[A-Za-z0-9._%+-]+[@＠][A-Za-z0-9.-]+\.[A-Za-z]{{2,}})"
    r"[ \t]+[/|][ \t]+)"
    r"(?P<v>[!-~]+)"
)
# `mysql -p'secret'`: a quote ends a command line, so the quoted password is read here.
_QUOTED_PASSWORD = re.compile(
    r"(?<![A-Za-z0-9-])(?:mysql|mysqldump|mysqladmin)[^\n`]*?[ \t](?:-p|--password=)"
    r"(?P<q>['\"])(?P<v>[^'\"\n]+)(?P=q)"
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+[@＠][A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    r"(?![A-Za-z0-9-])"
)
_USER_HOST = re.compile(
    r"(?<![A-Za-z0-9._%+@-])(?P<user>[A-Za-z_][A-Za-z0-9._-]*)@"
    rf"(?P<host>\[[0-9A-Fa-f:.]+\]|(?:[0-9A-Fa-f]{{0,4}}:){{2,7}}[0-9A-Fa-f]{{0,4}}|{_HOSTNAME})"
    r"(?![A-Za-z0-9-])"
)
_URL_USERINFO = re.compile(
    r"(?i)(?<![A-Za-z0-9])[a-z][a-z0-9+.-]*://(?P<user>[^\s:/@?#]*)(?::(?P<pw>[^\s/@?#]*))?@"
)
_URL_QUERY = re.compile(
    r"(?i)[?&;](?:[a-z0-9_.-]*(?:token|key|secret|sig|signature|password|passwd|pwd|pass"
    r"|auth|credential|session|sessionid|sid|ticket|code)|user|username|email|login)"
    r"=(?P<v>[^&#\s\"'<>)\]]+)"
)
_URL_PORT = re.compile(
    rf"(?i)[a-z][a-z0-9+.-]*://(?:[^\s/@]*@)?(?:\[[0-9A-Fa-f:.]+\]|[^\s/:?#\[]+):(?P<v>{_PORT})"
    r"(?![0-9])"
)
_IPV4_RE = re.compile(
    rf"(?<![A-Za-z0-9.])(?P<ip>{_IPV4})(?![0-9])(?!\.[0-9])(?:[:：](?P<port>{_PORT})(?![0-9]))?"
)
_IPV6_RE = re.compile(
    r"(?<![A-Za-z0-9:.])(?P<ip>(?:[0-9A-Fa-f]{0,4}:){2,7}"
    r"(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3}|[0-9A-Fa-f]{1,4})?)(?![A-Za-z0-9:])"
    rf"(?:\][:：](?P<port>{_PORT})(?![0-9]))?"
)
_LOCALHOST_PORT = re.compile(rf"(?i)(?<![A-Za-z0-9.-])localhost[:：](?P<v>{_PORT})(?![0-9])")
# `开在:12450上`: a bare colon and a port, after a space, CJK or the start of a line.
_BARE_PORT = re.compile(rf"(?:^|(?<=[\s{_CJK}]))[:：](?P<v>[0-9]{{4,5}})(?![0-9:])", re.M)
_PORT_LIST = rf"(?P<v>{_PORT}(?:[ \t]*(?:和|与|、|,|，|/|and|or|或)[ \t]*{_PORT})*)(?![0-9])"
_PORT_LABEL = re.compile(
    rf"(?i)(?:端口号?|(?<![A-Za-z])(?:[A-Za-z_]*_)?port|listen(?:ing)? on)"
    rf"(?:[ \t]*(?:[:：=＝]|是|为)|[ \t]+)?[ \t]*{_PORT_LIST}"
)
_PORT_BEFORE = re.compile(rf"(?<![0-9.:])(?P<v>{_PORT})[ \t]*(?:的)?[ \t]*(?:端口|号端口)")
_DOCKER_PORT = re.compile(
    rf"(?<![A-Za-z0-9-])(?:-p|--publish)[ \t]+(?:[0-9.]+:)?(?P<a>{_PORT}):(?P<b>{_PORT})(?![0-9])"
)
_PRIVATE_HOST = re.compile(
    rf"(?i)(?<![A-Za-z0-9.-])(?:{_LABEL_HOST}\.)+"
    r"(?:local|lan|internal|intranet|intra|corp|home\.arpa|localdomain|private)(?![A-Za-z0-9-])"
)
_HOST_LABEL = re.compile(
    rf"(?i)(?:主机名?|服务器(?:地址|名)?|机器名|(?<![A-Za-z])(?:[A-Za-z]+_)?(?:hostname|host|server))"
    rf"{_SEP}(?P<v>{_HOSTNAME})(?![A-Za-z0-9-])"
)
_USER_LABEL = re.compile(
    rf"(?:用户名|登录名|登陆名|账号|帐号|账户|帐户|用户ID){_SEP_OPT}"
    r"(?P<v>[A-Za-z0-9][A-Za-z0-9._-]*)"
    rf"|(?:用户|登录|登陆){_SEP}(?P<v2>[A-Za-z0-9][A-Za-z0-9._-]*)"
    r"|(?i:(?<![A-Za-z.-])(?:user(?:name)?|login|account|uid))"
    r"(?:[ \t]*[:=：][ \t]*|[ \t]+(?:is|=)[ \t]+)[\"']?(?P<v3>[A-Za-z0-9][A-Za-z0-9._-]*)"
    r"|(?i:(?:invalid user|logins? for|log(?:ged)?[ -]?in as|signed in as|login as))[ \t]+"
    r"(?P<v4>[A-Za-z0-9][A-Za-z0-9._-]*)"
    r"|(?<![A-Za-z0-9-])su[ \t]+(?:-[ \t]+)?(?P<v5>[A-Za-z_][A-Za-z0-9._-]*)"
)
_HOME = re.compile(r"(?:/home/|/Users/|[A-Za-z]:\\Users\\)(?P<v>[A-Za-z0-9._-]+)")
_CN_MOBILE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)86[ -]?)?1[3-9][0-9](?:[ -]?[0-9]{4}){2}(?![0-9A-Za-z])"
)
_CN_LANDLINE = re.compile(
    r"(?<![0-9A-Za-z+])(?:(?:\+|00)86[ -]?\(?0?[1-9][0-9]{1,2}\)?|\(0[1-9][0-9]{1,2}\)"
    r"|0[1-9][0-9]{1,2})[ -]?[0-9]{3,4}[ -]?[0-9]{4}(?![0-9A-Za-z])"
)
_US_PHONE = re.compile(
    r"(?<![0-9A-Za-z(-])(?:\([2-9][0-9]{2}\)[ ]?|[2-9][0-9]{2}[-.])[0-9]{3}[-.][0-9]{4}"
    r"(?![0-9A-Za-z-])"
)
_INTL_PHONE = re.compile(
    r"(?<![0-9A-Za-z+])\+[1-9][0-9]{0,2}(?:[ .-]?\(?[0-9]{1,4}\)?){2,5}(?![0-9A-Za-z])"
)
_PHONE_LABEL = re.compile(
    r"(?i)(?:电话|手机号?|号码|座机|联系方式|(?<![A-Za-z])(?:tel|phone|mobile|call|sms))"
    rf"{_SEP_OPT}(?P<v>\+?\(?[0-9][0-9 ()-]{{5,}}[0-9])"
)
_IM = re.compile(
    r"(?i)(?:(?<![A-Za-z])qq(?:号|群)?|微信号?|v信|(?<![A-Za-z])(?:wx|vx|wechat|weixin))"
    rf"(?:[ \t]*(?:号|同号|id|ID))?(?:{_SEP}|[ \t]*)"
    r"(?P<v>(?=[A-Za-z0-9_-]*[0-9])[A-Za-z0-9][A-Za-z0-9_-]{4,19})(?![A-Za-z0-9_-])"
)
_IM_NAMED = re.compile(
    rf"(?i)(?:微信号|(?<![A-Za-z])(?:wechat|weixin|wx)(?:[ \t]*id)?){_SEP}"
    r"(?P<v>[A-Za-z][A-Za-z0-9_-]{5,19})(?![A-Za-z0-9_-])"
)
# Handles on public sites identify the user as well as a name does.
_HANDLE = re.compile(
    r"(?i)(?:(?<![A-Za-z.])(?:github|gitlab|twitter|weibo|bilibili|telegram|discord|instagram)"
    r"|微博|知乎|小红书|[bB]站)(?:[ \t]*(?:id|账号|用户名|handle))?"
    rf"{_SEP}@?(?P<v>[A-Za-z0-9][A-Za-z0-9_.-]{{1,38}})(?![A-Za-z0-9_.-]|://)"
)
_CN_ID = re.compile(
    r"(?<![0-9A-Za-z])[1-9][0-9]{5}(?:18|19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])"
    r"[0-9]{3}[0-9Xx](?![0-9A-Za-z])"
)
_ID_LABEL = re.compile(
    r"(?i)(?:身份证(?:号码?)?|证件号码?|护照(?:号码?)?|学号|工号|员工号|卡号|银行卡号?|社保号"
    r"|(?<![A-Za-z])(?:passport(?: no\.?)?|student id|id card|ssn))"
    rf"{_SEP_OPT}(?P<v>[A-Za-z]?[0-9]+(?:[ -][0-9]+)*[0-9Xx]?)(?![0-9A-Za-z])"
)

# ssh and friends: options that take a value, and what the value is.
_COMMAND = re.compile(
    r"(?<![A-Za-z0-9_/.-])(?:ssh-copy-id|ssh|scp|sftp|rsync|mosh|autossh|mysql|mysqldump"
    r"|psql|pg_dump|redis-cli|curl|docker[ \t]+login|sudo|sshpass)(?![A-Za-z0-9_-])"
)
_COMMAND_END = re.compile(rf"[`'\"\n;|&{_CJK}]|$")
_SSH_FAMILY = frozenset({"ssh", "ssh-copy-id", "sftp", "mosh", "autossh"})
_SSH_OPTS = {
    "-p": "PORT",
    "-l": "USER",
    "-i": "PATH",
    "-J": "JUMP",
    "-L": "FORWARD",
    "-R": "FORWARD",
    "-D": "FORWARD",
    "-o": "OPTION",
    **dict.fromkeys(("-b", "-c", "-E", "-e", "-F", "-I", "-m", "-O", "-Q", "-S", "-W", "-w"), ""),
    "-M": "",  # autossh's monitor port is a port too, but `-M 0` turns it off
}
_MYSQL = {
    "-u": "USER",
    "--user": "USER",
    "-p": "PASSWORD=",  # only attached (`-psecret`): alone, it asks for the password
    "--password": "PASSWORD=",
    "-h": "HOST",
    "--host": "HOST",
    "-P": "PORT",
    "--port": "PORT",
}
_PSQL = {"-U": "USER", "--username": "USER", "-h": "HOST", "--host": "HOST", "-p": "PORT"}
_OPTIONS: dict[str, dict[str, str]] = {
    "ssh": _SSH_OPTS,
    "ssh-copy-id": _SSH_OPTS,
    "mosh": _SSH_OPTS,
    "autossh": _SSH_OPTS,
    "scp": {**_SSH_OPTS, "-P": "PORT", "-p": ""},
    "sftp": {**_SSH_OPTS, "-P": "PORT", "-p": ""},
    "rsync": {"-e": "", "--port": "PORT", "--password-file": "PATH"},
    "mysql": _MYSQL,
    "mysqldump": _MYSQL,
    "psql": _PSQL,
    "pg_dump": _PSQL,
    "redis-cli": {
        "-a": "PASSWORD",
        "--pass": "PASSWORD",
        "--user": "USER",
        "-h": "HOST",
        "-p": "PORT",
    },
    "curl": {"-u": "USERPASS", "--user": "USERPASS"},
    "docker login": {
        "-u": "USER",
        "--username": "USER",
        "-p": "PASSWORD",
        "--password": "PASSWORD",
    },
    "sudo": {"-u": "USER"},
    "sshpass": {"-p": "PASSWORD"},
}
# Words before `ssh` that make it a noun or a service, not a command: `systemctl ssh status`.
_NOT_COMMAND_AFTER = frozenset(
    """systemctl service restart start stop reload status enable disable install uninstall
    remove purge apt apt-get yum dnf brew pacman which man the a an via over and or with my
    your of for to no use using config configure""".split()  # noqa: SIM905
)
# Words after `ssh` that are prose, not a destination: `ssh into the server`.
_NOT_DESTINATION = frozenset(
    """into to the a an in on at with via from through key keys config connection connections
    tunnel tunnels server servers client port agent login session sessions access command again
    back over is was works worked failed fails timeout timed and or for it using then not no
    also still just keeps hangs broke broken error errors""".split()  # noqa: SIM905
)
_HOSTLIKE = re.compile(r"(?:ssh://)?(?:[A-Za-z0-9._%+-]+@)?[A-Za-z0-9\[<][A-Za-z0-9.<>:\[\]%_-]*")
_SSH_CONFIG = re.compile(
    r"(?im)^(?P<lead>[ \t>]*(?:[-*+][ \t]+)?`*)(?P<key>(?-i:Host)|hostname|user|port"
    r"|identityfile|certificatefile|proxyjump|proxycommand|remoteforward|localforward|dynamicforward|hostkeyalias)"
    r"(?:[ \t]*=[ \t]*|[ \t]+)(?P<v>[!-_a-~]+(?:[ \t]+[!-_a-~]+)*)[ \t]*`*[ \t]*(?=$|[^\x00-\x7f])"
)
_KEEP_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "0.0.0.0", "%h", "*", "ip6-localhost"})
_STRIP_END = ".,;:)]}>\"'，。；：）】」』”’"


@dataclass(frozen=True, slots=True)
class Rules:
    """The user's own rules from `[redact]`: terms (people's names, projects) hidden wherever
    they appear, and regular expressions whose matches are hidden."""

    # Kept out of repr: the terms are the private values themselves.
    terms: tuple[str, ...] = field(default=(), repr=False)
    patterns: tuple[str, ...] = field(default=(), repr=False)

    @property
    def digest(self) -> str:
        """What identifies these rules with the built-in ones, for cache keys: a hash, so the
        terms themselves never appear in key material."""
        text = json.dumps([RULES_VERSION, sorted(self.terms), list(self.patterns)])
        return f"{RULES_VERSION}:{hashlib.sha256(text.encode()).hexdigest()[:16]}"

    def compiled(self) -> list[re.Pattern[str]]:
        """The patterns compiled; a bad one is a ConfigError that names it."""
        out = []
        for number, pattern in enumerate(self.patterns, start=1):
            try:
                out.append(re.compile(pattern))
            except re.error as err:
                raise ConfigError(  # by position: the pattern may spell out a private value
                    f"redact.patterns: pattern {number} of {len(self.patterns)} is not a valid "
                    f"regular expression: {err.msg} at position {err.pos}"
                ) from None
        return out


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


_SUSPECT = re.compile(
    r"(?i)密码|口令|密钥|秘钥|用户名|账号|帐号|登录名|(?<![A-Za-z./])(?:password|passwd|pwd|login"
    r"|username|qq|wechat|token|secret)(?![A-Za-z./])|微信|手机|电话|身份证|学号"
)
# Something that could be a value: an ASCII word or number, after at most a few characters.
_SUSPECT_VALUE = re.compile(r"[^A-Za-z0-9\n]{0,6}[A-Za-z0-9][!-~]{2,}")
_LONG_NUMBER = re.compile(r"(?<![0-9A-Za-z.\-/:])[0-9]{9,}(?![0-9A-Za-z])")


# Words one of which a text must hold for a rule to find anything in it: a lowercase substring
# test is far cheaper than running the rule's regex over a week of text.
_HINTS: dict[re.Pattern[str], tuple[str, ...]] = {
    _PRIVATE_KEY: ("private key",),
    _SECRET_VALUE: (
        "pass",
        "pwd",
        "pw",
        "pin",
        "token",
        "secret",
        "credential",
        "signature",
        "key",
    ),
    _SECRET_SPACED: ("pass", "pwd", "token", "secret", "key"),
    _CN_SECRET: ("密", "口令", "钥", "码"),
    _USER_SLASH_PASS: ("/", "|"),
    _QUOTED_PASSWORD: ("mysql",),
    _BEARER: ("bearer", "basic", "token"),
    _LOGIN_KEY: ("login",),
    _WEBHOOK: ("hooks", "webhooks"),
    _EMAIL: ("@", "＠"),
    _USER_HOST: ("@",),
    _URL_USERINFO: ("://",),
    _URL_QUERY: ("=",),
    _URL_PORT: ("://",),
    _IPV4_RE: (".",),
    _IPV6_RE: ("::", ":"),
    _LOCALHOST_PORT: ("localhost",),
    _BARE_PORT: (":", "："),
    _PORT_LABEL: ("端口", "port", "listen"),
    _PORT_BEFORE: ("端口",),
    _DOCKER_PORT: ("-p", "--publish"),
    _PRIVATE_HOST: ("local", "lan", "internal", "intra", "corp", "arpa", "private"),
    _HOST_LABEL: ("主机", "服务器", "机器名", "host", "server"),
    _USER_LABEL: (
        "用户",
        "登录",
        "登陆",
        "账",
        "帐",
        "user",
        "log",
        "account",
        "uid",
        "invalid",
        "signed",
        "su",
    ),
    _HOME: ("/home/", "/users/", "\\users\\"),
    _PHONE_LABEL: ("电话", "手机", "号码", "座机", "联系", "tel", "phone", "mobile", "call", "sms"),
    _IM: ("qq", "微信", "v信", "wx", "vx", "wechat", "weixin"),
    _HANDLE: (
        "github",
        "gitlab",
        "twitter",
        "weibo",
        "bilibili",
        "telegram",
        "discord",
        "instagram",
        "微博",
        "知乎",
        "小红书",
        "b站",
    ),
    _IM_NAMED: ("微信", "wechat", "weixin", "wx"),
    _ID_LABEL: (
        "身份证",
        "证件",
        "护照",
        "学号",
        "工号",
        "员工号",
        "卡号",
        "社保",
        "passport",
        "student",
        "id card",
        "ssn",
    ),
    _COMMAND: (
        "ssh",
        "scp",
        "sftp",
        "rsync",
        "mosh",
        "mysql",
        "psql",
        "pg_dump",
        "redis-cli",
        "curl",
        "docker",
        "sudo",
    ),
    _SSH_CONFIG: ("host", "user", "port", "identityfile", "certificatefile", "proxy", "forward"),
}


def _scan(pattern: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """`pattern.finditer(text)`, skipped when the text holds none of the rule's hint words."""
    hints = _HINTS.get(pattern)
    if hints:
        lowered = text.lower()
        if not any(hint in lowered for hint in hints):
            return iter(())
    return pattern.finditer(text)


def _literal_pattern(values: list[str]) -> re.Pattern[str] | None:
    """One pattern for literal values, longest first; ASCII ends need ASCII boundaries."""
    if not values:
        return None
    alternatives = []
    for value in sorted(set(values), key=len, reverse=True):
        before = _NOT_BEFORE if re.match(f"[{_ALNUM}]", value) else ""
        after = _NOT_AFTER if re.search(f"[{_ALNUM}]$", value) else ""
        alternatives.append(f"{before}{re.escape(value)}{after}")
    return re.compile("|".join(alternatives), re.IGNORECASE)


def _value(text: str, start: int, end: int, quote: str) -> tuple[int, int] | None:
    """The value at text[start:end] without a closing quote or trailing punctuation."""
    if quote:
        closing = {"“": "”", "‘": "’"}.get(quote, quote)
        stop = text.find(closing, start, end)
        return (start, stop) if stop > start else None
    value = text[start:end]
    trimmed = value.rstrip(_STRIP_END)
    # "(see a / b)": a closing bracket is the text's, unless the value opened one itself.
    if not trimmed:
        return None
    return start, start + len(trimmed)


def _credible(label: str, value: str) -> bool:
    """Not a word that merely follows a secret's name: `token: 表示` was never ASCII, and
    `max_tokens=1500`, `token: none` are not secrets."""
    if value.lower() in {"none", "null", "true", "false", "no", "yes", "n/a", "xxx", "***"}:
        return False
    if not re.search(r"[:：=＝是为為]", label) and not re.search(r"[0-9!#$%&*@^~?]", value):
        return False  # "秘钥copy", "password reset": a word, not a value
    if re.search(r"(?i)token|secret|key|signature|credential", label):
        return len(value) >= 8
    return len(value) >= 3


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


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%")[0])
    except ValueError:
        return False
    return True


def _kept(ip: str) -> bool:
    """Loopback and the any-address say nothing about the user."""
    address = ipaddress.ip_address(ip.split("%")[0])
    return address.is_loopback or address.is_unspecified


# -- The placeholder format and restore side ----------------------------------------------------
# Kept apart from the detection rules above: these functions only read and write placeholders.

MASK = "••••"  # what a secret becomes in a digest: a digest is mailed, a secret never is
_SECRET_KINDS = frozenset({"SECRET", "PASSWORD", "PRIVATE-KEY"})
_KIND = (
    r"(?:ip|host|user|port|email|secret|password|private[-_ ]?key|private|literal|account|id"
    r"|name|path|phone)"
)
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
