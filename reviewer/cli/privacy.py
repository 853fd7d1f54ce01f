"""`reviewer redact [WEEK]`: what a week's requests would hide, and what looks private but stays.

It prints the private values themselves, next to their placeholders: that is its purpose (to
check the rules before the first real run), so it writes to stdout only and logs nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from reviewer.cli.app import (
    ConfigOpt,
    EncodingOpt,
    JournalOpt,
    VerboseOpt,
    app,
    emit,
    handles_errors,
    load_config,
    read_journal,
    redaction_rules,
    setup_logging,
)

if TYPE_CHECKING:
    from reviewer.journal.parse import Entry
    from reviewer.llm.redact import Rules


@app.command()
@handles_errors
def redact(
    when: Annotated[
        str,
        typer.Argument(
            metavar="WEEK",
            help="A date in the week (2020-02-24), an ISO week (2020-W09), 'this' or 'last'.",
        ),
    ] = "this",
    journal: JournalOpt = None,
    fmt: Annotated[
        str,
        typer.Option("--format", "-f", metavar="FORMAT", help="Output format: text or json."),
    ] = "text",
    config: ConfigOpt = None,
    encoding: EncodingOpt = None,
    verbose: VerboseOpt = 0,
) -> None:
    """Show every value a week's requests would hide and its placeholder, and the lines where
    something that looks private (a word after 密码 or 用户名, a long number) is left in the
    clear, so that you can add it to [redact] terms or patterns before the first real run.

    Prints private values: to stdout only.
    """
    setup_logging(verbose)
    import json

    from reviewer.errors import UsageError
    from reviewer.facts.calendar import entries_in, parse_week

    if fmt not in {"text", "json"}:
        raise UsageError(f"--format: '{fmt}' is not text or json")
    settings = load_config(config)
    chosen = parse_week(when, settings.now_date())
    loaded = read_journal(settings, journal, encoding)
    data = {
        "week": {"iso": chosen.iso, "start": str(chosen.start), "end": str(chosen.end)},
        **report(entries_in(loaded.entries, chosen), redaction_rules(settings), loaded.source),
    }
    if fmt == "json":
        emit(json.dumps(data, ensure_ascii=False, indent=2) + "\n", None)
    else:
        emit(format_report(data), None)


def report(entries: list[Entry], rules: Rules, source: str = "") -> dict[str, Any]:
    """What the week's redactor hides (each value once, with its placeholder and lines) and
    the lines where something looks private but was left."""
    from reviewer.llm.plan import week_redactor

    redactor = week_redactor(entries, rules)
    hidden: dict[str, dict[str, Any]] = {}
    suspects: list[dict[str, Any]] = []
    for entry in entries:
        where = entry.source if entry.source and entry.source != source else ""
        lines = [entry.heading, *entry.body]
        for offset, line in enumerate(lines):
            number = entry.line + offset
            for found in redactor.find(line):
                token = redactor.placeholder(found.kind, found.value)
                row = hidden.setdefault(
                    token, {"placeholder": token, "kind": found.kind, "value": found.value}
                )
                row.setdefault("lines", [])
                if number not in row["lines"]:
                    row["lines"].append(number)
                if where:
                    row["source"] = where
        for suspect in redactor.suspects("\n".join(lines)):
            suspects.append(
                {"line": entry.line + suspect.line - 1, "text": suspect.text}
                | {"reason": suspect.reason}
                | ({"source": where} if where else {})
            )
    order = list(redactor.replaced)
    rows = sorted(hidden.values(), key=lambda r: order.index(r["placeholder"]))
    return {"entries": len(entries), "hidden": rows, "suspects": suspects}


def format_report(data: dict[str, Any]) -> str:
    """The report as text: one line per hidden value, then the suspicious lines."""
    week = data["week"]
    out = [
        f"week {week['iso']} ({week['start']} to {week['end']}): {data['entries']} entries, "
        f"{len(data['hidden'])} value(s) hidden before anything is sent"
    ]
    width = max((len(r["placeholder"]) for r in data["hidden"]), default=0)
    for row in data["hidden"]:
        lines = ", ".join(str(n) for n in row["lines"])
        where = f"{row['source']}, " if row.get("source") else ""
        out.append(f"  {row['placeholder']:<{width}}  {row['value']}  ({where}line {lines})")
    if data["suspects"]:
        out.append("left in the clear, looks private (add it to [redact] terms or patterns):")
        for suspect in data["suspects"]:
            where = f"{suspect['source']}:" if suspect.get("source") else "line "
            out.append(f"  {where}{suspect['line']}: {suspect['text']}  ({suspect['reason']})")
    else:
        out.append("nothing left that looks private")
    return "\n".join(out) + "\n"
