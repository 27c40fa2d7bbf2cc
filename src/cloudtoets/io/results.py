"""Check results as the JSON document of interface.md, as CSV, and as a terminal table.

With unknown facts (unknowns.md) a result is a verdict range: ``incomplete`` when best and worst
differ, shown as "onvolledig (best … worst)", with the questions that settle it. A possible
finding (there for some answers to the questions) is marked "mogelijk".
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import IO, Any

import orjson

from cloudtoets.domain.decision import Decision, Finding
from cloudtoets.domain.vocabulary import SEVERITY_LABELS, Scope, Verdict
from cloudtoets.io.tabular import escape_formula
from cloudtoets.policy.model import Policy


def summary(decisions: Sequence[Decision]) -> dict[str, Any]:
    """Counts of every registration whatever its scope; only verdicts that occur are listed."""
    counts = Counter(d.verdict for d in decisions)
    by_verdict = {v.value: counts[v] for v in Verdict if counts[v]}
    failing = Counter(d.verdict for d in decisions if d.scope == Scope.MANDATORY)
    return {
        "registrations": len(decisions),
        "by_verdict": by_verdict,
        "mandatory_by_verdict": {v.value: failing[v] for v in Verdict if failing[v]},
    }


def _result(d: Decision) -> dict[str, Any]:
    """``serialise.decision_result`` in values orjson writes natively (enums, dates, tuples,
    dataclasses): the same JSON, without building a dict per finding for large registers."""
    return {
        "registration": d.registration,
        "organisation": d.organisation,
        "scope": d.scope,
        "public_cloud": d.public_cloud,
        "external_cloud": d.external_cloud,
        "material": d.material,
        "existing_use": d.existing_use,
        "material_reasons": d.material_reasons,
        "jurisdictions": d.jurisdictions,
        "jurisdictions_complete": d.jurisdictions_complete,
        "effective_tbb_level": d.effective_tbb_level,
        "verdict": d.verdict,
        "verdict_range": {"best": d.best, "worst": d.worst},
        "deadline": d.deadline,
        # Finding and Question dataclasses carry exactly the contract's keys.
        "findings": d.findings,
        "questions": d.questions,
    }


def _policy_head(policy: Policy) -> dict[str, Any]:
    return {
        "id": policy.id,
        "adopted": policy.parameters.adopted,
        "version": policy.version,
        "revision": policy.revision,
    }


def results_document(
    decisions: Sequence[Decision], policy: Policy, as_of: dt.date
) -> dict[str, Any]:
    return {
        "policy": _policy_head(policy),
        "as_of": as_of,
        "results": [_result(d) for d in decisions],
        "summary": summary(decisions),
    }


JSON_CHUNK = 5_000  # results serialised at a time: bounded memory for large registers


def write_json(
    decisions: Sequence[Decision], policy: Policy, as_of: dt.date, out: IO[bytes]
) -> None:
    """Write ``results_document`` as compact JSON, streaming the results in chunks.

    The bytes equal ``orjson.dumps(results_document(...))``; a large register's output runs to
    hundreds of MB, which need not be in memory at once.
    """
    head = {"policy": _policy_head(policy), "as_of": as_of}
    out.write(orjson.dumps(head)[:-1] + b',"results":[')
    written: dict[int, orjson.Fragment] = {}  # by id: findings are shared (engine/compiler.py)

    def first_time(finding: Finding) -> orjson.Fragment:
        json = written[id(finding)] = orjson.Fragment(orjson.dumps(finding))
        return json

    for start in range(0, len(decisions), JSON_CHUNK):
        results = []
        for d in decisions[start : start + JSON_CHUNK]:
            result = _result(d)
            if d.findings:  # each distinct finding, with its long message, serialised once
                result["findings"] = [written.get(id(f)) or first_time(f) for f in d.findings]
            results.append(result)
        chunk = orjson.dumps(results)
        if start:
            out.write(b",")
        out.write(chunk[1:-1])
    out.write(b'],"summary":' + orjson.dumps(summary(decisions)) + b"}\n")


CSV_COLUMNS = (
    "registration",
    "organisation",
    "scope",
    "verdict",
    "verdict_best",
    "verdict_worst",
    "registration_deadline",
    "material",
    "jurisdictions",
    "questions",
    "rule",
    "section",
    "severity",
    "deadline",
    "justified",
    "certain",
    "message",
)


def _flag(value: bool | None) -> str:
    """true, false, or empty for unknown."""
    return "" if value is None else "true" if value else "false"


def write_csv(decisions: Sequence[Decision], out: IO[bytes]) -> None:
    """One row per finding (a registration without findings gets one row with an empty rule),
    UTF-8.

    ``verdict_best`` and ``verdict_worst`` are the range (equal when the verdict is certain);
    ``material`` is empty when unknown; ``questions`` holds the fields of the open questions,
    separated by spaces; ``certain`` is false for a possible finding.

    Text from the inventory or the policy (ids, rule, section, message) is escaped like the
    register's CSV exports (``tabular.escape_formula``): a spreadsheet shows it, never runs it.

    Findings are shared between decisions (engine/compiler.py), so each distinct finding's
    columns are formatted and encoded once (its long message included); a registration's own
    columns once for all its rows. Rows are written in large pieces.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="")

    def line(fields: Sequence[str], end: str) -> bytes:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow(fields)
        return (buffer.getvalue() + end).encode()

    formatted: dict[int, bytes] = {}  # by id: shared findings, alive as long as the decisions
    no_finding = line(["", "", "", "", "", "", ""], "\r\n")
    rows = [line(CSV_COLUMNS, "\r\n")]
    for d in decisions:
        head = line(
            [
                escape_formula(d.registration),
                escape_formula(d.organisation),
                d.scope.value,
                d.verdict.value,
                d.best.value,
                d.worst.value,
                d.deadline.isoformat() if d.deadline else "",
                _flag(d.material),
                " ".join(d.jurisdictions),
                " ".join(q.field for q in d.questions),
            ],
            ",",
        )
        if not d.findings:
            rows += (head, no_finding)
        for f in d.findings:
            columns = formatted.get(id(f))
            if columns is None:
                columns = formatted[id(f)] = line(
                    [
                        escape_formula(f.rule),
                        escape_formula(f.section),
                        f.severity.value,
                        f.deadline.isoformat() if f.deadline else "",
                        "true" if f.justified else "false",
                        "true" if f.certain else "false",
                        escape_formula(f.message),
                    ],
                    "\r\n",
                )
            rows += (head, columns)
        if len(rows) > 20_000:
            out.write(b"".join(rows))
            rows.clear()
    out.write(b"".join(rows))


VERDICT_STYLES = {
    Verdict.NOT_ALLOWED: "bold white on red",
    Verdict.TRANSITION: "bold black on yellow",
    Verdict.ADVISED_AGAINST: "bold dark_orange",
    Verdict.ALLOWED_WITH_CONDITIONS: "cyan",
    Verdict.ALLOWED: "green",
    Verdict.INCOMPLETE: "bold magenta",
}


TABLE_ROWS = 2_000  # above this a compact line per registration: a boxed table would take minutes

ANSI = {
    Verdict.NOT_ALLOWED: "\x1b[1;37;41m",
    Verdict.TRANSITION: "\x1b[1;30;43m",
    Verdict.ADVISED_AGAINST: "\x1b[1;33m",
    Verdict.ALLOWED_WITH_CONDITIONS: "\x1b[36m",
    Verdict.ALLOWED: "\x1b[32m",
    Verdict.INCOMPLETE: "\x1b[1;35m",
}


def verdict_text(d: Decision) -> str:
    """The verdict in Dutch; an incomplete one with its range: onvolledig (best … worst)."""
    if d.incomplete:
        return f"{d.verdict.label} ({d.best.label} … {d.worst.label})"
    return d.verdict.label


def _findings_text(d: Decision, titles: Mapping[str, str], separator: str = "; ") -> str:
    """Each finding as its rule's title, with the rule id beside it (to look the rule up)."""
    return separator.join(
        f"{titles.get(f.rule, f.rule)} ({f.rule}, {SEVERITY_LABELS[f.severity]}"
        f"{', onderbouwd' if f.justified else ''}{'' if f.certain else ', mogelijk'})"
        for f in d.findings
    )


def _questions_text(d: Decision) -> str:
    """The open questions, one per line, each with the field to fill in."""
    return "\n".join(f"Vraag: {q.question} ({q.field})" for q in d.questions)


def render_table(
    decisions: Sequence[Decision],
    policy: Policy,
    as_of: dt.date,
    out: IO[str],
    *,
    color: bool | None = None,
) -> None:
    """A readable terminal report: one line per registration, then the count per verdict."""
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console(
        file=out,
        force_terminal=color,
        no_color=color is False,
        # a pipe or file has no width; use one that fits rule ids without folding
        width=None if out.isatty() else 160,
    )
    title = f"{policy.title} — peildatum {as_of.isoformat()}"
    titles = {rule.id: rule.title for rule in policy.rules}
    if len(decisions) > TABLE_ROWS:
        console.print(title)
        _render_lines(decisions, titles, out, colored=console.is_terminal and not console.no_color)
    else:
        table = Table(title=title, title_justify="left", expand=False)
        table.add_column("Registratie", overflow="fold")
        table.add_column("Organisatie")
        table.add_column("Oordeel")
        table.add_column("Termijn")
        table.add_column("Bevindingen", overflow="fold")
        for d in decisions:
            scope = "" if d.scope == Scope.MANDATORY else f" ({d.scope.value})"
            table.add_row(
                escape(d.registration),
                escape(d.organisation + scope),
                f"[{VERDICT_STYLES[d.verdict]}]{verdict_text(d)}[/]",
                d.deadline.isoformat() if d.deadline else "",
                escape(_findings_text(d, titles, "\n")) or "-",
            )
            if d.questions:  # under the registration: what to find out to settle it
                table.add_row("", "", "", "", f"[italic]{escape(_questions_text(d))}[/]")
        console.print(table)
        if any(not f.certain for d in decisions for f in d.findings):
            console.print(
                "Mogelijk: deze bevinding geldt misschien. Dat hangt af van de antwoorden "
                "op de vragen onder de registratie."
            )
    counts = summary(decisions)["by_verdict"]
    parts = [f"[{VERDICT_STYLES[Verdict(v)]}]{Verdict(v).label}[/]: {n}" for v, n in counts.items()]
    console.print(f"{len(decisions)} registraties. " + " · ".join(parts))
    if len(decisions) > TABLE_ROWS:
        console.print("Tip: --format csv of --format json is handiger voor zoveel registraties.")


def _render_lines(
    decisions: Sequence[Decision], titles: Mapping[str, str], out: IO[str], *, colored: bool
) -> None:
    """Registration, organisation, verdict, deadline and findings, aligned per column."""
    width_id = max(len(d.registration) for d in decisions)
    width_org = max(len(d.organisation) for d in decisions)
    texts = [verdict_text(d) for d in decisions]
    width_verdict = max(len(text) for text in texts)
    reset = "\x1b[0m" if colored else ""
    lines = []
    for d, text in zip(decisions, texts, strict=True):
        verdict = text.ljust(width_verdict)
        if colored:
            verdict = f"{ANSI[d.verdict]}{verdict}{reset}"
        questions = f"  vragen: {' '.join(q.field for q in d.questions)}" if d.questions else ""
        found = _findings_text(d, titles) or "-"
        lines.append(
            f"{d.registration.ljust(width_id)}  {d.organisation.ljust(width_org)}  {verdict}  "
            f"{d.deadline.isoformat() if d.deadline else '-':10}  {found}{questions}\n"
        )
        if len(lines) >= 5_000:
            out.write("".join(lines))
            lines.clear()
    out.write("".join(lines))
