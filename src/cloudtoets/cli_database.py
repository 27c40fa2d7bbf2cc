"""``cloudtoets db upgrade``, ``db backup`` and ``db restore``: what they say and their exit codes.

Exit codes: 0 done and every check passed; 1 done, but a check found a problem (named); 2 not
done (the message says why and what to do).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer


def _say(text: str) -> None:
    typer.echo(text)


def _warn(text: str) -> None:
    typer.echo(text, err=True)


def _number(value: float, decimals: int = 1) -> str:
    return f"{value:,.{decimals}f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def _held(snapshot: Any) -> str:
    tables = snapshot.tables
    return (
        f"{tables.get('registrations', 0)} registraties, {tables.get('audit_log', 0)} "
        f"auditrecords, {len(tables)} tabellen"
    )


def _checked(snapshot: Any) -> str:
    return (
        f"Controle in orde: integriteit, schema (versie {snapshot.revision}) en auditlogboek "
        f"({snapshot.audit.count} records, laatste hash {snapshot.audit.head_hash})."
    )


def _report_problems(problems: list[str]) -> int:
    if not problems:
        return 0
    _warn("Controle NIET in orde:")
    for problem in problems:
        _warn(f"  - {problem}")
    return 1


def run_upgrade(settings: Any) -> None:
    from cloudtoets.services.context import Register
    from cloudtoets.services.database import DatabaseProblem, upgrade

    register = Register.open(settings)
    try:
        version = upgrade(register)
    except DatabaseProblem as problem:
        _warn(str(problem))
        raise typer.Exit(2) from None
    finally:
        register.close()
    _say(f"Database is bij: versie {version}")


def run_backup(settings: Any, target: Path) -> int:
    from cloudtoets.services.context import Register
    from cloudtoets.services.database import DatabaseProblem, backup

    register = Register.open(settings)
    try:
        done = backup(register, target)
    except DatabaseProblem as problem:
        _warn(f"Geen reservekopie gemaakt. {problem}")
        return 2
    finally:
        register.close()
    _say(
        f"Reservekopie geschreven: {done.path} ({_number(done.size / 1_000_000)} MB, "
        f"in {_number(done.seconds)} s): {_held(done.snapshot)}."
    )
    if done.problems:
        return _report_problems(done.problems)
    _say(_checked(done.snapshot))
    if done.snapshot.revision != done.head:
        _say(
            f"Let op: het schema is bij versie {done.snapshot.revision}; deze cloudtoets heeft "
            f"{done.head} nodig. Draai na het terugzetten `cloudtoets db upgrade` als eigenaar."
        )
    return 0


def run_restore(settings: Any, source: Path, *, force: bool) -> int:
    from cloudtoets.services.context import Register
    from cloudtoets.services.database import DatabaseProblem, restore

    register = Register.open(settings)
    try:
        done = restore(register, source, force=force)
    except DatabaseProblem as problem:
        _warn(f"Niets teruggezet. {problem}")
        return 2
    finally:
        register.close()
    _say(f"Teruggezet uit {source} in {_number(done.seconds)} s: {_held(done.snapshot)}.")
    if done.problems:
        return _report_problems(done.problems)
    _say(_checked(done.snapshot))
    return 0
