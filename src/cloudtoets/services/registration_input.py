"""A registration as someone typed it (the register's form): checked along the validation path
of every inventory and against the register's own limits, so the form reports exactly the
problems an import would, all at once, each with its field path."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from cloudtoets.domain.model import Inventory, Organisation, Provider, Registration
from cloudtoets.io.validate import validate_document
from cloudtoets.problems import InputError, Problem
from cloudtoets.services.limits import register_problems


def check_registration_input(
    data: Mapping[str, Any],
    organisations: Iterable[Organisation],
    own_providers: Iterable[Provider],
) -> Registration:
    """The registration, or InputError with every problem and its field path.

    The inventory checks and the register's own limits (ids usable in an address, name length)
    together, so the form shows every problem at once.
    """
    locate = _locate
    try:
        checked = validate_document(
            {"registrations": [dict(data)]},
            "registratie",
            locate=locate,
            extra_organisations=list(organisations),
            extra_providers=list(own_providers),
        )
    except InputError as error:
        # the register's limits need only the id and the name: check them on what was typed
        raw_id, raw_name = data.get("id"), data.get("name")
        limits: list[Problem] = []
        if isinstance(raw_id, str) and isinstance(raw_name, str | None):
            typed = Registration(id=raw_id, organisation="", name=raw_name)
            limits = register_problems(Inventory(registrations=[typed]), locate)
        raise InputError("registratie", [*error.problems, *limits]) from None
    problems = register_problems(checked.inventory, locate)
    if problems:
        raise InputError("registratie", problems)
    return checked.inventory.registrations[0]


def _locate(list_name: str, index: int, name: str) -> str:
    return f"veld {name}" if name else "registratie"
