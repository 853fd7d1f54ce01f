"""`reviewer site`: the static HTML archive of every reviewed week."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from reviewer.cli.app import (
    ConfigOpt,
    EncodingOpt,
    JournalOpt,
    Lang,
    VerboseOpt,
    app,
    handles_errors,
    load_config,
    read_journal,
    setup_logging,
)

if TYPE_CHECKING:
    from datetime import date

    from reviewer.facts.calendar import Week
    from reviewer.journal.parse import Journal
    from reviewer.models import Digest

log = logging.getLogger("reviewer")


@app.command()
@handles_errors
def site(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            metavar="DIR",
            help="Folder to build the site in [default: $XDG_DATA_HOME/reviewer/site].",
            show_default=False,
        ),
    ] = None,
    journal: JournalOpt = None,
    lang: Annotated[
        Lang,
        typer.Option("--lang", help="Language of titles and labels; auto follows the journal."),
    ] = Lang.auto,
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Build a static HTML archive of every reviewed week, to open from disk (no server).

    Weeks come from the archive that `weeks`, `send` and `week --email` write; a journaled
    week not archived yet is first reviewed offline into it (as `weeks --offline` would).
    Pages whose content did not change are not rewritten.
    """
    setup_logging(verbose)
    from reviewer.render.site import SiteInput, site_pages, write_site
    from reviewer.review.week import journal_lang, ledger
    from reviewer.state import load_ids

    settings = load_config(config)
    today = settings.now_date()
    loaded = read_journal(settings, journal, encoding, facts=True)
    stored = load_ids(settings.state_dir, loaded.source, "questions")
    digests, reviewed = _weeks(loaded, settings.data_dir, today, stored)
    if not digests:
        from reviewer.errors import InputError

        raise InputError(f"{loaded.source}: no journaled week to show")
    chosen = lang.value if lang is not Lang.auto else journal_lang(loaded, _week_of(digests[-1]))
    target = out or settings.data_dir / "site"
    pages = site_pages(
        SiteInput(
            title=Path(loaded.source).name or "journal",
            lang=chosen,
            today=today,
            digests=digests,
            journaled=frozenset(_journaled(loaded, today)),
            questions=ledger(loaded, "questions", stored)[0],
            todos=ledger(loaded, "todos", {})[0],
        )
    )
    written, unchanged = write_site(pages, target)
    first = f"; {reviewed} reviewed offline into the archive first" if reviewed else ""
    typer.echo(
        f"site: {target / 'index.html'}: {len(digests)} week{'s' * (len(digests) != 1)}"
        f"{first}; {written} page{'s' * (written != 1)} written, {unchanged} unchanged",
        err=True,
    )


def _week_of(digest: Digest) -> Week:
    from reviewer.facts.calendar import Week

    return Week.containing(digest.week.start)


def _journaled(loaded: Journal, today: date) -> set[date]:
    from reviewer.facts.calendar import journaled_days

    return {d for d in journaled_days(loaded.entries) if d <= today}


def _weeks(
    loaded: Journal, data_dir: Path, today: date, ids: dict[str, str]
) -> tuple[list[Digest], int]:
    """One digest per journaled week up to today, oldest first, from the archive; a week not
    archived yet is reviewed offline into it first (as `reviewer weeks --offline` would, so
    the next build reads it, and an LLM backfill later still replaces it); and how many were
    reviewed now."""
    from reviewer.facts.calendar import Week
    from reviewer.llm.offline import OfflineBackend
    from reviewer.review.backfill import backfill

    archived = _archived(data_dir)
    weeks = {Week.containing(d).iso: Week.containing(d) for d in _journaled(loaded, today)}
    missing = [weeks[iso] for iso in sorted(weeks) if iso not in archived]
    if missing:
        backfill(loaded, missing, today, OfflineBackend(), data_dir, ids=ids, concurrency=1)
        archived = _archived(data_dir)
    return [archived[iso] for iso in sorted(archived)], len(missing)


def _archived(data_dir: Path) -> dict[str, Digest]:
    """The latest archived digest of each week: the one `latest.json` names, else the newest
    file; a file that does not read as a digest is skipped with a note."""
    import json

    from pydantic import ValidationError

    from reviewer.models import Digest

    found: dict[str, Digest] = {}
    root = data_dir / "archive"
    if not root.is_dir():
        return found
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        candidates = sorted(folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        candidates = [p for p in candidates if p.name != "latest.json"]
        try:
            index = json.loads((folder / "latest.json").read_text(encoding="utf-8"))
            named = folder / f"{str(index['digest'])[:12]}.json"
            if named.exists():
                candidates.append(named)
        except (OSError, ValueError, KeyError, TypeError):
            pass
        if not candidates:
            continue
        try:
            digest = Digest.model_validate_json(candidates[-1].read_text(encoding="utf-8"))
        except (OSError, ValidationError) as err:
            typer.echo(
                f"reviewer: note: skipped {candidates[-1]}: {str(err).splitlines()[0]}", err=True
            )
            continue
        found[digest.week.iso] = digest
    return found
