"""`make screenshots`: render the W09 email and the static site in headless Chromium, write
docs/*.png cropped to their content, and print each page's content height.

Needs `chromium` (Debian: `apt-get install chromium fonts-noto-cjk`); not part of `make test`.
The PNG is read with the standard library (zlib), so no imaging package is needed.
"""

from __future__ import annotations

import os
import shutil
import struct
import subprocess
import sys
import tempfile
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOCS = ROOT / "docs"
TALL = 6000  # window height of the measuring shot; a page taller than this is cut
EMAIL_BUDGET = 1800  # px at 900 px wide: a digest read in two minutes (issue 13)
# The offline digest of the fixture, as the goldens make it.
ENV = {"REVIEWER_TODAY": "2020-03-08", "REVIEWER_OFFLINE": "1", "NO_COLOR": "1"}


def _chromium() -> str:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    sys.exit("screenshots: chromium not found (apt-get install chromium fonts-noto-cjk)")


def shoot(page: Path, out: Path, width: int, height: int) -> None:
    """Screenshot `page` in a `width` x `height` window."""
    with tempfile.TemporaryDirectory() as profile:
        subprocess.run(
            [
                _chromium(),
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--hide-scrollbars",
                f"--user-data-dir={profile}",
                f"--screenshot={out}",
                f"--window-size={width},{height}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
        )


def _rows(png: bytes) -> list[bytes]:
    """The unfiltered pixel rows of an 8-bit RGB/RGBA, non-interlaced PNG."""
    pos, idat, width, channels = 8, b"", 0, 0
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, _, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", data)
            if depth != 8 or color not in (2, 6) or interlace:
                raise ValueError("unsupported PNG")
            channels = 3 if color == 2 else 4
        elif kind == b"IDAT":
            idat += data
        pos += 12 + length
    raw, stride = zlib.decompress(idat), width * channels
    rows: list[bytes] = []
    prev = bytearray(stride)
    for start in range(0, len(raw), stride + 1):
        kind, line = raw[start], bytearray(raw[start + 1 : start + 1 + stride])
        for i in range(stride):
            left = line[i - channels] if i >= channels else 0
            up, corner = prev[i], prev[i - channels] if i >= channels else 0
            if kind == 1:
                line[i] = (line[i] + left) & 255
            elif kind == 2:
                line[i] = (line[i] + up) & 255
            elif kind == 3:
                line[i] = (line[i] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - corner)
                line[i] = (
                    line[i] + (left if pa <= pb and pa <= pc else up if pb <= pc else corner)
                ) & 255
        rows.append(bytes(line))
        prev = line
    return rows


def content_height(png: Path) -> int:
    """Rows down to the last one that differs from the page's background (its bottom row)."""
    rows = _rows(png.read_bytes())
    background = rows[-1]
    for index in range(len(rows) - 1, -1, -1):
        if rows[index] != background:
            return index + 1
    return 0


def capture(page: Path, name: str, width: int) -> int:
    """docs/<name>.png of `page` at `width`, cut to its content; the content height."""
    out = DOCS / f"{name}.png"
    shoot(page, out, width, TALL)
    height = content_height(out)
    shoot(page, out, width, height + 16)
    print(f"{out.relative_to(ROOT)}: {width} x {height} px")
    return height


def _reviewer(*args: str, env: dict[str, str]) -> None:
    binary = Path(sys.executable).with_name("reviewer")
    subprocess.run([str(binary), *args], check=True, env=env, cwd=ROOT, capture_output=True)


def main() -> None:
    """Render the email and the site of the fixture, then shoot them."""
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        env = {
            **os.environ,
            **ENV,
            "XDG_DATA_HOME": str(work / "data"),
            "XDG_STATE_HOME": str(work / "state"),
            "XDG_CACHE_HOME": str(work / "cache"),
            "XDG_CONFIG_HOME": str(work / "config"),
        }
        email = work / "w09.html"
        _reviewer(
            "week",
            "2020-02-24",
            "-j",
            "fixtures/journal.md",
            "-f",
            "html",
            "-o",
            str(email),
            env=env,
        )
        height = capture(email, "w09-email", 900)
        over = height > EMAIL_BUDGET
        site = work / "site"
        _reviewer("site", "-j", "fixtures/journal.md", "--out", str(site), env=env)
        for width in (1200, 390):
            capture(site / "index.html", f"site-index-{width}", width)
            capture(site / "weeks" / "2020-W09.html", f"site-week-{width}", width)
    verdict = "over" if over else "within"
    print(f"W09 email: {height} px at 900 px, {verdict} the {EMAIL_BUDGET:,} px budget")
    if over:
        sys.exit(1)


if __name__ == "__main__":
    main()
