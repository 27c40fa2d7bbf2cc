"""Request-scoped dependencies shared by the API and the web pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Path, Request

from cloudtoets.domain.text import control_character
from cloudtoets.http.auth import authenticate
from cloudtoets.services.actor import Actor
from cloudtoets.services.context import Register


async def get_register(request: Request) -> Register:
    """No I/O: async keeps FastAPI from handing it to a worker thread on every request."""
    register: Register = request.app.state.register
    return register


async def get_actor(request: Request) -> Actor:
    """The acting user: from its bearer token or session (http/auth.py), never the request."""
    return await authenticate(request)


class ControlCharacterInAddress(Exception):
    """The path or a query parameter holds NUL or another control character (domain/text.py).

    Refused before any route runs (PostgreSQL cannot even look such a text up): the API answers
    400 with a problem document, the pages with the 400 page. ``message`` says it in Dutch.
    """

    def __init__(self, place: str, code: str) -> None:
        self.message = (
            f"{place} bevat een onzichtbaar stuurteken ({code}). Controleer het adres of de "
            "link en haal het teken weg."
        )
        super().__init__(self.message)


async def refuse_control_characters(request: Request) -> None:
    """Every route's first dependency: no control characters in the path or query parameters."""
    code = control_character(request.url.path) or control_character(request.scope["path"])
    if code is not None:
        raise ControlCharacterInAddress("Het adres", code)
    for name, value in request.query_params.multi_items():
        code = control_character(name) or control_character(value)
        if code is not None:
            raise ControlCharacterInAddress(f"De queryparameter '{name[:40]}'", code)


LAST_OBJECT_NUMBER = 2_147_483_647  # the largest number a database integer column holds
# the number of a notification or justification in a page address: beyond the database's range
# is simply not found (the web pages answer 404), never an overflow in the query
ObjectNumber = Annotated[int, Path(ge=1, le=LAST_OBJECT_NUMBER)]

RegisterDep = Annotated[Register, Depends(get_register)]
ActorDep = Annotated[Actor, Depends(get_actor)]
