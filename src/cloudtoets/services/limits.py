"""What the register asks of ids and texts beyond the inventory format.

An inventory may use any text as an id; the register stores ids in columns of limited length and
puts them in addresses (``/registraties/{id}``), so it accepts letters, digits and ``. _ -`` and
limits lengths to what the columns hold. Problems are located like every other input problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from cloudtoets.domain.model import Inventory
from cloudtoets.problems import Problem

ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
NAME_LENGTH = 300

Locate = Callable[[str, int, str], str]


def register_problems(inventory: Inventory, locate: Locate) -> list[Problem]:
    problems: list[Problem] = []

    def check_id(list_name: str, index: int, field: str, value: str | None) -> None:
        if value is not None and not ID_PATTERN.match(value):
            problems.append(
                Problem(
                    locate(list_name, index, field),
                    f"'{value[:40]}' is geen bruikbaar kenmerk; gebruik letters, cijfers, punt, "
                    "liggend streepje of streepje (hoogstens 100 tekens)",
                    (list_name, index),
                    field,
                )
            )

    def check_name(list_name: str, index: int, value: str | None) -> None:
        if value is not None and len(value) > NAME_LENGTH:
            problems.append(
                Problem(
                    locate(list_name, index, "name"),
                    f"de naam is te lang; hoogstens {NAME_LENGTH} tekens",
                    (list_name, index),
                    "name",
                )
            )

    for index, organisation in enumerate(inventory.organisations):
        check_id("organisations", index, "id", organisation.id)
        check_name("organisations", index, organisation.name)
    for index, provider in enumerate(inventory.providers):
        check_id("providers", index, "id", provider.id)
        check_name("providers", index, provider.name)
    for index, registration in enumerate(inventory.registrations):
        check_id("registrations", index, "id", registration.id)
        check_name("registrations", index, registration.name)
    return problems
