"""The built-in rules: what each kind of private value looks like (e-mails, hosts, ports,
credentials, phones, ids, commands, ssh config), and the hint words that let a rule skip a
text that cannot hold its kind."""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterator

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
