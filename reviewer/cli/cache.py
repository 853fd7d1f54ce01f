"""Commands for the caches: LLM answers, and the parse, facts and history kept per journal."""

from __future__ import annotations

from typing import Annotated

import typer

from reviewer.cli.app import Commands, ConfigOpt, app, handles_errors, load_config
from reviewer.render.labels import plural

cache_app = typer.Typer(cls=Commands, help="The LLM response cache in $XDG_CACHE_HOME/reviewer.")
app.add_typer(cache_app, name="cache")


@cache_app.command("stats")
@handles_errors
def cache_stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    config: ConfigOpt = None,
) -> None:
    """Show where the cache is, how many answers it holds, and what each endpoint accepts."""
    import json

    from reviewer.llm.cache import EndpointModes, ResponseCache

    settings = load_config(config)
    cache = ResponseCache(settings.cache_dir)
    stats = cache.stats() | {"endpoints": EndpointModes(settings.cache_dir).all()}
    cache.close()
    if as_json:
        typer.echo(json.dumps(stats, indent=2))
        return
    typer.echo(
        f"{stats['path']}: {plural(stats['entries'], 'entry', 'entries')} "
        "(answers and token counts), "
        f"{stats['bytes']} bytes"
    )
    for endpoint, mode in stats["endpoints"].items():
        typer.echo(f"  {endpoint}: {mode}")


@cache_app.command("clear")
@handles_errors
def cache_clear(config: ConfigOpt = None) -> None:
    """Remove every cached answer, forget what each endpoint accepts, and remove the parse,
    facts, ledgers and git history kept per journal (all are rebuilt when needed)."""
    from reviewer.facts.cache import clear_facts
    from reviewer.history.store import clear_history
    from reviewer.journal.source import clear_snapshots
    from reviewer.llm.cache import EndpointModes, ResponseCache

    settings = load_config(config)
    cache = ResponseCache(settings.cache_dir)
    removed = cache.clear()
    cache.close_quietly()
    forgotten = EndpointModes(settings.cache_dir).forget()
    kept = (
        clear_snapshots(settings.cache_dir / "journal")
        + clear_facts(settings.cache_dir)
        + clear_history(settings.cache_dir)
    )
    typer.echo(
        f"removed {plural(removed, 'cached answer')}; forgot {plural(forgotten, 'endpoint mode')}; "
        f"removed {plural(kept, 'file')} of parses, facts and history kept per journal"
    )
