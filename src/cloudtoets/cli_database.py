"""``cloudtoets db upgrade``: what it says and its exit codes (0 done; 2 not done, the message
says why and what to do)."""

from __future__ import annotations

from typing import Any

import typer


def _say(text: str) -> None:
    typer.echo(text)


def _warn(text: str) -> None:
    typer.echo(text, err=True)


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
