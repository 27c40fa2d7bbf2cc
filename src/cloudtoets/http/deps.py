"""Request-scoped dependencies shared by the API and the web pages."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

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


RegisterDep = Annotated[Register, Depends(get_register)]
ActorDep = Annotated[Actor, Depends(get_actor)]
